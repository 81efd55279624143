/* Unit tests for lib/base/app.c: the one error-to-HTTP mapping. */
#include <string.h>

#include <criterion/criterion.h>

#include "app.h"

struct expected {
	enum app_err e;
	int status;
	const char *message;
	const char *name;
};

/* DECISIONS.md: status and sentence per error. */
static const struct expected table[] = {
	{APP_OK, 200, "OK", "ok"},
	{APP_ENOMEM, 500, "Internal server error", "enomem"},
	{APP_EBADJSON, 400, "Request body must be a JSON object", "ebadjson"},
	{APP_EINVAL, 422, "Request is invalid", "einval"},
	{APP_ENOROUTE, 404, "Not found", "enoroute"},
	{APP_ENOROW, 500, "Internal server error", "enorow"},
	{APP_ENOPATIENT, 404, "Patient not found", "enopatient"},
	{APP_ENOCASELOAD, 404, "Case load not found", "enocaseload"},
	{APP_ENOUSER, 404, "User not found", "enouser"},
	{APP_ECAPACITY, 422, "A user is at capacity", "ecapacity"},
	{APP_EAUTHINACTIVE, 422, "Patient's ECM authorization is not active", "eauthinactive"},
	{APP_EAUTH, 401, "Authentication required", "eauth"},
	{APP_EFORBIDDEN, 403, "Admin access required", "eforbidden"},
	{APP_EMETHOD, 405, "Method not allowed", "emethod"},
	{APP_EPRECONDITION, 412, "Case load has changed since it was read", "eprecondition"},
	{APP_EIDEMBUSY, 409, "A request with this Idempotency-Key is still being processed", "eidembusy"},
	{APP_EIDEMREUSE, 422, "Idempotency-Key was already used for a different request", "eidemreuse"},
	{APP_ETOOBIG, 413, "Request body too large (limit 1 MiB)", "etoobig"},
	{APP_ETOOBIG_FILE, 413, "Request body too large (limit 16 MiB)", "etoobig_file"},
	{APP_EMEDIA, 415, "Content-Type must be application/json", "emedia"},
	{APP_ECHARSET, 415, "JSON must be UTF-8: Content-Type charset must be utf-8", "echarset"},
	{APP_EDBLOST, 503, "Service temporarily unavailable, try again shortly", "edblost"},
	{APP_ERETRY, 503, "Service temporarily unavailable, try again shortly", "eretry"},
	{APP_ELOCKED, 503, "Service temporarily unavailable, try again shortly", "elocked"},
	{APP_EDUP, 500, "Internal server error", "edup"},
	{APP_EUNAVAIL, 503, "Service temporarily unavailable, try again shortly", "eunavail"},
	{APP_EUNKNOWN, 503, "The database stopped answering while this change was being saved: "
	    "it may or may not have been applied. Read it again, or send the same request again "
	    "(with the same Idempotency-Key)", "eunknown"},
	{APP_ESTORAGE, 503, "Service temporarily unavailable: the database is out of space or "
	    "resources, try again later", "estorage"},
	{APP_EDBLOGIN, 500, "Internal server error", "edblogin"},
	{APP_ESCHEMA, 500, "Internal server error", "eschema"},
	{APP_EDB, 500, "Internal server error", "edb"},
	{APP_EINTERNAL, 500, "Internal server error", "einternal"},
};

#define NTABLE (sizeof(table) / sizeof(table[0]))

Test(app, table_covers_every_error)
{
	cr_assert_eq(NTABLE, APP_ERR__MAX);
}

Test(app, status_for_every_error)
{
	size_t i;

	for (i = 0; i < NTABLE; i++)
		cr_expect_eq(app_err_status(table[i].e), table[i].status, "%s: %d, want %d",
		    table[i].name, app_err_status(table[i].e), table[i].status);
}

Test(app, message_for_every_error)
{
	size_t i;

	for (i = 0; i < NTABLE; i++)
		cr_expect_str_eq(app_err_message(table[i].e), table[i].message, "%s",
		    table[i].name);
}

Test(app, name_for_every_error)
{
	size_t i;

	for (i = 0; i < NTABLE; i++)
		cr_expect_str_eq(app_err_name(table[i].e), table[i].name);
}

Test(app, names_are_unique)
{
	int a, b;

	for (a = 0; a < APP_ERR__MAX; a++)
		for (b = a + 1; b < APP_ERR__MAX; b++)
			cr_expect_str_neq(app_err_name((enum app_err)a),
			    app_err_name((enum app_err)b));
}

Test(app, server_error_messages_carry_no_internals)
{
	int e;

	for (e = 0; e < APP_ERR__MAX; e++) {
		const char *m = app_err_message((enum app_err)e);

		cr_expect_not_null(m);
		cr_expect_neq(m[0], '\0', "%s has an empty message", app_err_name((enum app_err)e));
		if (app_err_status((enum app_err)e) == 500)
			cr_expect_str_eq(m, "Internal server error", "%s",
			    app_err_name((enum app_err)e));
	}
}

Test(app, bad_error_out_of_range)
{
	cr_assert_eq(app_err_status(APP_ERR__MAX), 500);
	cr_assert_str_eq(app_err_message(APP_ERR__MAX), "Internal server error");
	cr_assert_str_eq(app_err_name(APP_ERR__MAX), "unknown");
	cr_assert_eq(app_err_status((enum app_err)-1), 500);
	cr_assert_str_eq(app_err_message((enum app_err)-1), "Internal server error");
	cr_assert_str_eq(app_err_name((enum app_err)1000), "unknown");
}
