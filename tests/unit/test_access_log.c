/* Unit tests for lib/care/access_log.c: what needs no database. */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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

/*
 * The action names the worker writes are those the schema's ENUM takes, as
 * the newest migration that redefines it says: an action added without its
 * migration would have every INSERT of a batch refused.
 */
Test(access_log, every_action_is_in_the_schema_enum)
{
	char enumtext[1024] = "", line[1024], quoted[64];
	struct dirent **names;
	int n, i, a, in_enum = 0;
	size_t used = 0;

	n = scandir("db-schema", &names, NULL, alphasort);
	cr_assert_gt(n, 0, "cannot list db-schema (the unit tests run from the repository's root)");
	for (i = 0; i < n; i++) {
		char path[512];
		FILE *f;

		snprintf(path, sizeof(path), "db-schema/%s", names[i]->d_name);
		/* The migrations, NNN_name.sql: not schema.sql, which is generated from them. */
		if (names[i]->d_name[0] >= '0' && names[i]->d_name[0] <= '9' &&
		    strstr(names[i]->d_name, ".sql") != NULL && (f = fopen(path, "r")) != NULL) {
			/* A statement with phi_access_log's action ENUM: from "action ENUM(" to ")". */
			while (fgets(line, sizeof(line), f) != NULL) {
				char *p = strstr(line, "action");

				if (!in_enum && p != NULL && strstr(p, "ENUM(") != NULL) {
					in_enum = 1;
					used = 0;
					enumtext[0] = '\0';
					p = strstr(p, "ENUM(") + 5;
				} else
					p = line;
				if (in_enum) {
					used += (size_t)snprintf(enumtext + used, sizeof(enumtext) - used, "%s", p);
					if (strchr(p, ')') != NULL)
						in_enum = 0;
				}
			}
			fclose(f);
		}
		free(names[i]);
	}
	free(names);
	cr_assert_neq(enumtext[0], '\0', "no action ENUM in db-schema");
	for (a = 0; a < ACCESS__MAX; a++) {
		snprintf(quoted, sizeof(quoted), "'%s'", access_action_name((enum access_action)a));
		cr_expect(strstr(enumtext, quoted) != NULL, "%s is not in the schema's ENUM: %s",
		    quoted, enumtext);
	}
	/* And nothing else: as many quoted names as actions. */
	for (a = 0, i = 0; enumtext[i] != '\0'; i++)
		a += enumtext[i] == '\'';
	cr_expect_eq(a, 2 * ACCESS__MAX, "the schema's ENUM has other names: %s", enumtext);
}
