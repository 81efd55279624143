#ifndef LCM_VALIDATE_H
#define LCM_VALIDATE_H

#include <stddef.h>
#include <stdint.h>

#include "app.h"
#include "lcm.h"

struct json_object;

#define VAL_REASON_MAX    500   /* characters */
#define VAL_SEARCH_MAX    200   /* characters */
#define VAL_PER_PAGE_MAX  100
#define VAL_PER_PAGE_DEF  25
#define VAL_BULK_MAX      1000
#define VAL_IDEMPOTENCY_KEY_MAX 255
#define VAL_CAPACITY_MAX  100000
#define VAL_TAKERS_MAX    100   /* to_user_ids of a transfer */

enum val_res {
	VAL_ABSENT,  /* not there, or JSON null (but for val_json_bool) */
	VAL_OK,
	VAL_BAD
};

/* n bytes of decimal digits naming 1..2^63-1. 1 and *out set, else 0. */
int val_id_string(const char *s, size_t n, int64_t *out);

/*
 * An id in a path: n bytes naming 1..2^63-1 in its one canonical form,
 * decimal without leading zeros ("0123" is no id: a path names a resource
 * one way only). 1 and *out set, else 0.
 */
int val_path_id(const char *s, size_t n, int64_t *out);

/*
 * Non-zero when id is a request id we pass into the audit trail as it is:
 * 1..64 characters of [0-9A-Za-z_.-] (nginx's $request_id is 32 hex digits).
 */
int val_request_id(const char *id);

/* obj[key] as an id: a JSON integer in 1..2^63-1. */
enum val_res val_json_id(struct json_object *obj, const char *key, int64_t *out);

/*
 * obj[key] as a boolean into *out (0 when absent). JSON null is VAL_BAD:
 * a boolean is true or false, and null must not pass for the default.
 */
enum val_res val_json_bool(struct json_object *obj, const char *key, int *out);

/* obj[key] as a role name, "olcm" or "ilcm". */
enum val_res val_json_role(struct json_object *obj, const char *key, enum lcm_role *out);

/* obj[key] as a string of at most max characters; *s is borrowed from obj. */
enum val_res val_json_text(struct json_object *obj, const char *key, size_t max,
    const char **s, size_t *len);

/* What a Content-Type says of a body. */
enum val_ct {
	VAL_CT_JSON,     /* application/json, in UTF-8 */
	VAL_CT_OTHER,    /* another media type, or no well-formed one */
	VAL_CT_CHARSET   /* application/json with a charset other than utf-8 */
};

/*
 * Read a Content-Type (RFC 9110 8.3: type/subtype, then ";" parameters,
 * name=token or name="quoted-string", whitespace only around the ";").
 * JSON is application/json, names case-insensitive; its parameters are
 * ignored but charset, which must be utf-8 (any case, quoted or not) each
 * time it is given: JSON is UTF-8 (RFC 8259 8.1). NULL is VAL_CT_OTHER.
 */
enum val_ct val_content_type(const char *ct);

/* Append msg to the errors array. APP_OK or APP_ENOMEM. */
enum app_err val_add(struct json_object *errors, const char *msg);

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

/* "User N is at capacity for olcm" for each non-zero user[role]. As val_ineligible(). */
int val_at_capacity(const int64_t user[ROLE__MAX], struct json_object *errors);

/*
 * PUT .../capacity: max_olcm and max_ilcm, each 0..VAL_CAPACITY_MAX, or null
 * (or absent) for no limit, into max (-1 for none). As val_assign().
 */
int val_capacity(struct json_object *body, int64_t max[ROLE__MAX], struct json_object *errors);

/* One bulk item: a JSON object read as val_assign() reads a body. As val_assign(). */
int val_bulk_item(struct json_object *item, struct lcm_change *c, struct json_object *errors);

/*
 * "User N is not eligible to be a Lead Care Manager" for each non-zero
 * user[role], a user named in both roles once. Returns the number of
 * messages added, -1 on ENOMEM.
 */
int val_ineligible(const int64_t user[ROLE__MAX], struct json_object *errors);

/* page and per_page of a listing (defaults 1 and 25). As val_assign(). */
int val_paging(const char *qs, int64_t *page, int64_t *per_page, struct json_object *errors);

/* The history's query string: page, per_page, role. As val_assign(). */
int val_history_query(const char *qs, struct lcm_history_query *q, struct json_object *errors);

/* Non-zero when key is an Idempotency-Key: 1..255 visible ASCII characters. */
int val_idempotency_key(const char *key);

/*
 * An If-Match or If-None-Match header: "*" or a list of entity tags (RFC
 * 9110 8.8.3, 13.1.1-2; empty list elements ignored), into out, which
 * borrows the header: lcm_precondition_holds() then compares every tag of
 * the list with the case load's, as opaque strings, a weak one (W/"17")
 * only when weak_ok (If-None-Match compares weakly, If-Match strongly).
 * 0, or -1 when malformed (no tag, or one that is not an entity tag).
 */
int val_etags(const char *header, int weak_ok, struct lcm_precondition *out);

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

struct pat_query;

/*
 * The patient list's query string: page, per_page, search (as the LCM
 * list's), provider_id, lcm_user_id, unassigned (olcm, ilcm, any, both).
 * search is decoded into searchbuf. As val_assign().
 */
int val_patient_query(const char *qs, struct pat_query *q, char *searchbuf, size_t searchsz,
    struct json_object *errors);

/* Non-zero when s is a calendar date YYYY-MM-DD (from 1970), into y, m, d. */
int val_date(const char *s, int *y, int *m, int *d);

/*
 * The export's query string: role, and as_of (a date from 1970-01-01 to
 * today, "YYYY-MM-DD" as today is) into as_of, today when absent. For a
 * day before today, until is the day after it (the export reads the
 * history up to that midnight); else "" (now). as_of and until hold
 * datesz bytes (11 at least). As val_assign().
 */
int val_export_query(const char *qs, const char *today, int *role, char *as_of, char *until,
    size_t datesz, struct json_object *errors);

/*
 * The list's query string: page, per_page, search, role. search is decoded
 * into searchbuf. A bad %-escape is a bad value of its parameter. As
 * val_assign().
 */
int val_list_query(const char *qs, struct lcm_list_query *q, char *searchbuf,
    size_t searchsz, struct json_object *errors);

#endif
