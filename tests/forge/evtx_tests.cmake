# sandtrace - tests of the forge's EVTX writer (tests/forge/evtx_writer.c).
# Each forged file is read back by python-evtx and libevtx (check_evtx.py), which we did not write.
set(EVTX_SAMPLES "${CMAKE_SOURCE_DIR}/tests/forge/samples/evtx")
set(EVTX_CHECK "${CMAKE_SOURCE_DIR}/tests/forge/check_evtx.py")
set(EVTX_OUT "${CMAKE_BINARY_DIR}/forge_evtx")
file(MAKE_DIRECTORY "${EVTX_OUT}")

# Round trips: every record, every field, both parsers.
foreach(pair
    "all_types:all_types"
    "security_unicode_paths:unicode_text_and_backslash_paths"
    "eventdata_forms:eventdata_name_unnamed_data_binary"
    "userdata_nested:userdata_nested_with_xmlns")
  string(REPLACE ":" ";" pair "${pair}")
  list(GET pair 0 sample)
  list(GET pair 1 behaviour)
  add_test(NAME forge_evtx_roundtrip_${behaviour}
    COMMAND ${SANDTRACE_PYTHON} ${EVTX_CHECK} --stforge $<TARGET_FILE:stforge>
            ${EVTX_SAMPLES}/${sample}.evtx.xml ${EVTX_OUT}/${sample}.evtx)
endforeach()

# A generated log of 400 events fills at least three chunks (tables restart per chunk).
add_test(NAME forge_evtx_roundtrip_multi_chunk_tables_restart
  COMMAND ${SANDTRACE_PYTHON} ${EVTX_CHECK} --stforge $<TARGET_FILE:stforge> --generate 400 --min-chunks 3
          ${EVTX_OUT}/large.xml ${EVTX_OUT}/large.evtx)

# Damage: each flag must be seen by the parsers, and every undamaged record must still read.
foreach(pair
    "crc:chunk_crc_detected_records_kept"
    "truncate:truncated_chunk_dropped_others_kept"
    "zero-record:zeroed_record_lost_rest_recovered"
    "dirty:dirty_header_reported"
    "crc,zero-record,dirty:combined_damage")
  string(REPLACE ":" ";" pair "${pair}")
  list(GET pair 0 kinds)
  list(GET pair 1 behaviour)
  string(REPLACE "," "_" tag "${kinds}")
  add_test(NAME forge_evtx_damage_${behaviour}
    COMMAND ${SANDTRACE_PYTHON} ${EVTX_CHECK} --stforge $<TARGET_FILE:stforge> --generate 400
            --damage=${kinds} ${EVTX_OUT}/damage_${tag}.xml ${EVTX_OUT}/damage_${tag}.evtx)
endforeach()

# Bad input: a clean error (exit 1 with a message saying what is wrong), never a crash.
foreach(pair
    "not_well_formed:not well-formed XML"
    "empty_file:not well-formed XML"
    "wrong_root:expected <Events> or <Event>"
    "no_system:has no <System>"
    "eventid_too_big:not an unsigned 16-bit number"
    "bad_time:is not a time"
    "unknown_forge_type:unknown forge:type")
  string(REPLACE ":" ";" pair "${pair}")
  list(GET pair 0 sample)
  list(GET pair 1 message)
  add_test(NAME forge_evtx_rejects_${sample}
    COMMAND ${SANDTRACE_PYTHON} ${EVTX_CHECK} --stforge $<TARGET_FILE:stforge> --expect-error ${message}
            ${EVTX_SAMPLES}/bad/${sample}.xml ${EVTX_OUT}/bad_${sample}.evtx)
endforeach()

# Structure: a forged file laid out like the real Windows logs of the corpus; skipped without it.
add_test(NAME forge_evtx_structure_matches_windows
  COMMAND ${SANDTRACE_PYTHON} ${CMAKE_SOURCE_DIR}/tests/forge/check_evtx_structure.py
          --stforge $<TARGET_FILE:stforge> ${EVTX_SAMPLES}/all_types.evtx.xml
          ${EVTX_OUT}/structure.evtx "${SANDTRACE_CORPUS}/evtx")
set_tests_properties(forge_evtx_structure_matches_windows PROPERTIES SKIP_RETURN_CODE 77)

# Streaming: the XML is read one event at a time, so peak memory is flat in the number of events
# (a 2,000,000-record benchmark log is forged this way); a source that breaks off leaves no output.
add_test(NAME forge_evtx_streams_source_memory_flat_in_event_count
  COMMAND ${SANDTRACE_PYTHON} ${CMAKE_SOURCE_DIR}/tests/forge/check_evtx_streaming.py
          $<TARGET_FILE:stforge> ${EVTX_OUT}/streaming --small 1000 --large 10000)
