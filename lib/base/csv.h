#ifndef LCM_CSV_H
#define LCM_CSV_H

#include <stddef.h>

/*
 * An RFC 4180 reader over text in memory: records of fields separated by
 * commas, ended by CRLF or LF; a field in double quotes may hold commas,
 * line ends and "" for a quote. A UTF-8 byte order mark at the start is
 * skipped, and so are empty lines. Fields are returned decoded. The same
 * rules with another separator read TSV (tab-separated values, as
 * spreadsheets write them: a field in quotes may hold a tab).
 */
struct csv {
	const char *p, *end;
	char sep;            /* ',' or '\t' */
	unsigned line;       /* the line the next record starts on, from 1 */
};

struct csv_record {
	unsigned line;       /* the line the record started on */
	size_t n;            /* fields */
	const char **field;  /* n fields, NUL-terminated, valid until the next csv_next() */
	size_t *len;         /* their lengths (a field may hold a NUL byte) */
	/* storage */
	char *buf;
	size_t bufcap, fieldcap;
};

/* Start reading len bytes of text, fields separated by commas. */
void csv_init(struct csv *, const char *text, size_t len);

/* The same with fields separated by sep (a tab for TSV); never '"', CR or LF. */
void csv_init_sep(struct csv *, const char *text, size_t len, char sep);

/*
 * The next record into rec. Returns 1 with a record, 0 at the end, -1
 * when the text is malformed (err says what, rec->line where) or memory
 * runs out. After an error the reader stops.
 */
int csv_next(struct csv *, struct csv_record *rec, char *err, size_t errsz);

/* Release a record's storage; safe to call twice. */
void csv_record_free(struct csv_record *);

/*
 * s as one CSV field into out: in quotes (and its quotes doubled) when it
 * holds a comma, a quote or a line end; with a ' before it when it starts
 * with = + - @, a tab or a CR, so that a spreadsheet does not read it as a
 * formula (OWASP's CSV injection advice). The length written, or -1 when
 * out is too small (2 * strlen(s) + 4 bytes always fit).
 */
long csv_escape(const char *s, char *out, size_t sz);

#endif
