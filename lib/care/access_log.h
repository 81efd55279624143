#ifndef LCM_ACCESS_LOG_H
#define LCM_ACCESS_LOG_H

#include <stddef.h>
#include <stdint.h>

#include "app.h"

struct db;

/*
 * The PHI access log (HIPAA 45 CFR 164.312(b)): who read or changed which
 * patient's care team or history, in which request, when. A worker keeps
 * the records of its requests in memory and writes them in one statement
 * when it has ACCESS_LOG_BATCH of them, when the oldest is a second old
 * (checked after each request and once a second while idle), before it
 * lists a patient's log, and when it stops (access_log_drain()). So a GET costs a memcpy, not a
 * durable write of its own; what a worker killed outright (SIGKILL, a
 * crash) can lose is what it had not written yet: at most its last two
 * seconds, and fewer than ACCESS_LOG_BATCH records but for the one request
 * it was serving. The changes themselves are never lost with it: they are
 * patient activities, committed with the change.
 */

#define ACCESS_LOG_BATCH 100
#define ACCESS_LOG_DELAY_MS 1000
/* Rows per INSERT when more are waiting (an export's chunk, a bulk). */
#define ACCESS_LOG_INSERT_ROWS 1000

enum access_action {
	ACCESS_READ_CARE_TEAM,
	ACCESS_READ_HISTORY,
	ACCESS_READ_ACCESS_LOG,
	ACCESS_ASSIGN,
	ACCESS_UPDATE,
	ACCESS_REMOVE,
	ACCESS_BULK,
	ACCESS_TRANSFER,
	ACCESS_READ_PATIENT_LIST,
	ACCESS_EXPORT,
	ACCESS_READ_LCM_PATIENTS,   /* a user's patient list: one per patient shown */
	ACCESS_MIF_IMPORT,          /* a MIF import: one per member of the file */
	ACCESS_RELEASE_ENDED,       /* the release of ended authorizations: one per role released */
	ACCESS__MAX
};

/*
 * Record nothing from now on: only for measuring what the log costs
 * (make bench starts workers with LCM_ACCESS_LOG=off). Never in production.
 */
void access_log_disable(void);

/* "read_care_team", ...: the name stored and listed. */
const char *access_action_name(enum access_action);

/*
 * Note an access now. Returns 1 when a batch is waiting to be written
 * (access_log_flush()), else 0. While the database is away records wait,
 * up to 100,000; past that one goes to the worker's log as a warning
 * instead of being dropped silently.
 */
int access_log_add(int64_t patient_id, int64_t actor, enum access_action,
    const char *request_id);

/* Non-zero when the buffer holds a record older than ACCESS_LOG_DELAY_MS, or is full. */
int access_log_due(void);

/* Records waiting to be written. */
size_t access_log_pending(void);

/*
 * Write every buffered record in one statement. APP_OK (the buffer is
 * empty), or an error, the records kept for the next try.
 */
enum app_err access_log_flush(struct db *);

/*
 * What a worker does as it stops: access_log_flush(), and while that
 * fails (the database away, or just found stalled) again once the away
 * time (DB_AWAY_MS) has passed, until ACCESS_LOG_DRAIN_MS have. What is
 * still held then goes to the worker's log, a warning per record, rather
 * than vanish. APP_OK when everything was written, else the last error.
 */
#define ACCESS_LOG_DRAIN_MS 10000
enum app_err access_log_drain(struct db *);

/* One listed access; strings live until the next access_log_next(). */
struct access_entry {
	int64_t actor_id;
	const char *actor_name;
	const char *action;
	const char *request_id;
	const char *at;
};

/*
 * Start listing a patient's accesses, newest first (page, per_page as the
 * list's): *total of them. Then access_log_next() until APP_ENOROW.
 */
enum app_err access_log_list(struct db *, int64_t patient_id, int64_t page, int64_t per_page,
    int64_t *total);
enum app_err access_log_next(struct db *, struct access_entry *out);

#endif
