/*
 * wsb.c - Windows Sandbox configurations and launcher command lines (see wsb.h).
 *
 * Facts come from METHOD.md §5.1 (elements, values, defaults, tolerance) and §5.2 (wsb.exe and
 * WindowsSandbox.exe command lines). The Enable/Disable settings and the risk flags are tables;
 * adding a setting or a flag is adding a row.
 *
 * Hardening of the XML reader (shared with task_xml.c): the input is size-limited; libxml2 runs
 * with XML_PARSE_NONET and without XML_PARSE_NOENT, XML_PARSE_DTDLOAD or XML_PARSE_HUGE, so no
 * external entity or DTD is fetched and libxml2's own limits stay on; a document declaring any
 * entity is refused before parsing (and again after, should libxml2 have seen a declaration the byte
 * scan missed); and text is read from text/CDATA nodes only, never through an entity reference.
 */
#include "wsb.h"

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <libxml/parser.h>
#include <libxml/tree.h>
#include <libxml/xmlerror.h>

#include "strbuf.h"
#include "utf8.h"

static const char SECTION_WSB[] = "METHOD.md §5.1";

static void set_error(char *err, size_t err_size, const char *format, ...)
	__attribute__((format(printf, 3, 4)));

static void set_error(char *err, size_t err_size, const char *format, ...)
{
	va_list args;

	if (!err || err_size == 0)
		return;
	va_start(args, format);
	vsnprintf(err, err_size, format, args);
	va_end(args);
}

static char *dup_range(const char *text, size_t length)
{
	char *copy = malloc(length + 1);

	if (!copy)
		return NULL;
	memcpy(copy, text, length);
	copy[length] = '\0';
	return copy;
}

static char *dup_string(const char *text)
{
	return text ? dup_range(text, strlen(text)) : NULL;
}

static int is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\f' || c == '\v';
}

/* First occurrence of NEEDLE in HAY, ASCII case-insensitively (strcasestr is not standard C). */
static const char *find_nocase(const char *hay, const char *needle)
{
	size_t length = strlen(needle);

	for (; *hay; hay++)
		if (strncasecmp(hay, needle, length) == 0)
			return hay;
	return NULL;
}

/* TEXT without leading and trailing white space, as a new string. */
static char *dup_trimmed(const char *text)
{
	size_t start = 0, end;

	if (!text)
		return NULL;
	end = strlen(text);
	while (start < end && is_space(text[start]))
		start++;
	while (end > start && is_space(text[end - 1]))
		end--;
	return dup_range(text + start, end - start);
}

/* Case-insensitive (ASCII) equality of TEXT, trimmed of white space, with WORD. */
static int trimmed_equals(const char *text, const char *word)
{
	size_t start = 0, end, length = strlen(word);

	end = strlen(text);
	while (start < end && is_space(text[start]))
		start++;
	while (end > start && is_space(text[end - 1]))
		end--;
	return end - start == length && strncasecmp(text + start, word, length) == 0;
}

/* ---- encodings ------------------------------------------------------------------------------ */

static void put_utf8(struct strbuf *out, unsigned long cp)
{
	char b[4];

	if (cp < 0x80) {
		strbuf_append_char(out, (char)cp);
	} else if (cp < 0x800) {
		b[0] = (char)(0xC0 | (cp >> 6));
		b[1] = (char)(0x80 | (cp & 0x3F));
		strbuf_append(out, b, 2);
	} else if (cp < 0x10000) {
		b[0] = (char)(0xE0 | (cp >> 12));
		b[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
		b[2] = (char)(0x80 | (cp & 0x3F));
		strbuf_append(out, b, 3);
	} else {
		b[0] = (char)(0xF0 | (cp >> 18));
		b[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
		b[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
		b[3] = (char)(0x80 | (cp & 0x3F));
		strbuf_append(out, b, 4);
	}
}

/* The input as UTF-8 without BOM: UTF-16LE/BE (by BOM, or by the zero bytes of "<" without one)
 * decoded, anything else taken as UTF-8 with invalid bytes and NULs replaced by U+FFFD / dropped.
 * Returns a builder's content; the builder reports allocation failure. */
static void convert_to_utf8(const unsigned char *p, size_t n, struct strbuf *out)
{
	int utf16 = 0, big_endian = 0;
	size_t i = 0;

	if (n >= 3 && p[0] == 0xEF && p[1] == 0xBB && p[2] == 0xBF) {
		i = 3;
	} else if (n >= 2 && p[0] == 0xFF && p[1] == 0xFE) {
		utf16 = 1, i = 2;
	} else if (n >= 2 && p[0] == 0xFE && p[1] == 0xFF) {
		utf16 = 1, big_endian = 1, i = 2;
	} else if (n >= 2 && p[0] != 0 && p[1] == 0) {
		utf16 = 1;
	} else if (n >= 2 && p[0] == 0 && p[1] != 0) {
		utf16 = 1, big_endian = 1;
	}
	if (utf16) {
		while (i + 1 < n) {
			unsigned long unit = big_endian ? ((unsigned long)p[i] << 8 | p[i + 1])
							: ((unsigned long)p[i + 1] << 8 | p[i]);
			i += 2;
			if (unit == 0)
				continue;
			if (unit >= 0xD800 && unit <= 0xDBFF && i + 1 < n) {
				unsigned long low = big_endian ? ((unsigned long)p[i] << 8 | p[i + 1])
							       : ((unsigned long)p[i + 1] << 8 | p[i]);
				if (low >= 0xDC00 && low <= 0xDFFF) {
					i += 2;
					put_utf8(out, 0x10000 + ((unit - 0xD800) << 10) + (low - 0xDC00));
					continue;
				}
			}
			if (unit >= 0xD800 && unit <= 0xDFFF)
				unit = 0xFFFD;
			put_utf8(out, unit);
		}
		return;
	}
	while (i < n) {
		size_t length = utf8_decode(p + i, n - i, NULL);
		if (length == 0) {
			put_utf8(out, 0xFFFD);
			i++;
		} else {
			if (p[i] != 0)
				strbuf_append(out, (const char *)p + i, length);
			i += length;
		}
	}
}

/* Offset just past the first PATTERN in P[FROM..N), NUL bytes skipped so that UTF-16 and UTF-32
 * forms match too; 0 if absent. */
static size_t find_skipping_nul(const unsigned char *p, size_t from, size_t n, const char *pattern)
{
	size_t matched = 0, length = strlen(pattern);

	for (size_t i = from; i < n; i++) {
		if (p[i] == 0)
			continue;
		if (p[i] == (unsigned char)pattern[matched]) {
			if (++matched == length)
				return i + 1;
		} else {
			matched = p[i] == (unsigned char)pattern[0] ? 1 : 0;
		}
	}
	return 0;
}

/* 1 if a "<!DOCTYPE" is followed by a "<!ENTITY" (a declaration). Only both together are refused
 * up front, so that a comment mentioning "<!ENTITY" cannot make evidence unreadable; libxml2's view
 * of the document is checked again after parsing (doc_has_entities). */
static int declares_entity(const unsigned char *p, size_t n)
{
	size_t doctype = find_skipping_nul(p, 0, n, "<!DOCTYPE");

	return doctype && find_skipping_nul(p, doctype, n, "<!ENTITY");
}

static int doc_has_entities(xmlDoc *doc)
{
	return (doc->intSubset && (doc->intSubset->entities || doc->intSubset->pentities)) ||
	       (doc->extSubset && (doc->extSubset->entities || doc->extSubset->pentities));
}

static void note_problem(struct wsb_xml_read *read, xmlParserCtxt *ctxt)
{
	const char *message = ctxt->lastError.message;
	size_t length;

	if (read->problem[0] || !message)
		return;
	snprintf(read->problem, sizeof read->problem, "line %d: %s", ctxt->lastError.line, message);
	length = strlen(read->problem);
	while (length > 0 && is_space(read->problem[length - 1]))
		read->problem[--length] = '\0';
}

/* libxml2 2.9 reports input-conversion failures through the (thread-local) generic error handler
 * even with XML_PARSE_NOERROR; evidence problems are data, not stderr noise. */
static void ignore_generic_error(void *context, const char *message, ...)
{
	(void)context;
	(void)message;
}

void wsb_xml_read_clear(struct wsb_xml_read *read)
{
	if (!read)
		return;
	if (read->doc)
		xmlFreeDoc(read->doc);
	read->doc = NULL;
}

int wsb_xml_read_memory(const char *data, size_t size, size_t max_size, int decoded_text,
			struct wsb_xml_read *read, char *err, size_t err_size)
{
	/* No NOENT (no substitution), no DTDLOAD/DTDVALID (no external DTD or entity), no HUGE. */
	const int options = XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING;
	struct strbuf utf8 = STRBUF_INIT;
	xmlParserCtxt *ctxt = NULL;
	xmlDoc *doc = NULL;
	xmlGenericErrorFunc saved_handler;
	void *saved_context;
	int rc = -1;

	if (!read) {
		set_error(err, err_size, "no result given");
		return -1;
	}
	memset(read, 0, sizeof *read);
	if (!data && size) {
		set_error(err, err_size, "no data given");
		return -1;
	}
	if (max_size > (size_t)INT_MAX / 4)
		max_size = (size_t)INT_MAX / 4;
	if (size > max_size) {
		set_error(err, err_size, "input is %zu bytes, over the %zu-byte limit; not parsed", size,
			  max_size);
		return -1;
	}
	if (size == 0) {
		set_error(err, err_size, "empty input");
		return -1;
	}
	if (declares_entity((const unsigned char *)data, size)) {
		set_error(err, err_size,
			  "the document declares entities (<!ENTITY ...>); refused so that none is "
			  "expanded or fetched");
		return -1;
	}
	ctxt = xmlNewParserCtxt();
	if (!ctxt) {
		set_error(err, err_size, "out of memory");
		return -1;
	}
	saved_handler = xmlGenericError;
	saved_context = xmlGenericErrorContext;
	xmlSetGenericErrorFunc(NULL, ignore_generic_error);

	/* 1: as libxml2 sees it (BOM, declaration), or as the UTF-8 text it already is. */
	doc = decoded_text ? xmlCtxtReadMemory(ctxt, data, (int)size, NULL, "UTF-8",
					       options | XML_PARSE_IGNORE_ENC)
			   : xmlCtxtReadMemory(ctxt, data, (int)size, NULL, NULL, options);
	if (doc && ctxt->wellFormed && xmlDocGetRootElement(doc)) {
		read->well_formed = 1;
		goto accept;
	}
	note_problem(read, ctxt);
	if (doc)
		xmlFreeDoc(doc);
	doc = NULL;

	/* 2: our own conversion to UTF-8, declaration ignored (METHOD.md §4.1). */
	convert_to_utf8((const unsigned char *)data, size, &utf8);
	if (strbuf_failed(&utf8) || utf8.length > (size_t)INT_MAX) {
		set_error(err, err_size, "out of memory");
		goto out;
	}
	if (utf8.length == 0) {
		set_error(err, err_size, "not XML: no text in the input");
		goto out;
	}
	doc = xmlCtxtReadMemory(ctxt, utf8.data, (int)utf8.length, NULL, "UTF-8",
				options | XML_PARSE_IGNORE_ENC);
	if (doc && ctxt->wellFormed && xmlDocGetRootElement(doc)) {
		read->well_formed = 1;
		read->encoding_repaired = 1;
		goto accept;
	}
	if (doc)
		xmlFreeDoc(doc);
	doc = NULL;

	/* 3: keep what a malformed file still says (parse_ok = false, METHOD.md §5.1). */
	doc = xmlCtxtReadMemory(ctxt, utf8.data, (int)utf8.length, NULL, "UTF-8",
				options | XML_PARSE_IGNORE_ENC | XML_PARSE_RECOVER);
	note_problem(read, ctxt);
	if (!doc || !xmlDocGetRootElement(doc)) {
		set_error(err, err_size, "not XML: %s", read->problem[0] ? read->problem : "no root");
		goto out;
	}
	read->well_formed = 0;

accept:
	if (doc_has_entities(doc)) {
		set_error(err, err_size, "the document declares entities; refused");
		goto out;
	}
	read->doc = doc;
	doc = NULL;
	rc = 0;
out:
	if (doc)
		xmlFreeDoc(doc);
	xmlFreeParserCtxt(ctxt);
	xmlSetGenericErrorFunc(saved_context, saved_handler);
	strbuf_free(&utf8);
	return rc;
}

char *wsb_xml_node_text(const void *node)
{
	const xmlNode *element = node;
	struct strbuf text = STRBUF_INIT;
	char *result;

	if (!element)
		return NULL;
	for (const xmlNode *child = element->children; child; child = child->next)
		if ((child->type == XML_TEXT_NODE || child->type == XML_CDATA_SECTION_NODE) &&
		    child->content)
			strbuf_append_str(&text, (const char *)child->content);
	if (strbuf_failed(&text)) {
		strbuf_free(&text);
		return NULL;
	}
	if (!text.data)
		return dup_string("");
	result = strbuf_detach(&text);
	return result;
}

/* ---- settings (METHOD.md §5.1) ------------------------------------------------------------ */

/* One row per Enable/Disable/Default element: its Microsoft spelling and the documented default
 * ("Default (MS)" column of §5.1). */
static const struct setting_rule {
	enum wsb_setting_id id;
	const char *name;
	int default_state;
} setting_rules[WSB_SETTING_COUNT] = {
	{WSB_SETTING_VGPU, "vGPU", WSB_OFF},                    /* Default = disabled (WARP) */
	{WSB_SETTING_NETWORKING, "Networking", WSB_ON},         /* Default = enabled */
	{WSB_SETTING_AUDIO_INPUT, "AudioInput", WSB_ON},        /* Default = enabled */
	{WSB_SETTING_VIDEO_INPUT, "VideoInput", WSB_OFF},       /* Default = disabled */
	{WSB_SETTING_PROTECTED_CLIENT, "ProtectedClient", WSB_OFF}, /* Default = disabled */
	{WSB_SETTING_PRINTER_REDIRECTION, "PrinterRedirection", WSB_OFF}, /* Default = disabled */
	{WSB_SETTING_CLIPBOARD_REDIRECTION, "ClipboardRedirection", WSB_ON}, /* = permitted */
};

/* Value spellings (§5.1 "Case and value tolerance"); compared trimmed, case-insensitively. */
static const char *const on_words[] = {"Enable", "Enabled", "True", "1"};
static const char *const off_words[] = {"Disable", "Disabled", "False", "0"};

/* WSB_ON / WSB_OFF for a recognised word, 2 for Default/empty, WSB_UNKNOWN otherwise. */
static int classify_toggle(const char *raw, int allow_default_word)
{
	for (size_t i = 0; i < sizeof on_words / sizeof on_words[0]; i++)
		if (trimmed_equals(raw, on_words[i]))
			return WSB_ON;
	for (size_t i = 0; i < sizeof off_words / sizeof off_words[0]; i++)
		if (trimmed_equals(raw, off_words[i]))
			return WSB_OFF;
	if (trimmed_equals(raw, "") || (allow_default_word && trimmed_equals(raw, "Default")))
		return 2;
	return WSB_UNKNOWN;
}

static char *unknown_text(const char *raw)
{
	struct strbuf sb = STRBUF_INIT;

	strbuf_printf(&sb, "unknown (raw %s)", raw);
	return strbuf_detach(&sb);
}

static int setting_resolve(struct wsb_setting *setting, int default_state)
{
	int state = setting->raw ? classify_toggle(setting->raw, 1) : 2;

	if (!setting->raw) {
		setting->source = WSB_SOURCE_ABSENT;
	} else if (state == 2) {
		setting->source = WSB_SOURCE_DEFAULT;
	} else if (state == WSB_UNKNOWN) {
		setting->source = WSB_SOURCE_INVALID;
	} else {
		setting->source = WSB_SOURCE_EXPLICIT;
	}
	setting->effective = state == 2 ? default_state : state;
	setting->is_default = state == 2;
	if (setting->effective == WSB_UNKNOWN)
		setting->effective_text = unknown_text(setting->raw);
	else
		setting->effective_text = dup_string(setting->effective == WSB_ON ? "enabled" : "disabled");
	return setting->effective_text ? 0 : -1;
}

int wsb_describe_setting(const struct wsb_setting *setting, char *buf, size_t buf_size)
{
	const char *how = "explicit";
	int n;

	if (!setting || !buf || buf_size == 0)
		return -1;
	switch (setting->source) {
	case WSB_SOURCE_ABSENT:
		how = "default, element absent";
		break;
	case WSB_SOURCE_DEFAULT:
		how = setting->raw && trimmed_equals(setting->raw, "") ? "default, element empty"
								       : "default, value Default";
		break;
	case WSB_SOURCE_INVALID:
		how = "unrecognised value";
		break;
	case WSB_SOURCE_EXPLICIT:
		break;
	}
	n = snprintf(buf, buf_size, "%s: %s (%s)", setting->name,
		     setting->effective_text ? setting->effective_text : "?", how);
	return n < 0 || (size_t)n >= buf_size ? -1 : 0;
}

/* ---- paths -------------------------------------------------------------------------------- */

/* A path for comparison: trimmed, quotes and a \\?\ prefix removed, '/' as '\', repeated
 * separators collapsed, no trailing separator ("C:\" -> "c:"), ASCII lower case. */
static char *normalize_path(const char *path)
{
	char *trimmed = dup_trimmed(path);
	char *out;
	size_t start = 0, length, w = 0;

	if (!trimmed)
		return NULL;
	length = strlen(trimmed);
	while (length > start && trimmed[length - 1] == '"')
		length--;
	while (start < length && trimmed[start] == '"')
		start++;
	if (length - start >= 4 && memcmp(trimmed + start, "\\\\?\\", 4) == 0)
		start += 4;
	out = malloc(length - start + 1);
	if (!out) {
		free(trimmed);
		return NULL;
	}
	for (size_t i = start; i < length; i++) {
		char c = trimmed[i] == '/' ? '\\' : (char)tolower((unsigned char)trimmed[i]);
		/* keep a leading "\\" (UNC), collapse any other repeat */
		if (c == '\\' && w > 1 && out[w - 1] == '\\')
			continue;
		out[w++] = c;
	}
	while (w > 0 && out[w - 1] == '\\')
		w--;
	out[w] = '\0';
	free(trimmed);
	return out;
}

/* Host folders whose writable mapping is the NPA pattern: equal to or above C:\Users, a profile
 * root, C:\, C:\Windows, C:\ProgramData (§5.1 "Effective-value rules"), plus Program Files and
 * System32. Drive letters are not fixed to C:. Rows: path below the drive, what it is. */
static const struct {
	const char *below_drive;
	const char *what;
} sensitive_roots[] = {
	{"", "a drive root"},
	{"\\users", "the user-profile root"},
	{"\\documents and settings", "the legacy user-profile root"},
	{"\\windows", "the system root"},
	{"\\windows\\system32", "the system directory"},
	{"\\programdata", "ProgramData"},
	{"\\program files", "Program Files"},
	{"\\program files (x86)", "Program Files (x86)"},
};

static const struct {
	const char *variable;
	const char *what;
} sensitive_variables[] = {
	{"%systemdrive%", "a drive root"},   {"%homedrive%", "a drive root"},
	{"%userprofile%", "a user profile folder"}, {"%public%", "a user profile folder (Public)"},
	{"%systemroot%", "the system root"}, {"%windir%", "the system root"},
	{"%programdata%", "ProgramData"},    {"%allusersprofile%", "ProgramData"},
	{"%programfiles%", "Program Files"},
};

/* What NORM (a normalize_path result) is when it is a sensitive root, else NULL. */
static const char *sensitive_root(const char *norm)
{
	for (size_t i = 0; i < sizeof sensitive_variables / sizeof sensitive_variables[0]; i++)
		if (strcmp(norm, sensitive_variables[i].variable) == 0)
			return sensitive_variables[i].what;
	if (!(norm[0] >= 'a' && norm[0] <= 'z' && norm[1] == ':'))
		return NULL;
	for (size_t i = 0; i < sizeof sensitive_roots / sizeof sensitive_roots[0]; i++)
		if (strcmp(norm + 2, sensitive_roots[i].below_drive) == 0)
			return sensitive_roots[i].what;
	/* X:\Users\<one component>: a profile folder (including Public and Default) */
	if (strncmp(norm + 2, "\\users\\", 7) == 0 && norm[9] && !strchr(norm + 9, '\\'))
		return "a user profile folder";
	return NULL;
}

/* The documented default sandbox path for HOST: Desktop\<leaf> (§5.1), NULL if HOST has no leaf
 * (empty, a drive root). *NO_MEMORY is set when allocation failed. */
static char *default_sandbox_folder(const char *host, int *no_memory)
{
	char *trimmed = dup_trimmed(host);
	struct strbuf sb = STRBUF_INIT;
	size_t length;
	const char *leaf;

	if (!trimmed) {
		*no_memory = 1;
		return NULL;
	}
	length = strlen(trimmed);
	while (length > 0 && (trimmed[length - 1] == '\\' || trimmed[length - 1] == '/'))
		trimmed[--length] = '\0';
	leaf = trimmed;
	for (size_t i = 0; i < length; i++)
		if (trimmed[i] == '\\' || trimmed[i] == '/')
			leaf = trimmed + i + 1;
	if (!*leaf || leaf[strlen(leaf) - 1] == ':') {
		free(trimmed);
		return NULL;
	}
	strbuf_printf(&sb, "C:\\Users\\WDAGUtilityAccount\\Desktop\\%s", leaf);
	free(trimmed);
	if (strbuf_failed(&sb)) {
		*no_memory = 1;
		strbuf_free(&sb);
		return NULL;
	}
	return strbuf_detach(&sb);
}

/* ---- building the config ---------------------------------------------------------------------- */

static int name_is(const xmlNode *node, const char *name)
{
	return node->type == XML_ELEMENT_NODE && node->name &&
	       strcasecmp((const char *)node->name, name) == 0;
}

static int add_unknown(struct wsb_config *config, const char *parent, const xmlNode *node,
		       const char *suffix)
{
	struct wsb_unknown_element *grown;
	struct strbuf name = STRBUF_INIT;
	char *raw;

	grown = realloc(config->unknown_elements,
			(config->unknown_element_count + 1) * sizeof *grown);
	if (!grown)
		return -1;
	config->unknown_elements = grown;
	if (parent)
		strbuf_printf(&name, "%s/", parent);
	strbuf_append_str(&name, (const char *)node->name);
	if (suffix)
		strbuf_append_str(&name, suffix);
	raw = wsb_xml_node_text(node);
	if (strbuf_failed(&name) || !raw) {
		strbuf_free(&name);
		free(raw);
		return -1;
	}
	grown[config->unknown_element_count].name = strbuf_detach(&name);
	grown[config->unknown_element_count].raw = raw;
	config->unknown_element_count++;
	return 0;
}

/* Keeps the first occurrence's text in *SLOT; a repeat becomes an unknown element. */
static int keep_first_text(struct wsb_config *config, const char *parent, const xmlNode *node,
			   char **slot)
{
	if (*slot)
		return add_unknown(config, parent, node, " (repeated)");
	*slot = wsb_xml_node_text(node);
	return *slot ? 0 : -1;
}

static int read_mapped_folder(struct wsb_config *config, const xmlNode *node)
{
	struct wsb_mapped_folder *grown, *folder;
	int no_memory = 0, state;

	grown = realloc(config->mapped_folders, (config->mapped_folder_count + 1) * sizeof *grown);
	if (!grown)
		return -1;
	config->mapped_folders = grown;
	folder = &grown[config->mapped_folder_count++];
	memset(folder, 0, sizeof *folder);
	for (const xmlNode *child = node->children; child; child = child->next) {
		int rc = 0;
		if (child->type != XML_ELEMENT_NODE)
			continue;
		if (name_is(child, "HostFolder"))
			rc = keep_first_text(config, "MappedFolder", child, &folder->host_folder_raw);
		else if (name_is(child, "SandboxFolder"))
			rc = keep_first_text(config, "MappedFolder", child, &folder->sandbox_folder_raw);
		else if (name_is(child, "ReadOnly"))
			rc = keep_first_text(config, "MappedFolder", child, &folder->read_only_raw);
		else
			rc = add_unknown(config, "MappedFolder", child, NULL);
		if (rc)
			return -1;
	}

	/* SandboxFolder missing or empty: the desktop default (§5.1). */
	if (folder->sandbox_folder_raw && !trimmed_equals(folder->sandbox_folder_raw, "")) {
		folder->sandbox_folder = dup_trimmed(folder->sandbox_folder_raw);
		if (!folder->sandbox_folder)
			return -1;
	} else if (folder->host_folder_raw) {
		folder->sandbox_folder = default_sandbox_folder(folder->host_folder_raw, &no_memory);
		if (no_memory)
			return -1;
		folder->sandbox_folder_is_default = folder->sandbox_folder != NULL;
	}

	/* ReadOnly missing or empty: false, i.e. writable (§5.1). */
	state = folder->read_only_raw ? classify_toggle(folder->read_only_raw, 0) : 2;
	if (state == 2) {
		folder->read_only = WSB_OFF;
		folder->read_only_is_default = 1;
	} else {
		folder->read_only = state;
	}
	if (folder->read_only == WSB_UNKNOWN)
		folder->read_only_text = unknown_text(folder->read_only_raw);
	else
		folder->read_only_text = dup_string(folder->read_only == WSB_ON ? "read-only" : "writable");
	return folder->read_only_text ? 0 : -1;
}

static int read_memory(struct wsb_config *config)
{
	struct strbuf sb = STRBUF_INIT;
	char *trimmed, *end = NULL;
	long long value;

	config->memory_mb = -1;
	if (!config->memory_raw) {
		config->memory_text = dup_string("not set (automatic)");
		return config->memory_text ? 0 : -1;
	}
	trimmed = dup_trimmed(config->memory_raw);
	if (!trimmed)
		return -1;
	errno = 0;
	value = trimmed[0] >= '0' && trimmed[0] <= '9' ? strtoll(trimmed, &end, 10) : -1;
	if (value >= 0 && errno == 0 && end && *end == '\0') {
		config->memory_mb = value;
		strbuf_printf(&sb, "%lld MB", value);
		config->memory_text = strbuf_detach(&sb);
	} else {
		config->memory_text = unknown_text(config->memory_raw);
	}
	free(trimmed);
	return config->memory_text ? 0 : -1;
}

/* ---- risk flags (§5.1, rules of §7) ------------------------------------------------------------ */

static const struct risk_rule {
	const char *id;
	const char *severity;
} risk_rules[] = {
	{WSB_RISK_WRITABLE_ROOT_MAPPING, "high"}, /* NPA pattern, §5.1 effective-value rules */
	{WSB_RISK_LOGON_IN_MAPPED_FOLDER, "medium"}, /* links the command to the share, §5.1 */
	{WSB_RISK_LOGON_SCRIPT, "medium"},        /* multi-step work sits in a script, §5.1 */
	{WSB_RISK_NETWORKING_ON, "medium"},       /* Networking missing => on, §5.1 */
	{WSB_RISK_VGPU_ON, "low"},                /* host GPU exposed, default off, §5.1 */
	{WSB_RISK_PROTECTED_CLIENT_OFF, "info"},  /* same as the default, written on purpose */
	{WSB_RISK_HOST_FOLDER_INVALID, "info"},   /* the sandbox would not start, §5.1 */
};

static int add_risk(struct wsb_config *config, const char *id, long folder, struct strbuf *reason)
{
	struct wsb_risk *grown;
	const char *severity = "info";

	for (size_t i = 0; i < sizeof risk_rules / sizeof risk_rules[0]; i++)
		if (strcmp(risk_rules[i].id, id) == 0)
			severity = risk_rules[i].severity;
	if (strbuf_failed(reason))
		return -1;
	grown = realloc(config->risks, (config->risk_count + 1) * sizeof *grown);
	if (!grown)
		return -1;
	config->risks = grown;
	grown[config->risk_count].id = id;
	grown[config->risk_count].section = SECTION_WSB;
	grown[config->risk_count].severity = severity;
	grown[config->risk_count].mapped_folder = folder;
	grown[config->risk_count].reason = strbuf_detach(reason);
	if (!grown[config->risk_count].reason)
		return -1;
	config->risk_count++;
	return 0;
}

static const char *source_words(const struct wsb_setting *setting)
{
	switch (setting->source) {
	case WSB_SOURCE_ABSENT:
		return "default, element absent";
	case WSB_SOURCE_DEFAULT:
		return "default, value Default or empty";
	case WSB_SOURCE_INVALID:
		return "unrecognised value";
	case WSB_SOURCE_EXPLICIT:
		break;
	}
	return "explicit";
}

/* 1 if NEEDLE (normalized path) occurs in HAY (normalized command) as a whole path prefix: at the
 * start or after a separator character, and followed by '\', the end, a quote or white space. */
static int command_mentions_path(const char *hay, const char *needle)
{
	size_t length = strlen(needle);

	if (length == 0)
		return 0;
	for (const char *p = strstr(hay, needle); p; p = strstr(p + 1, needle)) {
		char before = p == hay ? ' ' : p[-1];
		char after = p[length];
		if ((before == ' ' || before == '"' || before == '\'' || before == '=' ||
		     before == '\t' || before == ',' || before == '(') &&
		    (after == '\\' || after == '\0' || after == '"' || after == '\'' ||
		     is_space(after)))
			return 1;
	}
	return 0;
}

/* Script extensions and interpreters that make a LogonCommand a script run (§5.1). */
static const char *const script_extensions[] = {".bat", ".cmd", ".ps1", ".vbs", ".vbe",
						".js",  ".jse", ".wsf", ".hta"};
static const char *const script_runners[] = {"cmd /c", "cmd.exe /c", "cmd /k", "cmd.exe /k",
					     "powershell", "pwsh", "wscript", "cscript", "mshta"};

/* The first script marker in LOWER (the lower-cased command), or NULL. */
static const char *script_marker(const char *lower)
{
	for (size_t i = 0; i < sizeof script_extensions / sizeof script_extensions[0]; i++) {
		size_t length = strlen(script_extensions[i]);
		for (const char *p = strstr(lower, script_extensions[i]); p;
		     p = strstr(p + 1, script_extensions[i]))
			if (p[length] == '\0' || p[length] == '"' || p[length] == '\'' ||
			    is_space(p[length]))
				return script_extensions[i];
	}
	for (size_t i = 0; i < sizeof script_runners / sizeof script_runners[0]; i++)
		for (const char *p = strstr(lower, script_runners[i]); p;
		     p = strstr(p + 1, script_runners[i]))
			if (p == lower || p[-1] == ' ' || p[-1] == '"' || p[-1] == '\\' ||
			    p[-1] == '/')
				return script_runners[i];
	return NULL;
}

static int evaluate_risks(struct wsb_config *config)
{
	const struct wsb_setting *networking = &config->settings[WSB_SETTING_NETWORKING];
	const struct wsb_setting *vgpu = &config->settings[WSB_SETTING_VGPU];
	const struct wsb_setting *protected_client = &config->settings[WSB_SETTING_PROTECTED_CLIENT];
	struct strbuf reason = STRBUF_INIT;
	char *command = NULL;
	int rc = -1;

	for (size_t i = 0; i < config->mapped_folder_count; i++) {
		const struct wsb_mapped_folder *folder = &config->mapped_folders[i];
		char *host = folder->host_folder_raw ? normalize_path(folder->host_folder_raw) : NULL;
		const char *what;

		if (folder->host_folder_raw && !host)
			goto out;
		if (!host || !*host) {
			strbuf_printf(&reason,
				      "MappedFolder %zu has %s HostFolder: Windows Sandbox refuses to "
				      "start with it",
				      i + 1, host ? "an empty" : "no");
			free(host);
			if (add_risk(config, WSB_RISK_HOST_FOLDER_INVALID, (long)i, &reason))
				goto out;
			continue;
		}
		if (!(host[0] >= 'a' && host[0] <= 'z' && host[1] == ':') && host[0] != '\\' &&
		    host[0] != '%') {
			strbuf_printf(&reason,
				      "MappedFolder %zu HostFolder \"%s\" is relative: unsupported, the "
				      "sandbox would not start",
				      i + 1, folder->host_folder_raw);
			if (add_risk(config, WSB_RISK_HOST_FOLDER_INVALID, (long)i, &reason)) {
				free(host);
				goto out;
			}
		}
		what = sensitive_root(host);
		free(host);
		if (what && folder->read_only != WSB_ON) {
			strbuf_printf(&reason,
				      "HostFolder \"%s\" is %s and is mapped %s into the sandbox at %s: "
				      "code in the sandbox can change it on the host",
				      folder->host_folder_raw, what,
				      folder->read_only == WSB_UNKNOWN
					      ? "possibly writable (ReadOnly value not recognised)"
				      : folder->read_only_is_default ? "writable (ReadOnly absent: default false)"
								     : "writable (ReadOnly=false, explicit)",
				      folder->sandbox_folder ? folder->sandbox_folder : "(unknown path)");
			if (add_risk(config, WSB_RISK_WRITABLE_ROOT_MAPPING, (long)i, &reason))
				goto out;
		}
	}

	if (networking->effective == WSB_ON) {
		strbuf_printf(&reason, "Networking enabled (%s)", source_words(networking));
		if (add_risk(config, WSB_RISK_NETWORKING_ON, -1, &reason))
			goto out;
	}

	if (config->logon_command) {
		const char *marker;
		command = normalize_path(config->logon_command);
		if (!command)
			goto out;
		for (size_t i = 0; i < config->mapped_folder_count; i++) {
			const struct wsb_mapped_folder *folder = &config->mapped_folders[i];
			char *target;
			int hit;
			if (!folder->sandbox_folder)
				continue;
			target = normalize_path(folder->sandbox_folder);
			if (!target)
				goto out;
			hit = command_mentions_path(command, target);
			free(target);
			if (!hit)
				continue;
			strbuf_printf(&reason,
				      "LogonCommand runs from MappedFolder %zu (%s in the sandbox%s, host "
				      "%s, %s)",
				      i + 1, folder->sandbox_folder,
				      folder->sandbox_folder_is_default ? ", default desktop target" : "",
				      folder->host_folder_raw ? folder->host_folder_raw : "?",
				      folder->read_only_text);
			if (add_risk(config, WSB_RISK_LOGON_IN_MAPPED_FOLDER, (long)i, &reason))
				goto out;
		}
		/* normalize_path turned '/' into '\': look at a plain lower-cased copy instead */
		free(command);
		command = dup_trimmed(config->logon_command);
		if (!command)
			goto out;
		for (char *p = command; *p; p++)
			*p = (char)tolower((unsigned char)*p);
		marker = script_marker(command);
		if (marker) {
			strbuf_printf(&reason, "LogonCommand runs a script or interpreter (%s)", marker);
			if (add_risk(config, WSB_RISK_LOGON_SCRIPT, -1, &reason))
				goto out;
		}
	}

	if (protected_client->source == WSB_SOURCE_EXPLICIT &&
	    protected_client->effective == WSB_OFF) {
		strbuf_printf(&reason, "ProtectedClient explicitly disabled (raw \"%s\"; the default is "
				       "also disabled)",
			      protected_client->raw);
		if (add_risk(config, WSB_RISK_PROTECTED_CLIENT_OFF, -1, &reason))
			goto out;
	}

	if (vgpu->effective == WSB_ON) {
		strbuf_printf(&reason, "vGPU enabled (%s): the sandbox shares the host GPU (default: "
				       "disabled, WARP)",
			      source_words(vgpu));
		if (add_risk(config, WSB_RISK_VGPU_ON, -1, &reason))
			goto out;
	}
	rc = 0;
out:
	free(command);
	strbuf_free(&reason);
	return rc;
}

static int read_configuration(struct wsb_config *config, const xmlNode *root)
{
	for (const xmlNode *node = root->children; node; node = node->next) {
		size_t s;
		int rc = 0;

		if (node->type != XML_ELEMENT_NODE)
			continue;
		for (s = 0; s < WSB_SETTING_COUNT; s++)
			if (name_is(node, setting_rules[s].name))
				break;
		if (s < WSB_SETTING_COUNT) {
			rc = keep_first_text(config, NULL, node, &config->settings[s].raw);
		} else if (name_is(node, "MemoryInMB")) {
			rc = keep_first_text(config, NULL, node, &config->memory_raw);
		} else if (name_is(node, "MappedFolders")) {
			for (const xmlNode *child = node->children; child && !rc; child = child->next) {
				if (name_is(child, "MappedFolder"))
					rc = read_mapped_folder(config, child);
				else if (child->type == XML_ELEMENT_NODE)
					rc = add_unknown(config, "MappedFolders", child, NULL);
			}
		} else if (name_is(node, "LogonCommand")) {
			for (const xmlNode *child = node->children; child && !rc; child = child->next) {
				if (name_is(child, "Command")) {
					if (++config->logon_command_count == 1)
						rc = (config->logon_command = wsb_xml_node_text(child))
							     ? 0
							     : -1;
					else
						rc = add_unknown(config, "LogonCommand", child,
								 " (repeated)");
				} else if (child->type == XML_ELEMENT_NODE) {
					rc = add_unknown(config, "LogonCommand", child, NULL);
				}
			}
		} else {
			rc = add_unknown(config, NULL, node, NULL);
		}
		if (rc)
			return -1;
	}
	for (size_t s = 0; s < WSB_SETTING_COUNT; s++) {
		config->settings[s].name = setting_rules[s].name;
		if (setting_resolve(&config->settings[s], setting_rules[s].default_state))
			return -1;
	}
	if (read_memory(config))
		return -1;
	return evaluate_risks(config);
}

int wsb_parse_memory(const char *data, size_t size, struct wsb_config **out, char *err,
		     size_t err_size)
{
	struct wsb_xml_read read;
	struct wsb_config *config = NULL;
	xmlNode *root;
	int rc = -1;

	if (!out) {
		set_error(err, err_size, "no result given");
		return -1;
	}
	*out = NULL;
	if (wsb_xml_read_memory(data, size, WSB_MAX_INPUT_SIZE, 0, &read, err, err_size))
		return -1;
	root = xmlDocGetRootElement(read.doc);
	if (!name_is(root, "Configuration")) {
		set_error(err, err_size, "root element is <%s>, not <Configuration>",
			  root->name ? (const char *)root->name : "?");
		goto out;
	}
	config = calloc(1, sizeof *config);
	if (!config) {
		set_error(err, err_size, "out of memory");
		goto out;
	}
	config->well_formed = read.well_formed;
	config->encoding_repaired = read.encoding_repaired;
	config->root_name = dup_string((const char *)root->name);
	if (read.problem[0] && (!read.well_formed || read.encoding_repaired))
		config->parse_problem = dup_string(read.problem);
	if (!config->root_name || read_configuration(config, root)) {
		set_error(err, err_size, "out of memory");
		goto out;
	}
	*out = config;
	config = NULL;
	rc = 0;
out:
	wsb_config_free(config);
	wsb_xml_read_clear(&read);
	return rc;
}

void wsb_config_free(struct wsb_config *config)
{
	if (!config)
		return;
	free(config->parse_problem);
	free(config->root_name);
	for (size_t s = 0; s < WSB_SETTING_COUNT; s++) {
		free(config->settings[s].raw);
		free(config->settings[s].effective_text);
	}
	free(config->memory_raw);
	free(config->memory_text);
	free(config->logon_command);
	for (size_t i = 0; i < config->mapped_folder_count; i++) {
		free(config->mapped_folders[i].host_folder_raw);
		free(config->mapped_folders[i].sandbox_folder_raw);
		free(config->mapped_folders[i].read_only_raw);
		free(config->mapped_folders[i].sandbox_folder);
		free(config->mapped_folders[i].read_only_text);
	}
	free(config->mapped_folders);
	for (size_t i = 0; i < config->unknown_element_count; i++) {
		free(config->unknown_elements[i].name);
		free(config->unknown_elements[i].raw);
	}
	free(config->unknown_elements);
	for (size_t i = 0; i < config->risk_count; i++)
		free(config->risks[i].reason);
	free(config->risks);
	free(config);
}

/* ---- command lines (METHOD.md §5.2) ------------------------------------------------------- */

struct token_list {
	char **items;
	size_t count;
};

static void tokens_free(struct token_list *list)
{
	for (size_t i = 0; i < list->count; i++)
		free(list->items[i]);
	free(list->items);
	list->items = NULL;
	list->count = 0;
}

/* Splits TEXT like CommandLineToArgvW: white space separates, double quotes group, 2n backslashes
 * before a quote are n backslashes, 2n+1 are n and a literal quote, "" inside quotes is a quote. */
static int tokens_split(const char *text, struct token_list *list)
{
	const char *s = text;

	list->items = NULL;
	list->count = 0;
	for (;;) {
		struct strbuf token = STRBUF_INIT;
		char **grown;
		int quoted = 0;

		while (*s == ' ' || *s == '\t' || *s == '\r' || *s == '\n')
			s++;
		if (!*s)
			return 0;
		strbuf_append(&token, "", 0);
		while (*s && (quoted || !(*s == ' ' || *s == '\t' || *s == '\r' || *s == '\n'))) {
			if (*s == '\\') {
				size_t n = 0;
				while (s[n] == '\\')
					n++;
				if (s[n] == '"') {
					for (size_t i = 0; i < n / 2; i++)
						strbuf_append_char(&token, '\\');
					if (n % 2) {
						strbuf_append_char(&token, '"');
						s += n + 1;
					} else {
						s += n;
					}
				} else {
					strbuf_append(&token, s, n);
					s += n;
				}
			} else if (*s == '"') {
				if (quoted && s[1] == '"') {
					strbuf_append_char(&token, '"');
					s += 2;
				} else {
					quoted = !quoted;
					s++;
				}
			} else {
				strbuf_append_char(&token, *s++);
			}
		}
		grown = realloc(list->items, (list->count + 1) * sizeof *grown);
		if (!grown || strbuf_failed(&token)) {
			strbuf_free(&token);
			return -1; /* the caller frees what the list holds */
		}
		list->items = grown;
		list->items[list->count] = strbuf_detach(&token);
		if (!list->items[list->count])
			return -1;
		list->count++;
	}
}

static const char *base_name(const char *path)
{
	const char *base = path;

	for (const char *p = path; *p; p++)
		if (*p == '\\' || *p == '/')
			base = p + 1;
	return base;
}

static int ends_with_wsb(const char *text)
{
	size_t length = strlen(text);

	while (length > 0 && (is_space(text[length - 1]) || text[length - 1] == '"'))
		length--;
	return length > 4 && strncasecmp(text + length - 4, ".wsb", 4) == 0;
}

/* An option word with Microsoft's en-dash typo ("\xE2\x80\x93-config", §5.2) read as '-'. */
static const char *option_word(const char *token)
{
	if ((unsigned char)token[0] == 0xE2 && (unsigned char)token[1] == 0x80 &&
	    (unsigned char)token[2] == 0x93)
		return token + 3; /* "–-config" -> "-config"; the caller accepts one or two dashes */
	return token;
}

static int is_config_option(const char *word, const char **inline_value)
{
	const char *w = option_word(word);

	*inline_value = NULL;
	if (strcmp(w, "-c") == 0 || strcasecmp(w, "--config") == 0 || strcasecmp(w, "-config") == 0 ||
	    (w != word && strcasecmp(w, "config") == 0))
		return 1;
	if (w != word && strncasecmp(w, "config=", 7) == 0) {
		*inline_value = w + 7;
		return 1;
	}
	if (strncasecmp(w, "--config=", 9) == 0) {
		*inline_value = w + 9;
		return 1;
	}
	if (strncasecmp(w, "-config=", 8) == 0) {
		*inline_value = w + 8;
		return 1;
	}
	return 0;
}

static int looks_inline(const char *value)
{
	while (is_space(*value))
		value++;
	return *value == '<';
}

/* The .wsb path from the tokens, or NULL (no memory is reported through *NO_MEMORY). */
static char *path_from_tokens(const struct token_list *list, int *no_memory)
{
	const char *program;
	const char *found = NULL;

	if (list->count == 0)
		return NULL;
	program = base_name(list->items[0]);
	if ((strcasecmp(program, "WindowsSandbox.exe") == 0 ||
	     strcasecmp(program, "WindowsSandbox") == 0) &&
	    list->count > 1 && !looks_inline(list->items[1])) {
		found = list->items[1];
	} else if (strcasecmp(program, "wsb.exe") == 0 || strcasecmp(program, "wsb") == 0) {
		int start = 0;
		for (size_t i = 1; i < list->count && !found; i++) {
			const char *value;
			if (strcasecmp(list->items[i], "start") == 0) {
				start = 1;
			} else if (start && is_config_option(list->items[i], &value)) {
				if (!value && i + 1 < list->count)
					value = list->items[++i];
				if (value && *value && !looks_inline(value))
					found = value;
			}
		}
	}
	/* a token with white space inside (cmd /c "start x.wsb") is left to path_from_raw */
	for (size_t i = 0; i < list->count && !found; i++)
		if (ends_with_wsb(list->items[i]) && !looks_inline(list->items[i]) &&
		    !strpbrk(list->items[i], " \t\r\n"))
			found = list->items[i];
	if (!found)
		return NULL;
	{
		char *copy = dup_trimmed(found);
		if (!copy)
			*no_memory = 1;
		return copy;
	}
}

/* Fallback for paths inside a quoted string (cmd /c "start "" C:\x.wsb"): each ".wsb" followed by
 * a delimiter, walked back to a quote, the start, or (in an unquoted stretch) white space. */
static char *path_from_raw(const char *text, int *no_memory)
{
	for (const char *p = text; (p = find_nocase(p, ".wsb")) != NULL; p += 4) {
		const char *end = p + 4, *start = p;
		char after = *end;
		if (!(after == '\0' || after == '"' || after == '\'' || is_space(after) || after == '&' ||
		      after == '|' || after == ')' || after == ';'))
			continue;
		while (start > text && start[-1] != '"' && start[-1] != '\'' && start[-1] != '=')
			start--;
		/* within that stretch, prefer the last drive letter / UNC / %VAR% start; else the last
		 * word */
		{
			const char *best = NULL;
			for (const char *q = start; q < p; q++)
				if ((q[0] != '\0' && q + 2 <= p && isalpha((unsigned char)q[0]) &&
				     q[1] == ':' && (q == start || !isalnum((unsigned char)q[-1]))) ||
				    (q[0] == '\\' && q[1] == '\\' && (q == start || q[-1] != '\\')) ||
				    (q[0] == '%' && (q == start || is_space(q[-1]))))
					best = q;
			if (!best) {
				best = start;
				for (const char *q = start; q < p; q++)
					if (is_space(*q))
						best = q + 1;
			}
			start = best;
		}
		if (end - start <= 4)
			continue;
		{
			char *copy = dup_range(start, (size_t)(end - start));
			if (!copy)
				*no_memory = 1;
			return copy;
		}
	}
	return NULL;
}

static char *inline_from_raw(const char *text, int *no_memory)
{
	const char *start = text, *end;
	char *copy;

	for (;;) {
		start = find_nocase(start, "<configuration");
		if (!start)
			return NULL;
		if (start[14] == '>' || start[14] == '/' || is_space(start[14]))
			break;
		start += 14;
	}
	end = find_nocase(start, "</configuration");
	if (end) {
		const char *close = strchr(end, '>');
		end = close ? close + 1 : end + strlen(end);
	} else {
		/* unclosed, as in the MS CLI sample (§5.2): to the end, less a closing quote */
		end = start + strlen(start);
		while (end > start && is_space(end[-1]))
			end--;
		if (end > start && end[-1] == '"' && start > text && start[-1] == '"')
			end--;
	}
	copy = dup_range(start, (size_t)(end - start));
	if (!copy)
		*no_memory = 1;
	return copy;
}

int wsb_find_in_command_line(const char *command_line, char **wsb_path, char **inline_config)
{
	struct token_list list = {NULL, 0};
	int no_memory = 0;

	if (wsb_path)
		*wsb_path = NULL;
	if (inline_config)
		*inline_config = NULL;
	if (!command_line)
		return -1;
	if (wsb_path) {
		if (tokens_split(command_line, &list)) {
			tokens_free(&list);
			return -1;
		}
		*wsb_path = path_from_tokens(&list, &no_memory);
		tokens_free(&list);
		if (!*wsb_path && !no_memory)
			*wsb_path = path_from_raw(command_line, &no_memory);
	}
	if (inline_config && !no_memory)
		*inline_config = inline_from_raw(command_line, &no_memory);
	if (no_memory) {
		if (wsb_path) {
			free(*wsb_path);
			*wsb_path = NULL;
		}
		return -1;
	}
	return 0;
}
