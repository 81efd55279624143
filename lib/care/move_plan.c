#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lcm.h"
#include "move.h"

/* ---- the plan ---------------------------------------------------------- */

void
lcm_move_plan_free(struct lcm_move_plan *p)
{
	free(p->moves);
	free(p->users);
	free(p->facts);
	memset(p, 0, sizeof(*p));
}

size_t
lcm_move_plan_patients(const struct lcm_move_plan *p)
{
	int64_t last = 0;
	size_t i, n = 0;

	/* The moves are in patient order (move_cmp()). */
	for (i = 0; i < p->n; i++)
		if (p->moves[i].error == NULL && p->moves[i].patient_id != last) {
			last = p->moves[i].patient_id;
			n++;
		}
	return n;
}

struct lcm_move *
move_plan_add(struct lcm_move_plan *p, int64_t patient, int64_t case_load, enum lcm_role r,
    int64_t from, const int64_t before[ROLE__MAX])
{
	struct lcm_move *grown, *m;
	size_t cap;

	if (p->n == p->cap) {
		cap = p->cap ? p->cap * 2 : 64;
		if ((grown = realloc(p->moves, cap * sizeof(*grown))) == NULL)
			return NULL;
		p->moves = grown;
		p->cap = cap;
	}
	m = &p->moves[p->n++];
	memset(m, 0, sizeof(*m));
	m->patient_id = patient;
	m->case_load_id = case_load;
	m->role = r;
	m->from_user = from;
	if (before != NULL)
		memcpy(m->before, before, sizeof(m->before));
	return m;
}

void
move_fail(struct lcm_move *m, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(m->errbuf, sizeof(m->errbuf), fmt, ap);
	va_end(ap);
	m->error = m->errbuf;
	m->to_user = 0;
}

/* A taker's room in role r for a patient of weight w: in points where it has a limit in points. */
static int64_t
room_of(const struct lcm_move_user *u, enum lcm_role r, int64_t w)
{
	if (u->max_points[r] >= 0)
		return u->max_points[r] - u->points[r] - w + 1;
	return u->max[r] < 0 ? INT64_MAX : u->max[r] - u->after[r];
}

long
lcm_pick_taker(struct lcm_move_user *u, size_t n, enum lcm_role r, int64_t weight, int override,
    int64_t exclude)
{
	int64_t room, best_room = 0;
	long best = -1;
	size_t i;

	for (i = 0; i < n; i++) {
		if (u[i].user_id == exclude || !u[i].eligible)
			continue;
		room = room_of(&u[i], r, weight);
		if ((room <= 0 || lcm_at_limit(u[i].after[r], u[i].max[r])) && !override)
			continue;
		if (best < 0 || room > best_room ||
		    (room == best_room && (u[i].points[r] < u[best].points[r] ||
		    (u[i].points[r] == u[best].points[r] && (u[i].after[r] < u[best].after[r] ||
		    (u[i].after[r] == u[best].after[r] && u[i].user_id < u[best].user_id)))))) {
			best = (long)i;
			best_room = room;
		}
	}
	if (best >= 0) {
		u[best].after[r]++;
		u[best].points[r] += weight;
	}
	return best;
}

struct lcm_move_user *
move_find_user(struct lcm_move_plan *p, int64_t id)
{
	size_t i;

	for (i = 0; i < p->nusers; i++)
		if (p->users[i].user_id == id)
			return &p->users[i];
	return NULL;
}

