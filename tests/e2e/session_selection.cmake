# The correlator keeps only the session records its steps read (METHOD.md §6.10): the sessions,
# links, findings and other VMs it writes equal those written from every session record, on the
# bundled case, a many-VM case, every 4th matrix variant and the real corpus logs when present.
add_executable(sandtrace_session_selection ${CMAKE_SOURCE_DIR}/tests/e2e/session_selection.c)
target_link_libraries(sandtrace_session_selection PRIVATE sandtrace_core)
add_test(NAME e2e_session_selection_equals_every_record
  COMMAND ${SANDTRACE_PYTHON} ${CMAKE_SOURCE_DIR}/tests/e2e/check_session_selection.py
          $<TARGET_FILE:stforge> $<TARGET_FILE:sandtrace> $<TARGET_FILE:sandtrace_session_selection>
          ${SANDTRACE_CORPUS})
set_tests_properties(e2e_session_selection_equals_every_record PROPERTIES TIMEOUT 600 PROCESSORS 2)
