# The layers of DESIGN.md as a test: correlate/ and export/ read typed tables only, so none of their
# files includes a parser header (issue 10).
add_test(NAME layering_correlate_and_export_include_no_parser_header
  COMMAND ${SANDTRACE_PYTHON} ${CMAKE_SOURCE_DIR}/tests/layering/check_layering.py ${CMAKE_SOURCE_DIR})
