#include "etag.h"

/* OWS of RFC 9110 5.6.3. */
static const char *
skip_ows(const char *p)
{
	while (*p == ' ' || *p == '\t')
		p++;
	return p;
}

int
etag_next(const char **pp, struct etag *tag)
{
	const char *p = *pp, *q;
	unsigned char ch;

	/* Empty elements: commas with nothing but OWS between them. */
	for (p = skip_ows(p); *p == ','; p = skip_ows(p + 1))
		;
	if (*p == '\0') {
		*pp = p;
		return 0;
	}
	tag->weak = p[0] == 'W' && p[1] == '/';
	if (tag->weak)
		p += 2;
	if (*p != '"')
		return -1;
	/* etagc = %x21 / %x23-7E / obs-text */
	for (q = p + 1; (ch = (unsigned char)*q) == 0x21 || (ch >= 0x23 && ch != 0x7f); q++)
		;
	if (*q != '"')
		return -1;
	tag->opaque = p + 1;
	tag->len = (size_t)(q - p - 1);
	p = skip_ows(q + 1);
	if (*p != ',' && *p != '\0')
		return -1;
	*pp = p;
	return 1;
}
