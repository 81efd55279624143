#include "base64.h"

/* The value of a base64 character, or -1. */
static int
b64_value(unsigned char c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	if (c == '+')
		return 62;
	if (c == '/')
		return 63;
	return -1;
}

size_t
b64_decoded_max(size_t n)
{
	return n / 4 * 3 + 3;
}

long
b64_decode(const char *s, size_t n, unsigned char *out)
{
	unsigned long acc = 0;
	size_t i, o = 0, pad = 0;
	int v, k = 0;

	/* Padding: at most two "=", only at the end of a whole group of four. */
	while (pad < 2 && pad < n && s[n - 1 - pad] == '=')
		pad++;
	if (pad > 0 && n % 4 != 0)
		return -1;
	for (i = 0; i < n - pad; i++) {
		if ((v = b64_value((unsigned char)s[i])) < 0)
			return -1;
		acc = acc << 6 | (unsigned long)v;
		if (++k == 4) {
			out[o++] = (unsigned char)(acc >> 16);
			out[o++] = (unsigned char)(acc >> 8);
			out[o++] = (unsigned char)acc;
			acc = 0;
			k = 0;
		}
	}
	/* What is left: 2 characters are a byte, 3 are two, 1 is no encoding. */
	if (k == 1 || (pad > 0 && k + pad != 4))
		return -1;
	if (k == 2)
		out[o++] = (unsigned char)(acc >> 4);
	else if (k == 3) {
		out[o++] = (unsigned char)(acc >> 10);
		out[o++] = (unsigned char)(acc >> 2);
	}
	return (long)o;
}
