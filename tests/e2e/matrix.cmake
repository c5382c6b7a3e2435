# The variant matrix (issue 10): every variant of the bundled story (logs removed, layouts, 23H2/24H2
# launchers, wsb exec/share, overlapping sessions, power loss, containers) forged, ingested, correlated
# and compared with the sessions gen_matrix.py computes from the story and METHOD.md's degradation
# rules. Known gaps are listed in check_matrix.py (KNOWN_GAPS) and may only shrink. Budget: 4 minutes.
add_test(NAME e2e_matrix_variants_equal_story_and_degradation_rules
  COMMAND ${SANDTRACE_PYTHON} ${CMAKE_SOURCE_DIR}/tests/e2e/matrix/check_matrix.py
          $<TARGET_FILE:stforge> $<TARGET_FILE:sandtrace> --jobs 2)
set_tests_properties(e2e_matrix_variants_equal_story_and_degradation_rules PROPERTIES TIMEOUT 600 PROCESSORS 2)
