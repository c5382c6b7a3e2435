/*
 * evtx_writer.c - the forge's EVTX writer: event XML in, a Windows-compatible .evtx file out.
 *
 * We cannot obtain real Windows Sandbox logs, so tests and the demo case are built from XML by
 * this writer. The output imitates what Windows writes, byte layout included, because the
 * sandtrace parsers and two independent parsers (python-evtx, libevtx) must read it as they read
 * real logs. Format facts come from libyal's "Windows XML Event Log (EVTX) format" document and
 * from measurements of the real corpus (/work/shared/corpus/evtx); where a fact was measured the
 * comment says "measured".
 *
 * Layout of one record, as Windows writes it (measured on Server 2022 and older Security logs):
 *
 *   record header | fragment header | TemplateInstance(System template) | values | EOF | pad | size
 *
 * The System template holds the <Event> element with its <System> children; System values are
 * optional substitutions with the indices Windows uses (0 Level ... 16 Channel, see
 * SYSTEM_FIELDS), <Computer> is literal text inside the template, and each element after
 * <System> (<EventData>, <UserData>) is one BinXml substitution (index 17, 18, ...) that holds a
 * second fragment with its own TemplateInstance. A template definition is written inline the
 * first time a chunk uses it and referenced by chunk offset afterwards; names (element and
 * attribute names) likewise live once per chunk and are reused by offset. Both tables restart in
 * every 64 KiB chunk.
 *
 * Templates follow the shape of each source event: an attribute or element absent from the XML is
 * absent from the template (Windows would write a null value instead, which python-evtx renders as
 * an empty attribute). Values of EventData/UserData carry no type in XML; a type is inferred only
 * where python-evtx and libevtx both render the value back to the same text (see
 * value_infer_type), and the forge:type attribute (namespace FORGE_NS) forces any type.
 */
#include "evtx_writer.h"

#include <errno.h>
#include <iconv.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <libxml/parser.h>
#include <libxml/tree.h>
#include <libxml/xmlreader.h>
#include <zlib.h>

#define FORGE_NS "urn:sandtrace:forge"

#define FILE_HEADER_BLOCK 4096u
#define FILE_HEADER_SIZE 128u
#define CHUNK_SIZE 65536u
#define CHUNK_HEADER_SIZE 512u
#define STRING_BUCKETS 64u
#define TEMPLATE_BUCKETS 32u
#define MAX_ELEMENT_DEPTH 64
#define MAX_VALUE_SIZE 65535u

/* BinXML tokens (libyal EVTX format, "Binary XML tokens"). */
enum {
	TOKEN_EOF = 0x00,
	TOKEN_OPEN_START_ELEMENT = 0x01,
	TOKEN_CLOSE_START_ELEMENT = 0x02,
	TOKEN_CLOSE_EMPTY_ELEMENT = 0x03,
	TOKEN_END_ELEMENT = 0x04,
	TOKEN_VALUE = 0x05,
	TOKEN_ATTRIBUTE = 0x06,
	TOKEN_TEMPLATE_INSTANCE = 0x0c,
	TOKEN_NORMAL_SUBSTITUTION = 0x0d,
	TOKEN_OPTIONAL_SUBSTITUTION = 0x0e,
	TOKEN_FRAGMENT_HEADER = 0x0f,
	TOKEN_MORE_BIT = 0x40, /* element has attributes / another attribute follows */
};

/* Value types (libyal EVTX format, "Value types"). */
enum value_type {
	VT_NULL = 0x00,
	VT_STRING = 0x01,
	VT_INT8 = 0x03,
	VT_UINT8 = 0x04,
	VT_INT16 = 0x05,
	VT_UINT16 = 0x06,
	VT_INT32 = 0x07,
	VT_UINT32 = 0x08,
	VT_INT64 = 0x09,
	VT_UINT64 = 0x0a,
	VT_BOOL = 0x0d,
	VT_BINARY = 0x0e,
	VT_GUID = 0x0f,
	VT_FILETIME = 0x11,
	VT_SYSTEMTIME = 0x12,
	VT_SID = 0x13,
	VT_HEXINT32 = 0x14,
	VT_HEXINT64 = 0x15,
	VT_BINXML = 0x21,
};

/* The names forge:type accepts; one row per type the forge can write. */
static const struct {
	const char *name;
	enum value_type type;
} FORGE_TYPES[] = {
	{"Null", VT_NULL},         {"String", VT_STRING},     {"Int8", VT_INT8},
	{"UInt8", VT_UINT8},       {"Int16", VT_INT16},       {"UInt16", VT_UINT16},
	{"Int32", VT_INT32},       {"UInt32", VT_UINT32},     {"Int64", VT_INT64},
	{"UInt64", VT_UINT64},     {"Boolean", VT_BOOL},      {"Binary", VT_BINARY},
	{"GUID", VT_GUID},         {"FILETIME", VT_FILETIME}, {"SYSTEMTIME", VT_SYSTEMTIME},
	{"SID", VT_SID},           {"HexInt32", VT_HEXINT32}, {"HexInt64", VT_HEXINT64},
};

/*
 * System fields that Windows writes as substitutions, with the index and type it uses
 * (measured: TaskScheduler, Security and System logs of the corpus all use this numbering;
 * index 17 onwards holds the BinXml of EventData/UserData). attribute NULL = element text.
 * Everything else under <System> (Computer, Provider/@EventSourceName, ...) is literal text in the
 * template, as Windows writes <Computer>.
 */
static const struct system_field {
	const char *element;
	const char *attribute;
	uint16_t index;
	enum value_type type;
	uint16_t dependency; /* Windows ties an element to its value index; 0xffff = none */
} SYSTEM_FIELDS[] = {
	{"Level", NULL, 0, VT_UINT8, 0},
	{"Opcode", NULL, 1, VT_UINT8, 1},
	{"Task", NULL, 2, VT_UINT16, 2},
	{"EventID", NULL, 3, VT_UINT16, 3},
	{"EventID", "Qualifiers", 4, VT_UINT16, 3},
	{"Keywords", NULL, 5, VT_HEXINT64, 5},
	{"TimeCreated", "SystemTime", 6, VT_FILETIME, 0xffff},
	{"Correlation", "ActivityID", 7, VT_GUID, 0xffff},
	{"Execution", "ProcessID", 8, VT_UINT32, 0xffff},
	{"Execution", "ThreadID", 9, VT_UINT32, 0xffff},
	{"EventRecordID", NULL, 10, VT_UINT64, 10},
	{"Version", NULL, 11, VT_UINT8, 11},
	{"Security", "UserID", 12, VT_SID, 0xffff},
	{"Correlation", "RelatedActivityID", 13, VT_GUID, 0xffff},
	{"Provider", "Name", 14, VT_STRING, 0xffff},
	{"Provider", "Guid", 15, VT_GUID, 0xffff},
	{"Channel", NULL, 16, VT_STRING, 16},
};
#define SYSTEM_VALUE_COUNT 17u

/* ---- growable byte buffer ------------------------------------------------------------------ */

struct bytes {
	unsigned char *data;
	size_t len;
	size_t cap;
};

static int bytes_reserve(struct bytes *b, size_t extra)
{
	if (extra > SIZE_MAX - b->len)
		return -1;
	if (b->len + extra <= b->cap)
		return 0;
	size_t cap = b->cap ? b->cap : 256;
	while (cap < b->len + extra) {
		if (cap > SIZE_MAX / 2)
			return -1;
		cap *= 2;
	}
	unsigned char *p = realloc(b->data, cap);
	if (!p)
		return -1;
	b->data = p;
	b->cap = cap;
	return 0;
}

static int bytes_put(struct bytes *b, const void *src, size_t n)
{
	if (n == 0)
		return 0;
	if (bytes_reserve(b, n) < 0)
		return -1;
	memcpy(b->data + b->len, src, n);
	b->len += n;
	return 0;
}

static int bytes_zero(struct bytes *b, size_t n)
{
	if (bytes_reserve(b, n) < 0)
		return -1;
	memset(b->data + b->len, 0, n);
	b->len += n;
	return 0;
}

static void le_store(unsigned char *p, uint64_t v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		p[i] = (unsigned char)(v >> (8 * i));
}

static int bytes_le(struct bytes *b, uint64_t v, size_t n)
{
	unsigned char tmp[8];
	le_store(tmp, v, n);
	return bytes_put(b, tmp, n);
}

static void bytes_free(struct bytes *b)
{
	free(b->data);
	b->data = NULL;
	b->len = b->cap = 0;
}

/* ---- error reporting --------------------------------------------------------------------- */

struct forge {
	char *err;
	size_t err_len;
	iconv_t to_utf16;
	size_t event_number; /* 1-based position of the event being written, for messages */
};

#if defined(__GNUC__)
__attribute__((format(printf, 2, 3)))
#endif
static int forge_fail(struct forge *f, const char *fmt, ...)
{
	if (f->err && f->err_len > 0) {
		size_t used = 0;
		if (f->event_number > 0) {
			int n = snprintf(f->err, f->err_len, "event %zu: ", f->event_number);
			used = n > 0 && (size_t)n < f->err_len ? (size_t)n : 0;
		}
		va_list ap;
		va_start(ap, fmt);
		vsnprintf(f->err + used, f->err_len - used, fmt, ap);
		va_end(ap);
	}
	return -1;
}

/* ---- text ---------------------------------------------------------------------------------- */

/* UTF-8 to UTF-16LE (no terminator) appended to OUT; the file stores all text as UTF-16LE. */
static int utf16_append(struct forge *f, const char *utf8, struct bytes *out, size_t *units)
{
	size_t in_left = strlen(utf8);
	size_t start = out->len;
	if (bytes_reserve(out, in_left * 2 + 4) < 0)
		return forge_fail(f, "out of memory");
	char *in = (char *)utf8;
	char *dst = (char *)out->data + out->len;
	size_t out_left = out->cap - out->len;
	iconv(f->to_utf16, NULL, NULL, NULL, NULL);
	if (iconv(f->to_utf16, &in, &in_left, &dst, &out_left) == (size_t)-1)
		return forge_fail(f, "text is not valid UTF-8: '%.40s'", utf8);
	out->len = (size_t)((unsigned char *)dst - out->data);
	if (units)
		*units = (out->len - start) / 2;
	return 0;
}

static int is_blank(const char *s)
{
	for (; *s; s++)
		if (*s != ' ' && *s != '\t' && *s != '\n' && *s != '\r')
			return 0;
	return 1;
}

/* ---- value parsing ------------------------------------------------------------------------- */

static int hex_digit(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Decimal or 0x-hex unsigned integer that fits MAX. */
static int parse_unsigned(const char *s, uint64_t max, uint64_t *out)
{
	if (!*s || *s == '-' || *s == '+' || *s == ' ')
		return -1;
	errno = 0;
	char *end = NULL;
	unsigned long long v = strtoull(s, &end, 0);
	if (errno || !end || *end || v > max)
		return -1;
	*out = v;
	return 0;
}

static int parse_signed(const char *s, int64_t min, int64_t max, int64_t *out)
{
	if (!*s || *s == ' ')
		return -1;
	errno = 0;
	char *end = NULL;
	long long v = strtoll(s, &end, 10);
	if (errno || !end || *end || v < min || v > max)
		return -1;
	*out = v;
	return 0;
}

/* "{xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx}" (braces optional) to the Windows GUID layout:
 * Data1..Data3 little-endian, Data4 as written. */
static int parse_guid(const char *s, unsigned char out[16])
{
	size_t n = strlen(s);
	if (n == 38 && s[0] == '{' && s[37] == '}') {
		s++;
		n = 36;
	}
	if (n != 36)
		return -1;
	unsigned char raw[16];
	size_t k = 0;
	for (size_t i = 0; i < 36;) {
		if (i == 8 || i == 13 || i == 18 || i == 23) {
			if (s[i] != '-')
				return -1;
			i++;
			continue;
		}
		int hi = hex_digit((unsigned char)s[i]), lo = hex_digit((unsigned char)s[i + 1]);
		if (hi < 0 || lo < 0)
			return -1;
		raw[k++] = (unsigned char)(hi << 4 | lo);
		i += 2;
	}
	static const int order[16] = {3, 2, 1, 0, 5, 4, 7, 6, 8, 9, 10, 11, 12, 13, 14, 15};
	for (int i = 0; i < 16; i++)
		out[i] = raw[order[i]];
	return 0;
}

/* "S-1-<authority>-<sub>..." to the binary SID (revision, count, 48-bit big-endian authority,
 * little-endian 32-bit sub-authorities). */
static int parse_sid(const char *s, struct bytes *out)
{
	if (strncmp(s, "S-", 2) != 0)
		return -1;
	const char *p = s + 2;
	uint64_t parts[17];
	size_t count = 0;
	while (*p) {
		if (count == 17 || *p < '0' || *p > '9')
			return -1;
		errno = 0;
		char *end = NULL;
		unsigned long long v = strtoull(p, &end, 10);
		if (errno || end == p)
			return -1;
		parts[count++] = v;
		if (*end == '-' && end[1])
			p = end + 1;
		else if (*end == '\0')
			p = end;
		else
			return -1;
	}
	if (count < 2 || parts[0] > 255 || parts[1] > 0xffffffffffffULL)
		return -1;
	size_t subs = count - 2;
	if (subs > 15)
		return -1;
	unsigned char head[8] = {(unsigned char)parts[0], (unsigned char)subs};
	for (int i = 0; i < 6; i++)
		head[2 + i] = (unsigned char)(parts[1] >> (8 * (5 - i)));
	if (bytes_put(out, head, 8) < 0)
		return -1;
	for (size_t i = 0; i < subs; i++) {
		if (parts[2 + i] > 0xffffffffULL || bytes_le(out, parts[2 + i], 4) < 0)
			return -1;
	}
	return 0;
}

/* Days from 1970-01-01 to Y-M-D in the proleptic Gregorian calendar (civil-from-days inverse). */
static int64_t days_from_civil(int64_t y, unsigned m, unsigned d)
{
	y -= m <= 2;
	const int64_t era = (y >= 0 ? y : y - 399) / 400;
	const unsigned yoe = (unsigned)(y - era * 400);
	const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + (int64_t)doe - 719468;
}

struct timestamp {
	unsigned year, month, day, hour, minute, second;
	uint32_t ticks; /* 100 ns units inside the second */
};

/* "YYYY-MM-DDTHH:MM:SS[.fraction][Z]" (also ' ' for 'T'); the fraction may have up to 9 digits but
 * must not be finer than 100 ns, the resolution of FILETIME. */
static int parse_timestamp(const char *s, struct timestamp *t)
{
	unsigned v[6];
	const char seps[6] = {'-', '-', 'T', ':', ':', 0};
	const unsigned widths[6] = {4, 2, 2, 2, 2, 2};
	const char *p = s;
	for (int i = 0; i < 6; i++) {
		v[i] = 0;
		for (unsigned k = 0; k < widths[i]; k++, p++) {
			if (*p < '0' || *p > '9')
				return -1;
			v[i] = v[i] * 10 + (unsigned)(*p - '0');
		}
		if (i < 5) {
			if (*p != seps[i] && !(i == 2 && *p == ' '))
				return -1;
			p++;
		}
	}
	uint32_t ticks = 0;
	if (*p == '.') {
		p++;
		int digits = 0;
		while (*p >= '0' && *p <= '9') {
			if (digits < 7)
				ticks = ticks * 10 + (uint32_t)(*p - '0');
			else if (*p != '0')
				return -1;
			digits++;
			p++;
		}
		if (digits == 0 || digits > 9)
			return -1;
		for (int i = digits; i < 7; i++)
			ticks *= 10;
	}
	if (*p == 'Z')
		p++;
	if (*p)
		return -1;
	static const unsigned mdays[12] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	if (v[0] < 1601 || v[1] < 1 || v[1] > 12 || v[2] < 1 || v[2] > mdays[v[1] - 1] || v[3] > 23 ||
	    v[4] > 59 || v[5] > 59)
		return -1;
	int leap = (v[0] % 4 == 0 && v[0] % 100 != 0) || v[0] % 400 == 0;
	if (v[1] == 2 && v[2] == 29 && !leap)
		return -1;
	*t = (struct timestamp){v[0], v[1], v[2], v[3], v[4], v[5], ticks};
	return 0;
}

/* FILETIME: 100 ns intervals since 1601-01-01 UTC. */
static uint64_t timestamp_to_filetime(const struct timestamp *t)
{
	int64_t days = days_from_civil(t->year, t->month, t->day) - days_from_civil(1601, 1, 1);
	uint64_t secs = (uint64_t)days * 86400u + t->hour * 3600u + t->minute * 60u + t->second;
	return secs * 10000000u + t->ticks;
}

static int parse_filetime(const char *s, uint64_t *out)
{
	struct timestamp t;
	if (parse_timestamp(s, &t) < 0)
		return -1;
	*out = timestamp_to_filetime(&t);
	return 0;
}

/* ---- typed values -------------------------------------------------------------------------- */

/* Encodes TEXT as TYPE into OUT (the value data of a substitution). */
static int value_encode(struct forge *f, enum value_type type, const char *text, struct bytes *out,
			const char *what)
{
	uint64_t u = 0;
	int64_t s = 0;
	switch (type) {
	case VT_NULL:
		if (*text)
			return forge_fail(f, "%s: Null type with a value '%.40s'", what, text);
		return 0;
	case VT_STRING:
		return utf16_append(f, text, out, NULL);
	case VT_UINT8:
	case VT_UINT16:
	case VT_UINT32:
	case VT_UINT64:
	case VT_HEXINT32:
	case VT_HEXINT64: {
		size_t width = type == VT_UINT8 ? 1 : type == VT_UINT16 ? 2
			     : type == VT_UINT32 || type == VT_HEXINT32 ? 4 : 8;
		uint64_t max = width == 8 ? UINT64_MAX : (UINT64_C(1) << (8 * width)) - 1;
		if (parse_unsigned(text, max, &u) < 0)
			return forge_fail(f, "%s: '%.40s' is not an unsigned %zu-bit number", what, text,
					  width * 8);
		return bytes_le(out, u, width);
	}
	case VT_INT8:
	case VT_INT16:
	case VT_INT32:
	case VT_INT64: {
		size_t width = type == VT_INT8 ? 1 : type == VT_INT16 ? 2 : type == VT_INT32 ? 4 : 8;
		int64_t max = width == 8 ? INT64_MAX : (INT64_C(1) << (8 * width - 1)) - 1;
		if (parse_signed(text, -max - 1, max, &s) < 0)
			return forge_fail(f, "%s: '%.40s' is not a signed %zu-bit number", what, text,
					  width * 8);
		return bytes_le(out, (uint64_t)s, width);
	}
	case VT_BOOL: {
		/* Windows' BOOL is 32 bits. */
		if (!strcmp(text, "true") || !strcmp(text, "True") || !strcmp(text, "1"))
			u = 1;
		else if (!strcmp(text, "false") || !strcmp(text, "False") || !strcmp(text, "0"))
			u = 0;
		else
			return forge_fail(f, "%s: '%.40s' is not a boolean", what, text);
		return bytes_le(out, u, 4);
	}
	case VT_BINARY: {
		size_t n = strlen(text);
		if (n % 2)
			return forge_fail(f, "%s: binary '%.40s' has an odd number of hex digits", what,
					  text);
		for (size_t i = 0; i < n; i += 2) {
			int hi = hex_digit((unsigned char)text[i]);
			int lo = hex_digit((unsigned char)text[i + 1]);
			if (hi < 0 || lo < 0)
				return forge_fail(f, "%s: binary '%.40s' is not hex", what, text);
			unsigned char byte = (unsigned char)(hi << 4 | lo);
			if (bytes_put(out, &byte, 1) < 0)
				return forge_fail(f, "out of memory");
		}
		return 0;
	}
	case VT_GUID: {
		unsigned char g[16];
		if (parse_guid(text, g) < 0)
			return forge_fail(f, "%s: '%.40s' is not a GUID", what, text);
		return bytes_put(out, g, 16);
	}
	case VT_SID:
		if (parse_sid(text, out) < 0)
			return forge_fail(f, "%s: '%.60s' is not a SID", what, text);
		return 0;
	case VT_FILETIME:
		if (parse_filetime(text, &u) < 0)
			return forge_fail(f, "%s: '%.40s' is not a time (YYYY-MM-DDTHH:MM:SS.fffffffZ)",
					  what, text);
		return bytes_le(out, u, 8);
	case VT_SYSTEMTIME: {
		struct timestamp t;
		if (parse_timestamp(text, &t) < 0 || t.ticks % 10000)
			return forge_fail(f, "%s: '%.40s' is not a SYSTEMTIME (millisecond precision)",
					  what, text);
		/* wDayOfWeek: 1970-01-01 was a Thursday (4). */
		int64_t days = days_from_civil(t.year, t.month, t.day);
		uint16_t dow = (uint16_t)(((days % 7) + 11) % 7);
		uint16_t f16[8] = {(uint16_t)t.year, (uint16_t)t.month, dow, (uint16_t)t.day,
				   (uint16_t)t.hour, (uint16_t)t.minute, (uint16_t)t.second,
				   (uint16_t)(t.ticks / 10000)};
		for (int i = 0; i < 8; i++)
			if (bytes_le(out, f16[i], 2) < 0)
				return forge_fail(f, "out of memory");
		return 0;
	}
	case VT_BINXML:
		break;
	}
	return forge_fail(f, "%s: internal: cannot encode type 0x%02x", what, (unsigned)type);
}

/*
 * The type Windows would most likely have used for an untyped EventData/UserData value, chosen
 * only where python-evtx 0.6.1 and libevtx print the value back byte for byte the same:
 *   - empty -> an empty String (what Windows writes; both print an empty element);
 *   - canonical SID "S-1-5-..." -> SID (both print S-R-A-S...; authority kept below 2^32, which
 *     both print in decimal);
 *   - "0x" + exactly 8 / 16 lower-case hex digits -> HexInt32 / HexInt64 (both print zero-padded
 *     lower case; Windows' own "0x3e7" spelling is kept a string because neither reproduces it);
 *   - canonical decimal (no sign, no leading zero) -> UInt32, or UInt64 beyond 2^32-1;
 *   - a braced GUID with no letter in it -> GUID (python-evtx prints GUIDs in lower case, libevtx in
 *     upper case, so a GUID with letters would not come back the same from both);
 * everything else -> String.
 */
static enum value_type value_infer_type(const char *s)
{
	size_t n = strlen(s);
	if (n == 0)
		return VT_STRING;
	if (n > 2 && s[0] == 'S' && s[1] == '-') {
		/* S-1-<auth>-<sub>...: every part canonical decimal. */
		const char *p = s + 2;
		int parts = 0, ok = 1;
		while (ok && *p) {
			const char *start = p;
			uint64_t v = 0;
			while (*p >= '0' && *p <= '9') {
				v = v * 10 + (uint64_t)(*p - '0');
				if (v > 0xffffffffULL)
					ok = 0;
				p++;
			}
			if (p == start || (p - start > 1 && *start == '0'))
				ok = 0;
			parts++;
			if (*p == '-' && p[1])
				p++;
			else if (*p)
				ok = 0;
		}
		if (ok && parts >= 3 && parts <= 17 && !strncmp(s, "S-1-", 4))
			return VT_SID;
		return VT_STRING;
	}
	if ((n == 10 || n == 18) && s[0] == '0' && s[1] == 'x') {
		for (size_t i = 2; i < n; i++)
			if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
				return VT_STRING;
		return n == 10 ? VT_HEXINT32 : VT_HEXINT64;
	}
	if (n == 38 && s[0] == '{') {
		unsigned char g[16];
		if (parse_guid(s, g) == 0 && !strpbrk(s, "abcdefABCDEF"))
			return VT_GUID;
		return VT_STRING;
	}
	if (n <= 20 && (s[0] != '0' || n == 1)) {
		for (size_t i = 0; i < n; i++)
			if (s[i] < '0' || s[i] > '9')
				return VT_STRING;
		uint64_t v;
		if (parse_unsigned(s, UINT64_MAX, &v) < 0)
			return VT_STRING;
		return v > 0xffffffffULL ? VT_UINT64 : VT_UINT32;
	}
	return VT_STRING;
}

static int forge_type_lookup(const char *name, enum value_type *type)
{
	for (size_t i = 0; i < sizeof FORGE_TYPES / sizeof FORGE_TYPES[0]; i++) {
		if (!strcmp(FORGE_TYPES[i].name, name)) {
			*type = FORGE_TYPES[i].type;
			return 0;
		}
	}
	return -1;
}

/* ---- chunk state: string and template tables ----------------------------------------------- */

struct name_entry {
	unsigned char *utf16;
	size_t units;
	uint32_t offset;
};

struct template_entry {
	unsigned char *key;
	size_t key_len;
	uint32_t offset;
	uint32_t id;
};

struct chunk {
	unsigned char data[CHUNK_SIZE];
	uint32_t used;		 /* free space offset */
	uint32_t last_record;	 /* offset of the last record written */
	uint64_t first_id, last_id;
	size_t records;
	uint32_t string_heads[STRING_BUCKETS];
	uint32_t template_heads[TEMPLATE_BUCKETS];
	struct name_entry *names;
	size_t name_count, name_cap;
	struct template_entry *templates;
	size_t template_count, template_cap;
};

/* What a record may change in the chunk tables, so an event that does not fit can be undone and
 * written again at the start of the next chunk (where its templates and names must be inline). */
struct chunk_mark {
	size_t name_count, template_count;
	uint32_t string_heads[STRING_BUCKETS];
	uint32_t template_heads[TEMPLATE_BUCKETS];
};

static void chunk_mark_save(const struct chunk *c, struct chunk_mark *m)
{
	m->name_count = c->name_count;
	m->template_count = c->template_count;
	memcpy(m->string_heads, c->string_heads, sizeof m->string_heads);
	memcpy(m->template_heads, c->template_heads, sizeof m->template_heads);
}

static void chunk_mark_restore(struct chunk *c, const struct chunk_mark *m)
{
	while (c->name_count > m->name_count)
		free(c->names[--c->name_count].utf16);
	while (c->template_count > m->template_count)
		free(c->templates[--c->template_count].key);
	memcpy(c->string_heads, m->string_heads, sizeof m->string_heads);
	memcpy(c->template_heads, m->template_heads, sizeof m->template_heads);
}

static void chunk_reset(struct chunk *c)
{
	struct chunk_mark empty = {0};
	chunk_mark_restore(c, &empty);
	memset(c->data, 0, sizeof c->data);
	c->used = CHUNK_HEADER_SIZE;
	c->last_record = 0;
	c->first_id = c->last_id = 0;
	c->records = 0;
}

static void chunk_free(struct chunk *c)
{
	chunk_reset(c);
	free(c->names);
	free(c->templates);
}

/* The name hash Windows stores next to each name: h = h * 65599 + code unit over the UTF-16 code
 * units, low 16 bits kept (verified on every name of the corpus chunks). */
static uint16_t name_hash(const unsigned char *utf16, size_t units)
{
	uint32_t h = 0;
	for (size_t i = 0; i < units; i++)
		h = h * 65599u + (uint32_t)(utf16[2 * i] | utf16[2 * i + 1] << 8);
	return (uint16_t)h;
}

/* ---- BinXML emission ----------------------------------------------------------------------- */

struct value {
	enum value_type type;
	struct bytes data;
	const xmlNode *binxml; /* VT_BINXML: the element written as a nested fragment */
};

struct value_list {
	struct value *items;
	size_t count;
};

static void value_list_free(struct value_list *v)
{
	for (size_t i = 0; i < v->count; i++)
		bytes_free(&v->items[i].data);
	free(v->items);
	v->items = NULL;
	v->count = 0;
}

/* Makes index I exist (as Null) in the list. */
static int value_list_slot(struct value_list *v, size_t i)
{
	if (i < v->count)
		return 0;
	struct value *p = realloc(v->items, (i + 1) * sizeof *p);
	if (!p)
		return -1;
	memset(p + v->count, 0, (i + 1 - v->count) * sizeof *p);
	v->items = p;
	v->count = i + 1;
	return 0;
}

/*
 * One template is emitted twice: as a KEY (names spelled out, values collected) that identifies
 * the template's shape independently of where it lands, and into the CHUNK (names as chunk
 * offsets, inline where new). Both passes run the same code so they cannot disagree.
 */
enum emit_mode { EMIT_KEY, EMIT_CHUNK };

struct emitter {
	struct forge *forge;
	enum emit_mode mode;
	struct bytes *out;
	uint32_t base;		  /* chunk offset of out->data[0] (CHUNK mode) */
	struct chunk *chunk;	  /* CHUNK mode */
	struct value_list *values; /* KEY mode: filled with the substitution values */
	int system_template;	  /* 1: <Event>/<System> template; 0: EventData/UserData template */
	uint16_t next_index;	  /* next substitution index */
};

#define EMIT(call)                                                                                 \
	do {                                                                                       \
		if ((call) < 0)                                                                    \
			return forge_fail(em->forge, "out of memory");                             \
	} while (0)

static int emit_name(struct emitter *em, const char *name)
{
	struct bytes utf16 = {0};
	size_t units = 0;
	int rc = -1;
	if (utf16_append(em->forge, name, &utf16, &units) < 0)
		goto out;
	if (units == 0 || units > 0xffff) {
		forge_fail(em->forge, "name '%.40s' is empty or too long", name);
		goto out;
	}
	if (em->mode == EMIT_KEY) {
		if (bytes_le(em->out, units, 2) < 0 || bytes_put(em->out, utf16.data, utf16.len) < 0)
			goto oom;
		rc = 0;
		goto out;
	}
	struct chunk *c = em->chunk;
	for (size_t i = 0; i < c->name_count; i++) {
		if (c->names[i].units == units && !memcmp(c->names[i].utf16, utf16.data, utf16.len)) {
			if (bytes_le(em->out, c->names[i].offset, 4) < 0)
				goto oom;
			rc = 0;
			goto out;
		}
	}
	/* New in this chunk: the name structure follows its own offset field (measured). New names
	 * go to the head of their bucket's chain (measured: chains run newest first). */
	uint16_t hash = name_hash(utf16.data, units);
	uint32_t offset = em->base + (uint32_t)em->out->len + 4;
	if (bytes_le(em->out, offset, 4) < 0 || bytes_le(em->out, c->string_heads[hash % STRING_BUCKETS], 4) < 0 ||
	    bytes_le(em->out, hash, 2) < 0 || bytes_le(em->out, units, 2) < 0 ||
	    bytes_put(em->out, utf16.data, utf16.len) < 0 || bytes_le(em->out, 0, 2) < 0)
		goto oom;
	if (c->name_count == c->name_cap) {
		size_t cap = c->name_cap ? c->name_cap * 2 : 64;
		struct name_entry *p = realloc(c->names, cap * sizeof *p);
		if (!p)
			goto oom;
		c->names = p;
		c->name_cap = cap;
	}
	c->names[c->name_count++] = (struct name_entry){utf16.data, units, offset};
	utf16.data = NULL;
	c->string_heads[hash % STRING_BUCKETS] = offset;
	rc = 0;
	goto out;
oom:
	forge_fail(em->forge, "out of memory");
out:
	bytes_free(&utf16);
	return rc;
}

/* A literal text value (token 0x05, type String). */
static int emit_literal(struct emitter *em, const char *text)
{
	struct bytes utf16 = {0};
	size_t units = 0;
	if (utf16_append(em->forge, text, &utf16, &units) < 0) {
		bytes_free(&utf16);
		return -1;
	}
	int rc = 0;
	if (units > 0xffff)
		rc = forge_fail(em->forge, "literal text longer than 65535 characters");
	else if (bytes_le(em->out, TOKEN_VALUE, 1) < 0 || bytes_le(em->out, VT_STRING, 1) < 0 ||
		 bytes_le(em->out, units, 2) < 0 || bytes_put(em->out, utf16.data, utf16.len) < 0)
		rc = forge_fail(em->forge, "out of memory");
	bytes_free(&utf16);
	return rc;
}

/* A substitution token; in KEY mode also encodes TEXT as the value at INDEX. */
static int emit_substitution(struct emitter *em, uint8_t token, uint16_t index,
			     enum value_type type, const char *text, const xmlNode *binxml,
			     const char *what)
{
	EMIT(bytes_le(em->out, token, 1));
	EMIT(bytes_le(em->out, index, 2));
	EMIT(bytes_le(em->out, type, 1));
	if (em->mode != EMIT_KEY)
		return 0;
	if (value_list_slot(em->values, index) < 0)
		return forge_fail(em->forge, "out of memory");
	struct value *v = &em->values->items[index];
	if (v->type != VT_NULL || v->binxml)
		return forge_fail(em->forge, "%s: System field appears twice", what);
	v->binxml = binxml;
	if (binxml) {
		v->type = VT_BINXML;
		return 0;
	}
	/* An empty optional value is Null, as Windows writes absent System values (measured); a
	 * normal substitution keeps its type, since libevtx refuses a Null there. */
	v->type = (!*text && token == TOKEN_OPTIONAL_SUBSTITUTION) ? VT_NULL : type;
	if (value_encode(em->forge, v->type, text, &v->data, what) < 0)
		return -1;
	if (v->data.len > MAX_VALUE_SIZE)
		return forge_fail(em->forge, "%s: value larger than 65535 bytes", what);
	return 0;
}

static int is_forge_ns(const xmlNs *ns)
{
	return ns && ns->href && !strcmp((const char *)ns->href, FORGE_NS);
}

static const struct system_field *system_field_find(const char *element, const char *attribute)
{
	for (size_t i = 0; i < sizeof SYSTEM_FIELDS / sizeof SYSTEM_FIELDS[0]; i++) {
		const struct system_field *sf = &SYSTEM_FIELDS[i];
		if (strcmp(sf->element, element))
			continue;
		if ((!attribute && !sf->attribute) ||
		    (attribute && sf->attribute && !strcmp(attribute, sf->attribute)))
			return sf;
	}
	return NULL;
}

/* Qualified name as written in the source: "prefix:local" or "local". */
static int qualified_name(struct emitter *em, const xmlNs *ns, const xmlChar *local, char *buf,
			  size_t len)
{
	int n = ns && ns->prefix
			? snprintf(buf, len, "%s:%s", (const char *)ns->prefix, (const char *)local)
			: snprintf(buf, len, "%s", (const char *)local);
	if (n < 0 || (size_t)n >= len)
		return forge_fail(em->forge, "name '%.40s' too long", (const char *)local);
	return 0;
}

/* One attribute of an element: namespace declarations (xmlns, xmlns:p) and plain attributes. */
struct attribute {
	char name[256];
	const xmlChar *ns_value; /* namespace declaration value, or NULL */
	const xmlAttr *attr;
};

static int element_attributes(struct emitter *em, const xmlNode *el, struct attribute *list,
			      size_t cap, size_t *count)
{
	size_t n = 0;
	for (const xmlNs *ns = el->nsDef; ns; ns = ns->next) {
		if (is_forge_ns(ns))
			continue; /* the forge's own annotations never reach the file */
		if (n == cap)
			return forge_fail(em->forge, "element <%s> has too many attributes",
					  (const char *)el->name);
		int w = ns->prefix ? snprintf(list[n].name, sizeof list[n].name, "xmlns:%s",
					      (const char *)ns->prefix)
				   : snprintf(list[n].name, sizeof list[n].name, "xmlns");
		if (w < 0 || (size_t)w >= sizeof list[n].name)
			return forge_fail(em->forge, "namespace prefix too long");
		list[n].ns_value = ns->href;
		list[n].attr = NULL;
		n++;
	}
	for (const xmlAttr *a = el->properties; a; a = a->next) {
		if (is_forge_ns(a->ns))
			continue;
		if (n == cap)
			return forge_fail(em->forge, "element <%s> has too many attributes",
					  (const char *)el->name);
		if (qualified_name(em, a->ns, a->name, list[n].name, sizeof list[n].name) < 0)
			return -1;
		list[n].ns_value = NULL;
		list[n].attr = a;
		n++;
	}
	*count = n;
	return 0;
}

static int has_element_children(const xmlNode *el)
{
	for (const xmlNode *c = el->children; c; c = c->next)
		if (c->type == XML_ELEMENT_NODE)
			return 1;
	return 0;
}

/* Text directly inside EL (text and CDATA children), or NULL when out of memory. */
static char *element_text(const xmlNode *el)
{
	struct bytes b = {0};
	for (const xmlNode *c = el->children; c; c = c->next) {
		if ((c->type == XML_TEXT_NODE || c->type == XML_CDATA_SECTION_NODE) && c->content) {
			if (bytes_put(&b, c->content, strlen((const char *)c->content)) < 0) {
				bytes_free(&b);
				return NULL;
			}
		}
	}
	if (bytes_zero(&b, 1) < 0) {
		bytes_free(&b);
		return NULL;
	}
	return (char *)b.data;
}

static int emit_element(struct emitter *em, const xmlNode *el, int depth, int in_system);

/* Content of EL between its start and end tags. */
static int emit_content(struct emitter *em, const xmlNode *el, int depth, int in_system,
			const char *text, int *empty)
{
	char what[300];
	snprintf(what, sizeof what, "<%.100s>", (const char *)el->name);
	if (has_element_children(el)) {
		*empty = 0;
		for (const xmlNode *c = el->children; c; c = c->next) {
			if (c->type == XML_ELEMENT_NODE) {
				if (emit_element(em, c, depth + 1, in_system) < 0)
					return -1;
			} else if ((c->type == XML_TEXT_NODE || c->type == XML_CDATA_SECTION_NODE) &&
				   c->content && !is_blank((const char *)c->content)) {
				/* mixed content: keep the text, as literal */
				if (emit_literal(em, (const char *)c->content) < 0)
					return -1;
			}
		}
		return 0;
	}
	xmlChar *forced = xmlGetNsProp(el, (const xmlChar *)"type", (const xmlChar *)FORGE_NS);
	enum value_type type = VT_STRING;
	int rc = 0;
	if (forced && forge_type_lookup((const char *)forced, &type) < 0) {
		rc = forge_fail(em->forge, "%s: unknown forge:type '%.40s'", what,
				(const char *)forced);
		goto out;
	}
	if (in_system) {
		const struct system_field *sf = system_field_find((const char *)el->name, NULL);
		if (sf) {
			*empty = 0;
			rc = emit_substitution(em, TOKEN_OPTIONAL_SUBSTITUTION, sf->index,
					       forced ? type : sf->type, text, NULL, what);
		} else if (*text) {
			*empty = 0;
			rc = emit_literal(em, text);
		} else {
			*empty = 1;
		}
		goto out;
	}
	/* EventData/UserData leaf: always a substitution. An empty value is an empty String, as
	 * Windows writes it (measured: 4624 WorkstationName); a forced Null needs the optional
	 * substitution token, the only one whose value may be Null. */
	if (!forced)
		type = value_infer_type(text);
	*empty = 0;
	rc = emit_substitution(em,
			       type == VT_NULL ? TOKEN_OPTIONAL_SUBSTITUTION : TOKEN_NORMAL_SUBSTITUTION,
			       em->next_index++, type, text, NULL, what);
out:
	xmlFree(forced);
	return rc;
}

static int emit_element(struct emitter *em, const xmlNode *el, int depth, int in_system)
{
	if (depth > MAX_ELEMENT_DEPTH)
		return forge_fail(em->forge, "elements nested deeper than %d", MAX_ELEMENT_DEPTH);
	if (em->next_index == 0xffff)
		return forge_fail(em->forge, "too many values in one event");
	char name[256];
	if (qualified_name(em, el->ns, el->name, name, sizeof name) < 0)
		return -1;
	struct attribute attrs[32];
	size_t attr_count = 0;
	if (element_attributes(em, el, attrs, 32, &attr_count) < 0)
		return -1;
	char *text = has_element_children(el) ? NULL : element_text(el);
	if (!has_element_children(el) && !text)
		return forge_fail(em->forge, "out of memory");
	int rc = -1;

	uint16_t dependency = 0xffff;
	if (in_system) {
		const struct system_field *sf = system_field_find((const char *)el->name, NULL);
		if (sf)
			dependency = sf->dependency;
	}
	if (bytes_le(em->out, TOKEN_OPEN_START_ELEMENT | (attr_count ? TOKEN_MORE_BIT : 0), 1) < 0 ||
	    bytes_le(em->out, dependency, 2) < 0)
		goto oom;
	size_t size_at = em->out->len;
	if (bytes_le(em->out, 0, 4) < 0)
		goto oom;
	if (emit_name(em, name) < 0)
		goto out;
	if (attr_count) {
		size_t list_at = em->out->len;
		if (bytes_le(em->out, 0, 4) < 0)
			goto oom;
		for (size_t i = 0; i < attr_count; i++) {
			/* measured: 0x46 for every attribute but the last, which is 0x06 */
			uint8_t token = TOKEN_ATTRIBUTE | (i + 1 < attr_count ? TOKEN_MORE_BIT : 0);
			if (bytes_le(em->out, token, 1) < 0)
				goto oom;
			if (emit_name(em, attrs[i].name) < 0)
				goto out;
			xmlChar *value = attrs[i].attr ? xmlNodeListGetString(el->doc,
									     attrs[i].attr->children, 1)
						       : xmlStrdup(attrs[i].ns_value);
			const char *v = value ? (const char *)value : "";
			const struct system_field *sf =
				in_system && attrs[i].attr && !attrs[i].attr->ns
					? system_field_find((const char *)el->name,
							    (const char *)attrs[i].attr->name)
					: NULL;
			char what[300];
			snprintf(what, sizeof what, "<%.100s %.100s>", (const char *)el->name, attrs[i].name);
			int r = sf ? emit_substitution(em, TOKEN_OPTIONAL_SUBSTITUTION, sf->index,
						       sf->type, v, NULL, what)
				   : emit_literal(em, v);
			xmlFree(value);
			if (r < 0)
				goto out;
		}
		le_store(em->out->data + list_at, em->out->len - list_at - 4, 4);
	}
	int empty = 0;
	size_t close_at = em->out->len;
	if (bytes_le(em->out, TOKEN_CLOSE_START_ELEMENT, 1) < 0)
		goto oom;
	if (emit_content(em, el, depth, in_system, text ? text : "", &empty) < 0)
		goto out;
	if (empty) {
		em->out->data[close_at] = TOKEN_CLOSE_EMPTY_ELEMENT;
	} else if (bytes_le(em->out, TOKEN_END_ELEMENT, 1) < 0) {
		goto oom;
	}
	/* measured: the size counts from after the size field to the end of the element */
	le_store(em->out->data + size_at, em->out->len - size_at - 4, 4);
	rc = 0;
	goto out;
oom:
	forge_fail(em->forge, "out of memory");
out:
	free(text);
	return rc;
}

/* The <Event> element of the System template: xmlns, <System>, then one BinXml substitution per
 * further element (EventData, UserData, ...). */
static int emit_event_element(struct emitter *em, const xmlNode *event)
{
	size_t extra = 0;
	for (const xmlNode *c = event->children; c; c = c->next)
		if (c->type == XML_ELEMENT_NODE && strcmp((const char *)c->name, "System"))
			extra++;
	struct attribute attrs[32];
	size_t attr_count = 0;
	if (element_attributes(em, event, attrs, 32, &attr_count) < 0)
		return -1;
	/* measured: <Event> depends on the first BinXml value (index 17) when there is one */
	uint16_t dependency = extra ? SYSTEM_VALUE_COUNT : 0xffff;
	EMIT(bytes_le(em->out, TOKEN_OPEN_START_ELEMENT | (attr_count ? TOKEN_MORE_BIT : 0), 1));
	EMIT(bytes_le(em->out, dependency, 2));
	size_t size_at = em->out->len;
	EMIT(bytes_le(em->out, 0, 4));
	char name[256];
	if (qualified_name(em, event->ns, event->name, name, sizeof name) < 0 ||
	    emit_name(em, name) < 0)
		return -1;
	if (attr_count) {
		size_t list_at = em->out->len;
		EMIT(bytes_le(em->out, 0, 4));
		for (size_t i = 0; i < attr_count; i++) {
			uint8_t token = TOKEN_ATTRIBUTE | (i + 1 < attr_count ? TOKEN_MORE_BIT : 0);
			EMIT(bytes_le(em->out, token, 1));
			if (emit_name(em, attrs[i].name) < 0)
				return -1;
			xmlChar *value = attrs[i].attr ? xmlNodeListGetString(event->doc,
									     attrs[i].attr->children, 1)
						       : xmlStrdup(attrs[i].ns_value);
			int r = emit_literal(em, value ? (const char *)value : "");
			xmlFree(value);
			if (r < 0)
				return -1;
		}
		le_store(em->out->data + list_at, em->out->len - list_at - 4, 4);
	}
	EMIT(bytes_le(em->out, TOKEN_CLOSE_START_ELEMENT, 1));
	uint16_t next_binxml = SYSTEM_VALUE_COUNT;
	for (const xmlNode *c = event->children; c; c = c->next) {
		if (c->type != XML_ELEMENT_NODE)
			continue;
		if (!strcmp((const char *)c->name, "System")) {
			if (emit_element(em, c, 1, 1) < 0)
				return -1;
		} else {
			char what[300];
			snprintf(what, sizeof what, "<%.100s>", (const char *)c->name);
			if (emit_substitution(em, TOKEN_OPTIONAL_SUBSTITUTION, next_binxml++,
					      VT_BINXML, "", c, what) < 0)
				return -1;
		}
	}
	EMIT(bytes_le(em->out, TOKEN_END_ELEMENT, 1));
	le_store(em->out->data + size_at, em->out->len - size_at - 4, 4);
	return 0;
}

/* Template body: fragment header, the element, end of stream. */
static int emit_template_body(struct emitter *em, const xmlNode *node)
{
	static const unsigned char fragment[4] = {TOKEN_FRAGMENT_HEADER, 1, 1, 0};
	EMIT(bytes_put(em->out, fragment, 4));
	if (em->system_template) {
		if (emit_event_element(em, node) < 0)
			return -1;
	} else if (emit_element(em, node, 0, 0) < 0) {
		return -1;
	}
	EMIT(bytes_le(em->out, TOKEN_EOF, 1));
	return 0;
}

/* Template GUID from its shape, so one shape keeps one GUID across chunks and runs (Windows
 * derives its template GUIDs from the template too; its exact function is not known). */
static void template_guid(const struct bytes *key, unsigned char guid[16])
{
	for (unsigned i = 0; i < 4; i++) {
		unsigned char salt[4] = {'S', 'T', 'F', (unsigned char)('0' + i)};
		uLong crc = crc32(0L, salt, 4);
		crc = crc32(crc, key->data, (uInt)key->len);
		le_store(guid + 4 * i, crc, 4);
	}
}

/*
 * A BinXML fragment for NODE at the end of OUT (whose first byte sits at chunk offset BASE):
 * fragment header, TemplateInstance (definition inline when new to the chunk), the values
 * (BinXml values recursively as fragments), end of stream.
 */
static int emit_fragment(struct forge *f, struct chunk *c, struct bytes *out, uint32_t base,
			 const xmlNode *node, int system_template)
{
	struct bytes key = {0};
	struct value_list values = {0};
	struct emitter key_em = {f, EMIT_KEY, &key, 0, NULL, &values, system_template, 0};
	struct emitter em = {f, EMIT_CHUNK, out, base, c, NULL, system_template, 0};
	int rc = -1;
	if (emit_template_body(&key_em, node) < 0)
		goto out;
	if (system_template && value_list_slot(&values, SYSTEM_VALUE_COUNT - 1) < 0)
		goto oom;

	const struct template_entry *tpl = NULL;
	for (size_t i = 0; i < c->template_count && !tpl; i++)
		if (c->templates[i].key_len == key.len && !memcmp(c->templates[i].key, key.data, key.len))
			tpl = &c->templates[i];

	static const unsigned char head[6] = {TOKEN_FRAGMENT_HEADER, 1, 1, 0, TOKEN_TEMPLATE_INSTANCE, 1};
	if (bytes_put(out, head, 6) < 0)
		goto oom;
	if (tpl) {
		if (bytes_le(out, tpl->id, 4) < 0 || bytes_le(out, tpl->offset, 4) < 0)
			goto oom;
	} else {
		unsigned char guid[16];
		template_guid(&key, guid);
		/* measured: the instance's template id is the first four bytes of the GUID */
		uint32_t id = (uint32_t)(guid[0] | guid[1] << 8 | guid[2] << 16 | (uint32_t)guid[3] << 24);
		uint32_t offset = base + (uint32_t)out->len + 8;
		/* the bucket function Windows uses is not known; id mod 32 spreads them as well */
		uint32_t bucket = id % TEMPLATE_BUCKETS;
		if (bytes_le(out, id, 4) < 0 || bytes_le(out, offset, 4) < 0 ||
		    bytes_le(out, c->template_heads[bucket], 4) < 0 || bytes_put(out, guid, 16) < 0)
			goto oom;
		size_t size_at = out->len;
		if (bytes_le(out, 0, 4) < 0)
			goto oom;
		if (emit_template_body(&em, node) < 0)
			goto out;
		le_store(out->data + size_at, out->len - size_at - 4, 4);
		if (c->template_count == c->template_cap) {
			size_t cap = c->template_cap ? c->template_cap * 2 : 16;
			struct template_entry *p = realloc(c->templates, cap * sizeof *p);
			if (!p)
				goto oom;
			c->templates = p;
			c->template_cap = cap;
		}
		c->templates[c->template_count++] = (struct template_entry){key.data, key.len, offset, id};
		key.data = NULL;
		c->template_heads[bucket] = offset;
	}

	if (bytes_le(out, values.count, 4) < 0)
		goto oom;
	size_t descriptors_at = out->len;
	for (size_t i = 0; i < values.count; i++) {
		if (bytes_le(out, values.items[i].data.len, 2) < 0 ||
		    bytes_le(out, values.items[i].type, 1) < 0 || bytes_le(out, 0, 1) < 0)
			goto oom;
	}
	for (size_t i = 0; i < values.count; i++) {
		const struct value *v = &values.items[i];
		if (v->type != VT_BINXML) {
			if (bytes_put(out, v->data.data, v->data.len) < 0)
				goto oom;
			continue;
		}
		size_t start = out->len;
		if (emit_fragment(f, c, out, base, v->binxml, 0) < 0)
			goto out;
		if (out->len - start > MAX_VALUE_SIZE) {
			forge_fail(f, "<%s> is larger than 65535 bytes of BinXML",
				   (const char *)v->binxml->name);
			goto out;
		}
		le_store(out->data + descriptors_at + 4 * i, out->len - start, 2);
	}
	if (bytes_le(out, TOKEN_EOF, 1) < 0)
		goto oom;
	rc = 0;
	goto out;
oom:
	forge_fail(f, "out of memory");
out:
	bytes_free(&key);
	value_list_free(&values);
	return rc;
}

/* ---- events and records -------------------------------------------------------------------- */

static int is_element(const xmlNode *n, const char *name)
{
	return n && n->type == XML_ELEMENT_NODE && !strcmp((const char *)n->name, name);
}

static const xmlNode *child_element(const xmlNode *parent, const char *name)
{
	for (const xmlNode *c = parent->children; c; c = c->next)
		if (is_element(c, name))
			return c;
	return NULL;
}

/* Record id and written time, both taken from <System> as the brief requires
 * (EventRecordID; TimeCreated/@SystemTime to 100 ns). */
static int event_header_fields(struct forge *f, const xmlNode *event, uint64_t fallback_id,
			       uint64_t *id, uint64_t *written)
{
	const xmlNode *system = child_element(event, "System");
	if (!system)
		return forge_fail(f, "<Event> has no <System>");
	*id = fallback_id;
	*written = 0;
	const xmlNode *rid = child_element(system, "EventRecordID");
	if (rid) {
		xmlChar *t = xmlNodeGetContent(rid);
		int bad = !t || parse_unsigned((const char *)t, UINT64_MAX, id) < 0;
		if (bad)
			forge_fail(f, "EventRecordID '%.40s' is not a number", t ? (const char *)t : "");
		xmlFree(t);
		if (bad)
			return -1;
	}
	const xmlNode *tc = child_element(system, "TimeCreated");
	if (tc) {
		xmlChar *t = xmlGetProp(tc, (const xmlChar *)"SystemTime");
		int bad = t && parse_filetime((const char *)t, written) < 0;
		if (bad)
			forge_fail(f, "TimeCreated SystemTime '%.40s' is not a time", (const char *)t);
		xmlFree(t);
		if (bad)
			return -1;
	}
	return 0;
}

/* Encodes one record for chunk offset BASE into REC. */
static int encode_record(struct forge *f, struct chunk *c, const xmlNode *event, uint64_t id,
			 uint64_t written, struct bytes *rec)
{
	uint32_t base = c->used;
	rec->len = 0;
	if (bytes_le(rec, 0x00002a2a, 4) < 0 || bytes_le(rec, 0, 4) < 0 || bytes_le(rec, id, 8) < 0 ||
	    bytes_le(rec, written, 8) < 0)
		return forge_fail(f, "out of memory");
	if (emit_fragment(f, c, rec, base, event, 1) < 0)
		return -1;
	/* measured: records are 8-byte aligned, the size repeated in the last four bytes */
	size_t pad = (8 - (rec->len + 4) % 8) % 8;
	if (bytes_zero(rec, pad) < 0 || bytes_le(rec, rec->len + 4, 4) < 0)
		return forge_fail(f, "out of memory");
	le_store(rec->data + 4, rec->len, 4);
	return 0;
}

/* ---- output: each chunk written to the file when it is full --------------------------------- */

/*
 * The file is written to OUT.part and renamed to OUT once complete, so a source that fails half
 * way leaves no output (nor a half-written log under the name a test or a user would read).
 */
struct evtx_output {
	FILE *fp;
	char *part_path;
	uint64_t size;
};

static int evtx_output_open(struct forge *f, struct evtx_output *o, const char *path)
{
	static const unsigned char zeros[FILE_HEADER_BLOCK];
	size_t len = strlen(path);
	memset(o, 0, sizeof *o);
	o->part_path = malloc(len + sizeof ".part");
	if (!o->part_path)
		return forge_fail(f, "out of memory");
	memcpy(o->part_path, path, len);
	memcpy(o->part_path + len, ".part", sizeof ".part");
	o->fp = fopen(o->part_path, "wb");
	if (!o->fp)
		return forge_fail(f, "cannot create %s: %s", o->part_path, strerror(errno));
	/* the file header, rewritten once the chunk count and the next record number are known */
	if (fwrite(zeros, 1, sizeof zeros, o->fp) != sizeof zeros)
		return forge_fail(f, "cannot write %s: %s", o->part_path, strerror(errno));
	o->size = sizeof zeros;
	return 0;
}

static int evtx_output_append(struct forge *f, struct evtx_output *o, const void *data, size_t len)
{
	if (fwrite(data, 1, len, o->fp) != len)
		return forge_fail(f, "cannot write %s: %s", o->part_path, strerror(errno));
	o->size += len;
	return 0;
}

/* Writes HEADER over the first block, cuts the file to SIZE bytes and renames it to PATH. */
static int evtx_output_finish(struct forge *f, struct evtx_output *o, const unsigned char *header,
			      uint64_t size, const char *path)
{
	if (fseek(o->fp, 0, SEEK_SET) != 0 || fwrite(header, 1, FILE_HEADER_BLOCK, o->fp) != FILE_HEADER_BLOCK ||
	    fflush(o->fp) != 0 || (size < o->size && ftruncate(fileno(o->fp), (off_t)size) != 0))
		return forge_fail(f, "cannot write %s: %s", o->part_path, strerror(errno));
	int closed = fclose(o->fp);
	o->fp = NULL;
	if (closed != 0)
		return forge_fail(f, "cannot write %s: %s", o->part_path, strerror(errno));
	if (rename(o->part_path, path) != 0)
		return forge_fail(f, "cannot create %s: %s", path, strerror(errno));
	free(o->part_path);
	o->part_path = NULL;
	return 0;
}

/* Drops what evtx_output_finish did not complete. */
static void evtx_output_discard(struct evtx_output *o)
{
	if (o->fp)
		fclose(o->fp);
	if (o->part_path)
		unlink(o->part_path);
	free(o->part_path);
	memset(o, 0, sizeof *o);
}

/* Writes the chunk header (libyal: 512 bytes, tables at 128 and 384) and appends the chunk. */
static int chunk_finish(struct forge *f, struct chunk *c, struct evtx_output *file, unsigned damage,
			size_t chunk_index)
{
	unsigned char *h = c->data;
	memcpy(h, "ElfChnk", 8);
	le_store(h + 8, c->first_id, 8);  /* first event record number */
	le_store(h + 16, c->last_id, 8);  /* last event record number */
	le_store(h + 24, c->first_id, 8); /* first event record identifier */
	le_store(h + 32, c->last_id, 8);  /* last event record identifier */
	le_store(h + 40, 128, 4);
	le_store(h + 44, c->last_record, 4);
	le_store(h + 48, c->used, 4);
	if ((damage & EVTX_DAMAGE_ZERO_RECORD) && chunk_index == 0 && c->records >= 3) {
		/* Zero the middle record before the checksums: a consistent chunk with a hole,
		 * so readers meet the hole itself (combine with CHUNK_CRC for a stale CRC too). */
		uint32_t off = CHUNK_HEADER_SIZE;
		for (size_t i = 0; i < c->records / 2; i++)
			off += (uint32_t)(c->data[off + 4] | c->data[off + 5] << 8 |
					  c->data[off + 6] << 16 | (uint32_t)c->data[off + 7] << 24);
		uint32_t size = (uint32_t)(c->data[off + 4] | c->data[off + 5] << 8 |
					   c->data[off + 6] << 16 | (uint32_t)c->data[off + 7] << 24);
		memset(c->data + off, 0, size);
	}
	uLong records_crc = crc32(0L, c->data + CHUNK_HEADER_SIZE, c->used - CHUNK_HEADER_SIZE);
	if ((damage & EVTX_DAMAGE_CHUNK_CRC) && chunk_index == 0)
		records_crc ^= 0xffffffffUL;
	le_store(h + 52, records_crc, 4);
	le_store(h + 120, 1, 4); /* measured: 1 in every chunk of the corpus */
	for (unsigned i = 0; i < STRING_BUCKETS; i++)
		le_store(h + 128 + 4 * i, c->string_heads[i], 4);
	for (unsigned i = 0; i < TEMPLATE_BUCKETS; i++)
		le_store(h + 384 + 4 * i, c->template_heads[i], 4);
	uLong header_crc = crc32(0L, h, 120);
	header_crc = crc32(header_crc, h + 128, CHUNK_HEADER_SIZE - 128);
	le_store(h + 124, header_crc, 4);
	return evtx_output_append(f, file, c->data, CHUNK_SIZE);
}

static void file_header_write(unsigned char *h, size_t chunks, uint64_t next_id, unsigned damage)
{
	memset(h, 0, FILE_HEADER_BLOCK);
	memcpy(h, "ElfFile", 8);
	le_store(h + 8, 0, 8);
	le_store(h + 16, chunks ? chunks - 1 : 0, 8);
	le_store(h + 24, next_id, 8);
	le_store(h + 32, FILE_HEADER_SIZE, 4);
	le_store(h + 36, 1, 2); /* minor version: python-evtx verifies 3.1 */
	le_store(h + 38, 3, 2);
	le_store(h + 40, FILE_HEADER_BLOCK, 2);
	le_store(h + 42, chunks, 2);
	le_store(h + 120, (damage & EVTX_DAMAGE_DIRTY_HEADER) ? 1 : 0, 4); /* 1 = dirty */
	le_store(h + 124, crc32(0L, h, 120), 4);
}

/* ---- input: one <Event> at a time ----------------------------------------------------------- */

/*
 * The events of the XML in document order, read with libxml2's xmlTextReader: each <Event> is
 * expanded into a tree of its own, written, and freed by the reader when it moves past it, so
 * the forge holds one event at a time whatever the length of the log (a 400,000-record source
 * read whole as one document took 7.2 GB). The events are the root itself, or the children of
 * an <Events> root.
 */
struct event_reader {
	xmlTextReader *reader;
	int skip_subtree;    /* the last event was handed out: move past it, not into it */
	int seen_root;       /* an element was read */
	char xml_error[200]; /* libxml2's first error message, without its newline */
	int xml_error_line;
};

/* libxml2 reports every problem of the document here (XML_PARSE_NOERROR keeps stderr quiet);
 * the first error is kept: the ones after it are often its consequences. */
static void event_reader_on_error(void *data, xmlErrorPtr error)
{
	struct event_reader *r = data;
	if (!error || error->level < XML_ERR_ERROR || r->xml_error[0])
		return;
	snprintf(r->xml_error, sizeof r->xml_error, "%s", error->message ? error->message : "");
	r->xml_error[strcspn(r->xml_error, "\n")] = '\0';
	r->xml_error_line = error->line;
}

static int event_reader_open(struct forge *f, struct event_reader *r, const char *path)
{
	memset(r, 0, sizeof *r);
	/* No network, no DTD loading, no messages on stderr: errors come back through ERR. */
	r->reader = xmlReaderForFile(path, NULL, XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
	if (!r->reader)
		return forge_fail(f, "cannot read %s: %s", path, strerror(errno));
	xmlTextReaderSetStructuredErrorHandler(r->reader, event_reader_on_error, r);
	return 0;
}

static void event_reader_close(struct event_reader *r)
{
	if (r->reader)
		xmlFreeTextReader(r->reader);
	r->reader = NULL;
}

/* Replaces R's error with the one libxml2's whole-document parser gives for PATH. */
static void document_error(struct event_reader *r, const char *path)
{
	xmlParserCtxt *ctxt = xmlNewParserCtxt();
	if (!ctxt)
		return;
	xmlDoc *doc = xmlCtxtReadFile(ctxt, path, NULL, XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
	const xmlError *e = xmlCtxtGetLastError(ctxt);
	if (!doc && e && e->message) {
		snprintf(r->xml_error, sizeof r->xml_error, "%s", e->message);
		r->xml_error[strcspn(r->xml_error, "\n")] = '\0';
		r->xml_error_line = e->line;
	}
	xmlFreeDoc(doc);
	xmlFreeParserCtxt(ctxt);
}

/* The next <Event> of the file PATH: 1 with *EVENT set (valid until the next call), 0 after the last one, -1 on an
 * error (a document that is not well-formed, a root or a child that is not an event). */
static int event_reader_next(struct forge *f, struct event_reader *r, const char *path,
			     const xmlNode **event)
{
	int more = r->skip_subtree ? xmlTextReaderNext(r->reader) : xmlTextReaderRead(r->reader);
	r->skip_subtree = 0;
	for (; more == 1; more = xmlTextReaderRead(r->reader)) {
		if (xmlTextReaderNodeType(r->reader) != XML_READER_TYPE_ELEMENT)
			continue;
		const char *name = (const char *)xmlTextReaderConstLocalName(r->reader);
		r->seen_root = 1;
		if (xmlTextReaderDepth(r->reader) == 0) {
			if (name && !strcmp(name, "Events"))
				continue; /* its children are the events */
			if (!name || strcmp(name, "Event"))
				return forge_fail(f, "root element is <%s>, expected <Events> or <Event>",
						  name ? name : "");
		} else if (!name || strcmp(name, "Event")) {
			return forge_fail(f, "<Events> holds <%s>, expected <Event>", name ? name : "");
		}
		const xmlNode *node = xmlTextReaderExpand(r->reader);
		if (!node)
			break; /* the event is not well-formed: reported below */
		r->skip_subtree = 1;
		*event = node;
		return 1;
	}
	if (more == 0 && !r->xml_error[0])
		return 0;
	/* libxml2 2.9's reader calls any document that fails before its root element is read (an
	 * empty file, text before the root, junk after a short one) "Extra content at the end of
	 * the document"; the whole-document parser says what is wrong. It stops at that error, which
	 * comes before the first element the reader could read, so what it holds stays small. */
	if (!r->seen_root)
		document_error(r, path);
	return forge_fail(f, "not well-formed XML: %s (line %d)", r->xml_error, r->xml_error_line);
}

int evtx_forge_file(const char *xml_path, const char *out_path, unsigned damage, char *err,
		    size_t err_len)
{
	struct forge f = {err, err_len, (iconv_t)-1, 0};
	struct bytes rec = {0};
	struct chunk *chunk = NULL;
	struct event_reader events = {0};
	struct evtx_output output = {0};
	const xmlNode *event = NULL;
	unsigned char header[FILE_HEADER_BLOCK];
	size_t event_count = 0, chunk_count = 0;
	uint64_t last_id = 0, last_chunk_at = 0;
	uint32_t last_chunk_record = 0, last_chunk_record_size = 0;
	int more, rc = -1;

	if (err && err_len)
		err[0] = '\0';
	if (!xml_path || !out_path) {
		forge_fail(&f, "missing input or output path");
		goto out;
	}
	f.to_utf16 = iconv_open("UTF-16LE", "UTF-8");
	if (f.to_utf16 == (iconv_t)-1) {
		forge_fail(&f, "iconv cannot convert UTF-8 to UTF-16LE");
		goto out;
	}
	chunk = calloc(1, sizeof *chunk);
	if (!chunk) {
		forge_fail(&f, "out of memory");
		goto out;
	}
	chunk_reset(chunk);
	if (event_reader_open(&f, &events, xml_path) < 0 || evtx_output_open(&f, &output, out_path) < 0)
		goto out;
	while ((more = event_reader_next(&f, &events, xml_path, &event)) == 1) {
		f.event_number = ++event_count;
		uint64_t xml_id = 0, written = 0;
		if (event_header_fields(&f, event, last_id + 1, &xml_id, &written) < 0)
			goto out;
		/* Record numbers in a file are consecutive (libevtx calls a file with a gap corrupted),
		 * so the header takes EventRecordID for the first event and counts on from there. A
		 * source whose ids skip keeps them in the XML only, as in a log Windows saved from a
		 * filtered view (measured: exported corpus logs show header 1 / EventRecordID 563265). */
		uint64_t id = event_count == 1 ? xml_id : last_id + 1;
		struct chunk_mark mark;
		chunk_mark_save(chunk, &mark);
		if (encode_record(&f, chunk, event, id, written, &rec) < 0)
			goto out;
		/* A record must end before the chunk does: libevtx 20181227 does not read a record
		 * that ends exactly at offset 65536 (measured with the benchmark's 200,000-record log:
		 * 29 such records unread by libevtx, read by python-evtx), so the forge never writes
		 * one. */
		if (chunk->used + rec.len >= CHUNK_SIZE) {
			if (chunk->records == 0) {
				forge_fail(&f, "record of %zu bytes does not fit in a 64 KiB chunk", rec.len);
				goto out;
			}
			chunk_mark_restore(chunk, &mark);
			if (chunk_finish(&f, chunk, &output, damage, chunk_count) < 0)
				goto out;
			/* the file header counts chunks in 16 bits, and this record opens one more */
			if (++chunk_count == 0xffff) {
				forge_fail(&f, "more than 65535 chunks");
				goto out;
			}
			chunk_reset(chunk);
			if (encode_record(&f, chunk, event, id, written, &rec) < 0)
				goto out;
			if (chunk->used + rec.len >= CHUNK_SIZE) {
				forge_fail(&f, "record of %zu bytes does not fit in a 64 KiB chunk", rec.len);
				goto out;
			}
		}
		memcpy(chunk->data + chunk->used, rec.data, rec.len);
		if (chunk->records == 0)
			chunk->first_id = id;
		chunk->last_id = id;
		chunk->last_record = chunk->used;
		chunk->used += (uint32_t)rec.len;
		chunk->records++;
		last_id = id;
		f.event_number = 0;
	}
	if (more < 0)
		goto out;
	if (event_count == 0) {
		forge_fail(&f, "no <Event> elements");
		goto out;
	}
	last_chunk_at = output.size;
	last_chunk_record = chunk->last_record;
	last_chunk_record_size = chunk->used - chunk->last_record;
	if (chunk_finish(&f, chunk, &output, damage, chunk_count) < 0)
		goto out;
	chunk_count++;
	file_header_write(header, chunk_count, last_id + 1, damage);
	/* TRUNCATE_LAST cuts through the middle of the final chunk's last record. */
	uint64_t size = damage & EVTX_DAMAGE_TRUNCATE_LAST
			       ? last_chunk_at + last_chunk_record + last_chunk_record_size / 2
			       : output.size;
	if (evtx_output_finish(&f, &output, header, size, out_path) < 0)
		goto out;
	rc = 0;
out:
	evtx_output_discard(&output);
	event_reader_close(&events);
	if (chunk)
		chunk_free(chunk);
	free(chunk);
	bytes_free(&rec);
	if (f.to_utf16 != (iconv_t)-1)
		iconv_close(f.to_utf16);
	return rc;
}
