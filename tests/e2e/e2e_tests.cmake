# End-to-end tests: the real corpus and the bundled case, checked against parsers we did not write.
add_test(NAME e2e_corpus_counts_and_fields_equal_independent_parsers
  COMMAND ${SANDTRACE_PYTHON} ${CMAKE_SOURCE_DIR}/tests/e2e/check_corpus_ingest.py
          $<TARGET_FILE:sandtrace> ${SANDTRACE_CORPUS})
set_tests_properties(e2e_corpus_counts_and_fields_equal_independent_parsers PROPERTIES SKIP_RETURN_CODE 77)

add_test(NAME e2e_bundled_case_store_equals_sources
  COMMAND ${SANDTRACE_PYTHON} ${CMAKE_SOURCE_DIR}/tests/e2e/check_bundled_case.py
          $<TARGET_FILE:stforge> $<TARGET_FILE:sandtrace> ${CMAKE_SOURCE_DIR}/testdata/case)

# Every event log of the bundled case, forged and read back by python-evtx and libevtx.
file(GLOB_RECURSE CASE_EVTX_SOURCES RELATIVE ${CMAKE_SOURCE_DIR}/testdata/case
     ${CMAKE_SOURCE_DIR}/testdata/case/*.evtx.xml)
file(MAKE_DIRECTORY ${CMAKE_BINARY_DIR}/case_evtx)
foreach(source ${CASE_EVTX_SOURCES})
  get_filename_component(name ${source} NAME)
  string(REPLACE ".evtx.xml" "" name ${name})
  string(REGEX REPLACE "[^A-Za-z0-9]+" "_" tag ${name})
  add_test(NAME forge_case_${tag}_reads_back_in_both_parsers
    COMMAND ${SANDTRACE_PYTHON} ${CMAKE_SOURCE_DIR}/tests/forge/check_evtx.py
            --stforge $<TARGET_FILE:stforge>
            ${CMAKE_SOURCE_DIR}/testdata/case/${source} ${CMAKE_BINARY_DIR}/case_evtx/${tag}.evtx)
endforeach()

# Ingest must survive every damaged file the forge can write, under the sanitizers.
add_test(NAME e2e_ingest_damaged_forged_logs_keeps_readable_records
  COMMAND ${SANDTRACE_PYTHON} ${CMAKE_SOURCE_DIR}/tests/e2e/check_damaged_ingest.py
          $<TARGET_FILE:stforge> $<TARGET_FILE:sandtrace>
          ${CMAKE_SOURCE_DIR}/testdata/case/C/Windows/System32/winevt/Logs/Security.evtx.xml)

# A log of many chunks decoded on 1 and on 4 threads: byte-identical stores and outputs, also with
# a record the decoder refuses in a middle chunk (METHOD.md §1.11).
add_test(NAME e2e_parallel_decode_jobs_1_and_4_give_identical_outputs
  COMMAND ${SANDTRACE_PYTHON} ${CMAKE_SOURCE_DIR}/tests/e2e/check_parallel_decode.py
          $<TARGET_FILE:stforge> $<TARGET_FILE:sandtrace> ${CMAKE_SOURCE_DIR}/testdata/case)

# Every hive of the bundled case, forged and read back by libregf and Parse::Win32Registry.
file(GLOB_RECURSE CASE_HIVE_SOURCES RELATIVE ${CMAKE_SOURCE_DIR}/testdata/case
     ${CMAKE_SOURCE_DIR}/testdata/case/*.hive.reg)
foreach(source ${CASE_HIVE_SOURCES})
  get_filename_component(name ${source} NAME)
  string(REPLACE ".hive.reg" "" name ${name})
  add_test(NAME forge_case_hive_${name}_reads_back_in_both_parsers
    COMMAND ${SANDTRACE_PYTHON} ${CMAKE_SOURCE_DIR}/tests/forge/check_hive.py roundtrip
            --stforge $<TARGET_FILE:stforge> --reg ${CMAKE_SOURCE_DIR}/testdata/case/${source}
            --work ${CMAKE_BINARY_DIR}/case_hive/${name})
endforeach()

# Host artifacts on a collection made at run time: disguised and encrypted archives, a cut hive,
# hostile and oversized .wsb files, a malformed task file.
add_test(NAME e2e_host_artifacts_damaged_and_disguised_inputs_are_recorded
  COMMAND ${SANDTRACE_PYTHON} ${CMAKE_SOURCE_DIR}/tests/e2e/check_host_artifacts.py
          $<TARGET_FILE:stforge> $<TARGET_FILE:sandtrace> ${CMAKE_SOURCE_DIR}/testdata/case)

# Unknown payload layouts (2500, 301) are read tolerantly: fields with other names, UserData
# wrappers, a VM named only by its VM SID.
add_test(NAME e2e_sessions_tolerant_payload_layouts
  COMMAND ${SANDTRACE_PYTHON} ${CMAKE_SOURCE_DIR}/tests/e2e/check_tolerant_layouts.py
          $<TARGET_FILE:stforge> $<TARGET_FILE:sandtrace>)

# The 2500 parameters (valid JSON, not valid JSON, JSON decoding to a tab) are decoded at ingest
# into vm_commands rows, which the sessions show (METHOD.md §1.10).
add_test(NAME e2e_tolerant_2500_parameters_decoded_at_ingest
  COMMAND ${SANDTRACE_PYTHON} ${CMAKE_SOURCE_DIR}/tests/e2e/check_vm_commands.py
          $<TARGET_FILE:stforge> $<TARGET_FILE:sandtrace>)

# analyze's outputs against their readers: Timesketch's header rules on CSV and JSONL, hostile
# strings through CSV quoting, mactime on the body file, byte-identical reruns, verify.
add_test(NAME e2e_outputs_timesketch_mactime_determinism_verify
  COMMAND ${SANDTRACE_PYTHON} ${CMAKE_SOURCE_DIR}/tests/e2e/check_outputs.py
          $<TARGET_FILE:stforge> $<TARGET_FILE:sandtrace> ${CMAKE_SOURCE_DIR}/testdata/case)

# The report: analyze the bundled case, then render report.html in headless Chromium (Debian's
# chromium) and check it against the store; skipped when Chromium is absent.
add_test(NAME e2e_report_renders_in_chromium_and_matches_store
  COMMAND sh -c "rm -rf '${CMAKE_BINARY_DIR}/report_case' && mkdir -p '${CMAKE_BINARY_DIR}/report_case' && '$<TARGET_FILE:stforge>' case '${CMAKE_SOURCE_DIR}/testdata/case' '${CMAKE_BINARY_DIR}/report_case/collection' && '$<TARGET_FILE:sandtrace>' analyze '${CMAKE_BINARY_DIR}/report_case/collection' -o '${CMAKE_BINARY_DIR}/report_case/out' --case-name 'Bundled case' --examiner 'CI' >/dev/null && '${SANDTRACE_PYTHON}' '${CMAKE_SOURCE_DIR}/tests/e2e/check_report.py' '${CMAKE_BINARY_DIR}/report_case/out/report.html' '${CMAKE_BINARY_DIR}/report_case/out/case.db' '${CMAKE_BINARY_DIR}/report_case/report.png'")
set_tests_properties(e2e_report_renders_in_chromium_and_matches_store PROPERTIES SKIP_RETURN_CODE 77)

# Every statement true and checkable: reads never write, an interrupted run is flagged, two cases
# are not mixed, negative results are qualified, CSV formulas neutralised, verify's anchors.
add_test(NAME e2e_soundness_reads_incomplete_cases_csv_verify
  COMMAND ${SANDTRACE_PYTHON} ${CMAKE_SOURCE_DIR}/tests/e2e/check_soundness.py
          $<TARGET_FILE:stforge> $<TARGET_FILE:sandtrace> ${CMAKE_SOURCE_DIR}/testdata/case)

# ST-FEATURE-FRESH from the OptionalFeatures key's LastWrite, not from CBS servicing writes.
add_test(NAME e2e_feature_fresh_ignores_servicing_writes
  COMMAND ${SANDTRACE_PYTHON} ${CMAKE_SOURCE_DIR}/tests/e2e/check_feature_time.py
          $<TARGET_FILE:stforge> $<TARGET_FILE:sandtrace> ${CMAKE_SOURCE_DIR}/testdata/case)

# Damaged evidence is never "not evidence": flipped magic bytes (event log, hives, task file, .wsb)
# and an empty Security.evtx are listed, hashed and reported; damaged hives are read through a
# repaired base block; every file of the collection is listed (issue 11, item 1).
add_test(NAME e2e_damaged_evidence_is_listed_hashed_and_reported
  COMMAND ${SANDTRACE_PYTHON} ${CMAKE_SOURCE_DIR}/tests/e2e/check_damaged_evidence_listed.py
          $<TARGET_FILE:stforge> $<TARGET_FILE:sandtrace> ${CMAKE_SOURCE_DIR}/testdata/case)

# 200 EVTX and 100 hive mutants (seeded: the same on every run) in one collection, ingested once
# under the sanitizers: every file listed, every mutant parsed or reported, no crash.
add_test(NAME e2e_mutated_logs_and_hives_are_all_listed_and_reported
  COMMAND ${SANDTRACE_PYTHON} ${CMAKE_SOURCE_DIR}/tests/e2e/check_mutants_listed.py
          $<TARGET_FILE:stforge> $<TARGET_FILE:sandtrace> ${CMAKE_SOURCE_DIR}/testdata/case)
set_tests_properties(e2e_mutated_logs_and_hives_are_all_listed_and_reported PROPERTIES TIMEOUT 300)

# Every stored record's offset points at that record in its evidence file ("**\0\0" and its
# number there), chunk agrees, and python-evtx places allocated records at the same offsets; the
# bundled case always, the real corpus when present (skipped otherwise).
add_test(NAME e2e_record_offsets_point_at_the_record_in_the_evidence
  COMMAND ${SANDTRACE_PYTHON} ${CMAKE_SOURCE_DIR}/tests/e2e/check_record_offsets.py
          $<TARGET_FILE:stforge> $<TARGET_FILE:sandtrace> ${CMAKE_SOURCE_DIR}/testdata/case
          ${SANDTRACE_CORPUS})
set_tests_properties(e2e_record_offsets_point_at_the_record_in_the_evidence PROPERTIES SKIP_RETURN_CODE 77)

# `sandtrace record ID` renders a record again from its evidence file: the stored XML for catalogue
# records, libevtx's XML (python3-libevtx) for the --all-events remainder, whose dedup key is the
# hash of its fields; a changed or missing file is an error. Bundled case always, corpus sample
# when present (skipped otherwise).
add_test(NAME e2e_record_command_renders_stored_records_again_from_evidence
  COMMAND ${SANDTRACE_PYTHON} ${CMAKE_SOURCE_DIR}/tests/e2e/check_record_command.py
          $<TARGET_FILE:stforge> $<TARGET_FILE:sandtrace> ${CMAKE_SOURCE_DIR}/testdata/case
          ${SANDTRACE_CORPUS})
set_tests_properties(e2e_record_command_renders_stored_records_again_from_evidence PROPERTIES
  SKIP_RETURN_CODE 77 TIMEOUT 600)

# events.xml is kept in the SQLite Archive layout (zlib, METHOD.md §8.12): every stored XML read
# back with Python's zlib is libevtx's rendering of the record (python3-libevtx), the sqlite3
# shell's own sqlar_uncompress reads the same bytes, the XML is compressed; a store of schema
# version 8 is refused and left unchanged.
add_test(NAME e2e_packed_xml_reads_back_as_libevtx_renders_it
  COMMAND ${SANDTRACE_PYTHON} ${CMAKE_SOURCE_DIR}/tests/e2e/check_packed_xml.py
          $<TARGET_FILE:stforge> $<TARGET_FILE:sandtrace> ${CMAKE_SOURCE_DIR}/testdata/case)

# The report printed to PDF by Chromium: page one answers, header/footer on every page, nothing
# wider than the page or printed over another word (read back with poppler's pdftotext).
add_test(NAME e2e_report_pdf_page_one_footer_layout
  COMMAND ${SANDTRACE_PYTHON} ${CMAKE_SOURCE_DIR}/tests/e2e/check_report_pdf.py
          $<TARGET_FILE:stforge> $<TARGET_FILE:sandtrace> ${CMAKE_SOURCE_DIR}/testdata/case)
set_tests_properties(e2e_report_pdf_page_one_footer_layout PROPERTIES SKIP_RETURN_CODE 77)

# Two hosts in one case (the case of check_hosts.py): --host on facts, sessions, show, timeline
# and report shows one host's rows alone, an unknown host is a usage error, the report is split by
# host (printed: page X of Y, nothing overprinted), and a case of one host reads as before.
add_test(NAME e2e_host_option_reads_one_host_and_report_splits_by_host
  COMMAND ${SANDTRACE_PYTHON} ${CMAKE_SOURCE_DIR}/tests/e2e/check_host_reading.py
          $<TARGET_FILE:stforge> $<TARGET_FILE:sandtrace> ${CMAKE_SOURCE_DIR}/testdata/case)

# Hive transaction logs on the corpus' dirty hives: replayed by ingest, refused with a reason,
# and `hive recover` equal to Windows 10's own recovered file from offset 4096 on.
add_test(NAME e2e_hive_logs_replayed_refused_and_recovered_like_windows
  COMMAND ${SANDTRACE_PYTHON} ${CMAKE_SOURCE_DIR}/tests/e2e/check_hive_logs.py
          $<TARGET_FILE:sandtrace> ${SANDTRACE_CORPUS})
set_tests_properties(e2e_hive_logs_replayed_refused_and_recovered_like_windows PROPERTIES SKIP_RETURN_CODE 77)

# --display-zone: every time show, sessions and the report print is the UTC time in the zone
# (checked against Python's zoneinfo), the host's zone comes from its fact, the files stay UTC.
add_test(NAME e2e_display_zone_local_times_utc_files
  COMMAND ${SANDTRACE_PYTHON} ${CMAKE_SOURCE_DIR}/tests/e2e/check_display_zone.py
          $<TARGET_FILE:stforge> $<TARGET_FILE:sandtrace> ${CMAKE_SOURCE_DIR}/testdata/case)

# The bundled case's dirty SOFTWARE hive: the malicious task's TaskCache entries exist only in its
# transaction logs; with them the trigger names the TaskCache definition, without them it rests on
# the 129 record, the task file and the 4698 record, and LOG1 alone leaves a Tree key without Tasks.
add_test(NAME e2e_dirty_case_taskcache_only_through_replay
  COMMAND ${SANDTRACE_PYTHON} ${CMAKE_SOURCE_DIR}/tests/e2e/check_dirty_case.py
          $<TARGET_FILE:stforge> $<TARGET_FILE:sandtrace> ${CMAKE_SOURCE_DIR}/testdata/case)

# The host facts of METHOD.md §2.5 (OS, build, time zone, shutdown, control set, BAM) equal to what
# Parse::Win32Registry and libregf read, on the bundled case and the corpus' SYSTEM hives; the
# damaged SYSTEM hive read through its emptied hive bins agrees with Parse::Win32Registry; the host
# of each evidence file (§2.6) equals python-evtx's Computer, and another host's log is named.
add_test(NAME e2e_host_facts_equal_two_registry_readers
  COMMAND ${SANDTRACE_PYTHON} ${CMAKE_SOURCE_DIR}/tests/e2e/check_host_facts.py
          $<TARGET_FILE:stforge> $<TARGET_FILE:sandtrace> ${CMAKE_SOURCE_DIR}/testdata/case
          ${SANDTRACE_CORPUS})

# Collections as they come (METHOD.md §8.6): the bundled case zipped, tar.gz'd, 7z'd, as KAPE and
# Velociraptor collections (folder and zip) and as a volume root gives the folder's sessions and
# the expected Windows paths; a corrupted member, encrypted archives, a member over the limit and
# climbing names are recorded, never fatal; a dirty hive zipped with its logs is replayed (corpus).
add_test(NAME e2e_collections_zip_7z_tar_kape_velociraptor_give_the_folders_sessions
  COMMAND ${SANDTRACE_PYTHON} ${CMAKE_SOURCE_DIR}/tests/e2e/check_collections.py
          $<TARGET_FILE:stforge> $<TARGET_FILE:sandtrace> ${CMAKE_SOURCE_DIR}/testdata/case
          ${SANDTRACE_CORPUS})
set_tests_properties(e2e_collections_zip_7z_tar_kape_velociraptor_give_the_folders_sessions PROPERTIES TIMEOUT 900)

# Several hosts in one case (METHOD.md §2.7): the bundled case and a second machine forged from its
# sources (another name, VM GUIDs, time zone, feature state, a same-named task) read as `ingest A B`
# and as one folder of a host folder and a host zip: each file's host is its folder's, each host's
# facts come from its own hives, each session and every row linked to it belong to one host, the
# timeline's hostname is the row's host, and a file beside the host folders is left unassigned.
add_test(NAME e2e_hosts_each_host_its_own_facts_sessions_and_timeline
  COMMAND ${SANDTRACE_PYTHON} ${CMAKE_SOURCE_DIR}/tests/e2e/check_hosts.py
          $<TARGET_FILE:stforge> $<TARGET_FILE:sandtrace> ${CMAKE_SOURCE_DIR}/testdata/case)

# A damaged hive in a zip or tar.gz is read as the loose file is (METHOD.md §2.5, §8.6): a forged
# hive with a broken base block and the corpus' hive with broken hive bins give the same facts and
# registry rows from the container as from the folder, the repair recorded for the member.
add_test(NAME e2e_damaged_hive_in_container_read_as_loose_file
  COMMAND ${SANDTRACE_PYTHON} ${CMAKE_SOURCE_DIR}/tests/e2e/check_container_hive_repair.py
          $<TARGET_FILE:stforge> $<TARGET_FILE:sandtrace> ${CMAKE_SOURCE_DIR}/testdata/case
          ${SANDTRACE_CORPUS})

# CBS.log / dism.log (METHOD.md §2.8): the lines naming the sandbox feature as this test reads the
# files, their local times converted in the host's zone (zoneinfo), the rule's feature time, the
# timeline and the report on the bundled case; UTF-16, junk, long lines, a 24 MiB log and a
# collection without a time zone recorded and never crashing.
add_test(NAME e2e_servicing_logs_feature_time_in_host_zone
  COMMAND ${SANDTRACE_PYTHON} ${CMAKE_SOURCE_DIR}/tests/e2e/check_servicing_logs.py
          $<TARGET_FILE:stforge> $<TARGET_FILE:sandtrace> ${CMAKE_SOURCE_DIR}/testdata/case)

# Which copies a record was found in (METHOD.md §8.2): the bundled case with an identical and a
# shadow-like copy of Security.evtx; show and the report list both copies (path and SHA-256) once
# for each Security record of each session.
add_test(NAME e2e_record_copies_named_in_show_and_report
  COMMAND ${SANDTRACE_PYTHON} ${CMAKE_SOURCE_DIR}/tests/e2e/check_record_copies.py
          $<TARGET_FILE:stforge> $<TARGET_FILE:sandtrace> ${CMAKE_SOURCE_DIR}/testdata/case)

# The writer's per-file computer counts (evidence_computers, METHOD.md §2.6) equal the store's rows
# and python-evtx (bundled case with a shadow copy; the real corpus when present), and the host of a
# log is read from them.
add_test(NAME e2e_evidence_computers_equal_rows_and_python_evtx
  COMMAND ${SANDTRACE_PYTHON} ${CMAKE_SOURCE_DIR}/tests/e2e/check_evidence_computers.py
          $<TARGET_FILE:stforge> $<TARGET_FILE:sandtrace> ${CMAKE_SOURCE_DIR}/testdata/case
          ${SANDTRACE_CORPUS})
set_tests_properties(e2e_evidence_computers_equal_rows_and_python_evtx PROPERTIES TIMEOUT 600)

# The library versions (METHOD.md §8.5): --version lists exactly the libraries the binary is linked
# with, each version equal to pkg-config's (or the system's), and the run row and the report show
# the same list.
add_test(NAME e2e_versions_list_every_linked_library
  COMMAND ${SANDTRACE_PYTHON} ${CMAKE_SOURCE_DIR}/tests/e2e/check_versions.py
          $<TARGET_FILE:sandtrace>)

# Exit codes of ingest and analyze on evidence that could not be read (METHOD.md §8.4): 0 for the
# bundled case and for a log read partly, 1 for a file that failed to parse or could not be read
# (after every output is written), 2 for a usage error.
add_test(NAME e2e_exit_codes_failed_and_unreadable_evidence_exit_1
  COMMAND ${SANDTRACE_PYTHON} ${CMAKE_SOURCE_DIR}/tests/e2e/check_exit_codes.py
          $<TARGET_FILE:stforge> $<TARGET_FILE:sandtrace> ${CMAKE_SOURCE_DIR}/testdata/case
          ${CMAKE_SOURCE_DIR}/tests/forge/samples/evtx/all_types.evtx.xml)
