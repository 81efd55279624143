#ifndef LCM_MIF_H
#define LCM_MIF_H

#include <stddef.h>
#include <stdint.h>

#include "app.h"

struct db;
struct lcm_actor;

/*
 * A health plan's Member Information File (MIF): the ECM members it
 * assigned to the clinic, one line each, CSV or TSV with a header row.
 * Column names are compared regardless of case (and of spaces around
 * them); columns the service does not read are ignored, a plan's real
 * file has dozens. The columns read:
 *
 *   MEMBER_ID (required)     the plan's id of the member: the key
 *   FIRST_NAME, LAST_NAME (required)   the patient's name is "First Last"
 *   CIN, ECM_SERVICE_AUTH_ID, DOB, ACUITY_LEVEL,
 *   ECM_BENEFIT_AUTH_EFF_DATE, ECM_BENEFIT_AUTH_END_DATE (both or neither),
 *   MEMBER_RECORD_STATUS, PROVIDER_ID (the primary provider, which must exist)
 *
 * Dates are MM-DD-YYYY. An empty cell is "none"; a column the file lacks
 * leaves that fact of a known member as it is. mif.c reads and checks a
 * file (no database), mif_import.c writes it.
 */

#define MIF_ID_MAX     64     /* MEMBER_ID, CIN, ECM_SERVICE_AUTH_ID: bytes of visible ASCII */
#define MIF_NAME_MAX   200    /* characters of "First Last", as patients.name */
/* Problems kept for the answer; past them, one line says how many more. */
#define MIF_PROBLEMS_MAX 1000
/*
 * Members in one file at most (a clinic's monthly MIF holds thousands): an
 * import of them all runs well within the 60 s nginx gives a request.
 */
#define MIF_MEMBERS_MAX 100000

enum mif_col {
	MIF_MEMBER_ID,
	MIF_CIN,
	MIF_FIRST_NAME,
	MIF_LAST_NAME,
	MIF_DOB,
	MIF_ACUITY_LEVEL,
	MIF_SERVICE_AUTH_ID,
	MIF_AUTH_EFF_DATE,
	MIF_AUTH_END_DATE,
	MIF_RECORD_STATUS,
	MIF_PROVIDER_ID,
	MIF_COL__MAX
};

/* The header's names of the columns ("MEMBER_ID", ...). */
extern const char *const mif_col_names[MIF_COL__MAX];

/*
 * Non-zero when s (n bytes) is an id as the plans write them: 1 to
 * MIF_ID_MAX bytes of visible ASCII (0x21-0x7e), as ecm_members keeps them.
 */
int mif_id_ok(const char *s, size_t n);

/* The acuity levels and the member record statuses, NULL-terminated. */
extern const char *const mif_acuity_levels[];
extern const char *const mif_record_statuses[];

/* One member as a line of the file gives it; NULL or "" for none. */
struct mif_member {
	unsigned line;
	char *member_id;
	char *name;               /* "First Last" */
	char *cin;
	char *service_auth_id;
	char dob[11];             /* YYYY-MM-DD */
	char auth_eff[11];
	char auth_end[11];
	const char *acuity;       /* one of mif_acuity_levels */
	const char *status;       /* one of mif_record_statuses */
	int64_t provider_id;      /* 0: none */
	int bad;                  /* the line has a problem */
};

/* What is wrong with a line (line 1 is the header: the file as a whole). */
struct mif_problem {
	unsigned line;
	size_t seq;               /* the order it was found in */
	char msg[200];
};

struct mif_problems {
	struct mif_problem *v;    /* the first MIF_PROBLEMS_MAX found */
	size_t n, cap;
	size_t more;              /* problems found past those */
};

/* Release the problems' storage; safe to call twice. */
void mif_problems_free(struct mif_problems *);

struct mif_file {
	int has[MIF_COL__MAX];    /* the header names the column */
	struct mif_member *rows;  /* every member line, in line order (bad set on the bad) */
	size_t n, cap;
	size_t lines;             /* member lines read, good or bad */
};

/* Release the file's storage; safe to call twice. */
void mif_file_free(struct mif_file *);

/*
 * Read len bytes of a MIF, fields separated by sep (',' or '\t'), into
 * f, checking everything that needs no database: the header, every
 * line's fields, a member given on two lines (the later line is bad), a
 * DOB after today ("YYYY-MM-DD"; NULL: not checked), more than
 * MIF_MEMBERS_MAX members. Each problem goes to probs, by line. APP_OK when every line is good and there is at least
 * one; APP_EINVAL when the file or a line is not (probs says why: an
 * empty file and a header without lines are bad too); APP_ENOMEM.
 */
enum app_err mif_read(const char *text, size_t len, char sep, const char *today,
    struct mif_file *f, struct mif_problems *probs);

/*
 * The separator of a file whose type nobody said (lcm-admin import mif):
 * '\t' when its first line holds a tab, else ','.
 */
char mif_separator(const char *text, size_t len);

/* Add a problem of line to probs (kept while there is room, else counted). -1 on ENOMEM. */
int mif_problem_add(struct mif_problems *, unsigned line, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Sort the problems kept by line, keeping each line's in the order they came. */
void mif_problems_sort(struct mif_problems *);

/* What an import did. */
struct mif_counts {
	size_t rows;              /* members in the file */
	size_t imported;          /* new members: new patients */
	size_t updated;           /* known members whose facts changed */
	size_t unchanged;         /* known members as the file has them already */
};

/*
 * Import a MIF: read it (mif_read()), check that every primary provider
 * exists, then upsert every member by MEMBER_ID in one transaction, all or
 * nothing: a new member becomes a patient (its id the next after the
 * highest patient id), a known one has its patient's name and provider
 * and its facts updated. Each member added or changed writes one row of
 * its member history (ecm_member_activities: the fields that changed,
 * from and to) in the same transaction, tagged with who->request_id, by
 * who->user_id (0: an operator, lcm-admin), from source ("api" or
 * "lcm-admin"). A file that changes nothing writes nothing (under a key,
 * the key's answer only). Every member of the file is noted in the PHI
 * access log (ACCESS_MIF_IMPORT) once the import is done.
 *
 * Returns APP_OK with out set; APP_EINVAL with probs saying why, nothing
 * written; or a failure of the write as lcm_transfer_run()'s (APP_ERETRY,
 * APP_ELOCKED, APP_EDBLOST, APP_EUNKNOWN, APP_EDB), APP_ENOMEM.
 */
enum app_err mif_import(struct db *, const struct lcm_actor *who, const char *source,
    const char *text, size_t len, char sep, struct mif_problems *probs,
    struct mif_counts *out);

#endif
