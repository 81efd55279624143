#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include <json.h>

#include "buf.h"

int
buf_printf(struct buf *b, const char *fmt, ...)
{
	va_list ap;
	char *grown;
	int n;

	for (;;) {
		va_start(ap, fmt);
		n = vsnprintf(b->s ? b->s + b->len : NULL, b->s ? b->cap - b->len : 0, fmt, ap);
		va_end(ap);
		if (n < 0)
			return -1;
		if (b->s != NULL && (size_t)n < b->cap - b->len) {
			b->len += (size_t)n;
			return 0;
		}
		if ((grown = realloc(b->s, b->cap * 2 + (size_t)n + 64)) == NULL)
			return -1;
		b->s = grown;
		b->cap = b->cap * 2 + (size_t)n + 64;
	}
}

/* s (len bytes, NULL: null) as a JSON value. */
int
buf_json_str(struct buf *b, const char *s, size_t len)
{
	struct json_object *o;
	int rc;

	if (s == NULL)
		return buf_printf(b, "null");
	if ((o = json_object_new_string_len(s, (int)len)) == NULL)
		return -1;
	rc = buf_printf(b, "%s", json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN));
	json_object_put(o);
	return rc;
}

int
buf_ids(struct buf *b, const int64_t *ids, size_t n)
{
	size_t i;

	if (buf_printf(b, "[") != 0)
		return -1;
	for (i = 0; i < n; i++)
		if (buf_printf(b, "%s%" PRId64, i ? "," : "", ids[i]) != 0)
			return -1;
	return buf_printf(b, "]");
}

