#include <stdio.h>
#include <stdlib.h>

#include <json.h>

#include "handlers.h"
#include "idem.h"
#include "json_out.h"
#include "mif.h"
#include "rules.h"

/* What an import answers: its counts. */
static enum app_err
render_counts(void *arg, struct response *resp)
{
	return resp_json(resp, 200, json_mif_result(arg));
}

/* A refused file: 422, a message per problem, "Line N: ..." (and how many more past the first). */
static enum app_err
refused(struct response *resp, const struct mif_problems *probs)
{
	struct json_object *errors;
	char msg[256];
	size_t i;

	if ((errors = json_list()) == NULL)
		return APP_ENOMEM;
	for (i = 0; i < probs->n; i++) {
		snprintf(msg, sizeof(msg), "Line %u: %s", probs->v[i].line, probs->v[i].msg);
		if (json_list_add_string(errors, msg) != APP_OK)
			goto nomem;
	}
	if (probs->more > 0 || probs->n == 0) {
		if (probs->n == 0)
			snprintf(msg, sizeof(msg), "The file was refused");
		else
			snprintf(msg, sizeof(msg), "... and %zu more problem%s", probs->more,
			    probs->more == 1 ? "" : "s");
		if (json_list_add_string(errors, msg) != APP_OK)
			goto nomem;
	}
	return problems(resp, errors, (int)probs->n + 1);
nomem:
	json_object_put(errors);
	return APP_ENOMEM;
}

/*
 * POST .../ecm/mifs: a health plan's Member Information File, upserted
 * by member id in one transaction, all or nothing (mif_import()).
 */
enum app_err
mifs_post(const struct request *req, struct response *resp)
{
	struct lcm_actor who = {req->user_id, req->request_id, idem_key(req->idem)};
	struct mif_problems probs = {0};
	struct mif_counts counts = {0};
	struct json_object *errors;
	char *text = NULL, sep;
	size_t len;
	enum app_err rc = APP_ENOMEM;

	if ((errors = json_list()) == NULL)
		goto out;
	if ((rc = problems(resp, errors, val_mif(req->json, &text, &len, &sep, errors))) != APP_OK)
		goto out;
	if (req->idem != NULL) {
		req->idem->render = render_counts;
		req->idem->arg = &counts;
	}
	rc = mif_import(req->db, &who, "api", text, len, sep, &probs, &counts);
	if (rc == APP_EINVAL) {
		rc = refused(resp, &probs);
		goto out;
	}
	if (rc != APP_OK || idem_kept(req->idem))
		goto out;
	rc = render_counts(&counts, resp);
out:
	mif_problems_free(&probs);
	free(text);
	return rc;
}
