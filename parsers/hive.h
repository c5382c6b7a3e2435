/*
 * hive.h - reading the keys sandtrace knows from SOFTWARE, SYSTEM and SECURITY hives through
 * libregf (METHOD.md §2.1-§2.3, §3.1, §3.2, §4.2).
 *
 * The parser reads only the keys listed in one table in hive.c (each row cites its §) and returns
 * them as rows: one per value read, and one per key from which no value was read (so that the
 * LastWrite of empty keys, such as TaskCache Tree folders and Plain/Boot/Logon buckets, is kept).
 * The hive kind is decided from the content, never from the file name. Problems of the evidence
 * (unreadable key or value, dirty hive, truncation when libregf still opens the file, a string
 * with bytes after its terminating NUL) are returned as data and reading goes on; only a file
 * libregf cannot open at all is an error. libregf 20201007 refuses a hive whose base-block
 * signature or checksum is wrong: such a hive is read through a copy in memory with those repaired
 * (the file is never written) and the repair is a severe problem. It also refuses a hive whose bins
 * are cut short: that comes back as -1 with libregf's reason.
 *
 * Value data is returned as the raw bytes of the hive. libregf 20201007 returns the wrong bytes
 * for values of 1-3 bytes stored inline in the value key (it copies the last N bytes of the 4-byte
 * field instead of the first N), and string data only up to its first NUL; the parser reads those
 * bytes from the value key record and the data cell itself (see hive.c, value_read_inline_data and
 * value_read_cell_data) and reports a problem when it cannot.
 */
#ifndef SANDTRACE_PARSERS_HIVE_H
#define SANDTRACE_PARSERS_HIVE_H

#include <stddef.h>
#include <stdint.h>

enum hive_kind {
	HIVE_KIND_OTHER = 0,
	HIVE_KIND_SOFTWARE,
	HIVE_KIND_SYSTEM,
	HIVE_KIND_SECURITY,
};

/* Registry value types (winnt.h REG_*), for reading hive_row.value_type. */
enum hive_value_type {
	HIVE_REG_NONE = 0,
	HIVE_REG_SZ = 1,
	HIVE_REG_EXPAND_SZ = 2,
	HIVE_REG_BINARY = 3,
	HIVE_REG_DWORD = 4,
	HIVE_REG_DWORD_BIG_ENDIAN = 5,
	HIVE_REG_LINK = 6,
	HIVE_REG_MULTI_SZ = 7,
	HIVE_REG_QWORD = 11,
};

struct hive_row {
	char *key_path;            /* relative to the hive root, '\'-separated, names as stored,
				      e.g. "Microsoft\Windows NT\CurrentVersion\Schedule\TaskCache\Tree" */
	uint64_t key_last_written; /* FILETIME; 0 if libregf could not read it */
	char *value_name;          /* "" = the default value; NULL = a key row (no value read) */
	uint32_t value_type;       /* REG_* (enum hive_value_type); 0 for key rows */
	uint8_t *data;             /* raw value data (NULL when data_size is 0) */
	size_t data_size;
	char *text;                /* UTF-8: REG_SZ/EXPAND_SZ/LINK up to the first NUL; MULTI_SZ
				      strings joined with '\n'; DWORD/DWORD_BIG_ENDIAN/QWORD in
				      decimal (unsigned). NULL for other types and key rows. */
	int has_number;            /* 1 when NUMBER holds a DWORD/DWORD_BIG_ENDIAN/QWORD value */
	uint64_t number;
	const char *source;        /* the METHOD.md § of the table row that selected the key
				      (static string, e.g. "§4.2") */
	char *replay;              /* read from a replayed state and not so in the primary file:
				      which log gave it and what the primary holds
				      (hive_replay_marks.h); NULL otherwise */
};

struct hive_problem {
	char *location;            /* "base block", "file", or a key path [+ "\\" value name] */
	char *reason;
	int severe;                /* 0 for notes that leave every key readable ("transaction
				      logs not applied", "Select missing: ControlSet001 used") */
};

struct hive_result {
	enum hive_kind kind;
	const char *kind_name;     /* "SOFTWARE", "SYSTEM", "SECURITY" or "other" (static) */
	char *root_name;           /* name of the root key as stored (e.g. "ROOT"), NULL if unknown */
	uint32_t sequence_primary, sequence_secondary; /* base block sequence numbers */
	int dirty;                 /* sequence numbers differ: transaction logs not applied */
	int corrupted;             /* libregf reports the file as corrupted */
	int control_set;           /* SYSTEM: N of the ControlSet00N read, 0 if none */
	int control_set_from_select; /* 1 = from Select\Current, 0 = fallback to ControlSet001 */
	struct hive_row *rows;
	size_t row_count;
	struct hive_problem *problems;
	size_t problem_count;
};

/* Reads the known keys of the hive at PATH into *OUT (free with hive_result_free). Returns 0 when
 * the file was read, possibly with problems listed in the result; -1 when libregf cannot open it
 * as a hive, or memory ran out, with the reason in ERR (ERR_SIZE bytes, may be 0) and *OUT NULL. */
int hive_parse_file(const char *path, struct hive_result **out, char *err, size_t err_size);

/* The same for a hive held in memory (DATA, SIZE bytes, not copied: it must outlive the call),
 * such as a primary file with its transaction logs replayed (hive_log.h); libregf reads it through
 * a libbfio memory range. A base block damaged beyond what hive_log repairs is an error here. */
int hive_parse_memory(const uint8_t *data, size_t size, struct hive_result **out, char *err,
		      size_t err_size);

/* Frees RESULT and everything it owns; NULL is allowed. */
void hive_result_free(struct hive_result *result);

/* Name of a REG_* type ("REG_DWORD", ...), "REG_UNKNOWN" for others (static string). */
const char *hive_value_type_name(uint32_t value_type);

/* The reason recorded for a hive whose base block says transaction logs were not applied (its
 * sequence numbers differ); the host facts read from such a hive are capped at medium confidence. */
#define HIVE_DIRTY_REASON "transaction logs not applied"

#endif
