#ifndef LCM_JSON_OUT_H
#define LCM_JSON_OUT_H

#include <stdint.h>

#include "access_log.h"
#include "http.h"
#include "lcm.h"
#include "member.h"
#include "mif.h"
#include "patients.h"

struct json_object;

/*
 * Every JSON body the service sends is built here. Each function builds
 * the JSON of one resource and alone decides which fields leave the
 * process. They return a new object owned by the caller, or NULL when
 * memory runs out; an argument documented as taken is released either way.
 */

/* GET /healthz: {"status":"ok"}. */
struct json_object *json_health(void);

/*
 * The patient's facts as an ECM member, in the wider admin API's shape
 * (ecm_eligibility_information: member_id, cin, ecm_service_auth_id,
 * ecm_benefit_auth_eff_date, ecm_benefit_auth_end_date, acuity_level,
 * member_record_status, each null when the file gave none), then ours:
 * authorization_status (m->auth: "active", "not_started", "ended", null
 * without authorization dates); NULL (JSON null) for a patient who is no
 * member, or when memory ran out.
 */
struct json_object *json_ecm_member(const struct ecm_member *);

/*
 * GET .../patients/{id}/lead_care_managers: patient with case_load or null,
 * and ecm_eligibility_information or null.
 */
struct json_object *json_care_team(const struct care_team *);

/* The flat case_load of the assign responses. */
struct json_object *json_case_load(const struct care_team *);

/* One user of the list. */
struct json_object *json_lcm_row(const struct lcm_row *);

/* The clinic's caseload weights: {"low", "medium", "high"}. */
struct json_object *json_weights(const struct lcm_weights *);

/* The list body: the rows built by json_lcm_row() (taken) and pagination. */
struct json_object *json_lcm_page(struct json_object *rows, int64_t total,
    const struct lcm_list_query *);

/*
 * One change of a member's facts (the history with kind=member):
 * activity_type, changes, by (the admin, null for lcm-admin), source,
 * request_id, at.
 */
struct json_object *json_member_change(const struct member_change *);

/* One assignment period of the history, and the history body around them (taken). */
struct json_object *json_period(const struct lcm_period *);
struct json_object *json_history_page(struct json_object *rows, int64_t total, int64_t page,
    int64_t per_page);

/* One access of the PHI access log, and its body around them (taken). */
struct json_object *json_access_entry(const struct access_entry *);
struct json_object *json_access_page(struct json_object *rows, int64_t total, int64_t page,
    int64_t per_page);

/* {"message": msg}, with "case_load": case_load (taken) when not NULL. */
struct json_object *json_message(const char *msg, struct json_object *case_load);

/*
 * One bulk result: {"patient_id": id or null (0), "status": "success" or
 * "failed", "errors": [...] when errors (borrowed) is not NULL}.
 */
struct json_object *json_bulk_result(int64_t patient_id, struct json_object *errors);

/* The bulk body around its results (taken); "dry_run": true when it was one. */
struct json_object *json_bulk(const char *msg, int64_t ok, int64_t failed,
    struct json_object *results, int dry_run);

/* One of a user's patients, and the page around them (taken). */
struct json_object *json_user_patient(const struct lcm_user_patient *);
struct json_object *json_user_patients_page(struct json_object *rows, int64_t total,
    int64_t page, int64_t per_page);

/*
 * The answer of a transfer (transfer set: moves from user to user) or of
 * an auto-assign (the patients' new users, continuity, more_unassigned
 * when it filled the unassigned): every move or assignment, and each
 * user's counts before and after.
 */
struct json_object *json_move_plan(const struct lcm_move_plan *, int dry_run, int transfer,
    int unassigned);

/*
 * The answer of a release of ended authorizations on day: dry_run, as_of
 * (day), released_count (planned_count for a dry run: roles),
 * patients_count, remaining, releases (each role released: patient_id,
 * role, from_user_id, status) and the holders' counts before and after.
 */
struct json_object *json_release_plan(const struct lcm_move_plan *, int dry_run, const char *day);

/*
 * The patient list: one patient with its case load or null and its
 * ecm_eligibility_information or null; the page (rows taken).
 */
struct json_object *json_patient_row(const struct pat_row *);
struct json_object *json_patients_page(struct json_object *rows, int64_t total, int64_t page,
    int64_t per_page);

/* The patient summary's counts. */
struct json_object *json_patient_summary(const struct pat_summary *);

/*
 * A MIF import's answer: {"message": "MIF imported successfully",
 * "imported_count", "updated_count", "unchanged_count"}.
 */
struct json_object *json_mif_result(const struct mif_counts *);

#endif
