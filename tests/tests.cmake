# sandtrace - test registration. Each part of the suite lives in its own file.
# Python checks use Debian's interpreter, which is where python3-evtx and the libyal bindings live.
set(SANDTRACE_PYTHON /usr/bin/python3)
set(SANDTRACE_CORPUS "${CMAKE_SOURCE_DIR}/../shared/corpus" CACHE PATH "real evidence corpus (optional)")
foreach(part forge/evtx_tests forge/hive_tests forge/case_tests unit/unit_tests e2e/e2e_tests e2e/scenarios e2e/matrix
             e2e/catalog_row e2e/session_selection layering/layering)
  if(EXISTS "${CMAKE_SOURCE_DIR}/tests/${part}.cmake")
    include("${CMAKE_SOURCE_DIR}/tests/${part}.cmake")
  endif()
endforeach()
