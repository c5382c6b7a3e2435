/*
 * hive.c - reading the keys sandtrace knows from SOFTWARE, SYSTEM and SECURITY hives through
 * libregf (METHOD.md §2, §3.1, §3.2, §4.2). Interface and ownership: hive.h.
 *
 * What is read is the table known_keys[] below, one row per key (or family of keys), each citing
 * its §. The walker never lists the whole hive: it opens the table's paths segment by segment,
 * enumerates only the children a row asks for, and bounds recursion depth and the number of keys.
 *
 * Besides libregf the file is read directly twice: the 4 KiB base block (sequence numbers,
 * checksum, declared size: libregf 20201007 exposes none of these), and the value key record of
 * each 1-3 byte value stored inline, which libregf 20201007 returns wrongly (value_read_inline_data).
 *
 * A hive whose base block is damaged (signature or checksum) is refused by libregf although its
 * keys are intact in the hive bins behind it; such a hive is read again through a copy in memory
 * whose base block signature and checksum are rewritten (hive_open_repaired). The file itself is
 * never written, and the repair is recorded as a problem.
 */
#include "parsers/hive.h"

/* libbfio first: libregf.h then declares its file I/O handle functions with libbfio's types. */
#include <libbfio.h>
#include <libregf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include "strbuf.h"

/* Bounds for damaged or hostile hives. */
#define HIVE_TREE_DEPTH_MAX 32          /* TaskCache Tree folders nest a few levels deep */
#define HIVE_KEYS_MAX 200000            /* keys visited per file */
#define HIVE_VALUE_DATA_MAX (16u << 20) /* larger values are reported, not read */
#define HIVE_BASE_BLOCK_SIZE 4096
#define HIVE_CHECKSUM_OFFSET 0x1FC      /* XOR-32 of the 0x1FC bytes before it */
#define HIVE_REPAIR_SIZE_MAX (1024ull << 20) /* a repaired copy is held in memory whole; real
						 SOFTWARE hives reach a few hundred MiB */

/* How a table row selects keys. */
enum walk {
	WALK_KEY,      /* the key at PATH */
	WALK_CHILDREN, /* each direct subkey of PATH (optionally only names with a PREFIX) */
	WALK_TREE,     /* PATH and every key below it */
};

struct known_key {
	enum hive_kind kind;
	int in_control_set;          /* PATH is relative to the control set in use (SYSTEM) */
	const char *path;
	enum walk walk;
	const char *const *prefixes; /* WALK_CHILDREN: subkey name prefixes (case-insensitive); NULL = all */
	const char *const *values;   /* value names to read; VALUES_ALL; VALUES_NONE = key row only */
	const char *subkey;          /* also read this subkey of each key (all values) and its children */
	const char *source;
};

static const char *const VALUES_NONE[] = {NULL};
#define VALUES_ALL NULL

static const char *const CBS_PACKAGES[] = {
	"Containers-OptionalFeature-DisposableClientVM-Package",
	"Containers-DisposableClientVM-Package",
	"Containers-DisposableClientVM-merged-Package",
	NULL,
};
static const char *const VALUES_SERVICE[] = {"Start", "ImagePath", "Type", "DisplayName", NULL};
static const char *const VALUES_TREE[] = {"Id", "Index", "SD", NULL};
static const char *const VALUES_CMDLINE[] = {"ProcessCreationIncludeCmdLine_Enabled", NULL};
static const char *const VALUES_COMPUTER_NAME[] = {"ComputerName", NULL};
static const char *const VALUES_TIME_ZONE[] = {"TimeZoneKeyName", "Bias", "ActiveTimeBias",
						"StandardName", NULL};
static const char *const VALUES_SHUTDOWN[] = {"ShutdownTime", NULL};
static const char *const VALUES_DEFAULT[] = {"", NULL};
static const char *const VALUES_LSA[] = {"SCENoApplyLegacyAuditPolicy", NULL};
static const char *const VALUES_VERSION[] = {"ProductName", "EditionID", "DisplayVersion",
					      "CurrentBuild", "CurrentBuildNumber", "UBR",
					      "InstallDate", NULL};

#define CBS "Microsoft\\Windows\\CurrentVersion\\Component Based Servicing"
#define TASKCACHE "Microsoft\\Windows NT\\CurrentVersion\\Schedule\\TaskCache"
#define SERVICE(name) {HIVE_KIND_SYSTEM, 1, "Services\\" name, WALK_KEY, NULL, VALUES_SERVICE, NULL, "§2.3"}

static const struct known_key known_keys[] = {
	/* SOFTWARE: feature state (§2.1) */
	{HIVE_KIND_SOFTWARE, 0, CBS "\\Notifications\\OptionalFeatures\\Containers-DisposableClientVM",
	 WALK_KEY, NULL, VALUES_ALL, NULL, "§2.1"},
	{HIVE_KIND_SOFTWARE, 0, CBS "\\Packages", WALK_CHILDREN, CBS_PACKAGES, VALUES_ALL, "Updates", "§2.1"},
	{HIVE_KIND_SOFTWARE, 0, CBS "\\ApplicabilityEvaluationCache", WALK_CHILDREN, CBS_PACKAGES,
	 VALUES_ALL, NULL, "§2.1"},
	/* SOFTWARE: policy (§2.2), command-line auditing (§3.2), the build that picks the PolAdtEv
	 * layout (§3.1) */
	{HIVE_KIND_SOFTWARE, 0, "Policies\\Microsoft\\Windows\\Sandbox", WALK_KEY, NULL, VALUES_ALL, NULL, "§2.2"},
	{HIVE_KIND_SOFTWARE, 0, "Microsoft\\PolicyManager\\current\\device\\WindowsSandbox", WALK_KEY, NULL,
	 VALUES_ALL, NULL, "§2.2"},
	{HIVE_KIND_SOFTWARE, 0, "Microsoft\\Windows\\CurrentVersion\\Policies\\System\\Audit", WALK_KEY, NULL,
	 VALUES_CMDLINE, NULL, "§3.2"},
	{HIVE_KIND_SOFTWARE, 0, "Microsoft\\Windows NT\\CurrentVersion", WALK_KEY, NULL, VALUES_VERSION, NULL,
	 "§3.1"},
	/* SOFTWARE: scheduled tasks (§4.2) */
	{HIVE_KIND_SOFTWARE, 0, TASKCACHE "\\Tree", WALK_TREE, NULL, VALUES_TREE, NULL, "§4.2"},
	{HIVE_KIND_SOFTWARE, 0, TASKCACHE "\\Tasks", WALK_CHILDREN, NULL, VALUES_ALL, NULL, "§4.2"},
	{HIVE_KIND_SOFTWARE, 0, TASKCACHE "\\Plain", WALK_KEY, NULL, VALUES_NONE, NULL, "§4.2"},
	{HIVE_KIND_SOFTWARE, 0, TASKCACHE "\\Plain", WALK_CHILDREN, NULL, VALUES_NONE, NULL, "§4.2"},
	{HIVE_KIND_SOFTWARE, 0, TASKCACHE "\\Boot", WALK_KEY, NULL, VALUES_NONE, NULL, "§4.2"},
	{HIVE_KIND_SOFTWARE, 0, TASKCACHE "\\Boot", WALK_CHILDREN, NULL, VALUES_NONE, NULL, "§4.2"},
	{HIVE_KIND_SOFTWARE, 0, TASKCACHE "\\Logon", WALK_KEY, NULL, VALUES_NONE, NULL, "§4.2"},
	{HIVE_KIND_SOFTWARE, 0, TASKCACHE "\\Logon", WALK_CHILDREN, NULL, VALUES_NONE, NULL, "§4.2"},
	/* SYSTEM (§2.3); Select is read separately, before the control set is known */
	{HIVE_KIND_SYSTEM, 0, "Select", WALK_KEY, NULL, VALUES_ALL, NULL, "§2.3"},
	SERVICE("CmService"),
	SERVICE("vmcompute"),
	SERVICE("hvhost"),
	SERVICE("vmms"),
	SERVICE("hns"),
	SERVICE("vmsmp"),
	SERVICE("vmswitch"),
	SERVICE("hvservice"),
	SERVICE("HvSocket"),
	SERVICE("Schedule"),
	{HIVE_KIND_SYSTEM, 1, "Control\\ComputerName\\ComputerName", WALK_KEY, NULL, VALUES_COMPUTER_NAME,
	 NULL, "§2.3"},
	{HIVE_KIND_SYSTEM, 1, "Control\\TimeZoneInformation", WALK_KEY, NULL, VALUES_TIME_ZONE, NULL, "§2.3"},
	{HIVE_KIND_SYSTEM, 1, "Control\\Lsa", WALK_KEY, NULL, VALUES_LSA, NULL, "§3.1"},
	{HIVE_KIND_SYSTEM, 1, "Control\\Windows", WALK_KEY, NULL, VALUES_SHUTDOWN, NULL, "§2.5"},
	{HIVE_KIND_SYSTEM, 1, "Control\\Session Manager\\Audit", WALK_KEY, NULL, VALUES_CMDLINE, NULL, "§3.2"},
	{HIVE_KIND_SYSTEM, 1, "Services\\bam\\State\\UserSettings", WALK_CHILDREN, NULL, VALUES_ALL, NULL,
	 "§2.3"},
	{HIVE_KIND_SYSTEM, 1, "Services\\bam\\UserSettings", WALK_CHILDREN, NULL, VALUES_ALL, NULL, "§2.3"},
	/* SECURITY (§3.1) */
	{HIVE_KIND_SECURITY, 0, "Policy\\PolAdtEv", WALK_KEY, NULL, VALUES_DEFAULT, NULL, "§3.1"},
};

struct walker {
	libregf_file_t *file;
	FILE *raw;                 /* the same file, for the base block and inline value data */
	const uint8_t *image;      /* or the hive as bytes in memory (hive_parse_memory), read by
				      libregf through IMAGE_IO; RAW is then NULL */
	size_t image_size;
	libbfio_handle_t *image_io;
	uint8_t *repaired;         /* the whole file with its base block repaired, or NULL */
	uint8_t *clamped;          /* hive_parse_memory's private copy with overrunning hive bins cut,
				      or NULL */
	libbfio_handle_t *repaired_io; /* libregf reads REPAIRED through this memory range */
	struct hive_result *result;
	size_t rows_capacity, problems_capacity;
	size_t keys_visited;
	int out_of_memory;
};

static uint32_t read_le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

/* Reads SIZE bytes at OFFSET of the hive bytes libregf reads (the image in memory, or the file).
 * Returns 0, or -1 when they are not all there. */
static int raw_read(struct walker *w, uint64_t offset, void *buffer, size_t size)
{
	if (w->image) {
		if (offset > w->image_size || size > w->image_size - offset)
			return -1;
		memcpy(buffer, w->image + offset, size);
		return 0;
	}
	if (!w->raw || offset > INT64_MAX || fseeko(w->raw, (off_t)offset, SEEK_SET) != 0 ||
	    fread(buffer, 1, size, w->raw) != size)
		return -1;
	return 0;
}

/* The size of the hive bytes read, or -1 when unknown. */
static int64_t raw_size(struct walker *w)
{
	struct stat st;

	if (w->image)
		return (int64_t)w->image_size;
	if (!w->raw || fstat(fileno(w->raw), &st) != 0)
		return -1;
	return (int64_t)st.st_size;
}

/* libregf's error text on one line, then the error is freed. */
static void regf_error_take(libregf_error_t **error, char *text, size_t size)
{
	text[0] = '\0';
	if (error && *error) {
		libregf_error_sprint(*error, text, size);
		libregf_error_free(error);
	}
	for (char *p = text; *p; p++)
		if (*p == '\n' || *p == '\r')
			*p = ' ';
	if (!text[0])
		snprintf(text, size, "libregf error");
}

static void problem_add(struct walker *w, const char *location, const char *reason, int severe)
{
	struct hive_result *r = w->result;
	struct hive_problem *p;

	if (r->problem_count == w->problems_capacity) {
		size_t capacity = w->problems_capacity ? w->problems_capacity * 2 : 8;
		struct hive_problem *grown = realloc(r->problems, capacity * sizeof *grown);
		if (!grown) {
			w->out_of_memory = 1;
			return;
		}
		r->problems = grown;
		w->problems_capacity = capacity;
	}
	p = &r->problems[r->problem_count];
	p->location = strdup(location);
	p->reason = strdup(reason);
	p->severe = severe;
	if (!p->location || !p->reason) {
		free(p->location);
		free(p->reason);
		w->out_of_memory = 1;
		return;
	}
	r->problem_count++;
}

static void problem_add_regf(struct walker *w, const char *location, const char *what,
			     libregf_error_t **error)
{
	char text[512], reason[768];

	regf_error_take(error, text, sizeof text);
	snprintf(reason, sizeof reason, "%s: %s", what, text);
	problem_add(w, location, reason, 1);
}

/* Appends ROW (taking ownership of its allocations) or frees them on failure. */
static void row_add(struct walker *w, struct hive_row *row)
{
	struct hive_result *r = w->result;

	if (r->row_count == w->rows_capacity) {
		size_t capacity = w->rows_capacity ? w->rows_capacity * 2 : 64;
		struct hive_row *grown = realloc(r->rows, capacity * sizeof *grown);
		if (!grown) {
			w->out_of_memory = 1;
			goto fail;
		}
		r->rows = grown;
		w->rows_capacity = capacity;
	}
	r->rows[r->row_count++] = *row;
	return;
fail:
	free(row->key_path);
	free(row->value_name);
	free(row->data);
	free(row->text);
}


/* Decodes UTF-16LE DATA (SIZE bytes; an odd last byte is ignored) to UTF-8. MULTI: NULs separate
 * strings (joined with '\n', an empty string ends the list); else the first NUL ends the text, and
 * *HIDDEN is set to the number of bytes after that NUL when any of them is not NUL (text the
 * decoded string does not show), else 0. Unpaired surrogates become U+FFFD. Returns a malloc'd
 * string or NULL on allocation failure. */
static char *utf16le_decode(const uint8_t *data, size_t size, int multi, size_t *hidden)
{
	struct strbuf sb = STRBUF_INIT;
	size_t units = size / 2, i = 0;
	int strings = 0;

	*hidden = 0;
	strbuf_append(&sb, "", 0);
	while (i < units) {
		if (data[2 * i] == 0 && data[2 * i + 1] == 0) {
			i++; /* an empty string: the end of the text (or of the MULTI_SZ list) */
			break;
		}
		if (strings++)
			strbuf_append_char(&sb, '\n');
		i += strbuf_append_utf16le(&sb, data + 2 * i, units - i);
		if (!multi)
			break;
	}
	/* I units are consumed, the terminating NUL included (if there was one). */
	if (!multi)
		for (size_t at = 2 * i; at < size; at++)
			if (data[at] != 0) {
				*hidden = size - 2 * i;
				break;
			}
	if (strbuf_failed(&sb)) {
		strbuf_free(&sb);
		return NULL;
	}
	return strbuf_detach(&sb);
}

/* Fills ROW's text and number from its type and data (hive.h); *HIDDEN: bytes of a string value
 * after its terminating NUL, when not all NUL (utf16le_decode). Returns -1 on allocation failure. */
static int row_decode(struct hive_row *row, size_t *hidden)
{
	char number[24];

	*hidden = 0;
	switch (row->value_type) {
	case HIVE_REG_SZ:
	case HIVE_REG_EXPAND_SZ:
	case HIVE_REG_LINK:
	case HIVE_REG_MULTI_SZ:
		row->text = utf16le_decode(row->data, row->data_size,
					   row->value_type == HIVE_REG_MULTI_SZ, hidden);
		return row->text ? 0 : -1;
	case HIVE_REG_DWORD:
		if (row->data_size < 4)
			return 0;
		row->number = read_le32(row->data);
		break;
	case HIVE_REG_DWORD_BIG_ENDIAN:
		if (row->data_size < 4)
			return 0;
		row->number = (uint32_t)row->data[0] << 24 | (uint32_t)row->data[1] << 16 |
			      (uint32_t)row->data[2] << 8 | row->data[3];
		break;
	case HIVE_REG_QWORD:
		if (row->data_size < 8)
			return 0;
		row->number = read_le32(row->data) | (uint64_t)read_le32(row->data + 4) << 32;
		break;
	default:
		return 0;
	}
	row->has_number = 1;
	snprintf(number, sizeof number, "%llu", (unsigned long long)row->number);
	row->text = strdup(number);
	return row->text ? 0 : -1;
}

/*
 * Values of at most 4 bytes are stored in the value key's data-offset field (size field has bit 31
 * set). libregf 20201007 copies the last SIZE bytes of that field instead of the first SIZE, so for
 * 1-3 bytes the parser reads the value key itself: at libregf's value offset (the file offset of
 * the "vk" signature, checked), size field = 0x80000000 | SIZE and type matching libregf's.
 * Returns 0 with OUT filled, -1 when the record does not look as expected.
 */
static int value_read_inline_data(struct walker *w, libregf_value_t *value, uint32_t type,
				  size_t size, uint8_t out[4])
{
	libregf_error_t *error = NULL;
	off64_t offset = 0;
	uint8_t vk[16];

	if (libregf_value_get_offset(value, &offset, &error) != 1) {
		libregf_error_free(&error);
		return -1;
	}
	if (offset < 0 || raw_read(w, (uint64_t)offset, vk, sizeof vk) != 0)
		return -1;
	if (vk[0] != 'v' || vk[1] != 'k' || read_le32(vk + 4) != (0x80000000u | (uint32_t)size) ||
	    read_le32(vk + 12) != type)
		return -1;
	memcpy(out, vk + 8, size);
	return 0;
}

/*
 * libregf 20201007 returns a string value's data only up to its first NUL, so bytes after it, which
 * the hive keeps and a payload can hide in, would be lost. For REG_SZ, EXPAND_SZ and LINK values
 * whose value key declares more bytes than libregf returned, the parser reads the data cell itself:
 * the value key at libregf's value offset ("vk" checked), its data size at +4 (bit 31 clear: not
 * inline) and data offset at +8 (relative to the first hive bin, file offset 4096); the cell's size
 * (negative: allocated) must hold the data. Data larger than one cell (16344 bytes: big data
 * records) is not read this way. Returns 0 with *DATA (malloc'd, *SIZE bytes) set; 1 when the value
 * key declares no more than libregf returned; -1 when the record does not look as expected.
 */
#define HIVE_CELL_DATA_MAX 16344
static int value_read_cell_data(struct walker *w, libregf_value_t *value, size_t returned,
				uint8_t **data, size_t *size)
{
	libregf_error_t *error = NULL;
	off64_t offset = 0;
	uint8_t vk[16], cell[4];
	uint32_t declared, data_offset;
	int32_t cell_size;

	if (libregf_value_get_offset(value, &offset, &error) != 1) {
		libregf_error_free(&error);
		return -1;
	}
	if (offset < 0 || raw_read(w, (uint64_t)offset, vk, sizeof vk) != 0 || vk[0] != 'v' ||
	    vk[1] != 'k')
		return -1;
	declared = read_le32(vk + 4);
	if (declared & 0x80000000u || declared <= returned)
		return 1;
	if (declared > HIVE_CELL_DATA_MAX)
		return -1;
	data_offset = read_le32(vk + 8);
	if (raw_read(w, (uint64_t)HIVE_BASE_BLOCK_SIZE + data_offset, cell, sizeof cell) != 0)
		return -1;
	cell_size = (int32_t)read_le32(cell);
	if (cell_size >= 0 || (uint32_t)-(int64_t)cell_size < declared + 4)
		return -1;
	*data = malloc(declared);
	if (!*data) {
		w->out_of_memory = 1;
		return -1;
	}
	if (raw_read(w, (uint64_t)HIVE_BASE_BLOCK_SIZE + data_offset + sizeof cell, *data,
		     declared) != 0) {
		free(*data);
		*data = NULL;
		return -1;
	}
	*size = declared;
	return 0;
}

/* Name of VALUE as UTF-8 ("" for the default value); NULL with a problem recorded on failure. */
static char *value_name_get(struct walker *w, libregf_value_t *value, const char *key_path)
{
	libregf_error_t *error = NULL;
	size_t size = 0;
	char *name;

	if (libregf_value_get_utf8_name_size(value, &size, &error) != 1) {
		problem_add_regf(w, key_path, "value name unreadable", &error);
		return NULL;
	}
	if (size <= 1)
		return strdup("");
	name = malloc(size);
	if (!name) {
		w->out_of_memory = 1;
		return NULL;
	}
	if (libregf_value_get_utf8_name(value, (uint8_t *)name, size, &error) != 1) {
		problem_add_regf(w, key_path, "value name unreadable", &error);
		free(name);
		return NULL;
	}
	name[size - 1] = '\0';
	return name;
}

static int name_wanted(const char *const *names, const char *name)
{
	if (names == VALUES_ALL)
		return 1;
	for (; *names; names++)
		if (strcasecmp(*names, name) == 0)
			return 1;
	return 0;
}

/* Reads one value into a row. Returns 1 if a row was added, 0 if not (problem recorded). */
static int value_read(struct walker *w, libregf_value_t *value, char *name, const char *key_path,
		      uint64_t last_written, const char *source)
{
	struct hive_row row = {0};
	libregf_error_t *error = NULL;
	char location[1024];
	size_t hidden = 0;

	snprintf(location, sizeof location, "%s\\%s", key_path, name[0] ? name : "(default)");
	row.value_name = name;
	row.source = source;
	row.key_last_written = last_written;
	if (libregf_value_is_corrupted(value, &error) == 1)
		problem_add(w, location, "libregf marks the value corrupted", 1);
	libregf_error_free(&error);
	if (libregf_value_get_value_type(value, &row.value_type, &error) != 1) {
		problem_add_regf(w, location, "value type unreadable", &error);
		goto fail;
	}
	if (libregf_value_get_value_data_size(value, &row.data_size, &error) != 1) {
		problem_add_regf(w, location, "value data size unreadable", &error);
		goto fail;
	}
	if (row.data_size > HIVE_VALUE_DATA_MAX) {
		char reason[128];
		snprintf(reason, sizeof reason, "value data of %zu bytes not read (limit %u)", row.data_size,
			 HIVE_VALUE_DATA_MAX);
		problem_add(w, location, reason, 1);
		row.data_size = 0;
	}
	if (row.data_size > 0) {
		row.data = malloc(row.data_size);
		if (!row.data) {
			w->out_of_memory = 1;
			goto fail;
		}
		if (libregf_value_get_value_data(value, row.data, row.data_size, &error) != 1) {
			problem_add_regf(w, location, "value data unreadable", &error);
			free(row.data);
			row.data = NULL;
			row.data_size = 0;
		} else if (row.data_size < 4) {
			uint8_t inline_data[4];
			if (value_read_inline_data(w, value, row.value_type, row.data_size, inline_data) == 0)
				memcpy(row.data, inline_data, row.data_size);
			else
				problem_add(w, location, "inline value of 1-3 bytes: value key not verifiable, "
					    "bytes as libregf 20201007 returns them (may be wrong)", 1);
		}
	}
	if (row.value_type == HIVE_REG_SZ || row.value_type == HIVE_REG_EXPAND_SZ ||
	    row.value_type == HIVE_REG_LINK) {
		uint8_t *full = NULL;
		size_t full_size = 0;
		int got = value_read_cell_data(w, value, row.data_size, &full, &full_size);

		if (got == 0) {
			free(row.data);
			row.data = full;
			row.data_size = full_size;
		} else if (got < 0 && !w->out_of_memory) {
			problem_add(w, location, "string value: its value key or data cell could not be "
				    "checked for bytes after the first NUL (libregf 20201007 returns the "
				    "data only up to it)", 1);
		}
	}
	row.key_path = strdup(key_path);
	if (!row.key_path || row_decode(&row, &hidden) != 0) {
		w->out_of_memory = 1;
		goto fail;
	}
	if (hidden) {
		/* Windows reads such a string up to its NUL, and so does the decoded text; what follows
		 * can hide a payload from a viewer, so it is said (the bytes are in raw data). */
		char reason[160];
		snprintf(reason, sizeof reason, "string value has %zu bytes after its terminating NUL, "
			 "not shown in the decoded text; raw bytes kept in raw_hex", hidden);
		problem_add(w, location, reason, 0);
	}
	row_add(w, &row);
	return 1;
fail:
	free(row.key_path);
	free(row.data);
	free(row.text);
	free(name);
	return 0;
}

/* Adds the rows of KEY (at KEY_PATH) that NAMES selects; a key row when none was added. */
static void key_read(struct walker *w, libregf_key_t *key, const char *key_path,
		     const char *const *names, const char *source)
{
	libregf_error_t *error = NULL;
	uint64_t last_written = 0;
	int count = 0, added = 0;

	if (libregf_key_get_last_written_time(key, &last_written, &error) != 1)
		problem_add_regf(w, key_path, "key last written time unreadable", &error);
	if (libregf_key_get_number_of_values(key, &count, &error) != 1) {
		problem_add_regf(w, key_path, "key values unreadable", &error);
		count = 0;
	}
	/* libregf 20201007 flags every key without values as corrupted (values list HCELL_NIL, as
	 * Windows writes it; seen on real SYSTEM hives too), so only keys with values are asked. */
	if (count > 0 && libregf_key_is_corrupted(key, &error) == 1)
		problem_add(w, key_path, "libregf marks the key corrupted", 1);
	libregf_error_free(&error);
	if (names == VALUES_NONE)
		count = 0;
	for (int i = 0; i < count && !w->out_of_memory; i++) {
		libregf_value_t *value = NULL;
		char location[1024], *name;

		if (libregf_key_get_value(key, i, &value, &error) != 1) {
			snprintf(location, sizeof location, "%s\\#%d", key_path, i);
			problem_add_regf(w, location, "value unreadable", &error);
			continue;
		}
		name = value_name_get(w, value, key_path);
		if (name && name_wanted(names, name))
			added += value_read(w, value, name, key_path, last_written, source);
		else
			free(name);
		libregf_value_free(&value, NULL);
	}
	if (!added && !w->out_of_memory) {
		struct hive_row row = {0};
		row.key_path = strdup(key_path);
		row.key_last_written = last_written;
		row.source = source;
		if (!row.key_path)
			w->out_of_memory = 1;
		else
			row_add(w, &row);
	}
}

/* Name of KEY as UTF-8, malloc'd; NULL with a problem recorded on failure. */
static char *key_name_get(struct walker *w, libregf_key_t *key, const char *parent_path)
{
	libregf_error_t *error = NULL;
	size_t size = 0;
	char *name;

	if (libregf_key_get_utf8_name_size(key, &size, &error) != 1 || size == 0) {
		problem_add_regf(w, parent_path, "subkey name unreadable", &error);
		return NULL;
	}
	name = malloc(size);
	if (!name) {
		w->out_of_memory = 1;
		return NULL;
	}
	if (libregf_key_get_utf8_name(key, (uint8_t *)name, size, &error) != 1) {
		problem_add_regf(w, parent_path, "subkey name unreadable", &error);
		free(name);
		return NULL;
	}
	name[size - 1] = '\0';
	return name;
}

/* Opens the subkey REL ('\'-separated) of BASE, segment by segment so that PATH receives the names
 * as stored. Returns 1 (found: *OUT set, PATH extended), 0 (absent), -1 (unreadable, problem). */
/* The subkey of KEY named NAME (LENGTH bytes, ASCII case-insensitive) found by reading the
 * subkeys one by one, skipping those that cannot be read: for a damaged hive whose lookup by name
 * fails as a whole when one entry of the subkey list points into a broken hive bin. Returns 1 with
 * *OUT, 0 if none. */
static int sub_key_scan(libregf_key_t *key, const char *name, size_t length, libregf_key_t **out)
{
	int count = 0;

	if (libregf_key_get_number_of_sub_keys(key, &count, NULL) != 1)
		return 0;
	for (int i = 0; i < count; i++) {
		libregf_key_t *sub = NULL;
		uint8_t text[256];

		if (libregf_key_get_sub_key(key, i, &sub, NULL) != 1)
			continue;
		if (libregf_key_get_utf8_name(sub, text, sizeof text, NULL) == 1 &&
		    strlen((const char *)text) == length &&
		    strncasecmp((const char *)text, name, length) == 0) {
			*out = sub;
			return 1;
		}
		libregf_key_free(&sub, NULL);
	}
	return 0;
}

static int key_open(struct walker *w, libregf_key_t *base, const char *rel, libregf_key_t **out,
		    struct strbuf *path)
{
	libregf_key_t *key = base, *sub = NULL;
	const char *segment = rel;
	int found = 1;

	while (found == 1 && *segment) {
		libregf_error_t *error = NULL;
		const char *end = strchr(segment, '\\');
		size_t length = end ? (size_t)(end - segment) : strlen(segment);
		char *name;

		found = libregf_key_get_sub_key_by_utf8_name(key, (const uint8_t *)segment, length, &sub,
							     &error);
		if (found == -1) {
			char location[1024];
			snprintf(location, sizeof location, "%s%s%.*s", strbuf_text(path),
				 path->length ? "\\" : "", (int)length, segment);
			if (sub_key_scan(key, segment, length, &sub)) {
				libregf_error_free(&error);
				problem_add(w, location, "found by reading every subkey of its parent: "
					    "the lookup by name failed (a damaged subkey list)", 0);
				found = 1;
			} else {
				problem_add_regf(w, location, "key unreadable", &error);
			}
		}
		if (found == 1) {
			name = key_name_get(w, sub, strbuf_text(path));
			if (path->length)
				strbuf_append_char(path, '\\');
			if (name)
				strbuf_append_str(path, name);
			else
				strbuf_append(path, segment, length);
			free(name);
		}
		if (key != base)
			libregf_key_free(&key, NULL);
		key = sub;
		sub = NULL;
		segment = end ? end + 1 : segment + length;
	}
	if (found == 1)
		*out = key;
	else if (key != base)
		libregf_key_free(&key, NULL);
	return found;
}

static int key_budget_spent(struct walker *w, const char *path)
{
	if (++w->keys_visited <= HIVE_KEYS_MAX)
		return 0;
	if (w->keys_visited == HIVE_KEYS_MAX + 1)
		problem_add(w, path, "key limit reached, the rest of the hive was not read", 1);
	return 1;
}

static int prefix_matches(const char *const *prefixes, const char *name)
{
	if (!prefixes)
		return 1;
	for (; *prefixes; prefixes++)
		if (strncasecmp(name, *prefixes, strlen(*prefixes)) == 0)
			return 1;
	return 0;
}

/* Calls VISIT for each direct subkey of KEY whose name matches PREFIXES. */
static void key_for_each_child(struct walker *w, libregf_key_t *key, const char *key_path,
			       const char *const *prefixes,
			       void (*visit)(struct walker *, libregf_key_t *, const char *,
					     const struct known_key *, int),
			       const struct known_key *rule, int depth)
{
	libregf_error_t *error = NULL;
	int count = 0;

	if (libregf_key_get_number_of_sub_keys(key, &count, &error) != 1) {
		problem_add_regf(w, key_path, "subkeys unreadable", &error);
		return;
	}
	for (int i = 0; i < count && !w->out_of_memory; i++) {
		libregf_key_t *child = NULL;
		struct strbuf path = STRBUF_INIT;
		char *name;

		if (libregf_key_get_sub_key(key, i, &child, &error) != 1) {
			char location[1024];
			snprintf(location, sizeof location, "%s\\#%d", key_path, i);
			problem_add_regf(w, location, "subkey unreadable", &error);
			continue;
		}
		name = key_name_get(w, child, key_path);
		if (name && prefix_matches(prefixes, name)) {
			strbuf_printf(&path, "%s\\%s", key_path, name);
			if (strbuf_failed(&path))
				w->out_of_memory = 1;
			else if (!key_budget_spent(w, strbuf_text(&path)))
				visit(w, child, strbuf_text(&path), rule, depth);
		}
		free(name);
		strbuf_free(&path);
		libregf_key_free(&child, NULL);
	}
}

static void visit_tree(struct walker *w, libregf_key_t *key, const char *path,
		       const struct known_key *rule, int depth)
{
	key_read(w, key, path, rule->values, rule->source);
	if (depth >= HIVE_TREE_DEPTH_MAX) {
		problem_add(w, path, "nesting deeper than the limit, subkeys not read", 1);
		return;
	}
	key_for_each_child(w, key, path, NULL, visit_tree, rule, depth + 1);
}

static void visit_all_values(struct walker *w, libregf_key_t *key, const char *path,
			     const struct known_key *rule, int depth)
{
	(void)depth;
	key_read(w, key, path, VALUES_ALL, rule->source);
}

/* A matched key, plus its SUBKEY (all values) and that subkey's children (§2.1: per-feature state
 * may be a value of Updates or a subkey of it). */
static void visit_matched(struct walker *w, libregf_key_t *key, const char *path,
			  const struct known_key *rule, int depth)
{
	libregf_key_t *sub = NULL;
	struct strbuf sub_path = STRBUF_INIT;

	(void)depth;
	key_read(w, key, path, rule->values, rule->source);
	if (!rule->subkey)
		return;
	strbuf_append_str(&sub_path, path);
	if (key_open(w, key, rule->subkey, &sub, &sub_path) == 1) {
		if (strbuf_failed(&sub_path)) {
			w->out_of_memory = 1;
		} else {
			key_read(w, sub, strbuf_text(&sub_path), VALUES_ALL, rule->source);
			key_for_each_child(w, sub, strbuf_text(&sub_path), NULL, visit_all_values, rule, 0);
		}
		libregf_key_free(&sub, NULL);
	}
	strbuf_free(&sub_path);
}

static void rule_apply(struct walker *w, const struct known_key *rule, libregf_key_t *base,
		       const char *base_path)
{
	struct strbuf path = STRBUF_INIT;
	libregf_key_t *key = NULL;

	strbuf_append_str(&path, base_path);
	if (key_open(w, base, rule->path, &key, &path) != 1)
		goto out;
	if (strbuf_failed(&path)) {
		w->out_of_memory = 1;
		goto out;
	}
	switch (rule->walk) {
	case WALK_KEY:
		visit_matched(w, key, strbuf_text(&path), rule, 0);
		break;
	case WALK_CHILDREN:
		key_for_each_child(w, key, strbuf_text(&path), rule->prefixes, visit_matched, rule, 0);
		break;
	case WALK_TREE:
		visit_tree(w, key, strbuf_text(&path), rule, 0);
		break;
	}
out:
	if (key)
		libregf_key_free(&key, NULL);
	strbuf_free(&path);
}

static int key_exists(struct walker *w, libregf_key_t *root, const char *rel)
{
	struct strbuf path = STRBUF_INIT;
	libregf_key_t *key = NULL;
	int found = key_open(w, root, rel, &key, &path);

	if (found == 1)
		libregf_key_free(&key, NULL);
	strbuf_free(&path);
	return found == 1;
}

/* A ControlSetNNN key with a Control subkey (a SYSTEM hive without Select still has one). */
static int hive_has_control_set(struct walker *w, libregf_key_t *root)
{
	char name[32];

	for (int n = 1; n <= 3; n++) {
		snprintf(name, sizeof name, "ControlSet%03d\\Control", n);
		if (key_exists(w, root, name))
			return 1;
	}
	return 0;
}

/* The kind from the content (hive.h); never from the file name. */
static enum hive_kind hive_detect_kind(struct walker *w, libregf_key_t *root)
{
	if (key_exists(w, root, "Select") || hive_has_control_set(w, root))
		return HIVE_KIND_SYSTEM;
	if (key_exists(w, root, "Microsoft\\Windows NT\\CurrentVersion"))
		return HIVE_KIND_SOFTWARE;
	if (key_exists(w, root, "Policy") &&
	    (key_exists(w, root, "Policy\\PolAdtEv") || key_exists(w, root, "Cache") ||
	     key_exists(w, root, "RXACT")))
		return HIVE_KIND_SECURITY;
	return HIVE_KIND_OTHER;
}

/* Picks the control set (§2.3): Select\Current when it names an existing ControlSetNNN, else
 * ControlSet001 with a note. Returns the open key (caller frees) or NULL. */
static libregf_key_t *control_set_open(struct walker *w, libregf_key_t *root)
{
	struct strbuf path = STRBUF_INIT;
	libregf_key_t *select = NULL, *set = NULL;
	libregf_value_t *value = NULL;
	libregf_error_t *error = NULL;
	uint32_t current = 0;
	char name[32];
	int have_current = 0;

	if (key_open(w, root, "Select", &select, &path) == 1) {
		if (libregf_key_get_value_by_utf8_name(select, (const uint8_t *)"Current", 7, &value,
						       &error) == 1 &&
		    libregf_value_get_value_32bit(value, &current, &error) == 1)
			have_current = 1;
		libregf_error_free(&error);
		libregf_value_free(&value, NULL);
		libregf_key_free(&select, NULL);
		if (!have_current)
			problem_add(w, "Select", "Select has no readable Current value: ControlSet001 used", 0);
	} else {
		problem_add(w, "Select", "Select missing: ControlSet001 used", 0);
	}
	strbuf_reset(&path);
	if (have_current && current >= 1 && current <= 999) {
		snprintf(name, sizeof name, "ControlSet%03u", current);
		if (key_open(w, root, name, &set, &path) == 1) {
			w->result->control_set = (int)current;
			w->result->control_set_from_select = 1;
			goto out;
		}
	}
	if (have_current) {
		char reason[96];
		snprintf(reason, sizeof reason, "Select\\Current = %u names no control set: ControlSet001 used",
			 current);
		problem_add(w, "Select\\Current", reason, 1);
	}
	strbuf_reset(&path);
	if (key_open(w, root, "ControlSet001", &set, &path) == 1)
		w->result->control_set = 1;
	else
		problem_add(w, "ControlSet001", "no usable control set: services and Control not read", 1);
out:
	strbuf_free(&path);
	return set;
}

/*
 * The base block (first 4 KiB): "regf", primary/secondary sequence numbers at 4/8, hive bins data
 * size at 0x28, XOR-32 checksum of the first 0x1FC bytes at 0x1FC. libregf reads none of this out.
 */
static uint32_t base_block_checksum(const uint8_t *block)
{
	uint32_t checksum = 0;

	for (size_t i = 0; i < HIVE_CHECKSUM_OFFSET; i += 4)
		checksum ^= read_le32(block + i);
	return checksum;
}

/* Describes what is wrong with the signature and checksum of BLOCK in OUT ("" if nothing);
 * returns nonzero when something is. */
static int base_block_damage(const uint8_t *block, char *out, size_t out_size)
{
	uint32_t stored = read_le32(block + HIVE_CHECKSUM_OFFSET), computed = base_block_checksum(block);
	int n = 0;

	out[0] = '\0';
	if (memcmp(block, "regf", 4) != 0)
		n = snprintf(out, out_size, "signature is not regf (%02x %02x %02x %02x)", block[0],
			     block[1], block[2], block[3]);
	if (n >= 0 && (size_t)n < out_size && stored != computed)
		snprintf(out + n, out_size - (size_t)n, "%sbad checksum: stored 0x%08x, computed 0x%08x",
			 n ? "; " : "", stored, computed);
	return out[0] != '\0';
}

static void base_block_check(struct walker *w)
{
	uint8_t block[HIVE_BASE_BLOCK_SIZE];
	uint32_t bins_size;
	int64_t size = raw_size(w);
	char reason[256];

	if (raw_read(w, 0, block, sizeof block) != 0) {
		problem_add(w, "base block", "shorter than 4096 bytes", 1);
		return;
	}
	/* A repaired hive has its damage in the repair's own problem (hive_open_repaired). */
	if (!w->repaired && base_block_damage(block, reason, sizeof reason))
		problem_add(w, "base block", reason, 1);
	w->result->sequence_primary = read_le32(block + 4);
	w->result->sequence_secondary = read_le32(block + 8);
	if (w->result->sequence_primary != w->result->sequence_secondary) {
		w->result->dirty = 1;
		snprintf(reason, sizeof reason,
			 HIVE_DIRTY_REASON " (sequence numbers %u/%u differ)",
			 w->result->sequence_primary, w->result->sequence_secondary);
		problem_add(w, "base block", reason, 0);
	}
	bins_size = read_le32(block + 0x28);
	if (size >= 0 && (uint64_t)bins_size + HIVE_BASE_BLOCK_SIZE > (uint64_t)size) {
		snprintf(reason, sizeof reason, "truncated: hive bins declare %u bytes, file has %lld after "
			 "the base block", bins_size, (long long)size - HIVE_BASE_BLOCK_SIZE);
		problem_add(w, "file", reason, 1);
	}
}

/*
 * Opens PATH through a copy in memory whose base block has the "regf" signature and the checksum
 * libregf checks (the plain XOR-32 of the first 0x1FC bytes), for a hive libregf refused. Only a
 * damaged signature or checksum is repaired: the hive bins are what they are. Returns 0 with
 * w->file open and the repair recorded as a problem; -1 with the reason in WHY.
 */
static void put_le32(uint8_t *p, uint32_t value)
{
	for (int i = 0; i < 4; i++)
		p[i] = (uint8_t)(value >> (8 * i));
}

/* libbfio 20170123's memory range copies past its end when a read runs over it (found by
 * fuzz_hive: a hive bin that claims more bytes than the file has). Before a copy in memory is
 * handed to libregf, the base block's hive-bins size and every hive bin that claims to reach past
 * the end of the copy are cut to what is there; the caller recomputes the checksum. Returns 1 if
 * something is (APPLY = 0: would be) cut. */
static int clamp_hive_bins(uint8_t *image, size_t size, int apply)
{
	enum { BASE = 4096, HBIN_SIZE_OFFSET = 8, BINS_SIZE_OFFSET = 40 };
	size_t offset = BASE;
	int cut = 0;

	if (size < BASE)
		return 0;
	if (read_le32(image + BINS_SIZE_OFFSET) > size - BASE) {
		cut = 1;
		if (apply)
			put_le32(image + BINS_SIZE_OFFSET, (uint32_t)(size - BASE));
	}
	while (offset + 32 <= size && memcmp(image + offset, "hbin", 4) == 0) {
		uint32_t bin = read_le32(image + offset + HBIN_SIZE_OFFSET);
		if (bin == 0)
			break;
		if (bin > size - offset) {
			cut = 1;
			if (apply)
				put_le32(image + offset + HBIN_SIZE_OFFSET, (uint32_t)(size - offset));
			break;
		}
		offset += bin;
	}
	return cut;
}


/* The whole file at PATH in *DATA (malloc'd), *SIZE bytes, for a repair in memory; at most
 * HIVE_REPAIR_SIZE_MAX. Returns 0, or -1 with the reason in WHY. */
static int read_whole_file(const char *path, uint8_t **data, size_t *size, char *why,
			   size_t why_size)
{
	FILE *file = fopen(path, "rb");
	struct stat st;
	int rc = -1;

	*data = NULL;
	if (!file || fstat(fileno(file), &st) != 0) {
		snprintf(why, why_size, "cannot be read again to repair it");
		goto out;
	}
	if ((uint64_t)st.st_size > HIVE_REPAIR_SIZE_MAX) {
		snprintf(why, why_size, "%lld bytes: larger than the %llu MiB a repaired copy in memory "
			 "may take, not read through one", (long long)st.st_size,
			 HIVE_REPAIR_SIZE_MAX >> 20);
		goto out;
	}
	if (!(*data = malloc(st.st_size ? (size_t)st.st_size : 1))) {
		snprintf(why, why_size, "out of memory for a repaired copy of %lld bytes",
			 (long long)st.st_size);
		goto out;
	}
	if (fread(*data, 1, (size_t)st.st_size, file) != (size_t)st.st_size) {
		snprintf(why, why_size, "cannot be read again to repair it");
		goto out;
	}
	*size = (size_t)st.st_size;
	rc = 0;
out:
	if (rc != 0) {
		free(*data);
		*data = NULL;
	}
	if (file)
		fclose(file);
	return rc;
}

/* Opens w->file through COPY (SIZE bytes of the hive, malloc'd; W takes it) with the base block's
 * "regf" signature and checksum libregf checks (the plain XOR-32 of the first 0x1FC bytes)
 * rewritten, for a hive libregf refused. Only a damaged signature or checksum is repaired: the
 * hive bins are what they are. Used alike for a file and for a member of a collection container
 * (METHOD.md §8.6). Returns 0 with w->file open and the repair recorded as a problem; -1 with the
 * reason in WHY. */
static int hive_open_repaired(struct walker *w, uint8_t *copy, size_t size, char *why,
			      size_t why_size)
{
	libregf_error_t *error = NULL;
	libbfio_error_t *io_error = NULL;
	char damage[256], text[512];

	w->repaired = copy;
	if (size < HIVE_BASE_BLOCK_SIZE) {
		snprintf(why, why_size, "shorter than a base block (4096 bytes)");
		return -1;
	}
	if (!base_block_damage(w->repaired, damage, sizeof damage)) {
		snprintf(why, why_size, "base block signature and checksum are intact: nothing to "
			 "repair");
		return -1;
	}
	memcpy(w->repaired, "regf", 4);
	clamp_hive_bins(w->repaired, size, 1);
	put_le32(w->repaired + HIVE_CHECKSUM_OFFSET, base_block_checksum(w->repaired));
	if (libbfio_memory_range_initialize(&w->repaired_io, &io_error) != 1 ||
	    libbfio_memory_range_set(w->repaired_io, w->repaired, size, &io_error) != 1) {
		libbfio_error_free(&io_error);
		snprintf(why, why_size, "libbfio: cannot set up a memory range for the repaired copy");
		return -1;
	}
	if (libregf_file_open_file_io_handle(w->file, w->repaired_io, LIBREGF_OPEN_READ, &error) != 1) {
		regf_error_take(&error, text, sizeof text);
		snprintf(why, why_size, "base block damaged (%.200s), and not readable with it "
			 "repaired either: %.400s", damage, text);
		return -1;
	}
	snprintf(text, sizeof text, "base block damaged (%s): read through a repaired copy in "
		 "memory; the %s itself is unchanged", damage, w->image ? "member" : "file");
	problem_add(w, "base block", text, 1);
	return 0;
}

static const char *hive_kind_name(enum hive_kind kind)
{
	switch (kind) {
	case HIVE_KIND_SOFTWARE:
		return "SOFTWARE";
	case HIVE_KIND_SYSTEM:
		return "SYSTEM";
	case HIVE_KIND_SECURITY:
		return "SECURITY";
	default:
		return "other";
	}
}

/* Reads the known keys of the hive open in W->file into W->result. Returns 0, or -1 with ERR. */
static int hive_read(struct walker *w, char *err, size_t err_size)
{
	libregf_error_t *error = NULL;
	libregf_key_t *root = NULL, *control_set = NULL;
	char control_set_path[32], text[512];
	int rc = -1;

	base_block_check(w);
	if (libregf_file_is_corrupted(w->file, &error) == 1) {
		w->result->corrupted = 1;
		problem_add(w, "file", "libregf reports the hive as corrupted", 1);
	}
	libregf_error_free(&error);
	if (libregf_file_get_root_key(w->file, &root, &error) != 1) {
		regf_error_take(&error, text, sizeof text);
		if (err_size)
			snprintf(err, err_size, "root key unreadable: %s", text);
		goto out;
	}
	w->result->root_name = key_name_get(w, root, "");
	w->result->kind = hive_detect_kind(w, root);
	w->result->kind_name = hive_kind_name(w->result->kind);
	if (w->result->kind == HIVE_KIND_SYSTEM) {
		control_set = control_set_open(w, root);
		snprintf(control_set_path, sizeof control_set_path, "ControlSet%03d", w->result->control_set);
	}
	for (size_t i = 0; i < sizeof known_keys / sizeof known_keys[0] && !w->out_of_memory; i++) {
		const struct known_key *rule = &known_keys[i];
		if (rule->kind != w->result->kind)
			continue;
		if (!rule->in_control_set)
			rule_apply(w, rule, root, "");
		else if (control_set)
			rule_apply(w, rule, control_set, control_set_path);
	}
	if (w->out_of_memory) {
		if (err_size)
			snprintf(err, err_size, "out of memory");
		goto out;
	}
	rc = 0;
out:
	if (control_set)
		libregf_key_free(&control_set, NULL);
	if (root)
		libregf_key_free(&root, NULL);
	return rc;
}

/* Starts a walker: W->result allocated, W->file initialised. Returns 0, or -1 with ERR. */
static int walker_start(struct walker *w, char *err, size_t err_size)
{
	libregf_error_t *error = NULL;
	char text[512];

	if (err_size)
		err[0] = '\0';
	w->result = calloc(1, sizeof *w->result);
	if (!w->result) {
		if (err_size)
			snprintf(err, err_size, "out of memory");
		return -1;
	}
	w->result->kind_name = hive_kind_name(HIVE_KIND_OTHER);
	if (libregf_file_initialize(&w->file, &error) != 1) {
		regf_error_take(&error, text, sizeof text);
		if (err_size)
			snprintf(err, err_size, "libregf: %s", text);
		return -1;
	}
	return 0;
}

/* Ends a walker: hands W->result to *OUT when RC is 0, frees everything else. */
static int walker_finish(struct walker *w, int rc, struct hive_result **out)
{
	if (w->file) {
		libregf_file_close(w->file, NULL);
		libregf_file_free(&w->file, NULL);
	}
	if (w->raw)
		fclose(w->raw);
	if (w->repaired_io)
		libbfio_handle_free(&w->repaired_io, NULL);
	if (w->image_io)
		libbfio_handle_free(&w->image_io, NULL);
	free(w->repaired);
	free(w->clamped);
	if (rc == 0)
		*out = w->result;
	else
		hive_result_free(w->result);
	return rc;
}

/* A copy of the hive DATA in which every 4096-byte page of the hive bins area that does
 * not belong to a valid hive bin ("hbin", its own offset, a size in 4096-byte steps within the
 * file) is replaced by an empty hive bin of one page holding one free cell. libregf reads the hive
 * bins one after another and gives up on the whole file at the first broken one (the corpus'
 * regipy_corrupted_system_hive: its root key's subkeys lie past a zeroed run of pages); with the
 * broken pages emptied it reads every cell that survives, and a key whose cells lay in them is
 * lost on its own (METHOD.md §2.5). DATA is the file's SIZE bytes (a loose file or a member of a
 * collection container). Returns the number of pages replaced (0: nothing broken, *IMAGE NULL;
 * else *IMAGE is the copy, SIZE bytes, malloc'd), or -1 when it cannot be held in memory. */
static long hive_bins_rebuild(const uint8_t *data, size_t size, uint8_t **image, size_t *first)
{
	enum { BASE = HIVE_BASE_BLOCK_SIZE, PAGE = 4096, CELL = 32 };
	uint8_t *copy = NULL;
	uint64_t end;
	long replaced = 0;

	*image = NULL;
	if (size < BASE + PAGE || size > HIVE_REPAIR_SIZE_MAX || !(copy = malloc(size)))
		return -1;
	memcpy(copy, data, size);
	end = BASE + (uint64_t)read_le32(copy + 0x28);
	if (end > (uint64_t)size)
		end = (uint64_t)size;
	end -= (end - BASE) % PAGE;
	for (uint64_t offset = BASE; offset < end;) {
		uint8_t *bin = copy + offset;
		uint32_t bin_size = read_le32(bin + 8);

		if (memcmp(bin, "hbin", 4) == 0 && read_le32(bin + 4) == offset - BASE && bin_size &&
		    bin_size % PAGE == 0 && bin_size <= end - offset) {
			offset += bin_size;
			continue;
		}
		if (!replaced)
			*first = (size_t)offset;
		memset(bin, 0, PAGE);
		memcpy(bin, "hbin", 4);
		put_le32(bin + 4, (uint32_t)(offset - BASE));
		put_le32(bin + 8, PAGE);
		put_le32(bin + CELL, PAGE - CELL); /* positive size: a free cell */
		replaced++;
		offset += PAGE;
	}
	put_le32(copy + 0x28, (uint32_t)(end - BASE));
	put_le32(copy + HIVE_CHECKSUM_OFFSET, base_block_checksum(copy));
	if (replaced)
		*image = copy;
	else
		free(copy);
	return replaced;
}

static int parse_image(const uint8_t *data, size_t size, int rebuild, struct hive_result **out,
		       char *err, size_t err_size);

/* The last resort for a hive libregf cannot read: its broken hive bins emptied in a copy
 * (hive_bins_rebuild), read from memory, the repair recorded as a problem. Returns 0 with *OUT,
 * or -1 leaving ERR as the caller wrote it when no hive bin is broken or the copy is unreadable. */
static int hive_parse_rebuilt(const uint8_t *data, size_t size, struct hive_result **out,
			      char *err, size_t err_size)
{
	uint8_t *image = NULL;
	size_t first = 0;
	long replaced = hive_bins_rebuild(data, size, &image, &first);
	char text[512], reason[768];
	struct walker w = {0};

	if (replaced <= 0)
		return -1;
	if (parse_image(image, size, 0, out, text, sizeof text) != 0) {
		free(image);
		snprintf(reason, sizeof reason, "%s; with %ld broken hive bin pages emptied, still not "
			 "readable: %s", err_size ? err : "", replaced, text);
		if (err_size)
			snprintf(err, err_size, "%s", reason);
		return -1;
	}
	free(image);
	snprintf(reason, sizeof reason, "hive bins damaged: %ld pages of 4096 bytes, the first at "
		 "file offset %zu, are not valid hive bins; read through a copy in memory with them "
		 "emptied (libregf reads no hive past a broken bin): keys and values whose cells lay "
		 "there are lost, the rest is read. The file itself is unchanged", replaced, first);
	w.result = *out;
	w.problems_capacity = (*out)->problem_count;
	problem_add(&w, "hive bins", reason, 1);
	return w.out_of_memory ? -1 : 0;
}

int hive_parse_file(const char *path, struct hive_result **out, char *err, size_t err_size)
{
	struct walker w = {0};
	libregf_error_t *error = NULL;
	uint8_t *whole = NULL;
	size_t size = 0;
	char text[512];
	int rc = -1;

	*out = NULL;
	if (walker_start(&w, err, err_size) != 0)
		goto out;
	if (libregf_file_open(w.file, path, LIBREGF_OPEN_READ, &error) != 1) {
		char why[768];
		uint8_t *copy = NULL;

		regf_error_take(&error, text, sizeof text);
		if (read_whole_file(path, &copy, &size, why, sizeof why) != 0 ||
		    hive_open_repaired(&w, copy, size, why, sizeof why) != 0) {
			if (err_size)
				snprintf(err, err_size, "not readable as a registry hive: %s (%s)", text,
					 why);
			goto out;
		}
	}
	w.raw = fopen(path, "rb");
	rc = hive_read(&w, err, err_size);
out:
	rc = walker_finish(&w, rc, out);
	if (rc != 0 && !*out) {
		char why[256];

		if (read_whole_file(path, &whole, &size, why, sizeof why) == 0)
			rc = hive_parse_rebuilt(whole, size, out, err, err_size);
		free(whole);
	}
	return rc;
}

/* hive_parse_memory; REBUILD: also try hive_parse_rebuilt when the image cannot be read (0 for
 * the rebuilt copy itself, which has no broken bin left). */
static int parse_image(const uint8_t *data, size_t size, int rebuild, struct hive_result **out,
		       char *err, size_t err_size)
{
	struct walker w = {0};
	libregf_error_t *error = NULL;
	libbfio_error_t *io_error = NULL;
	const uint8_t *original = data;
	char text[512];
	int rc = -1;

	*out = NULL;
	if (walker_start(&w, err, err_size) != 0)
		goto out;
	w.image = data;
	w.image_size = size;
	if (clamp_hive_bins((uint8_t *)data, size, 0)) {
		/* Hive bins that claim more bytes than the image holds (a replayed log can say so):
		 * read from a private copy with them cut, never past the image (see clamp_hive_bins). */
		if (!(w.clamped = malloc(size))) {
			if (err_size)
				snprintf(err, err_size, "out of memory for a copy of the hive");
			goto out;
		}
		memcpy(w.clamped, data, size);
		clamp_hive_bins(w.clamped, size, 1);
		uint32_t checksum = base_block_checksum(w.clamped);
		put_le32(w.clamped + HIVE_CHECKSUM_OFFSET, checksum);
		data = w.clamped;
		w.image = data;
		problem_add(&w, "hive bins", "a hive bin claims more bytes than the hive holds: read "
			    "with it cut to what is there", 1);
	}
	/* libbfio takes a non-const pointer but only reads through a range opened for reading. */
	if (libbfio_memory_range_initialize(&w.image_io, &io_error) != 1 ||
	    libbfio_memory_range_set(w.image_io, (uint8_t *)data, size, &io_error) != 1) {
		libbfio_error_free(&io_error);
		if (err_size)
			snprintf(err, err_size, "libbfio: cannot set up a memory range for the hive");
		goto out;
	}
	if (libregf_file_open_file_io_handle(w.file, w.image_io, LIBREGF_OPEN_READ, &error) != 1) {
		/* A damaged base block is repaired in a copy as for a file on disk (§2.5, §8.6). */
		char why[768];
		uint8_t *copy = size >= HIVE_BASE_BLOCK_SIZE && size <= HIVE_REPAIR_SIZE_MAX
					? malloc(size) : NULL;

		regf_error_take(&error, text, sizeof text);
		if (copy)
			memcpy(copy, original, size);
		if (!copy || hive_open_repaired(&w, copy, size, why, sizeof why) != 0) {
			if (err_size)
				snprintf(err, err_size, "not readable as a registry hive: %s%s%s%s", text,
					 copy ? " (" : "", copy ? why : "", copy ? ")" : "");
			goto out;
		}
	}
	rc = hive_read(&w, err, err_size);
out:
	rc = walker_finish(&w, rc, out);
	if (rc != 0 && !*out && rebuild)
		rc = hive_parse_rebuilt(original, size, out, err, err_size);
	return rc;
}

int hive_parse_memory(const uint8_t *data, size_t size, struct hive_result **out, char *err,
		      size_t err_size)
{
	return parse_image(data, size, 1, out, err, err_size);
}

void hive_result_free(struct hive_result *result)
{
	if (!result)
		return;
	for (size_t i = 0; i < result->row_count; i++) {
		free(result->rows[i].key_path);
		free(result->rows[i].value_name);
		free(result->rows[i].data);
		free(result->rows[i].text);
		free(result->rows[i].replay);
	}
	for (size_t i = 0; i < result->problem_count; i++) {
		free(result->problems[i].location);
		free(result->problems[i].reason);
	}
	free(result->rows);
	free(result->problems);
	free(result->root_name);
	free(result);
}

const char *hive_value_type_name(uint32_t value_type)
{
	static const struct {
		uint32_t type;
		const char *name;
	} names[] = {
		{0, "REG_NONE"},  {1, "REG_SZ"},        {2, "REG_EXPAND_SZ"},
		{3, "REG_BINARY"}, {4, "REG_DWORD"},     {5, "REG_DWORD_BIG_ENDIAN"},
		{6, "REG_LINK"},  {7, "REG_MULTI_SZ"},  {8, "REG_RESOURCE_LIST"},
		{9, "REG_FULL_RESOURCE_DESCRIPTOR"},    {10, "REG_RESOURCE_REQUIREMENTS_LIST"},
		{11, "REG_QWORD"},
	};
	for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
		if (names[i].type == value_type)
			return names[i].name;
	return "REG_UNKNOWN";
}
