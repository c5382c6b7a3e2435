/*
 * evtx.c - event log records, read by sandtrace's own decoder (binxml.h) or through libevtx and
 * flattened with libxml2 (see evtx.h).
 *
 * A sound file is read by the decoder: no XML tree per record, no text parsed again; a record
 * outside the catalogue costs its decoding and no rendering. Everything else goes through
 * libevtx, which builds each record's XML tree when the record is read; rendering that tree to
 * text, parsing it again with libxml2 and storing it are the costs a record outside the catalogue
 * is spared there. Both give the same events (tests/unit/test_binxml.c). Field names and forms
 * follow METHOD.md §1 (fields by local name from EventData or UserData, §1.10); nothing here
 * depends on a field's position.
 */
#include "evtx.h"

#include <errno.h>
#include <fcntl.h>
#include <libbfio.h>
#include <libevtx.h>
#include <libxml/parser.h>
#include <libxml/tree.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include "binxml.h"
#include "evtx_layout.h"
#include "json.h"
#include "ordered_pool.h"
#include "strbuf.h"
#include "timeutil.h"

/* The root cause of libevtx's ERROR in TEXT ("" if none); frees ERROR. libevtx's messages are a
 * stack of lines, the first one the root cause ("libevtx_io_handle_read_file_header: unsupported
 * file signature."), the last one only the call that failed ("libevtx_file_open: unable to open
 * file: PATH."). */
static void error_text(libevtx_error_t **error, char *text, size_t size)
{
	text[0] = 0;
	if (!error || !*error)
		return;
	if (libevtx_error_backtrace_sprint(*error, text, size) < 0)
		libevtx_error_sprint(*error, text, size);
	libevtx_error_free(error);
	text[strcspn(text, "\n")] = 0;
}

static void problem_from_error(const struct evtx_callbacks *cb, const char *location,
			       const char *what, libevtx_error_t **error, int severe)
{
	char text[512];
	char reason[768];

	error_text(error, text, sizeof text);
	snprintf(reason, sizeof reason, "%s%s%s", what, text[0] ? ": " : "", text);
	if (cb->problem)
		cb->problem(cb->context, location, reason, severe);
}

void evtx_event_free(struct evtx_event *event)
{
	if (!event)
		return;
	free(event->provider);
	free(event->provider_guid);
	free(event->keywords);
	free(event->channel);
	free(event->computer);
	free(event->user_sid);
	free(event->activity_id);
	free(event->related_activity_id);
	free(event->data);
	free(event->xml);
	if (event->attached_free)
		event->attached_free(event->attached);
	free(event);
}

static const uint64_t FNV1A64_BASIS = 14695981039346656037ULL;

/* Continues the FNV-1a 64 hash HASH over LENGTH bytes of TEXT. */
static uint64_t fnv1a64_more(uint64_t hash, const char *text, size_t length)
{
	for (size_t i = 0; i < length; i++) {
		hash ^= (unsigned char)text[i];
		hash *= 1099511628211ULL;
	}
	return hash;
}

static uint64_t fnv1a64(const char *text, size_t length)
{
	return fnv1a64_more(FNV1A64_BASIS, text, length);
}

/* One field of the fields hash: its text, or one NUL byte (which no text holds) for an absent
 * field, then the separator 0x1F, so that "ab"+"c" and "a"+"bc" hash apart. */
static uint64_t hash_text_field(uint64_t hash, const char *text)
{
	static const char separator = 0x1f, absent = 0;
	hash = text ? fnv1a64_more(hash, text, strlen(text)) : fnv1a64_more(hash, &absent, 1);
	return fnv1a64_more(hash, &separator, 1);
}

static uint64_t hash_number_field(uint64_t hash, int64_t number)
{
	char text[32];
	snprintf(text, sizeof text, "%lld", (long long)number);
	return hash_text_field(hash, text);
}

uint64_t evtx_event_fields_hash(const struct evtx_event *e)
{
	const char *texts[] = {e->provider, e->provider_guid, e->keywords, e->channel, e->computer,
			       e->user_sid, e->activity_id, e->related_activity_id,
			       e->data ? e->data : "{}"}; /* no payload: the store writes {} */
	const int64_t numbers[] = {(int64_t)e->record_id, (int64_t)e->time, e->event_id,
				   e->qualifiers, e->version, e->level, e->task, e->opcode,
				   e->process_id, e->thread_id};
	uint64_t hash = FNV1A64_BASIS;

	for (size_t i = 0; i < sizeof numbers / sizeof numbers[0]; i++)
		hash = hash_number_field(hash, numbers[i]);
	for (size_t i = 0; i < sizeof texts / sizeof texts[0]; i++)
		hash = hash_text_field(hash, texts[i]);
	return hash;
}

/* ---- flattening the rendered XML ---------------------------------------------------------- */

static char *dup_attr(xmlNode *node, const char *name)
{
	xmlChar *value = xmlGetProp(node, (const xmlChar *)name);
	char *copy;

	if (!value)
		return NULL;
	copy = strdup((const char *)value);
	xmlFree(value);
	return copy;
}

static char *dup_text(xmlNode *node)
{
	xmlChar *value = xmlNodeGetContent(node);
	char *copy;

	if (!value)
		return strdup("");
	copy = strdup((const char *)value);
	xmlFree(value);
	return copy;
}

int64_t evtx_parse_number(const char *text)
{
	char *end;
	long long value;

	if (!text || !*text)
		return -1;
	value = strtoll(text, &end, 0);
	if (*end || value < 0)
		return -1;
	return value;
}

static int64_t node_number(xmlNode *node)
{
	char *text = dup_text(node);
	int64_t value = evtx_parse_number(text);
	free(text);
	return value;
}

static int64_t attr_number(xmlNode *node, const char *name)
{
	char *text = dup_attr(node, name);
	int64_t value = evtx_parse_number(text);
	free(text);
	return value;
}

static int name_is(xmlNode *node, const char *name)
{
	return node->type == XML_ELEMENT_NODE && strcmp((const char *)node->name, name) == 0;
}

static void replace(char **slot, char *value)
{
	free(*slot);
	*slot = value;
}

static void read_system(xmlNode *system, struct evtx_event *event)
{
	for (xmlNode *n = system->children; n; n = n->next) {
		if (n->type != XML_ELEMENT_NODE)
			continue;
		if (name_is(n, "Provider")) {
			char *name = dup_attr(n, "Name");
			if (name)
				replace(&event->provider, name);
			replace(&event->provider_guid, dup_attr(n, "Guid"));
		} else if (name_is(n, "EventID")) {
			int64_t id = node_number(n);
			if (id >= 0)
				event->event_id = (uint32_t)id;
			event->qualifiers = attr_number(n, "Qualifiers");
		} else if (name_is(n, "Version")) {
			event->version = (int)node_number(n);
		} else if (name_is(n, "Level")) {
			event->level = (int)node_number(n);
		} else if (name_is(n, "Task")) {
			event->task = (int)node_number(n);
		} else if (name_is(n, "Opcode")) {
			event->opcode = (int)node_number(n);
		} else if (name_is(n, "Keywords")) {
			replace(&event->keywords, dup_text(n));
		} else if (name_is(n, "TimeCreated")) {
			char *text = dup_attr(n, "SystemTime");
			uint64_t time;
			if (text && filetime_parse_iso(text, &time) == 0)
				event->time = time;
			free(text);
		} else if (name_is(n, "EventRecordID")) {
			int64_t id = node_number(n);
			if (id >= 0)
				event->record_id = (uint64_t)id;
		} else if (name_is(n, "Correlation")) {
			replace(&event->activity_id, dup_attr(n, "ActivityID"));
			replace(&event->related_activity_id, dup_attr(n, "RelatedActivityID"));
		} else if (name_is(n, "Execution")) {
			event->process_id = attr_number(n, "ProcessID");
			event->thread_id = attr_number(n, "ThreadID");
		} else if (name_is(n, "Channel")) {
			replace(&event->channel, dup_text(n));
		} else if (name_is(n, "Computer")) {
			replace(&event->computer, dup_text(n));
		} else if (name_is(n, "Security")) {
			replace(&event->user_sid, dup_attr(n, "UserID"));
		}
	}
}

static void restore_controls(char *text);

/* The JSON object being built, with the names already used (for the "N[2]" rule). */
struct flat {
	struct strbuf json;
	char **names;
	size_t count, capacity;
};

static void flat_add(struct flat *flat, const char *name, const char *value)
{
	size_t repeat = 1;
	char unique[512];

	for (size_t i = 0; i < flat->count; i++)
		if (strcmp(flat->names[i], name) == 0)
			repeat++;
	if (flat->count == flat->capacity) {
		size_t capacity = flat->capacity ? flat->capacity * 2 : 16;
		char **grown = realloc(flat->names, capacity * sizeof *grown);
		if (!grown) {
			flat->json.failed = 1;
			return;
		}
		flat->names = grown;
		flat->capacity = capacity;
	}
	flat->names[flat->count] = strdup(name);
	if (!flat->names[flat->count]) {
		flat->json.failed = 1;
		return;
	}
	flat->count++;
	if (repeat > 1)
		snprintf(unique, sizeof unique, "%s[%zu]", name, repeat);
	else
		snprintf(unique, sizeof unique, "%s", name);
	if (flat->json.length > 1) /* the object's "{" is written by the caller */
		strbuf_append_char(&flat->json, ',');
	json_append_string(&flat->json, unique, strlen(unique));
	strbuf_append_char(&flat->json, ':');
	{
		char *restored = strdup(value);
		if (!restored) {
			flat->json.failed = 1;
			return;
		}
		restore_controls(restored);
		json_append_string(&flat->json, restored, strlen(restored));
		free(restored);
	}
}

static void flat_free(struct flat *flat)
{
	for (size_t i = 0; i < flat->count; i++)
		free(flat->names[i]);
	free(flat->names);
	strbuf_free(&flat->json);
}

static int has_element_children(xmlNode *node)
{
	for (xmlNode *c = node->children; c; c = c->next)
		if (c->type == XML_ELEMENT_NODE)
			return 1;
	return 0;
}

/* UserData: PREFIX/child for leaves, recursing into elements with element children. */
static void flatten_user_data(xmlNode *node, const char *prefix, struct flat *flat, int depth)
{
	for (xmlNode *c = node->children; c; c = c->next) {
		char path[512];

		if (c->type != XML_ELEMENT_NODE)
			continue;
		snprintf(path, sizeof path, "%s%s%s", prefix, prefix[0] ? "/" : "",
			 (const char *)c->name);
		for (xmlAttr *a = c->properties; a; a = a->next) {
			char attr_path[600];
			xmlChar *value = xmlNodeGetContent((xmlNode *)a);
			snprintf(attr_path, sizeof attr_path, "%s/@%s", path, (const char *)a->name);
			flat_add(flat, attr_path, value ? (const char *)value : "");
			xmlFree(value);
		}
		if (has_element_children(c) && depth < 32) {
			flatten_user_data(c, path, flat, depth + 1);
		} else {
			char *text = dup_text(c);
			flat_add(flat, path, text ? text : "");
			free(text);
		}
	}
}

static void flatten_event_data(xmlNode *event_data, struct flat *flat)
{
	char *template_name = dup_attr(event_data, "Name");
	unsigned unnamed = 0;

	if (template_name) {
		flat_add(flat, "@Name", template_name);
		free(template_name);
	}
	for (xmlNode *c = event_data->children; c; c = c->next) {
		char *name, *text, position[32];

		if (c->type != XML_ELEMENT_NODE)
			continue;
		text = dup_text(c);
		if (name_is(c, "Data")) {
			name = dup_attr(c, "Name");
			if (name && *name) {
				flat_add(flat, name, text ? text : "");
			} else {
				snprintf(position, sizeof position, "#%u", ++unnamed);
				flat_add(flat, position, text ? text : "");
			}
			free(name);
		} else {
			flat_add(flat, (const char *)c->name, text ? text : "");
		}
		free(text);
	}
}

/* libevtx writes control characters of values raw (measured: U+0003 in a 4739 of the corpus),
 * which XML 1.0 forbids. They are carried through the parse as U+E000 + c (a private-use character
 * that cannot come from the log in this position unchanged) and put back by restore_controls. */
static char *protect_controls(const char *xml, size_t length, size_t *out_length)
{
	size_t controls = 0, n = 0;
	char *copy;

	for (size_t i = 0; i < length; i++)
		if ((unsigned char)xml[i] < 0x20 && xml[i] != '\t' && xml[i] != '\n' && xml[i] != '\r')
			controls++;
	if (!controls)
		return NULL;
	copy = malloc(length + 2 * controls + 1);
	if (!copy)
		return NULL;
	for (size_t i = 0; i < length; i++) {
		unsigned char c = (unsigned char)xml[i];
		if (c < 0x20 && c != '\t' && c != '\n' && c != '\r') {
			copy[n++] = (char)0xEE;
			copy[n++] = (char)0x80;
			copy[n++] = (char)(0x80 + c);
		} else {
			copy[n++] = (char)c;
		}
	}
	copy[n] = 0;
	*out_length = n;
	return copy;
}

static void restore_controls(char *text)
{
	char *out = text;

	for (char *in = text; *in;) {
		if ((unsigned char)in[0] == 0xEE && (unsigned char)in[1] == 0x80 &&
		    (unsigned char)in[2] >= 0x80 && (unsigned char)in[2] < 0xA0) {
			*out++ = (char)((unsigned char)in[2] - 0x80);
			in += 3;
		} else {
			*out++ = *in++;
		}
	}
	*out = 0;
}

int evtx_flatten_xml(const char *xml, size_t length, struct evtx_event *event)
{
	struct flat flat = {STRBUF_INIT, NULL, 0, 0};
	size_t protected_length = 0;
	char *protected_xml = protect_controls(xml, length, &protected_length);
	xmlDoc *doc;
	xmlNode *root;
	int rc = -1;

	if (protected_xml) {
		xml = protected_xml;
		length = protected_length;
	}
	if (length > (size_t)INT32_MAX) {
		free(protected_xml);
		return -1;
	}
	doc = xmlReadMemory(xml, (int)length, NULL, "UTF-8",
			    XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING |
				    XML_PARSE_NOCDATA | XML_PARSE_HUGE);
	if (!doc) {
		free(protected_xml);
		return -1;
	}
	root = xmlDocGetRootElement(doc);
	if (!root || !name_is(root, "Event"))
		goto out;
	strbuf_append_char(&flat.json, '{');
	for (xmlNode *n = root->children; n; n = n->next) {
		if (name_is(n, "System")) {
			read_system(n, event);
		} else if (name_is(n, "EventData")) {
			flatten_event_data(n, &flat);
		} else if (name_is(n, "UserData")) {
			for (xmlNode *wrapper = n->children; wrapper; wrapper = wrapper->next)
				if (wrapper->type == XML_ELEMENT_NODE)
					flatten_user_data(wrapper, "", &flat, 0);
		}
	}
	strbuf_append_char(&flat.json, '}');
	if (strbuf_failed(&flat.json))
		goto out;
	replace(&event->data, strbuf_detach(&flat.json));
	rc = event->data ? 0 : -1;
out:
	flat_free(&flat);
	xmlFreeDoc(doc);
	free(protected_xml);
	return rc;
}

/* ---- reading records through libevtx ------------------------------------------------------ */

typedef int (*string_size_fn)(libevtx_record_t *, size_t *, libevtx_error_t **);
typedef int (*string_fn)(libevtx_record_t *, uint8_t *, size_t, libevtx_error_t **);

/* A UTF-8 string from one of libevtx's size/get pairs, or NULL (absent or unreadable). */
static char *record_string(libevtx_record_t *record, string_size_fn get_size, string_fn get)
{
	libevtx_error_t *error = NULL;
	size_t size = 0;
	char *text;

	if (get_size(record, &size, &error) != 1 || size == 0) {
		libevtx_error_free(&error);
		return NULL;
	}
	text = malloc(size);
	if (!text)
		return NULL;
	if (get(record, (uint8_t *)text, size, &error) != 1) {
		libevtx_error_free(&error);
		free(text);
		return NULL;
	}
	text[size - 1] = 0;
	return text;
}

/* For a record libevtx cannot render: its substitution strings as "#1", "#2", ... */
static char *strings_as_json(libevtx_record_t *record)
{
	libevtx_error_t *error = NULL;
	struct strbuf json = STRBUF_INIT;
	int count = 0;

	strbuf_append_char(&json, '{');
	if (libevtx_record_get_number_of_strings(record, &count, &error) != 1) {
		libevtx_error_free(&error);
		count = 0;
	}
	for (int i = 0; i < count; i++) {
		size_t size = 0;
		char name[16];
		char *text = NULL;

		if (libevtx_record_get_utf8_string_size(record, i, &size, &error) == 1 && size > 0 &&
		    (text = malloc(size)) != NULL &&
		    libevtx_record_get_utf8_string(record, i, (uint8_t *)text, size, &error) == 1) {
			text[size - 1] = 0;
		} else {
			libevtx_error_free(&error);
			free(text);
			text = NULL;
		}
		if (json.length > 1)
			strbuf_append_char(&json, ',');
		snprintf(name, sizeof name, "#%d", i + 1);
		json_append_string(&json, name, strlen(name));
		strbuf_append_char(&json, ':');
		json_append_string(&json, text ? text : "", text ? strlen(text) : 0);
		free(text);
	}
	strbuf_append_char(&json, '}');
	return strbuf_detach(&json);
}

static struct evtx_event *event_new(void)
{
	struct evtx_event *event = calloc(1, sizeof *event);

	if (!event)
		return NULL;
	event->offset = event->chunk = -1;
	event->qualifiers = -1;
	event->version = event->level = event->task = event->opcode = -1;
	event->process_id = event->thread_id = -1;
	return event;
}

/* The channel each provider writes to in this file. A record outside the catalogue is only
 * counted, per (channel, provider, event id); libevtx has no getter for the channel, so the first
 * record of each provider is rendered and later ones reuse its channel instead of paying for a
 * rendering (an .evtx file holds one channel; a forwarded-events file can mix them, and there a
 * provider seen in two channels is counted under the first). */
enum { CHANNEL_CACHE_SIZE = 64 };

struct channel_cache {
	char *provider[CHANNEL_CACHE_SIZE];
	char *channel[CHANNEL_CACHE_SIZE];
	size_t count;
};

static const char *channel_cache_find(const struct channel_cache *cache, const char *provider)
{
	for (size_t i = 0; provider && i < cache->count; i++)
		if (strcmp(cache->provider[i], provider) == 0)
			return cache->channel[i];
	return NULL;
}

static void channel_cache_add(struct channel_cache *cache, const char *provider,
			      const char *channel)
{
	if (!provider || !channel || cache->count == CHANNEL_CACHE_SIZE ||
	    channel_cache_find(cache, provider))
		return;
	cache->provider[cache->count] = strdup(provider);
	cache->channel[cache->count] = strdup(channel);
	if (!cache->provider[cache->count] || !cache->channel[cache->count]) {
		free(cache->provider[cache->count]);
		free(cache->channel[cache->count]);
		return;
	}
	cache->count++;
}

static void channel_cache_free(struct channel_cache *cache)
{
	for (size_t i = 0; i < cache->count; i++) {
		free(cache->provider[i]);
		free(cache->channel[i]);
	}
	cache->count = 0;
}

/* What one file's records share while they are read. */
struct reading {
	struct channel_cache channels;
	struct evtx_locator locator;   /* where each record lies (libevtx says offset 0) */
	uint64_t unlocated[2];         /* records handed on without an offset: allocated, recovered */
};

/* Hands EVENT to the callback (which owns it from then on); returns nonzero to stop. */
static int hand_on(const struct evtx_callbacks *cb, struct reading *reading,
		   struct evtx_event *event)
{
	if (event->offset < 0)
		reading->unlocated[event->recovered != 0]++;
	return cb->event(cb->context, event) != 0;
}

/* A record not kept in full loses its XML, and so does one kept for its fields only (want() 3,
 * METHOD.md §8.8). The content hash is taken of the XML of a record kept with it, of the fields
 * of a record kept without it, and of the substitution strings (data) of one libevtx could not
 * render. */
static void finish_event(struct evtx_event *event, int fields_only)
{
	if (!event->full || fields_only) {
		free(event->xml);
		event->xml = NULL;
	}
	if (event->xml)
		event->content_hash = fnv1a64(event->xml, strlen(event->xml));
	else if (fields_only)
		event->content_hash = evtx_event_fields_hash(event);
	else if (event->data)
		event->content_hash = fnv1a64(event->data, strlen(event->data));
}

/* Turns one libevtx record into an event and hands it on. Returns 0 to go on, 1 to stop, -1 if
 * the record was a recovery candidate that could not be rendered (not handed on). */
static int read_record(libevtx_record_t *record, int recovered, int index, int64_t known_offset,
		       const struct evtx_callbacks *cb, struct reading *reading)
{
	struct channel_cache *channels = &reading->channels;
	libevtx_error_t *error = NULL;
	struct evtx_event *event = event_new();
	char location[64];
	uint32_t qualifiers;
	int have_number, have_time, want, fields_only = 0;

	if (!event)
		return 1;
	snprintf(location, sizeof location, "%s index %d", recovered ? "recovered" : "record", index);
	event->recovered = recovered;
	have_number = libevtx_record_get_identifier(record, &event->header_record_id, &error) == 1;
	if (!have_number)
		libevtx_error_free(&error);
	event->record_id = event->header_record_id;
	have_time = libevtx_record_get_written_time(record, &event->written_time, &error) == 1;
	if (!have_time)
		libevtx_error_free(&error);
	if (known_offset >= 0)
		event->offset = known_offset;
	else if (have_number && have_time)
		event->offset = evtx_locator_find(&reading->locator, event->header_record_id,
						  event->written_time, recovered);
	event->chunk = evtx_chunk_of_offset(event->offset);
	if (libevtx_record_get_event_identifier(record, &event->event_id, &error) != 1)
		libevtx_error_free(&error);
	if (libevtx_record_get_event_identifier_qualifiers(record, &qualifiers, &error) == 1)
		event->qualifiers = qualifiers;
	else
		libevtx_error_free(&error);
	event->provider = record_string(record, libevtx_record_get_utf8_source_name_size,
					libevtx_record_get_utf8_source_name);

	want = cb->want ? cb->want(cb->context, event->provider, event->event_id) : 1;
	if (want == 0 && !recovered) {
		const char *channel = channel_cache_find(channels, event->provider);
		if (channel) {
			event->channel = strdup(channel);
			return hand_on(cb, reading, event);
		}
	}
	event->xml = record_string(record, libevtx_record_get_utf8_xml_string_size,
				   libevtx_record_get_utf8_xml_string);
	if (!event->xml && recovered) {
		/* A recovery candidate that does not render is almost always a fragment of an
		 * overwritten record whose template is gone: reported, not stored as an event. */
		if (cb->problem)
			cb->problem(cb->context, location, "recovered record could not be rendered "
				    "(fragment of an overwritten record)", 0);
		evtx_event_free(event);
		return -1;
	}
	if (!event->xml) {
		/* Keep what libevtx still gives (event id, time, strings) and say why. */
		if (cb->problem)
			cb->problem(cb->context, location, "libevtx could not render the record as XML; "
				    "event id, written time and substitution strings kept", 1);
		event->data = strings_as_json(record);
		event->time = event->written_time;
		event->full = 1;
	} else {
		size_t length = strlen(event->xml);

		if (want == 0) {
			/* Count only: the channel comes from the text without a full parse. */
			const char *start = strstr(event->xml, "<Channel>");
			const char *end = start ? strstr(start, "</Channel>") : NULL;
			if (start && end)
				event->channel = strndup(start + 9, (size_t)(end - start - 9));
		} else if (evtx_flatten_xml(event->xml, length, event) != 0) {
			if (cb->problem)
				cb->problem(cb->context, location,
					    "libevtx rendered XML that is not well-formed; "
					    "substitution strings kept", 1);
			free(event->data);
			event->data = strings_as_json(record);
			event->time = event->written_time;
			event->full = 1;
		} else {
			fields_only = want == 3;
			event->full = want == 1 || fields_only ||
				      (cb->keep_rendered && cb->keep_rendered(cb->context, event->xml));
		}
		if (!recovered)
			channel_cache_add(channels, event->provider, event->channel);
	}
	finish_event(event, fields_only);
	return hand_on(cb, reading, event);
}

/* Record numbers seen in one file, to find the ones that are missing. */
struct id_list {
	uint64_t *ids;
	size_t count, capacity;
};

static void id_list_add(struct id_list *list, uint64_t id)
{
	if (list->count == list->capacity) {
		size_t capacity = list->capacity ? list->capacity * 2 : 1024;
		uint64_t *grown = realloc(list->ids, capacity * sizeof *grown);
		if (!grown)
			return; /* the gap report becomes incomplete, nothing else */
		list->ids = grown;
		list->capacity = capacity;
	}
	list->ids[list->count++] = id;
}

static void remember_number(libevtx_record_t *record, struct id_list *list)
{
	libevtx_error_t *error = NULL;
	uint64_t number;

	if (libevtx_record_get_identifier(record, &number, &error) == 1)
		id_list_add(list, number);
	else
		libevtx_error_free(&error);
}

static int compare_ids(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
	return x < y ? -1 : x > y;
}

/* Record numbers in a log are consecutive; a hole between the first and the last one read means
 * records that were zeroed, overwritten or could not be read. Reported as ranges. */
static void report_gaps(struct id_list *list, const struct evtx_callbacks *cb)
{
	enum { MAX_REPORTED = 20 };
	size_t reported = 0, unique = 0;
	uint64_t missing_total = 0;

	if (list->count < 2 || !cb->problem)
		return;
	qsort(list->ids, list->count, sizeof *list->ids, compare_ids);
	for (size_t i = 0; i < list->count; i++)
		if (unique == 0 || list->ids[i] != list->ids[unique - 1])
			list->ids[unique++] = list->ids[i];
	for (size_t i = 1; i < unique; i++) {
		uint64_t first = list->ids[i - 1] + 1, last = list->ids[i] - 1;
		char location[80], reason[160];

		if (first > last)
			continue;
		missing_total += last - first + 1;
		if (reported++ >= MAX_REPORTED)
			continue;
		snprintf(location, sizeof location, "record numbers %llu-%llu",
			 (unsigned long long)first, (unsigned long long)last);
		snprintf(reason, sizeof reason,
			 "%llu record(s) missing between records read (zeroed, overwritten or "
			 "unreadable)",
			 (unsigned long long)(last - first + 1));
		cb->problem(cb->context, location, reason, 1);
	}
	if (reported > MAX_REPORTED) {
		char reason[160];
		snprintf(reason, sizeof reason, "%zu gaps in the record numbers, %llu records missing "
			 "in all (the first %d are listed)",
			 reported, (unsigned long long)missing_total, MAX_REPORTED);
		cb->problem(cb->context, "file", reason, 1);
	}
}

/* ---- a damaged file header --------------------------------------------------------------- */

/* The whole file in memory with a rebuilt header, and the libbfio range libevtx reads it through;
 * both must outlive the open libevtx file. */
struct repaired_copy {
	uint8_t *bytes;
	libbfio_handle_t *handle;
};

/* The repair reads the whole file into memory; above this bound it refuses, and says so. */
#define REPAIR_MAX_BYTES ((uint64_t)2 << 30)

static void problem_text(const struct evtx_callbacks *cb, const char *reason)
{
	if (cb->problem)
		cb->problem(cb->context, "file", reason, 1);
}

/* The whole of PATH (SIZE bytes) into a new buffer; NULL with REASON filled otherwise. */
static uint8_t *read_whole_file(const char *path, uint64_t size, char *reason, size_t reason_size)
{
	FILE *in = fopen(path, "rb");
	uint8_t *bytes = in ? malloc((size_t)size) : NULL;

	if (!in || !bytes) {
		snprintf(reason, reason_size, "%s", !in ? "cannot open the file" : "out of memory");
	} else if (fread(bytes, 1, (size_t)size, in) != (size_t)size) {
		snprintf(reason, reason_size, "the file could not be read whole");
		free(bytes);
		bytes = NULL;
	}
	if (in)
		fclose(in);
	return bytes;
}

/* Opens FILE on SIZE bytes at BYTES through a libbfio memory range (*HANDLE, which must outlive
 * the open file). Returns 0, or -1 with the reason in WHY. */
static int open_in_memory(libevtx_file_t *file, uint8_t *bytes, size_t size,
			  libbfio_handle_t **handle, char *why, size_t why_size)
{
	libbfio_error_t *bfio_error = NULL;
	libevtx_error_t *error = NULL;

	if (libbfio_memory_range_initialize(handle, &bfio_error) != 1 ||
	    libbfio_memory_range_set(*handle, bytes, size, &bfio_error) != 1) {
		libbfio_error_free(&bfio_error);
		snprintf(why, why_size, "a copy could not be set up in memory");
		return -1;
	}
	if (libevtx_file_open_file_io_handle(file, *handle, LIBEVTX_OPEN_READ, &error) != 1) {
		error_text(&error, why, why_size);
		return -1;
	}
	return 0;
}

/* libevtx refused the log at PATH, or the SIZE bytes at DATA when PATH is NULL (it said
 * LIBEVTX_SAID). If the log holds chunks, opens FILE on a copy in memory whose file header is
 * rebuilt from the chunks (the evidence is never written), with a severe problem saying so.
 * Returns 0 when FILE is open, -1 (the problem reported) otherwise. */
static int open_repaired(libevtx_file_t *file, const char *path, const uint8_t *data,
			 uint64_t size, const char *libevtx_said, struct repaired_copy *copy,
			 const struct evtx_callbacks *cb)
{
	char reason[1024], why[256] = "";
	struct stat st;

	if (path) {
		if (stat(path, &st) != 0 || st.st_size < 0) {
			snprintf(reason, sizeof reason, "not readable as an event log (%s)",
				 libevtx_said);
			problem_text(cb, reason);
			return -1;
		}
		size = (uint64_t)st.st_size;
	}
	if (size == 0 || size < (uint64_t)EVTX_FILE_HEADER_SIZE + EVTX_CHUNK_SIZE) {
		snprintf(reason, sizeof reason, "not readable as an event log (%s): %s%llu bytes",
			 libevtx_said, size == 0 ? "the file is empty, " : "too short to hold a file "
			 "header and one chunk, ", (unsigned long long)size);
		problem_text(cb, reason);
		return -1;
	}
	if (size > REPAIR_MAX_BYTES) {
		snprintf(reason, sizeof reason, "not readable as an event log (%s); at %llu bytes the "
			 "file is above the 2 GiB a repaired header is read with: not read",
			 libevtx_said, (unsigned long long)size);
		problem_text(cb, reason);
		return -1;
	}
	if (path) {
		copy->bytes = read_whole_file(path, size, why, sizeof why);
	} else if ((copy->bytes = malloc((size_t)size)) != NULL) {
		memcpy(copy->bytes, data, (size_t)size);
	} else {
		snprintf(why, sizeof why, "out of memory");
	}
	if (!copy->bytes || evtx_header_rebuild(copy->bytes, (size_t)size, why, sizeof why) != 0) {
		snprintf(reason, sizeof reason, "not readable as an event log (%s); no file header "
			 "could be rebuilt from its chunks: %s", libevtx_said, why);
		problem_text(cb, reason);
		return -1;
	}
	if (open_in_memory(file, copy->bytes, (size_t)size, &copy->handle, why, sizeof why) != 0) {
		snprintf(reason, sizeof reason, "not readable as an event log (%s); nor with a "
			 "repaired file header (%s)", libevtx_said, why);
		problem_text(cb, reason);
		return -1;
	}
	snprintf(reason, sizeof reason, "file header damaged (%s): records read through a repaired "
		 "copy of the header in memory; the file itself is unchanged", libevtx_said);
	problem_text(cb, reason);
	return 0;
}

static void repaired_copy_free(struct repaired_copy *copy)
{
	libbfio_handle_free(&copy->handle, NULL);
	free(copy->bytes);
	copy->bytes = NULL;
}

static void report_dirty(const struct evtx_callbacks *cb)
{
	if (cb->problem)
		cb->problem(cb->context, "file", "file header is marked dirty (not closed cleanly); "
			    "records beyond the header's last chunk may be missing or recovered", 0);
}

static void report_corrupted(const struct evtx_callbacks *cb)
{
	if (cb->problem)
		cb->problem(cb->context, "file", "corruption found while opening the file (libevtx's "
			    "test: a chunk with a bad checksum or signature, or file header chunk "
			    "numbers that do not match its chunk count, as in a log that has wrapped "
			    "round)", 1);
}

static uint16_t le16_at(const uint8_t *p)
{
	return (uint16_t)(p[0] | p[1] << 8);
}

static uint32_t le32_at(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

/* Says how many records are stored without an offset, and why. */
static void report_unlocated(const struct reading *reading, const struct evtx_callbacks *cb)
{
	char reason[512];

	if (!cb->problem || (reading->unlocated[0] == 0 && reading->unlocated[1] == 0))
		return;
	snprintf(reason, sizeof reason, "offset in the file not known for %llu allocated and %llu "
		 "recovered record(s): no single place in the file holds a record with the same "
		 "record number and written time%s; stored without an offset",
		 (unsigned long long)reading->unlocated[0], (unsigned long long)reading->unlocated[1],
		 reading->locator.unallocated_incomplete
			 ? " (or, for recovered ones, too many candidates outside the chunks' records)"
			 : "");
	cb->problem(cb->context, "file", reason, 0);
}

/* The recovered records of an open FILE (after the allocated ones), each handed on as
 * read_record does; their numbers go into SEEN. Returns nonzero when the callback asked to stop. */
static int read_recovered(libevtx_file_t *file, const struct evtx_callbacks *cb,
			  struct reading *reading, struct id_list *seen, struct evtx_stats *stats)
{
	libevtx_error_t *error = NULL;
	int count = 0, stop = 0;

	if (libevtx_file_get_number_of_recovered_records(file, &count, &error) != 1) {
		problem_from_error(cb, "file", "the number of recovered records could not be read",
				   &error, 0);
		count = 0;
	}
	for (int i = 0; i < count && !stop; i++) {
		libevtx_record_t *record = NULL;
		char location[32];

		if (libevtx_file_get_recovered_record_by_index(file, i, &record, &error) != 1) {
			snprintf(location, sizeof location, "recovered index %d", i);
			problem_from_error(cb, location, "recovered record could not be read", &error, 0);
			stats->recovered_failed++;
			continue;
		}
		remember_number(record, seen);
		stop = read_record(record, 1, i, -1, cb, reading);
		if (stop < 0) {
			stats->recovered_failed++;
			stop = 0;
		} else {
			stats->recovered++;
		}
		libevtx_record_free(&record, NULL);
	}
	return stop;
}

/* Allocated record INDEX of an open FILE, read through libevtx and handed on (OFFSET: where it
 * lies, -1 if unknown). Returns nonzero when the callback asked to stop. */
static int read_allocated(libevtx_file_t *file, int index, int64_t offset,
			  const struct evtx_callbacks *cb, struct reading *reading,
			  struct id_list *seen, struct evtx_stats *stats)
{
	libevtx_error_t *error = NULL;
	libevtx_record_t *record = NULL;
	char location[32];
	int stop;

	if (libevtx_file_get_record_by_index(file, index, &record, &error) != 1) {
		snprintf(location, sizeof location, "record index %d", index);
		problem_from_error(cb, location, "record could not be read", &error, 1);
		stats->failed++;
		return 0;
	}
	stats->records++;
	remember_number(record, seen);
	stop = read_record(record, 0, index, offset, cb, reading);
	libevtx_record_free(&record, NULL);
	return stop;
}

/* Reads the log at PATH, or the SIZE bytes at DATA when PATH is NULL, through libevtx alone
 * (see evtx.h). */
static int parse_log(const char *path, const uint8_t *data, size_t size,
		     const struct evtx_callbacks *cb, struct evtx_stats *stats)
{
	struct id_list seen_ids = {0};
	struct reading *reading = calloc(1, sizeof *reading);
	struct repaired_copy copy = {NULL, NULL};
	libbfio_handle_t *memory = NULL;
	libevtx_file_t *file = NULL;
	libevtx_error_t *error = NULL;
	char text[512];
	uint32_t flags = 0;
	int count = 0, rc = -1, stop = 0, opened = 0;

	memset(stats, 0, sizeof *stats);
	if (!reading) {
		problem_text(cb, "out of memory");
		return -1;
	}
	if (libevtx_file_initialize(&file, &error) != 1) {
		problem_from_error(cb, "file", "libevtx could not be initialised", &error, 1);
		goto out;
	}
	if (path) {
		opened = libevtx_file_open(file, path, LIBEVTX_OPEN_READ, &error) == 1;
		if (!opened)
			error_text(&error, text, sizeof text);
	} else {
		/* libbfio takes a non-const pointer but only reads through a range opened to read. */
		opened = open_in_memory(file, (uint8_t *)data, size, &memory, text, sizeof text) == 0;
	}
	if (!opened) {
		opened = open_repaired(file, path, data, size, text, &copy, cb) == 0;
		if (!opened)
			goto out;
	}
	/* The repaired copy has the evidence's layout byte for byte: offsets found in the evidence
	 * itself are the records' offsets either way. */
	if ((path ? evtx_locator_build(&reading->locator, path, text, sizeof text)
		  : evtx_locator_build_memory(&reading->locator, data, size, text, sizeof text)) !=
		    0 &&
	    cb->problem) {
		char reason[600];
		snprintf(reason, sizeof reason, "record offsets could not be located: %s", text);
		cb->problem(cb->context, "file", reason, 0);
	}
	if (libevtx_file_get_flags(file, &flags, &error) == 1) {
		stats->dirty = (flags & LIBEVTX_FILE_FLAG_IS_DIRTY) != 0;
	} else {
		libevtx_error_free(&error);
	}
	stats->corrupted = libevtx_file_is_corrupted(file, &error) == 1;
	libevtx_error_free(&error);
	if (stats->dirty)
		report_dirty(cb);
	if (stats->corrupted)
		report_corrupted(cb);

	if (libevtx_file_get_number_of_records(file, &count, &error) != 1) {
		problem_from_error(cb, "file", "the number of records could not be read", &error, 1);
		count = 0;
	}
	for (int i = 0; i < count && !stop; i++)
		stop = read_allocated(file, i, -1, cb, reading, &seen_ids, stats);
	if (!stop)
		stop = read_recovered(file, cb, reading, &seen_ids, stats);
	if (!stop) {
		report_gaps(&seen_ids, cb);
		report_unlocated(reading, cb);
	}
	rc = 0;
out:
	if (opened)
		libevtx_file_close(file, NULL);
	libevtx_file_free(&file, NULL);
	repaired_copy_free(&copy);
	libbfio_handle_free(&memory, NULL);
	free(seen_ids.ids);
	channel_cache_free(&reading->channels);
	evtx_locator_free(&reading->locator);
	free(reading);
	return rc;
}

/* ---- reading with sandtrace's own decoder (binxml.h) -------------------------------------- */

/* The bytes of the log the decoder reads: a file (FD, at PATH) or a member of a collection
 * container already in memory (DATA, SIZE bytes; PATH is NULL, FD -1). Read with pread or memcpy,
 * so that every chunk worker may read it at once. */
struct log_bytes {
	const char *path;
	int fd;
	const uint8_t *data;
	size_t size;
};

/* Copies up to SIZE bytes at OFFSET of the log into BUFFER; returns how many were copied. */
static size_t log_bytes_read(const struct log_bytes *log, uint64_t offset, uint8_t *buffer,
			     size_t size)
{
	if (log->fd < 0) {
		if (offset >= log->size)
			return 0;
		if (size > log->size - offset)
			size = (size_t)(log->size - offset);
		memcpy(buffer, log->data + offset, size);
		return size;
	}
	for (size_t got = 0;;) {
		ssize_t n = pread(log->fd, buffer + got, size - got, (off_t)(offset + got));
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0 || (got += (size_t)n) == size)
			return got;
	}
}

/* One pool thread's tools for decoding chunks (ordered_pool.h): its own decoder, chunk bytes,
 * record list and XML buffer, so that threads share nothing while they decode. The first pass
 * (decoder_may_read) checks blocks in the same chunk bytes and record list beforehand. */
struct chunk_worker {
	struct binxml_decoder *decoder;
	uint8_t *chunk;
	struct binxml_record *records;
	struct strbuf xml;
};

/* One record of a decoded chunk, waiting to be handed on: its event, or why the decoder refused
 * it (both NULL: memory ran out). */
struct decoded_record {
	struct binxml_record place;
	struct evtx_event *event;
	char *refused;
};

/* What decoding one chunk gave. COUNT is -1 when the chunk no longer passes its check. */
struct decoded_chunk {
	int count;
	struct decoded_record records[];
};

/* What the decoder's reading of one file keeps: the libevtx file, opened only when a record
 * must be read through it (refused by the decoder, or recovered from outside the records). The
 * chunk workers decode; everything else here is touched only by the thread handing records on. */
struct decoding {
	const struct log_bytes *log;
	const struct evtx_callbacks *cb;
	struct reading reading;
	struct id_list seen;
	struct evtx_stats *stats;
	struct chunk_worker *workers;
	int worker_count;
	int index;             /* records handed on or refused so far: libevtx's record index */
	libevtx_file_t *file;
	libbfio_handle_t *memory; /* the memory range libevtx reads a member through */
	int libevtx_state; /* 0 not tried, 1 open, -1 could not be opened */
};

static libevtx_file_t *libevtx_for(struct decoding *f)
{
	libevtx_error_t *error = NULL;
	char text[256];

	if (f->libevtx_state == 0) {
		f->libevtx_state = -1;
		if (libevtx_file_initialize(&f->file, &error) != 1) {
			problem_from_error(f->cb, "file", "libevtx could not be initialised", &error, 1);
		} else if (f->log->path &&
			   libevtx_file_open(f->file, f->log->path, LIBEVTX_OPEN_READ, &error) != 1) {
			problem_from_error(f->cb, "file", "libevtx could not open the file", &error, 1);
			libevtx_file_free(&f->file, NULL);
		} else if (!f->log->path &&
			   /* libbfio takes a non-const pointer but only reads a range opened to read */
			   open_in_memory(f->file, (uint8_t *)f->log->data, f->log->size, &f->memory,
					  text, sizeof text) != 0) {
			char reason[400];
			snprintf(reason, sizeof reason, "libevtx could not open the log in memory: %s",
				 text);
			problem_text(f->cb, reason);
			libevtx_file_free(&f->file, NULL);
		} else {
			f->libevtx_state = 1;
		}
	}
	return f->libevtx_state == 1 ? f->file : NULL;
}

/* The event of the record worker W has just decoded (RECORD of chunk CHUNK): the store-or-count
 * decision from its System fields, then XML and fields for a record to be stored. NULL when
 * memory ran out. Runs on a pool thread: it calls only want, keep_rendered and prepare. */
static struct evtx_event *decoded_event(const struct evtx_callbacks *cb, struct chunk_worker *w,
					const struct binxml_record *record, int64_t chunk)
{
	struct evtx_event *event = event_new();
	const char *text;
	int want;

	if (!event)
		return NULL;
	event->header_record_id = event->record_id = record->number;
	event->written_time = record->written_time;
	event->offset = EVTX_FILE_HEADER_SIZE + chunk * EVTX_CHUNK_SIZE + record->offset;
	event->chunk = chunk;
	text = binxml_provider(w->decoder);
	event->provider = text ? strdup(text) : NULL;
	if (binxml_event_id(w->decoder, &event->event_id) != 0)
		event->event_id = 0;
	event->qualifiers = binxml_qualifiers(w->decoder);
	want = cb->want ? cb->want(cb->context, event->provider, event->event_id) : 1;
	if (want == 0) {
		text = binxml_channel(w->decoder);
		event->channel = text ? strdup(text) : NULL;
		return event;
	}
	if (want != 3) { /* a record kept for its fields only is never rendered (METHOD.md §8.8) */
		strbuf_reset(&w->xml);
		binxml_render_xml(w->decoder, &w->xml);
		event->xml = strbuf_failed(&w->xml) ? NULL : strdup(strbuf_text(&w->xml));
	}
	if ((want != 3 && !event->xml) || binxml_fill_event(w->decoder, event) != 0) {
		evtx_event_free(event);
		return NULL;
	}
	event->full = want == 1 || want == 3 ||
		      (cb->keep_rendered && cb->keep_rendered(cb->context, event->xml));
	finish_event(event, want == 3);
	if (event->full && cb->prepare)
		cb->prepare(cb->context, event);
	return event;
}

static void decoded_chunk_free(void *context, void *result)
{
	struct decoded_chunk *decoded = result;

	(void)context;
	for (int r = 0; decoded && r < decoded->count; r++) {
		evtx_event_free(decoded->records[r].event);
		free(decoded->records[r].refused);
	}
	free(decoded);
}

/* ordered_pool work: reads chunk INDEX again (pread; the first pass checked it) and decodes
 * each of its records on worker WORKER. NULL when memory ran out. */
static void *decode_chunk(void *context, int worker, size_t index)
{
	struct decoding *f = context;
	struct chunk_worker *w = &f->workers[worker];
	struct decoded_chunk *decoded;
	struct binxml_chunk_info info;
	char reason[256];
	int n = -1;

	if (log_bytes_read(f->log, EVTX_FILE_HEADER_SIZE + (uint64_t)index * EVTX_CHUNK_SIZE, w->chunk,
			   EVTX_CHUNK_SIZE) == EVTX_CHUNK_SIZE)
		n = binxml_chunk_check(w->chunk, w->records, BINXML_MAX_RECORDS, &info, reason,
				       sizeof reason);
	decoded = calloc(1, sizeof *decoded + (size_t)(n > 0 ? n : 0) * sizeof decoded->records[0]);
	if (!decoded)
		return NULL;
	decoded->count = n;
	if (n > 0)
		binxml_decoder_set_chunk(w->decoder, w->chunk);
	for (int r = 0; r < n; r++) {
		struct decoded_record *d = &decoded->records[r];

		d->place = w->records[r];
		if (binxml_decode_record(w->decoder, &w->records[r], reason, sizeof reason) == 0)
			d->event = decoded_event(f->cb, w, &w->records[r], (int64_t)index);
		else
			d->refused = strdup(reason);
		if (!d->event && !d->refused)
			break; /* out of memory: handed on as such */
	}
	return decoded;
}

/* ordered_pool deliver: hands on the records of chunk INDEX in order, reading the ones the
 * decoder refused through libevtx. Returns nonzero to stop. */
static int deliver_chunk(void *context, size_t index, void *result)
{
	struct decoding *f = context;
	const struct evtx_callbacks *cb = f->cb;
	struct decoded_chunk *decoded = result;
	int stop = 0;

	if (!decoded) {
		problem_text(cb, "out of memory");
		return 1;
	}
	if (decoded->count < 0) { /* changed since the first pass: evidence must not change under us */
		char reason[120];
		snprintf(reason, sizeof reason, "chunk %zu changed while the file was read; its "
			 "records are not read", index);
		problem_text(cb, reason);
	}
	for (int r = 0; r < decoded->count && !stop; r++, f->index++) {
		struct decoded_record *d = &decoded->records[r];
		char location[32];
		libevtx_file_t *file;

		if (d->event) {
			f->stats->records++;
			id_list_add(&f->seen, d->place.number);
			stop = hand_on(cb, &f->reading, d->event);
			d->event = NULL;
			continue;
		}
		if (!d->refused) {
			f->stats->records++;
			problem_text(cb, "out of memory");
			stop = 1;
			break;
		}
		snprintf(location, sizeof location, "record index %d", f->index);
		if (cb->problem) {
			char reason_text[400];
			snprintf(reason_text, sizeof reason_text, "read through libevtx: sandtrace's "
				 "decoder refused it (%s)", d->refused);
			cb->problem(cb->context, location, reason_text, 0);
		}
		file = libevtx_for(f);
		if (file)
			stop = read_allocated(file, f->index, EVTX_FILE_HEADER_SIZE +
					      (int64_t)index * EVTX_CHUNK_SIZE + d->place.offset,
					      cb, &f->reading, &f->seen, f->stats);
		else
			f->stats->failed++;
	}
	decoded_chunk_free(NULL, decoded);
	return stop;
}

/* Chunks each thread may have decoded ahead of the hand-over (ordered_pool.h's window). */
enum { CHUNKS_AHEAD_PER_THREAD = 2 };

/* THREADS chunk workers for F (at least one); -1 when out of memory. */
static int workers_new(struct decoding *f, int threads)
{
	f->workers = calloc((size_t)threads, sizeof *f->workers);
	if (!f->workers)
		return -1;
	f->worker_count = threads;
	for (int i = 0; i < threads; i++) {
		struct chunk_worker *w = &f->workers[i];
		w->decoder = binxml_decoder_new();
		w->chunk = malloc(EVTX_CHUNK_SIZE);
		w->records = malloc(BINXML_MAX_RECORDS * sizeof *w->records);
		if (!w->decoder || !w->chunk || !w->records)
			return -1;
	}
	return 0;
}

static void workers_free(struct decoding *f)
{
	for (int i = 0; f->workers && i < f->worker_count; i++) {
		binxml_decoder_free(f->workers[i].decoder);
		free(f->workers[i].chunk);
		free(f->workers[i].records);
		strbuf_free(&f->workers[i].xml);
	}
	free(f->workers);
}

static int all_zero(const uint8_t *bytes, size_t size)
{
	for (size_t i = 0; i < size; i++)
		if (bytes[i])
			return 0;
	return 1;
}

struct chunk_range {
	uint64_t first, last;
};

static int compare_ranges(const void *a, const void *b)
{
	const struct chunk_range *x = a, *y = b;
	return x->first < y->first ? -1 : x->first > y->first;
}

/* One 64 KiB block of the first pass, as a pool thread found it. */
struct block_check {
	size_t got;        /* bytes read at the block's place */
	int zero;          /* they are all zero */
	int records;       /* binxml_chunk_check's result (a full block the header counts) */
	struct binxml_chunk_info info;
	char reason[200];
};

struct first_pass {
	const struct log_bytes *in;
	uint16_t counted;
	struct block_check *blocks;  /* WINDOW slots: block i in slot i % WINDOW (ordered_pool.h) */
	size_t window;
	struct chunk_worker *workers; /* per pool thread: the chunk buffer and record list its
				       * decoding uses afterwards (read_with_decoder) */
	struct chunk_range *ranges;  /* per chunk the header counts */
	size_t seen;                 /* blocks handed on */
	int recovery;
	char *why;
	size_t why_size;
};

static void *check_block(void *context, int worker, size_t index)
{
	struct first_pass *pass = context;
	struct block_check *b = &pass->blocks[index % pass->window];
	uint8_t *chunk = pass->workers[worker].chunk;

	memset(b, 0, sizeof *b); /* the slot's last block was judged: nothing of it is kept */
	b->got = log_bytes_read(pass->in, EVTX_FILE_HEADER_SIZE + (uint64_t)index * EVTX_CHUNK_SIZE,
				chunk, EVTX_CHUNK_SIZE);
	if (index >= pass->counted || b->got < EVTX_CHUNK_SIZE)
		b->zero = all_zero(chunk, b->got);
	else
		b->records = binxml_chunk_check(chunk, pass->workers[worker].records,
						BINXML_MAX_RECORDS, &b->info, b->reason,
						sizeof b->reason);
	return b;
}

/* In block order: the verdicts a one-thread pass would reach, in the same order. */
static int judge_block(void *context, size_t index, void *result)
{
	struct first_pass *pass = context;
	const struct block_check *b = result;

	if (b->got == 0)
		return 1; /* the file ended sooner than its size said: what was seen is judged */
	pass->seen = index + 1;
	if (index >= pass->counted || b->got < EVTX_CHUNK_SIZE) {
		if (b->zero)
			return 0;
		if (index < pass->counted)
			snprintf(pass->why, pass->why_size, "chunk %zu is cut short (%zu of %d bytes)",
				 index, b->got, EVTX_CHUNK_SIZE);
		else
			snprintf(pass->why, pass->why_size,
				 "data after the %u chunk(s) the header counts", (unsigned)pass->counted);
		return 1;
	}
	if (b->records < 0) {
		snprintf(pass->why, pass->why_size, "chunk %zu: %s", index, b->reason);
		return 1;
	}
	if (b->info.slack_signatures)
		pass->recovery = 1;
	pass->ranges[index].first = b->info.first_number;
	pass->ranges[index].last = b->info.last_number;
	return 0;
}

static void keep_block(void *context, void *result)
{
	(void)context;
	(void)result; /* the slots live in first_pass.blocks */
}

/* The size of the log IN in bytes, or 0 when it cannot be told. */
static uint64_t log_bytes_size(const struct log_bytes *in)
{
	struct stat st;

	if (in->fd < 0)
		return in->size;
	return fstat(in->fd, &st) == 0 && st.st_size > 0 ? (uint64_t)st.st_size : 0;
}

/* The file header of the log IN, the start of the first pass: 0 when it is sound (signature,
 * CRC32, sizes), with *COUNTED the chunks it counts, *BLOCKS the 64 KiB blocks the file holds
 * after it, and STATS' dirty and corrupted flags set; -1 with WHY filled when it is not. */
static int log_header_check(const struct log_bytes *in, struct evtx_stats *stats,
			    uint16_t *counted, size_t *blocks, char *why, size_t why_size)
{
	uint8_t header[EVTX_FILE_HEADER_SIZE];
	uint64_t size = log_bytes_size(in);

	if (log_bytes_read(in, 0, header, sizeof header) != sizeof header ||
	    memcmp(header, "ElfFile\0", 8) != 0 ||
	    (uint32_t)crc32(0, header, 120) != le32_at(header + 124) ||
	    le32_at(header + 32) != 128 || le16_at(header + 38) != 3 ||
	    le16_at(header + 40) != EVTX_FILE_HEADER_SIZE) {
		snprintf(why, why_size, "file header not sound (signature, CRC32 or sizes)");
		return -1;
	}
	stats->dirty = (le32_at(header + 120) & 1) != 0;
	*counted = le16_at(header + 42);
	{
		/* libevtx calls a file corrupted whose header's first chunk number is above its last
		 * one (a log that has wrapped round) or whose chunk count is not last - first + 1;
		 * the same test keeps its verdict (a severe problem) unchanged. */
		uint16_t first = le16_at(header + 8), last = le16_at(header + 16);
		stats->corrupted = first > last || *counted != (uint16_t)(last - first + 1);
	}
	*blocks = size > EVTX_FILE_HEADER_SIZE
			  ? (size_t)((size - EVTX_FILE_HEADER_SIZE + EVTX_CHUNK_SIZE - 1) / EVTX_CHUNK_SIZE)
			  : 0;
	return 0;
}

/* The rest of the first pass: whether the decoder may read IN whole, its header (COUNTED chunks,
 * BLOCKS blocks) being sound. It may when every chunk the header counts passes
 * binxml_chunk_check, the chunks' record number ranges do not overlap (so that record number and
 * written time name one record), and the file holds nothing after them but zeros. *RECOVERY is
 * set when "**\0\0" signatures lie in some chunk's free space: libevtx is then asked for
 * recovered records. The blocks are checked on THREADS threads (they are independent), each
 * reading into the chunk buffer and record list of its own of WORKERS (the ones that decode the
 * chunks afterwards), and judged in file order. Returns the number of chunks to read, or -1 with
 * WHY filled. */
static int decoder_may_read(const struct log_bytes *in, uint16_t counted, size_t blocks,
			    struct chunk_worker *workers, int threads, int *recovery, char *why,
			    size_t why_size)
{
	struct first_pass pass = {.in = in, .counted = counted, .workers = workers, .why = why,
				  .why_size = why_size};
	int rc = -1, stopped;

	*recovery = 0;
	pass.ranges = calloc(pass.counted ? pass.counted : 1, sizeof *pass.ranges);
	pass.window = (size_t)threads * 4;
	pass.blocks = calloc(pass.window, sizeof *pass.blocks);
	if (!pass.ranges || !pass.blocks) {
		snprintf(why, why_size, "out of memory");
		goto out;
	}
	{
		struct ordered_pool_task task = {&pass, check_block, judge_block, keep_block};
		stopped = ordered_pool_run(&task, blocks, threads, pass.window);
	}
	if (stopped && why[0])
		goto out;
	if (pass.seen < pass.counted) {
		snprintf(why, why_size, "the header counts %u chunks, the file holds %zu",
			 (unsigned)pass.counted, pass.seen);
		goto out;
	}
	qsort(pass.ranges, pass.counted, sizeof *pass.ranges, compare_ranges);
	for (uint16_t i = 1; i < pass.counted; i++)
		if (pass.ranges[i].first <= pass.ranges[i - 1].last) {
			snprintf(why, why_size, "two chunks hold the same record numbers");
			goto out;
		}
	*recovery = pass.recovery;
	rc = pass.counted;
out:
	free(pass.blocks);
	free(pass.ranges);
	return rc;
}

/* THREADS brought within 1 .. ITEMS (1 when there are no items). */
static int threads_for(int threads, size_t items)
{
	if (threads < 1)
		threads = 1;
	if ((size_t)threads > items)
		threads = items > 1 ? (int)items : 1;
	return threads;
}

/* Reads the log at PATH, or the SIZE bytes at DATA when PATH is NULL, with the decoder, its chunks
 * decoded on THREADS threads. Returns 1 when it did (events and problems handed on, STATS filled),
 * 0 when the log is to be read through libevtx instead (nothing handed on; WHY says why), -1 when
 * it stopped (the callback asked, or memory ran out). */
static int read_with_decoder(const char *path, const uint8_t *data, size_t size,
			     const struct evtx_callbacks *cb, struct evtx_stats *stats, int threads,
			     char *why, size_t why_size)
{
	struct decoding f;
	struct log_bytes log = {path, path ? open(path, O_RDONLY | O_CLOEXEC) : -1, data, size};
	int chunks, recovery = 0, stop = 0, rc = 0;
	uint16_t counted = 0;
	size_t blocks = 0;

	memset(stats, 0, sizeof *stats);
	memset(&f, 0, sizeof f);
	f.log = &log;
	f.cb = cb;
	f.stats = stats;
	why[0] = 0;
	if (path && log.fd < 0) {
		snprintf(why, why_size, "cannot open the file");
		goto out;
	}
	if (log_header_check(&log, stats, &counted, &blocks, why, why_size) != 0) {
		memset(stats, 0, sizeof *stats);
		goto out;
	}
	/* The workers serve the first pass (one per block-checking thread) and then the decoding,
	 * which needs no more of them than there are chunks. */
	threads = threads_for(threads, blocks);
	if (workers_new(&f, threads) != 0) {
		memset(stats, 0, sizeof *stats);
		snprintf(why, why_size, "out of memory");
		goto out;
	}
	chunks = decoder_may_read(&log, counted, blocks, f.workers, threads, &recovery, why,
				  why_size);
	if (chunks < 0) {
		memset(stats, 0, sizeof *stats);
		goto out;
	}
	threads = threads_for(threads, (size_t)chunks);
	rc = 1;
	if (stats->dirty)
		report_dirty(cb);
	if (stats->corrupted)
		report_corrupted(cb);
	{
		struct ordered_pool_task task = {&f, decode_chunk, deliver_chunk, decoded_chunk_free};
		stop = ordered_pool_run(&task, (size_t)chunks, threads,
					(size_t)threads * CHUNKS_AHEAD_PER_THREAD);
	}
	if (!stop && recovery) {
		libevtx_file_t *file = libevtx_for(&f);
		char text[512];

		if (file && (path ? evtx_locator_build(&f.reading.locator, path, text, sizeof text)
				  : evtx_locator_build_memory(&f.reading.locator, data, size, text,
							      sizeof text)) != 0 &&
		    cb->problem) {
			char reason[600];
			snprintf(reason, sizeof reason, "record offsets could not be located: %s", text);
			cb->problem(cb->context, "file", reason, 0);
		}
		if (file)
			stop = read_recovered(file, cb, &f.reading, &f.seen, stats);
	}
	if (!stop) {
		report_gaps(&f.seen, cb);
		report_unlocated(&f.reading, cb);
	}
out:
	if (f.libevtx_state == 1) {
		libevtx_file_close(f.file, NULL);
		libevtx_file_free(&f.file, NULL);
	}
	libbfio_handle_free(&f.memory, NULL);
	if (log.fd >= 0)
		close(log.fd);
	free(f.seen.ids);
	workers_free(&f);
	channel_cache_free(&f.reading.channels);
	evtx_locator_free(&f.reading.locator);
	return rc;
}

/* The log at PATH, or the SIZE bytes at DATA: through the decoder when it reads the log whole,
 * else through libevtx, with a problem (not severe) saying why. */
static int parse_log_bytes(const char *path, const uint8_t *data, size_t size,
			   const struct evtx_callbacks *cb, struct evtx_stats *stats, int threads)
{
	char why[300], reason[400];
	int rc = read_with_decoder(path, data, size, cb, stats, threads, why, sizeof why);

	if (rc != 0)
		return 0;
	if (cb->problem && why[0]) {
		snprintf(reason, sizeof reason, "read through libevtx: sandtrace's decoder does not "
			 "read this file whole (%s)", why);
		cb->problem(cb->context, "file", reason, 0);
	}
	return parse_log(path, data, size, cb, stats);
}

int evtx_parse_file(const char *path, const struct evtx_callbacks *cb, struct evtx_stats *stats)
{
	return parse_log_bytes(path, NULL, 0, cb, stats, 1);
}

int evtx_parse_file_threads(const char *path, const struct evtx_callbacks *cb,
			    struct evtx_stats *stats, int threads)
{
	return parse_log_bytes(path, NULL, 0, cb, stats, threads);
}

int evtx_parse_file_with_libevtx(const char *path, const struct evtx_callbacks *cb,
				 struct evtx_stats *stats)
{
	return parse_log(path, NULL, 0, cb, stats);
}

/* A member of a collection container is read from memory the way a file is read (METHOD.md §8.6). */
int evtx_parse_memory(const uint8_t *data, size_t size, const struct evtx_callbacks *cb,
		      struct evtx_stats *stats)
{
	return parse_log_bytes(NULL, data, size, cb, stats, 1);
}
