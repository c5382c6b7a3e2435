# Forged session scenarios (tests/e2e/scenarios/<name>): forge, ingest, `sandtrace sessions --json`, and
# compare with <name>/expected.json field by field. One CTest per scenario. Include from tests/tests.cmake
# (add `e2e/scenarios` to its list of parts).
set(SANDTRACE_SESSION_SCENARIOS
  mirrorface_chain benign_user overlapping no_security_log auditing_off wsb_cli_24h2 classic_vm end_missing
  task_security_cleared wsb_alias_task)
foreach(name ${SANDTRACE_SESSION_SCENARIOS})
  add_test(NAME e2e_sessions_${name}
    COMMAND ${SANDTRACE_PYTHON} ${CMAKE_SOURCE_DIR}/tests/e2e/check_sessions.py
            $<TARGET_FILE:stforge> $<TARGET_FILE:sandtrace> ${CMAKE_SOURCE_DIR}/tests/e2e/scenarios ${name})
endforeach()
