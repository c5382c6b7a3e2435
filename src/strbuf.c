/*
 * strbuf.c - growable string builder (see strbuf.h).
 */
#include "strbuf.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int strbuf_reserve(struct strbuf *sb, size_t extra)
{
	size_t need, capacity;
	char *grown;

	if (sb->failed)
		return -1;
	if (extra > (size_t)-1 / 2 - sb->length) {
		sb->failed = 1;
		return -1;
	}
	need = sb->length + extra + 1;
	if (need <= sb->capacity)
		return 0;
	capacity = sb->capacity ? sb->capacity : 64;
	while (capacity < need)
		capacity *= 2;
	grown = realloc(sb->data, capacity);
	if (!grown) {
		sb->failed = 1;
		return -1;
	}
	sb->data = grown;
	sb->capacity = capacity;
	return 0;
}

void strbuf_append(struct strbuf *sb, const char *text, size_t length)
{
	if (strbuf_reserve(sb, length) != 0)
		return;
	if (length)
		memcpy(sb->data + sb->length, text, length);
	sb->length += length;
	sb->data[sb->length] = 0;
}

void strbuf_append_str(struct strbuf *sb, const char *text)
{
	strbuf_append(sb, text, strlen(text));
}

void strbuf_append_char(struct strbuf *sb, char c)
{
	if (!sb->failed && sb->length + 1 < sb->capacity) {
		sb->data[sb->length++] = c;
		sb->data[sb->length] = 0;
		return;
	}
	strbuf_append(sb, &c, 1);
}

/* CP (at most U+10FFFF) as UTF-8 into OUT (4 bytes at most); returns the bytes written. */
static size_t utf8_encode(char *out, uint32_t cp)
{
	if (cp < 0x80) {
		out[0] = (char)cp;
		return 1;
	}
	if (cp < 0x800) {
		out[0] = (char)(0xC0 | cp >> 6);
		out[1] = (char)(0x80 | (cp & 0x3F));
		return 2;
	}
	if (cp < 0x10000) {
		out[0] = (char)(0xE0 | cp >> 12);
		out[1] = (char)(0x80 | (cp >> 6 & 0x3F));
		out[2] = (char)(0x80 | (cp & 0x3F));
		return 3;
	}
	out[0] = (char)(0xF0 | cp >> 18);
	out[1] = (char)(0x80 | (cp >> 12 & 0x3F));
	out[2] = (char)(0x80 | (cp >> 6 & 0x3F));
	out[3] = (char)(0x80 | (cp & 0x3F));
	return 4;
}

void strbuf_append_codepoint(struct strbuf *sb, uint32_t cp)
{
	char b[4];

	strbuf_append(sb, b, utf8_encode(b, cp));
}

static uint32_t unit_at(const uint8_t *data, size_t i)
{
	return (uint32_t)data[2 * i] | (uint32_t)data[2 * i + 1] << 8;
}

/* Room for the worst case is reserved once and the UTF-8 written in place: a unit becomes at
 * most 3 bytes (U+FFFD for a lone surrogate included), a surrogate pair of 2 units 4 bytes.
 * Appending one character at a time was the decoder threads' largest cost. */
size_t strbuf_append_utf16le(struct strbuf *sb, const uint8_t *data, size_t units)
{
	size_t i = 0;
	char *out;

	if (units > (size_t)-1 / 8 || strbuf_reserve(sb, units * 3) != 0) {
		/* nothing can be appended; still say how many units the text takes */
		while (i < units && unit_at(data, i++) != 0)
			;
		sb->failed = 1;
		return i;
	}
	out = sb->data + sb->length;
	while (i < units) {
		uint32_t unit = unit_at(data, i++);

		if (unit == 0)
			break;
		if (unit < 0x80) {
			*out++ = (char)unit;
			continue;
		}
		if (unit >= 0xD800 && unit <= 0xDBFF && i < units) {
			uint32_t low = unit_at(data, i);
			if (low >= 0xDC00 && low <= 0xDFFF) {
				i++;
				out += utf8_encode(out, 0x10000 + ((unit - 0xD800) << 10) +
								(low - 0xDC00));
				continue;
			}
		}
		out += utf8_encode(out, unit >= 0xD800 && unit <= 0xDFFF ? 0xFFFD : unit);
	}
	sb->length = (size_t)(out - sb->data);
	sb->data[sb->length] = 0;
	return i;
}

void strbuf_printf(struct strbuf *sb, const char *format, ...)
{
	va_list args;
	int needed;

	va_start(args, format);
	needed = vsnprintf(NULL, 0, format, args);
	va_end(args);
	if (needed < 0 || strbuf_reserve(sb, (size_t)needed) != 0) {
		sb->failed = 1;
		return;
	}
	va_start(args, format);
	vsnprintf(sb->data + sb->length, (size_t)needed + 1, format, args);
	va_end(args);
	sb->length += (size_t)needed;
}

void strbuf_reset(struct strbuf *sb)
{
	sb->length = 0;
	sb->failed = 0;
	if (sb->data)
		sb->data[0] = 0;
}

const char *strbuf_text(const struct strbuf *sb)
{
	return sb->data ? sb->data : "";
}

int strbuf_failed(const struct strbuf *sb)
{
	return sb->failed;
}

char *strbuf_detach(struct strbuf *sb)
{
	char *text = sb->failed ? NULL : sb->data;

	if (!text && !sb->failed)
		text = calloc(1, 1);
	if (sb->failed)
		free(sb->data);
	sb->data = NULL;
	sb->length = sb->capacity = 0;
	sb->failed = 0;
	return text;
}

void strbuf_free(struct strbuf *sb)
{
	free(sb->data);
	sb->data = NULL;
	sb->length = sb->capacity = 0;
	sb->failed = 0;
}
