#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "etag.h"
#include "lcm.h"

static const char *const role_names[ROLE__MAX] = {
	[ROLE_OLCM] = "olcm",
	[ROLE_ILCM] = "ilcm",
};

const char *
lcm_role_name(enum lcm_role r)
{
	return (unsigned)r < ROLE__MAX ? role_names[r] : "";
}

int
lcm_role_parse(const char *s)
{
	int r;

	for (r = 0; s != NULL && r < ROLE__MAX; r++)
		if (strcmp(s, role_names[r]) == 0)
			return r;
	return -1;
}

long
lcm_like_pattern(const char *s, char *out, size_t outsz)
{
	size_t o = 0;

	if (outsz < 3)
		return -1;
	out[o++] = '%';
	for (; *s != '\0'; s++) {
		/* This character (escaped or not), the closing '%' and the NUL. */
		if (o + (*s == '%' || *s == '_' || *s == '!' ? 2 : 1) + 2 > outsz)
			return -1;
		if (*s == '%' || *s == '_' || *s == '!')
			out[o++] = '!';
		out[o++] = *s;
	}
	out[o++] = '%';
	out[o] = '\0';
	return (long)o;
}

const char *const lcm_reason_codes[] = {
	"member_request", "provider_request", "staffing_change", "workload_balance",
	"acuity_change", "initial_assignment", "other", "authorization_ended", NULL,
};

int
lcm_reason_code_ok(const char *s)
{
	size_t i;

	for (i = 0; s != NULL && lcm_reason_codes[i] != NULL; i++)
		if (strcmp(s, lcm_reason_codes[i]) == 0)
			return 1;
	return 0;
}

int
lcm_precondition_holds(const struct lcm_precondition *pc, int64_t version)
{
	struct etag tag;
	const char *p;
	char v[24];
	int len;

	if (pc == NULL || !pc->present)
		return 1;
	if (pc->any)
		return version > 0;
	/* Our ETag is the version in decimal: compare the text, as RFC 9110 does. */
	len = snprintf(v, sizeof(v), "%" PRId64, version);
	for (p = pc->tags; p != NULL && etag_next(&p, &tag) == 1; )
		if ((!tag.weak || pc->weak_ok) && tag.len == (size_t)len &&
		    memcmp(tag.opaque, v, tag.len) == 0)
			return 1;
	return 0;
}

int
lcm_next_roles(const int64_t prev[ROLE__MAX], const struct lcm_change *c,
    int64_t next[ROLE__MAX], int changed[ROLE__MAX])
{
	int r, n = 0;

	for (r = 0; r < ROLE__MAX; r++) {
		next[r] = c->given[r] ? c->user[r] : prev[r];
		changed[r] = next[r] != prev[r];
		n += changed[r];
	}
	return n;
}

int
lcm_at_limit(int64_t count, int64_t max)
{
	return max >= 0 && count >= max;
}

static const char *const acuity_names[ACUITY__MAX] = {
	[ACUITY_LOW] = "low",
	[ACUITY_MEDIUM] = "medium",
	[ACUITY_HIGH] = "high",
};

enum lcm_acuity
lcm_acuity_of(const char *s)
{
	int a;

	for (a = 0; s != NULL && a < ACUITY__MAX; a++)
		if (strcmp(s, acuity_names[a]) == 0)
			return (enum lcm_acuity)a;
	return ACUITY_LOW;
}

const char *
lcm_acuity_name(enum lcm_acuity a)
{
	return (unsigned)a < ACUITY__MAX ? acuity_names[a] : "";
}

int64_t
lcm_points(const struct lcm_weights *w, int64_t count, int64_t medium, int64_t high)
{
	return (count - medium - high) * w->weight[ACUITY_LOW] + medium * w->weight[ACUITY_MEDIUM] +
	    high * w->weight[ACUITY_HIGH];
}

int
lcm_over_points(int64_t points, int64_t w, int64_t max)
{
	return max >= 0 && points + w > max;
}
