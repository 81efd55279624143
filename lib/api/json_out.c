#include <string.h>

#include <json.h>

#include "json_out.h"

/*
 * The checked helpers: every value goes through put_new(), which notes a
 * failed allocation in *ok (a json-c constructor that fails returns NULL,
 * which is also JSON null: want tells them apart).
 */
static void
put_new(struct json_object *o, const char *key, struct json_object *v, int want, int *ok)
{
	if (want && v == NULL)
		*ok = 0;
	if (o == NULL || json_object_object_add(o, key, v) != 0) {
		json_object_put(v);
		*ok = 0;
	}
}

static struct json_object *
finish(struct json_object *o, int ok)
{
	if (!ok) {
		json_object_put(o);
		return NULL;
	}
	return o;
}

/* An integer, or null when 0 (our ids are never 0). */
static struct json_object *
id_or_null(int64_t id)
{
	return id > 0 ? json_object_new_int64(id) : NULL;
}

static struct json_object *
str_or_null(const char *s)
{
	return s != NULL ? json_object_new_string(s) : NULL;
}

struct json_object *
json_health(void)
{
	struct json_object *o = json_object_new_object();
	int ok = 1;

	put_new(o, "status", json_object_new_string("ok"), 1, &ok);
	return finish(o, ok);
}

static struct json_object *
person(const struct lcm_person *p)
{
	struct json_object *o;
	int ok = 1, at = p->assigned_at != NULL && p->assigned_at[0] != '\0';

	if (p->user_id == 0)
		return NULL;
	if ((o = json_object_new_object()) == NULL)
		return NULL;
	put_new(o, "user_id", json_object_new_int64(p->user_id), 1, &ok);
	put_new(o, "name", json_object_new_string(p->name), 1, &ok);
	put_new(o, "email", json_object_new_string(p->email), 1, &ok);
	put_new(o, "assigned_at", at ? json_object_new_string(p->assigned_at) : NULL, at, &ok);
	/* Only a deactivated holder says so: the contract's shape otherwise. */
	if (!p->active)
		put_new(o, "active", json_object_new_boolean(0), 1, &ok);
	return finish(o, ok);
}

struct json_object *
json_ecm_member(const struct ecm_member *m)
{
	struct json_object *o;
	int ok = 1;

	if (!m->present)
		return NULL;
	if ((o = json_object_new_object()) == NULL)
		return NULL;
	put_new(o, "member_id", json_object_new_string(m->member_id), 1, &ok);
	put_new(o, "cin", str_or_null(m->cin), m->cin != NULL, &ok);
	put_new(o, "ecm_service_auth_id", str_or_null(m->service_auth_id),
	    m->service_auth_id != NULL, &ok);
	put_new(o, "ecm_benefit_auth_eff_date", str_or_null(m->auth_eff_date),
	    m->auth_eff_date != NULL, &ok);
	put_new(o, "ecm_benefit_auth_end_date", str_or_null(m->auth_end_date),
	    m->auth_end_date != NULL, &ok);
	put_new(o, "acuity_level", str_or_null(m->acuity_level), m->acuity_level != NULL, &ok);
	put_new(o, "member_record_status", str_or_null(m->record_status),
	    m->record_status != NULL, &ok);
	/* Ours, after the wider API's fields: the authorization on the clinic's day. */
	put_new(o, "authorization_status", str_or_null(member_auth_name(m->auth)),
	    m->auth != AUTH_NONE, &ok);
	return finish(o, ok);
}

struct json_object *
json_care_team(const struct care_team *t)
{
	struct json_object *o, *cl = NULL;
	int ok = 1, r;

	if ((o = json_object_new_object()) == NULL)
		return NULL;
	put_new(o, "patient_id", json_object_new_int64(t->patient_id), 1, &ok);
	put_new(o, "patient_name", json_object_new_string(t->patient_name), 1, &ok);
	if (t->case_load_id > 0) {
		if ((cl = json_object_new_object()) == NULL)
			ok = 0;
		put_new(cl, "id", json_object_new_int64(t->case_load_id), 1, &ok);
		put_new(cl, "provider_id", id_or_null(t->provider_id), t->provider_id > 0, &ok);
		put_new(cl, "provider_name", str_or_null(t->provider_name),
		    t->provider_name != NULL, &ok);
		for (r = 0; r < ROLE__MAX; r++)
			put_new(cl, lcm_role_name((enum lcm_role)r), person(&t->lcm[r]),
			    t->lcm[r].user_id > 0, &ok);
	}
	put_new(o, "case_load", cl, t->case_load_id > 0, &ok);
	put_new(o, "ecm_eligibility_information", json_ecm_member(&t->member), t->member.present,
	    &ok);
	return finish(o, ok);
}

struct json_object *
json_case_load(const struct care_team *t)
{
	const struct lcm_person *ol = &t->lcm[ROLE_OLCM], *il = &t->lcm[ROLE_ILCM];
	struct json_object *o;
	int ok = 1;

	if ((o = json_object_new_object()) == NULL)
		return NULL;
	put_new(o, "id", json_object_new_int64(t->case_load_id), 1, &ok);
	put_new(o, "patient_id", json_object_new_int64(t->patient_id), 1, &ok);
	put_new(o, "patient_name", json_object_new_string(t->patient_name), 1, &ok);
	put_new(o, "provider_id", id_or_null(t->provider_id), t->provider_id > 0, &ok);
	put_new(o, "provider_name", str_or_null(t->provider_name), t->provider_name != NULL, &ok);
	put_new(o, "olcm_user_id", id_or_null(ol->user_id), ol->user_id > 0, &ok);
	put_new(o, "olcm_name", ol->user_id > 0 ? str_or_null(ol->name) : NULL,
	    ol->user_id > 0, &ok);
	put_new(o, "ilcm_user_id", id_or_null(il->user_id), il->user_id > 0, &ok);
	put_new(o, "ilcm_name", il->user_id > 0 ? str_or_null(il->name) : NULL,
	    il->user_id > 0, &ok);
	put_new(o, "created_at", json_object_new_string(t->created_at), 1, &ok);
	put_new(o, "updated_at", json_object_new_string(t->updated_at), 1, &ok);
	return finish(o, ok);
}

/* "a,b,c" as ["a","b","c"]; "" as []. */
static struct json_object *
role_list(const char *csv)
{
	struct json_object *a;
	const char *p = csv, *comma;
	size_t n;

	if ((a = json_object_new_array()) == NULL)
		return NULL;
	while (*p != '\0') {
		comma = strchr(p, ',');
		n = comma ? (size_t)(comma - p) : strlen(p);
		if (json_list_add(a, json_object_new_string_len(p, (int)n)) != APP_OK) {
			json_object_put(a);
			return NULL;
		}
		p += n + (comma != NULL);
	}
	return a;
}

struct json_object *
json_lcm_row(const struct lcm_row *r)
{
	struct json_object *o, *cap;
	int ok = 1;

	if ((o = json_object_new_object()) == NULL)
		return NULL;
	put_new(o, "id", json_object_new_int64(r->id), 1, &ok);
	put_new(o, "name", json_object_new_string(r->name), 1, &ok);
	put_new(o, "email", json_object_new_string(r->email), 1, &ok);
	put_new(o, "roles", role_list(r->roles), 1, &ok);
	put_new(o, "assigned_patients_count", json_object_new_int64(r->assigned_patients_count), 1, &ok);
	put_new(o, "olcm_assignments_count", json_object_new_int64(r->count[ROLE_OLCM]), 1, &ok);
	put_new(o, "ilcm_assignments_count", json_object_new_int64(r->count[ROLE_ILCM]), 1, &ok);
	put_new(o, "max_olcm", r->max[ROLE_OLCM] >= 0 ? json_object_new_int64(r->max[ROLE_OLCM]) : NULL,
	    r->max[ROLE_OLCM] >= 0, &ok);
	put_new(o, "max_ilcm", r->max[ROLE_ILCM] >= 0 ? json_object_new_int64(r->max[ROLE_ILCM]) : NULL,
	    r->max[ROLE_ILCM] >= 0, &ok);
	put_new(o, "olcm_weighted_load", json_object_new_int64(r->points[ROLE_OLCM]), 1, &ok);
	put_new(o, "ilcm_weighted_load", json_object_new_int64(r->points[ROLE_ILCM]), 1, &ok);
	put_new(o, "max_olcm_points", r->max_points[ROLE_OLCM] >= 0 ?
	    json_object_new_int64(r->max_points[ROLE_OLCM]) : NULL, r->max_points[ROLE_OLCM] >= 0, &ok);
	put_new(o, "max_ilcm_points", r->max_points[ROLE_ILCM] >= 0 ?
	    json_object_new_int64(r->max_points[ROLE_ILCM]) : NULL, r->max_points[ROLE_ILCM] >= 0, &ok);
	if ((cap = json_object_new_object()) == NULL)
		ok = 0;
	put_new(cap, "olcm", json_object_new_boolean(lcm_row_at_capacity(r, ROLE_OLCM)), 1, &ok);
	put_new(cap, "ilcm", json_object_new_boolean(lcm_row_at_capacity(r, ROLE_ILCM)), 1, &ok);
	put_new(o, "at_capacity", cap, 1, &ok);
	if (!r->active)
		put_new(o, "active", json_object_new_boolean(0), 1, &ok);
	return finish(o, ok);
}

struct json_object *
json_weights(const struct lcm_weights *w)
{
	struct json_object *o;
	int ok = 1, a;

	if ((o = json_object_new_object()) == NULL)
		return NULL;
	for (a = 0; a < ACUITY__MAX; a++)
		put_new(o, lcm_acuity_name((enum lcm_acuity)a), json_object_new_int64(w->weight[a]), 1, &ok);
	return finish(o, ok);
}

/* {key: rows (taken), "pagination": {...}}: every listing's body. */
static struct json_object *
paged(const char *key, struct json_object *rows, int64_t total, int64_t page, int64_t per_page)
{
	struct json_object *o, *pag;
	int ok = 1;

	if ((o = json_object_new_object()) == NULL) {
		json_object_put(rows);
		return NULL;
	}
	put_new(o, key, rows, 1, &ok);
	if ((pag = json_object_new_object()) == NULL)
		ok = 0;
	put_new(pag, "current_page", json_object_new_int64(page), 1, &ok);
	put_new(pag, "total_pages", json_object_new_int64((total + per_page - 1) / per_page), 1, &ok);
	put_new(pag, "total_count", json_object_new_int64(total), 1, &ok);
	put_new(pag, "per_page", json_object_new_int64(per_page), 1, &ok);
	put_new(o, "pagination", pag, 1, &ok);
	return finish(o, ok);
}

struct json_object *
json_lcm_page(struct json_object *rows, int64_t total, const struct lcm_list_query *q)
{
	return paged("lead_care_managers", rows, total, q->page, q->per_page);
}

/* {"id", "name"} of a user, or null for id 0. */
static struct json_object *
user_ref(int64_t id, const char *name)
{
	struct json_object *o;
	int ok = 1;

	if (id <= 0)
		return NULL;
	if ((o = json_object_new_object()) == NULL)
		return NULL;
	put_new(o, "id", json_object_new_int64(id), 1, &ok);
	put_new(o, "name", str_or_null(name), name != NULL, &ok);
	return finish(o, ok);
}

/* {"code", "note"}, either null, or null when both are. */
static struct json_object *
reason(const char *code, const char *note)
{
	struct json_object *o;
	int ok = 1;

	if (code == NULL && note == NULL)
		return NULL;
	if ((o = json_object_new_object()) == NULL)
		return NULL;
	put_new(o, "code", str_or_null(code), code != NULL, &ok);
	put_new(o, "note", str_or_null(note), note != NULL, &ok);
	return finish(o, ok);
}

struct json_object *
json_period(const struct lcm_period *h)
{
	struct json_object *o, *u;
	int ok = 1;

	if ((o = json_object_new_object()) == NULL)
		return NULL;
	put_new(o, "role", json_object_new_string(h->role), 1, &ok);
	if ((u = json_object_new_object()) == NULL)
		ok = 0;
	put_new(u, "id", json_object_new_int64(h->user_id), 1, &ok);
	put_new(u, "name", json_object_new_string(h->user_name), 1, &ok);
	put_new(u, "email", json_object_new_string(h->user_email), 1, &ok);
	put_new(o, "user", u, 1, &ok);
	put_new(o, "started_at", json_object_new_string(h->started_at), 1, &ok);
	put_new(o, "ended_at", str_or_null(h->ended_at), h->ended_at != NULL, &ok);
	put_new(o, "started_by", user_ref(h->started_by, h->started_by_name), h->started_by > 0, &ok);
	put_new(o, "ended_by", user_ref(h->ended_by, h->ended_by_name), h->ended_by > 0, &ok);
	put_new(o, "reason", reason(h->reason_code, h->reason_note),
	    h->reason_code != NULL || h->reason_note != NULL, &ok);
	put_new(o, "source", json_object_new_string(h->source), 1, &ok);
	put_new(o, "capacity_override", json_object_new_boolean(h->capacity_override), 1, &ok);
	put_new(o, "authorization_override", json_object_new_boolean(h->authorization_override), 1, &ok);
	return finish(o, ok);
}

struct json_object *
json_member_change(const struct member_change *e)
{
	struct json_object *o, *changes;
	int ok = 1;

	if ((o = json_object_new_object()) == NULL)
		return NULL;
	put_new(o, "activity_type", json_object_new_string(e->activity_type), 1, &ok);
	/* The database's JSON, which the import wrote: an object. */
	changes = json_tokener_parse(e->changes);
	if (changes != NULL && !json_object_is_type(changes, json_type_object)) {
		json_object_put(changes);
		changes = NULL;
	}
	put_new(o, "changes", changes, 1, &ok);
	put_new(o, "by", user_ref(e->actor_id, e->actor_name), e->actor_id > 0, &ok);
	put_new(o, "source", json_object_new_string(e->source), 1, &ok);
	put_new(o, "request_id", json_object_new_string(e->request_id), 1, &ok);
	put_new(o, "at", json_object_new_string(e->at), 1, &ok);
	return finish(o, ok);
}

struct json_object *
json_history_page(struct json_object *rows, int64_t total, int64_t page, int64_t per_page)
{
	return paged("history", rows, total, page, per_page);
}

struct json_object *
json_access_entry(const struct access_entry *e)
{
	struct json_object *o;
	int ok = 1;

	if ((o = json_object_new_object()) == NULL)
		return NULL;
	put_new(o, "actor", user_ref(e->actor_id, e->actor_name), e->actor_id > 0, &ok);
	put_new(o, "action", json_object_new_string(e->action), 1, &ok);
	put_new(o, "request_id", json_object_new_string(e->request_id), 1, &ok);
	put_new(o, "at", json_object_new_string(e->at), 1, &ok);
	return finish(o, ok);
}

struct json_object *
json_access_page(struct json_object *rows, int64_t total, int64_t page, int64_t per_page)
{
	return paged("access_log", rows, total, page, per_page);
}

struct json_object *
json_message(const char *msg, struct json_object *case_load)
{
	struct json_object *o;
	int ok = 1;

	if ((o = json_object_new_object()) == NULL) {
		json_object_put(case_load);
		return NULL;
	}
	put_new(o, "message", json_object_new_string(msg), 1, &ok);
	if (case_load != NULL)
		put_new(o, "case_load", case_load, 1, &ok);
	return finish(o, ok);
}

struct json_object *
json_bulk_result(int64_t patient_id, struct json_object *errors)
{
	struct json_object *o;
	int ok = 1;

	if ((o = json_object_new_object()) == NULL)
		return NULL;
	put_new(o, "patient_id", id_or_null(patient_id), patient_id > 0, &ok);
	put_new(o, "status", json_object_new_string(errors ? "failed" : "success"), 1, &ok);
	if (errors != NULL)
		put_new(o, "errors", json_object_get(errors), 1, &ok);
	return finish(o, ok);
}

struct json_object *
json_bulk(const char *msg, int64_t nok, int64_t failed, struct json_object *results,
    int dry_run)
{
	struct json_object *o;
	int ok = 1;

	if ((o = json_object_new_object()) == NULL) {
		json_object_put(results);
		return NULL;
	}
	put_new(o, "message", json_object_new_string(msg), 1, &ok);
	if (dry_run)
		put_new(o, "dry_run", json_object_new_boolean(1), 1, &ok);
	put_new(o, "successful_count", json_object_new_int64(nok), 1, &ok);
	put_new(o, "failed_count", json_object_new_int64(failed), 1, &ok);
	put_new(o, "results", results, 1, &ok);
	return finish(o, ok);
}

struct json_object *
json_user_patient(const struct lcm_user_patient *p)
{
	struct json_object *o;
	int ok = 1;

	if ((o = json_object_new_object()) == NULL)
		return NULL;
	put_new(o, "patient_id", json_object_new_int64(p->patient_id), 1, &ok);
	put_new(o, "patient_name", json_object_new_string(p->patient_name), 1, &ok);
	put_new(o, "role", json_object_new_string(p->role), 1, &ok);
	put_new(o, "assigned_at", json_object_new_string(p->assigned_at), 1, &ok);
	return finish(o, ok);
}

struct json_object *
json_user_patients_page(struct json_object *rows, int64_t total, int64_t page, int64_t per_page)
{
	return paged("patients", rows, total, page, per_page);
}

/* The takers' (and the giver's) counts before and after. */
static struct json_object *
move_counts(const struct lcm_move_plan *plan)
{
	struct json_object *a, *o;
	const struct lcm_move_user *u;
	size_t i;
	int ok = 1;

	if ((a = json_object_new_array()) == NULL)
		return NULL;
	for (i = 0; ok && i < plan->nusers; i++) {
		u = &plan->users[i];
		if ((o = json_object_new_object()) == NULL) {
			ok = 0;
			break;
		}
		put_new(o, "user_id", json_object_new_int64(u->user_id), 1, &ok);
		put_new(o, "olcm_before", json_object_new_int64(u->before[ROLE_OLCM]), 1, &ok);
		put_new(o, "ilcm_before", json_object_new_int64(u->before[ROLE_ILCM]), 1, &ok);
		put_new(o, "olcm_after", json_object_new_int64(u->after[ROLE_OLCM]), 1, &ok);
		put_new(o, "ilcm_after", json_object_new_int64(u->after[ROLE_ILCM]), 1, &ok);
		put_new(o, "olcm_weighted_load_after", json_object_new_int64(u->points[ROLE_OLCM]), 1, &ok);
		put_new(o, "ilcm_weighted_load_after", json_object_new_int64(u->points[ROLE_ILCM]), 1, &ok);
		if (json_list_add(a, o) != APP_OK)
			ok = 0;
	}
	return finish(a, ok);
}

/* One move: kind is "transfer" (from/to users) or "auto" (the user, continuity). */
static struct json_object *
move(const struct lcm_move *m, int dry_run, int transfer)
{
	struct json_object *o, *errors;
	int ok = 1;

	if ((o = json_object_new_object()) == NULL)
		return NULL;
	put_new(o, "patient_id", json_object_new_int64(m->patient_id), 1, &ok);
	put_new(o, "role", json_object_new_string(lcm_role_name(m->role)), 1, &ok);
	if (transfer)
		put_new(o, "from_user_id", json_object_new_int64(m->from_user), 1, &ok);
	put_new(o, transfer ? "to_user_id" : "user_id", id_or_null(m->to_user), m->to_user > 0, &ok);
	put_new(o, "status", json_object_new_string(m->error ? "failed" : dry_run ? "planned" :
	    transfer ? "moved" : "assigned"), 1, &ok);
	if (transfer)
		put_new(o, "capacity_override", json_object_new_boolean(m->overridden), 1, &ok);
	else
		put_new(o, "continuity", json_object_new_boolean(m->continuity), 1, &ok);
	if (m->error != NULL) {
		if ((errors = json_object_new_array()) == NULL ||
		    json_list_add_string(errors, m->error) != APP_OK)
			ok = 0;
		put_new(o, "errors", errors, 1, &ok);
	}
	return finish(o, ok);
}

struct json_object *
json_move_plan(const struct lcm_move_plan *plan, int dry_run, int transfer, int unassigned)
{
	struct json_object *o, *moves;
	int64_t done = 0;
	size_t i;
	int ok = 1;

	if ((o = json_object_new_object()) == NULL)
		return NULL;
	if ((moves = json_object_new_array()) == NULL)
		ok = 0;
	for (i = 0; ok && i < plan->n; i++) {
		done += plan->moves[i].error == NULL;
		if (json_list_add(moves, move(&plan->moves[i], dry_run, transfer)) != APP_OK)
			ok = 0;
	}
	put_new(o, "dry_run", json_object_new_boolean(dry_run), 1, &ok);
	put_new(o, transfer ? (dry_run ? "planned_count" : "moved_count") :
	    (dry_run ? "planned_count" : "assigned_count"), json_object_new_int64(done), 1, &ok);
	put_new(o, "failed_count", json_object_new_int64((int64_t)plan->n - done), 1, &ok);
	if (unassigned)
		put_new(o, "more_unassigned", json_object_new_boolean(plan->more), 1, &ok);
	put_new(o, transfer ? "moves" : "assignments", moves, 1, &ok);
	put_new(o, "counts", move_counts(plan), 1, &ok);
	return finish(o, ok);
}

/* One role a release clears: from whom. */
static struct json_object *
release(const struct lcm_move *m, int dry_run)
{
	struct json_object *o;
	int ok = 1;

	if ((o = json_object_new_object()) == NULL)
		return NULL;
	put_new(o, "patient_id", json_object_new_int64(m->patient_id), 1, &ok);
	put_new(o, "role", json_object_new_string(lcm_role_name(m->role)), 1, &ok);
	put_new(o, "from_user_id", json_object_new_int64(m->from_user), 1, &ok);
	put_new(o, "status", json_object_new_string(dry_run ? "planned" : "released"), 1, &ok);
	return finish(o, ok);
}

/* Every role a release clears, in the plan's order. */
static struct json_object *
releases(const struct lcm_move_plan *plan, int dry_run)
{
	struct json_object *a = json_object_new_array();
	size_t i;
	int ok = a != NULL;

	for (i = 0; ok && i < plan->n; i++)
		ok = json_list_add(a, release(&plan->moves[i], dry_run)) == APP_OK;
	return finish(a, ok);
}

struct json_object *
json_release_plan(const struct lcm_move_plan *plan, int dry_run, const char *day)
{
	struct json_object *o = json_object_new_object();
	int ok = o != NULL;

	if (o == NULL)
		return NULL;
	put_new(o, "dry_run", json_object_new_boolean(dry_run), 1, &ok);
	put_new(o, "as_of", json_object_new_string(day), 1, &ok);
	put_new(o, dry_run ? "planned_count" : "released_count", json_object_new_int64((int64_t)plan->n),
	    1, &ok);
	put_new(o, "patients_count", json_object_new_int64((int64_t)lcm_move_plan_patients(plan)), 1,
	    &ok);
	put_new(o, "remaining", json_object_new_int64(plan->remaining), 1, &ok);
	put_new(o, "releases", releases(plan, dry_run), 1, &ok);
	put_new(o, "counts", move_counts(plan), 1, &ok);
	return finish(o, ok);
}

struct json_object *
json_patient_row(const struct pat_row *r)
{
	struct json_object *o, *cl = NULL;
	int ok = 1;

	if ((o = json_object_new_object()) == NULL)
		return NULL;
	put_new(o, "id", json_object_new_int64(r->id), 1, &ok);
	put_new(o, "name", json_object_new_string(r->name), 1, &ok);
	if (r->case_load_id > 0) {
		if ((cl = json_object_new_object()) == NULL)
			ok = 0;
		put_new(cl, "id", json_object_new_int64(r->case_load_id), 1, &ok);
		put_new(cl, "provider_id", id_or_null(r->provider_id), r->provider_id > 0, &ok);
		put_new(cl, "provider_name", str_or_null(r->provider_name), r->provider_name != NULL, &ok);
		put_new(cl, "olcm_user_id", id_or_null(r->olcm_id), r->olcm_id > 0, &ok);
		put_new(cl, "olcm_name", str_or_null(r->olcm_name), r->olcm_name != NULL, &ok);
		put_new(cl, "ilcm_user_id", id_or_null(r->ilcm_id), r->ilcm_id > 0, &ok);
		put_new(cl, "ilcm_name", str_or_null(r->ilcm_name), r->ilcm_name != NULL, &ok);
	}
	put_new(o, "case_load", cl, r->case_load_id > 0, &ok);
	put_new(o, "ecm_eligibility_information", json_ecm_member(&r->member), r->member.present,
	    &ok);
	return finish(o, ok);
}

struct json_object *
json_patients_page(struct json_object *rows, int64_t total, int64_t page, int64_t per_page)
{
	return paged("patients", rows, total, page, per_page);
}

struct json_object *
json_patient_summary(const struct pat_summary *s)
{
	struct json_object *o;
	int ok = 1;

	if ((o = json_object_new_object()) == NULL)
		return NULL;
	put_new(o, "patients", json_object_new_int64(s->patients), 1, &ok);
	put_new(o, "with_case_load", json_object_new_int64(s->with_case_load), 1, &ok);
	put_new(o, "without_olcm", json_object_new_int64(s->without_olcm), 1, &ok);
	put_new(o, "without_ilcm", json_object_new_int64(s->without_ilcm), 1, &ok);
	put_new(o, "without_both", json_object_new_int64(s->without_both), 1, &ok);
	put_new(o, "assigned_to_inactive", json_object_new_int64(s->assigned_to_inactive), 1, &ok);
	put_new(o, "high_acuity_without_ilcm", json_object_new_int64(s->high_acuity_without_ilcm), 1,
	    &ok);
	put_new(o, "authorization_ended_assigned",
	    json_object_new_int64(s->authorization_ended_assigned), 1, &ok);
	return finish(o, ok);
}

struct json_object *
json_mif_result(const struct mif_counts *c)
{
	struct json_object *o;
	int ok = 1;

	if ((o = json_object_new_object()) == NULL)
		return NULL;
	put_new(o, "message", json_object_new_string("MIF imported successfully"), 1, &ok);
	put_new(o, "imported_count", json_object_new_int64((int64_t)c->imported), 1, &ok);
	put_new(o, "updated_count", json_object_new_int64((int64_t)c->updated), 1, &ok);
	put_new(o, "unchanged_count", json_object_new_int64((int64_t)c->unchanged), 1, &ok);
	return finish(o, ok);
}
