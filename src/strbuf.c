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
	strbuf_append(sb, &c, 1);
}

void strbuf_append_codepoint(struct strbuf *sb, uint32_t cp)
{
	char b[4];

	if (cp < 0x80) {
		strbuf_append_char(sb, (char)cp);
	} else if (cp < 0x800) {
		b[0] = (char)(0xC0 | cp >> 6);
		b[1] = (char)(0x80 | (cp & 0x3F));
		strbuf_append(sb, b, 2);
	} else if (cp < 0x10000) {
		b[0] = (char)(0xE0 | cp >> 12);
		b[1] = (char)(0x80 | (cp >> 6 & 0x3F));
		b[2] = (char)(0x80 | (cp & 0x3F));
		strbuf_append(sb, b, 3);
	} else {
		b[0] = (char)(0xF0 | cp >> 18);
		b[1] = (char)(0x80 | (cp >> 12 & 0x3F));
		b[2] = (char)(0x80 | (cp >> 6 & 0x3F));
		b[3] = (char)(0x80 | (cp & 0x3F));
		strbuf_append(sb, b, 4);
	}
}

size_t strbuf_append_utf16le(struct strbuf *sb, const uint8_t *data, size_t units)
{
	size_t i = 0;

	while (i < units) {
		uint32_t unit = (uint32_t)data[2 * i] | (uint32_t)data[2 * i + 1] << 8;
		i++;
		if (unit == 0)
			break;
		if (unit >= 0xD800 && unit <= 0xDBFF && i < units) {
			uint32_t low = (uint32_t)data[2 * i] | (uint32_t)data[2 * i + 1] << 8;
			if (low >= 0xDC00 && low <= 0xDFFF) {
				i++;
				strbuf_append_codepoint(sb, 0x10000 + ((unit - 0xD800) << 10) +
								(low - 0xDC00));
				continue;
			}
		}
		strbuf_append_codepoint(sb, unit >= 0xD800 && unit <= 0xDFFF ? 0xFFFD : unit);
	}
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
