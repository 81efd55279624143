/*
 * libFuzzer target: the CSV reader and the import's checks of a file
 * (header, fields, ids, emails, roles, duplicates: everything of
 * lcm-admin import that needs no database), for each kind, the MIF's
 * (mif_read(), as CSV and as TSV), and the export's field escaping on
 * every field read.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "csv.h"
#include "import.h"
#include "mif.h"

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

/*
 * The MIF's checks: a good file has every member whole (an id, a name, a
 * known acuity and status, an authorization that does not end before it
 * starts), a bad one says why, by line, and nothing is kept past the cap.
 */
static void
mif_check(const uint8_t *data, size_t size, char sep)
{
	struct mif_problems probs = {0};
	struct mif_file f;
	enum app_err rc;
	size_t i;

	rc = mif_read((const char *)data, size, sep, "2025-06-30", &f, &probs);
	if (rc == APP_OK) {
		if (probs.n != 0 || probs.more != 0 || f.n == 0)
			abort();
		for (i = 0; i < f.n; i++) {
			const struct mif_member *m = &f.rows[i];

			if (m->bad || m->member_id == NULL || m->name == NULL || strlen(m->member_id) == 0 ||
			    strlen(m->member_id) > MIF_ID_MAX ||
			    (m->auth_end[0] != '\0' && strcmp(m->auth_end, m->auth_eff) < 0) ||
			    (m->dob[0] != '\0' && strcmp(m->dob, "2025-06-30") > 0))
				abort();
		}
	} else if (rc == APP_EINVAL) {
		if (probs.n == 0 || probs.n > MIF_PROBLEMS_MAX)
			abort();
		for (i = 0; i < probs.n; i++)
			if (memchr(probs.v[i].msg, '\0', sizeof(probs.v[i].msg)) == NULL ||
			    (i > 0 && probs.v[i].line < probs.v[i - 1].line))
				abort();
	} else if (rc != APP_ENOMEM)
		abort();
	mif_file_free(&f);
	mif_problems_free(&probs);
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
	mif_check(data, size, ',');
	mif_check(data, size, '\t');
	mif_check(data, size, mif_separator((const char *)data, size));
	return 0;
}
