#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>

#include "access_log.h"
#include "db.h"
#include "lcm.h"
#include "log.h"

static const char *const action_names[ACCESS__MAX] = {
	[ACCESS_READ_CARE_TEAM] = "read_care_team",
	[ACCESS_READ_HISTORY] = "read_history",
	[ACCESS_READ_ACCESS_LOG] = "read_access_log",
	[ACCESS_ASSIGN] = "assign",
	[ACCESS_UPDATE] = "update",
	[ACCESS_REMOVE] = "remove",
	[ACCESS_BULK] = "bulk",
	[ACCESS_TRANSFER] = "transfer",
	[ACCESS_READ_PATIENT_LIST] = "read_patient_list",
	[ACCESS_EXPORT] = "export_assignments",
	[ACCESS_READ_LCM_PATIENTS] = "read_lcm_patients",
	[ACCESS_MIF_IMPORT] = "mif_import",
	[ACCESS_RELEASE_ENDED] = "release_ended",
};

struct record {
	int64_t seq;                /* its number in this process: see writer_id() */
	int64_t patient_id;
	int64_t actor;
	enum access_action action;
	char request_id[LCM_REQUEST_ID_MAX + 16];
	/*
	 * When, on this process's monotonic clock. The time written is the
	 * database's: its clock when it runs the batch, less the record's age
	 * then (STMT_ACCESS_INSERT). This host's wall clock, right or wrong,
	 * is never written or compared.
	 */
	struct timespec mono;
};

/*
 * A worker serves one request at a time: one buffer per process. It grows
 * past a batch for a request that touches many patients (a bulk), and
 * while the database is away, up to ACCESS_LOG_HOLD records; past that a
 * record goes to the worker's log instead.
 */
#define ACCESS_LOG_HOLD 100000
static struct record *buf;
static size_t nbuf, capbuf;
static int disabled;

/*
 * Each record is named by the process that made it and its number there:
 * (writer_id, writer_seq), a unique key of the table. A batch sent again
 * because the server did not answer the first in time (while it may still
 * run it) is the same records, and the table keeps one of each. The
 * process's id is random, 63 bits: a clash of two processes' ids is as
 * likely as 2^-63 per pair. Taken again in a child of fork().
 */
static int64_t writer;
static pid_t writer_pid;
static int64_t next_seq;

static int64_t
writer_id(void)
{
	uint64_t v = 0;
	size_t got = 0;
	ssize_t n;
	struct timespec t;

	if (writer != 0 && writer_pid == getpid())
		return writer;
	while (got < sizeof(v)) {
		if ((n = getrandom((char *)&v + got, sizeof(v) - got, 0)) < 0) {
			if (errno == EINTR)
				continue;
			/* No kernel randomness: the time and the pid, unique enough on one host. */
			log_msg(LV_WARN, "access: getrandom: %s; the writer id comes from the clock",
			    strerror(errno));
			clock_gettime(CLOCK_REALTIME, &t);
			v = ((uint64_t)t.tv_sec << 30 ^ (uint64_t)t.tv_nsec) * 0x9e3779b97f4a7c15ULL ^
			    (uint64_t)getpid();
			break;
		}
		got += (size_t)n;
	}
	writer = (int64_t)(v & INT64_MAX);
	if (writer == 0)
		writer = 1;
	writer_pid = getpid();
	next_seq = 0;
	return writer;
}

void
access_log_disable(void)
{
	disabled = 1;
}

const char *
access_action_name(enum access_action a)
{
	return (unsigned)a < ACCESS__MAX ? action_names[a] : "";
}

int
access_log_add(int64_t patient_id, int64_t actor, enum access_action action,
    const char *request_id)
{
	struct record *r;

	if (disabled)
		return 0;
	if (nbuf == capbuf) {
		struct record *grown = NULL;
		size_t cap = capbuf ? capbuf * 2 : ACCESS_LOG_BATCH;

		if (cap <= ACCESS_LOG_HOLD)
			grown = realloc(buf, cap * sizeof(*buf));
		if (grown == NULL) {
			log_msg(LV_WARN, "access: not buffered: patient %" PRId64 " actor %" PRId64
			    " %s %s", patient_id, actor, access_action_name(action),
			    request_id ? request_id : "");
			return 1;
		}
		buf = grown;
		capbuf = cap;
	}
	(void)writer_id();
	r = &buf[nbuf++];
	r->seq = ++next_seq;
	r->patient_id = patient_id;
	r->actor = actor;
	r->action = action;
	snprintf(r->request_id, sizeof(r->request_id), "%s", request_id ? request_id : "");
	clock_gettime(CLOCK_MONOTONIC, &r->mono);
	return nbuf >= ACCESS_LOG_BATCH;
}

size_t
access_log_pending(void)
{
	return nbuf;
}

int
access_log_due(void)
{
	struct timespec now;
	long ms;

	if (nbuf == 0)
		return 0;
	if (nbuf >= ACCESS_LOG_BATCH)
		return 1;
	clock_gettime(CLOCK_MONOTONIC, &now);
	ms = (long)(now.tv_sec - buf[0].mono.tv_sec) * 1000 +
	    (now.tv_nsec - buf[0].mono.tv_nsec) / 1000000;
	return ms >= ACCESS_LOG_DELAY_MS;
}

/* Microseconds from *then to *now (both CLOCK_MONOTONIC); never negative. */
static int64_t
age_us(const struct timespec *then, const struct timespec *now)
{
	int64_t us = (int64_t)(now->tv_sec - then->tv_sec) * 1000000 +
	    (now->tv_nsec - then->tv_nsec) / 1000;

	return us > 0 ? us : 0;
}

/*
 * Records from..to as the JSON array STMT_ACCESS_INSERT takes, each with
 * its age now; 0 when it does not fit.
 */
static size_t
records_json(size_t from, size_t to, char *out, size_t sz)
{
	struct timespec now;
	size_t o = 0, i;
	int n;

	clock_gettime(CLOCK_MONOTONIC, &now);
	out[o++] = '[';
	for (i = from; i < to; i++) {
		/* Request ids are [0-9A-Za-z_.#-]: nothing to escape. */
		n = snprintf(out + o, sz - o, "%s[%" PRId64 ",%" PRId64 ",\"%s\",\"%s\",%" PRId64
		    ",%" PRId64 ",%" PRId64 "]", i > from ? "," : "", buf[i].patient_id, buf[i].actor,
		    action_names[buf[i].action], buf[i].request_id, age_us(&buf[i].mono, &now), writer,
		    buf[i].seq);
		if (n < 0 || (size_t)n >= sz - o - 1)
			return 0;
		o += (size_t)n;
	}
	out[o++] = ']';
	out[o] = '\0';
	return o;
}

enum app_err
access_log_flush(struct db *db)
{
	/*
	 * One INSERT's JSON: a record takes under 200 bytes (numbers of 20
	 * digits, the longest action and request id).
	 */
	static char json[ACCESS_LOG_INSERT_ROWS * 256 + 16];
	struct db_param p;
	enum app_err rc;
	size_t len, done = 0, to;

	while (done < nbuf) {
		to = nbuf - done > ACCESS_LOG_INSERT_ROWS ? done + ACCESS_LOG_INSERT_ROWS : nbuf;
		if ((len = records_json(done, to, json, sizeof(json))) == 0) {
			rc = APP_EINTERNAL;
			goto out;
		}
		p = DB_P_STR(json, len);
		if ((rc = db_exec(db, STMT_ACCESS_INSERT, &p, 1)) != APP_OK) {
			log_msg(LV_WARN, "access: %zu records not written yet: %s", nbuf - done,
			    app_err_name(rc));
			goto out;
		}
		done = to;
	}
	rc = APP_OK;
out:
	/*
	 * What was written goes; the rest waits for the next flush, in order.
	 * Nothing written, nothing moves: buf is NULL until a first record.
	 */
	if (done > 0) {
		memmove(buf, buf + done, (nbuf - done) * sizeof(*buf));
		nbuf -= done;
	}
	return rc;
}

/* Milliseconds since *t (CLOCK_MONOTONIC). */
static long
ms_since(const struct timespec *t)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (now.tv_sec - t->tv_sec) * 1000L + (now.tv_nsec - t->tv_nsec) / 1000000L;
}

enum app_err
access_log_drain(struct db *db)
{
	struct timespec start, pause = {DB_AWAY_MS / 1000, (DB_AWAY_MS % 1000) * 1000000L};
	enum app_err rc;
	size_t i;

	clock_gettime(CLOCK_MONOTONIC, &start);
	/*
	 * A handle that has just found the server away refuses to try again
	 * for DB_AWAY_MS: wait that long between tries, or a worker stopped
	 * within that second would try nothing.
	 */
	while ((rc = access_log_flush(db)) != APP_OK && ms_since(&start) < ACCESS_LOG_DRAIN_MS)
		nanosleep(&pause, NULL);
	for (i = 0; i < nbuf; i++)
		log_msg(LV_WARN, "access: not written: patient %" PRId64 " actor %" PRId64 " %s %s,"
		    " %ld ms ago", buf[i].patient_id, buf[i].actor, access_action_name(buf[i].action),
		    buf[i].request_id, ms_since(&buf[i].mono));
	nbuf = 0;
	return rc;
}

enum app_err
access_log_list(struct db *db, int64_t patient_id, int64_t page, int64_t per_page,
    int64_t *total)
{
	struct db_param p[3];
	enum app_err rc;

	*total = 0;
	db_done(db, STMT_ACCESS_PAGE);
	p[0] = DB_P_INT(patient_id);
	if ((rc = db_row(db, STMT_ACCESS_COUNT, p, 1)) != APP_OK)
		return rc == APP_ENOROW ? APP_EDB : rc;
	*total = db_int(db, STMT_ACCESS_COUNT, 0);
	if (*total == 0 || page - 1 > (*total - 1) / per_page)
		return APP_OK;
	p[1] = DB_P_INT(per_page);
	p[2] = DB_P_INT((page - 1) * per_page);
	return db_exec(db, STMT_ACCESS_PAGE, p, 3);
}

enum app_err
access_log_next(struct db *db, struct access_entry *e)
{
	enum app_err rc;

	if ((rc = db_next(db, STMT_ACCESS_PAGE)) != APP_OK) {
		db_done(db, STMT_ACCESS_PAGE);
		return rc;
	}
	e->actor_id = db_int(db, STMT_ACCESS_PAGE, AL_ACTOR_ID);
	e->actor_name = db_str(db, STMT_ACCESS_PAGE, AL_ACTOR_NAME, NULL);
	e->action = db_str(db, STMT_ACCESS_PAGE, AL_ACTION, NULL);
	e->request_id = db_str(db, STMT_ACCESS_PAGE, AL_REQUEST_ID, NULL);
	e->at = db_str(db, STMT_ACCESS_PAGE, AL_AT, NULL);
	return APP_OK;
}
