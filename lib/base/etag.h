#ifndef LCM_ETAG_H
#define LCM_ETAG_H

#include <stddef.h>

/*
 * The grammar of an entity-tag list (RFC 9110 8.8.3, 5.6.1), as If-Match
 * and If-None-Match carry it: the header's reader checks a list with it,
 * the case load's precondition (lcm.h) compares a version with each tag.
 */

/* One entity tag of a list: its opaque text between the quotes. */
struct etag {
	const char *opaque;
	size_t len;
	int weak;
};

/*
 * The next entity tag of the list at *p (RFC 9110: #entity-tag, empty
 * elements ignored; entity-tag = [ W/ ] DQUOTE *etagc DQUOTE). 1 with *tag
 * set (borrowed) and *p past it; 0 at the end of the list; -1 when what
 * comes is no entity tag, or one not followed by a comma or the end.
 */
int etag_next(const char **p, struct etag *tag);

#endif
