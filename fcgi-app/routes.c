#include "handlers.h"

#define LCM_BASE "/v1/admin/clinic/ecm"

/* Every route of the worker; nginx/lcm-upstream.conf's 405 map is tested against it. */
const struct route app_routes[] = {
	{M_GET, "/healthz", health_get, 0, NULL},
	{M_GET, LCM_BASE "/lead_care_managers", lcm_list_get, ROUTE_ADMIN, NULL},
	{M_GET, LCM_BASE "/lead_care_managers/:id", lcm_one_get, ROUTE_ADMIN, NULL},
	{M_POST, LCM_BASE "/lead_care_managers/assign", lcm_write_one,
	    ROUTE_ADMIN | ROUTE_BODY | ROUTE_IDEMPOTENT, &route_assign_post},
	{M_PUT, LCM_BASE "/lead_care_managers/assign", lcm_write_one,
	    ROUTE_ADMIN | ROUTE_BODY, &route_assign_put},
	{M_DELETE, LCM_BASE "/lead_care_managers/assign", lcm_write_one,
	    ROUTE_ADMIN | ROUTE_BODY, &route_assign_delete},
	{M_POST, LCM_BASE "/lead_care_managers/bulk_assign", lcm_bulk_assign_post,
	    ROUTE_ADMIN | ROUTE_BODY | ROUTE_IDEMPOTENT, NULL},
	{M_POST, LCM_BASE "/lead_care_managers/transfer", lcm_transfer_post,
	    ROUTE_ADMIN | ROUTE_BODY | ROUTE_IDEMPOTENT, NULL},
	{M_POST, LCM_BASE "/lead_care_managers/auto_assign", lcm_auto_assign_post,
	    ROUTE_ADMIN | ROUTE_BODY | ROUTE_IDEMPOTENT, NULL},
	{M_POST, LCM_BASE "/lead_care_managers/release_ended", lcm_release_ended_post,
	    ROUTE_ADMIN | ROUTE_BODY | ROUTE_IDEMPOTENT, NULL},
	{M_PUT, LCM_BASE "/lead_care_managers/:id/capacity", lcm_capacity_put,
	    ROUTE_ADMIN | ROUTE_BODY, NULL},
	{M_GET, LCM_BASE "/lead_care_managers/:id/patients", lcm_user_patients_get, ROUTE_ADMIN, NULL},
	{M_GET, LCM_BASE "/lead_care_managers/assignments.csv", assignments_export_get, ROUTE_ADMIN, NULL},
	{M_GET, LCM_BASE "/patients", patients_list_get, ROUTE_ADMIN, NULL},
	{M_GET, LCM_BASE "/patients/summary", patients_summary_get, ROUTE_ADMIN, NULL},
	{M_GET, LCM_BASE "/patients/:id/lead_care_managers", patient_lcms_get, ROUTE_ADMIN, NULL},
	{M_GET, LCM_BASE "/patients/:id/lead_care_managers/history", patient_history_get,
	    ROUTE_ADMIN, NULL},
	{M_GET, LCM_BASE "/patients/:id/access_log", patient_access_log_get, ROUTE_ADMIN, NULL},
	{M_GET, LCM_BASE "/acuity_weights", lcm_weights_get_one, ROUTE_ADMIN, NULL},
	{M_PUT, LCM_BASE "/acuity_weights", lcm_weights_put, ROUTE_ADMIN | ROUTE_BODY, NULL},
	{M_POST, LCM_BASE "/mifs", mifs_post,
	    ROUTE_ADMIN | ROUTE_BODY | ROUTE_IDEMPOTENT | ROUTE_FILE, NULL},
};

const size_t app_nroutes = sizeof(app_routes) / sizeof(app_routes[0]);
