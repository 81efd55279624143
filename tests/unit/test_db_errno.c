/*
 * Unit tests for db_errno_class() (lib/db/db.c): which server and client
 * errors are a 503 to try again, and which are the bug a 500 is.
 */
#include <criterion/criterion.h>

#include <errmsg.h>
#include <mysqld_error.h>

#include "db.h"

/*
 * Out of space or resources, read-only: the server cannot write now and
 * may later (issue 20 §6: a full datadir answered keyed writes 500).
 */
Test(db_errno, storage_errors_are_estorage)
{
	static const unsigned storage[] = {
		3,                             /* Error writing file (mysys EE_WRITE) */
		ER_DISK_FULL,                  /* 1021 */
		ER_ERROR_ON_WRITE,             /* 1026 */
		ER_GET_ERRNO,                  /* 1030: Got error 28 from storage engine */
		ER_OPEN_AS_READONLY,           /* 1036 */
		ER_OUTOFMEMORY,                /* 1037 */
		ER_OUT_OF_SORTMEMORY,          /* 1038 */
		ER_OUT_OF_RESOURCES,           /* 1041 */
		ER_RECORD_FILE_FULL,           /* 1114: The table is full */
		ER_ERROR_DURING_COMMIT,        /* 1180 */
		ER_OPTION_PREVENTS_STATEMENT,  /* 1290: --read-only */
		ER_TEMP_FILE_WRITE_FAILURE,    /* 1878 */
	};
	size_t i;

	for (i = 0; i < sizeof(storage) / sizeof(storage[0]); i++)
		cr_expect_eq(db_errno_class(storage[i]), APP_ESTORAGE, "%u: %s", storage[i],
		    app_err_name(db_errno_class(storage[i])));
	cr_expect_eq(app_err_status(APP_ESTORAGE), 503);
}

Test(db_errno, the_other_classes_stay)
{
	cr_expect_eq(db_errno_class(CR_SERVER_LOST), APP_EDBLOST);
	cr_expect_eq(db_errno_class(ER_LOCK_DEADLOCK), APP_ERETRY);
	cr_expect_eq(db_errno_class(ER_LOCK_WAIT_TIMEOUT), APP_ELOCKED);
	cr_expect_eq(db_errno_class(ER_DUP_ENTRY), APP_EDUP);
	cr_expect_eq(db_errno_class(ER_NO_SUCH_TABLE), APP_ESCHEMA);
}

/* A refusal the server has no better word for (a trigger's SIGNAL) is a bug: 500. */
Test(db_errno, negative_a_signal_is_not_storage)
{
	cr_expect_eq(db_errno_class(ER_SIGNAL_EXCEPTION), APP_EDB);
	cr_expect_eq(db_errno_class(ER_PARSE_ERROR), APP_EDB);
	cr_expect_eq(app_err_status(db_errno_class(ER_SIGNAL_EXCEPTION)), 500);
}
