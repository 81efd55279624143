#ifndef LCM_APP_H
#define LCM_APP_H

/*
 * The library's one error type. Every lib/ function that can fail returns
 * one of these; app_err_status() and app_err_message() are the only
 * places that turn them into HTTP.
 */
enum app_err {
	APP_OK = 0,
	APP_ENOMEM,       /* allocation failed */
	APP_EBADJSON,     /* body is not valid JSON or not an object */
	APP_EINVAL,       /* validation failed (422) */
	APP_ENOROUTE,     /* no route for the path (404) */
	APP_ENOROW,       /* no (more) rows: a caller's to turn into its own answer */
	APP_ENOPATIENT,   /* unknown patient */
	APP_ENOCASELOAD,  /* patient has no case load */
	APP_ENOUSER,      /* unknown user */
	APP_ECAPACITY,    /* an assignment would take a user past a caseload limit */
	APP_EAUTHINACTIVE, /* an assignment to a member whose ECM authorization is not active */
	APP_EAUTH,        /* missing, unknown or deactivated token */
	APP_EFORBIDDEN,   /* authenticated, not an admin */
	APP_EMETHOD,      /* known path, wrong method */
	APP_EPRECONDITION, /* If-Match does not match the case load */
	APP_EIDEMBUSY,    /* the Idempotency-Key's first request is still running */
	APP_EIDEMREUSE,   /* the Idempotency-Key was used for another request */
	APP_ETOOBIG,      /* body over the limit */
	APP_ETOOBIG_FILE, /* a file's body (a MIF) over its own limit */
	APP_EMEDIA,       /* Content-Type present and not JSON */
	APP_ECHARSET,     /* JSON in a charset other than UTF-8 */
	APP_EDBLOST,      /* connection to the database lost or absent */
	APP_ERETRY,       /* deadlock: safe to retry at once */
	APP_ELOCKED,      /* lock wait timeout: a row stayed locked too long */
	APP_EDUP,         /* unique key violated */
	APP_EUNAVAIL,     /* database unreachable: try again later */
	APP_EUNKNOWN,     /* a write lost its COMMIT and cannot learn whether it was applied */
	APP_ESTORAGE,     /* the server is out of space or resources (a full disk or table): later */
	APP_EDBLOGIN,     /* the server refused the login or the database */
	APP_ESCHEMA,      /* a table or column is missing: the schema is not up to date */
	APP_EDB,          /* any other database failure: a bug or an outage */
	APP_EINTERNAL,    /* any other server-side failure */
	APP_ERR__MAX
};

/* Request bodies over this many MiB are refused (413). */
#define APP_BODY_MAX_MIB 1
/*
 * A file's (POST .../ecm/mifs: a plan's monthly MIF, base64 in JSON):
 * nginx's client_max_body_size of that location says the same.
 */
#define APP_FILE_BODY_MAX_MIB 16

/* The longest request id (characters) the front end passes on; nginx's has 32. */
#define APP_REQUEST_ID_MAX 64

/* HTTP status for an error; 200 for APP_OK. */
int app_err_status(enum app_err);

/* The client-facing sentence for an error; never internals. */
const char *app_err_message(enum app_err);

/* Short stable name of an error, for logs. */
const char *app_err_name(enum app_err);

#endif
