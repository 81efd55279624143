#include "db.h"
#include "handlers.h"
#include "json_out.h"

/* 200 {"status":"ok"} when the database answers a query, else 503. */
enum app_err
health_get(const struct request *req, struct response *resp)
{
	if (db_row(req->db, STMT_PING, NULL, 0) != APP_OK)
		return APP_EUNAVAIL;
	return resp_json(resp, 200, json_health());
}
