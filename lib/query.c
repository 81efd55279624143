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

enum query_res
query_get(const char *qs, const char *key, char *buf, size_t bufsz)
{
	size_t klen = strlen(key), plen, nlen;
	const char *p, *amp, *eq;
	enum query_res res = QUERY_ABSENT;
	long r;

	for (p = qs; p != NULL && *p != '\0'; p = amp ? amp + 1 : NULL) {
		amp = strchr(p, '&');
		plen = amp ? (size_t)(amp - p) : strlen(p);
		eq = memchr(p, '=', plen);
		nlen = eq ? (size_t)(eq - p) : plen;
		if (nlen != klen || memcmp(p, key, klen) != 0)
			continue;
		if (eq == NULL)
			r = query_decode("", 0, buf, bufsz);
		else
			r = query_decode(eq + 1, plen - nlen - 1, buf, bufsz);
		if (r == -1)
			return QUERY_MALFORMED;
		if (r == -2)
			res = QUERY_TOO_LONG;
		else
			res = QUERY_FOUND;
	}
	return res;
}
