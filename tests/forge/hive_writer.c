/*
 * hive_writer.c - the forge's registry hive writer: a `Windows Registry Editor Version 5.00`
 * file in, a Windows NT regf hive (format 1.5) out.
 *
 * Two halves. The reader turns .reg text (UTF-8 or UTF-16LE with BOM, CRLF or LF) into a tree of
 * keys with UTF-16 names and raw value bytes. The writer lays that tree out as Windows lays out a
 * freshly written hive: base block, hive bins of 4096-byte multiples, 8-byte aligned cells
 * (negative size = allocated), nk/vk/sk/lh/ri/db records. Format facts come from msuhanov's
 * "Windows registry file format specification" and libyal's REGF document (METHOD.md
 * [libregf]); where Windows' behaviour was checked against the real hives in shared/corpus/hives,
 * the comment says so. Nothing depends on time or randomness: the same input gives the same bytes.
 *
 * Not supported (rejected with a message): deletions ([-key], "x"=-), REGEDIT4 files, roots other
 * than HKEY_LOCAL_MACHINE\<hive>, class names, volatile keys, per-key security descriptors.
 */
#include "hive_writer.h"

#include "parsers/hive_log.h"

#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- limits ----------------------------------------------------------------------------- */

#define REG_MAX_INPUT_BYTES (256u * 1024u * 1024u)
#define KEY_NAME_MAX_UNITS 255u	   /* Windows' limit on a key name */
#define KEY_DEPTH_MAX 512u	   /* Windows' limit on key nesting; also bounds our recursion */
#define VALUE_NAME_MAX_UNITS 16383u /* Windows' limit on a value name */
#define HCELL_NIL 0xFFFFFFFFu	   /* "no cell", as Windows writes it */
#define HBIN_SIZE 4096u
#define HBIN_HEADER_SIZE 32u
#define BASE_BLOCK_SIZE 4096u
/* Values longer than this are split into db segments of this many bytes (hive 1.4+). A segment
 * cell is then 16344 + 4 rounded to 8 = 16352 bytes: with the 32-byte hbin header, four pages. */
#define BIG_DATA_SEGMENT 16344u
/* Windows splits a subkey leaf when it fills; real leaves hold up to ~500 (Windows 7 SYSTEM in the
 * corpus: largest lh 507) or ~1000 (Windows 10). Above this count a key gets an ri root. */
#define LEAF_MAX_ENTRIES 500u
#define MAX_DB_SEGMENTS 0xFFFFu
/* The hive must stay addressable with 31-bit cell offsets. */
#define HIVE_MAX_BYTES 0x7FFF0000u

#define KEY_HIVE_ENTRY 0x0004u
#define KEY_NO_DELETE 0x0008u
#define KEY_COMP_NAME 0x0020u
#define VALUE_COMP_NAME 0x0001u
#define DATA_INLINE 0x80000000u

/* ---- errors ----------------------------------------------------------------------------- */

struct forge_error {
	char *message;
	size_t message_len;
	unsigned line; /* line of the .reg being read, 0 outside the reader */
};

static void forge_fail(struct forge_error *error, const char *format, ...)
	__attribute__((format(printf, 2, 3)));

/* Fills the caller's buffer with "line N: message" (or just the message). Always returns. */
static void forge_fail(struct forge_error *error, const char *format, ...)
{
	if (error->message == NULL || error->message_len == 0)
		return;
	size_t used = 0;
	if (error->line > 0) {
		int n = snprintf(error->message, error->message_len, "line %u: ", error->line);
		if (n < 0)
			n = 0;
		used = (size_t)n < error->message_len ? (size_t)n : error->message_len - 1;
	}
	va_list args;
	va_start(args, format);
	vsnprintf(error->message + used, error->message_len - used, format, args);
	va_end(args);
}

/* ---- the key tree ----------------------------------------------------------------------- */

struct utf16 {
	uint16_t *units;
	size_t len;
};

struct hive_value {
	struct utf16 name; /* len 0 = the default value (@) */
	uint32_t type;
	uint8_t *data;
	size_t data_len;
};

struct hive_key {
	struct utf16 name;
	uint64_t last_write;
	bool last_write_given;
	struct hive_key **subkeys;
	size_t subkey_count, subkey_cap;
	struct hive_value *values;
	size_t value_count, value_cap;
	uint32_t cell; /* offset of the nk cell in the hive bins data, set by the writer */
};

/* How Windows names and files each hive we can forge, as seen in shared/corpus/hives. Root key
 * name: "ROOT" in both Windows 10 hives (regipy SYSTEM_WIN_10_1709 and SECURITY); the Windows 7
 * SYSTEM has "CMI-CreateHive{F10156BE-...}", the winreg-kb SECURITY (setup-made)
 * "CsiTool-CreateHive-{00000000-...}". We use "ROOT" everywhere: it is what a current Windows
 * gives and readers show it as the key path prefix. The file name field holds the tail of the
 * path the kernel opened: both real SECURITY hives keep "emRoot\System32\Config\SECURITY" (the
 * last 31 characters of "\SystemRoot\System32\Config\SECURITY"); both SYSTEM hives, loaded by
 * the boot loader, keep just "SYSTEM". No real SOFTWARE or SAM hive was at hand: their rows
 * assume they load like SECURITY. The corpus test (forge_hive_layout_matches_real_hives) checks
 * these rows against the real files. */
struct hive_root_kind {
	const char *hive;      /* second path component, compared case-insensitively */
	const char *root_name; /* name of the root nk */
	const char *file_name; /* base block file name field, before truncation */
};

static const struct hive_root_kind HIVE_ROOT_KINDS[] = {
	{"SOFTWARE", "ROOT", "\\SystemRoot\\System32\\Config\\SOFTWARE"},
	{"SYSTEM", "ROOT", "SYSTEM"},
	{"SECURITY", "ROOT", "\\SystemRoot\\System32\\Config\\SECURITY"},
	{"SAM", "ROOT", "\\SystemRoot\\System32\\Config\\SAM"},
};

struct reg_document {
	struct hive_key *root;
	char hive[64];		/* second component as first written, e.g. "SOFTWARE" */
	const char *file_name;	/* base block file name (from HIVE_ROOT_KINDS or built) */
	char generic_file_name[128];
};

static void key_free(struct hive_key *key)
{
	if (key == NULL)
		return;
	for (size_t i = 0; i < key->subkey_count; i++)
		key_free(key->subkeys[i]);
	free(key->subkeys);
	for (size_t i = 0; i < key->value_count; i++) {
		free(key->values[i].name.units);
		free(key->values[i].data);
	}
	free(key->values);
	free(key->name.units);
	free(key);
}

/* Upper-cases one UTF-16 unit the way Windows' upcase table does for the scripts we expect in key
 * names: ASCII, Latin-1, Latin Extended-A, Greek, Cyrillic, full-width Latin. CJK and kana have no
 * case. Windows sorts subkeys and computes lh hashes on upper-cased names (msuhanov §Hash leaf),
 * so a unit missing here only matters for names in other cased scripts. */
static uint16_t utf16_upcase(uint16_t c)
{
	if (c >= 'a' && c <= 'z')
		return (uint16_t)(c - 0x20);
	if (c < 0xB5)
		return c;
	if (c == 0xB5)
		return 0x39C; /* micro sign -> capital mu */
	if (c >= 0xE0 && c <= 0xFE && c != 0xF7)
		return (uint16_t)(c - 0x20);
	if (c == 0xFF)
		return 0x178;
	if (c >= 0x100 && c <= 0x17F) {
		/* Pairs: upper even/lower odd, except 0x139-0x148 and 0x179-0x17E (upper odd). */
		bool odd_upper = (c >= 0x139 && c <= 0x148) || (c >= 0x179 && c <= 0x17E);
		if (c == 0x130 || c == 0x131 || c == 0x138 || c == 0x149 || c == 0x17F)
			return c;
		if (odd_upper)
			return (c % 2 == 0) ? (uint16_t)(c - 1) : c;
		return (c % 2 == 1) ? (uint16_t)(c - 1) : c;
	}
	if ((c >= 0x3B1 && c <= 0x3C1) || (c >= 0x3C3 && c <= 0x3CB))
		return (uint16_t)(c - 0x20);
	if (c >= 0x430 && c <= 0x44F)
		return (uint16_t)(c - 0x20);
	if (c >= 0x450 && c <= 0x45F)
		return (uint16_t)(c - 0x50);
	if (c >= 0xFF41 && c <= 0xFF5A)
		return (uint16_t)(c - 0x20);
	return c;
}

/* Windows' key order: upper-cased units compared one by one, a prefix first. */
static int utf16_compare_upcase(const struct utf16 *a, const struct utf16 *b)
{
	size_t n = a->len < b->len ? a->len : b->len;
	for (size_t i = 0; i < n; i++) {
		uint16_t ca = utf16_upcase(a->units[i]), cb = utf16_upcase(b->units[i]);
		if (ca != cb)
			return ca < cb ? -1 : 1;
	}
	if (a->len == b->len)
		return 0;
	return a->len < b->len ? -1 : 1;
}

/* lh hash (msuhanov §Hash leaf): H = 37 * H + upcase(unit), 32-bit wrap-around. */
static uint32_t utf16_name_hash(const struct utf16 *name)
{
	uint32_t hash = 0;
	for (size_t i = 0; i < name->len; i++)
		hash = hash * 37u + utf16_upcase(name->units[i]);
	return hash;
}

static bool utf16_is_ascii(const struct utf16 *s)
{
	for (size_t i = 0; i < s->len; i++)
		if (s->units[i] >= 0x80)
			return false;
	return true;
}

/* ---- text decoding ---------------------------------------------------------------------- */

/* Decodes one UTF-8 sequence at S (N bytes left) into *CP. Returns its length, 0 if invalid
 * (overlong, surrogate, beyond U+10FFFF, truncated). */
static size_t utf8_decode(const unsigned char *s, size_t n, uint32_t *cp)
{
	if (n == 0)
		return 0;
	if (s[0] < 0x80) {
		*cp = s[0];
		return 1;
	}
	size_t len;
	uint32_t min, c;
	if ((s[0] & 0xE0) == 0xC0) {
		len = 2, min = 0x80, c = s[0] & 0x1Fu;
	} else if ((s[0] & 0xF0) == 0xE0) {
		len = 3, min = 0x800, c = s[0] & 0x0Fu;
	} else if ((s[0] & 0xF8) == 0xF0) {
		len = 4, min = 0x10000, c = s[0] & 0x07u;
	} else {
		return 0;
	}
	if (n < len)
		return 0;
	for (size_t i = 1; i < len; i++) {
		if ((s[i] & 0xC0) != 0x80)
			return 0;
		c = (c << 6) | (s[i] & 0x3Fu);
	}
	if (c < min || c > 0x10FFFF || (c >= 0xD800 && c <= 0xDFFF))
		return 0;
	*cp = c;
	return len;
}

/* Converts N bytes of UTF-8 to UTF-16 units in *OUT (malloc'd; caller frees). Returns 0 or -1. */
static int utf8_to_utf16(const char *text, size_t n, struct utf16 *out, struct forge_error *error)
{
	out->units = malloc((n + 1) * sizeof(uint16_t)); /* never more units than bytes */
	out->len = 0;
	if (out->units == NULL) {
		forge_fail(error, "out of memory");
		return -1;
	}
	const unsigned char *s = (const unsigned char *)text;
	size_t i = 0;
	while (i < n) {
		uint32_t cp;
		size_t used = utf8_decode(s + i, n - i, &cp);
		if (used == 0) {
			free(out->units);
			out->units = NULL;
			forge_fail(error, "invalid UTF-8");
			return -1;
		}
		if (cp >= 0x10000) {
			cp -= 0x10000;
			out->units[out->len++] = (uint16_t)(0xD800 + (cp >> 10));
			out->units[out->len++] = (uint16_t)(0xDC00 + (cp & 0x3FF));
		} else {
			out->units[out->len++] = (uint16_t)cp;
		}
		i += used;
	}
	return 0;
}

/* A growable byte buffer: the "small string builder" of STYLE.md. */
struct byte_buffer {
	uint8_t *bytes;
	size_t len, cap;
};

static int buffer_reserve(struct byte_buffer *b, size_t extra)
{
	if (extra > SIZE_MAX / 2 - b->len)
		return -1;
	if (b->len + extra <= b->cap)
		return 0;
	size_t cap = b->cap ? b->cap : 256;
	while (cap < b->len + extra)
		cap *= 2;
	uint8_t *grown = realloc(b->bytes, cap);
	if (grown == NULL)
		return -1;
	b->bytes = grown;
	b->cap = cap;
	return 0;
}

static int buffer_append(struct byte_buffer *b, const void *data, size_t n)
{
	if (buffer_reserve(b, n) != 0)
		return -1;
	if (n > 0)
		memcpy(b->bytes + b->len, data, n);
	b->len += n;
	return 0;
}

/* regedit saves .reg files as UTF-16LE with a BOM; we read everything as UTF-8. */
static int utf16le_to_utf8(const uint8_t *in, size_t n, struct byte_buffer *out,
			   struct forge_error *error)
{
	if (n % 2 != 0) {
		forge_fail(error, "UTF-16 input has an odd number of bytes");
		return -1;
	}
	for (size_t i = 0; i < n; i += 2) {
		uint32_t cp = (uint32_t)in[i] | ((uint32_t)in[i + 1] << 8);
		if (cp >= 0xD800 && cp <= 0xDBFF) {
			uint32_t low = i + 3 < n ? ((uint32_t)in[i + 2] | ((uint32_t)in[i + 3] << 8)) : 0;
			if (low < 0xDC00 || low > 0xDFFF) {
				forge_fail(error, "UTF-16 input has an unpaired surrogate at byte %zu", i);
				return -1;
			}
			cp = 0x10000 + ((cp - 0xD800) << 10) + (low - 0xDC00);
			i += 2;
		} else if (cp >= 0xDC00 && cp <= 0xDFFF) {
			forge_fail(error, "UTF-16 input has an unpaired surrogate at byte %zu", i);
			return -1;
		}
		uint8_t enc[4];
		size_t len;
		if (cp < 0x80) {
			enc[0] = (uint8_t)cp, len = 1;
		} else if (cp < 0x800) {
			enc[0] = (uint8_t)(0xC0 | (cp >> 6)), enc[1] = (uint8_t)(0x80 | (cp & 0x3F)), len = 2;
		} else if (cp < 0x10000) {
			enc[0] = (uint8_t)(0xE0 | (cp >> 12)), enc[1] = (uint8_t)(0x80 | ((cp >> 6) & 0x3F));
			enc[2] = (uint8_t)(0x80 | (cp & 0x3F)), len = 3;
		} else {
			enc[0] = (uint8_t)(0xF0 | (cp >> 18)), enc[1] = (uint8_t)(0x80 | ((cp >> 12) & 0x3F));
			enc[2] = (uint8_t)(0x80 | ((cp >> 6) & 0x3F)), enc[3] = (uint8_t)(0x80 | (cp & 0x3F));
			len = 4;
		}
		if (buffer_append(out, enc, len) != 0) {
			forge_fail(error, "out of memory");
			return -1;
		}
	}
	return 0;
}

/* Reads PATH whole and returns its text as NUL-terminated UTF-8 in *OUT. */
static int reg_read_text(const char *path, struct byte_buffer *out, struct forge_error *error)
{
	struct byte_buffer raw = {0};
	int rc = -1;
	FILE *f = fopen(path, "rb");
	if (f == NULL) {
		forge_fail(error, "cannot open %s: %s", path, strerror(errno));
		return -1;
	}
	for (;;) {
		if (buffer_reserve(&raw, 65536) != 0) {
			forge_fail(error, "out of memory reading %s", path);
			goto out;
		}
		size_t got = fread(raw.bytes + raw.len, 1, 65536, f);
		raw.len += got;
		if (raw.len > REG_MAX_INPUT_BYTES) {
			forge_fail(error, "%s is larger than %u bytes", path, REG_MAX_INPUT_BYTES);
			goto out;
		}
		if (got < 65536) {
			if (ferror(f)) {
				forge_fail(error, "cannot read %s", path);
				goto out;
			}
			break;
		}
	}
	if (raw.len >= 2 && raw.bytes[0] == 0xFF && raw.bytes[1] == 0xFE) {
		if (utf16le_to_utf8(raw.bytes + 2, raw.len - 2, out, error) != 0)
			goto out;
	} else if (raw.len >= 2 && raw.bytes[0] == 0xFE && raw.bytes[1] == 0xFF) {
		forge_fail(error, "%s is UTF-16 big-endian; save it as UTF-16LE or UTF-8", path);
		goto out;
	} else {
		size_t skip = (raw.len >= 3 && memcmp(raw.bytes, "\xEF\xBB\xBF", 3) == 0) ? 3 : 0;
		if (buffer_append(out, raw.bytes + skip, raw.len - skip) != 0) {
			forge_fail(error, "out of memory");
			goto out;
		}
	}
	if (out->len > 0 && memchr(out->bytes, '\0', out->len) != NULL) {
		forge_fail(error, "%s contains a NUL character (UTF-16 without a BOM?)", path);
		goto out;
	}
	if (buffer_append(out, "", 1) != 0) {
		forge_fail(error, "out of memory");
		goto out;
	}
	out->len--; /* the terminator is not text */
	rc = 0;
out:
	fclose(f);
	free(raw.bytes);
	return rc;
}

/* ---- .reg reader ------------------------------------------------------------------------ */

static bool is_blank(char c)
{
	return c == ' ' || c == '\t';
}

static int hex_digit(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

static bool ascii_equal_nocase(const char *a, size_t a_len, const char *b)
{
	size_t b_len = strlen(b);
	if (a_len != b_len)
		return false;
	for (size_t i = 0; i < a_len; i++) {
		char x = a[i], y = b[i];
		if (x >= 'a' && x <= 'z')
			x = (char)(x - 0x20);
		if (y >= 'a' && y <= 'z')
			y = (char)(y - 0x20);
		if (x != y)
			return false;
	}
	return true;
}

/* ;@lastwrite YYYY-MM-DDTHH:MM:SS[.fffffff]Z -> FILETIME (100 ns since 1601-01-01 UTC). */
static int parse_lastwrite(const char *s, uint64_t *filetime, struct forge_error *error)
{
	unsigned field[6] = {0};
	static const char separators[] = "--T::";
	static const unsigned widths[] = {4, 2, 2, 2, 2, 2};
	const char *p = s;
	for (int i = 0; i < 6; i++) {
		for (unsigned w = 0; w < widths[i]; w++, p++) {
			if (*p < '0' || *p > '9')
				goto bad;
			field[i] = field[i] * 10 + (unsigned)(*p - '0');
		}
		if (i < 5 && *p++ != separators[i])
			goto bad;
	}
	uint64_t fraction = 0;
	unsigned digits = 0;
	if (*p == '.') {
		for (p++; *p >= '0' && *p <= '9'; p++) {
			if (++digits > 7)
				goto bad;
			fraction = fraction * 10 + (uint64_t)(*p - '0');
		}
		if (digits == 0)
			goto bad;
	}
	for (; digits < 7; digits++)
		fraction *= 10;
	if (*p++ != 'Z')
		goto bad;
	while (is_blank(*p))
		p++;
	if (*p != '\0')
		goto bad;

	unsigned year = field[0], month = field[1], day = field[2];
	static const unsigned month_days[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
	if (year < 1601 || month < 1 || month > 12 || day < 1 || day > month_days[month - 1] ||
	    (month == 2 && day == 29 && !leap) || field[3] > 23 || field[4] > 59 || field[5] > 59)
		goto bad;
	/* Days since 1601-01-01: whole years, then months of this year. */
	uint64_t days = 0;
	for (unsigned y = 1601; y < year; y++)
		days += ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0) ? 366 : 365;
	for (unsigned m = 1; m < month; m++)
		days += (m == 2) ? (leap ? 29 : 28) : month_days[m - 1];
	days += day - 1;
	uint64_t seconds = days * 86400u + field[3] * 3600u + field[4] * 60u + field[5];
	*filetime = seconds * 10000000u + fraction;
	return 0;
bad:
	forge_fail(error, ";@lastwrite wants YYYY-MM-DDTHH:MM:SS[.fffffff]Z (UTC), got \"%s\"", s);
	return -1;
}

/* Reads a "quoted" .reg string at *P (which points at the opening quote), undoing regedit's two
 * escapes \\ and \". Leaves *P after the closing quote; the text goes to OUT as UTF-16. */
static int parse_quoted(const char **p, struct utf16 *out, struct forge_error *error)
{
	struct byte_buffer text = {0};
	const char *s = *p + 1;
	int rc = -1;
	for (;; s++) {
		char c = *s;
		if (c == '\0') {
			forge_fail(error, "string has no closing quote");
			goto out;
		}
		if (c == '"')
			break;
		if (c == '\\') {
			if (s[1] != '\\' && s[1] != '"') {
				forge_fail(error, "unknown escape \\%c in a string (regedit writes only \\\\ and \\\")",
					   s[1] ? s[1] : ' ');
				goto out;
			}
			c = *++s;
		}
		if (buffer_append(&text, &c, 1) != 0) {
			forge_fail(error, "out of memory");
			goto out;
		}
	}
	*p = s + 1;
	rc = utf8_to_utf16(text.bytes ? (const char *)text.bytes : "", text.len, out, error);
out:
	free(text.bytes);
	return rc;
}

/* hex:aa,bb,... list after the colon, whitespace allowed around each byte, may be empty. */
static int parse_hex_bytes(const char *s, struct byte_buffer *out, struct forge_error *error)
{
	while (is_blank(*s))
		s++;
	if (*s == '\0')
		return 0;
	for (;;) {
		while (is_blank(*s))
			s++;
		int hi = hex_digit(s[0]);
		if (hi < 0) {
			forge_fail(error, "expected a hex byte, got \"%.12s\"", s);
			return -1;
		}
		int lo = hex_digit(s[1]);
		uint8_t byte = (uint8_t)(lo < 0 ? hi : hi * 16 + lo);
		s += lo < 0 ? 1 : 2;
		if (buffer_append(out, &byte, 1) != 0) {
			forge_fail(error, "out of memory");
			return -1;
		}
		while (is_blank(*s))
			s++;
		if (*s == '\0')
			return 0;
		if (*s != ',') {
			forge_fail(error, "expected ',' between hex bytes, got \"%.12s\"", s);
			return -1;
		}
		s++;
	}
}

/* Finds or adds the subkey NAME of PARENT (names compare as Windows compares them). */
static struct hive_key *key_child(struct hive_key *parent, struct utf16 *name, uint64_t when,
				  struct forge_error *error)
{
	for (size_t i = 0; i < parent->subkey_count; i++)
		if (utf16_compare_upcase(&parent->subkeys[i]->name, name) == 0) {
			free(name->units);
			name->units = NULL;
			return parent->subkeys[i];
		}
	if (parent->subkey_count == parent->subkey_cap) {
		size_t cap = parent->subkey_cap ? parent->subkey_cap * 2 : 4;
		struct hive_key **grown = realloc(parent->subkeys, cap * sizeof(*grown));
		if (grown == NULL) {
			forge_fail(error, "out of memory");
			return NULL;
		}
		parent->subkeys = grown;
		parent->subkey_cap = cap;
	}
	struct hive_key *key = calloc(1, sizeof(*key));
	if (key == NULL) {
		forge_fail(error, "out of memory");
		return NULL;
	}
	key->name = *name;
	name->units = NULL;
	key->last_write = when;
	parent->subkeys[parent->subkey_count++] = key;
	return key;
}

/* Sets value NAME of KEY; a second line for the same name replaces the first, as regedit does.
 * Takes ownership of NAME's units and DATA. */
static int key_set_value(struct hive_key *key, struct utf16 *name, uint32_t type,
			 struct byte_buffer *data, struct forge_error *error)
{
	struct hive_value *slot = NULL;
	for (size_t i = 0; i < key->value_count; i++)
		if (utf16_compare_upcase(&key->values[i].name, name) == 0) {
			slot = &key->values[i];
			free(slot->name.units);
			free(slot->data);
			break;
		}
	if (slot == NULL) {
		if (key->value_count == key->value_cap) {
			size_t cap = key->value_cap ? key->value_cap * 2 : 4;
			struct hive_value *grown = realloc(key->values, cap * sizeof(*grown));
			if (grown == NULL) {
				forge_fail(error, "out of memory");
				return -1;
			}
			key->values = grown;
			key->value_cap = cap;
		}
		slot = &key->values[key->value_count++];
	}
	slot->name = *name;
	slot->type = type;
	slot->data = data->bytes;
	slot->data_len = data->len;
	name->units = NULL;
	data->bytes = NULL;
	data->len = data->cap = 0;
	return 0;
}

static const struct hive_root_kind *root_kind_find(const char *hive, size_t len)
{
	for (size_t i = 0; i < sizeof(HIVE_ROOT_KINDS) / sizeof(HIVE_ROOT_KINDS[0]); i++)
		if (ascii_equal_nocase(hive, len, HIVE_ROOT_KINDS[i].hive))
			return &HIVE_ROOT_KINDS[i];
	return NULL;
}

static int doc_set_root(struct reg_document *doc, const char *hive, size_t len, uint64_t when,
			struct forge_error *error)
{
	if (doc->root != NULL) {
		if (!ascii_equal_nocase(hive, len, doc->hive)) {
			forge_fail(error, "key lies under HKEY_LOCAL_MACHINE\\%.*s but the hive is %s; "
				   "one .reg makes one hive", (int)len, hive, doc->hive);
			return -1;
		}
		return 0;
	}
	if (len == 0 || len >= sizeof(doc->hive)) {
		forge_fail(error, "hive name after HKEY_LOCAL_MACHINE\\ is empty or too long");
		return -1;
	}
	for (size_t i = 0; i < len; i++)
		if ((unsigned char)hive[i] >= 0x80) {
			forge_fail(error, "hive name must be ASCII");
			return -1;
		}
	memcpy(doc->hive, hive, len);
	doc->hive[len] = '\0';
	const struct hive_root_kind *kind = root_kind_find(hive, len);
	const char *root_name = kind ? kind->root_name : "ROOT";
	if (kind) {
		doc->file_name = kind->file_name;
	} else {
		snprintf(doc->generic_file_name, sizeof(doc->generic_file_name),
			 "\\SystemRoot\\System32\\Config\\%s", doc->hive);
		doc->file_name = doc->generic_file_name;
	}
	doc->root = calloc(1, sizeof(*doc->root));
	if (doc->root == NULL ||
	    utf8_to_utf16(root_name, strlen(root_name), &doc->root->name, error) != 0) {
		forge_fail(error, "out of memory");
		return -1;
	}
	doc->root->last_write = when;
	return 0;
}

/* [HKEY_LOCAL_MACHINE\HIVE\A\B] -> the key, created with its missing parents. */
static struct hive_key *parse_key_line(struct reg_document *doc, const char *line,
				       uint64_t default_time, struct forge_error *error)
{
	size_t len = strlen(line);
	if (line[1] == '-') {
		forge_fail(error, "key deletion [-...] is not supported by the forge");
		return NULL;
	}
	if (len < 2 || line[len - 1] != ']') {
		forge_fail(error, "key line must end with ']'");
		return NULL;
	}
	const char *path = line + 1;
	size_t path_len = len - 2;
	/* Split on '\'; a key name cannot contain one, so there is no escaping. */
	size_t start = 0, component = 0;
	struct hive_key *key = NULL;
	for (size_t i = 0; i <= path_len; i++) {
		if (i < path_len && path[i] != '\\')
			continue;
		const char *name = path + start;
		size_t name_len = i - start;
		start = i + 1;
		if (name_len == 0) {
			forge_fail(error, "empty key name in path (doubled or trailing '\\')");
			return NULL;
		}
		if (component == 0) {
			if (!ascii_equal_nocase(name, name_len, "HKEY_LOCAL_MACHINE") &&
			    !ascii_equal_nocase(name, name_len, "HKLM")) {
				forge_fail(error, "keys must lie under HKEY_LOCAL_MACHINE (got %.*s)",
					   (int)name_len, name);
				return NULL;
			}
		} else if (component == 1) {
			if (doc_set_root(doc, name, name_len, default_time, error) != 0)
				return NULL;
			key = doc->root;
		} else {
			struct utf16 name16;
			if (component - 1 > KEY_DEPTH_MAX) {
				forge_fail(error, "key path deeper than %u levels", KEY_DEPTH_MAX);
				return NULL;
			}
			if (utf8_to_utf16(name, name_len, &name16, error) != 0)
				return NULL;
			if (name16.len > KEY_NAME_MAX_UNITS) {
				free(name16.units);
				forge_fail(error, "key name longer than %u characters", KEY_NAME_MAX_UNITS);
				return NULL;
			}
			key = key_child(key, &name16, default_time, error);
			if (key == NULL) {
				free(name16.units);
				return NULL;
			}
		}
		component++;
	}
	if (component < 2) {
		forge_fail(error, "key path must name a hive: HKEY_LOCAL_MACHINE\\SOFTWARE\\...");
		return NULL;
	}
	return key;
}

/* "name"=data or @=data. */
static int parse_value_line(struct hive_key *key, const char *line, struct forge_error *error)
{
	struct utf16 name = {0};
	struct utf16 text = {0};
	struct byte_buffer data = {0};
	uint32_t type;
	int rc = -1;
	const char *p = line;
	if (*p == '@') {
		p++;
		name.units = malloc(sizeof(uint16_t));
		if (name.units == NULL) {
			forge_fail(error, "out of memory");
			goto out;
		}
	} else if (parse_quoted(&p, &name, error) != 0) {
		goto out;
	} else if (name.len == 0) {
		/* "" would be the default value under another spelling; regedit writes @. */
		forge_fail(error, "empty value name \"\": write the default value as @");
		goto out;
	}
	if (name.len > VALUE_NAME_MAX_UNITS) {
		forge_fail(error, "value name longer than %u characters", VALUE_NAME_MAX_UNITS);
		goto out;
	}
	while (is_blank(*p))
		p++;
	if (*p++ != '=') {
		forge_fail(error, "expected '=' after the value name");
		goto out;
	}
	while (is_blank(*p))
		p++;
	if (*p == '-') {
		forge_fail(error, "value deletion (=-) is not supported by the forge");
		goto out;
	} else if (*p == '"') {
		type = 1; /* REG_SZ: UTF-16LE with its terminating NUL, as regedit imports it */
		if (parse_quoted(&p, &text, error) != 0)
			goto out;
		while (is_blank(*p))
			p++;
		if (*p != '\0') {
			forge_fail(error, "unexpected text after the closing quote: \"%.12s\"", p);
			goto out;
		}
		for (size_t i = 0; i <= text.len; i++) {
			uint16_t unit = i < text.len ? text.units[i] : 0;
			uint8_t le[2] = {(uint8_t)(unit & 0xFF), (uint8_t)(unit >> 8)};
			if (buffer_append(&data, le, 2) != 0) {
				forge_fail(error, "out of memory");
				goto out;
			}
		}
	} else if (strncmp(p, "dword:", 6) == 0) {
		type = 4;
		p += 6;
		uint32_t v = 0;
		int digits = 0;
		for (; hex_digit(*p) >= 0; p++, digits++)
			v = v * 16u + (uint32_t)hex_digit(*p);
		while (is_blank(*p))
			p++;
		if (digits == 0 || digits > 8 || *p != '\0') {
			forge_fail(error, "dword: wants 1 to 8 hex digits");
			goto out;
		}
		uint8_t le[4] = {(uint8_t)v, (uint8_t)(v >> 8), (uint8_t)(v >> 16), (uint8_t)(v >> 24)};
		if (buffer_append(&data, le, 4) != 0) {
			forge_fail(error, "out of memory");
			goto out;
		}
	} else if (strncmp(p, "hex:", 4) == 0) {
		type = 3;
		if (parse_hex_bytes(p + 4, &data, error) != 0)
			goto out;
	} else if (strncmp(p, "hex(", 4) == 0) {
		/* hex(N): with N the type in hex, any 32-bit number (regedit writes hex(b), hex(7)...). */
		p += 4;
		uint32_t v = 0;
		int digits = 0;
		for (; hex_digit(*p) >= 0; p++, digits++)
			v = v * 16u + (uint32_t)hex_digit(*p);
		if (digits == 0 || digits > 8 || p[0] != ')' || p[1] != ':') {
			forge_fail(error, "hex(N): wants N as 1 to 8 hex digits");
			goto out;
		}
		type = v;
		if (parse_hex_bytes(p + 2, &data, error) != 0)
			goto out;
	} else {
		forge_fail(error, "unknown value data \"%.16s\" (expected \"text\", dword:, hex:, hex(N):)",
			   p);
		goto out;
	}
	if (data.len > (size_t)BIG_DATA_SEGMENT * MAX_DB_SEGMENTS) {
		forge_fail(error, "value data of %zu bytes is more than a hive can hold", data.len);
		goto out;
	}
	rc = key_set_value(key, &name, type, &data, error);
out:
	free(name.units);
	free(text.units);
	free(data.bytes);
	return rc;
}

/* Splits TEXT into logical lines (joining lines that end in '\', regedit's continuation of long
 * hex lists) and parses each. Every error names the first physical line of its logical line. */
static int reg_parse(char *text, struct reg_document *doc, uint64_t default_time,
		     struct forge_error *error)
{
	struct byte_buffer line = {0};
	struct hive_key *current = NULL;
	bool header_seen = false;
	bool pending_time = false;
	uint64_t pending_value = 0;
	unsigned pending_line = 0;
	unsigned physical = 0;
	int rc = -1;
	char *p = text;
	while (*p != '\0') {
		line.len = 0;
		unsigned first_line = physical + 1;
		bool more = true;
		while (more && *p != '\0') {
			char *end = p + strcspn(p, "\r\n");
			char *next = end;
			if (*next == '\r')
				next++;
			if (*next == '\n')
				next++;
			physical++;
			char *start = p;
			if (line.len > 0)
				while (is_blank(*start) && start < end)
					start++;
			char *stop = end;
			while (stop > start && is_blank(stop[-1]))
				stop--;
			more = stop > start && stop[-1] == '\\' && *start != ';' &&
			       !(line.len == 0 && *start == '[');
			if (more)
				stop--;
			if (buffer_append(&line, start, (size_t)(stop - start)) != 0) {
				forge_fail(error, "out of memory");
				goto out;
			}
			p = next;
		}
		if (buffer_append(&line, "", 1) != 0) {
			forge_fail(error, "out of memory");
			goto out;
		}
		error->line = first_line;
		char *s = (char *)line.bytes;
		while (is_blank(*s))
			s++;

		if (!header_seen) {
			if (*s == '\0')
				continue;
			if (strcmp(s, "Windows Registry Editor Version 5.00") == 0) {
				header_seen = true;
				continue;
			}
			if (strcmp(s, "REGEDIT4") == 0)
				forge_fail(error, "REGEDIT4 (ANSI) files are not supported; "
					   "export as \"Windows Registry Editor Version 5.00\"");
			else
				forge_fail(error, "first line must be \"Windows Registry Editor Version 5.00\"");
			goto out;
		}
		if (pending_time && *s != '[') {
			error->line = pending_line;
			forge_fail(error, ";@lastwrite must be directly above a [key] line");
			goto out;
		}
		if (*s == '\0')
			continue;
		if (*s == ';') {
			if (strncmp(s, ";@lastwrite", 11) == 0) {
				const char *arg = s + 11;
				if (!is_blank(*arg)) {
					forge_fail(error, "write ;@lastwrite YYYY-MM-DDTHH:MM:SS.fffffffZ");
					goto out;
				}
				while (is_blank(*arg))
					arg++;
				if (parse_lastwrite(arg, &pending_value, error) != 0)
					goto out;
				pending_time = true;
				pending_line = first_line;
			}
			continue;
		}
		if (*s == '[') {
			current = parse_key_line(doc, s, default_time, error);
			if (current == NULL)
				goto out;
			if (pending_time) {
				current->last_write = pending_value;
				current->last_write_given = true;
				pending_time = false;
			}
			continue;
		}
		if (*s == '"' || *s == '@') {
			if (current == NULL) {
				forge_fail(error, "value before any [key] line");
				goto out;
			}
			if (parse_value_line(current, s, error) != 0)
				goto out;
			continue;
		}
		forge_fail(error, "unrecognised line \"%.20s\"", s);
		goto out;
	}
	if (pending_time) {
		error->line = pending_line;
		forge_fail(error, ";@lastwrite must be directly above a [key] line");
		goto out;
	}
	error->line = 0;
	if (!header_seen) {
		forge_fail(error, "empty file: no \"Windows Registry Editor Version 5.00\" line");
		goto out;
	}
	if (doc->root == NULL) {
		forge_fail(error, "no [key] line: nothing to write");
		goto out;
	}
	rc = 0;
out:
	free(line.bytes);
	return rc;
}

/* ---- hive writer ------------------------------------------------------------------------ */

/* The hive bins data being built; offsets are relative to its start (the first hbin), which is
 * what every cell reference in a hive is. */
struct hive_image {
	struct byte_buffer bins;
	size_t bin_start; /* current hbin */
	size_t bin_end;	  /* end of current hbin; bins.len is the next free byte in it */
	uint64_t timestamp;
	bool failed;
};

static void put_u16(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)v, p[1] = (uint8_t)(v >> 8);
}

static void put_u32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)v, p[1] = (uint8_t)(v >> 8), p[2] = (uint8_t)(v >> 16), p[3] = (uint8_t)(v >> 24);
}

static void put_u64(uint8_t *p, uint64_t v)
{
	put_u32(p, (uint32_t)v);
	put_u32(p + 4, (uint32_t)(v >> 32));
}

/* Closes the current hbin: its unused tail becomes one free cell (positive size). */
static void image_close_bin(struct hive_image *img)
{
	size_t rest = img->bin_end - img->bins.len;
	if (rest > 0) {
		put_u32(img->bins.bytes + img->bins.len, (uint32_t)rest);
		img->bins.len = img->bin_end;
	}
}

/* Allocates a cell with BODY bytes of content; returns its offset (pointing at the size field) or
 * HCELL_NIL after a failure, which sticks in img->failed. The body is zeroed. A cell never
 * crosses an hbin boundary; a cell bigger than a page gets an hbin of its own size. */
static uint32_t image_alloc(struct hive_image *img, size_t body)
{
	if (img->failed || body > HIVE_MAX_BYTES) {
		img->failed = true;
		return HCELL_NIL;
	}
	size_t need = (body + 4 + 7) & ~(size_t)7;
	if (img->bin_end - img->bins.len < need) {
		image_close_bin(img);
		size_t size = (HBIN_HEADER_SIZE + need + HBIN_SIZE - 1) / HBIN_SIZE * HBIN_SIZE;
		if (img->bins.len + size > HIVE_MAX_BYTES || buffer_reserve(&img->bins, size) != 0) {
			img->failed = true;
			return HCELL_NIL;
		}
		uint8_t *bin = img->bins.bytes + img->bins.len;
		memset(bin, 0, size);
		memcpy(bin, "hbin", 4);
		put_u32(bin + 4, (uint32_t)img->bins.len);
		put_u32(bin + 8, (uint32_t)size);
		/* The first hbin's timestamp backs up the base block's (msuhanov §Hive bin). */
		if (img->bins.len == 0)
			put_u64(bin + 20, img->timestamp);
		img->bin_start = img->bins.len;
		img->bin_end = img->bins.len + size;
		img->bins.len += HBIN_HEADER_SIZE;
	}
	uint32_t offset = (uint32_t)img->bins.len;
	put_u32(img->bins.bytes + offset, (uint32_t)-(int32_t)need);
	img->bins.len += need;
	return offset;
}

/* Pointer to the body of the cell at OFFSET; valid until the next image_alloc. */
static uint8_t *cell_body(struct hive_image *img, uint32_t offset)
{
	return img->bins.bytes + offset + 4;
}

/* Bytes a name takes in an nk/vk: one per unit when every unit is ASCII (compressed), else two.
 * Windows also compresses Latin-1 names; we keep to ASCII so that every reader decodes the name
 * the same way whatever code page it assumes. */
static size_t name_stored_len(const struct utf16 *name)
{
	return utf16_is_ascii(name) ? name->len : name->len * 2;
}

static void name_store(uint8_t *dst, const struct utf16 *name)
{
	bool ascii = utf16_is_ascii(name);
	for (size_t i = 0; i < name->len; i++) {
		if (ascii)
			dst[i] = (uint8_t)name->units[i];
		else
			put_u16(dst + 2 * i, name->units[i]);
	}
}

static uint32_t image_alloc_nk(struct hive_image *img, const struct hive_key *key)
{
	return image_alloc(img, 76 + name_stored_len(&key->name));
}

static int compare_keys(const void *a, const void *b)
{
	const struct hive_key *ka = *(const struct hive_key *const *)a;
	const struct hive_key *kb = *(const struct hive_key *const *)b;
	return utf16_compare_upcase(&ka->name, &kb->name);
}

/* Writes one lh leaf for subkeys FIRST..FIRST+COUNT of KEY; returns its offset. */
static uint32_t image_write_leaf(struct hive_image *img, const struct hive_key *key, size_t first,
				 size_t count)
{
	uint32_t leaf = image_alloc(img, 4 + 8 * count);
	if (leaf == HCELL_NIL)
		return HCELL_NIL;
	uint8_t *b = cell_body(img, leaf);
	memcpy(b, "lh", 2);
	put_u16(b + 2, (uint32_t)count);
	for (size_t i = 0; i < count; i++) {
		const struct hive_key *sub = key->subkeys[first + i];
		put_u32(b + 4 + 8 * i, sub->cell);
		put_u32(b + 8 + 8 * i, utf16_name_hash(&sub->name));
	}
	return leaf;
}

/* The subkey list: one lh leaf, or an ri root over leaves of LEAF_MAX_ENTRIES when there are
 * more (real hives: ri -> lh, never ri -> ri). Subkeys must be sorted and their nk allocated. */
static uint32_t image_write_subkey_list(struct hive_image *img, const struct hive_key *key)
{
	size_t n = key->subkey_count;
	if (n == 0)
		return HCELL_NIL;
	if (n <= LEAF_MAX_ENTRIES)
		return image_write_leaf(img, key, 0, n);
	size_t leaves = (n + LEAF_MAX_ENTRIES - 1) / LEAF_MAX_ENTRIES;
	if (leaves > 0xFFFF) {
		img->failed = true;
		return HCELL_NIL;
	}
	uint32_t root = image_alloc(img, 4 + 4 * leaves);
	if (root == HCELL_NIL)
		return HCELL_NIL;
	memcpy(cell_body(img, root), "ri", 2);
	put_u16(cell_body(img, root) + 2, (uint32_t)leaves);
	for (size_t i = 0; i < leaves; i++) {
		size_t first = i * LEAF_MAX_ENTRIES;
		size_t count = n - first < LEAF_MAX_ENTRIES ? n - first : LEAF_MAX_ENTRIES;
		uint32_t leaf = image_write_leaf(img, key, first, count);
		if (leaf == HCELL_NIL)
			return HCELL_NIL;
		put_u32(cell_body(img, root) + 4 + 4 * i, leaf);
	}
	return root;
}

/* Writes the vk of VALUE and its data; returns the vk offset. Data of 4 bytes or less lives in
 * the first bytes of the vk's offset field with the size's top bit set (a 1-byte 0xFF reads
 * 'ff000000' in the corpus' Windows 10 SYSTEM hive); up to 16344 bytes in one cell; beyond that
 * in a db record -> segment list -> segments. As in every db of the corpus' SYSTEM hives, each
 * segment, the last one too, is a full 16344-byte segment cell (16352 bytes), and the db record
 * and list come before the segments. Readers rely on both: Parse::Win32Registry reads "cell size
 * - 8" bytes of every segment and refuses a data offset closer to the end of the file than the
 * data's length. */
static uint32_t image_write_value(struct hive_image *img, const struct hive_value *value)
{
	size_t name_len = name_stored_len(&value->name);
	uint32_t vk = image_alloc(img, 20 + name_len);
	if (vk == HCELL_NIL)
		return HCELL_NIL;
	uint32_t size_field = (uint32_t)value->data_len;
	uint32_t data_field = 0;
	if (value->data_len <= 4) {
		size_field |= DATA_INLINE;
		for (size_t i = 0; i < value->data_len; i++)
			data_field |= (uint32_t)value->data[i] << (8 * i);
	} else if (value->data_len <= BIG_DATA_SEGMENT) {
		data_field = image_alloc(img, value->data_len);
		if (data_field == HCELL_NIL)
			return HCELL_NIL;
		memcpy(cell_body(img, data_field), value->data, value->data_len);
	} else {
		size_t segments = (value->data_len + BIG_DATA_SEGMENT - 1) / BIG_DATA_SEGMENT;
		data_field = image_alloc(img, 8);
		uint32_t list = image_alloc(img, 4 * segments);
		if (list == HCELL_NIL || data_field == HCELL_NIL)
			return HCELL_NIL;
		uint8_t *db = cell_body(img, data_field);
		memcpy(db, "db", 2);
		put_u16(db + 2, (uint32_t)segments);
		put_u32(db + 4, list);
		for (size_t i = 0; i < segments; i++) {
			size_t at = i * BIG_DATA_SEGMENT;
			size_t len = value->data_len - at < BIG_DATA_SEGMENT ? value->data_len - at
									  : BIG_DATA_SEGMENT;
			uint32_t segment = image_alloc(img, BIG_DATA_SEGMENT);
			if (segment == HCELL_NIL)
				return HCELL_NIL;
			memcpy(cell_body(img, segment), value->data + at, len);
			put_u32(cell_body(img, list) + 4 * i, segment);
		}
	}
	uint8_t *b = cell_body(img, vk);
	memcpy(b, "vk", 2);
	put_u16(b + 2, (uint32_t)name_len);
	put_u32(b + 4, size_field);
	put_u32(b + 8, data_field);
	put_u32(b + 12, value->type);
	/* The default value has no name and, in real hives, no "compressed" flag either. */
	put_u16(b + 16, value->name.len > 0 && utf16_is_ascii(&value->name) ? VALUE_COMP_NAME : 0);
	name_store(b + 20, &value->name);
	return vk;
}

/* Writes everything below KEY (whose nk cell is already allocated) and fills KEY's nk. Recursion
 * depth is the key depth, at most KEY_DEPTH_MAX. */
static void image_write_key(struct hive_image *img, struct hive_key *key, uint32_t parent,
			    uint32_t security, bool is_root)
{
	if (key->subkey_count > 1) /* qsort with a NULL array is undefined even for 0 items */
		qsort(key->subkeys, key->subkey_count, sizeof(key->subkeys[0]), compare_keys);
	uint32_t max_subkey_name = 0, max_value_name = 0, max_value_data = 0;
	for (size_t i = 0; i < key->subkey_count; i++) {
		key->subkeys[i]->cell = image_alloc_nk(img, key->subkeys[i]);
		uint32_t len = (uint32_t)key->subkeys[i]->name.len * 2;
		if (len > max_subkey_name)
			max_subkey_name = len;
	}
	uint32_t subkey_list = image_write_subkey_list(img, key);

	uint32_t value_list = HCELL_NIL;
	if (key->value_count > 0) {
		value_list = image_alloc(img, 4 * key->value_count);
		for (size_t i = 0; i < key->value_count && !img->failed; i++) {
			uint32_t vk = image_write_value(img, &key->values[i]);
			if (vk == HCELL_NIL)
				break;
			put_u32(cell_body(img, value_list) + 4 * i, vk);
			/* Largest lengths are in UTF-16 bytes even for compressed names (checked on
			 * the corpus: a 10-character name gives 20). */
			uint32_t name_len = (uint32_t)key->values[i].name.len * 2;
			if (name_len > max_value_name)
				max_value_name = name_len;
			if (key->values[i].data_len > max_value_data)
				max_value_data = (uint32_t)key->values[i].data_len;
		}
	}
	if (img->failed)
		return;

	uint8_t *b = cell_body(img, key->cell);
	bool ascii = utf16_is_ascii(&key->name);
	uint32_t flags = ascii ? KEY_COMP_NAME : 0;
	if (is_root)
		flags |= KEY_HIVE_ENTRY | KEY_NO_DELETE; /* 0x2C with a compressed name, as Windows */
	memcpy(b, "nk", 2);
	put_u16(b + 2, flags);
	put_u64(b + 4, key->last_write);
	put_u32(b + 12, 0); /* access bits: Windows 8+ sets them at run time; 0 as on Windows 7 */
	put_u32(b + 16, parent);
	put_u32(b + 20, (uint32_t)key->subkey_count);
	put_u32(b + 24, 0); /* volatile subkeys never reach the file */
	put_u32(b + 28, subkey_list);
	put_u32(b + 32, HCELL_NIL);
	put_u32(b + 36, (uint32_t)key->value_count);
	put_u32(b + 40, value_list);
	put_u32(b + 44, security);
	put_u32(b + 48, HCELL_NIL); /* no class name */
	put_u32(b + 52, max_subkey_name);
	put_u32(b + 56, 0);
	put_u32(b + 60, max_value_name);
	put_u32(b + 64, max_value_data);
	put_u32(b + 68, 0);
	put_u16(b + 72, (uint32_t)name_stored_len(&key->name));
	put_u16(b + 74, 0);
	name_store(b + 76, &key->name);

	for (size_t i = 0; i < key->subkey_count && !img->failed; i++)
		image_write_key(img, key->subkeys[i], key->cell, security, false);
}

/* One security descriptor shared by every key, as a SOFTWARE root has it: owner Administrators,
 * group SYSTEM, a protected DACL granting full control to SYSTEM, Administrators and (inherit
 * only) CREATOR OWNER, read to Users. Self-relative layout: header, DACL, owner SID, group SID. */
struct sd_ace_row {
	uint8_t flags; /* 0x02 container inherit, 0x08 inherit only */
	uint32_t mask;
	uint8_t authority; /* SID identifier authority (last byte of six) */
	uint8_t sub_count;
	uint32_t sub[2];
};

static const struct sd_ace_row SD_DACL[] = {
	{0x02, 0x000F003F, 5, 1, {18, 0}},    /* SYSTEM: KEY_ALL_ACCESS */
	{0x02, 0x000F003F, 5, 2, {32, 544}},  /* BUILTIN\Administrators: KEY_ALL_ACCESS */
	{0x0A, 0x10000000, 3, 1, {0, 0}},     /* CREATOR OWNER: GENERIC_ALL, inherit only */
	{0x02, 0x00020019, 5, 2, {32, 545}},  /* BUILTIN\Users: KEY_READ */
};

static size_t sd_put_sid(uint8_t *p, uint8_t authority, uint8_t sub_count, const uint32_t *sub)
{
	p[0] = 1; /* SID revision */
	p[1] = sub_count;
	memset(p + 2, 0, 5);
	p[7] = authority;
	for (uint8_t i = 0; i < sub_count; i++)
		put_u32(p + 8 + 4 * i, sub[i]);
	return 8 + 4u * sub_count;
}

/* Builds the descriptor into BUF (at least 256 bytes); returns its length. */
static size_t sd_build(uint8_t *buf)
{
	static const uint32_t admins[] = {32, 544}, system[] = {18};
	size_t at = 20;
	size_t acl = at;
	at += 8;
	for (size_t i = 0; i < sizeof(SD_DACL) / sizeof(SD_DACL[0]); i++) {
		const struct sd_ace_row *row = &SD_DACL[i];
		size_t ace = at;
		buf[ace] = 0x00; /* ACCESS_ALLOWED_ACE_TYPE */
		buf[ace + 1] = row->flags;
		put_u32(buf + ace + 4, row->mask);
		at += 8 + sd_put_sid(buf + ace + 8, row->authority, row->sub_count, row->sub);
		put_u16(buf + ace + 2, (uint32_t)(at - ace));
	}
	buf[acl] = 2; /* ACL_REVISION */
	buf[acl + 1] = 0;
	put_u16(buf + acl + 2, (uint32_t)(at - acl));
	put_u16(buf + acl + 4, sizeof(SD_DACL) / sizeof(SD_DACL[0]));
	put_u16(buf + acl + 6, 0);
	size_t owner = at;
	at += sd_put_sid(buf + at, 5, 2, admins);
	size_t group = at;
	at += sd_put_sid(buf + at, 5, 1, system);
	buf[0] = 1; /* revision */
	buf[1] = 0;
	/* SE_SELF_RELATIVE | SE_DACL_PROTECTED | SE_DACL_AUTO_INHERITED | SE_DACL_PRESENT */
	put_u16(buf + 2, 0x9404);
	put_u32(buf + 4, (uint32_t)owner);
	put_u32(buf + 8, (uint32_t)group);
	put_u32(buf + 12, 0); /* no SACL */
	put_u32(buf + 16, (uint32_t)acl);
	return at;
}

static size_t keys_count(const struct hive_key *key)
{
	size_t n = 1;
	for (size_t i = 0; i < key->subkey_count; i++)
		n += keys_count(key->subkeys[i]);
	return n;
}

/* Lays out DOC into IMG. Root nk first (offset 0x20, as in every real hive), then the sk. */
static int image_build(struct hive_image *img, struct reg_document *doc, struct forge_error *error)
{
	doc->root->cell = image_alloc_nk(img, doc->root);
	uint8_t sd[256];
	size_t sd_len = sd_build(sd);
	uint32_t sk = image_alloc(img, 20 + sd_len);
	if (img->failed) {
		forge_fail(error, "out of memory building the hive");
		return -1;
	}
	uint8_t *b = cell_body(img, sk);
	memcpy(b, "sk", 2);
	put_u32(b + 4, sk); /* the only sk: its list links point at itself */
	put_u32(b + 8, sk);
	put_u32(b + 12, (uint32_t)keys_count(doc->root));
	put_u32(b + 16, (uint32_t)sd_len);
	memcpy(b + 20, sd, sd_len);

	image_write_key(img, doc->root, HCELL_NIL, sk, true);
	if (img->failed) {
		forge_fail(error, "hive too large or out of memory");
		return -1;
	}
	image_close_bin(img);
	return 0;
}

/* The base block's XOR-32 checksum of its first 508 bytes, stored at 508. */
static void base_block_set_checksum(uint8_t *block)
{
	uint32_t sum = 0;
	for (size_t i = 0; i < 508; i += 4)
		sum ^= (uint32_t)block[i] | (uint32_t)block[i + 1] << 8 | (uint32_t)block[i + 2] << 16 |
		       (uint32_t)block[i + 3] << 24;
	/* Windows never stores 0 or -1 as the checksum (HvpHeaderCheckSum). */
	if (sum == 0xFFFFFFFFu)
		sum = 0xFFFFFFFEu;
	if (sum == 0)
		sum = 1;
	put_u32(block + 508, sum);
}

/* Base block (msuhanov §Base block): both sequence numbers 1 (a clean hive), version 1.5, the
 * file name's last 31 characters and a NUL in its 64 bytes, XOR-32 checksum at 508. */
static void base_block_fill(uint8_t *block, const struct hive_image *img, const char *file_name)
{
	memset(block, 0, BASE_BLOCK_SIZE);
	memcpy(block, "regf", 4);
	put_u32(block + 4, 1);
	put_u32(block + 8, 1);
	put_u64(block + 12, img->timestamp);
	put_u32(block + 20, 1);
	put_u32(block + 24, 5);
	put_u32(block + 28, 0);
	put_u32(block + 32, 1);
	put_u32(block + 36, 0x20);
	put_u32(block + 40, (uint32_t)img->bins.len);
	put_u32(block + 44, 1);
	size_t len = strlen(file_name);
	const char *tail = len > 31 ? file_name + len - 31 : file_name;
	for (size_t i = 0; tail[i] != '\0'; i++)
		put_u16(block + 48 + 2 * i, (unsigned char)tail[i]);
	base_block_set_checksum(block);
}

/* Parses REG_PATHS[0..COUNT) into one document, each file adding its keys and values to those of
 * the files before it, and lays the result out in IMG. */
static int image_from_reg_files(const char *const *reg_paths, size_t count,
				uint64_t default_filetime, struct hive_image *img,
				struct reg_document *doc, struct forge_error *error)
{
	for (size_t i = 0; i < count; i++) {
		struct byte_buffer text = {0};
		int rc = reg_read_text(reg_paths[i], &text, error);
		if (rc == 0)
			rc = reg_parse((char *)text.bytes, doc, default_filetime, error);
		free(text.bytes);
		if (rc != 0)
			return -1;
	}
	img->timestamp = default_filetime;
	return image_build(img, doc, error);
}

/* Writes BLOCK (BLOCK_SIZE bytes) then DATA (LEN bytes) to PATH; a failure removes PATH. */
static int file_write_two(const char *path, const uint8_t *block, size_t block_size,
			  const uint8_t *data, size_t len, struct forge_error *error)
{
	FILE *out = fopen(path, "wb");
	if (out == NULL) {
		forge_fail(error, "cannot create %s: %s", path, strerror(errno));
		return -1;
	}
	int ok = fwrite(block, 1, block_size, out) == block_size &&
		 (len == 0 || fwrite(data, 1, len, out) == len);
	if (fclose(out) != 0)
		ok = 0;
	if (!ok) {
		forge_fail(error, "cannot write %s: %s", path, strerror(errno));
		remove(path); /* never leave a half-written file behind */
		return -1;
	}
	return 0;
}

/* ---- transaction logs ------------------------------------------------------------------- */

/* A dirty hive as Windows 8.1+ leaves it (msuhanov §Format of transaction log files, checked
 * against the corpus' yarp_NewDirtyHive1: primary sequence numbers 3/2, LOG1 holding entry 2, LOG2
 * entries 3-5): the primary's secondary sequence number is the first entry to replay and its
 * primary sequence number one more; log N's base block and its one entry carry sequence number
 * FIRST_SEQUENCE + N - 1. */
#define FIRST_SEQUENCE 2u
#define LOG_BASE_BLOCK_SIZE 512u
#define LOG_PAGE_SIZE 512u
#define LOG_ENTRY_HEADER_SIZE 40u
#define LOG_FILE_TYPE_NEW 6u
#define MARVIN32_SEED_LOG 0x82EF4D887A4E55C5ull

/* Whether the 512-byte page at OFFSET of the hive bins differs between BEFORE and AFTER (a page
 * past the end of BEFORE always does). */
static bool page_dirty(const struct byte_buffer *before, const struct byte_buffer *after,
		       size_t offset)
{
	return offset + LOG_PAGE_SIZE > before->len ||
	       memcmp(before->bytes + offset, after->bytes + offset, LOG_PAGE_SIZE) != 0;
}

/* One new-format log entry ("HvLE", SEQUENCE) whose dirty pages turn the hive bins BEFORE into
 * AFTER: every 512-byte page that differs, consecutive pages in one reference. The hashes are the
 * parser's Marvin32 (parsers/hive_log.h), itself checked against logs Windows wrote: replaying the
 * corpus' yarp_NewDirtyHive1 gives Windows' own recovered file (tests/e2e/check_hive_logs.py). */
static int log_entry_build(const struct byte_buffer *before, const struct byte_buffer *after,
			   uint32_t sequence, struct byte_buffer *entry, struct forge_error *error)
{
	struct byte_buffer refs = {0}, pages = {0};
	uint32_t ref_count = 0;
	int rc = -1;

	for (size_t offset = 0; offset < after->len; offset += LOG_PAGE_SIZE) {
		if (!page_dirty(before, after, offset))
			continue;
		size_t end = offset + LOG_PAGE_SIZE;
		while (end < after->len && page_dirty(before, after, end))
			end += LOG_PAGE_SIZE;
		uint8_t ref[8];
		put_u32(ref, (uint32_t)offset);
		put_u32(ref + 4, (uint32_t)(end - offset));
		if (buffer_append(&refs, ref, sizeof ref) != 0 ||
		    buffer_append(&pages, after->bytes + offset, end - offset) != 0)
			goto oom;
		ref_count++;
		offset = end - LOG_PAGE_SIZE;
	}
	if (ref_count == 0) {
		forge_fail(error, "the transaction log changes nothing in the hive");
		goto out;
	}
	size_t size = LOG_ENTRY_HEADER_SIZE + refs.len + pages.len;
	size = (size + LOG_PAGE_SIZE - 1) / LOG_PAGE_SIZE * LOG_PAGE_SIZE;
	if (buffer_reserve(entry, size) != 0)
		goto oom;
	uint8_t *e = entry->bytes;
	memset(e, 0, size);
	memcpy(e, "HvLE", 4);
	put_u32(e + 4, (uint32_t)size);
	put_u32(e + 12, sequence);
	put_u32(e + 16, (uint32_t)after->len);
	put_u32(e + 20, ref_count);
	memcpy(e + LOG_ENTRY_HEADER_SIZE, refs.bytes, refs.len);
	memcpy(e + LOG_ENTRY_HEADER_SIZE + refs.len, pages.bytes, pages.len);
	put_u64(e + 24, hive_log_marvin32(e + LOG_ENTRY_HEADER_SIZE, size - LOG_ENTRY_HEADER_SIZE,
					  MARVIN32_SEED_LOG));
	put_u64(e + 32, hive_log_marvin32(e, 32, MARVIN32_SEED_LOG));
	entry->len = size;
	rc = 0;
	goto out;
oom:
	forge_fail(error, "out of memory building a transaction log");
out:
	free(refs.bytes);
	free(pages.bytes);
	return rc;
}

/* Writes log N (1-based) of OUT_PATH: its base block (the primary's first 512 bytes with both
 * sequence numbers SEQUENCE, file type 6 and the hive bins size BINS_SIZE the entry starts from)
 * and ENTRY. */
static int log_file_write(const char *out_path, size_t n, const uint8_t *primary_block,
			  uint32_t sequence, size_t bins_size, const struct byte_buffer *entry,
			  struct forge_error *error)
{
	uint8_t block[LOG_BASE_BLOCK_SIZE];
	char path[4096];

	memcpy(block, primary_block, sizeof block);
	put_u32(block + 4, sequence);
	put_u32(block + 8, sequence);
	put_u32(block + 28, LOG_FILE_TYPE_NEW);
	put_u32(block + 40, (uint32_t)bins_size);
	base_block_set_checksum(block);
	if ((size_t)snprintf(path, sizeof path, "%s.LOG%zu", out_path, n) >= sizeof path) {
		forge_fail(error, "output path too long");
		return -1;
	}
	return file_write_two(path, block, sizeof block, entry->bytes, entry->len, error);
}

int hive_forge_dirty(const char *reg_path, const char *const *log_reg_paths, size_t log_count,
		     const char *out_path, uint64_t default_filetime, char *err, size_t err_len)
{
	struct forge_error error = {err, err_len, 0};
	const char *paths[HIVE_FORGE_LOGS_MAX + 1];
	struct hive_image images[HIVE_FORGE_LOGS_MAX + 1];
	struct reg_document docs[HIVE_FORGE_LOGS_MAX + 1];
	struct byte_buffer entry = {0};
	uint8_t block[BASE_BLOCK_SIZE];
	int rc = -1;

	if (err != NULL && err_len > 0)
		err[0] = '\0';
	if (reg_path == NULL || out_path == NULL || (log_count > 0 && log_reg_paths == NULL) ||
	    log_count > HIVE_FORGE_LOGS_MAX) {
		forge_fail(&error, "missing input or output path, or more than %u logs",
			   HIVE_FORGE_LOGS_MAX);
		return -1;
	}
	memset(images, 0, sizeof images);
	memset(docs, 0, sizeof docs);
	/* Image K: the primary's keys and those of the first K logs. */
	paths[0] = reg_path;
	for (size_t k = 0; k < log_count; k++)
		paths[k + 1] = log_reg_paths[k];
	for (size_t k = 0; k <= log_count; k++)
		if (image_from_reg_files(paths, k + 1, default_filetime, &images[k], &docs[k],
					 &error) != 0)
			goto out;

	base_block_fill(block, &images[0], docs[0].file_name);
	if (log_count > 0) {
		put_u32(block + 4, FIRST_SEQUENCE + 1);
		put_u32(block + 8, FIRST_SEQUENCE);
		base_block_set_checksum(block);
	}
	if (file_write_two(out_path, block, sizeof block, images[0].bins.bytes, images[0].bins.len,
			   &error) != 0)
		goto out;
	for (size_t k = 0; k < log_count; k++) {
		uint32_t sequence = FIRST_SEQUENCE + (uint32_t)k;

		entry.len = 0;
		if (log_entry_build(&images[k].bins, &images[k + 1].bins, sequence, &entry,
				    &error) != 0 ||
		    log_file_write(out_path, k + 1, block, sequence, images[k].bins.len, &entry,
				   &error) != 0)
			goto out;
	}
	rc = 0;
out:
	for (size_t k = 0; k <= log_count; k++) {
		free(images[k].bins.bytes);
		key_free(docs[k].root);
	}
	free(entry.bytes);
	return rc;
}

int hive_forge_file(const char *reg_path, const char *out_path, uint64_t default_filetime,
		    char *err, size_t err_len)
{
	return hive_forge_dirty(reg_path, NULL, 0, out_path, default_filetime, err, err_len);
}
