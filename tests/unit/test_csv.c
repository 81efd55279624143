/*
 * Unit tests for lib/base/csv.c: RFC 4180 records, quoting, line ends, and the
 * line numbers lcm-admin import reports.
 */
#include <stdio.h>
#include <string.h>

#include <criterion/criterion.h>

#include "csv.h"
#include "import.h"

static char err[128];

/* Every record of text as "a|b|c" lines joined by "\n", with "@LINE " before each. */
static void
records(const char *text, size_t len, char *out, size_t outsz, int *rc)
{
	struct csv_record r = {0};
	struct csv c;
	size_t o = 0, i;

	csv_init(&c, text, len);
	out[0] = '\0';
	while ((*rc = csv_next(&c, &r, err, sizeof(err))) == 1) {
		o += (size_t)snprintf(out + o, outsz - o, "%s@%u ", o ? "\n" : "", r.line);
		for (i = 0; i < r.n; i++)
			o += (size_t)snprintf(out + o, outsz - o, "%s%s", i ? "|" : "", r.field[i]);
		cr_assert_lt(o, outsz, "the test's buffer is too small");
	}
	csv_record_free(&r);
}

static void
expect(const char *text, const char *want)
{
	char got[8192];
	int rc;

	records(text, strlen(text), got, sizeof(got), &rc);
	cr_expect_eq(rc, 0, "%s: %s", text, err);
	cr_expect_str_eq(got, want, "input: %s", text);
}

Test(csv, plain_records_lf_and_crlf)
{
	expect("id,name\n1,Ann\n2,Bob\n", "@1 id|name\n@2 1|Ann\n@3 2|Bob");
	expect("id,name\r\n1,Ann\r\n", "@1 id|name\n@2 1|Ann");
	expect("id,name\n1,Ann", "@1 id|name\n@2 1|Ann");
}

Test(csv, empty_fields)
{
	expect("a,,c\n,,\n", "@1 a||c\n@2 ||");
	expect("a,b,\n", "@1 a|b|");
}

Test(csv, quoted_fields_hold_commas_quotes_and_line_ends)
{
	expect("1,\"Doe, John\"\n", "@1 1|Doe, John");
	expect("1,\"say \"\"hi\"\"\"\n", "@1 1|say \"hi\"");
	expect("1,\"two\nlines\"\n2,x\n", "@1 1|two\nlines\n@3 2|x");
	expect("\"\",\"\"\n", "@1 |");
}

Test(csv, byte_order_mark_and_empty_lines_are_skipped)
{
	expect("\xef\xbb\xbfid,name\n\n1,Ann\r\n\r\n\n2,Bob\n\n", "@1 id|name\n@3 1|Ann\n@6 2|Bob");
}

Test(csv, spaces_and_utf8_are_kept)
{
	expect(" a , b \n", "@1  a | b ");
	expect("1,Jos\xc3\xa9\n", "@1 1|Jos\xc3\xa9");
}

Test(csv, lone_cr_is_data)
{
	expect("a\rb,c\n", "@1 a\rb|c");
}

Test(csv, embedded_nul_keeps_its_length)
{
	struct csv_record r = {0};
	struct csv c;
	static const char text[] = "a\0b,c\n";

	csv_init(&c, text, sizeof(text) - 1);
	cr_assert_eq(csv_next(&c, &r, err, sizeof(err)), 1);
	cr_assert_eq(r.n, 2);
	cr_assert_eq(r.len[0], 3);
	cr_assert_eq(memcmp(r.field[0], "a\0b", 3), 0);
	csv_record_free(&r);
}

Test(csv, empty_text_has_no_records)
{
	expect("", "");
	expect("\n\n", "");
}

Test(csv, many_fields_and_long_values_grow)
{
	char text[6000], want[7000];
	size_t o = 0, w = 0;
	int i;

	w += (size_t)snprintf(want, sizeof(want), "@1 ");
	for (i = 0; i < 200; i++) {
		o += (size_t)snprintf(text + o, sizeof(text) - o, "%sf%d", i ? "," : "", i);
		w += (size_t)snprintf(want + w, sizeof(want) - w, "%sf%d", i ? "|" : "", i);
	}
	text[o++] = '\n';
	memset(text + o, 'x', 3000);
	text[o + 3000] = '\0';
	w += (size_t)snprintf(want + w, sizeof(want) - w, "\n@2 ");
	memset(want + w, 'x', 3000);
	want[w + 3000] = '\0';
	expect(text, want);
}

/* TSV: the same rules with a tab between fields; commas are data. */
Test(csv, tsv_separates_by_tabs_and_keeps_commas)
{
	struct csv_record r = {0};
	struct csv c;
	static const char text[] = "a\tb,c\t\"d\te\"\n\tx\t\n";

	csv_init_sep(&c, text, sizeof(text) - 1, '\t');
	cr_assert_eq(csv_next(&c, &r, err, sizeof(err)), 1);
	cr_assert_eq(r.n, 3);
	cr_expect_str_eq(r.field[0], "a");
	cr_expect_str_eq(r.field[1], "b,c");
	cr_expect_str_eq(r.field[2], "d\te");
	cr_assert_eq(csv_next(&c, &r, err, sizeof(err)), 1);
	cr_assert_eq(r.n, 3);
	cr_expect_str_eq(r.field[0], "");
	cr_expect_str_eq(r.field[1], "x");
	cr_expect_str_eq(r.field[2], "");
	cr_assert_eq(csv_next(&c, &r, err, sizeof(err)), 0);
	csv_record_free(&r);
}

Test(csv, tsv_bad_quote_is_refused_as_in_csv)
{
	struct csv_record r = {0};
	struct csv c;
	static const char text[] = "a\tb\n1\tAn\"n\n";

	csv_init_sep(&c, text, sizeof(text) - 1, '\t');
	cr_assert_eq(csv_next(&c, &r, err, sizeof(err)), 1);
	cr_assert_eq(csv_next(&c, &r, err, sizeof(err)), -1);
	cr_expect_str_eq(err, "a quote inside an unquoted field");
	cr_expect_eq(r.line, 2);
	csv_record_free(&r);
}

static void
expect_bad(const char *text, const char *msg, unsigned line)
{
	struct csv_record r = {0};
	struct csv c;
	int rc;

	csv_init(&c, text, strlen(text));
	while ((rc = csv_next(&c, &r, err, sizeof(err))) == 1)
		;
	cr_expect_eq(rc, -1, "%s should be refused", text);
	cr_expect_str_eq(err, msg, "%s", text);
	cr_expect_eq(r.line, line, "%s: line", text);
	csv_record_free(&r);
}

Test(csv, bad_unclosed_quote)
{
	expect_bad("id,name\n1,\"Ann\n2,Bob\n", "a quoted field is not closed", 2);
}

Test(csv, bad_quote_inside_an_unquoted_field)
{
	expect_bad("id,name\n1,An\"n\n", "a quote inside an unquoted field", 2);
}

Test(csv, bad_text_after_a_closing_quote)
{
	expect_bad("a\n\"x\"y,z\n", "text after a closing quote", 2);
}

/* ---- import_check: the import's checks that need no database ------------ */

/* import_check on text: its result, rows into *rows, its report into report. */
static enum app_err
check_import(enum import_kind k, const char *text, size_t *rows, char *report, size_t sz)
{
	FILE *f = fmemopen(report, sz, "w");
	enum app_err rc;

	cr_assert_not_null(f);
	rc = import_check(k, "f.csv", text, strlen(text), f, rows);
	fclose(f);
	return rc;
}

Test(import, check_good_file_counts_rows)
{
	char report[512] = "";
	size_t rows = 9;

	cr_assert_eq(check_import(IMPORT_USERS, "id,name,email,roles,active\r\n"
	    "101,Ada,ada@example.org,ecm admin,1\r\n102,Bo,bo@example.org,,false\r\n",
	    &rows, report, sizeof(report)), APP_OK, "%s", report);
	cr_assert_eq(rows, 2);
	cr_assert_str_eq(report, "");
}

Test(import, check_bad_lines_reported_each)
{
	char report[512] = "";
	size_t rows = 9;

	cr_assert_eq(check_import(IMPORT_PATIENTS, "id,name,primary_provider_id\n1,Ann,\n"
	    "x,Bo,1\n1,Cy,2\n", &rows, report, sizeof(report)), APP_EINVAL);
	cr_assert_eq(rows, 0);
	cr_assert_not_null(strstr(report, "f.csv:3: id must be a positive integer"), "%s", report);
	cr_assert_not_null(strstr(report, "f.csv:4: id 1 is on line 2 already"), "%s", report);
}

/*
 * Without a database only byte-identical emails are known to be the same
 * (import_csv asks the database, whose collation also folds case and
 * accents): the later line names the earlier one.
 */
Test(import, check_same_email_bytes)
{
	char report[512] = "";
	size_t rows = 9;

	cr_assert_eq(check_import(IMPORT_USERS, "id,name,email,roles,active\n"
	    "1,Ann,ann@example.org,,1\n2,Bo,bo@example.org,,1\n3,Cy,ann@example.org,,1\n",
	    &rows, report, sizeof(report)), APP_EINVAL);
	cr_assert_eq(rows, 0);
	cr_assert_not_null(strstr(report, "f.csv:4: email ann@example.org is on line 2 already\n"),
	    "%s", report);
	cr_assert_null(strstr(report, "f.csv:3:"), "%s", report);
}

Test(import, check_bad_header)
{
	char report[512] = "";
	size_t rows = 9;

	cr_assert_eq(check_import(IMPORT_PROVIDERS, "id,nom\n1,x\n", &rows, report,
	    sizeof(report)), APP_EINVAL);
	cr_assert_not_null(strstr(report, "the header must be id,name"), "%s", report);
	cr_assert_eq(check_import(IMPORT__MAX, "id,name\n", &rows, report, sizeof(report)),
	    APP_EINVAL);
}
