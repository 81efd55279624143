/*
 * libFuzzer target: each endpoint's body validator on every body the JSON
 * parser accepts: assign (POST, PUT), remove (DELETE), bulk_assign and its
 * items, capacity, transfer, auto_assign. Each must count the messages it
 * adds, keep its ids in range and borrow its reason from the body.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <json.h>

#include "json_in.h"
#include "lcm.h"
#include "rules.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int64_t *to, *patients, *users;

/* A validator's count must be the number of messages it added. */
static void
check_count(int n, struct json_object *errors)
{
	if (errors == NULL || n < 0 || (size_t)n != json_object_array_length(errors))
		abort();
	json_object_put(errors);
}

/* A change that passed: its ids positive, its reason within the limit. */
static void
check_change(int n, const struct lcm_change *c)
{
	int r;

	if (n != 0)
		return;
	if (c->patient_id <= 0)
		abort();
	for (r = 0; r < ROLE__MAX; r++)
		if (c->user[r] < 0)
			abort();
	if (c->reason != NULL && (strlen(c->reason) != c->reason_len))
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct json_object *body = NULL, *e, *list;
	struct lcm_change c;
	struct lcm_transfer t;
	struct lcm_auto a;
	struct lcm_limits limits;
	struct lcm_weights weights;
	int given[ACUITY__MAX];
	size_t n, i;
	int dry, k;

	if (to == NULL && ((to = calloc(VAL_TAKERS_MAX, sizeof(*to))) == NULL ||
	    (patients = calloc(VAL_BULK_MAX, sizeof(*patients))) == NULL ||
	    (users = calloc(VAL_BULK_MAX, sizeof(*users))) == NULL))
		abort();
	if (json_in_body((const char *)data, size, &body, NULL, 0) != APP_OK)
		return 0;

	memset(&c, 0, sizeof(c));
	e = json_object_new_array();
	k = val_assign(body, &c, e);
	check_count(k, e);
	check_change(k, &c);

	memset(&c, 0, sizeof(c));
	e = json_object_new_array();
	k = val_remove(body, &c, e);
	check_count(k, e);
	check_change(k, &c);

	e = json_object_new_array();
	k = val_bulk(body, &list, &n, &dry, e);
	check_count(k, e);
	if (k == 0) {
		if (n < 1 || n > VAL_BULK_MAX || n != json_object_array_length(list))
			abort();
		for (i = 0; i < n; i++) {
			memset(&c, 0, sizeof(c));
			e = json_object_new_array();
			k = val_bulk_item(json_object_array_get_idx(list, i), &c, e);
			check_count(k, e);
			check_change(k, &c);
		}
	}

	e = json_object_new_array();
	k = val_capacity(body, &limits, e);
	check_count(k, e);
	for (i = 0; k == 0 && i < ROLE__MAX; i++)
		if (limits.max[i] < -1 || limits.max[i] > VAL_CAPACITY_MAX ||
		    limits.max_points[i] < -1 || limits.max_points[i] > VAL_POINTS_MAX)
			abort();

	e = json_object_new_array();
	k = val_weights(body, given, &weights, e);
	check_count(k, e);
	for (i = 0; k == 0 && i < ACUITY__MAX; i++)
		if (weights.weight[i] < 1 || weights.weight[i] > VAL_WEIGHT_MAX)
			abort();

	e = json_object_new_array();
	k = val_transfer(body, &t, to, patients, &c, e);
	check_count(k, e);
	if (k == 0 && (t.from_user <= 0 || t.nto < 1 || t.nto > VAL_TAKERS_MAX ||
	    t.npatients > VAL_BULK_MAX))
		abort();

	e = json_object_new_array();
	k = val_auto_assign(body, &a, patients, users, &c, e);
	check_count(k, e);
	if (k == 0 && (a.npatients > LCM_AUTO_MAX || a.nusers > VAL_BULK_MAX))
		abort();

	json_object_put(body);
	return 0;
}
