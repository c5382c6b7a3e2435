/*
 * taskcache.c - decoders of the TaskCache values Actions, DynamicInfo and Triggers, and the
 * hidden/orphaned-task cross-checks (METHOD.md §4.2). Interface and ownership: taskcache.h.
 *
 * All reads go through struct cursor, which checks every length against what is left of the
 * buffer; the first failed check stops decoding and leaves its reason (with the offset) for the
 * caller. What was decoded before the failure is kept.
 */
#include "parsers/taskcache.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "strbuf.h"

#define FALLBACK_MIN_CHARS 4 /* §4.2: fallback lists UTF-16LE strings of >= 4 characters */
#define FALLBACK_MAX_STRINGS 256
#define ACTIONS_MAX 64       /* Task Scheduler allows 32 actions per task */
#define TRIGGERS_MAX 256     /* and 48 triggers */
#define EMAIL_LIST_MAX 4096  /* bound on attachment/header counts read from evidence */

struct cursor {
	const uint8_t *data;
	size_t size, pos;
	int failed;          /* a check failed or memory ran out; REASON says which */
	char reason[192];
};

static void cursor_fail(struct cursor *c, const char *format, ...) __attribute__((format(printf, 2, 3)));

static void cursor_fail(struct cursor *c, const char *format, ...)
{
	va_list args;
	char text[160];

	if (c->failed)
		return;
	c->failed = 1;
	va_start(args, format);
	vsnprintf(text, sizeof text, format, args);
	va_end(args);
	snprintf(c->reason, sizeof c->reason, "%s (offset 0x%zx of %zu bytes)", text, c->pos, c->size);
}

/* 0 when N more bytes are available, else -1 and the cursor fails naming WHAT. */
static int cursor_need(struct cursor *c, size_t n, const char *what)
{
	if (c->failed)
		return -1;
	if (n > c->size - c->pos) {
		cursor_fail(c, "%s: needs %zu bytes, %zu left", what, n, c->size - c->pos);
		return -1;
	}
	return 0;
}

static uint32_t le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint64_t le64(const uint8_t *p)
{
	return le32(p) | (uint64_t)le32(p + 4) << 32;
}

static uint8_t read_u8(struct cursor *c, const char *what)
{
	if (cursor_need(c, 1, what))
		return 0;
	return c->data[c->pos++];
}

static uint16_t read_u16(struct cursor *c, const char *what)
{
	uint16_t v;

	if (cursor_need(c, 2, what))
		return 0;
	v = (uint16_t)(c->data[c->pos] | c->data[c->pos + 1] << 8);
	c->pos += 2;
	return v;
}

static uint32_t read_u32(struct cursor *c, const char *what)
{
	uint32_t v;

	if (cursor_need(c, 4, what))
		return 0;
	v = le32(c->data + c->pos);
	c->pos += 4;
	return v;
}

static uint64_t read_u64(struct cursor *c, const char *what)
{
	uint64_t v;

	if (cursor_need(c, 8, what))
		return 0;
	v = le64(c->data + c->pos);
	c->pos += 8;
	return v;
}

static void skip(struct cursor *c, size_t n, const char *what)
{
	if (!cursor_need(c, n, what))
		c->pos += n;
}

/* "aligned" fields take 8 bytes: the value, then padding whose content is not checked (§4.2). */
static uint32_t read_aligned_u32(struct cursor *c, const char *what)
{
	uint32_t v;

	if (cursor_need(c, 8, what))
		return 0;
	v = le32(c->data + c->pos);
	c->pos += 8;
	return v;
}

static uint8_t read_aligned_u8(struct cursor *c, const char *what)
{
	uint8_t v;

	if (cursor_need(c, 8, what))
		return 0;
	v = c->data[c->pos];
	c->pos += 8;
	return v;
}

/* Skips to the next multiple of 8 from the buffer start; padding cut off at the end is tolerated. */
static void skip_to_8(struct cursor *c)
{
	size_t pad = (8 - c->pos % 8) % 8;

	if (c->failed)
		return;
	c->pos = pad > c->size - c->pos ? c->size : c->pos + pad;
}


/* UTF-16LE (SIZE bytes; a NUL or an odd last byte ends it) to a malloc'd UTF-8 string; unpaired
 * surrogates become U+FFFD. NULL on allocation failure. */
static char *utf16le_to_utf8(const uint8_t *data, size_t size)
{
	struct strbuf sb = STRBUF_INIT;

	strbuf_append(&sb, "", 0);
	strbuf_append_utf16le(&sb, data, size / 2);
	if (strbuf_failed(&sb)) {
		strbuf_free(&sb);
		return NULL;
	}
	return strbuf_detach(&sb);
}

/* LENGTH bytes of UTF-16LE at the cursor, as UTF-8. */
static char *read_utf16(struct cursor *c, size_t length, const char *what)
{
	char *text;

	if (cursor_need(c, length, what))
		return NULL;
	text = utf16le_to_utf8(c->data + c->pos, length);
	if (!text) {
		cursor_fail(c, "out of memory");
		return NULL;
	}
	c->pos += length;
	return text;
}

/* bstr: u32 byte length + UTF-16LE, no terminator (§4.2). */
static char *read_bstr(struct cursor *c, const char *what)
{
	uint32_t length = read_u32(c, what);

	if (c->failed)
		return NULL;
	if (length % 2) {
		c->pos -= 4;
		cursor_fail(c, "%s: odd string length %u", what, length);
		return NULL;
	}
	return read_utf16(c, length, what);
}

/* aligned_bstr: aligned u32 byte length + string + pad to 8 (§4.2). */
static char *read_aligned_bstr(struct cursor *c, const char *what)
{
	uint32_t length = read_aligned_u32(c, what);
	char *text;

	if (c->failed)
		return NULL;
	text = read_utf16(c, length, what);
	skip_to_8(c);
	return text;
}

/* TSTIME: aligned u8 is_localized + FILETIME (16 bytes, §4.2). */
static struct taskcache_tstime read_tstime(struct cursor *c, const char *what)
{
	struct taskcache_tstime t = {0, 0};

	if (cursor_need(c, 16, what))
		return t;
	t.is_localized = read_aligned_u8(c, what);
	t.filetime = read_u64(c, what);
	return t;
}

static char *reason_copy(const struct cursor *c)
{
	return c->failed ? strdup(c->reason[0] ? c->reason : "malformed") : NULL;
}

/* ------------------------------------------------------------------------------------------ */
/* Actions */

static const struct {
	uint16_t magic;
	const char *name;
} action_kinds[] = { /* §4.2 "action magic" */
	{TASKCACHE_ACTION_EXEC, "Exec"},
	{TASKCACHE_ACTION_COM_HANDLER, "ComHandler"},
	{TASKCACHE_ACTION_SEND_EMAIL, "SendEmail"},
	{TASKCACHE_ACTION_SHOW_MESSAGE, "ShowMessage"},
};

static const char *action_kind_name(uint16_t magic)
{
	for (size_t i = 0; i < sizeof action_kinds / sizeof action_kinds[0]; i++)
		if (action_kinds[i].magic == magic)
			return action_kinds[i].name;
	return NULL;
}

static void action_free(struct taskcache_action *a)
{
	char **fields[] = {&a->id, &a->command, &a->arguments, &a->working_directory, &a->data,
			   &a->from, &a->to, &a->cc, &a->bcc, &a->reply_to, &a->server,
			   &a->subject, &a->body, &a->caption, &a->content};
	for (size_t i = 0; i < sizeof fields / sizeof fields[0]; i++) {
		free(*fields[i]);
		*fields[i] = NULL;
	}
}

static void clsid_format(const uint8_t g[16], char out[39])
{
	snprintf(out, 39, "{%08X-%04X-%04X-%02X%02X-%02X%02X%02X%02X%02X%02X}", le32(g),
		 (unsigned)(g[4] | g[5] << 8), (unsigned)(g[6] | g[7] << 8), g[8], g[9], g[10], g[11],
		 g[12], g[13], g[14], g[15]);
}

static void action_read(struct cursor *c, uint16_t version, struct taskcache_action *a)
{
	a->id = read_bstr(c, "action id");
	switch (a->magic) {
	case TASKCACHE_ACTION_EXEC:
		a->command = read_bstr(c, "Exec command");
		a->arguments = read_bstr(c, "Exec arguments");
		a->working_directory = read_bstr(c, "Exec working directory");
		/* version 3 appends u16 flags; GhostTask's v2 omits them (§4.2) */
		if (!c->failed && version >= 3 && c->size - c->pos >= 2) {
			a->flags = read_u16(c, "Exec flags");
			a->has_flags = 1;
		}
		break;
	case TASKCACHE_ACTION_COM_HANDLER:
		if (!cursor_need(c, 16, "ComHandler CLSID")) {
			clsid_format(c->data + c->pos, a->clsid);
			c->pos += 16;
		}
		a->data = read_bstr(c, "ComHandler data");
		break;
	case TASKCACHE_ACTION_SEND_EMAIL: {
		char **fields[] = {&a->from, &a->to, &a->cc, &a->bcc, &a->reply_to, &a->server,
				   &a->subject, &a->body};
		for (size_t i = 0; i < sizeof fields / sizeof fields[0] && !c->failed; i++)
			*fields[i] = read_bstr(c, "SendEmail field");
		a->attachment_count = read_u32(c, "SendEmail attachment count");
		if (a->attachment_count > EMAIL_LIST_MAX)
			cursor_fail(c, "SendEmail: %u attachments", a->attachment_count);
		for (uint32_t i = 0; i < a->attachment_count && !c->failed; i++)
			free(read_bstr(c, "SendEmail attachment"));
		a->header_count = read_u32(c, "SendEmail header count");
		if (a->header_count > EMAIL_LIST_MAX)
			cursor_fail(c, "SendEmail: %u headers", a->header_count);
		for (uint32_t i = 0; i < a->header_count && !c->failed; i++) {
			free(read_bstr(c, "SendEmail header name"));
			free(read_bstr(c, "SendEmail header value"));
		}
		break;
	}
	case TASKCACHE_ACTION_SHOW_MESSAGE:
		a->caption = read_bstr(c, "ShowMessage caption");
		a->content = read_bstr(c, "ShowMessage content");
		break;
	}
}

/* §4.2 fallback: UTF-16LE runs of >= 4 printable characters at even offsets. */
static int actions_list_strings(const uint8_t *data, size_t size, struct taskcache_actions *out)
{
	size_t units = size / 2, start = 0, run = 0;

	out->strings = calloc(FALLBACK_MAX_STRINGS, sizeof *out->strings);
	if (!out->strings)
		return -1;
	for (size_t i = 0; i <= units && out->string_count < FALLBACK_MAX_STRINGS; i++) {
		uint32_t unit = i < units ? (uint32_t)(data[2 * i] | data[2 * i + 1] << 8) : 0;
		int printable = unit >= 0x20 && unit != 0x7F && (unit < 0xD800 || unit > 0xDFFF) &&
				unit != 0xFFFF && unit != 0xFFFE;
		if (printable) {
			if (run++ == 0)
				start = i;
			continue;
		}
		if (run >= FALLBACK_MIN_CHARS) {
			char *text = utf16le_to_utf8(data + 2 * start, 2 * run);
			if (!text)
				return -1;
			out->strings[out->string_count++] = text;
		}
		run = 0;
	}
	return 0;
}

int taskcache_decode_actions(const uint8_t *data, size_t size, struct taskcache_actions *out)
{
	struct cursor c = {data, size, 0, 0, {0}};
	uint16_t peek;

	memset(out, 0, sizeof *out);
	out->version = read_u16(&c, "version");
	/* Context: peek the next u16; one of the action magics means there is none (§4.2). */
	if (!c.failed && size - c.pos >= 2) {
		peek = (uint16_t)(data[c.pos] | data[c.pos + 1] << 8);
		if (!action_kind_name(peek)) {
			uint32_t length = size - c.pos >= 4 ? le32(data + c.pos) : 0;
			if (size - c.pos < 4 || length % 2 || length > size - c.pos - 4)
				cursor_fail(&c, "context: neither an action magic nor a valid string");
			else
				out->context = read_bstr(&c, "context");
		}
	}
	while (!c.failed && c.pos < size) {
		struct taskcache_action *a, *grown;
		uint16_t magic = read_u16(&c, "action magic");

		if (c.failed)
			break;
		if (!action_kind_name(magic)) {
			c.pos -= 2;
			cursor_fail(&c, "unknown action magic 0x%04x", magic);
			break;
		}
		if (out->action_count == ACTIONS_MAX) {
			cursor_fail(&c, "more than %d actions", ACTIONS_MAX);
			break;
		}
		grown = realloc(out->actions, (out->action_count + 1) * sizeof *grown);
		if (!grown) {
			cursor_fail(&c, "out of memory");
			break;
		}
		out->actions = grown;
		a = &out->actions[out->action_count++];
		memset(a, 0, sizeof *a);
		a->magic = magic;
		a->kind_name = action_kind_name(magic);
		action_read(&c, out->version, a);
	}
	if (!c.failed && size < 2)
		cursor_fail(&c, "shorter than the version");
	if (!c.failed)
		return 0;
	out->problem = reason_copy(&c);
	actions_list_strings(data, size, out);
	return -1;
}

void taskcache_actions_clear(struct taskcache_actions *actions)
{
	for (size_t i = 0; i < actions->action_count; i++)
		action_free(&actions->actions[i]);
	for (size_t i = 0; i < actions->string_count; i++)
		free(actions->strings[i]);
	free(actions->actions);
	free(actions->strings);
	free(actions->context);
	free(actions->problem);
	memset(actions, 0, sizeof *actions);
}

/* ------------------------------------------------------------------------------------------ */
/* DynamicInfo */

int taskcache_is_win32_hresult(uint32_t value)
{
	return (value & 0xFFFF0000u) == 0x80070000u;
}

int taskcache_decode_dynamic_info(const uint8_t *data, size_t size,
				  struct taskcache_dynamic_info *out)
{
	memset(out, 0, sizeof *out);
	if (size != 0x1C && size != 0x24) /* §4.2: any other size is stored raw */
		return -1;
	out->size = size;
	out->version = le32(data);
	out->creation_time = le64(data + 0x04);
	out->last_run_time = le64(data + 0x0C);
	out->task_state = le32(data + 0x14);
	out->last_error = le32(data + 0x18);
	out->task_state_is_hresult = taskcache_is_win32_hresult(out->task_state);
	out->last_error_is_hresult = taskcache_is_win32_hresult(out->last_error);
	if (size == 0x24) {
		out->has_last_successful_run = 1;
		out->last_successful_run_time = le64(data + 0x1C);
	}
	return 0;
}

/* ------------------------------------------------------------------------------------------ */
/* Triggers */

static const struct {
	uint32_t magic;
	const char *name;
} trigger_kinds[] = { /* §4.2 "Trigger record" */
	{0xDDDD, "time"},         {0xAAAA, "logon"},        {0xFFFF, "boot"},
	{0xEEEE, "idle"},         {0xCCCC, "event"},        {0x8888, "registration"},
	{0x7777, "session-state-change"}, {0x6666, "wnf-state-change"},
};

static const char *trigger_kind_name(uint32_t magic)
{
	for (size_t i = 0; i < sizeof trigger_kinds / sizeof trigger_kinds[0]; i++)
		if (trigger_kinds[i].magic == magic)
			return trigger_kinds[i].name;
	return NULL;
}

static const struct {
	uint32_t bit;
	const char *name;
} bucket_flags[] = { /* §4.2 "Bucket flags" */
	{0x2, "run-only-if-idle"},          {0x4, "restart-on-idle"},
	{0x8, "stop-on-idle-end"},          {0x10, "disallow-start-on-batteries"},
	{0x20, "stop-if-going-on-batteries"}, {0x40, "start-when-available"},
	{0x80, "run-only-if-network-available"}, {0x100, "allow-start-on-demand"},
	{0x200, "wake-to-run"},             {0x400, "multiple-instances-parallel"},
	{0x800, "multiple-instances-stop-existing"}, {0x1000, "multiple-instances-queue"},
	{0x2000, "multiple-instances-ignore-new"}, {0x4000, "logon-s4u"},
	{0x10000, "interactive-token"},     {0x40000, "password"},
	{0x80000, "interactive-token-or-password"}, {0x400000, "enabled"},
	{0x800000, "hidden"},               {0x1000000, "run-level-highest"},
	{0x2000000, "task"},                {0x4000000, "version"},
	{0x8000000, "sid-type-none"},       {0x10000000, "sid-type-unrestricted"},
	{0x20000000, "interval"},           {0x40000000, "allow-hard-terminate"},
};

void taskcache_bucket_flags_text(uint32_t flags, char *out, size_t out_size)
{
	struct strbuf sb = STRBUF_INIT;
	uint32_t rest = flags;

	for (size_t i = 0; i < sizeof bucket_flags / sizeof bucket_flags[0]; i++) {
		if (!(flags & bucket_flags[i].bit))
			continue;
		strbuf_printf(&sb, "%s%s", sb.length ? "|" : "", bucket_flags[i].name);
		rest &= ~bucket_flags[i].bit;
	}
	if (rest)
		strbuf_printf(&sb, "%s0x%x", sb.length ? "|" : "", rest);
	if (out_size) {
		snprintf(out, out_size, "%s", strbuf_text(&sb));
	}
	strbuf_free(&sb);
}

/* SID bytes to "S-R-A-S1-S2..." (malloc'd); NULL if the bytes are not a SID. */
static char *sid_to_text(const uint8_t *p, size_t size)
{
	struct strbuf sb = STRBUF_INIT;
	uint64_t authority = 0;

	if (size < 8 || p[1] > 15 || size < 8 + 4 * (size_t)p[1])
		return NULL;
	for (int i = 2; i < 8; i++)
		authority = authority << 8 | p[i];
	strbuf_printf(&sb, "S-%u-%llu", p[0], (unsigned long long)authority);
	for (size_t i = 0; i < p[1]; i++)
		strbuf_printf(&sb, "-%u", le32(p + 8 + 4 * i));
	if (strbuf_failed(&sb)) {
		strbuf_free(&sb);
		return NULL;
	}
	return strbuf_detach(&sb);
}

/* user_info (§4.2): aligned u8 skip_user; if 0: aligned u8 skip_sid; if 0: aligned u32
 * SID_NAME_USE and aligned buffer SID; then, for a user, aligned_bstr name. When FILL is NULL the
 * fields are only walked (logon/session-change triggers). */
static void read_user_info(struct cursor *c, struct taskcache_triggers *fill)
{
	uint8_t skip_user = read_aligned_u8(c, "user_info skip_user");

	if (c->failed || skip_user)
		return;
	if (!read_aligned_u8(c, "user_info skip_sid") && !c->failed) {
		uint32_t sid_type = read_aligned_u32(c, "user_info SID type");
		uint32_t length = read_aligned_u32(c, "user_info SID length");
		if (!cursor_need(c, length, "user_info SID")) {
			if (fill) {
				fill->has_sid = 1;
				fill->sid_type = sid_type;
				fill->sid = sid_to_text(c->data + c->pos, length);
			}
			c->pos += length;
			skip_to_8(c);
		}
	}
	if (fill) {
		fill->user_name = read_aligned_bstr(c, "user_info name");
		fill->has_user = !c->failed;
	} else {
		free(read_aligned_bstr(c, "user_info name"));
	}
}

/* aligned_bstr_expand_size (§4.2 event extras): aligned u32 character count n, 2n+2 bytes, pad. */
static void skip_expand_string(struct cursor *c, const char *what)
{
	uint32_t chars = read_aligned_u32(c, what);

	if (c->failed)
		return;
	if (chars > (c->size - c->pos) / 2) {
		cursor_fail(c, "%s: %u characters", what, chars);
		return;
	}
	skip(c, 2 * (size_t)chars + 2, what);
	skip_to_8(c);
}

/* Generic trigger data (all kinds but time; §4.2). */
static void read_generic_trigger(struct cursor *c, uint8_t version, struct taskcache_trigger *t)
{
	t->start = read_tstime(c, "trigger start");
	read_tstime(c, "trigger end");
	skip(c, 5 * 4, "trigger delay/timeout/repetition");
	skip(c, 4, "trigger stop-at-duration-end");
	if (cursor_need(c, 8, "trigger enabled"))
		return;
	t->enabled = read_aligned_u8(c, "trigger enabled") ? 1 : 0;
	skip(c, 8, "trigger unknown");
	if (version >= 0x16) {
		free(read_bstr(c, "trigger id"));
		skip_to_8(c);
	}
}

/* Time trigger (job_schedule, §4.2); enabled is the u8 after stop-at-end. */
static void read_time_trigger(struct cursor *c, uint8_t version, struct taskcache_trigger *t)
{
	t->start = read_tstime(c, "time trigger start");
	read_tstime(c, "time trigger end");
	read_tstime(c, "time trigger unknown");
	skip(c, 4 * 4, "time trigger repetition/limit/mode");
	skip(c, 4 * 2, "time trigger data");
	read_u8(c, "time trigger stop-at-end");
	if (cursor_need(c, 1, "time trigger enabled"))
		return;
	t->enabled = read_u8(c, "time trigger enabled") ? 1 : 0;
	skip(c, 2 + 4 + 4 + 4, "time trigger tail");
	if (version >= 0x16) {
		free(read_bstr(c, "trigger id"));
		skip_to_8(c);
	}
}

/* Extras after the generic data; returns -1 for kinds whose extras §4.2 does not describe. */
static int read_trigger_extras(struct cursor *c, uint32_t magic)
{
	switch (magic) {
	case 0xFFFF: /* boot */
	case 0xEEEE: /* idle */
	case 0x8888: /* registration */
		return 0;
	case 0xAAAA: /* logon */
		read_user_info(c, NULL);
		return 0;
	case 0x7777: /* session state change */
		skip(c, 8, "session state");
		read_user_info(c, NULL);
		return 0;
	case 0xCCCC: { /* event */
		uint32_t queries;
		skip_expand_string(c, "event subscription");
		skip(c, 8, "event unknown");
		skip_expand_string(c, "event second string");
		queries = read_aligned_u32(c, "event value query count");
		if (!c->failed && queries > (c->size - c->pos) / 16)
			cursor_fail(c, "event trigger: %u value queries", queries);
		for (uint32_t i = 0; i < queries && !c->failed; i++) {
			skip_expand_string(c, "event value query name");
			skip_expand_string(c, "event value query value");
		}
		return 0;
	}
	default:
		return -1;
	}
}

int taskcache_decode_triggers(const uint8_t *data, size_t size, struct taskcache_triggers *out)
{
	struct cursor c = {data, size, 0, 0, {0}};
	uint32_t optional_size;

	memset(out, 0, sizeof *out);
	/* Header, 0x28 bytes */
	out->version = read_aligned_u8(&c, "header version");
	out->start_boundary = read_tstime(&c, "header start boundary");
	out->end_boundary = read_tstime(&c, "header end boundary");
	/* Job bucket */
	out->flags = read_aligned_u32(&c, "bucket flags");
	out->xml_crc32 = read_aligned_u32(&c, "bucket CRC32");
	out->has_job_bucket = !c.failed;
	if (out->version >= 0x16)
		out->principal_id = read_aligned_bstr(&c, "principal id");
	if (out->version >= 0x17)
		out->display_name = read_aligned_bstr(&c, "display name");
	read_user_info(&c, out);
	optional_size = read_aligned_u32(&c, "optional settings size");
	out->optional_settings_size = optional_size;
	skip(&c, optional_size, "optional settings");
	skip_to_8(&c);
	/* Trigger records until the end of data */
	while (!c.failed && c.size - c.pos >= 8) {
		struct taskcache_trigger *t, *grown;
		uint32_t magic = read_aligned_u32(&c, "trigger magic");

		if (!trigger_kind_name(magic)) {
			c.pos -= 8;
			cursor_fail(&c, "unknown trigger magic 0x%x", magic);
			break;
		}
		if (out->trigger_count == TRIGGERS_MAX) {
			cursor_fail(&c, "more than %d triggers", TRIGGERS_MAX);
			break;
		}
		grown = realloc(out->triggers, (out->trigger_count + 1) * sizeof *grown);
		if (!grown) {
			cursor_fail(&c, "out of memory");
			break;
		}
		out->triggers = grown;
		t = &out->triggers[out->trigger_count++];
		t->magic = magic;
		t->kind_name = trigger_kind_name(magic);
		t->enabled = -1;
		t->start.is_localized = 0;
		t->start.filetime = 0;
		if (magic == 0xDDDD) {
			read_time_trigger(&c, out->version, t);
		} else {
			read_generic_trigger(&c, out->version, t);
			if (read_trigger_extras(&c, magic) != 0)
				cursor_fail(&c, "%s trigger: layout after the generic data not described, "
					    "later triggers not read", t->kind_name);
		}
	}
	if (!c.failed)
		return 0;
	out->problem = reason_copy(&c);
	return -1;
}

void taskcache_triggers_clear(struct taskcache_triggers *triggers)
{
	free(triggers->principal_id);
	free(triggers->display_name);
	free(triggers->sid);
	free(triggers->user_name);
	free(triggers->triggers);
	free(triggers->problem);
	memset(triggers, 0, sizeof *triggers);
}

/* ------------------------------------------------------------------------------------------ */
/* Cross-checks */

static const struct {
	enum taskcache_finding_kind kind;
	const char *code;
	const char *meaning;
} finding_kinds[] = { /* §4.2 "Hidden and orphaned tasks — cross-checks" */
	{TASKCACHE_TREE_WITHOUT_SD, "tree-without-sd",
	 "Tarrask-style hiding: invisible to the UI and schtasks, still runs"},
	{TASKCACHE_TREE_WITHOUT_INDEX, "tree-without-index", "hidden from schtasks /query"},
	{TASKCACHE_TASK_WITHOUT_TREE, "task-without-tree", "partial deletion or tampering"},
	{TASKCACHE_TREE_ID_WITHOUT_TASK, "tree-id-without-task", "partial deletion or tampering"},
	{TASKCACHE_TASK_WITHOUT_XML, "task-without-xml",
	 "registry-only task (GhostTask-style: no 4698, no 106) or XML deleted afterwards"},
	{TASKCACHE_XML_WITHOUT_TASK, "xml-without-task",
	 "never registered through the service (dropped file) or cache entry deleted"},
};

/* Compares task paths ignoring case, '/' vs '\' and leading separators. */
static int task_path_equal(const char *a, const char *b)
{
	while (*a == '\\' || *a == '/')
		a++;
	while (*b == '\\' || *b == '/')
		b++;
	for (; *a && *b; a++, b++) {
		char x = *a == '/' ? '\\' : *a, y = *b == '/' ? '\\' : *b;
		if (x >= 'A' && x <= 'Z')
			x = (char)(x - 'A' + 'a');
		if (y >= 'A' && y <= 'Z')
			y = (char)(y - 'A' + 'a');
		if (x != y)
			return 0;
	}
	return *a == *b;
}

/* Compares GUIDs ignoring case and surrounding braces. */
static int guid_equal(const char *a, const char *b)
{
	size_t la, lb;

	if (*a == '{')
		a++;
	if (*b == '{')
		b++;
	la = strcspn(a, "}");
	lb = strcspn(b, "}");
	return la == lb && strncasecmp(a, b, la) == 0;
}

static int finding_add(struct taskcache_finding **findings, size_t *count,
		       enum taskcache_finding_kind kind, const char *path, const char *guid)
{
	struct taskcache_finding *grown = realloc(*findings, (*count + 1) * sizeof *grown), *f;
	struct strbuf sb = STRBUF_INIT;

	if (!grown)
		return -1;
	*findings = grown;
	f = &grown[*count];
	memset(f, 0, sizeof *f);
	f->kind = kind;
	for (size_t i = 0; i < sizeof finding_kinds / sizeof finding_kinds[0]; i++)
		if (finding_kinds[i].kind == kind) {
			f->code = finding_kinds[i].code;
			f->meaning = finding_kinds[i].meaning;
		}
	if (path) {
		if (*path != '\\' && *path != '/')
			strbuf_append_char(&sb, '\\');
		for (; *path; path++)
			strbuf_append_char(&sb, *path == '/' ? '\\' : *path);
		f->task_path = strbuf_detach(&sb);
		if (!f->task_path)
			return -1;
	}
	if (guid && !(f->guid = strdup(guid))) {
		free(f->task_path);
		return -1;
	}
	(*count)++;
	return 0;
}

static int xml_exists(const struct taskcache_check_input *in, const char *path)
{
	for (size_t i = 0; path && i < in->xml_count; i++)
		if (in->xml_paths[i] && task_path_equal(in->xml_paths[i], path))
			return 1;
	return 0;
}

int taskcache_check_consistency(const struct taskcache_check_input *in,
				struct taskcache_finding **findings, size_t *count)
{
	struct taskcache_finding *list = NULL;
	size_t n = 0;
	int rc = -1;

	for (size_t i = 0; i < in->tree_count; i++) {
		const struct taskcache_tree_entry *t = &in->tree[i];
		int has_task = 0;

		if (!t->has_sd && finding_add(&list, &n, TASKCACHE_TREE_WITHOUT_SD, t->path, t->id))
			goto out;
		if (!t->id)
			continue; /* a folder: Index and Id belong to tasks only */
		if (!t->has_index && finding_add(&list, &n, TASKCACHE_TREE_WITHOUT_INDEX, t->path, t->id))
			goto out;
		for (size_t j = 0; j < in->task_count && !has_task; j++)
			has_task = in->tasks[j].guid && guid_equal(in->tasks[j].guid, t->id);
		if (!has_task && finding_add(&list, &n, TASKCACHE_TREE_ID_WITHOUT_TASK, t->path, t->id))
			goto out;
		if (in->xml_paths && !xml_exists(in, t->path) &&
		    finding_add(&list, &n, TASKCACHE_TASK_WITHOUT_XML, t->path, t->id))
			goto out;
	}
	for (size_t j = 0; j < in->task_count; j++) {
		const struct taskcache_task_entry *task = &in->tasks[j];
		int has_tree = 0;

		for (size_t i = 0; i < in->tree_count && !has_tree; i++)
			has_tree = task->guid && in->tree[i].id && guid_equal(in->tree[i].id, task->guid);
		if (has_tree)
			continue; /* its XML was checked with the Tree key */
		if (finding_add(&list, &n, TASKCACHE_TASK_WITHOUT_TREE, task->path, task->guid))
			goto out;
		if (in->xml_paths && !xml_exists(in, task->path) &&
		    finding_add(&list, &n, TASKCACHE_TASK_WITHOUT_XML, task->path, task->guid))
			goto out;
	}
	for (size_t k = 0; in->xml_paths && k < in->xml_count; k++) {
		const char *xml = in->xml_paths[k];
		int known = 0;

		for (size_t i = 0; xml && i < in->tree_count && !known; i++)
			known = in->tree[i].id && in->tree[i].path && task_path_equal(in->tree[i].path, xml);
		for (size_t j = 0; xml && j < in->task_count && !known; j++)
			known = in->tasks[j].path && task_path_equal(in->tasks[j].path, xml);
		if (xml && !known && finding_add(&list, &n, TASKCACHE_XML_WITHOUT_TASK, xml, NULL))
			goto out;
	}
	rc = 0;
out:
	if (rc != 0) {
		taskcache_findings_free(list, n);
		list = NULL;
		n = 0;
	}
	*findings = list;
	*count = n;
	return rc;
}

void taskcache_findings_free(struct taskcache_finding *findings, size_t count)
{
	for (size_t i = 0; i < count; i++) {
		free(findings[i].task_path);
		free(findings[i].guid);
	}
	free(findings);
}
