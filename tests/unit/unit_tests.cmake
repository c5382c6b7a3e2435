# Unit tests: one program per module (tests/unit/test_<module>.c), linked against the same library
# the binary uses. A test may need data made by the forge: it gets stforge's path as argv[1].
file(GLOB UNIT_TESTS CONFIGURE_DEPENDS ${CMAKE_SOURCE_DIR}/tests/unit/test_*.c)
foreach(source ${UNIT_TESTS})
  get_filename_component(name ${source} NAME_WE)
  string(REGEX REPLACE "^test_" "" module ${name})
  add_executable(${name} ${source})
  target_link_libraries(${name} PRIVATE sandtrace_core)
  target_include_directories(${name} PRIVATE ${CMAKE_SOURCE_DIR}/tests/unit)
  target_compile_definitions(${name} PRIVATE SANDTRACE_SOURCE_DIR="${CMAKE_SOURCE_DIR}")
  add_test(NAME unit_${module} COMMAND ${name} $<TARGET_FILE:stforge>)
endforeach()
