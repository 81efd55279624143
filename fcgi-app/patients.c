#include "handlers.h"
#include "json_out.h"
#include "lcm.h"

/* GET .../patients/:id/lead_care_managers: the patient's care team. */
enum app_err
patient_lcms_get(const struct request *req, struct response *resp)
{
	struct care_team t;
	enum app_err rc;

	if ((rc = lcm_care_team_get(req->db, req->path_id, &t)) != APP_OK)
		return rc;
	return resp_json(resp, 200, json_care_team(&t));
}
