#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "csv.h"

void
csv_init(struct csv *c, const char *text, size_t len)
{
	csv_init_sep(c, text, len, ',');
}

void
csv_init_sep(struct csv *c, const char *text, size_t len, char sep)
{
	c->sep = sep;
	c->p = text;
	c->end = text + len;
	c->line = 1;
	if (len >= 3 && memcmp(text, "\xef\xbb\xbf", 3) == 0)
		c->p += 3;
}

void
csv_record_free(struct csv_record *r)
{
	free(r->buf);
	free(r->field);
	free(r->len);
	memset(r, 0, sizeof(*r));
}

/* Room for one more byte in the record's buffer. */
static int
grow_buf(struct csv_record *r, size_t used)
{
	size_t cap = r->bufcap ? r->bufcap * 2 : 256;
	char *b;

	if (used + 1 < r->bufcap)
		return 0;
	if ((b = realloc(r->buf, cap)) == NULL)
		return -1;
	r->buf = b;
	r->bufcap = cap;
	return 0;
}

/* Room for one more field. */
static int
grow_fields(struct csv_record *r)
{
	size_t cap = r->fieldcap ? r->fieldcap * 2 : 8, *l;
	const char **f;

	if (r->n < r->fieldcap)
		return 0;
	if ((f = realloc(r->field, cap * sizeof(*f))) == NULL)
		return -1;
	r->field = f;
	if ((l = realloc(r->len, cap * sizeof(*l))) == NULL)
		return -1;
	r->len = l;
	r->fieldcap = cap;
	return 0;
}

int
csv_next(struct csv *c, struct csv_record *r, char *err, size_t errsz)
{
	size_t used = 0, start, *offs = NULL, i;
	int quoted, ch;

	/* Empty lines are no records. */
	while (c->p < c->end && (*c->p == '\n' || (*c->p == '\r' && c->p + 1 < c->end &&
	    c->p[1] == '\n'))) {
		c->p += *c->p == '\r' ? 2 : 1;
		c->line++;
	}
	r->n = 0;
	r->line = c->line;
	if (c->p >= c->end)
		return 0;

	for (;;) {
		/* One field: its bytes are appended to buf, offsets kept in len for now. */
		if (grow_fields(r) != 0)
			goto nomem;
		start = used;
		quoted = c->p < c->end && *c->p == '"';
		if (quoted) {
			c->p++;
			for (;;) {
				if (c->p >= c->end) {
					snprintf(err, errsz, "a quoted field is not closed");
					return -1;
				}
				ch = (unsigned char)*c->p++;
				if (ch == '"') {
					if (c->p < c->end && *c->p == '"')
						c->p++;  /* "" is a quote */
					else
						break;
				} else if (ch == '\n')
					c->line++;
				if (grow_buf(r, used) != 0)
					goto nomem;
				r->buf[used++] = (char)ch;
			}
			if (c->p < c->end && *c->p != c->sep && *c->p != '\n' &&
			    !(*c->p == '\r' && c->p + 1 < c->end && c->p[1] == '\n')) {
				snprintf(err, errsz, "text after a closing quote");
				return -1;
			}
		} else {
			while (c->p < c->end && *c->p != c->sep && *c->p != '\n' &&
			    !(*c->p == '\r' && c->p + 1 < c->end && c->p[1] == '\n')) {
				if (*c->p == '"') {
					snprintf(err, errsz, "a quote inside an unquoted field");
					return -1;
				}
				if (grow_buf(r, used) != 0)
					goto nomem;
				r->buf[used++] = *c->p++;
			}
		}
		if (grow_buf(r, used) != 0)
			goto nomem;
		r->buf[used++] = '\0';
		r->len[r->n] = start;      /* an offset until the record is whole */
		r->field[r->n] = NULL;
		r->n++;
		if (c->p < c->end && *c->p == c->sep) {
			c->p++;
			continue;
		}
		if (c->p < c->end)
			c->p += *c->p == '\r' ? 2 : 1;
		c->line++;
		break;
	}
	/* buf may have moved while it grew: turn the offsets into pointers now. */
	offs = r->len;
	for (i = 0; i < r->n; i++) {
		size_t o = offs[i], next = i + 1 < r->n ? offs[i + 1] : used;

		r->field[i] = r->buf + o;
		r->len[i] = next - o - 1;
	}
	return 1;
nomem:
	snprintf(err, errsz, "out of memory");
	return -1;
}

long
csv_escape(const char *s, char *out, size_t sz)
{
	size_t n = strlen(s), o = 0, i;
	int quote = strpbrk(s, ",\"\r\n") != NULL;
	int formula = n > 0 && strchr("=+-@\t\r", s[0]) != NULL;

	/* Worst case: quotes around, each quote doubled, the formula guard, the NUL. */
	if (2 * n + 4 > sz)
		return -1;
	if (quote)
		out[o++] = '"';
	if (formula)
		out[o++] = '\'';
	for (i = 0; i < n; i++) {
		if (s[i] == '"')
			out[o++] = '"';
		out[o++] = s[i];
	}
	if (quote)
		out[o++] = '"';
	out[o] = '\0';
	return (long)o;
}
