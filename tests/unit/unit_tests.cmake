# Unit tests: one program per module, linked against the same library the binary uses.
foreach(name timeutil json discover catalog evtx_flatten)
  add_executable(test_${name} ${CMAKE_SOURCE_DIR}/tests/unit/test_${name}.c)
  target_link_libraries(test_${name} PRIVATE sandtrace_core)
  target_include_directories(test_${name} PRIVATE ${CMAKE_SOURCE_DIR}/tests/unit)
  add_test(NAME unit_${name} COMMAND test_${name})
endforeach()
