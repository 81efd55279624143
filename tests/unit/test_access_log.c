/* Unit tests for lib/access_log.c: what needs no database. */
#include <criterion/criterion.h>

#include "access_log.h"

/*
 * A worker that never recorded anything flushes at exit: nothing to write
 * and nothing to move (its buffer is still NULL; make test SANITIZE=1 found
 * the flush offsetting that NULL pointer).
 */
Test(access_log, flush_with_nothing_recorded_touches_nothing)
{
	cr_assert_eq(access_log_pending(), 0);
	cr_assert_eq(access_log_flush(NULL), APP_OK);
	cr_assert_eq(access_log_pending(), 0);
	cr_assert_eq(access_log_due(), 0);
}
