/*
 * binxml.c - EVTX chunks and Binary XML decoded by sandtrace itself (see binxml.h).
 *
 * Format (libyal's "Windows XML Event Log (EVTX) format" and MS-EVEN6's Binary XML grammar;
 * METHOD.md §1.11): a chunk header of 512 bytes (CRC32 of bytes 0-119 and 128-511 at +124, CRC32
 * of the records at +52, free space offset at +48); records from +512; each record's Binary XML is
 * a fragment whose usual content is one template instance: a template (defined once per chunk, at
 * an offset later instances refer to) plus an array of typed substitution values.
 *
 * Every read of chunk bytes goes through take()/peek-style checks against the end of the piece
 * being read; a template or a name must lie inside the chunk. Recursion (nested Binary XML in a
 * substitution value, elements within elements) is bounded by MAX_DEPTH.
 */
#include "binxml.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "evtx_layout.h"
#include "json.h"
#include "timeutil.h"

enum {
	MAX_DEPTH = 48,        /* element nesting plus nested Binary XML, together */
	/* nodes of one record's tree: real records have tens to a few hundred; templates nested in
	 * templates could multiply them without end, and the flattening is quadratic in the number
	 * of fields, so a record above this is left to libevtx */
	MAX_NODES = 1 << 14,
};

static uint16_t le16(const uint8_t *p) { return (uint16_t)(p[0] | p[1] << 8); }
static uint32_t le32(const uint8_t *p) { return (uint32_t)p[0] | (uint32_t)p[1] << 8 |
	(uint32_t)p[2] << 16 | (uint32_t)p[3] << 24; }
static uint64_t le64(const uint8_t *p) { return le32(p) | (uint64_t)le32(p + 4) << 32; }

/* ---- chunk check ---------------------------------------------------------------------------- */

static int fail(char *why, size_t size, const char *format, ...)
	__attribute__((format(printf, 3, 4)));

/* Fills WHY and returns -1: the decoder's one way of refusing. */
static int fail(char *why, size_t size, const char *format, ...)
{
	va_list args;

	va_start(args, format);
	vsnprintf(why, size, format, args);
	va_end(args);
	return -1;
}

int binxml_chunk_check(const uint8_t *chunk, struct binxml_record *records, size_t capacity,
		       struct binxml_chunk_info *info, char *why, size_t why_size)
{
	uint32_t free_space, last_offset, crc;
	uint32_t offset = EVTX_CHUNK_HEADER_SIZE, last_seen = 0;
	size_t count = 0;

	memset(info, 0, sizeof *info);
	if (memcmp(chunk, "ElfChnk\0", 8) != 0)
		return fail(why, why_size, "no chunk signature");
	crc = (uint32_t)crc32(0, chunk, 120);
	crc = (uint32_t)crc32(crc, chunk + 128, EVTX_CHUNK_HEADER_SIZE - 128);
	if (crc != le32(chunk + 124))
		return fail(why, why_size, "chunk header CRC32 mismatch");
	info->first_number = le64(chunk + 8);
	info->last_number = le64(chunk + 16);
	last_offset = le32(chunk + 44);
	free_space = le32(chunk + 48);
	info->free_space_offset = free_space;
	if (free_space < EVTX_CHUNK_HEADER_SIZE || free_space > EVTX_CHUNK_SIZE)
		return fail(why, why_size, "free space offset %u outside the chunk", free_space);
	if ((uint32_t)crc32(0, chunk + EVTX_CHUNK_HEADER_SIZE, free_space - EVTX_CHUNK_HEADER_SIZE) !=
	    le32(chunk + 52))
		return fail(why, why_size, "records CRC32 mismatch");
	while (offset < free_space) {
		const uint8_t *r = chunk + offset;
		uint32_t size;

		if (free_space - offset < EVTX_RECORD_MIN_SIZE || memcmp(r, "**\0\0", 4) != 0)
			return fail(why, why_size, "no record signature at chunk offset %u", offset);
		size = le32(r + 4);
		if (size < EVTX_RECORD_MIN_SIZE || size > free_space - offset ||
		    le32(r + size - 4) != size)
			return fail(why, why_size, "bad record size at chunk offset %u", offset);
		if (count == capacity)
			return fail(why, why_size, "more than %u records", (unsigned)capacity);
		records[count].offset = offset;
		records[count].size = size;
		records[count].number = le64(r + 8);
		records[count].written_time = le64(r + 16);
		if (count > 0 && records[count].number <= records[count - 1].number)
			return fail(why, why_size, "record numbers not ascending at chunk offset %u",
				    offset);
		last_seen = offset;
		count++;
		offset += size;
	}
	if (count == 0 || last_seen != last_offset || records[0].number != info->first_number ||
	    records[count - 1].number != info->last_number)
		return fail(why, why_size, "chunk header does not match its %u record(s)",
			    (unsigned)count);
	for (uint32_t o = free_space; o + 4 <= EVTX_CHUNK_SIZE; o++)
		if (chunk[o] == '*' && memcmp(chunk + o, "**\0\0", 4) == 0)
			info->slack_signatures++;
	return (int)count;
}

/* ---- the decoder's memory ------------------------------------------------------------------- */

/* A template (or record fragment) compiled to operations, read once per chunk. */
enum op_code {
	OP_OPEN, OP_ATTRIBUTE, OP_CLOSE_START, OP_CLOSE_EMPTY, OP_END, OP_TEXT, OP_SUBSTITUTION,
	OP_CHARREF, OP_ENTITY, OP_CDATA, OP_TEMPLATE,
};

struct op {
	uint8_t code;
	uint8_t type;     /* OP_TEXT: value type; OP_SUBSTITUTION: 1 if optional */
	uint16_t id;      /* OP_SUBSTITUTION: index; OP_CHARREF: the character */
	uint32_t name;    /* names arena offset (OP_OPEN, OP_ATTRIBUTE, OP_ENTITY) */
	uint32_t data;    /* chunk offset: text (OP_TEXT, OP_CDATA); OP_TEMPLATE: template index */
	uint32_t size;    /* bytes (OP_TEXT, OP_CDATA); OP_TEMPLATE: chunk offset of the values */
};

struct op_list {
	struct op *ops;
	size_t count, capacity;
};

struct template_entry {
	uint32_t offset;  /* of the definition in the chunk; 0 = empty slot */
	uint32_t first, count; /* its operations in decoder->templates */
};

struct name_entry {
	uint32_t offset;  /* 0 = empty slot (a name never lies in the chunk header) */
	uint32_t text;    /* arena offset of the UTF-8 name, NUL-terminated */
};

enum node_kind { NODE_ELEMENT, NODE_ATTRIBUTE, NODE_VALUE, NODE_CHARREF, NODE_ENTITY };

struct node {
	uint8_t kind, type;         /* type: a value's; for an element, 1 when an optional
				       substitution in its content had no value */
	uint16_t unused;
	uint32_t name;              /* arena offset */
	int32_t parent, first, last, next;
	const uint8_t *data;        /* value bytes (in the chunk) */
	uint32_t size;
};

struct binxml_decoder {
	const uint8_t *chunk;
	struct strbuf names;        /* UTF-8 names of this chunk, NUL-separated */
	struct name_entry *name_table;
	size_t name_slots, name_used;
	struct template_entry *template_table;
	size_t template_slots, template_used;
	struct op_list templates;   /* compiled templates of this chunk */
	struct op_list scratch;     /* the record's own fragment and nested Binary XML */
	struct node *nodes;
	size_t node_count, node_capacity;
	uint32_t *offsets;          /* substitution values' offsets of the instances being expanded */
	size_t offset_count, offset_capacity;
	struct strbuf text;         /* scratch for one value's text */
	struct strbuf text2;
	struct strbuf key, path;    /* a data name being built */
	struct strbuf json, flat_names;
	uint32_t *flat_starts;
	size_t flat_capacity;
	/* the current record's System nodes, found once */
	int32_t root, system, provider, event_id, channel;
};

struct binxml_decoder *binxml_decoder_new(void)
{
	struct binxml_decoder *d = calloc(1, sizeof *d);

	if (!d)
		return NULL;
	d->name_slots = 1024;
	d->template_slots = 256;
	d->name_table = calloc(d->name_slots, sizeof *d->name_table);
	d->template_table = calloc(d->template_slots, sizeof *d->template_table);
	if (!d->name_table || !d->template_table) {
		binxml_decoder_free(d);
		return NULL;
	}
	return d;
}

void binxml_decoder_free(struct binxml_decoder *d)
{
	if (!d)
		return;
	strbuf_free(&d->names);
	strbuf_free(&d->text);
	strbuf_free(&d->text2);
	strbuf_free(&d->key);
	strbuf_free(&d->path);
	strbuf_free(&d->json);
	strbuf_free(&d->flat_names);
	free(d->flat_starts);
	free(d->name_table);
	free(d->template_table);
	free(d->templates.ops);
	free(d->scratch.ops);
	free(d->nodes);
	free(d->offsets);
	free(d);
}

void binxml_decoder_set_chunk(struct binxml_decoder *d, const uint8_t *chunk)
{
	d->chunk = chunk;
	strbuf_reset(&d->names);
	strbuf_append_char(&d->names, 0); /* arena offset 0 is the empty name */
	memset(d->name_table, 0, d->name_slots * sizeof *d->name_table);
	memset(d->template_table, 0, d->template_slots * sizeof *d->template_table);
	d->name_used = d->template_used = 0;
	d->templates.count = 0;
}

static uint32_t slot_hash(uint32_t offset, size_t slots)
{
	return (uint32_t)((offset * 2654435761u) & (slots - 1));
}

/* Grows an open-addressing table of ENTRY_SIZE-byte entries whose first member is the uint32
 * offset key; keeps it at most half full. Returns 0 or -1 (out of memory). */
static int table_grow(void **table, size_t *slots, size_t used, size_t entry_size)
{
	size_t grown_slots;
	uint8_t *grown, *old = *table;

	if ((used + 1) * 2 <= *slots)
		return 0;
	grown_slots = *slots * 2;
	grown = calloc(grown_slots, entry_size);
	if (!grown)
		return -1;
	for (size_t i = 0; i < *slots; i++) {
		uint32_t key;
		memcpy(&key, old + i * entry_size, 4);
		if (!key)
			continue;
		for (uint32_t h = slot_hash(key, grown_slots);; h = (h + 1) & (uint32_t)(grown_slots - 1)) {
			uint32_t there;
			memcpy(&there, grown + h * entry_size, 4);
			if (!there) {
				memcpy(grown + h * entry_size, old + i * entry_size, entry_size);
				break;
			}
		}
	}
	free(old);
	*table = grown;
	*slots = grown_slots;
	return 0;
}

static int op_push(struct op_list *list, struct op op)
{
	if (list->count == list->capacity) {
		size_t capacity = list->capacity ? list->capacity * 2 : 256;
		struct op *grown = realloc(list->ops, capacity * sizeof *grown);
		if (!grown)
			return -1;
		list->ops = grown;
		list->capacity = capacity;
	}
	list->ops[list->count++] = op;
	return 0;
}

/* ---- names ---------------------------------------------------------------------------------- */

/* The name whose structure (next offset u32, hash u16, characters u16, UTF-16LE, NUL) lies at
 * chunk OFFSET: its arena offset in *TEXT. Returns the structure's size, or -1 if it does not fit
 * in the chunk. */
static int name_at(struct binxml_decoder *d, uint32_t offset, uint32_t *text)
{
	const uint8_t *c = d->chunk;
	uint32_t characters, h;

	if (offset < EVTX_CHUNK_HEADER_SIZE || offset > EVTX_CHUNK_SIZE - 8)
		return -1;
	characters = le16(c + offset + 6);
	if (8 + 2 * (uint32_t)characters + 2 > EVTX_CHUNK_SIZE - offset)
		return -1;
	for (h = slot_hash(offset, d->name_slots); d->name_table[h].offset;
	     h = (h + 1) & (uint32_t)(d->name_slots - 1))
		if (d->name_table[h].offset == offset) {
			*text = d->name_table[h].text;
			return (int)(8 + 2 * characters + 2);
		}
	if (table_grow((void **)&d->name_table, &d->name_slots, d->name_used,
		       sizeof *d->name_table) != 0)
		return -1;
	*text = (uint32_t)d->names.length;
	strbuf_append_utf16le(&d->names, c + offset + 8, characters);
	strbuf_append_char(&d->names, 0);
	if (strbuf_failed(&d->names))
		return -1;
	for (h = slot_hash(offset, d->name_slots); d->name_table[h].offset;
	     h = (h + 1) & (uint32_t)(d->name_slots - 1))
		;
	d->name_table[h].offset = offset;
	d->name_table[h].text = *text;
	d->name_used++;
	return (int)(8 + 2 * characters + 2);
}

static const char *name_text(const struct binxml_decoder *d, uint32_t name)
{
	return d->names.data + name;
}

/* ---- compiling Binary XML ------------------------------------------------------------------- */

/* A reader over chunk bytes [pos, end). */
struct cursor {
	uint32_t pos, end;
};

static int need(const struct cursor *c, uint32_t bytes)
{
	return c->end - c->pos >= bytes ? 0 : -1;
}

static int compile_fragment(struct binxml_decoder *d, struct op_list *out, struct cursor *c,
			    int dependency_ids, int depth, char *why, size_t why_size);

/* A name reference at the cursor: its offset (u32); when the name is defined right there, it is
 * skipped. */
static int read_name_ref(struct binxml_decoder *d, struct cursor *c, uint32_t *name)
{
	uint32_t offset;
	int size;

	if (need(c, 4) != 0)
		return -1;
	offset = le32(d->chunk + c->pos);
	c->pos += 4;
	size = name_at(d, offset, name);
	if (size < 0)
		return -1;
	if (offset == c->pos) {
		if (need(c, (uint32_t)size) != 0)
			return -1;
		c->pos += (uint32_t)size;
	}
	return 0;
}

static int find_template(struct binxml_decoder *d, uint32_t offset)
{
	for (uint32_t h = slot_hash(offset, d->template_slots); d->template_table[h].offset;
	     h = (h + 1) & (uint32_t)(d->template_slots - 1))
		if (d->template_table[h].offset == offset)
			return (int)h;
	return -1;
}

/* The template defined at chunk OFFSET (u32 next, GUID, u32 data size, fragment), compiled once
 * per chunk. Returns its table slot, or -1. */
static int template_at(struct binxml_decoder *d, uint32_t offset, int depth, char *why,
		       size_t why_size)
{
	struct cursor c;
	uint32_t size, first = (uint32_t)d->templates.count, h;
	int slot = find_template(d, offset);

	if (slot >= 0)
		return slot;
	if (offset < EVTX_CHUNK_HEADER_SIZE || offset > EVTX_CHUNK_SIZE - 24)
		return fail(why, why_size, "template offset %u outside the chunk", offset);
	size = le32(d->chunk + offset + 20);
	if (size > EVTX_CHUNK_SIZE - offset - 24)
		return fail(why, why_size, "template at %u runs past the chunk", offset);
	c.pos = offset + 24;
	c.end = offset + 24 + size;
	if (compile_fragment(d, &d->templates, &c, 1, depth + 1, why, why_size) != 0)
		return -1;
	if (table_grow((void **)&d->template_table, &d->template_slots, d->template_used,
		       sizeof *d->template_table) != 0)
		return fail(why, why_size, "out of memory");
	for (h = slot_hash(offset, d->template_slots); d->template_table[h].offset;
	     h = (h + 1) & (uint32_t)(d->template_slots - 1))
		;
	d->template_table[h].offset = offset;
	d->template_table[h].first = first;
	d->template_table[h].count = (uint32_t)d->templates.count - first;
	d->template_used++;
	return (int)h;
}

/* A template instance at the cursor (after its token): the template (inline or by offset) and
 * the substitution array, which is skipped. */
static int compile_template_instance(struct binxml_decoder *d, struct op_list *out,
				     struct cursor *c, int depth, char *why, size_t why_size)
{
	const uint8_t *b = d->chunk;
	uint32_t offset, count, values, total = 0;
	int slot;

	if (need(c, 9) != 0)
		return fail(why, why_size, "template instance truncated");
	offset = le32(b + c->pos + 5);
	c->pos += 9;
	if (offset == c->pos) { /* defined here: skip the definition */
		uint32_t size;
		if (need(c, 24) != 0)
			return fail(why, why_size, "template definition truncated");
		size = le32(b + c->pos + 20);
		if (need(c, 24) != 0 || c->end - c->pos - 24 < size)
			return fail(why, why_size, "template definition truncated");
		c->pos += 24 + size;
	}
	slot = template_at(d, offset, depth, why, why_size);
	if (slot < 0)
		return -1;
	if (need(c, 4) != 0)
		return fail(why, why_size, "substitution array truncated");
	values = c->pos;
	count = le32(b + c->pos);
	c->pos += 4;
	if (count > (c->end - c->pos) / 4)
		return fail(why, why_size, "substitution array of %u values truncated", count);
	for (uint32_t i = 0; i < count; i++)
		total += le16(b + c->pos + 4 * i);
	c->pos += 4 * count;
	if (need(c, total) != 0)
		return fail(why, why_size, "substitution values truncated");
	c->pos += total;
	return op_push(out, (struct op){OP_TEMPLATE, 0, 0, 0, (uint32_t)slot, values});
}

/* Compiles the tokens at the cursor up to the end-of-fragment token (or the cursor's end) into
 * OUT. DEPENDENCY_IDS: whether start elements carry the 2-byte dependency identifier (they do in
 * templates and records, not in Binary XML held in a substitution value). */
static int compile_fragment(struct binxml_decoder *d, struct op_list *out, struct cursor *c,
			    int dependency_ids, int depth, char *why, size_t why_size)
{
	const uint8_t *b = d->chunk;
	int open = 0, in_start = 0;

	if (depth > MAX_DEPTH)
		return fail(why, why_size, "Binary XML nested deeper than %u", MAX_DEPTH);
	while (c->pos < c->end) {
		uint8_t token = b[c->pos];
		struct op op = {0};

		c->pos++;
		switch (token & 0xbf) {
		case 0x00: /* end of fragment */
			if (open)
				return fail(why, why_size, "fragment ends inside %u element(s)",
					    (unsigned)open);
			return 0;
		case 0x0f: /* fragment header: major, minor, flags */
			if (need(c, 3) != 0)
				return fail(why, why_size, "fragment header truncated");
			c->pos += 3;
			continue;
		case 0x01: /* open start element */
			if (need(c, (dependency_ids ? 2u : 0u) + 8) != 0)
				return fail(why, why_size, "start element truncated");
			c->pos += (dependency_ids ? 2u : 0u) + 4;
			op.code = OP_OPEN;
			if (read_name_ref(d, c, &op.name) != 0)
				return fail(why, why_size, "element name unreadable at %u", c->pos);
			if (token & 0x40) {
				if (need(c, 4) != 0)
					return fail(why, why_size, "attribute list truncated");
				c->pos += 4;
			}
			if (++open + depth > MAX_DEPTH)
				return fail(why, why_size, "elements nested deeper than %u", MAX_DEPTH);
			in_start = 1;
			break;
		case 0x06: /* attribute */
			if (!in_start)
				return fail(why, why_size, "attribute outside a start element at %u",
					    c->pos);
			op.code = OP_ATTRIBUTE;
			if (read_name_ref(d, c, &op.name) != 0)
				return fail(why, why_size, "attribute name unreadable at %u", c->pos);
			break;
		case 0x02:
		case 0x03:
			if (!in_start)
				return fail(why, why_size, "stray close of a start element at %u",
					    c->pos);
			in_start = 0;
			op.code = token == 0x02 ? OP_CLOSE_START : OP_CLOSE_EMPTY;
			if (token == 0x03)
				open--;
			if (open == 0)
				return op_push(out, op) == 0 ? 0 : fail(why, why_size, "out of memory");
			break;
		case 0x04:
			if (open == 0 || in_start)
				return fail(why, why_size, "stray end element at %u", c->pos);
			open--;
			op.code = OP_END;
			if (open == 0) /* libevtx reads one element per fragment */
				return op_push(out, op) == 0 ? 0 : fail(why, why_size, "out of memory");
			break;
		case 0x05: /* value: type, then a length-prefixed UTF-16 string */
			if (need(c, 3) != 0)
				return fail(why, why_size, "value truncated");
			op.code = OP_TEXT;
			op.type = b[c->pos];
			if (op.type != 0x01)
				return fail(why, why_size, "value of type 0x%02x in Binary XML", op.type);
			op.size = 2u * le16(b + c->pos + 1);
			c->pos += 3;
			if (need(c, op.size) != 0)
				return fail(why, why_size, "value text truncated");
			op.data = c->pos;
			c->pos += op.size;
			break;
		case 0x07: /* CDATA */
			if (need(c, 2) != 0 || (c->pos += 2, need(c, 2u * le16(b + c->pos - 2))) != 0)
				return fail(why, why_size, "CDATA truncated");
			return fail(why, why_size, "CDATA section");
		case 0x08: /* character reference */
			if (need(c, 2) != 0)
				return fail(why, why_size, "character reference truncated");
			op.code = OP_CHARREF;
			op.id = le16(b + c->pos);
			c->pos += 2;
			break;
		case 0x09: /* entity reference */
			op.code = OP_ENTITY;
			if (read_name_ref(d, c, &op.name) != 0)
				return fail(why, why_size, "entity name unreadable at %u", c->pos);
			break;
		case 0x0a:
		case 0x0b:
			return fail(why, why_size, "processing instruction at %u", c->pos);
		case 0x0c:
			if (compile_template_instance(d, out, c, depth, why, why_size) != 0)
				return -1;
			if (open == 0)
				return 0;
			continue;
		case 0x0d:
		case 0x0e:
			if (need(c, 3) != 0)
				return fail(why, why_size, "substitution truncated");
			op.code = OP_SUBSTITUTION;
			op.id = le16(b + c->pos);
			op.type = token == 0x0e;
			c->pos += 3;
			break;
		default:
			return fail(why, why_size, "unknown Binary XML token 0x%02x", token);
		}
		if (op_push(out, op) != 0)
			return fail(why, why_size, "out of memory");
	}
	if (open)
		return fail(why, why_size, "fragment ends inside %u element(s)", (unsigned)open);
	return 0;
}

/* ---- building a record's tree --------------------------------------------------------------- */

static int32_t node_add(struct binxml_decoder *d, int32_t parent, uint8_t kind)
{
	struct node *n;

	if (d->node_count == d->node_capacity) {
		size_t capacity = d->node_capacity ? d->node_capacity * 2 : 256;
		struct node *grown;
		if (capacity > MAX_NODES)
			return -1;
		grown = realloc(d->nodes, capacity * sizeof *grown);
		if (!grown)
			return -1;
		d->nodes = grown;
		d->node_capacity = capacity;
	}
	n = &d->nodes[d->node_count];
	memset(n, 0, sizeof *n);
	n->kind = kind;
	n->parent = parent;
	n->first = n->last = n->next = -1;
	if (parent >= 0) {
		struct node *p = &d->nodes[parent];
		if (p->last >= 0)
			d->nodes[p->last].next = (int32_t)d->node_count;
		else
			p->first = (int32_t)d->node_count;
		p->last = (int32_t)d->node_count;
	}
	return (int32_t)d->node_count++;
}

/* The substitution values of a template instance: count, then (size u16, type u8, 0) each, then
 * the values one after another. */
struct values {
	uint32_t count, descriptors, data;
	size_t offsets;  /* index in decoder->offsets of each value's chunk offset */
};

static int expand_list(struct binxml_decoder *d, struct op_list *list, size_t first, size_t count,
		       const struct values *values, int32_t parent, int depth, char *why,
		       size_t why_size);

/* Binary XML in a substitution value (type 0x21), compiled into the scratch list. */
static int expand_nested(struct binxml_decoder *d, uint32_t offset, uint32_t size,
			 int32_t parent, int depth, char *why, size_t why_size)
{
	struct cursor c = {offset, offset + size};
	size_t first = d->scratch.count;
	int rc;

	if (compile_fragment(d, &d->scratch, &c, 0, depth + 1, why, why_size) != 0)
		return -1;
	rc = expand_list(d, &d->scratch, first, d->scratch.count - first, NULL, parent, depth + 1,
			 why, why_size);
	d->scratch.count = first;
	return rc;
}

/* Value types libevtx's rendering of which this decoder reproduces (checked against libevtx on
 * the corpus; others are refused so that the record is read through libevtx). */
static int type_supported(uint8_t type)
{
	switch (type) {
	case 0x00: case 0x01: case 0x03: case 0x04: case 0x05: case 0x06: case 0x07: case 0x08:
	case 0x09: case 0x0a: case 0x0e: case 0x0f: case 0x11: case 0x13: case 0x14:
	case 0x15: case 0x21: case 0x02: case 0x0d: case 0x10:
		return 1;
	default:
		return 0;
	}
}


/* Whether a value of TYPE may have SIZE bytes (DATA for a SID's own count). */
static int value_size_ok(uint8_t type, const uint8_t *data, uint32_t size)
{
	switch (type) {
	case 0x03: case 0x04: return size == 1;
	case 0x05: case 0x06: return size == 2;
	case 0x07: case 0x08: case 0x14: return size == 4;
	case 0x09: case 0x0a: case 0x11: case 0x15: return size == 8;
	case 0x0f: return size == 16;
	case 0x0d: return size == 4;
	case 0x10: return size == 4 || size == 8;
	case 0x02: /* ASCII only: libevtx's code page conversion is not reproduced */
		for (uint32_t i = 0; i < size; i++)
			if (data[i] & 0x80)
				return 0;
		return 1;
	case 0x13: return size >= 8 && size == 8u + 4u * data[1] &&
		(data[2] | data[3]) == 0; /* authority fits 32 bits: printed in decimal */
	default: return 1;
	}
}

/* libevtx leaves out an element whose only content was optional substitutions without a value
 * and which has no attribute with a value (measured on the corpus: a System log's <Data> with an
 * empty optional value is absent from libevtx's XML, while <Correlation/> stays). N is the last
 * child of its parent. */
static void drop_if_empty(struct binxml_decoder *d, int32_t n)
{
	int32_t parent = d->nodes[n].parent, *link;

	if (d->nodes[n].type != 1 || parent < 0)
		return;
	for (int32_t k = d->nodes[n].first; k >= 0; k = d->nodes[k].next)
		if (d->nodes[k].kind != NODE_ATTRIBUTE || d->nodes[k].first >= 0)
			return;
	link = &d->nodes[parent].first;
	while (*link != n) {
		d->nodes[parent].last = *link;
		link = &d->nodes[*link].next;
	}
	*link = -1;
	if (d->nodes[parent].first < 0)
		d->nodes[parent].last = -1;
}

/* The chunk offset of substitution value ID of VALUES, and its type and size. */
static int substitution_value(const struct binxml_decoder *d, const struct values *values,
			      uint16_t id, uint32_t *offset, uint8_t *type, uint32_t *size)
{
	if (id >= values->count)
		return -1;
	*offset = d->offsets[values->offsets + id];
	*size = le16(d->chunk + values->descriptors + 4 * id);
	*type = d->chunk[values->descriptors + 4 * id + 2];
	return 0;
}

/* Room for VALUES' offsets at the end of decoder->offsets, filled; -1 when out of memory. */
static int values_place(struct binxml_decoder *d, struct values *values)
{
	uint32_t at = values->data;

	if (d->offset_count + values->count > d->offset_capacity) {
		size_t capacity = (d->offset_count + values->count) * 2;
		uint32_t *grown = realloc(d->offsets, capacity * sizeof *grown);
		if (!grown)
			return -1;
		d->offsets = grown;
		d->offset_capacity = capacity;
	}
	values->offsets = d->offset_count;
	for (uint32_t i = 0; i < values->count; i++) {
		d->offsets[d->offset_count++] = at;
		at += le16(d->chunk + values->descriptors + 4 * i);
	}
	return 0;
}

/* Interprets operations FIRST..FIRST+COUNT of LIST under PARENT. The list may grow meanwhile
 * (a nested template compiled on first use), so operations are addressed by index. */
static int expand_list(struct binxml_decoder *d, struct op_list *list, size_t first, size_t count,
		       const struct values *values, int32_t parent, int depth, char *why,
		       size_t why_size)
{
	int32_t current = parent, attribute = -1;

	if (depth > MAX_DEPTH)
		return fail(why, why_size, "Binary XML nested deeper than %u", MAX_DEPTH);
	for (size_t i = first; i < first + count; i++) {
		struct op op = list->ops[i];
		int32_t target = attribute >= 0 ? attribute : current, n;

		switch (op.code) {
		case OP_OPEN:
			n = node_add(d, current, NODE_ELEMENT);
			if (n < 0)
				return fail(why, why_size, "record too large");
			d->nodes[n].name = op.name;
			current = n;
			attribute = -1;
			break;
		case OP_ATTRIBUTE:
			attribute = node_add(d, current, NODE_ATTRIBUTE);
			if (attribute < 0)
				return fail(why, why_size, "record too large");
			d->nodes[attribute].name = op.name;
			break;
		case OP_CLOSE_START:
			attribute = -1;
			break;
		case OP_CLOSE_EMPTY:
		case OP_END:
			attribute = -1;
			if (current == parent)
				return fail(why, why_size, "end of an element never opened");
			n = current;
			current = d->nodes[current].parent;
			drop_if_empty(d, n);
			break;
		case OP_TEXT:
			n = node_add(d, target, NODE_VALUE);
			if (n < 0)
				return fail(why, why_size, "record too large");
			d->nodes[n].type = 0x01;
			d->nodes[n].data = d->chunk + op.data;
			d->nodes[n].size = op.size;
			break;
		case OP_SUBSTITUTION: {
			uint32_t offset, size;
			uint8_t type;

			if (!values || substitution_value(d, values, op.id, &offset, &type, &size) != 0)
				return fail(why, why_size, "substitution %u without a value", op.id);
			if (op.type && (type == 0x00 || size == 0)) {
				/* an optional substitution without a value: nothing */
				if (attribute < 0)
					d->nodes[current].type = 1;
				break;
			}
			if (!type_supported(type))
				return fail(why, why_size, "value type 0x%02x not decoded here", type);
			if (!value_size_ok(type, d->chunk + offset, size))
				return fail(why, why_size, "value of type 0x%02x with a bad size", type);
			if (type == 0x21) {
				if (attribute >= 0)
					return fail(why, why_size, "Binary XML in an attribute");
				if (expand_nested(d, offset, size, current, depth, why, why_size) != 0)
					return -1;
				break;
			}
			n = node_add(d, target, NODE_VALUE);
			if (n < 0)
				return fail(why, why_size, "record too large");
			d->nodes[n].type = type;
			d->nodes[n].data = d->chunk + offset;
			d->nodes[n].size = size;
			break;
		}
		case OP_TEMPLATE: {
			struct template_entry t = d->template_table[op.data];
			const uint8_t *b = d->chunk + op.size;
			struct values v = {le32(b), op.size + 4, op.size + 4 + 4 * le32(b), 0};
			size_t mark = d->offset_count;
			int rc;

			if (values_place(d, &v) != 0)
				return fail(why, why_size, "out of memory");
			rc = expand_list(d, &d->templates, t.first, t.count, &v, current, depth + 1, why,
					 why_size);
			d->offset_count = mark;
			if (rc != 0)
				return -1;
			break;
		}
		default: /* character and entity references: left to libevtx */
			return fail(why, why_size, "character or entity reference");
		}
	}
	if (current != parent)
		return fail(why, why_size, "elements left open");
	return 0;
}


/* ---- a record ------------------------------------------------------------------------------- */

static int32_t child_element(const struct binxml_decoder *d, int32_t parent, const char *name)
{
	for (int32_t n = parent >= 0 ? d->nodes[parent].first : -1; n >= 0; n = d->nodes[n].next)
		if (d->nodes[n].kind == NODE_ELEMENT && strcmp(name_text(d, d->nodes[n].name), name) == 0)
			return n;
	return -1;
}

static int32_t attribute_of(const struct binxml_decoder *d, int32_t element, const char *name)
{
	for (int32_t n = element >= 0 ? d->nodes[element].first : -1; n >= 0; n = d->nodes[n].next)
		if (d->nodes[n].kind == NODE_ATTRIBUTE && d->nodes[n].first >= 0 &&
		    strcmp(name_text(d, d->nodes[n].name), name) == 0)
			return n;
	return -1;
}

/* A document node (index 0) holds the record's top element. libevtx renders an element's
 * content either as text or as child elements; a record mixing both in one element is left to
 * it. */
int binxml_decode_record(struct binxml_decoder *d, const struct binxml_record *record,
			 char *why, size_t why_size)
{
	struct cursor c = {record->offset + 24, record->offset + record->size - 4};

	d->node_count = 0;
	d->offset_count = 0;
	d->scratch.count = 0;
	d->root = d->system = d->provider = d->event_id = d->channel = -1;
	if (node_add(d, -1, NODE_ELEMENT) != 0)
		return fail(why, why_size, "out of memory");
	if (compile_fragment(d, &d->scratch, &c, 1, 0, why, why_size) != 0 ||
	    expand_list(d, &d->scratch, 0, d->scratch.count, NULL, 0, 0, why, why_size) != 0)
		return -1;
	for (size_t i = 1; i < d->node_count; i++) {
		const struct node *n = &d->nodes[i];
		if (n->kind == NODE_ELEMENT && n->first >= 0) {
			int values = 0, elements = 0;
			for (int32_t k = n->first; k >= 0; k = d->nodes[k].next) {
				values += d->nodes[k].kind == NODE_VALUE;
				elements += d->nodes[k].kind == NODE_ELEMENT;
			}
			if (values && elements)
				return fail(why, why_size, "element with text and elements");
		}
	}
	d->root = d->nodes[0].first;
	if (d->root < 0 || d->nodes[d->root].next >= 0 || d->nodes[d->root].kind != NODE_ELEMENT)
		return fail(why, why_size, "not one top element");
	d->system = child_element(d, d->root, "System");
	d->provider = child_element(d, d->system, "Provider");
	d->event_id = child_element(d, d->system, "EventID");
	d->channel = child_element(d, d->system, "Channel");
	return 0;
}

/* ---- values as text ------------------------------------------------------------------------- */

static void append_filetime(struct strbuf *sb, uint64_t filetime)
{
	uint64_t seconds = filetime / 10000000u, fraction = filetime % 10000000u;
	int64_t days = (int64_t)(seconds / 86400) - 134774; /* 1601-01-01 to 1970-01-01 */
	unsigned second_of_day = (unsigned)(seconds % 86400);
	/* civil date from days since 1970-01-01 (H. Hinnant's algorithm) */
	int64_t z = days + 719468, era = (z >= 0 ? z : z - 146096) / 146097;
	unsigned doe = (unsigned)(z - era * 146097);
	unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	unsigned mp = (5 * doy + 2) / 153, day = doy - (153 * mp + 2) / 5 + 1;
	unsigned month = mp < 10 ? mp + 3 : mp - 9;
	int64_t year = (int64_t)yoe + era * 400 + (month <= 2);

	strbuf_printf(sb, "%04lld-%02u-%02uT%02u:%02u:%02u.%07llu00Z", (long long)year, month, day,
		      second_of_day / 3600, second_of_day / 60 % 60, second_of_day % 60,
		      (unsigned long long)fraction);
}

/* VALUE in decimal (the values' hot path: no printf). */
static void append_decimal(struct strbuf *sb, uint64_t value)
{
	char digits[20];
	size_t at = sizeof digits;

	do {
		digits[--at] = (char)('0' + value % 10);
		value /= 10;
	} while (value);
	strbuf_append(sb, digits + at, sizeof digits - at);
}

/* VALUE as "0x" and DIGITS lower-case hex digits. */
static void append_hex(struct strbuf *sb, uint64_t value, int digits)
{
	static const char hex[] = "0123456789abcdef";
	char text[18] = "0x";

	for (int i = digits - 1; i >= 0; i--, value >>= 4)
		text[2 + i] = hex[value & 15];
	strbuf_append(sb, text, 2 + (size_t)digits);
}

/* A signed integer of BITS bits as libevtx writes it: a negative one as "-" and the bits below
 * the sign bit, not the two's complement magnitude (measured on the corpus: Int32 0xFFFFFFFF is
 * written "-2147483647"). */
static void append_signed(struct strbuf *sb, uint64_t value, unsigned bits)
{
	uint64_t sign = (uint64_t)1 << (bits - 1);

	if (value & sign) {
		strbuf_append_char(sb, '-');
		value &= sign - 1;
	}
	append_decimal(sb, value);
}

/* Appends value node N as libevtx writes it (before XML escaping). */
static void append_value(const struct node *n, struct strbuf *sb)
{
	const uint8_t *p = n->data;

	switch (n->type) {
	case 0x01: strbuf_append_utf16le(sb, p, n->size / 2); break;
	case 0x03: append_signed(sb, p[0], 8); break;
	case 0x04: append_decimal(sb, p[0]); break;
	case 0x05: append_signed(sb, le16(p), 16); break;
	case 0x06: append_decimal(sb, le16(p)); break;
	case 0x07: append_signed(sb, le32(p), 32); break;
	case 0x08: append_decimal(sb, le32(p)); break;
	case 0x09: append_signed(sb, le64(p), 64); break;
	case 0x0a: append_decimal(sb, le64(p)); break;
	case 0x02: strbuf_append(sb, (const char *)p, strnlen((const char *)p, n->size)); break;
	case 0x0d: strbuf_append_str(sb, le32(p) ? "true" : "false"); break;
	case 0x10:
		append_decimal(sb, n->size == 4 ? le32(p) : le64(p));
		break;
	case 0x0e:
		for (uint32_t i = 0; i < n->size; i++)
			strbuf_printf(sb, "%02X", p[i]);
		break;
	case 0x0f:
		strbuf_printf(sb, "{%08X-%04X-%04X-%02X%02X-%02X%02X%02X%02X%02X%02X}", le32(p),
			      le16(p + 4), le16(p + 6), p[8], p[9], p[10], p[11], p[12], p[13], p[14],
			      p[15]);
		break;
	case 0x11: append_filetime(sb, le64(p)); break;
	case 0x13:
		strbuf_append(sb, "S-", 2);
		append_decimal(sb, p[0]);
		strbuf_append_char(sb, '-');
		append_decimal(sb, (uint32_t)p[4] << 24 | (uint32_t)p[5] << 16 |
			       (uint32_t)p[6] << 8 | p[7]);
		for (unsigned i = 0; i < p[1]; i++) {
			strbuf_append_char(sb, '-');
			append_decimal(sb, le32(p + 8 + 4 * i));
		}
		break;
	case 0x14: append_hex(sb, le32(p), 8); break;
	case 0x15: append_hex(sb, le64(p), 16); break;
	default: break;
	}
}

/* The text of element or attribute N (its values, one after another) into SB. */
static void append_text(const struct binxml_decoder *d, int32_t n, struct strbuf *sb)
{
	for (int32_t k = n >= 0 ? d->nodes[n].first : -1; k >= 0; k = d->nodes[k].next)
		if (d->nodes[k].kind == NODE_VALUE)
			append_value(&d->nodes[k], sb);
}

static int has_elements(const struct binxml_decoder *d, int32_t n)
{
	for (int32_t k = d->nodes[n].first; k >= 0; k = d->nodes[k].next)
		if (d->nodes[k].kind == NODE_ELEMENT)
			return 1;
	return 0;
}

/* N's text in the decoder's scratch buffer; NULL when N is absent. */
static const char *text_of(struct binxml_decoder *d, int32_t n)
{
	if (n < 0)
		return NULL;
	strbuf_reset(&d->text);
	strbuf_append(&d->text, "", 0);
	append_text(d, n, &d->text);
	return strbuf_failed(&d->text) ? NULL : d->text.data;
}

const char *binxml_provider(struct binxml_decoder *d)
{
	return text_of(d, attribute_of(d, d->provider, "Name"));
}

int binxml_event_id(struct binxml_decoder *d, uint32_t *event_id)
{
	int64_t id = evtx_parse_number(text_of(d, d->event_id));

	if (id < 0)
		return -1;
	*event_id = (uint32_t)id;
	return 0;
}

int64_t binxml_qualifiers(struct binxml_decoder *d)
{
	return evtx_parse_number(text_of(d, attribute_of(d, d->event_id, "Qualifiers")));
}

const char *binxml_channel(struct binxml_decoder *d)
{
	return text_of(d, d->channel);
}

/* ---- the record as sandtrace's fields (evtx_flatten_xml's rules on libevtx's XML) ----------- */

/* What an XML parser makes of text libevtx wrote raw: line ends become "\n" (XML 1.0 §2.11);
 * in an attribute value, tabs and line ends become spaces (§3.3.3). */
static void normalize(struct strbuf *out, const char *text, size_t length, int attribute)
{
	size_t start = 0;

	for (size_t i = 0; i < length; i++) {
		char c = text[i];
		if (c != '\r' && !(attribute && (c == '\n' || c == '\t')))
			continue;
		strbuf_append(out, text + start, i - start);
		if (c == '\r' && i + 1 < length && text[i + 1] == '\n')
			i++;
		strbuf_append_char(out, attribute ? ' ' : '\n');
		start = i + 1;
	}
	strbuf_append(out, text + start, length - start);
}

static char *dup_normalized(struct binxml_decoder *d, int32_t n, int attribute)
{
	const char *text = text_of(d, n);

	if (!text)
		return NULL;
	strbuf_reset(&d->text2);
	strbuf_append(&d->text2, "", 0);
	normalize(&d->text2, text, d->text.length, attribute);
	return strbuf_failed(&d->text2) ? NULL : strdup(d->text2.data);
}

static int64_t number_of(struct binxml_decoder *d, int32_t n, int attribute)
{
	char *text = dup_normalized(d, n, attribute);
	int64_t value = evtx_parse_number(text);
	free(text);
	return value;
}

static void replace(char **slot, char *value)
{
	free(*slot);
	*slot = value;
}

static int is(const struct binxml_decoder *d, int32_t n, const char *name)
{
	return d->nodes[n].kind == NODE_ELEMENT && strcmp(name_text(d, d->nodes[n].name), name) == 0;
}

static void read_system(struct binxml_decoder *d, struct evtx_event *e)
{
	for (int32_t n = d->nodes[d->system].first; n >= 0; n = d->nodes[n].next) {
		if (d->nodes[n].kind != NODE_ELEMENT)
			continue;
		if (is(d, n, "Provider")) {
			char *name = dup_normalized(d, attribute_of(d, n, "Name"), 1);
			if (name)
				replace(&e->provider, name);
			replace(&e->provider_guid, dup_normalized(d, attribute_of(d, n, "Guid"), 1));
		} else if (is(d, n, "EventID")) {
			int64_t id = number_of(d, n, 0);
			if (id >= 0)
				e->event_id = (uint32_t)id;
			e->qualifiers = number_of(d, attribute_of(d, n, "Qualifiers"), 1);
		} else if (is(d, n, "Version")) {
			e->version = (int)number_of(d, n, 0);
		} else if (is(d, n, "Level")) {
			e->level = (int)number_of(d, n, 0);
		} else if (is(d, n, "Task")) {
			e->task = (int)number_of(d, n, 0);
		} else if (is(d, n, "Opcode")) {
			e->opcode = (int)number_of(d, n, 0);
		} else if (is(d, n, "Keywords")) {
			replace(&e->keywords, dup_normalized(d, n, 0));
		} else if (is(d, n, "TimeCreated")) {
			char *text = dup_normalized(d, attribute_of(d, n, "SystemTime"), 1);
			uint64_t time;
			if (text && filetime_parse_iso(text, &time) == 0)
				e->time = time;
			free(text);
		} else if (is(d, n, "EventRecordID")) {
			int64_t id = number_of(d, n, 0);
			if (id >= 0)
				e->record_id = (uint64_t)id;
		} else if (is(d, n, "Correlation")) {
			replace(&e->activity_id, dup_normalized(d, attribute_of(d, n, "ActivityID"), 1));
			replace(&e->related_activity_id,
				dup_normalized(d, attribute_of(d, n, "RelatedActivityID"), 1));
		} else if (is(d, n, "Execution")) {
			e->process_id = number_of(d, attribute_of(d, n, "ProcessID"), 1);
			e->thread_id = number_of(d, attribute_of(d, n, "ThreadID"), 1);
		} else if (is(d, n, "Channel")) {
			replace(&e->channel, dup_normalized(d, n, 0));
		} else if (is(d, n, "Computer")) {
			replace(&e->computer, dup_normalized(d, n, 0));
		} else if (is(d, n, "Security")) {
			replace(&e->user_sid, dup_normalized(d, attribute_of(d, n, "UserID"), 1));
		}
	}
}

/* The JSON object under construction and the names already in it (for "N[2]"), kept as offsets
 * into a second buffer so that nothing is allocated per name. */
struct flat {
	struct strbuf *json, *names;
	uint32_t *starts;
	size_t count, capacity;
	int failed;
};

static void flat_add(struct binxml_decoder *d, struct flat *flat, const char *name,
		     size_t name_length, const char *value, size_t value_length, int attribute)
{
	size_t repeat = 1;
	size_t start = flat->names->length;

	for (size_t i = 0; i < flat->count; i++) {
		const char *seen = flat->names->data + flat->starts[i];
		if (strlen(seen) == name_length && memcmp(seen, name, name_length) == 0)
			repeat++;
	}
	if (flat->count == flat->capacity) {
		size_t capacity = flat->capacity ? flat->capacity * 2 : 64;
		uint32_t *grown = realloc(flat->starts, capacity * sizeof *grown);
		if (!grown) {
			flat->failed = 1;
			return;
		}
		flat->starts = grown;
		flat->capacity = capacity;
	}
	strbuf_append(flat->names, name, name_length);
	strbuf_append_char(flat->names, 0);
	flat->starts[flat->count++] = (uint32_t)start;
	if (flat->json->length > 1)
		strbuf_append_char(flat->json, ',');
	strbuf_reset(&d->key);
	strbuf_append(&d->key, name, name_length < 511 ? name_length : 511);
	if (repeat > 1)
		strbuf_printf(&d->key, "[%zu]", repeat);
	json_append_string(flat->json, d->key.data, d->key.length);
	strbuf_append_char(flat->json, ':');
	strbuf_reset(&d->text2);
	strbuf_append(&d->text2, "", 0);
	normalize(&d->text2, value, value_length, attribute);
	json_append_string(flat->json, d->text2.data, d->text2.length);
}

static void indent(struct strbuf *out, int level)
{
	static const char spaces[] = "                                                                ";

	for (int left = 2 * level; left > 0; left -= (int)sizeof spaces - 1)
		strbuf_append(out, spaces, left < (int)sizeof spaces - 1 ? (size_t)left
								      : sizeof spaces - 1);
}

/* What an XML parser gives as the content of element N with child elements: the texts of its
 * descendants and the indentation libevtx writes between them (LEVEL is N's depth). */
static void append_content(const struct binxml_decoder *d, int32_t n, int level,
			   struct strbuf *sb)
{
	if (!has_elements(d, n)) {
		append_text(d, n, sb);
		return;
	}
	for (int32_t k = d->nodes[n].first; k >= 0; k = d->nodes[k].next) {
		if (d->nodes[k].kind != NODE_ELEMENT)
			continue;
		strbuf_append_char(sb, '\n');
		indent(sb, level + 1);
		append_content(d, k, level + 1, sb);
	}
	strbuf_append_char(sb, '\n');
	indent(sb, level);
}

/* Element or attribute N's content as an XML parser gives it, in d->text (LEVEL: N's depth). */
static void content_of(struct binxml_decoder *d, int32_t n, int level)
{
	strbuf_reset(&d->text);
	strbuf_append(&d->text, "", 0);
	if (n >= 0)
		append_content(d, n, level, &d->text);
}

static void flatten_event_data(struct binxml_decoder *d, int32_t event_data, struct flat *flat)
{
	int32_t template_name = attribute_of(d, event_data, "Name");
	unsigned unnamed = 0;

	if (template_name >= 0) {
		content_of(d, template_name, 0);
		flat_add(d, flat, "@Name", 5, d->text.data, d->text.length, 1);
	}
	for (int32_t c = d->nodes[event_data].first; c >= 0; c = d->nodes[c].next) {
		const char *name = name_text(d, d->nodes[c].name);
		int32_t data_name;

		if (d->nodes[c].kind != NODE_ELEMENT)
			continue;
		data_name = is(d, c, "Data") ? attribute_of(d, c, "Name") : -1;
		strbuf_reset(&d->path);
		if (data_name >= 0) {
			content_of(d, data_name, 0);
			normalize(&d->path, d->text.data, d->text.length, 1);
		}
		if (is(d, c, "Data") && d->path.length == 0)
			strbuf_printf(&d->path, "#%u", ++unnamed);
		else if (!is(d, c, "Data"))
			strbuf_append_str(&d->path, name);
		content_of(d, c, 2);
		flat_add(d, flat, d->path.data, d->path.length, d->text.data, d->text.length, 0);
	}
}

/* UserData: PREFIX/child for leaves, recursing into elements with element children; the path is
 * built in d->path (PREFIX is its first PREFIX_LENGTH bytes). */
static void flatten_user_data(struct binxml_decoder *d, int32_t node, size_t prefix_length,
			      struct flat *flat, int depth, int level)
{
	for (int32_t c = d->nodes[node].first; c >= 0; c = d->nodes[c].next) {
		size_t path_length;

		if (d->nodes[c].kind != NODE_ELEMENT)
			continue;
		d->path.length = prefix_length;
		if (prefix_length)
			strbuf_append_char(&d->path, '/');
		strbuf_append_str(&d->path, name_text(d, d->nodes[c].name));
		if (d->path.length > 511)
			d->path.length = 511;
		path_length = d->path.length;
		for (int32_t a = d->nodes[c].first; a >= 0; a = d->nodes[a].next) {
			if (d->nodes[a].kind != NODE_ATTRIBUTE || d->nodes[a].first < 0)
				continue;
			d->path.length = path_length;
			strbuf_append_str(&d->path, "/@");
			strbuf_append_str(&d->path, name_text(d, d->nodes[a].name));
			if (d->path.length > 599)
				d->path.length = 599;
			content_of(d, a, 0);
			flat_add(d, flat, d->path.data, d->path.length, d->text.data, d->text.length, 1);
		}
		d->path.length = path_length;
		d->path.data[path_length] = 0;
		if (has_elements(d, c) && depth < 32) {
			flatten_user_data(d, c, path_length, flat, depth + 1, level + 1);
		} else {
			content_of(d, c, level + 1);
			flat_add(d, flat, d->path.data, path_length, d->text.data, d->text.length, 0);
		}
	}
}

int binxml_fill_event(struct binxml_decoder *d, struct evtx_event *event)
{
	struct flat flat = {&d->json, &d->flat_names, d->flat_starts, 0, d->flat_capacity, 0};

	strbuf_reset(&d->json);
	strbuf_reset(&d->flat_names);
	strbuf_append_char(&d->json, '{');
	for (int32_t n = d->nodes[d->root].first; n >= 0; n = d->nodes[n].next) {
		if (is(d, n, "System")) {
			d->system = n;
			read_system(d, event);
		} else if (is(d, n, "EventData")) {
			flatten_event_data(d, n, &flat);
		} else if (is(d, n, "UserData")) {
			for (int32_t w = d->nodes[n].first; w >= 0; w = d->nodes[w].next)
				if (d->nodes[w].kind == NODE_ELEMENT) {
					strbuf_reset(&d->path);
					strbuf_append(&d->path, "", 0);
					flatten_user_data(d, w, 0, &flat, 0, 2);
				}
		}
	}
	strbuf_append_char(&d->json, '}');
	d->flat_starts = flat.starts;
	d->flat_capacity = flat.capacity;
	if (flat.failed || strbuf_failed(&d->json) || strbuf_failed(&d->flat_names) ||
	    strbuf_failed(&d->text) || strbuf_failed(&d->text2) || strbuf_failed(&d->path))
		return -1;
	replace(&event->data, strdup(d->json.data));
	return event->data ? 0 : -1;
}

/* ---- the record as libevtx's XML ------------------------------------------------------------ */

static void append_escaped(struct strbuf *out, const char *text, size_t length)
{
	size_t start = 0;

	for (size_t i = 0; i < length; i++) {
		const char *entity;
		switch (text[i]) {
		case '&': entity = "&amp;"; break;
		case '<': entity = "&lt;"; break;
		case '>': entity = "&gt;"; break;
		default: continue;
		}
		strbuf_append(out, text + start, i - start);
		strbuf_append_str(out, entity);
		start = i + 1;
	}
	strbuf_append(out, text + start, length - start);
}


static void render(struct binxml_decoder *d, int32_t n, int level, struct strbuf *out)
{
	int values = 0, elements = 0;

	indent(out, level);
	strbuf_append_char(out, '<');
	strbuf_append_str(out, name_text(d, d->nodes[n].name));
	for (int32_t k = d->nodes[n].first; k >= 0; k = d->nodes[k].next) {
		if (d->nodes[k].kind == NODE_ATTRIBUTE) {
			if (d->nodes[k].first < 0)
				continue;
			strbuf_append_char(out, ' ');
			strbuf_append_str(out, name_text(d, d->nodes[k].name));
			strbuf_append(out, "=\"", 2);
			text_of(d, k);
			append_escaped(out, d->text.data, d->text.length);
			strbuf_append_char(out, '"');
		}
		values += d->nodes[k].kind == NODE_VALUE;
		elements += d->nodes[k].kind == NODE_ELEMENT;
	}
	if (elements) {
		strbuf_append(out, ">\n", 2);
		for (int32_t k = d->nodes[n].first; k >= 0; k = d->nodes[k].next)
			if (d->nodes[k].kind == NODE_ELEMENT)
				render(d, k, level + 1, out);
		indent(out, level);
	} else {
		text_of(d, n);
		if (!values || d->text.length == 0) {
			strbuf_append(out, "/>\n", 3);
			return;
		}
		strbuf_append_char(out, '>');
		append_escaped(out, d->text.data, d->text.length);
	}
	strbuf_append(out, "</", 2);
	strbuf_append_str(out, name_text(d, d->nodes[n].name));
	strbuf_append(out, ">\n", 2);
}

void binxml_render_xml(struct binxml_decoder *d, struct strbuf *out)
{
	render(d, d->root, 0, out);
}
