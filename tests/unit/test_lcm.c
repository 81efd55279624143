/*
 * Unit tests for the pure parts of lib/care/lcm.c: role names, id sets, the
 * LIKE pattern of the list's search, the transfer's taker and whom the
 * one-person read finds. Nothing here touches a database.
 *
 * Tests marked "Regression" caught real bugs in lib/ and pin their fixes.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <criterion/criterion.h>

#include "lcm.h"

/* ---- lcm_role_name ---------------------------------------------------- */

Test(lcm, role_names)
{
	cr_assert_str_eq(lcm_role_name(ROLE_OLCM), "olcm");
	cr_assert_str_eq(lcm_role_name(ROLE_ILCM), "ilcm");
}

Test(lcm, bad_role_name_out_of_range_is_empty)
{
	cr_assert_str_eq(lcm_role_name(ROLE__MAX), "");
	cr_assert_str_eq(lcm_role_name((enum lcm_role)-1), "");
	cr_assert_str_eq(lcm_role_name((enum lcm_role)99), "");
}

/* ---- lcm_reason_code_ok ------------------------------------------------ */

/* Issue 24: the release of ended authorizations records its own code, which a client may give too. */
Test(lcm, reason_codes_include_authorization_ended)
{
	cr_assert(lcm_reason_code_ok("authorization_ended"));
	cr_assert(lcm_reason_code_ok("member_request"));
	cr_assert(lcm_reason_code_ok("other"));
}

Test(lcm, bad_reason_code_is_refused)
{
	cr_assert_not(lcm_reason_code_ok("authorization_end"));
	cr_assert_not(lcm_reason_code_ok("Authorization_ended"));
	cr_assert_not(lcm_reason_code_ok(""));
	cr_assert_not(lcm_reason_code_ok(NULL));
}

/* ---- id_set_has / id_set_free ----------------------------------------- */

Test(lcm, id_set_has_members)
{
	int64_t ids[] = {1, 5, 9, 101, INT64_MAX};
	struct id_set s = {ids, 5};

	cr_assert(id_set_has(&s, 1));
	cr_assert(id_set_has(&s, 5));
	cr_assert(id_set_has(&s, 9));
	cr_assert(id_set_has(&s, 101));
	cr_assert(id_set_has(&s, INT64_MAX));
}

Test(lcm, bad_id_set_has_rejects_non_members)
{
	int64_t ids[] = {1, 5, 9, 101, INT64_MAX};
	struct id_set s = {ids, 5};

	cr_assert_not(id_set_has(&s, 0));
	cr_assert_not(id_set_has(&s, 2));
	cr_assert_not(id_set_has(&s, 10));
	cr_assert_not(id_set_has(&s, 100));
	cr_assert_not(id_set_has(&s, 102));
	cr_assert_not(id_set_has(&s, -1));
	cr_assert_not(id_set_has(&s, INT64_MIN));
	cr_assert_not(id_set_has(&s, INT64_MAX - 1));
}

Test(lcm, id_set_single)
{
	int64_t id = 42;
	struct id_set s = {&id, 1};

	cr_assert(id_set_has(&s, 42));
	cr_assert_not(id_set_has(&s, 41));
	cr_assert_not(id_set_has(&s, 43));
}

Test(lcm, bad_id_set_empty_has_nothing)
{
	struct id_set s = {NULL, 0};

	cr_assert_not(id_set_has(&s, 0));
	cr_assert_not(id_set_has(&s, 1));
}

Test(lcm, id_set_large)
{
	struct id_set s;
	size_t i;

	s.n = 1000;
	s.ids = malloc(s.n * sizeof(*s.ids));
	cr_assert_not_null(s.ids);
	for (i = 0; i < s.n; i++)
		s.ids[i] = (int64_t)(i * 2 + 1);   /* odd numbers 1..1999 */
	for (i = 0; i < 2001; i++)
		cr_expect_eq(id_set_has(&s, (int64_t)i), (int)(i % 2), "id %zu", i);
	id_set_free(&s);
}

Test(lcm, id_set_free_is_idempotent)
{
	struct id_set s;

	s.ids = malloc(3 * sizeof(*s.ids));
	cr_assert_not_null(s.ids);
	s.n = 3;
	id_set_free(&s);
	cr_assert_null(s.ids);
	cr_assert_eq(s.n, 0);
	id_set_free(&s);
	cr_assert_null(s.ids);
	cr_assert_not(id_set_has(&s, 1));
}

/* ---- lcm_like_pattern ------------------------------------------------- */

static long
like(const char *s, char *out, size_t outsz)
{
	memset(out, 'X', outsz);
	return lcm_like_pattern(s, out, outsz);
}

Test(lcm, like_wraps_in_percent)
{
	char b[64];

	cr_assert_eq(like("Jane", b, sizeof(b)), 6);
	cr_assert_str_eq(b, "%Jane%");
}

Test(lcm, like_empty_matches_everything)
{
	char b[64];

	cr_assert_eq(like("", b, sizeof(b)), 2);
	cr_assert_str_eq(b, "%%");
}

Test(lcm, like_escapes_percent)
{
	char b[64];

	cr_assert_eq(like("50%", b, sizeof(b)), 6);
	cr_assert_str_eq(b, "%50!%%");
}

Test(lcm, like_escapes_underscore)
{
	char b[64];

	cr_assert_eq(like("a_b", b, sizeof(b)), 6);
	cr_assert_str_eq(b, "%a!_b%");
}

Test(lcm, like_escapes_escape_char)
{
	char b[64];

	cr_assert_eq(like("x!y", b, sizeof(b)), 6);
	cr_assert_str_eq(b, "%x!!y%");
}

Test(lcm, like_backslash_is_literal)
{
	char b[64];

	/* ESCAPE '!' makes backslash an ordinary character: left as is. */
	cr_assert_eq(like("a\\b", b, sizeof(b)), 5);
	cr_assert_str_eq(b, "%a\\b%");
}

Test(lcm, like_escapes_everything_special)
{
	char b[64];

	cr_assert_eq(like("%_!%", b, sizeof(b)), 10);
	cr_assert_str_eq(b, "%!%!_!!!%%");
}

Test(lcm, like_keeps_utf8)
{
	char b[64];

	cr_assert_eq(like("Jos\xc3\xa9", b, sizeof(b)), 7);
	cr_assert_str_eq(b, "%Jos\xc3\xa9%");
}

Test(lcm, like_other_specials_unescaped)
{
	char b[64];

	cr_assert_eq(like("O'Brien \"x\" [a]", b, sizeof(b)), 17);
	cr_assert_str_eq(b, "%O'Brien \"x\" [a]%");
}

Test(lcm, like_fits_escaped_exactly)
{
	char b[6];

	/* "%a!%%" and its NUL are 6 bytes. */
	cr_assert_eq(like("a%", b, sizeof(b)), 5);
	cr_assert_str_eq(b, "%a!%%");
}

Test(lcm, like_empty_fits_three_bytes)
{
	char b[3];

	cr_assert_eq(like("", b, sizeof(b)), 2);
	cr_assert_str_eq(b, "%%");
}

/*
 * Regression: lcm_like_pattern (lib/care/lcm.c:303) reserves room for an escape
 * on every character, so an unescaped pattern that fits exactly is
 * refused: "%ab%" needs 5 bytes with its NUL, yet outsz 5 returns -1, as
 * does "%abc%" in 6. lcm.h promises -1 only "when out is too small".
 * Harmless in lcm_list (2048 bytes for at most 200 characters).
 */
Test(lcm, like_fits_unescaped_exactly)
{
	char b5[5], b6[6];

	cr_expect_eq(like("ab", b5, sizeof(b5)), 4, "Regression: \"%%ab%%\" fits in 5 bytes");
	cr_expect_eq(like("abc", b6, sizeof(b6)), 5, "Regression: \"%%abc%%\" fits in 6 bytes");
}

Test(lcm, bad_like_too_small_returns_minus_one)
{
	char b[16];

	cr_assert_eq(like("", b, 2), -1);
	cr_assert_eq(like("", b, 0), -1);
	cr_assert_eq(like("a", b, 3), -1);
	cr_assert_eq(like("abc", b, 5), -1);
	cr_assert_eq(like("a%", b, 5), -1);
	cr_assert_eq(like("%%%%", b, 9), -1);   /* needs 11 */
}

Test(lcm, bad_like_too_small_does_not_overrun)
{
	char b[32];

	memset(b, 'Z', sizeof(b));
	cr_assert_eq(lcm_like_pattern("abcdefghijklmnop", b, 8), -1);
	cr_assert_eq(b[8], 'Z');
	cr_assert_eq(b[31], 'Z');
}

Test(lcm, like_longest_search_fits_list_buffer)
{
	/* 200 characters of the worst kind, the list's search limit. */
	char in[201], out[2048];

	memset(in, '%', 200);
	in[200] = '\0';
	cr_assert_eq(like(in, out, sizeof(out)), 402);
}

/* ---- lcm_refs_unchanged ------------------------------------------------ */

Test(lcm, refs_unchanged_when_every_given_role_holds_its_user)
{
	struct lcm_refs refs = {.case_load_id = 7, .current = {101, 102}};
	struct lcm_change c = {.patient_id = 123, .given = {1, 0}, .user = {101, 0}};

	cr_expect(lcm_refs_unchanged(&refs, &c));
	c.given[ROLE_ILCM] = 1;
	c.user[ROLE_ILCM] = 102;
	cr_expect(lcm_refs_unchanged(&refs, &c));
}

Test(lcm, refs_changed_when_a_role_differs_or_clears)
{
	struct lcm_refs refs = {.case_load_id = 7, .current = {101, 0}};
	struct lcm_change c = {.patient_id = 123, .given = {0, 1}, .user = {0, 103}};

	cr_expect(!lcm_refs_unchanged(&refs, &c), "empty iLCM to 103 is a change");
	c.given[ROLE_ILCM] = 0;
	c.given[ROLE_OLCM] = 1;
	c.user[ROLE_OLCM] = 0;
	cr_expect(!lcm_refs_unchanged(&refs, &c), "clearing oLCM 101 is a change");
	refs.current[ROLE_OLCM] = 0;
	cr_expect(lcm_refs_unchanged(&refs, &c), "clearing an empty role is not");
}

Test(lcm, refs_changed_when_there_is_no_case_load)
{
	struct lcm_refs refs = {.case_load_id = 0};
	struct lcm_change c = {.patient_id = 123, .given = {0, 1}, .user = {0, 0}};

	cr_expect(!lcm_refs_unchanged(&refs, &c));
}

/* ---- lcm_pick_taker ------------------------------------------------------ */

static struct lcm_move_user
taker(int64_t id, int64_t max_o, int64_t count_o)
{
	struct lcm_move_user u = {.user_id = id, .eligible = 1, .max = {max_o, -1},
	    .before = {count_o, 0}, .after = {count_o, 0}, .max_points = {-1, -1},
	    .points = {count_o, 0}};  /* every weight 1 */

	return u;
}

Test(lcm, pick_taker_most_room_then_fewest_then_lowest_id)
{
	/* room: 103 has 4, 102 has 2, 104 has 1 */
	struct lcm_move_user u[] = {taker(103, 4, 0), taker(102, 5, 3), taker(104, 10, 9)};
	static const long want[8] = {
		0, 0,   /* 103: the most room */
		0,      /* 103 and 102 at 2: 103 has fewer patients */
		1,      /* 102: 2 against 1 */
		0, 1, 2, /* all at 1: fewest first (103 4, 102 4... 103 first by patients), then 104 */
		-1,     /* nobody has room */
	};
	int i;

	for (i = 0; i < 8; i++)
		cr_expect_eq(lcm_pick_taker(u, 3, ROLE_OLCM, 1, 0, 0), want[i], "move %d", i + 1);
	cr_expect_eq(u[0].after[ROLE_OLCM], 4);
	cr_expect_eq(u[1].after[ROLE_OLCM], 5);
	cr_expect_eq(u[2].after[ROLE_OLCM], 10);
	cr_expect_eq(u[1].before[ROLE_OLCM], 3, "before stays as it was");
}

Test(lcm, pick_taker_no_limit_is_the_most_room)
{
	struct lcm_move_user u[] = {taker(102, 100, 0), taker(103, -1, 50)};

	cr_expect_eq(lcm_pick_taker(u, 2, ROLE_OLCM, 1, 0, 0), 1);
}

Test(lcm, pick_taker_ties_go_to_fewest_then_lowest_id)
{
	struct lcm_move_user u[] = {taker(105, -1, 2), taker(103, -1, 2), taker(104, -1, 1)};

	cr_expect_eq(lcm_pick_taker(u, 3, ROLE_OLCM, 1, 0, 0), 2);   /* 104: fewest */
	cr_expect_eq(lcm_pick_taker(u, 3, ROLE_OLCM, 1, 0, 0), 1);   /* all at 2: 103, the lowest id */
	cr_expect_eq(lcm_pick_taker(u, 3, ROLE_OLCM, 1, 0, 0), 2);   /* 104 and 105 at 2: 104 */
}

Test(lcm, bad_pick_taker_skips_the_giver_and_the_ineligible)
{
	struct lcm_move_user u[] = {taker(101, -1, 0), taker(102, -1, 9), taker(103, -1, 0)};

	u[2].eligible = 0;
	cr_expect_eq(lcm_pick_taker(u, 3, ROLE_OLCM, 1, 0, 101), 1);
	cr_expect_eq(lcm_pick_taker(u, 1, ROLE_OLCM, 1, 0, 101), -1);
}

Test(lcm, pick_taker_override_goes_past_limits_fewest_first)
{
	struct lcm_move_user u[] = {taker(102, 2, 2), taker(103, 1, 1)};

	cr_expect_eq(lcm_pick_taker(u, 2, ROLE_OLCM, 1, 0, 0), -1);
	cr_expect_eq(lcm_pick_taker(u, 2, ROLE_OLCM, 1, 1, 0), 1);  /* no room either: 103 has fewer */
	cr_expect_eq(u[1].after[ROLE_OLCM], 2, "past its limit of 1");
}

/* A taker with a limit in points, count patients weighing points. */
static struct lcm_move_user
weighed(int64_t id, int64_t max_points, int64_t count, int64_t points)
{
	struct lcm_move_user u = taker(id, -1, count);

	u.max_points[ROLE_OLCM] = max_points;
	u.points[ROLE_OLCM] = points;
	return u;
}

Test(lcm, pick_taker_by_room_in_points_then_lightest_then_fewest)
{
	struct lcm_move_user u[] = {weighed(102, 10, 2, 6), weighed(103, 10, 3, 3)};

	cr_expect_eq(lcm_pick_taker(u, 2, ROLE_OLCM, 3, 0, 0), 1);  /* room 2 against 5 */
	cr_expect_eq(u[1].points[ROLE_OLCM], 6);
	cr_expect_eq(u[1].after[ROLE_OLCM], 4);
	cr_expect_eq(lcm_pick_taker(u, 2, ROLE_OLCM, 3, 0, 0), 0);  /* both 6 points: 2 patients against 4 */
	cr_expect_eq(lcm_pick_taker(u, 2, ROLE_OLCM, 3, 0, 0), 1);  /* 9 points and 3 do not fit in 10 */
	cr_expect_eq(lcm_pick_taker(u, 2, ROLE_OLCM, 3, 0, 0), -1); /* 9 + 3 > 10 for both */
	cr_expect_eq(lcm_pick_taker(u, 2, ROLE_OLCM, 1, 0, 0), 0);  /* 9 + 1 fits: 3 patients against 5 */
	/* An override: past the limit, the one it passes least (9 + 3 against 10 + 3). */
	cr_expect_eq(lcm_pick_taker(u, 2, ROLE_OLCM, 3, 1, 0), 1);
	cr_expect_eq(u[1].points[ROLE_OLCM], 12);
}

Test(lcm, pick_taker_without_limits_balances_the_weighted_load)
{
	/* 102 holds 2 heavy patients (10 points), 103 holds 4 light ones: 103 is the lighter. */
	struct lcm_move_user u[] = {weighed(102, -1, 2, 10), weighed(103, -1, 4, 4)};

	cr_expect_eq(lcm_pick_taker(u, 2, ROLE_OLCM, 3, 0, 0), 1);
	cr_expect_eq(lcm_pick_taker(u, 2, ROLE_OLCM, 3, 0, 0), 1);  /* 7 points */
	cr_expect_eq(lcm_pick_taker(u, 2, ROLE_OLCM, 3, 0, 0), 0);  /* 10 each: 2 patients against 6 */
}

Test(lcm, points_and_acuity)
{
	struct lcm_weights w = {{1, 2, 3}};

	cr_expect_eq(lcm_points(&w, 10, 3, 2), 5 + 6 + 6);
	cr_expect_eq(lcm_acuity_of("high"), ACUITY_HIGH);
	cr_expect_eq(lcm_acuity_of("medium"), ACUITY_MEDIUM);
	cr_expect_eq(lcm_acuity_of(NULL), ACUITY_LOW, "no acuity weighs as a low one");
	cr_expect_eq(lcm_acuity_of("HIGH"), ACUITY_LOW);
	cr_expect_str_eq(lcm_acuity_name(ACUITY_MEDIUM), "medium");
	cr_expect(!lcm_over_points(7, 3, 10));
	cr_expect(lcm_over_points(8, 3, 10));
	cr_expect(!lcm_over_points(1000, 3, -1), "no limit");
	cr_expect(lcm_over_points(0, 4, 3), "a patient heavier than the whole limit");
}

/* ---- lcm_row_is_lcm: whom GET .../lead_care_managers/:id finds ------------ */

static struct lcm_row
person(int eligible, int active, int64_t olcm, int64_t ilcm)
{
	struct lcm_row r = {.id = 101, .count = {olcm, ilcm}, .max = {-1, -1},
	    .active = active, .eligible = eligible};

	return r;
}

Test(lcm, is_lcm_when_eligible_holding_nobody)
{
	struct lcm_row r = person(1, 1, 0, 0);

	cr_expect(lcm_row_is_lcm(&r));
}

Test(lcm, is_lcm_when_deactivated_or_without_ecm_but_holding_patients)
{
	struct lcm_row o = person(0, 0, 1, 0), i = person(0, 1, 0, 3);

	cr_expect(lcm_row_is_lcm(&o), "a deactivated oLCM of one patient");
	cr_expect(lcm_row_is_lcm(&i), "an active user without ecm, iLCM of three");
}

Test(lcm, bad_is_lcm_not_eligible_holding_nobody)
{
	struct lcm_row inactive = person(0, 0, 0, 0), no_ecm = person(0, 1, 0, 0);

	cr_expect_not(lcm_row_is_lcm(&inactive));
	cr_expect_not(lcm_row_is_lcm(&no_ecm));
}
