#ifndef LCM_JSON_OUT_H
#define LCM_JSON_OUT_H

#include "lcm.h"

struct json_object;

/*
 * Each function builds the JSON of one resource and alone decides which
 * fields leave the process. They return a new object owned by the caller,
 * or NULL when memory runs out.
 */

/* GET .../patients/{id}/lead_care_managers: patient with case_load or null. */
struct json_object *json_care_team(const struct care_team *);

/* The flat case_load of the assign responses. */
struct json_object *json_case_load(const struct care_team *);

/* The list body: lead_care_managers and pagination. */
struct json_object *json_lcm_page(const struct lcm_page *, const struct lcm_list_query *);

#endif
