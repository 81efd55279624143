#ifndef LCM_UTF8_H
#define LCM_UTF8_H

#include <stddef.h>

/* Non-zero when s (n bytes) is valid UTF-8: no overlong forms, surrogates or code points past U+10FFFF. */
int utf8_valid(const char *s, size_t n);

/* Characters (code points) in valid UTF-8 text. */
size_t utf8_chars(const char *s, size_t n);

#endif
