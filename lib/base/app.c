#include "app.h"

#define STR_(x) #x
#define STR(x) STR_(x)

static const struct {
	int status;
	const char *message;
	const char *name;
} errs[APP_ERR__MAX] = {
	[APP_OK] = {200, "OK", "ok"},
	[APP_ENOMEM] = {500, "Internal server error", "enomem"},
	[APP_EBADJSON] = {400, "Request body must be a JSON object", "ebadjson"},
	[APP_EINVAL] = {422, "Request is invalid", "einval"},
	[APP_ENOROUTE] = {404, "Not found", "enoroute"},
	[APP_ENOROW] = {500, "Internal server error", "enorow"},
	[APP_ENOPATIENT] = {404, "Patient not found", "enopatient"},
	[APP_ENOCASELOAD] = {404, "Case load not found", "enocaseload"},
	[APP_ENOUSER] = {404, "User not found", "enouser"},
	[APP_ECAPACITY] = {422, "A user is at capacity", "ecapacity"},
	[APP_EAUTHINACTIVE] = {422, "Patient's ECM authorization is not active", "eauthinactive"},
	[APP_EAUTH] = {401, "Authentication required", "eauth"},
	[APP_EFORBIDDEN] = {403, "Admin access required", "eforbidden"},
	[APP_EMETHOD] = {405, "Method not allowed", "emethod"},
	[APP_EPRECONDITION] = {412, "Case load has changed since it was read", "eprecondition"},
	[APP_EIDEMBUSY] = {409, "A request with this Idempotency-Key is still being processed",
	    "eidembusy"},
	[APP_EIDEMREUSE] = {422, "Idempotency-Key was already used for a different request",
	    "eidemreuse"},
	[APP_ETOOBIG] = {413, "Request body too large (limit " STR(APP_BODY_MAX_MIB) " MiB)", "etoobig"},
	[APP_ETOOBIG_FILE] = {413, "Request body too large (limit " STR(APP_FILE_BODY_MAX_MIB) " MiB)",
	    "etoobig_file"},
	[APP_EMEDIA] = {415, "Content-Type must be application/json", "emedia"},
	[APP_ECHARSET] = {415, "JSON must be UTF-8: Content-Type charset must be utf-8", "echarset"},
	[APP_EDBLOST] = {503, "Service temporarily unavailable, try again shortly", "edblost"},
	[APP_ERETRY] = {503, "Service temporarily unavailable, try again shortly", "eretry"},
	[APP_ELOCKED] = {503, "Service temporarily unavailable, try again shortly", "elocked"},
	[APP_EDUP] = {500, "Internal server error", "edup"},
	[APP_EUNAVAIL] = {503, "Service temporarily unavailable, try again shortly", "eunavail"},
	[APP_EUNKNOWN] = {503, "The database stopped answering while this change was being saved: "
	    "it may or may not have been applied. Read it again, or send the same request again "
	    "(with the same Idempotency-Key)", "eunknown"},
	[APP_ESTORAGE] = {503, "Service temporarily unavailable: the database is out of space or "
	    "resources, try again later", "estorage"},
	[APP_EDBLOGIN] = {500, "Internal server error", "edblogin"},
	[APP_ESCHEMA] = {500, "Internal server error", "eschema"},
	[APP_EDB] = {500, "Internal server error", "edb"},
	[APP_EINTERNAL] = {500, "Internal server error", "einternal"},
};

int
app_err_status(enum app_err e)
{
	return (unsigned)e < APP_ERR__MAX ? errs[e].status : 500;
}

const char *
app_err_message(enum app_err e)
{
	return (unsigned)e < APP_ERR__MAX ? errs[e].message : "Internal server error";
}

const char *
app_err_name(enum app_err e)
{
	return (unsigned)e < APP_ERR__MAX ? errs[e].name : "unknown";
}
