#ifndef LCM_UTF8_H
#define LCM_UTF8_H

#include <stddef.h>

/* Non-zero when s (n bytes) is valid UTF-8: no overlong forms, surrogates or code points past U+10FFFF. */
int utf8_valid(const char *s, size_t n);

/* Characters (code points) in valid UTF-8 text. */
size_t utf8_chars(const char *s, size_t n);

/*
 * Non-zero when valid UTF-8 text s (n bytes) holds nothing but white space
 * (Unicode's White_Space: tab to carriage return, space, U+0085, no-break
 * spaces, the U+2000 spaces, line and paragraph separators, ideographic
 * space), the empty text included: no text in it.
 */
int utf8_blank(const char *s, size_t n);

#endif
