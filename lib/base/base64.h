#ifndef LCM_BASE64_H
#define LCM_BASE64_H

#include <stddef.h>

/*
 * Base64 (RFC 4648 section 4: A-Z a-z 0-9 + /), as a data URI carries a
 * file (RFC 2397). No white space, no other alphabet; the "=" padding may
 * be left out, but where it is given it must be right.
 */

/* The most bytes n characters of base64 decode to. */
size_t b64_decoded_max(size_t n);

/*
 * Decode n characters of s into out, which holds b64_decoded_max(n)
 * bytes. Returns the length decoded, or -1 when s is not base64 (a
 * character outside the alphabet, padding in the middle or too much of
 * it, a length no encoding has).
 */
long b64_decode(const char *s, size_t n, unsigned char *out);

#endif
