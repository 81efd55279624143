/*
 * libFuzzer target: the query string, as QUERY_STRING hands it to a
 * worker. query_decode() and query_get() on their own, then every
 * endpoint's query validator. Aborts when a decoded value breaks its
 * contract (length, NUL termination, the buffer's size).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <json.h>

#include "lcm.h"
#include "patients.h"
#include "query.h"
#include "rules.h"

static const char *const keys[] = {
	"page", "per_page", "search", "role", "sort", "available", "inactive_with_patients",
	"provider_id", "lcm_user_id", "unassigned", "as_of", "",
};

/* A validator's count must be the number of messages it added. */
static void
check_count(int n, struct json_object *errors)
{
	if (errors == NULL)
		abort();
	if (n < 0 || (size_t)n != json_object_array_length(errors))
		abort();
	json_object_put(errors);
}

static void
decode_into(const char *s, size_t n, size_t outsz)
{
	char *out = malloc(outsz ? outsz : 1);
	long r;

	if (out == NULL)
		return;
	r = query_decode(s, n, out, outsz);
	if (r >= 0 && ((size_t)r >= outsz || (size_t)r > n || strlen(out) != (size_t)r))
		abort();
	if (r < -2)
		abort();
	free(out);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *qs, buf[64], big[1024], as_of[16], until[16];
	struct lcm_history_query hq;
	struct lcm_list_query lq;
	struct pat_query pq;
	struct json_object *e;
	int64_t page, per_page;
	size_t i;
	int role;

	/* FastCGI parameters are C strings: a NUL ends the query. */
	if ((qs = malloc(size + 1)) == NULL)
		return 0;
	memcpy(qs, data, size);
	qs[size] = '\0';

	decode_into((const char *)data, size, size + 1);
	decode_into((const char *)data, size, 8);
	decode_into((const char *)data, size, 0);
	for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		if (query_get(qs, keys[i], buf, sizeof(buf)) == QUERY_FOUND && strlen(buf) >= sizeof(buf))
			abort();
		(void)query_get(qs, keys[i], big, sizeof(big));
	}

	e = json_object_new_array();
	check_count(val_paging(qs, &page, &per_page, e), e);
	hq.patient_id = 1;
	e = json_object_new_array();
	check_count(val_history_query(qs, &hq, e), e);
	e = json_object_new_array();
	check_count(val_list_query(qs, &lq, big, sizeof(big), e), e);
	e = json_object_new_array();
	check_count(val_patient_query(qs, &pq, big, sizeof(big), e), e);
	e = json_object_new_array();
	check_count(val_export_query(qs, "2025-06-15", &role, as_of, until, sizeof(until), e), e);
	free(qs);
	return 0;
}
