#include "db.h"
#include "handlers.h"
#include "json_out.h"

/*
 * 200 {"status":"ok"} when the database answers a ping within
 * DB_PING_TIMEOUT (1 s), else 503: on a connection of its own, so that a
 * server that stopped answering is told within that time. A database that
 * answers but refused one of this worker's statements for want of space
 * or resources (a full disk or table) within DB_STORAGE_MS (30 s) is a
 * 503 too, which says so: it cannot take (some) writes.
 */
enum app_err
health_get(const struct request *req, struct response *resp)
{
	if (db_ping(req->db) != APP_OK)
		return APP_EUNAVAIL;
	if (db_storage_failing(req->db))
		return APP_ESTORAGE;
	return resp_json(resp, 200, json_health());
}
