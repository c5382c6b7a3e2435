# sandtrace - tests of the forge's registry hive writer (tests/forge/hive_writer.c).
# Every forged hive is read back by two parsers we did not write, libregf (pyregf) and
# Parse::Win32Registry (check_hive.pl), and compared with an independent parse of its .reg:
# key paths, LastWrite to 100 ns, subkey order, value names, types and data bytes. Each round trip
# also checks the raw layout (lh hashes, Windows order, cell accounting, sk, db segments) with
# check_hive_layout.py. Included from tests/tests.cmake (SANDTRACE_PYTHON, SANDTRACE_CORPUS).
set(HIVE_CHECK ${SANDTRACE_PYTHON} ${CMAKE_SOURCE_DIR}/tests/forge/check_hive.py)
set(HIVE_SAMPLES ${CMAKE_SOURCE_DIR}/tests/forge/samples/hive)
set(HIVE_WORK ${CMAKE_BINARY_DIR}/tests/forge/hive)

# name -> sample: one round trip per behaviour the sample protects.
set(HIVE_ROUNDTRIPS
  "all_types_inline_and_cell_data:all_types.reg"
  "escapes_and_backslash_names:escapes_backslashes.reg"
  "japanese_names_and_data:japanese.reg"
  "empty_keys_merges_and_root_values:empty_keys.reg"
  "system_root:system.reg"
  "security_root:security.reg"
  "utf16_regedit_export:utf16_regedit_export.reg"
)
foreach(entry ${HIVE_ROUNDTRIPS})
  string(REPLACE ":" ";" parts "${entry}")
  list(GET parts 0 name)
  list(GET parts 1 sample)
  add_test(NAME forge_hive_roundtrip_${name}
    COMMAND ${HIVE_CHECK} roundtrip --stforge $<TARGET_FILE:stforge>
            --reg ${HIVE_SAMPLES}/${sample} --work ${HIVE_WORK}/${name})
endforeach()

# Generated inputs: too big to keep as files.
add_test(NAME forge_hive_many_subkeys_use_ri_index_in_windows_order
  COMMAND ${HIVE_CHECK} roundtrip --stforge $<TARGET_FILE:stforge> --generate many-subkeys
          --reg none --work ${HIVE_WORK}/many_subkeys)
add_test(NAME forge_hive_big_values_split_into_db_segments
  COMMAND ${HIVE_CHECK} roundtrip --stforge $<TARGET_FILE:stforge> --generate big-values
          --reg none --work ${HIVE_WORK}/big_values)
add_test(NAME forge_hive_keys_nest_to_windows_depth_limit
  COMMAND ${HIVE_CHECK} roundtrip --stforge $<TARGET_FILE:stforge> --generate deep-keys
          --reg none --work ${HIVE_WORK}/deep_keys)
add_test(NAME forge_hive_roundtrip_utf16_crlf_conversion_of_japanese
  COMMAND ${HIVE_CHECK} roundtrip --stforge $<TARGET_FILE:stforge> --generate utf16
          --reg ${HIVE_SAMPLES}/japanese.reg --work ${HIVE_WORK}/utf16_japanese)

add_test(NAME forge_hive_output_is_deterministic
  COMMAND ${HIVE_CHECK} deterministic --stforge $<TARGET_FILE:stforge>
          --reg ${HIVE_SAMPLES}/all_types.reg --work ${HIVE_WORK}/deterministic)
add_test(NAME forge_hive_checks_catch_damaged_hives
  COMMAND ${HIVE_CHECK} selftest --stforge $<TARGET_FILE:stforge>
          --reg ${HIVE_SAMPLES}/all_types.reg --work ${HIVE_WORK}/selftest)

# Bad input: stforge must exit 1 with a message naming the line (each file's "; expect:" line,
# or NAME.expect beside files that cannot hold one), leave no output file, and not crash (the
# sanitizer build runs these too).
file(GLOB HIVE_BAD_SAMPLES ${HIVE_SAMPLES}/bad/*.reg)
foreach(sample ${HIVE_BAD_SAMPLES})
  get_filename_component(name ${sample} NAME_WE)
  add_test(NAME forge_hive_rejects_${name}
    COMMAND ${HIVE_CHECK} reject --stforge $<TARGET_FILE:stforge> --reg ${sample}
            --work ${HIVE_WORK}/bad)
endforeach()

# Layout against the real hives of the corpus; skipped (77) when the corpus is absent.
add_test(NAME forge_hive_layout_matches_real_hives
  COMMAND ${SANDTRACE_PYTHON} ${CMAKE_SOURCE_DIR}/tests/forge/check_hive_layout.py corpus
          --corpus ${SANDTRACE_CORPUS} --stforge $<TARGET_FILE:stforge> --work ${HIVE_WORK}/layout
          ${HIVE_SAMPLES}/system.reg ${HIVE_SAMPLES}/security.reg ${HIVE_SAMPLES}/all_types.reg)
set_tests_properties(forge_hive_layout_matches_real_hives PROPERTIES SKIP_RETURN_CODE 77)

# A dirty hive with two new-format transaction logs (the bundled case's SOFTWARE): the primary holds
# only its own .reg, the replay (sandtrace hive recover) gives the .reg with each log's keys added,
# both read by libregf and Parse::Win32Registry; LOG1 alone goes half way, LOG2 alone is a gap.
set(CASE_CONFIG ${CMAKE_SOURCE_DIR}/testdata/case/C/Windows/System32/config)
add_test(NAME forge_hive_dirty_logs_replay_to_the_reg_with_its_logs
  COMMAND ${HIVE_CHECK} dirty --stforge $<TARGET_FILE:stforge> --sandtrace $<TARGET_FILE:sandtrace>
          --reg ${CASE_CONFIG}/SOFTWARE.hive.reg --log ${CASE_CONFIG}/SOFTWARE.LOG1.reg
          --log ${CASE_CONFIG}/SOFTWARE.LOG2.reg --root-name ROOT --work ${HIVE_WORK}/dirty)
