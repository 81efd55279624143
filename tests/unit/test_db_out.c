/*
 * Unit tests for db_out_check() (lib/db/db_stmt.c): a prepared statement's result
 * columns, as the server describes them, against the catalogue's, by
 * count, name and type; and the catalogue itself (lib/sql.c), whose every
 * column must have a name to be checked by.
 */
#include <string.h>

#include <criterion/criterion.h>
#include <mysql.h>

#include "db.h"
#include "sql.h"

/* A statement of three columns: an id, a name, a time. */
static const struct sql_col three[] = {{'i', "user_id"}, {'s', "user_name"}, {'t', "at"}};
static const struct stmt_def def = {"three", "SELECT ...", "", three, 3, 0};

Test(db_out, columns_of_the_names_and_types_listed_match)
{
	const struct db_field f[] = {
		{"user_id", MYSQL_TYPE_LONGLONG}, {"user_name", MYSQL_TYPE_VAR_STRING},
		{"at", MYSQL_TYPE_DATETIME},
	};
	char msg[256] = "";

	cr_assert_eq(db_out_check(&def, f, 3, msg, sizeof(msg)), 0);
	cr_assert_str_empty(msg);
}

/* The case: two columns of one type swapped in the SELECT. */
Test(db_out, two_columns_of_one_type_swapped_are_refused_by_name)
{
	static const struct sql_col ids[] = {{'i', "started_by"}, {'i', "ended_by"}};
	const struct stmt_def d = {"periods", "SELECT ...", "", ids, 2, 0};
	const struct db_field f[] = {{"ended_by", MYSQL_TYPE_LONGLONG}, {"started_by", MYSQL_TYPE_LONGLONG}};
	char msg[256] = "";

	cr_assert_eq(db_out_check(&d, f, 2, msg, sizeof(msg)), -1);
	cr_assert_str_eq(msg, "column 1 is named \"ended_by\", the catalogue says \"started_by\"");
}

Test(db_out, a_later_column_renamed_is_named_with_its_position_from_1)
{
	const struct db_field f[] = {
		{"user_id", MYSQL_TYPE_LONGLONG}, {"user_name", MYSQL_TYPE_VAR_STRING},
		{"created_at", MYSQL_TYPE_DATETIME},
	};
	char msg[256];

	cr_assert_eq(db_out_check(&def, f, 3, msg, sizeof(msg)), -1);
	cr_assert_str_eq(msg, "column 3 is named \"created_at\", the catalogue says \"at\"");
}

/* The server's name as it gives it: an expression without its alias is not the alias. */
Test(db_out, names_compare_exactly)
{
	const char *names[] = {"User_id", "user_id ", "user", "user_idx", "", "IFNULL(user_id, 0)"};
	struct db_field f[] = {
		{NULL, MYSQL_TYPE_LONGLONG}, {"user_name", MYSQL_TYPE_VAR_STRING},
		{"at", MYSQL_TYPE_DATETIME},
	};
	char msg[256];
	size_t i;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		f[0].name = names[i];
		cr_expect_eq(db_out_check(&def, f, 3, msg, sizeof(msg)), -1, "%s", names[i]);
		cr_expect(strncmp(msg, "column 1 is named ", 18) == 0, "%s: %s", names[i], msg);
	}
	f[0].name = NULL;
	cr_expect_eq(db_out_check(&def, f, 3, msg, sizeof(msg)), -1);
}

Test(db_out, a_column_more_or_fewer_is_refused_by_count)
{
	const struct db_field f[] = {
		{"user_id", MYSQL_TYPE_LONGLONG}, {"user_name", MYSQL_TYPE_VAR_STRING},
		{"at", MYSQL_TYPE_DATETIME}, {"extra", MYSQL_TYPE_LONGLONG},
	};
	char msg[256];

	cr_assert_eq(db_out_check(&def, f, 4, msg, sizeof(msg)), -1);
	cr_assert_str_eq(msg, "4 result columns, the catalogue says 3");
	cr_assert_eq(db_out_check(&def, f, 2, msg, sizeof(msg)), -1);
	cr_assert_str_eq(msg, "2 result columns, the catalogue says 3");
}

Test(db_out, a_column_of_the_right_name_and_wrong_type_is_refused)
{
	const struct db_field f[] = {
		{"user_id", MYSQL_TYPE_LONGLONG}, {"user_name", MYSQL_TYPE_VAR_STRING},
		{"at", MYSQL_TYPE_VAR_STRING},
	};
	char msg[256];

	cr_assert_eq(db_out_check(&def, f, 3, msg, sizeof(msg)), -1);
	cr_assert_str_eq(msg, "column 3 (\"at\") is of type 253, the catalogue says 't'");
}

/* NULL (an expression of no type, or an outer join's) fits any letter. */
Test(db_out, types_each_letter_accepts)
{
	const struct db_field f[] = {
		{"user_id", MYSQL_TYPE_TINY}, {"user_name", MYSQL_TYPE_BLOB}, {"at", MYSQL_TYPE_NULL},
	};
	char msg[256];

	cr_assert_eq(db_out_check(&def, f, 3, msg, sizeof(msg)), 0, "%s", msg);
}

Test(db_out, a_statement_without_a_result)
{
	const struct stmt_def none = {"none", "UPDATE ...", "i", NULL, 0, 0};
	const struct db_field f[] = {{"n", MYSQL_TYPE_LONGLONG}};
	char msg[256];

	cr_assert_eq(db_out_check(&none, NULL, 0, msg, sizeof(msg)), 0);
	cr_assert_eq(db_out_check(&none, f, 1, msg, sizeof(msg)), -1);
	cr_assert_str_eq(msg, "1 result columns, the catalogue says 0");
}

Test(db_out, a_long_name_is_cut_and_the_message_fits)
{
	char name[300], msg[64];
	struct db_field f[] = {
		{name, MYSQL_TYPE_LONGLONG}, {"user_name", MYSQL_TYPE_VAR_STRING},
		{"at", MYSQL_TYPE_DATETIME},
	};

	memset(name, 'x', sizeof(name) - 1);
	name[sizeof(name) - 1] = '\0';
	cr_assert_eq(db_out_check(&def, f, 3, msg, sizeof(msg)), -1);
	cr_assert_eq(strlen(msg), sizeof(msg) - 1);
}

/*
 * Every column of the catalogue has a type letter and a name, unique in
 * its statement: a column an enum of sql.h skips (a hole in the
 * designated list) or two of one name would leave one unchecked.
 */
Test(db_out, every_catalogue_column_has_a_type_and_a_name_of_its_own)
{
	const struct stmt_def *d;
	unsigned i, j;
	int s;

	for (s = 0; s < STMT__MAX; s++) {
		d = &sql_stmts[s];
		cr_assert_not_null(d->name, "statement %d has no name", s);
		cr_expect_eq(d->out == NULL, d->nout == 0, "%s: out and nout disagree", d->name);
		for (i = 0; i < d->nout; i++) {
			cr_expect(d->out[i].type != '\0' && strchr("ist", d->out[i].type) != NULL,
			    "%s: column %u has no type", d->name, i + 1);
			cr_expect(d->out[i].name != NULL && d->out[i].name[0] != '\0',
			    "%s: column %u has no name", d->name, i + 1);
			for (j = 0; d->out[i].name != NULL && j < i; j++)
				cr_expect(d->out[j].name == NULL || strcmp(d->out[i].name, d->out[j].name) != 0,
				    "%s: columns %u and %u are both named %s", d->name, j + 1, i + 1,
				    d->out[i].name);
		}
	}
}
