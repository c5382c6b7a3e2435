/*
 * utf8.c - UTF-8 decoding (see utf8.h).
 */
#include "utf8.h"

size_t utf8_decode(const unsigned char *p, size_t left, uint32_t *cp)
{
	uint32_t c;
	size_t length;

	if (!left)
		return 0;
	c = p[0];
	if (c < 0x80)
		length = 1;
	else if (c >= 0xC2 && c <= 0xDF)
		length = 2, c &= 0x1F;
	else if (c >= 0xE0 && c <= 0xEF)
		length = 3, c &= 0x0F;
	else if (c >= 0xF0 && c <= 0xF4)
		length = 4, c &= 0x07;
	else
		return 0;
	if (length > left)
		return 0;
	for (size_t i = 1; i < length; i++) {
		if ((p[i] & 0xC0) != 0x80)
			return 0;
		c = (c << 6) | (p[i] & 0x3F);
	}
	if ((length == 3 && (c < 0x800 || (c >= 0xD800 && c <= 0xDFFF))) ||
	    (length == 4 && (c < 0x10000 || c > 0x10FFFF)))
		return 0;
	if (cp)
		*cp = c;
	return length;
}
