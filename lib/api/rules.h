#ifndef LCM_RULES_H
#define LCM_RULES_H

#include <stddef.h>
#include <stdint.h>

#include "app.h"
#include "check.h"
#include "lcm.h"

struct json_object;
struct pat_query;

/*
 * The contract's rules for what each endpoint is given: its JSON body, its
 * query string, its precondition headers. Each reads them into the
 * domain's inputs (struct lcm_change, lcm_transfer, lcm_list_query, ...)
 * and says what is wrong in the words of the contract: one message per
 * problem appended to an errors array, their count returned (-1 when
 * memory runs out). Generic checks of a value are check.h's, the syntax
 * of a header headers.h's.
 */

#define VAL_REASON_MAX    500   /* characters */
#define VAL_SEARCH_MAX    200   /* characters */
#define VAL_PER_PAGE_MAX  100
#define VAL_PER_PAGE_DEF  25
#define VAL_BULK_MAX      1000
#define VAL_CAPACITY_MAX  100000
#define VAL_POINTS_MAX    10000000
#define VAL_WEIGHT_MAX    100
#define VAL_TAKERS_MAX    100   /* to_user_ids of a transfer */
#define VAL_AUTH_DAYS_MAX 3650  /* auth_ends_within_days: ten years */

/* Append msg to the errors array. APP_OK or APP_ENOMEM. */
enum app_err val_add(struct json_object *errors, const char *msg);

/* ---- bodies ------------------------------------------------------------ */

/* obj[key] as a role name, "olcm" or "ilcm". */
enum check_res val_json_role(struct json_object *obj, const char *key, enum lcm_role *out);

/*
 * The body of POST/PUT .../assign and of each bulk item: patient_id, at
 * least one of olcm_user_id / ilcm_user_id (null is absent), optional
 * reason. Fills c (reason borrowed from obj); appends one message per
 * problem to errors. Returns the number of problems, -1 on ENOMEM.
 */
int val_assign(struct json_object *obj, struct lcm_change *c, struct json_object *errors);

/* The body of DELETE .../assign: patient_id, role, optional reason. As val_assign(). */
int val_remove(struct json_object *obj, struct lcm_change *c, struct json_object *errors);

/*
 * The bulk body: "assignments" must be an array of 1..VAL_BULK_MAX items,
 * "dry_run" a boolean when present (null is refused). Sets *list (borrowed
 * from body), *n and *dry_run. Returns the number of problems (in errors),
 * or -1 on ENOMEM.
 */
int val_bulk(struct json_object *body, struct json_object **list, size_t *n, int *dry_run,
    struct json_object *errors);

/* One bulk item: a JSON object read as val_assign() reads a body. As val_assign(). */
int val_bulk_item(struct json_object *item, struct lcm_change *c, struct json_object *errors);

/*
 * PUT .../capacity: max_olcm and max_ilcm, each 0..VAL_CAPACITY_MAX, and
 * max_olcm_points and max_ilcm_points, each 0..VAL_POINTS_MAX, or null (or
 * absent) for no limit, into l (-1 for none). As val_assign().
 */
int val_capacity(struct json_object *body, struct lcm_limits *l, struct json_object *errors);

/*
 * PUT .../ecm/acuity_weights: low, medium and high, each 1..VAL_WEIGHT_MAX
 * when given (given[] says which; at least one). As val_assign().
 */
int val_weights(struct json_object *body, int given[ACUITY__MAX], struct lcm_weights *w,
    struct json_object *errors);

/*
 * POST .../transfer: from_user_id, to_user_ids (1..100, each once, not the
 * giver), role, patient_ids (1..1000, each once), reason, override_capacity
 * (with a reason), dry_run. to (VAL_TAKERS_MAX of room) and patients
 * (VAL_BULK_MAX) hold the ids t points to. An optional field given as null
 * is refused, not read as absent (absent role: both; absent patient_ids:
 * all the giver's). As val_assign().
 */
int val_transfer(struct json_object *body, struct lcm_transfer *t, int64_t *to, int64_t *patients,
    struct lcm_change *c, struct json_object *errors);

/*
 * POST .../auto_assign: role, patient_ids (1..1000) or "unassigned": true,
 * user_ids (1..1000; absent: every eligible user), reason, dry_run. Null
 * is refused as val_transfer() refuses it. As val_transfer().
 */
int val_auto_assign(struct json_object *body, struct lcm_auto *a, int64_t *patients,
    int64_t *users, struct lcm_change *c, struct json_object *errors);

/*
 * POST .../release_ended: dry_run (true or false; absent: false) and an
 * optional reason: a note, or {"code": "authorization_ended", "note": N}
 * (the code a release always records; another is refused). r->note is
 * borrowed from body; r->day is the caller's. As val_assign().
 */
int val_release_ended(struct json_object *body, struct lcm_release *r,
    struct json_object *errors);

/*
 * POST .../ecm/mifs: {"mif": {"file": "data:text/csv;base64,...",
 * "file_type": "csv" or "tsv"}}: the file decoded into *text (len bytes,
 * NUL-terminated, malloc'd: the caller frees it; NULL with a problem) and
 * its separator into *sep (',' or '\t'). The data URI's media type is not
 * read: file_type says what the file is. As val_assign().
 */
int val_mif(struct json_object *body, char **text, size_t *len, char *sep,
    struct json_object *errors);

/* ---- a domain refusal's messages --------------------------------------- */

/*
 * "User N is not eligible to be a Lead Care Manager" for each non-zero
 * user[role], a user named in both roles once. Returns the number of
 * messages added, -1 on ENOMEM.
 */
int val_ineligible(const int64_t user[ROLE__MAX], struct json_object *errors);

/* "User N is at capacity for olcm" for each non-zero user[role]. As val_ineligible(). */
int val_at_capacity(const int64_t user[ROLE__MAX], struct json_object *errors);

/* ---- preconditions ----------------------------------------------------- */

/*
 * An If-Match or If-None-Match header (hdr_etags()) into out, which borrows
 * the header: lcm_precondition_holds() then compares every tag of the list
 * with the case load's, as opaque strings, a weak one (W/"17") only when
 * weak_ok (If-None-Match compares weakly, If-Match strongly). 0, or -1
 * when malformed (no tag, or one that is not an entity tag).
 */
int val_etags(const char *header, int weak_ok, struct lcm_precondition *out);

/* ---- query strings ----------------------------------------------------- */

/* page and per_page of a listing (defaults 1 and 25). As val_assign(). */
int val_paging(const char *qs, int64_t *page, int64_t *per_page, struct json_object *errors);

/* The history's query string: page, per_page, role. As val_assign(). */
int val_history_query(const char *qs, struct lcm_history_query *q, struct json_object *errors);

/*
 * The history's kind: kind=assignments (the default: the periods) or
 * kind=member (the member's changes), into *member; role is refused with
 * kind=member. As val_assign().
 */
int val_history_kind(const char *qs, int *member, struct json_object *errors);

/*
 * The list's query string: page, per_page, search, role. search is decoded
 * into searchbuf. A bad %-escape is a bad value of its parameter. As
 * val_assign().
 */
int val_list_query(const char *qs, struct lcm_list_query *q, char *searchbuf,
    size_t searchsz, struct json_object *errors);

/*
 * The patient list's query string: page, per_page, search (as the LCM
 * list's), provider_id, lcm_user_id, unassigned (olcm, ilcm, any, both),
 * held_by_inactive (false, true), then the member's: acuity (low, medium,
 * high), authorization (active, ended, not_started), auth_ends_within_days
 * (0..VAL_AUTH_DAYS_MAX), member_id (an id as mif_id_ok() says), and
 * assigned (true, false). Leaves q->day to the caller. search is decoded
 * into searchbuf. As val_assign().
 */
int val_patient_query(const char *qs, struct pat_query *q, char *searchbuf, size_t searchsz,
    struct json_object *errors);

/*
 * The export's query string: role, and as_of (a date from 1970-01-01 to
 * today, "YYYY-MM-DD" as today is) into as_of, today when absent. For a
 * day before today, until is the day after it (the export reads the
 * history up to that midnight); else "" (now). as_of and until hold
 * datesz bytes (11 at least). As val_assign().
 */
int val_export_query(const char *qs, const char *today, int *role, char *as_of, char *until,
    size_t datesz, struct json_object *errors);

#endif
