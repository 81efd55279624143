#ifndef LCM_ENGINE_H
#define LCM_ENGINE_H

#include <stddef.h>

#include "app.h"

struct db;

/*
 * The write engine: the loop that makes a write happen exactly once. An
 * attempt runs the whole write in one transaction. The engine runs it
 * again after a deadlock or a Galera certification failure (APP_ERETRY)
 * or a lost create race (APP_EDUP), pausing a little longer each time, as
 * the policy says; once after a connection lost before COMMIT (the server
 * rolled the attempt back); and settles a COMMIT lost on the wire: once
 * the session that ran it is over (db_fence), the history rows tagged
 * with the write's request id (patient activities, or a MIF import's
 * member activities) say whether it committed. So a write is
 * never applied twice, and never reported failed when it was applied: a
 * COMMIT whose outcome cannot be learnt is APP_EUNKNOWN ("may or may not
 * have been applied"). A keyed write's COMMIT carries its answer
 * (idem_commit()), which settles it there: lost here, it was not applied.
 */

/*
 * How a kind of write is retried: attempts in all, and the pause before
 * attempt n + 1 (n from 1): n * (base_us + a random part below jitter_us).
 */
struct engine_policy {
	const char *what;   /* for the log: "a single write", ... */
	int attempts;
	long base_us;
	long jitter_us;
};

/* One patient's change: short transactions, tried often. */
extern const struct engine_policy ENGINE_SINGLE;
/* Set-based runs (transfer, auto-assign, bulk): longer transactions, fewer tries. */
extern const struct engine_policy ENGINE_SET;

/*
 * A write to run. attempt: one whole transaction, *committing set once
 * COMMIT was sent; APP_OK or why not. tag: after an attempt, the tag its
 * activity rows carry, into out (outsz bytes); 0 when it has none (the
 * outcome of its COMMIT can then not be learnt). reset: before each
 * attempt (NULL: nothing to undo).
 */
struct engine_write {
	const struct engine_policy *policy;
	enum app_err (*attempt)(void *arg, int *committing);
	int (*tag)(void *arg, char *out, size_t outsz);
	void (*reset)(void *arg);
	void *arg;
};

/*
 * Run w until it is done or gives up. APP_OK: applied (*settled set when
 * that was learnt after a lost COMMIT: the connection is a new one, and
 * rows read before are gone); APP_EUNKNOWN: a COMMIT lost for good;
 * APP_EDBLOST: not applied, the database went away; APP_ERETRY: not
 * applied, deadlocked every attempt; or the attempt's own failure.
 */
enum app_err engine_run(struct db *, const struct engine_write *w, int *settled);

/*
 * Whether the write tagged tag committed: *yes from its history rows
 * (patient activities, then member activities).
 * APP_OK, APP_EUNKNOWN for an empty tag (nothing can tell), or a database
 * error.
 */
enum app_err engine_committed(struct db *, const char *tag, int *yes);

#endif
