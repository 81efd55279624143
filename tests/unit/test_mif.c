/*
 * Unit tests for lib/care/mif.c: reading a health plan's Member
 * Information File (CSV or TSV) and everything checked without a
 * database; negative cases are named bad_*. The CSV reader's own hostile
 * cases (test_csv.c) are refused here too, by line.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <criterion/criterion.h>

#include "member.h"
#include "mif.h"

#define HEAD "MEMBER_ID,FIRST_NAME,LAST_NAME"
#define FULL_HEAD "MEMBER_ID,CIN,FIRST_NAME,LAST_NAME,DOB,ACUITY_LEVEL,ECM_SERVICE_AUTH_ID," \
	"ECM_BENEFIT_AUTH_EFF_DATE,ECM_BENEFIT_AUTH_END_DATE,MEMBER_RECORD_STATUS,PROVIDER_ID"

static struct mif_file file;
static struct mif_problems probs;
static char report[16384];

static void
teardown(void)
{
	mif_file_free(&file);
	mif_problems_free(&probs);
}

TestSuite(mif, .fini = teardown);

/* Read text (sep ','), today 2025-06-30; the problems as "LINE: msg" lines into report. */
static enum app_err
read_sep(const char *text, char sep)
{
	enum app_err rc;
	size_t i, o = 0;

	mif_file_free(&file);
	mif_problems_free(&probs);
	rc = mif_read(text, strlen(text), sep, "2025-06-30", &file, &probs);
	report[0] = '\0';
	for (i = 0; i < probs.n && o < sizeof(report); i++)
		o += (size_t)snprintf(report + o, sizeof(report) - o, "%s%u: %s", i ? "\n" : "",
		    probs.v[i].line, probs.v[i].msg);
	return rc;
}

static enum app_err
read_csv(const char *text)
{
	return read_sep(text, ',');
}

/* text is refused with exactly these problems. */
static void
expect_bad(const char *text, const char *want)
{
	cr_expect_eq(read_csv(text), APP_EINVAL, "%s should be refused", text);
	cr_expect_str_eq(report, want, "input: %s", text);
}

Test(mif, full_line_read_as_the_member)
{
	const struct mif_member *m;

	cr_assert_eq(read_csv(FULL_HEAD "\nMEM0000000001,CIN123456,John,Doe,02-29-1960,high,"
	    "AUTH123456,01-01-2024,12-31-2024,new_member,456\n"), APP_OK, "%s", report);
	cr_assert_eq(file.n, 1);
	for (int c = 0; c < MIF_COL__MAX; c++)
		cr_expect(file.has[c], "%s", mif_col_names[c]);
	m = &file.rows[0];
	cr_expect_eq(m->line, 2);
	cr_expect_str_eq(m->member_id, "MEM0000000001");
	cr_expect_str_eq(m->cin, "CIN123456");
	cr_expect_str_eq(m->name, "John Doe");
	cr_expect_str_eq(m->dob, "1960-02-29");
	cr_expect_str_eq(m->acuity, "high");
	cr_expect_str_eq(m->service_auth_id, "AUTH123456");
	cr_expect_str_eq(m->auth_eff, "2024-01-01");
	cr_expect_str_eq(m->auth_end, "2024-12-31");
	cr_expect_str_eq(m->status, "new_member");
	cr_expect_eq(m->provider_id, 456);
}

Test(mif, only_the_required_columns)
{
	const struct mif_member *m;

	cr_assert_eq(read_csv(HEAD "\nM1,Ann,Lee\nM2,Bob,Roe\n"), APP_OK, "%s", report);
	cr_assert_eq(file.n, 2);
	cr_expect(file.has[MIF_MEMBER_ID] && file.has[MIF_FIRST_NAME] && file.has[MIF_LAST_NAME]);
	cr_expect(!file.has[MIF_CIN] && !file.has[MIF_ACUITY_LEVEL] && !file.has[MIF_PROVIDER_ID]);
	m = &file.rows[1];
	cr_expect_str_eq(m->name, "Bob Roe");
	cr_expect_null(m->cin);
	cr_expect_null(m->acuity);
	cr_expect_str_eq(m->dob, "");
	cr_expect_eq(m->provider_id, 0);
}

Test(mif, header_names_in_any_case_and_order_unknown_columns_ignored)
{
	const struct mif_member *m;

	cr_assert_eq(read_csv("plan_code, last_name ,Member_Id,first_name,Acuity_Level,ZIP\n"
	    "X9,Lee,M1,Ann,MEDIUM,90210\n"), APP_OK, "%s", report);
	cr_assert_eq(file.n, 1);
	m = &file.rows[0];
	cr_expect_str_eq(m->member_id, "M1");
	cr_expect_str_eq(m->name, "Ann Lee");
	cr_expect_str_eq(m->acuity, "medium");
}

Test(mif, tsv_with_commas_in_fields)
{
	cr_assert_eq(read_sep("MEMBER_ID\tFIRST_NAME\tLAST_NAME\tACUITY_LEVEL\n"
	    "M1\tMary Ann\tSmith, Jr.\tLow\r\n", '\t'), APP_OK, "%s", report);
	cr_assert_eq(file.n, 1);
	cr_expect_str_eq(file.rows[0].name, "Mary Ann Smith, Jr.");
	cr_expect_str_eq(file.rows[0].acuity, "low");
}

Test(mif, bom_crlf_quotes_spaces_and_empty_cells)
{
	const struct mif_member *m;

	cr_assert_eq(read_csv("\xef\xbb\xbf" FULL_HEAD "\r\n"
	    " M1 ,,\"Jos\xc3\xa9\",\" O'Neil \",,,,,,,\r\n\r\n"), APP_OK, "%s", report);
	cr_assert_eq(file.n, 1);
	m = &file.rows[0];
	cr_expect_str_eq(m->member_id, "M1");
	cr_expect_str_eq(m->name, "Jos\xc3\xa9 O'Neil");
	cr_expect_null(m->cin);
	cr_expect_null(m->service_auth_id);
	cr_expect_null(m->status);
	cr_expect_str_eq(m->auth_eff, "");
	cr_expect_eq(m->provider_id, 0);
}

Test(mif, a_start_without_an_end_is_open)
{
	cr_assert_eq(read_csv(HEAD ",ECM_BENEFIT_AUTH_EFF_DATE,ECM_BENEFIT_AUTH_END_DATE\n"
	    "M1,Ann,Lee,03-01-2025,\nM2,Bob,Roe,03-01-2025,03-01-2025\n"), APP_OK, "%s", report);
	cr_expect_str_eq(file.rows[0].auth_end, "");
	cr_expect_str_eq(file.rows[1].auth_end, "2025-03-01");
}

/* ---- bad files ----------------------------------------------------------- */

Test(mif, bad_empty_file)
{
	expect_bad("", "1: the file is empty: it needs a header row naming MEMBER_ID, FIRST_NAME "
	    "and LAST_NAME");
	expect_bad("\n\r\n", "1: the file is empty: it needs a header row naming MEMBER_ID, "
	    "FIRST_NAME and LAST_NAME");
}

Test(mif, bad_header_only)
{
	expect_bad(FULL_HEAD "\n", "1: the file has a header and no member lines");
}

Test(mif, bad_missing_required_columns)
{
	expect_bad("MEMBER_ID,NAME\nM1,Ann Lee\n",
	    "1: the header has no FIRST_NAME column\n1: the header has no LAST_NAME column");
	expect_bad("FIRST_NAME,LAST_NAME\nAnn,Lee\n", "1: the header has no MEMBER_ID column");
}

Test(mif, bad_column_named_twice)
{
	expect_bad(HEAD ",member_id\nM1,Ann,Lee,M2\n",
	    "1: the header names MEMBER_ID twice (columns 1 and 4)");
}

Test(mif, bad_one_authorization_date_column_without_the_other)
{
	expect_bad(HEAD ",ECM_BENEFIT_AUTH_END_DATE\nM1,Ann,Lee,01-01-2025\n",
	    "1: the header names ECM_BENEFIT_AUTH_END_DATE without ECM_BENEFIT_AUTH_EFF_DATE");
}

/* The CSV reader's hostile cases: the line it stopped at. */
Test(mif, bad_csv_syntax_by_line)
{
	expect_bad(HEAD "\nM1,Ann,Lee\nM2,\"Bob,Roe\n", "3: a quoted field is not closed");
	expect_bad(HEAD "\nM1,An\"n,Lee\n", "2: a quote inside an unquoted field");
	expect_bad(HEAD "\nM1,\"Ann\"x,Lee\n", "2: text after a closing quote");
}

/* ---- bad lines: each problem by its line, nothing kept as good ------------ */

Test(mif, bad_dates_in_the_wrong_format)
{
	expect_bad(HEAD ",DOB,ECM_BENEFIT_AUTH_EFF_DATE,ECM_BENEFIT_AUTH_END_DATE\n"
	    "M1,Ann,Lee,1960-01-31,01/01/2024,12-31-24\n"
	    "M2,Bob,Roe,02-30-1960,13-01-2024,12-31-2024\n",
	    "2: DOB must be a date as MM-DD-YYYY\n"
	    "2: ECM_BENEFIT_AUTH_EFF_DATE must be a date as MM-DD-YYYY\n"
	    "2: ECM_BENEFIT_AUTH_END_DATE must be a date as MM-DD-YYYY\n"
	    "3: DOB must be a date as MM-DD-YYYY\n"
	    "3: ECM_BENEFIT_AUTH_EFF_DATE must be a date as MM-DD-YYYY");
}

Test(mif, bad_end_before_start_and_end_without_start)
{
	expect_bad(HEAD ",ECM_BENEFIT_AUTH_EFF_DATE,ECM_BENEFIT_AUTH_END_DATE\n"
	    "M1,Ann,Lee,12-31-2024,01-01-2024\nM2,Bob,Roe,,12-31-2024\n",
	    "2: ECM_BENEFIT_AUTH_END_DATE is before ECM_BENEFIT_AUTH_EFF_DATE\n"
	    "3: ECM_BENEFIT_AUTH_END_DATE needs an ECM_BENEFIT_AUTH_EFF_DATE");
}

Test(mif, bad_unknown_acuity_and_status)
{
	expect_bad(HEAD ",ACUITY_LEVEL,MEMBER_RECORD_STATUS\nM1,Ann,Lee,severe,new\n"
	    "M2,Bob,Roe,hi gh,New_Member\n",
	    "2: ACUITY_LEVEL must be low, medium or high\n"
	    "2: MEMBER_RECORD_STATUS must be new_member, existing_member, updated_member or "
	    "terminated_member\n"
	    "3: ACUITY_LEVEL must be low, medium or high");
}

Test(mif, bad_duplicate_member_in_one_file)
{
	expect_bad(HEAD "\nM1,Ann,Lee\nM2,Bob,Roe\nM1,Ann,Lee\nM2,Bob,Roe\nM1,Ann,Leigh\n",
	    "4: MEMBER_ID M1 is on line 2 already\n5: MEMBER_ID M2 is on line 3 already\n"
	    "6: MEMBER_ID M1 is on line 2 already");
}

Test(mif, bad_required_cells_empty)
{
	expect_bad(HEAD "\n,Ann,Lee\nM2, ,Roe\nM3,Cy,\n",
	    "2: MEMBER_ID is required\n3: FIRST_NAME is required\n4: LAST_NAME is required");
}

Test(mif, bad_ids_with_spaces_or_too_long)
{
	char text[512];

	expect_bad(HEAD ",CIN,ECM_SERVICE_AUTH_ID\nM 1,Ann,Lee,C\xc3\xa9,A\x01\n",
	    "2: MEMBER_ID must be 1 to 64 letters, digits or punctuation (no spaces)\n"
	    "2: CIN must be 1 to 64 letters, digits or punctuation (no spaces)\n"
	    "2: ECM_SERVICE_AUTH_ID must be 1 to 64 letters, digits or punctuation (no spaces)");
	snprintf(text, sizeof(text), HEAD "\n%065d,Ann,Lee\n%064d,Bob,Roe\n", 1, 2);
	expect_bad(text, "2: MEMBER_ID must be 1 to 64 letters, digits or punctuation (no spaces)");
}

Test(mif, bad_names_not_text_or_too_long)
{
	char text[1024], first[151], last[151];

	expect_bad(HEAD "\nM1,A\xff,Lee\nM2,Bob,R\toe\n",
	    "2: FIRST_NAME must be UTF-8 text without control characters\n"
	    "3: LAST_NAME must be UTF-8 text without control characters");
	memset(first, 'a', 100);
	first[100] = '\0';
	memset(last, 'b', 100);
	last[100] = '\0';
	snprintf(text, sizeof(text), HEAD "\nM1,%s,%s\n", first, last);
	expect_bad(text, "2: FIRST_NAME and LAST_NAME make a name of more than 200 characters");
	last[99] = '\0';
	snprintf(text, sizeof(text), HEAD "\nM1,%s,%s\n", first, last);
	cr_expect_eq(read_csv(text), APP_OK, "200 characters: %s", report);
}

Test(mif, bad_nul_in_a_field)
{
	static const char text[] = HEAD "\nM1,A\0n,Lee\n";

	cr_expect_eq(mif_read(text, sizeof(text) - 1, ',', NULL, &file, &probs), APP_EINVAL);
	cr_assert_eq(probs.n, 1);
	cr_expect_str_eq(probs.v[0].msg, "FIRST_NAME must be UTF-8 text without control characters");
}

Test(mif, bad_dob_after_today_and_bad_provider)
{
	expect_bad(HEAD ",DOB,PROVIDER_ID\nM1,Ann,Lee,07-01-2025,0\nM2,Bob,Roe,06-30-2025,4x\n"
	    "M3,Cy,Ng,06-30-2025,456\n",
	    "2: DOB is after today\n2: PROVIDER_ID must be a positive integer\n"
	    "3: PROVIDER_ID must be a positive integer");
}

Test(mif, bad_field_count)
{
	expect_bad(HEAD "\nM1,Ann\nM2,Bob,Roe,extra\nM3,Cy,Ng\n",
	    "2: 2 fields, the header has 3\n3: 4 fields, the header has 3");
}

Test(mif, bad_lines_past_the_cap_are_counted)
{
	size_t n = MIF_PROBLEMS_MAX + 50, i, o = 0, sz = n * 16 + 64;
	char *text = malloc(sz);

	cr_assert_not_null(text);
	o += (size_t)snprintf(text + o, sz - o, HEAD ",ACUITY_LEVEL\n");
	for (i = 0; i < n; i++)
		o += (size_t)snprintf(text + o, sz - o, "M%zu,A,B,x\n", i);
	cr_expect_eq(read_csv(text), APP_EINVAL);
	cr_expect_eq(probs.n, MIF_PROBLEMS_MAX);
	cr_expect_eq(probs.more, 50);
	cr_expect_eq(probs.v[0].line, 2);
	cr_expect_eq(probs.v[MIF_PROBLEMS_MAX - 1].line, MIF_PROBLEMS_MAX + 1);
	free(text);
}

Test(mif, problems_added_later_sort_by_line)
{
	cr_assert_eq(read_csv(HEAD "\nM1,Ann,Lee\nM2,Bob,Roe\n"), APP_OK);
	cr_assert_eq(mif_problem_add(&probs, 3, "third"), 0);
	cr_assert_eq(mif_problem_add(&probs, 2, "second"), 0);
	cr_assert_eq(mif_problem_add(&probs, 3, "third again"), 0);
	mif_problems_sort(&probs);
	cr_assert_eq(probs.n, 3);
	cr_expect_str_eq(probs.v[0].msg, "second");
	cr_expect_str_eq(probs.v[1].msg, "third");
	cr_expect_str_eq(probs.v[2].msg, "third again");
}

Test(mif, separator_from_the_first_line)
{
	cr_expect_eq(mif_separator("A,B,C\n", 6), ',');
	cr_expect_eq(mif_separator("A\tB,C\n", 7), '\t');
	cr_expect_eq(mif_separator("A,B\nC\tD\n", 9), ',', "a tab on a later line is data");
	cr_expect_eq(mif_separator("MEMBER_ID\tFIRST_NAME", 20), '\t', "one line, no end");
	cr_expect_eq(mif_separator("", 0), ',');
}

Test(mif, bad_more_members_than_one_file_may_hold)
{
	size_t n = MIF_MEMBERS_MAX + 1, i, o = 0, sz = n * 24 + 64;
	char *text = malloc(sz);

	cr_assert_not_null(text);
	o += (size_t)snprintf(text + o, sz - o, HEAD "\n");
	for (i = 0; i < n; i++)
		o += (size_t)snprintf(text + o, sz - o, "M%zu,A,B\n", i);
	cr_expect_eq(read_csv(text), APP_EINVAL);
	cr_expect_str_eq(report, "100002: the file has more than 100000 member lines: import it in "
	    "parts");
	/* One fewer is a file. */
	text[o - 1] = '\0';
	*strrchr(text, '\n') = '\0';
	cr_expect_eq(read_csv(text), APP_OK, "%s", report);
	cr_expect_eq(file.n, MIF_MEMBERS_MAX);
	free(text);
}

Test(member, authorization_on_a_day_both_ends_included)
{
	struct ecm_member m = {.present = 1, .member_id = "M1", .auth_eff_date = "2024-01-01",
	    .auth_end_date = "2024-12-31"};
	struct ecm_member open = {.present = 1, .member_id = "M2", .auth_eff_date = "2024-01-01"};
	struct ecm_member none = {.present = 1, .member_id = "M3"};
	struct ecm_member nobody = {0};

	cr_assert_eq(member_auth_on(&m, "2023-12-31"), AUTH_NOT_STARTED);
	cr_assert_eq(member_auth_on(&m, "2024-01-01"), AUTH_ACTIVE);
	cr_assert_eq(member_auth_on(&m, "2024-12-31"), AUTH_ACTIVE);
	cr_assert_eq(member_auth_on(&m, "2025-01-01"), AUTH_ENDED);
	cr_assert_eq(member_auth_on(&open, "2099-01-01"), AUTH_ACTIVE);
	cr_assert_eq(member_auth_on(&none, "2024-06-01"), AUTH_NONE);
	cr_assert_eq(member_auth_on(&nobody, "2024-06-01"), AUTH_NONE);
	cr_assert_str_eq(member_auth_name(AUTH_NOT_STARTED), "not_started");
	cr_assert_str_eq(member_auth_name(AUTH_ACTIVE), "active");
	cr_assert_str_eq(member_auth_name(AUTH_ENDED), "ended");
	cr_assert_null(member_auth_name(AUTH_NONE));
}
