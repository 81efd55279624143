#ifndef LCM_IMPORT_H
#define LCM_IMPORT_H

#include <stddef.h>
#include <stdio.h>

#include "app.h"

struct db;

/*
 * lcm-admin import: a clinic's providers, patients and users from CSV
 * (RFC 4180, a header row naming exactly these columns):
 *   providers  id,name
 *   patients   id,name,primary_provider_id     (empty: none)
 *   users      id,name,email,roles,active      (roles separated by spaces,
 *                                               active 1/0 or true/false)
 * Rows are upserted by id, all or nothing, in one transaction: every bad
 * line is reported first and then nothing is written. The database says
 * which emails and role names are the same (their columns' collation folds
 * case and accents): an email an earlier line or another user holds makes
 * a bad line, and a role is the role its name finds there. A user's roles
 * become exactly the listed ones. Importing a file twice changes nothing.
 */
enum import_kind {
	IMPORT_PROVIDERS,
	IMPORT_PATIENTS,
	IMPORT_USERS,
	IMPORT__MAX
};

/* The kind named s ("providers", "patients", "users"), or -1. */
int import_kind_parse(const char *s);

struct import_counts {
	size_t rows;
	size_t added;
	size_t changed;
	size_t unchanged;
	size_t grants_changed;  /* users: role grants added or removed */
};

/*
 * The checks of import_csv() that need no database: the header, every
 * line's fields, ids given twice and emails given twice byte for byte
 * (import_csv() finds the others the database holds the same). Bad lines
 * go to errs as import_csv() reports them. APP_OK with *rows set when
 * every line is good, APP_EINVAL when one is not (or the file is bad),
 * APP_ENOMEM.
 */
enum app_err import_check(enum import_kind, const char *name, const char *text, size_t len,
    FILE *errs, size_t *rows);

/*
 * Import len bytes of CSV text; name is the file's, for messages, which
 * go to errs as "NAME:LINE: what is wrong", one per bad line. Returns
 * APP_OK with the counts; APP_EINVAL when the file or a line was bad
 * (nothing written); APP_ENOMEM; or a database error.
 */
enum app_err import_csv(struct db *, enum import_kind, const char *name, const char *text,
    size_t len, FILE *errs, struct import_counts *out);

#endif
