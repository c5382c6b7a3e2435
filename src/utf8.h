/*
 * utf8.h - the one UTF-8 decoder of sandtrace: every writer that must tell valid UTF-8 from other
 * bytes (JSON strings, HTML text) asks it, so they agree on what is valid.
 */
#ifndef SANDTRACE_UTF8_H
#define SANDTRACE_UTF8_H

#include <stddef.h>
#include <stdint.h>

/* Length (1-4) of the valid UTF-8 sequence at P, of which at most LEFT bytes may be read, and its
 * code point in *CP (CP may be NULL); 0 when the bytes are not one (overlong forms, surrogates and
 * code points above U+10FFFF are not). */
size_t utf8_decode(const unsigned char *p, size_t left, uint32_t *cp);

#endif
