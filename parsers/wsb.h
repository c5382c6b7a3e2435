/*
 * wsb.h - Windows Sandbox configurations: .wsb files and inline <Configuration> strings
 * (METHOD.md §5.1), and the .wsb path or inline configuration inside a launcher's command line
 * (METHOD.md §5.2).
 *
 * Every setting keeps three things: the raw text as written (NULL when the element is absent), the
 * effective value with Microsoft's documented default applied, and where that value came from
 * (absent / "Default" or empty / explicit / unrecognised), so a report can say "Networking: enabled
 * (default, element absent)" and never present a default as something the author wrote.
 *
 * The module also holds the hardened XML reader that task_xml.c shares (one code path for every
 * XML evidence file): size limit, no network, no DTD loading, documents that declare entities
 * refused before libxml2 sees them, text read without ever following an entity reference, UTF-8 /
 * UTF-8+BOM / UTF-16 with or without a truthful encoding declaration, and XML_PARSE_RECOVER as the
 * last resort so that a malformed file is kept with well_formed = 0 instead of dropped (§5.1, §4.1).
 *
 * Nothing here knows the store; all strings are UTF-8, owned by the struct that holds them.
 */
#ifndef SANDTRACE_PARSERS_WSB_H
#define SANDTRACE_PARSERS_WSB_H

#include <stddef.h>

/* Largest input accepted by wsb_parse_memory and task_xml_parse_memory (real files are < 10 KiB). */
#define WSB_MAX_INPUT_SIZE (1024u * 1024u)

/* ---- the shared hardened XML reader --------------------------------------------------------- */

struct _xmlDoc;

struct wsb_xml_read {
	struct _xmlDoc *doc;   /* free with xmlFreeDoc (or wsb_xml_read_clear) */
	int well_formed;       /* 0 = the tree was rebuilt by XML_PARSE_RECOVER and may be partial */
	int encoding_repaired; /* 1 = the bytes contradicted the declared encoding (or had none that
				  fit); read again as UTF-8 with XML_PARSE_IGNORE_ENC (§4.1) */
	char problem[256];     /* libxml2's message for the first failed attempt, "" if none */
};

/* Reads DATA (SIZE bytes, at most MAX_SIZE) into READ->doc. DECODED_TEXT: DATA is text already
 * decoded to UTF-8 by another reader (a 4698 TaskContent), so a declaration naming another
 * encoding is ignored without being a repair. Returns 0 with a document that has a root element,
 * or -1 with a message in ERR: over the size limit, empty, declares entities, or not XML at all
 * even in recovery mode. */
int wsb_xml_read_memory(const char *data, size_t size, size_t max_size, int decoded_text,
			struct wsb_xml_read *read, char *err, size_t err_size);
void wsb_xml_read_clear(struct wsb_xml_read *read);

/* The direct text and CDATA children of NODE (an xmlNode *) concatenated, as a malloc'ed string
 * ("" for an empty element); NULL only when memory runs out. Entity references are never followed. */
char *wsb_xml_node_text(const void *node);

/* ---- .wsb configurations (§5.1) --------------------------------------------------------------- */

/* The Enable/Disable/Default settings of §5.1, in document order of the MS table. */
enum wsb_setting_id {
	WSB_SETTING_VGPU,
	WSB_SETTING_NETWORKING,
	WSB_SETTING_AUDIO_INPUT,
	WSB_SETTING_VIDEO_INPUT,
	WSB_SETTING_PROTECTED_CLIENT,
	WSB_SETTING_PRINTER_REDIRECTION,
	WSB_SETTING_CLIPBOARD_REDIRECTION,
	WSB_SETTING_COUNT
};

/* Where an effective value came from. */
enum wsb_value_source {
	WSB_SOURCE_ABSENT,   /* element missing: documented default */
	WSB_SOURCE_DEFAULT,  /* element present, value "Default" or empty: documented default */
	WSB_SOURCE_EXPLICIT, /* a recognised value (Enable/Enabled/True/1, Disable/Disabled/False/0) */
	WSB_SOURCE_INVALID   /* an unrecognised value: effective state unknown */
};

enum { WSB_OFF = 0, WSB_ON = 1, WSB_UNKNOWN = -1 };

struct wsb_setting {
	const char *name;      /* canonical element name ("vGPU", "Networking", ...); static */
	char *raw;             /* element text as written; NULL if the element is absent */
	int effective;         /* WSB_ON, WSB_OFF or WSB_UNKNOWN */
	enum wsb_value_source source;
	int is_default;        /* 1 when effective is the documented default (ABSENT or DEFAULT) */
	char *effective_text;  /* "enabled", "disabled" or "unknown (raw Foo)" */
};

struct wsb_mapped_folder {
	char *host_folder_raw;    /* NULL if absent */
	char *sandbox_folder_raw; /* NULL if absent */
	char *read_only_raw;      /* NULL if absent */
	/* Effective sandbox path: SandboxFolder trimmed, or when absent the documented default
	 * C:\Users\WDAGUtilityAccount\Desktop\<last component of HostFolder> (§5.1, leaf rule
	 * unconfirmed by MS); NULL when HostFolder has no last component (empty, a drive root). */
	char *sandbox_folder;
	int sandbox_folder_is_default;
	int read_only;            /* WSB_ON (read-only), WSB_OFF (writable), WSB_UNKNOWN */
	int read_only_is_default; /* 1 when ReadOnly is absent or empty: default false, writable */
	char *read_only_text;     /* "read-only", "writable" or "unknown (raw maybe)" */
};

struct wsb_unknown_element {
	char *name; /* element name as written, with its parent for nested ones ("MappedFolder/Foo") */
	char *raw;  /* its direct text */
};

/* Risk flag ids (stable; the findings rules of §7 refer to them). */
#define WSB_RISK_WRITABLE_ROOT_MAPPING "WSB-WRITABLE-ROOT-MAPPING"
#define WSB_RISK_NETWORKING_ON "WSB-NETWORKING-ON"
#define WSB_RISK_LOGON_IN_MAPPED_FOLDER "WSB-LOGON-IN-MAPPED-FOLDER"
#define WSB_RISK_LOGON_SCRIPT "WSB-LOGON-SCRIPT"
#define WSB_RISK_PROTECTED_CLIENT_OFF "WSB-PROTECTED-CLIENT-OFF"
#define WSB_RISK_VGPU_ON "WSB-VGPU-ON"
#define WSB_RISK_HOST_FOLDER_INVALID "WSB-HOST-FOLDER-INVALID"

struct wsb_risk {
	const char *id;       /* one of WSB_RISK_*; static */
	const char *section;  /* "METHOD.md §5.1"; static */
	const char *severity; /* "high", "medium", "low", "info"; static */
	char *reason;         /* a sentence for the report */
	long mapped_folder;   /* index into mapped_folders the flag is about, -1 if none */
};

struct wsb_config {
	int well_formed;       /* 0 = recovered from malformed XML (parse_ok=false of §5.1) */
	int encoding_repaired; /* see struct wsb_xml_read */
	char *parse_problem;   /* libxml2's message when not well formed or repaired, else NULL */
	char *root_name;       /* the root as written ("Configuration", "configuration") */

	struct wsb_setting settings[WSB_SETTING_COUNT];

	char *memory_raw;      /* MemoryInMB as written, NULL if absent */
	long long memory_mb;   /* parsed value; -1 when absent (no documented default: automatic) or
				  not a whole number */
	char *memory_text;     /* "2048 MB", "not set (automatic)", "unknown (raw lots)" */

	char *logon_command;   /* LogonCommand/Command as written, NULL if absent */
	size_t logon_command_count; /* Command elements seen; only the first is kept */

	struct wsb_mapped_folder *mapped_folders;
	size_t mapped_folder_count;

	struct wsb_unknown_element *unknown_elements;
	size_t unknown_element_count;

	struct wsb_risk *risks;
	size_t risk_count;
};

/* Parses a .wsb file's bytes or an inline <Configuration> string (DATA, SIZE bytes; no NUL needed).
 * Returns 0 and a config in *OUT (free with wsb_config_free), also for recovered malformed input
 * (well_formed = 0); -1 with a message in ERR when the input is too big, empty, declares entities,
 * is not XML, or its root is not Configuration (any case). */
int wsb_parse_memory(const char *data, size_t size, struct wsb_config **out, char *err,
		     size_t err_size);

void wsb_config_free(struct wsb_config *config);

/* Writes "Networking: enabled (default, element absent)" / "vGPU: disabled (explicit, raw
 * \"Disable\")" / "vGPU: unknown (raw Foo) (unrecognised value)" into BUF. Returns 0, or -1 if BUF
 * was too small (the text is then truncated but terminated). */
int wsb_describe_setting(const struct wsb_setting *setting, char *buf, size_t buf_size);

/* ---- command lines (§5.2) ------------------------------------------------------------------ */

/* Looks in a process command line (4688 / Sysmon 1 CommandLine, or a task's "Command Arguments")
 * for (a) a .wsb path: the argument of WindowsSandbox.exe, the non-inline value of wsb.exe start
 * -c/--config, or else any argument ending in .wsb (also inside a quoted cmd /c "start ..." string);
 * (b) an inline <Configuration>...</Configuration> (to the end of the line if unclosed, as in MS's
 * own sample). Sets *WSB_PATH and *INLINE_CONFIG to malloc'ed strings or NULL when not found (either
 * pointer may be NULL if that part is not wanted). Returns 0, -1 on bad arguments or no memory. */
int wsb_find_in_command_line(const char *command_line, char **wsb_path, char **inline_config);

#endif
