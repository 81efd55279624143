#ifndef LCM_BUF_H
#define LCM_BUF_H

#include <stddef.h>
#include <stdint.h>

/*
 * A text that grows as it is written: the JSON parameters of the
 * set-based statements (JSON_TABLE). Starts zeroed; its s is the caller's
 * to free. Each writer returns 0, or -1 when memory ran out (the text is
 * then as it was, or cut short).
 */
struct buf {
	char *s;
	size_t len, cap;
};

/* Append what printf would write. */
int buf_printf(struct buf *, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Append s (len bytes; NULL for null) as a JSON value. */
int buf_json_str(struct buf *, const char *s, size_t len);

/* Append the ids as a JSON array: "[1,2,3]". */
int buf_ids(struct buf *, const int64_t *ids, size_t n);

#endif
