/*
 * Unit tests for lib/base/slots.c: the pool's waiting slots, a file whose byte
 * locks processes share. Each test has a file of its own, removed at the end.
 */
#define _DEFAULT_SOURCE
#include <stdio.h>
#include <sys/wait.h>
#include <unistd.h>

#include <criterion/criterion.h>

#include "slots.h"

/* A pool file no other test or run uses. */
static const char *
pool_name(const char *test)
{
	static char name[128];

	snprintf(name, sizeof(name), "/tmp/lcm-unit-slots-%s-%ld", test, (long)getpid());
	return name;
}

static void
slots_remove(struct slots *s, const char *name)
{
	slots_close(s);
	unlink(name);
}

Test(slots, n_taken_then_none_until_one_is_given)
{
	struct slots *s = slots_open(pool_name("n"), 2);

	cr_assert_not_null(s);
	cr_assert_eq(slots_free(s), 2);
	cr_assert_eq(slots_take(s), 1);
	cr_assert_eq(slots_take(s), 1);
	cr_assert_eq(slots_take(s), 0, "a third slot of two");
	slots_give(s);
	cr_assert_eq(slots_free(s), 1);
	cr_assert_eq(slots_take(s), 1);
	slots_give(s);
	slots_give(s);
	cr_assert_eq(slots_free(s), 2);
	slots_remove(s, pool_name("n"));
}

Test(slots, a_second_process_shares_the_pool)
{
	const char *name = pool_name("shared");
	struct slots *s = slots_open(name, 1), *t;
	pid_t pid;
	int status;

	cr_assert_not_null(s);
	cr_assert_eq(slots_take(s), 1);
	if ((pid = fork()) == 0) {
		t = slots_open(name, 1);
		_exit(t != NULL && slots_take(t) == 0 ? 0 : 1);
	}
	cr_assert_eq(waitpid(pid, &status, 0), pid);
	cr_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0,
	    "the other process found the pool's one slot free");
	slots_give(s);
	slots_remove(s, name);
}

Test(slots, a_process_that_dies_holding_a_slot_gives_it_back)
{
	const char *name = pool_name("dies");
	struct slots *s = slots_open(name, 1);
	pid_t pid;
	int status;

	cr_assert_not_null(s);
	if ((pid = fork()) == 0) {
		struct slots *t = slots_open(name, 1);

		if (t == NULL || slots_take(t) != 1)
			_exit(1);
		_exit(0);  /* without slots_give() */
	}
	cr_assert_eq(waitpid(pid, &status, 0), pid);
	cr_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	cr_assert_eq(slots_free(s), 1, "the dead process's slot is free again");
	cr_assert_eq(slots_take(s), 1);
	slots_give(s);
	slots_remove(s, name);
}

Test(slots, closing_lets_go_of_what_it_held)
{
	const char *name = pool_name("close");
	struct slots *a = slots_open(name, 1), *b = slots_open(name, 1);

	cr_assert_not_null(a);
	cr_assert_not_null(b);
	cr_assert_eq(slots_take(a), 1);
	cr_assert_eq(slots_take(b), 0);
	slots_close(a);
	cr_assert_eq(slots_take(b), 1);
	slots_remove(b, name);
}

Test(slots, none_means_nothing_is_limited)
{
	cr_assert_eq(slots_take(NULL), 1);
	slots_give(NULL);
	cr_assert_eq(slots_free(NULL), -1);
	slots_close(NULL);
	cr_assert_null(slots_open(pool_name("zero"), 0));
	cr_assert_null(slots_open("/nonexistent-dir/slots", 2));
}

Test(slots, a_link_is_not_followed)
{
	const char *name = pool_name("link");
	char target[160];

	snprintf(target, sizeof(target), "%s.target", name);
	cr_assert_eq(symlink(target, name), 0);
	cr_assert_null(slots_open(name, 2), "a pool file behind a link");
	unlink(name);
	unlink(target);
}

Test(slots, more_than_sixty_four_keeps_sixty_four)
{
	const char *name = pool_name("many");
	struct slots *s = slots_open(name, 300);

	cr_assert_not_null(s);
	cr_assert_eq(slots_free(s), 64);
	slots_remove(s, name);
}
