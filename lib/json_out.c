#include <string.h>

#include <json.h>

#include "json_out.h"

/* Add key: value to o, tracking failure in *ok. Takes ownership of v. */
static void
put(struct json_object *o, const char *key, struct json_object *v, int *ok)
{
	if (o == NULL || json_object_object_add(o, key, v) != 0) {
		json_object_put(v);
		*ok = 0;
	}
}

/* An integer, or null when 0 (our ids are never 0). */
static struct json_object *
id_or_null(int64_t id)
{
	return id > 0 ? json_object_new_int64(id) : NULL;
}

static struct json_object *
str_or_null(const char *s, int present)
{
	return present ? json_object_new_string(s) : NULL;
}

/* A json-c value that failed to allocate is NULL, as is JSON null: check apart. */
static void
put_new(struct json_object *o, const char *key, struct json_object *v, int want, int *ok)
{
	if (want && v == NULL)
		*ok = 0;
	put(o, key, v, ok);
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

static struct json_object *
person(const struct lcm_person *p)
{
	struct json_object *o;
	int ok = 1;

	if (p->user_id == 0)
		return NULL;
	if ((o = json_object_new_object()) == NULL)
		return NULL;
	put_new(o, "user_id", json_object_new_int64(p->user_id), 1, &ok);
	put_new(o, "name", json_object_new_string(p->name), 1, &ok);
	put_new(o, "email", json_object_new_string(p->email), 1, &ok);
	put_new(o, "assigned_at", str_or_null(p->assigned_at, p->assigned_at[0] != '\0'),
	    p->assigned_at[0] != '\0', &ok);
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
		put_new(cl, "provider_name", str_or_null(t->provider_name, t->has_provider_name),
		    t->has_provider_name, &ok);
		for (r = 0; r < ROLE__MAX; r++)
			put_new(cl, lcm_role_name((enum lcm_role)r), person(&t->lcm[r]),
			    t->lcm[r].user_id > 0, &ok);
	}
	put_new(o, "case_load", cl, t->case_load_id > 0, &ok);
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
	put_new(o, "provider_name", str_or_null(t->provider_name, t->has_provider_name),
	    t->has_provider_name, &ok);
	put_new(o, "olcm_user_id", id_or_null(ol->user_id), ol->user_id > 0, &ok);
	put_new(o, "olcm_name", str_or_null(ol->name, ol->user_id > 0), ol->user_id > 0, &ok);
	put_new(o, "ilcm_user_id", id_or_null(il->user_id), il->user_id > 0, &ok);
	put_new(o, "ilcm_name", str_or_null(il->name, il->user_id > 0), il->user_id > 0, &ok);
	put_new(o, "created_at", json_object_new_string(t->created_at), 1, &ok);
	put_new(o, "updated_at", json_object_new_string(t->updated_at), 1, &ok);
	return finish(o, ok);
}

/* "a,b,c" as ["a","b","c"]; "" as []. */
static struct json_object *
role_list(const char *csv)
{
	struct json_object *a, *s;
	const char *p = csv, *comma;
	size_t n;

	if ((a = json_object_new_array()) == NULL)
		return NULL;
	while (*p != '\0') {
		comma = strchr(p, ',');
		n = comma ? (size_t)(comma - p) : strlen(p);
		if ((s = json_object_new_string_len(p, (int)n)) == NULL ||
		    json_object_array_add(a, s) != 0) {
			json_object_put(s);
			json_object_put(a);
			return NULL;
		}
		p += n + (comma != NULL);
	}
	return a;
}

static struct json_object *
lcm_row(const struct lcm_row *r)
{
	struct json_object *o;
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
	return finish(o, ok);
}

struct json_object *
json_lcm_page(const struct lcm_page *pg, const struct lcm_list_query *q)
{
	struct json_object *o, *list, *pag, *row;
	int ok = 1;
	size_t i;

	if ((o = json_object_new_object()) == NULL)
		return NULL;
	if ((list = json_object_new_array()) == NULL)
		ok = 0;
	for (i = 0; ok && i < pg->n; i++)
		if ((row = lcm_row(&pg->rows[i])) == NULL || json_object_array_add(list, row) != 0) {
			json_object_put(row);
			ok = 0;
		}
	put_new(o, "lead_care_managers", list, 1, &ok);
	if ((pag = json_object_new_object()) == NULL)
		ok = 0;
	put_new(pag, "current_page", json_object_new_int64(q->page), 1, &ok);
	put_new(pag, "total_pages", json_object_new_int64(
	    (pg->total_count + q->per_page - 1) / q->per_page), 1, &ok);
	put_new(pag, "total_count", json_object_new_int64(pg->total_count), 1, &ok);
	put_new(pag, "per_page", json_object_new_int64(q->per_page), 1, &ok);
	put_new(o, "pagination", pag, 1, &ok);
	return finish(o, ok);
}
