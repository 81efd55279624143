/*
 * libFuzzer target: the CSV reader and the import's checks of a file
 * (header, fields, ids, emails, roles, duplicates: everything of
 * lcm-admin import that needs no database), for each kind, and the
 * export's field escaping on every field read.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "csv.h"
#include "import.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static FILE *devnull;

static void
escape(const char *s, size_t len)
{
	size_t sz = 2 * len + 4;
	char *out;
	long r;

	if (strlen(s) != len || (out = malloc(sz)) == NULL)
		return;
	r = csv_escape(s, out, sz);
	if (r < 0 || (size_t)r >= sz || strlen(out) != (size_t)r)
		abort();
	if (csv_escape(s, out, sz - 1) != -1)
		abort();
	free(out);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct csv_record rec = {0};
	struct csv c;
	size_t i, rows, records = 0;
	char err[128];
	int got, k;
	unsigned line = 0;

	if (devnull == NULL && (devnull = fopen("/dev/null", "w")) == NULL)
		abort();
	csv_init(&c, (const char *)data, size);
	while ((got = csv_next(&c, &rec, err, sizeof(err))) == 1) {
		if (rec.n < 1 || (records > 0 && rec.line <= line))
			abort();
		line = rec.line;
		records++;
		for (i = 0; i < rec.n; i++) {
			if (rec.field[i][rec.len[i]] != '\0' || rec.len[i] > size)
				abort();
			escape(rec.field[i], rec.len[i]);
		}
	}
	if (got == -1 && memchr(err, '\0', sizeof(err)) == NULL)
		abort();
	csv_record_free(&rec);

	for (k = 0; k < IMPORT__MAX; k++)
		(void)import_check((enum import_kind)k, "fuzz.csv", (const char *)data, size, devnull,
		    &rows);
	return 0;
}
