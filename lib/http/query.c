#include <string.h>

#include "query.h"

static int
hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

long
query_decode(const char *s, size_t n, char *out, size_t outsz)
{
	size_t i, o = 0;
	int hi, lo;
	char c;

	for (i = 0; i < n; i++) {
		c = s[i];
		if (c == '+')
			c = ' ';
		else if (c == '%') {
			if (i + 2 >= n)
				return -1;
			if ((hi = hexval(s[i + 1])) < 0 || (lo = hexval(s[i + 2])) < 0)
				return -1;
			c = (char)(hi << 4 | lo);
			i += 2;
		}
		if (c == '\0')
			return -1;
		if (o + 1 >= outsz)
			return -2;
		out[o++] = c;
	}
	if (outsz == 0)
		return -2;
	out[o] = '\0';
	return (long)o;
}

/* Is the n-byte encoded name key once decoded ("p%61ge" is page)? */
static int
name_is(const char *name, size_t n, const char *key)
{
	char dec[64];
	long r;

	if (n == strlen(key) && memcmp(name, key, n) == 0)
		return 1;
	if (memchr(name, '%', n) == NULL && memchr(name, '+', n) == NULL)
		return 0;
	r = query_decode(name, n, dec, sizeof(dec));
	return r >= 0 && strcmp(dec, key) == 0;
}

enum query_res
query_get(const char *qs, const char *key, char *buf, size_t bufsz)
{
	size_t plen, nlen;
	const char *p, *amp, *eq;
	enum query_res res = QUERY_ABSENT;
	long r;

	for (p = qs; p != NULL && *p != '\0'; p = amp ? amp + 1 : NULL) {
		amp = strchr(p, '&');
		plen = amp ? (size_t)(amp - p) : strlen(p);
		eq = memchr(p, '=', plen);
		nlen = eq ? (size_t)(eq - p) : plen;
		if (!name_is(p, nlen, key))
			continue;
		/* Each occurrence replaces the one before, whatever it was. */
		if (eq == NULL)
			r = query_decode("", 0, buf, bufsz);
		else
			r = query_decode(eq + 1, plen - nlen - 1, buf, bufsz);
		res = r == -1 ? QUERY_MALFORMED : r == -2 ? QUERY_TOO_LONG : QUERY_FOUND;
	}
	return res;
}
