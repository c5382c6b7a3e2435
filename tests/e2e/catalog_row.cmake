# A new event layout needs only catalogue rows (issue 10, METHOD.md §1.10). sandtrace_catalog_row is
# sandtrace built from a copy of src/catalog.def with the one row of tests/e2e/catalog_row/ added
# above it (catalog.c reads the table named by SANDTRACE_CATALOG_DEF; no other source differs);
# check_catalog_row.py forges that layout and runs both binaries on it.
set(CATALOG_ROW ${CMAKE_SOURCE_DIR}/tests/e2e/catalog_row/compute_2500_v9.def)
set(CATALOG_WITH_ROW ${CMAKE_BINARY_DIR}/catalog_with_row.def)
set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS ${CATALOG_ROW}
             ${CMAKE_SOURCE_DIR}/src/catalog.def)
file(READ ${CATALOG_ROW} catalog_row_text)
file(READ ${CMAKE_SOURCE_DIR}/src/catalog.def catalog_text)
file(WRITE ${CATALOG_WITH_ROW} "${catalog_row_text}${catalog_text}")

add_executable(sandtrace_catalog_row src/main.c src/catalog.c)
target_compile_definitions(sandtrace_catalog_row PRIVATE SANDTRACE_CATALOG_DEF="${CATALOG_WITH_ROW}")
target_link_libraries(sandtrace_catalog_row PRIVATE sandtrace_core)

add_test(NAME e2e_catalog_new_layout_is_added_by_one_row
  COMMAND ${SANDTRACE_PYTHON} ${CMAKE_SOURCE_DIR}/tests/e2e/check_catalog_row.py
          $<TARGET_FILE:stforge> $<TARGET_FILE:sandtrace> $<TARGET_FILE:sandtrace_catalog_row>)
