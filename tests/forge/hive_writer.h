/*
 * hive_writer.h - the forge's registry hive writer: a .reg file in, a regf hive out.
 *
 * Input is a `Windows Registry Editor Version 5.00` file, UTF-8 or UTF-16LE with a BOM (as regedit
 * saves it), CRLF or LF. Every key must lie under one root, HKEY_LOCAL_MACHINE\<hive> (or
 * HKLM\<hive>): SOFTWARE, SYSTEM, SECURITY, SAM or any other name. The hive's root key is named
 * "ROOT" as in Windows 10 hives, and key paths inside it are relative to it; unlisted parents are
 * created. Values: "text", dword:, hex:, hex(N): for any type N (hex(b) QWORD, hex(2) EXPAND_SZ,
 * hex(7) MULTI_SZ, hex(0) NONE...), @ for the default value, \\ and \" escapes, lines continued
 * with a trailing '\'. Deletions ([-key], "name"=-) are rejected. Key LastWrite times are given by
 * a comment line directly above a key (UTC, up to 7 fraction digits = 100 ns):
 *     ;@lastwrite 2025-01-08T07:21:18.1234567Z
 * Keys without one get the time given to hive_forge_file. The output is deterministic.
 */
#ifndef SANDTRACE_FORGE_HIVE_WRITER_H
#define SANDTRACE_FORGE_HIVE_WRITER_H

#include <stddef.h>
#include <stdint.h>

/* Writes OUT_PATH from REG_PATH. DEFAULT_FILETIME is the LastWrite (100 ns since 1601 UTC) of keys
 * with no ;@lastwrite comment and the base block's timestamp. Returns 0, or -1 with a message in
 * ERR (ERR_LEN bytes, may be 0). */
int hive_forge_file(const char *reg_path, const char *out_path, uint64_t default_filetime,
		    char *err, size_t err_len);

#define HIVE_FORGE_LOGS_MAX 2u

/* The same, written as a dirty hive (Windows 8.1+) with LOG_COUNT (at most HIVE_FORGE_LOGS_MAX)
 * new-format transaction logs OUT_PATH.LOG1, .LOG2...: LOG_REG_PATHS[k] is a .reg of the keys and
 * values written after the primary was last flushed, in order (each adds to the state before it).
 * OUT_PATH holds only REG_PATH's keys and its base block says dirty (sequence numbers 3/2); log
 * k+1 holds one log entry, sequence number 2 + k, whose dirty pages turn the state before it into
 * the state with LOG_REG_PATHS[k] added. Replaying both logs gives the hive hive_forge_file would
 * write from all the .reg files together (base block aside). With LOG_COUNT 0, hive_forge_file. */
int hive_forge_dirty(const char *reg_path, const char *const *log_reg_paths, size_t log_count,
		     const char *out_path, uint64_t default_filetime, char *err, size_t err_len);

#endif
