#include <stdlib.h>
#include <time.h>

#include "db.h"
#include "engine.h"
#include "lcm.h"
#include "log.h"

const struct engine_policy ENGINE_SINGLE = {"a single write", 8, 1000, 4000};
const struct engine_policy ENGINE_SET = {"a transfer, auto-assign or bulk", 4, 2000, 8000};

enum app_err
engine_committed(struct db *db, const char *tag, int *yes)
{
	struct db_param p;
	enum app_err rc;

	*yes = 0;
	if (tag == NULL || *tag == '\0')
		return APP_EUNKNOWN;
	p = DB_P_CSTR(tag);
	if ((rc = db_row(db, STMT_ACTIVITY_TAGGED, &p, 1)) != APP_OK)
		return rc == APP_ENOROW ? APP_EDB : rc;
	if ((*yes = db_int(db, STMT_ACTIVITY_TAGGED, 0) > 0))
		return APP_OK;
	/* A MIF import's rows are a member's history (a request id is one write's). */
	if ((rc = db_row(db, STMT_MIF_TAGGED, &p, 1)) != APP_OK)
		return rc == APP_ENOROW ? APP_EDB : rc;
	*yes = db_int(db, STMT_MIF_TAGGED, 0) > 0;
	return APP_OK;
}

/* The pause before attempt n + 1, as the policy says. */
static void
engine_pause(const struct engine_policy *p, int n)
{
	long us = (long)n * (p->base_us + (p->jitter_us > 0 ? rand() % p->jitter_us : 0));
	struct timespec t = {us / 1000000L, (us % 1000000L) * 1000L};

	nanosleep(&t, NULL);
}

/* After a COMMIT lost on the wire: APP_OK with *done, or APP_EUNKNOWN. */
static enum app_err
settle(struct db *db, const struct engine_write *w, int *done)
{
	char tag[LCM_REQUEST_ID_MAX + 24];

	if (!w->tag(w->arg, tag, sizeof(tag)))
		return APP_EUNKNOWN;
	if (db_fence(db) != APP_OK || engine_committed(db, tag, done) != APP_OK)
		return APP_EUNKNOWN;
	return APP_OK;
}

enum app_err
engine_run(struct db *db, const struct engine_write *w, int *settled)
{
	enum app_err rc = APP_ERETRY;
	int n, committing, lost = 0, done;

	*settled = 0;
	for (n = 1; n <= w->policy->attempts; n++) {
		if (w->reset != NULL)
			w->reset(w->arg);
		committing = 0;
		rc = w->attempt(w->arg, &committing);
		if (rc == APP_EDBLOST) {
			if (committing) {
				if (settle(db, w, &done) != APP_OK)
					return APP_EUNKNOWN;
				if (done) {
					*settled = 1;
					return APP_OK;
				}
			}
			/*
			 * Not applied: the server rolls back what it had not
			 * committed; the next attempt reconnects. Once per write.
			 */
			if (lost++)
				return APP_EDBLOST;
			continue;
		}
		/* A deadlock victim, a certification failure or the loser of a create race tries again. */
		if (rc != APP_ERETRY && rc != APP_EDUP)
			return rc;
		if (n < w->policy->attempts)
			engine_pause(w->policy, n);
	}
	log_msg(LV_WARN, "engine: %s gave up after %d attempts", w->policy->what,
	    w->policy->attempts);
	return APP_ERETRY;
}
