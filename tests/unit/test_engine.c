/*
 * Unit tests for lib/care/engine.c: the write engine's policy, with attempts
 * that answer from a script. No database: a COMMIT lost on the wire is
 * settled only where a tag says how (tests/http/outage.sh and
 * idempotency.sh hold that part against MariaDB).
 */
#include <criterion/criterion.h>

#include "engine.h"

/* An attempt that answers the next of its script and counts. */
struct script {
	const enum app_err *answers;
	const int *committing;   /* NULL: never */
	int n;                   /* attempts made */
	int resets;
	int tagged;              /* tag() says the write has one */
};

static enum app_err
scripted(void *arg, int *committing)
{
	struct script *s = arg;

	*committing = s->committing != NULL ? s->committing[s->n] : 0;
	return s->answers[s->n++];
}

static int
tag(void *arg, char *out, size_t outsz)
{
	(void)out;
	(void)outsz;
	return ((struct script *)arg)->tagged;
}

static void
reset(void *arg)
{
	((struct script *)arg)->resets++;
}

/* No pauses: the policy's shape without its waiting. */
static const struct engine_policy quick = {"a test write", 5, 0, 0};

static enum app_err
run(struct script *s, int *settled)
{
	struct engine_write w = {&quick, scripted, tag, reset, s};

	return engine_run(NULL, &w, settled);
}

Test(engine, applied_at_the_first_attempt)
{
	enum app_err a[] = {APP_OK};
	struct script s = {a, NULL, 0, 0, 1};
	int settled = -1;

	cr_assert_eq(run(&s, &settled), APP_OK);
	cr_assert_eq(s.n, 1);
	cr_assert_eq(s.resets, 1);
	cr_assert_eq(settled, 0);
}

Test(engine, deadlocks_and_create_races_are_tried_again)
{
	enum app_err a[] = {APP_ERETRY, APP_EDUP, APP_ERETRY, APP_OK};
	struct script s = {a, NULL, 0, 0, 1};
	int settled;

	cr_assert_eq(run(&s, &settled), APP_OK);
	cr_assert_eq(s.n, 4);
	cr_assert_eq(s.resets, 4, "each attempt starts anew");
}

Test(engine, gives_up_after_the_policys_attempts)
{
	enum app_err a[] = {APP_ERETRY, APP_ERETRY, APP_ERETRY, APP_ERETRY, APP_ERETRY, APP_OK};
	struct script s = {a, NULL, 0, 0, 1};
	int settled;

	cr_assert_eq(run(&s, &settled), APP_ERETRY);
	cr_assert_eq(s.n, quick.attempts);
}

Test(engine, an_attempts_own_failure_is_answered_at_once)
{
	enum app_err a[] = {APP_ECAPACITY, APP_OK};
	struct script s = {a, NULL, 0, 0, 1};
	int settled;

	cr_assert_eq(run(&s, &settled), APP_ECAPACITY);
	cr_assert_eq(s.n, 1);
}

Test(engine, a_connection_lost_before_commit_is_tried_again_once)
{
	enum app_err a[] = {APP_EDBLOST, APP_OK};
	struct script s = {a, NULL, 0, 0, 1};
	int settled;

	cr_assert_eq(run(&s, &settled), APP_OK);
	cr_assert_eq(s.n, 2);

	enum app_err b[] = {APP_EDBLOST, APP_EDBLOST, APP_OK};
	struct script t = {b, NULL, 0, 0, 1};

	cr_assert_eq(run(&t, &settled), APP_EDBLOST, "a second loss: not applied, said so");
	cr_assert_eq(t.n, 2);
}

Test(engine, a_commit_lost_without_a_tag_may_have_been_applied)
{
	enum app_err a[] = {APP_EDBLOST, APP_OK};
	int c[] = {1, 0};
	struct script s = {a, c, 0, 0, 0};
	int settled;

	cr_assert_eq(run(&s, &settled), APP_EUNKNOWN);
	cr_assert_eq(s.n, 1, "never run again: it may have been applied");
}

Test(engine, an_empty_tag_tells_nothing)
{
	int yes = 1;

	cr_assert_eq(engine_committed(NULL, "", &yes), APP_EUNKNOWN);
	cr_assert_eq(yes, 0);
	cr_assert_eq(engine_committed(NULL, NULL, &yes), APP_EUNKNOWN);
}

Test(engine, the_policies)
{
	cr_assert_eq(ENGINE_SINGLE.attempts, 8);
	cr_assert_eq(ENGINE_SET.attempts, 4);
	cr_assert(ENGINE_SINGLE.base_us > 0 && ENGINE_SET.base_us > ENGINE_SINGLE.base_us);
}
