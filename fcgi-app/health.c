#include <json.h>

#include "db.h"
#include "handlers.h"

/* 200 {"status":"ok"} when the database answers a query, else 503. */
enum app_err
health_get(const struct request *req, struct response *resp)
{
	struct db_col one = {.type = DB_INT};
	struct json_object *o;

	if (db_row(req->db, STMT_PING, NULL, 0, &one, 1) != APP_OK)
		return APP_EUNAVAIL;
	if ((o = json_object_new_object()) == NULL ||
	    json_object_object_add(o, "status", json_object_new_string("ok")) != 0) {
		json_object_put(o);
		return APP_ENOMEM;
	}
	return resp_json(resp, 200, o);
}
