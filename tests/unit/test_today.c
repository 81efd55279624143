#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "today.h"

/* 2024-12-31 23:30 UTC: still Dec 31 in UTC and Los Angeles, Jan 1 in Tokyo. */
#define LATE_ON_NEW_YEARS_EVE ((time_t)1735687800)
/* 2025-01-01 06:00 UTC: Jan 1 in UTC, still Dec 31 in Los Angeles (22:00 PST). */
#define EARLY_NEW_YEARS_DAY ((time_t)1735711200)

static char err[256];

Test(today, utc_by_default)
{
	struct config c;
	char d[TODAY_LEN];

	config_defaults(&c);
	cr_assert_str_eq(c.clinic_time_zone, "UTC");
	cr_assert_eq(today_zone_set(c.clinic_time_zone), 0);
	today_at(EARLY_NEW_YEARS_DAY, d);
	cr_assert_str_eq(d, "2025-01-01");
}

Test(today, the_clinics_zone_decides_when_a_day_ends)
{
	char d[TODAY_LEN];

	if (!today_zone_ok("America/Los_Angeles") || !today_zone_ok("Asia/Tokyo"))
		cr_skip_test("no tzdata on this machine");
	cr_assert_eq(today_zone_set("America/Los_Angeles"), 0);
	today_at(EARLY_NEW_YEARS_DAY, d);
	cr_assert_str_eq(d, "2024-12-31");
	today_at(LATE_ON_NEW_YEARS_EVE, d);
	cr_assert_str_eq(d, "2024-12-31");
	cr_assert_eq(today_zone_set("Asia/Tokyo"), 0);
	today_at(LATE_ON_NEW_YEARS_EVE, d);
	cr_assert_str_eq(d, "2025-01-01");
}

Test(today, a_name_that_is_no_zone_is_refused_and_changes_nothing)
{
	static const char *const bad[] = {"", "Mars/Olympus_Mons", "../../etc/passwd", "/etc/localtime",
	    "America/../America/Los_Angeles", "UTC; rm", "America/Los Angeles", NULL};
	char d[TODAY_LEN];
	size_t i;

	cr_assert_eq(today_zone_set("UTC"), 0);
	for (i = 0; bad[i] != NULL; i++) {
		cr_expect_not(today_zone_ok(bad[i]), "%s", bad[i]);
		cr_expect_eq(today_zone_set(bad[i]), -1, "%s", bad[i]);
	}
	today_at(EARLY_NEW_YEARS_DAY, d);
	cr_assert_str_eq(d, "2025-01-01");
}

Test(today, the_configuration_checks_the_zone)
{
	struct config c;

	config_defaults(&c);
	cr_assert_eq(config_parse(&c, "clinic_time_zone = UTC\n", "t.conf", err, sizeof(err)), 0, "%s", err);
	cr_assert_neq(config_parse(&c, "clinic_time_zone = Nowhere/Special\n", "t.conf", err, sizeof(err)), 0);
	cr_assert(strstr(err, "t.conf:1: clinic_time_zone must be a time zone") != NULL, "%s", err);
}
