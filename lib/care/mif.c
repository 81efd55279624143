#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "check.h"
#include "csv.h"
#include "mif.h"
#include "utf8.h"

const char *const mif_col_names[MIF_COL__MAX] = {
	[MIF_MEMBER_ID] = "MEMBER_ID",
	[MIF_CIN] = "CIN",
	[MIF_FIRST_NAME] = "FIRST_NAME",
	[MIF_LAST_NAME] = "LAST_NAME",
	[MIF_DOB] = "DOB",
	[MIF_ACUITY_LEVEL] = "ACUITY_LEVEL",
	[MIF_SERVICE_AUTH_ID] = "ECM_SERVICE_AUTH_ID",
	[MIF_AUTH_EFF_DATE] = "ECM_BENEFIT_AUTH_EFF_DATE",
	[MIF_AUTH_END_DATE] = "ECM_BENEFIT_AUTH_END_DATE",
	[MIF_RECORD_STATUS] = "MEMBER_RECORD_STATUS",
	[MIF_PROVIDER_ID] = "PROVIDER_ID",
};

const char *const mif_acuity_levels[] = {"low", "medium", "high", NULL};
const char *const mif_record_statuses[] = {"new_member", "existing_member", "updated_member",
	"terminated_member", NULL};

/* ---- problems ------------------------------------------------------------ */

void
mif_problems_free(struct mif_problems *p)
{
	free(p->v);
	memset(p, 0, sizeof(*p));
}

int
mif_problem_add(struct mif_problems *p, unsigned line, const char *fmt, ...)
{
	struct mif_problem *grown;
	va_list ap;
	size_t cap;

	if (p->n >= MIF_PROBLEMS_MAX) {
		p->more++;
		return 0;
	}
	if (p->n == p->cap) {
		cap = p->cap ? p->cap * 2 : 16;
		if ((grown = realloc(p->v, cap * sizeof(*grown))) == NULL)
			return -1;
		p->v = grown;
		p->cap = cap;
	}
	p->v[p->n].line = line;
	p->v[p->n].seq = p->n;
	va_start(ap, fmt);
	vsnprintf(p->v[p->n].msg, sizeof(p->v[p->n].msg), fmt, ap);
	va_end(ap);
	p->n++;
	return 0;
}

static int
cmp_problem(const void *a, const void *b)
{
	const struct mif_problem *x = a, *y = b;

	if (x->line != y->line)
		return (x->line > y->line) - (x->line < y->line);
	return (x->seq > y->seq) - (x->seq < y->seq);
}

void
mif_problems_sort(struct mif_problems *p)
{
	if (p->n > 1)
		qsort(p->v, p->n, sizeof(*p->v), cmp_problem);
}

/* ---- the file ------------------------------------------------------------- */

static void
member_free(struct mif_member *m)
{
	free(m->member_id);
	free(m->name);
	free(m->cin);
	free(m->service_auth_id);
}

void
mif_file_free(struct mif_file *f)
{
	size_t i;

	for (i = 0; i < f->n; i++)
		member_free(&f->rows[i]);
	free(f->rows);
	memset(f, 0, sizeof(*f));
}

/* A field without the spaces and tabs around it: its start, and its length in *n. */
static const char *
trimmed(const char *s, size_t len, size_t *n)
{
	while (len > 0 && (*s == ' ' || *s == '\t')) {
		s++;
		len--;
	}
	while (len > 0 && (s[len - 1] == ' ' || s[len - 1] == '\t'))
		len--;
	*n = len;
	return s;
}

int
mif_id_ok(const char *s, size_t n)
{
	size_t i;

	if (n == 0 || n > MIF_ID_MAX)
		return 0;
	for (i = 0; i < n; i++)
		if ((unsigned char)s[i] <= 0x20 || (unsigned char)s[i] >= 0x7f)
			return 0;
	return 1;
}

/* UTF-8 text without control characters (a NUL included). */
static int
text_ok(const char *s, size_t n)
{
	size_t i;

	if (!utf8_valid(s, n))
		return 0;
	for (i = 0; i < n; i++)
		if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
			return 0;
	return 1;
}

/* The one of values (NULL-terminated) that s (n bytes) names, in any case; NULL when none. */
static const char *
one_of(const char *const *values, const char *s, size_t n)
{
	for (; *values != NULL; values++)
		if (strlen(*values) == n && strncasecmp(*values, s, n) == 0)
			return *values;
	return NULL;
}

/* The reading of one file. */
struct reading {
	struct mif_file *f;
	struct mif_problems *probs;
	const char *today;
	int col[MIF_COL__MAX];    /* each column's field, -1 when the header lacks it */
	size_t ncols;
	int nomem;
};

/* Note a problem of line (and of the member m, when not NULL). */
static void
problem(struct reading *r, struct mif_member *m, unsigned line, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static void
problem(struct reading *r, struct mif_member *m, unsigned line, const char *fmt, ...)
{
	char msg[sizeof(((struct mif_problem *)0)->msg)];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (mif_problem_add(r->probs, line, "%s", msg) != 0)
		r->nomem = 1;
	if (m != NULL)
		m->bad = 1;
}

/* The header: which field is which column. 0, or -1 when it is not a MIF's. */
static int
read_header(struct reading *r, const struct csv_record *rec)
{
	const char *s;
	size_t i, n;
	int c, bad = 0;

	for (c = 0; c < MIF_COL__MAX; c++)
		r->col[c] = -1;
	r->ncols = rec->n;
	for (i = 0; i < rec->n; i++) {
		s = trimmed(rec->field[i], rec->len[i], &n);
		for (c = 0; c < MIF_COL__MAX; c++) {
			if (strlen(mif_col_names[c]) != n || strncasecmp(mif_col_names[c], s, n) != 0)
				continue;
			if (r->col[c] >= 0) {
				problem(r, NULL, rec->line, "the header names %s twice (columns %d and %zu)",
				    mif_col_names[c], r->col[c] + 1, i + 1);
				bad = 1;
			} else
				r->col[c] = (int)i;
		}
	}
	for (c = 0; c < MIF_COL__MAX; c++)
		r->f->has[c] = r->col[c] >= 0;
	for (c = MIF_MEMBER_ID; c <= MIF_LAST_NAME; c++) {
		if (c == MIF_CIN || r->col[c] >= 0)
			continue;
		problem(r, NULL, rec->line, "the header has no %s column", mif_col_names[c]);
		bad = 1;
	}
	if ((r->col[MIF_AUTH_EFF_DATE] >= 0) != (r->col[MIF_AUTH_END_DATE] >= 0)) {
		c = r->col[MIF_AUTH_EFF_DATE] >= 0 ? MIF_AUTH_EFF_DATE : MIF_AUTH_END_DATE;
		problem(r, NULL, rec->line, "the header names %s without %s", mif_col_names[c],
		    mif_col_names[c == MIF_AUTH_EFF_DATE ? MIF_AUTH_END_DATE : MIF_AUTH_EFF_DATE]);
		bad = 1;
	}
	return bad ? -1 : 0;
}

/* Column c of the record, trimmed: NULL when the header lacks it, else *n bytes. */
static const char *
cell(const struct reading *r, const struct csv_record *rec, enum mif_col c, size_t *n)
{
	*n = 0;
	if (r->col[c] < 0)
		return NULL;
	return trimmed(rec->field[r->col[c]], rec->len[r->col[c]], n);
}

/* An id column into *out (NULL when empty or absent): 0, or -1 on ENOMEM. */
static int
read_id(struct reading *r, const struct csv_record *rec, struct mif_member *m, enum mif_col c,
    char **out)
{
	size_t n;
	const char *s = cell(r, rec, c, &n);

	if (s == NULL || n == 0)
		return 0;
	if (!mif_id_ok(s, n)) {
		problem(r, m, m->line, "%s must be 1 to %d letters, digits or punctuation (no spaces)",
		    mif_col_names[c], MIF_ID_MAX);
		return 0;
	}
	return (*out = strndup(s, n)) == NULL ? -1 : 0;
}

/* A date column into iso ("" when empty or absent). */
static void
read_date(struct reading *r, const struct csv_record *rec, struct mif_member *m, enum mif_col c,
    char iso[11])
{
	size_t n;
	const char *s = cell(r, rec, c, &n);

	iso[0] = '\0';
	if (s != NULL && n > 0 && !check_mdy_date(s, n, iso)) {
		iso[0] = '\0';
		problem(r, m, m->line, "%s must be a date as MM-DD-YYYY", mif_col_names[c]);
	}
}

/* One of values from a column (NULL when empty or absent). */
static const char *
read_choice(struct reading *r, const struct csv_record *rec, struct mif_member *m,
    enum mif_col c, const char *const *values, const char *said)
{
	size_t n;
	const char *s = cell(r, rec, c, &n), *v;

	if (s == NULL || n == 0)
		return NULL;
	if ((v = one_of(values, s, n)) == NULL)
		problem(r, m, m->line, "%s must be %s", mif_col_names[c], said);
	return v;
}

/* The patient's name, "First Last", into m. 0, or -1 on ENOMEM. */
static int
read_name(struct reading *r, const struct csv_record *rec, struct mif_member *m)
{
	const char *part[2];
	size_t n[2];
	int k, ok = 1;

	for (k = 0; k < 2; k++) {
		enum mif_col c = k == 0 ? MIF_FIRST_NAME : MIF_LAST_NAME;

		part[k] = cell(r, rec, c, &n[k]);
		if (n[k] == 0) {
			problem(r, m, m->line, "%s is required", mif_col_names[c]);
			ok = 0;
		} else if (!text_ok(part[k], n[k])) {
			problem(r, m, m->line, "%s must be UTF-8 text without control characters",
			    mif_col_names[c]);
			ok = 0;
		}
	}
	if (!ok)
		return 0;
	if (utf8_chars(part[0], n[0]) + 1 + utf8_chars(part[1], n[1]) > MIF_NAME_MAX) {
		problem(r, m, m->line, "FIRST_NAME and LAST_NAME make a name of more than %d characters",
		    MIF_NAME_MAX);
		return 0;
	}
	if ((m->name = malloc(n[0] + n[1] + 2)) == NULL)
		return -1;
	memcpy(m->name, part[0], n[0]);
	m->name[n[0]] = ' ';
	memcpy(m->name + n[0] + 1, part[1], n[1]);
	m->name[n[0] + n[1] + 1] = '\0';
	return 0;
}

/* One member line into m. 0, or -1 on ENOMEM. */
static int
read_member(struct reading *r, const struct csv_record *rec, struct mif_member *m)
{
	const char *s;
	size_t n;

	memset(m, 0, sizeof(*m));
	m->line = rec->line;
	if (rec->n != r->ncols) {
		problem(r, m, m->line, "%zu fields, the header has %zu", rec->n, r->ncols);
		return 0;
	}
	s = cell(r, rec, MIF_MEMBER_ID, &n);
	if (n == 0)
		problem(r, m, m->line, "MEMBER_ID is required");
	else if (read_id(r, rec, m, MIF_MEMBER_ID, &m->member_id) != 0)
		return -1;
	if (read_name(r, rec, m) != 0 || read_id(r, rec, m, MIF_CIN, &m->cin) != 0 ||
	    read_id(r, rec, m, MIF_SERVICE_AUTH_ID, &m->service_auth_id) != 0)
		return -1;
	read_date(r, rec, m, MIF_DOB, m->dob);
	if (m->dob[0] != '\0' && r->today != NULL && strcmp(m->dob, r->today) > 0)
		problem(r, m, m->line, "DOB is after today");
	m->acuity = read_choice(r, rec, m, MIF_ACUITY_LEVEL, mif_acuity_levels,
	    "low, medium or high");
	m->status = read_choice(r, rec, m, MIF_RECORD_STATUS, mif_record_statuses,
	    "new_member, existing_member, updated_member or terminated_member");
	read_date(r, rec, m, MIF_AUTH_EFF_DATE, m->auth_eff);
	read_date(r, rec, m, MIF_AUTH_END_DATE, m->auth_end);
	if (m->auth_end[0] != '\0' && m->auth_eff[0] != '\0' && strcmp(m->auth_end, m->auth_eff) < 0)
		problem(r, m, m->line, "ECM_BENEFIT_AUTH_END_DATE is before ECM_BENEFIT_AUTH_EFF_DATE");
	else if (m->auth_end[0] != '\0' && m->auth_eff[0] == '\0' &&
	    (s = cell(r, rec, MIF_AUTH_EFF_DATE, &n)) != NULL && n == 0)
		problem(r, m, m->line, "ECM_BENEFIT_AUTH_END_DATE needs an ECM_BENEFIT_AUTH_EFF_DATE");
	s = cell(r, rec, MIF_PROVIDER_ID, &n);
	if (s != NULL && n > 0 && !check_id_string(s, n, &m->provider_id)) {
		m->provider_id = 0;
		problem(r, m, m->line, "PROVIDER_ID must be a positive integer");
	}
	return 0;
}

static int
cmp_member_id(const void *a, const void *b)
{
	const struct mif_member *x = *(struct mif_member *const *)a;
	const struct mif_member *y = *(struct mif_member *const *)b;
	int c = strcmp(x->member_id, y->member_id);

	return c != 0 ? c : (x->line > y->line) - (x->line < y->line);
}

/* A member on two lines: the later is bad. -1 on ENOMEM. */
static int
check_duplicates(struct reading *r)
{
	struct mif_member **v;
	size_t i, n = 0, first;

	if (r->f->n < 2)
		return 0;
	if ((v = malloc(r->f->n * sizeof(*v))) == NULL)
		return -1;
	for (i = 0; i < r->f->n; i++)
		if (r->f->rows[i].member_id != NULL)
			v[n++] = &r->f->rows[i];
	if (n > 1)
		qsort(v, n, sizeof(*v), cmp_member_id);
	for (i = 1, first = 0; i < n; i++) {
		if (strcmp(v[i]->member_id, v[first]->member_id) != 0) {
			first = i;
			continue;
		}
		problem(r, v[i], v[i]->line, "MEMBER_ID %s is on line %u already", v[i]->member_id,
		    v[first]->line);
	}
	free(v);
	return 0;
}

char
mif_separator(const char *text, size_t len)
{
	const char *nl = memchr(text, '\n', len);
	size_t n = nl != NULL ? (size_t)(nl - text) : len;

	return memchr(text, '\t', n) != NULL ? '\t' : ',';
}

enum app_err
mif_read(const char *text, size_t len, char sep, const char *today, struct mif_file *f,
    struct mif_problems *probs)
{
	struct reading r = {f, probs, today, {0}, 0, 0};
	struct csv_record rec = {0};
	struct mif_member *grown;
	struct csv c;
	char err[128];
	enum app_err rc = APP_ENOMEM;
	int got, header = 1, badfile = 0;
	size_t i;

	memset(f, 0, sizeof(*f));
	csv_init_sep(&c, text, len, sep);
	while ((got = csv_next(&c, &rec, err, sizeof(err))) == 1) {
		if (header) {
			header = 0;
			if (read_header(&r, &rec) != 0) {
				badfile = 1;
				break;
			}
			continue;
		}
		if (++f->lines > MIF_MEMBERS_MAX) {
			problem(&r, NULL, rec.line, "the file has more than %d member lines: import it "
			    "in parts", MIF_MEMBERS_MAX);
			badfile = 1;
			break;
		}
		if (f->n == f->cap) {
			size_t cap = f->cap ? f->cap * 2 : 1024;

			if ((grown = realloc(f->rows, cap * sizeof(*grown))) == NULL)
				goto out;
			f->rows = grown;
			f->cap = cap;
		}
		if (read_member(&r, &rec, &f->rows[f->n]) != 0) {
			member_free(&f->rows[f->n]);
			goto out;
		}
		f->n++;
		if (r.nomem)
			goto out;
	}
	if (got < 0) {
		problem(&r, NULL, rec.line, "%s", err);
		badfile = 1;
	} else if (header)
		problem(&r, NULL, 1, "the file is empty: it needs a header row naming MEMBER_ID, "
		    "FIRST_NAME and LAST_NAME");
	else if (!badfile && f->lines == 0)
		problem(&r, NULL, 1, "the file has a header and no member lines");
	if (check_duplicates(&r) != 0 || r.nomem)
		goto out;
	mif_problems_sort(probs);
	rc = APP_OK;
	for (i = 0; i < f->n && rc == APP_OK; i++)
		if (f->rows[i].bad)
			rc = APP_EINVAL;
	if (probs->n > 0 || probs->more > 0)
		rc = APP_EINVAL;
out:
	csv_record_free(&rec);
	return rc;
}
