#include <stdlib.h>

#include <json.h>

#include "access_log.h"
#include "handlers.h"
#include "idem.h"
#include "json_out.h"
#include "lcm.h"
#include "rules.h"
#include "today.h"

/* Each move that went ahead, in the access log (a real run only). */
static void
log_moves(const struct request *req, const struct lcm_move_plan *plan, enum access_action a)
{
	size_t i;

	for (i = 0; i < plan->n; i++)
		if (plan->moves[i].error == NULL)
			(void)access_log_add(plan->moves[i].patient_id, req->user_id, a, req->request_id);
}

/* What a run answers: its plan, as a transfer, an auto-assign or a release (of day). */
struct plan_answer {
	const struct lcm_move_plan *plan;
	int dry_run;
	int transfer;
	int unassigned;
	const char *release_day;
};

static enum app_err
render_plan(void *arg, struct response *resp)
{
	const struct plan_answer *a = arg;

	if (a->release_day != NULL)
		return resp_json(resp, 200, json_release_plan(a->plan, a->dry_run, a->release_day));
	return resp_json(resp, 200, json_move_plan(a->plan, a->dry_run, a->transfer,
	    a->unassigned));
}

/* Under an Idempotency-Key, the run commits its answer (render_plan()) with its moves. */
static void
answer_with(const struct request *req, struct plan_answer *a)
{
	if (req->idem != NULL) {
		req->idem->render = render_plan;
		req->idem->arg = a;
	}
}

/* 422 naming a taker who may not take patients. */
static enum app_err
ineligible_taker(struct response *resp, int64_t user)
{
	int64_t users[ROLE__MAX] = {user, 0};
	struct json_object *errors;

	if ((errors = json_list()) == NULL)
		return APP_ENOMEM;
	return problems(resp, errors, val_ineligible(users, errors));
}

/*
 * POST .../lead_care_managers/transfer: move a user's patients to one or
 * several others, in one transaction; a dry run says what the real run
 * would do, and writes nothing.
 */
enum app_err
lcm_transfer_post(const struct request *req, struct response *resp)
{
	struct lcm_actor who = {req->user_id, req->request_id, idem_key(req->idem)};
	int64_t *to = NULL, *patients = NULL;
	struct lcm_move_plan plan = {0};
	struct json_object *errors;
	struct lcm_transfer t;
	struct lcm_change c;
	struct plan_answer answer = {&plan, 0, 1, 0, NULL};
	enum app_err rc = APP_ENOMEM;

	if ((to = calloc(VAL_TAKERS_MAX, sizeof(*to))) == NULL ||
	    (patients = calloc(VAL_BULK_MAX, sizeof(*patients))) == NULL ||
	    (errors = json_list()) == NULL)
		goto out;
	if ((rc = problems(resp, errors, val_transfer(req->json, &t, to, patients, &c,
	    errors))) != APP_OK)
		goto out;
	answer.dry_run = t.dry_run;
	answer_with(req, &answer);
	rc = lcm_transfer_run(req->db, &who, &c, &t, &plan);
	if (rc == APP_EINVAL) {
		rc = ineligible_taker(resp, plan.ineligible);
		goto out;
	}
	if (rc != APP_OK)
		goto out;
	if (!t.dry_run)
		log_moves(req, &plan, ACCESS_TRANSFER);
	if (!idem_kept(req->idem))
		rc = render_plan(&answer, resp);
out:
	lcm_move_plan_free(&plan);
	free(to);
	free(patients);
	return rc;
}

/*
 * POST .../lead_care_managers/auto_assign: fill a role for the patients
 * named or for those lacking it, previous holders first.
 */
enum app_err
lcm_auto_assign_post(const struct request *req, struct response *resp)
{
	struct lcm_actor who = {req->user_id, req->request_id, idem_key(req->idem)};
	int64_t *users = NULL, *patients = NULL;
	struct lcm_move_plan plan = {0};
	struct json_object *errors;
	struct lcm_auto a;
	struct lcm_change c;
	struct plan_answer answer = {&plan, 0, 0, 0, NULL};
	enum app_err rc = APP_ENOMEM;

	if ((users = calloc(VAL_BULK_MAX, sizeof(*users))) == NULL ||
	    (patients = calloc(LCM_AUTO_MAX, sizeof(*patients))) == NULL ||
	    (errors = json_list()) == NULL)
		goto out;
	if ((rc = problems(resp, errors, val_auto_assign(req->json, &a, patients, users, &c,
	    errors))) != APP_OK)
		goto out;
	answer.dry_run = a.dry_run;
	answer.unassigned = a.unassigned;
	answer_with(req, &answer);
	rc = lcm_auto_assign_run(req->db, &who, &c, &a, &plan);
	if (rc == APP_EINVAL) {
		rc = ineligible_taker(resp, plan.ineligible);
		goto out;
	}
	if (rc != APP_OK)
		goto out;
	if (!a.dry_run)
		log_moves(req, &plan, ACCESS_ASSIGN);
	if (!idem_kept(req->idem))
		rc = render_plan(&answer, resp);
out:
	lcm_move_plan_free(&plan);
	free(users);
	free(patients);
	return rc;
}

/*
 * POST .../lead_care_managers/release_ended: clear the LCMs of the members
 * whose authorization ended before the clinic's day, in one transaction
 * (at most LCM_RELEASE_MAX patients; the answer counts the rest); a dry
 * run says what the real run would do, and writes nothing.
 */
enum app_err
lcm_release_ended_post(const struct request *req, struct response *resp)
{
	struct lcm_actor who = {req->user_id, req->request_id, idem_key(req->idem)};
	struct lcm_move_plan plan = {0};
	struct json_object *errors;
	struct lcm_release r;
	char day[TODAY_LEN];
	struct plan_answer answer = {&plan, 0, 0, 0, day};
	enum app_err rc = APP_ENOMEM;

	if ((errors = json_list()) == NULL)
		goto out;
	if ((rc = problems(resp, errors, val_release_ended(req->json, &r, errors))) != APP_OK)
		goto out;
	today(day);
	r.day = day;
	answer.dry_run = r.dry_run;
	answer_with(req, &answer);
	if ((rc = lcm_release_ended_run(req->db, &who, &r, &plan)) != APP_OK)
		goto out;
	if (!idem_kept(req->idem))
		rc = render_plan(&answer, resp);
out:
	lcm_move_plan_free(&plan);
	return rc;
}
