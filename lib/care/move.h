#ifndef LCM_MOVE_H
#define LCM_MOVE_H

/*
 * Inside the set-based runs (transfer.c, auto_assign.c, bulk.c,
 * release.c): what they share of the plan (move_plan.c), the reads under
 * locks (move_read.c) and the writing of a plan by the write engine
 * (move_write.c). Not for callers outside them: lcm.h has the runs
 * themselves.
 */

#include <stddef.h>
#include <stdint.h>

#include "lcm.h"

struct db;
struct db_param;

/* ---- the plan (move_plan.c) ---- */

/* A new move of the plan, NULL when memory ran out. */
struct lcm_move *move_plan_add(struct lcm_move_plan *, int64_t patient, int64_t case_load,
    enum lcm_role r, int64_t from, const int64_t before[ROLE__MAX]);

/* The move fails, for the reason printf would write; it takes no one. */
void move_fail(struct lcm_move *, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* The plan's user of this id, or NULL. */
struct lcm_move_user *move_find_user(struct lcm_move_plan *, int64_t id);

/* ---- reading under locks (move_read.c) ---- */

/* A case load as a run read it under its lock. */
struct move_cl {
	int64_t id;
	int64_t patient;
	int64_t user[ROLE__MAX];
};

struct move_cls {
	struct move_cl *v;
	size_t n, cap;
};

/* Append the locked rows of st (ML_* columns) to out, skipping case loads it has. */
enum app_err move_read_locked(struct db *, enum stmt st, const struct db_param *p, size_t np,
    struct move_cls *out);

/* The case loads of these patients, locked, by patient id. */
enum app_err move_lock_patients(struct db *, const int64_t *ids, size_t n, struct move_cls *out);

/* The locked case load of a patient, or NULL. */
const struct move_cl *move_find_cl(const struct move_cls *, int64_t patient);

/*
 * The users of these ids into the plan, with their limits and workloads
 * (in points too: the clinic's weights into plan->weights), locked.
 */
enum app_err move_load_users(struct db *, const int64_t *ids, size_t n, struct lcm_move_plan *plan);

/*
 * The clinic's weights must be in the plan first (move_load_users()).
 * The members among these patients (the ids sorted) into plan->facts,
 * their authorization as it stands on the clinic's day.
 */
enum app_err move_load_facts(struct db *, const int64_t *ids, size_t n, struct lcm_move_plan *plan);

/* The same for the patients of the plan's moves (sorted by patient). */
enum app_err move_load_plan_facts(struct db *, struct lcm_move_plan *plan);

/* A patient's facts as a member, or NULL for a patient who is none. */
const struct lcm_member_fact *move_fact(const struct lcm_move_plan *, int64_t patient);

/* A patient's weight in points (a patient who is no member weighs as a low one). */
int64_t move_weight(const struct lcm_move_plan *, int64_t patient);

/* Non-zero when a patient is a member whose authorization has not started or has ended. */
int move_auth_inactive(const struct lcm_move_plan *, int64_t patient);

/* Non-zero when a user's planned load in role r is past a limit (an override's doing). */
int move_user_over(const struct lcm_move_user *, enum lcm_role r);

/* Non-zero when a user may take one more patient of weight w in role r within the limits. */
int move_user_fits(const struct lcm_move_user *, enum lcm_role r, int64_t w);

/* The case loads the planned moves lack, made and locked; their ids into the moves. */
enum app_err move_make_case_loads(struct db *, struct lcm_move_plan *plan);

/* Whether every one of these takers may take patients. */
int move_takers_eligible(struct lcm_move_plan *, const int64_t *ids, size_t n);

/* ---- writing the plan (move_write.c) ---- */

/* qsort's order of moves: by patient, role, then a bulk's items in order. */
int move_cmp(const void *a, const void *b);

/* The request id of a move's activity row: the request's, "#N" for bulk item N. */
void move_tag(const struct lcm_actor *who, const struct lcm_move *m, char *out, size_t outsz);

/* Write the plan's moves (those without an error) in set-based statements. */
enum app_err move_write(struct db *, const struct lcm_actor *who, const struct lcm_change *c,
    const char *source, const struct lcm_move_plan *plan);

/*
 * The end of a run's transaction that wrote (any) or not: rolled back,
 * committed, or committed with its Idempotency-Key's answer.
 */
enum app_err move_end_run(struct db *, const struct lcm_actor *who, int dry_run, int any,
    int *committing);

/*
 * Run one attempt function by the write engine (engine.h), the plan made
 * again by each attempt. APP_EUNKNOWN marks the plan unknown.
 */
enum app_err move_run(struct db *, const struct lcm_actor *who, struct lcm_move_plan *plan,
    enum app_err (*once)(void *, int *), void *arg);

#endif
