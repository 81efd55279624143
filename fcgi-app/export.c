#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <json.h>

#include "access_log.h"
#include "csv.h"
#include "handlers.h"
#include "json_out.h"
#include "lcm.h"
#include "log.h"
#include "patients.h"
#include "rules.h"

static const char header[] =
    "patient_id,patient_name,role,user_id,user_name,user_email,assigned_at\r\n";

/* One export in progress. */
struct export {
	int role;
	char as_of[16];     /* the day it is as of (today when not asked) */
	char until[16];
	int64_t actor;
	char request_id[LCM_REQUEST_ID_MAX + 1];
	const struct sink *sink;
	struct db *db;
	int64_t last_patient;
	int64_t patients;   /* sent so far */
	int64_t rows;       /* lines in the chunks so far, the header aside */
	int64_t held;       /* patients in the chunk not sent yet */
	char *chunk;        /* the chunk's CSV lines */
	size_t len, cap;
	enum app_err failed; /* the access log could not be written */
	int gone;           /* the client left */
};

/* Append a line to the chunk. */
static int
chunk_put(struct export *x, const char *s, size_t n)
{
	if (x->len + n > x->cap) {
		size_t cap = x->cap ? x->cap * 2 : 256 * 1024;
		char *grown;

		while (cap < x->len + n)
			cap *= 2;
		if ((grown = realloc(x->chunk, cap)) == NULL)
			return -1;
		x->chunk = grown;
		x->cap = cap;
	}
	memcpy(x->chunk + x->len, s, n);
	x->len += n;
	return 0;
}

/*
 * A whole chunk: its patients go to the access log, written, before any of
 * its lines leaves; so a patient sent is a patient logged, whatever
 * happens next (a client that leaves midway is logged for its last chunk,
 * received or not). No log, no data: the export stops.
 */
static int
chunk_send(struct export *x)
{
	enum app_err rc;

	if (x->held > 0 && (rc = access_log_flush(x->db)) != APP_OK) {
		x->failed = rc;
		return 1;
	}
	if (x->len > 0 && x->sink->write(x->sink->arg, x->chunk, x->len) != 0) {
		x->gone = 1;
		return 1;
	}
	x->patients += x->held;
	x->held = 0;
	x->len = 0;
	return 0;
}

/* One CSV line per row, each patient once in the access log; NULL: the chunk is whole. */
static int
emit(void *arg, const struct pat_export_row *r)
{
	struct export *x = arg;
	char line[4 * 1024 * 2 + 256], name[2 * 1024], user[2 * 1024], email[2 * 1024];
	int n;

	if (r == NULL)
		return chunk_send(x);
	/* A line that does not fit ends the export as cut short, never as whole. */
	if (csv_escape(r->patient_name, name, sizeof(name)) < 0 ||
	    csv_escape(r->user_name, user, sizeof(user)) < 0 ||
	    csv_escape(r->user_email, email, sizeof(email)) < 0 ||
	    (n = snprintf(line, sizeof(line), "%" PRId64 ",%s,%s,%" PRId64 ",%s,%s,%s\r\n",
	    r->patient_id, name, r->role, r->user_id, user, email, r->assigned_at)) < 0 ||
	    (size_t)n >= sizeof(line)) {
		x->failed = APP_EINTERNAL;
		return 1;
	}
	if (chunk_put(x, line, (size_t)n) != 0) {
		x->failed = APP_ENOMEM;
		return 1;
	}
	x->rows++;
	if (r->patient_id != x->last_patient) {
		x->last_patient = r->patient_id;
		x->held++;
		(void)access_log_add(r->patient_id, x->actor, ACCESS_EXPORT, x->request_id);
	}
	return 0;
}

/*
 * The header, the rows, then the end line "#end,ROWS" (ROWS: the data
 * lines): it leaves last, once every row was read, logged and sent, so a
 * file that has it is whole, and one cut short anywhere (a worker that
 * dies, a connection dropped) lacks it.
 */
static enum app_err
produce(void *ctx, struct db *db, const struct sink *sink)
{
	struct export *x = ctx;
	char end[64];
	int n;
	enum app_err rc;

	x->sink = sink;
	x->db = db;
	/* The header line leaves with the first chunk (or alone, for no rows). */
	if (chunk_put(x, header, sizeof(header) - 1) != 0)
		return APP_ENOMEM;
	rc = pat_export(db, x->until[0] ? x->until : NULL, x->role, emit, x);
	if (rc == APP_OK && !x->failed && !x->gone) {
		n = snprintf(end, sizeof(end), "#end,%" PRId64 "\r\n", x->rows);
		if (chunk_put(x, end, (size_t)n) != 0)
			x->failed = APP_ENOMEM;
		else
			(void)chunk_send(x);
	}
	if (x->gone)
		log_msg(LV_INFO, "export: the client left after %" PRId64 " patients", x->patients);
	return rc == APP_OK ? x->failed : rc;
}

static void
release(void *ctx)
{
	struct export *x = ctx;

	free(x->chunk);
	free(x);
}

/*
 * GET .../lead_care_managers/assignments.csv?as_of&role: one CSV row per
 * patient and role held (now, or at the end of as_of from the history),
 * then "#end,ROWS"; streamed: the worker holds a chunk of rows at a time,
 * and stops when the client leaves. The file is named for the day it is
 * as of. Its errors (before the first line) are JSON.
 */
enum app_err
assignments_export_get(const struct request *req, struct response *resp)
{
	struct json_object *errors;
	struct export *x;
	char today[16];
	enum app_err rc;

	if ((rc = pat_today(req->db, today)) != APP_OK)
		return rc;
	if ((x = calloc(1, sizeof(*x))) == NULL || (errors = json_list()) == NULL) {
		free(x);
		return APP_ENOMEM;
	}
	if ((rc = problems(resp, errors, val_export_query(req->query, today, &x->role, x->as_of,
	    x->until, sizeof(x->until), errors))) != APP_OK) {
		free(x);
		return rc;
	}
	x->actor = req->user_id;
	snprintf(x->request_id, sizeof(x->request_id), "%s", req->request_id);
	resp->status = 200;
	resp->stream.produce = produce;
	resp->stream.release = release;
	resp->stream.ctx = x;
	resp->stream.content_type = "text/csv; charset=utf-8";
	snprintf(resp->stream.filename, sizeof(resp->stream.filename), "lcm-assignments-%s.csv",
	    x->as_of);
	return APP_OK;
}
