#include "db.h"
#include "sql.h"

/*
 * Every statement, with its signature (see struct stmt_def). Parameters
 * used more than once are bound once and named in a one-row derived
 * table (q), which the optimiser reads as constants.
 */

#define W DB_USE_WORKER
#define A DB_USE_ADMIN
#define M DB_USE_MIGRATE

/* A user may take the Lead Care Manager role: active and holding "ecm". */
#define SQL_IS_ECM \
	"EXISTS (SELECT 1 FROM user_roles ur JOIN roles r ON r.id = ur.role_id" \
	" WHERE ur.user_id = u.id AND r.name = 'ecm')"

/*
 * The list filter: eligible, name LIKE q.pat, and when q.role names a role
 * a current assignment in it. The search folds case but not accents: "e"
 * finds "Eve", not "Élodie".
 */
#define SQL_LCM_FILTER \
	" FROM users u JOIN (SELECT ? AS pat, ? AS role) q" \
	" WHERE u.active = 1 AND " SQL_IS_ECM \
	" AND u.name COLLATE utf8mb4_uca1400_as_ci LIKE q.pat ESCAPE '!'" \
	" AND (q.role IS NULL" \
	"  OR (q.role = 'olcm' AND EXISTS (SELECT 1 FROM case_loads c WHERE c.olcm_user_id = u.id))" \
	"  OR (q.role = 'ilcm' AND EXISTS (SELECT 1 FROM case_loads c WHERE c.ilcm_user_id = u.id)))"

/* A patient's care team (CT_* in sql.h), from patients p and the joins below. */
#define SQL_CARE_TEAM_COLS \
	"p.id, p.name, c.id, c.provider_id, pr.name," \
	" c.olcm_user_id, ou.name, ou.email, c.olcm_assigned_at," \
	" c.ilcm_user_id, iu.name, iu.email, c.ilcm_assigned_at," \
	" c.created_at, c.updated_at, c.version"
#define SQL_CARE_TEAM_JOINS \
	" LEFT JOIN case_loads c ON c.patient_id = p.id" \
	" LEFT JOIN providers pr ON pr.id = c.provider_id" \
	" LEFT JOIN users ou ON ou.id = c.olcm_user_id" \
	" LEFT JOIN users iu ON iu.id = c.ilcm_user_id"
#define SQL_CARE_TEAM_OUT "isiis" "isst" "isst" "tti"

/* A JSON array of ids as rows, so one statement serves any batch size. */
#define SQL_ID_TABLE "JSON_TABLE(?, '$[*]' COLUMNS (id BIGINT PATH '$')) AS j"

const struct stmt_def sql_stmts[STMT__MAX] = {
	[STMT_PING] = {"ping", "SELECT 1", "", "i", W},

	/* The token's user, whether an admin, the token, and whether its last use is stale. */
	[STMT_AUTH_TOKEN] = {"auth_token",
	"SELECT u.id, EXISTS (SELECT 1 FROM user_roles ur JOIN roles r ON r.id = ur.role_id"
	" WHERE ur.user_id = u.id AND r.name = 'admin'), t.id,"
	" t.last_used_at IS NULL OR t.last_used_at < NOW(3) - INTERVAL 1 MINUTE"
	" FROM api_tokens t JOIN users u ON u.id = t.user_id"
	" WHERE t.token_sha256 = ? AND t.revoked_at IS NULL"
	" AND (t.expires_at IS NULL OR t.expires_at > NOW(3)) AND u.active = 1",
	"s", "iiii", W},

	[STMT_TOKEN_TOUCH] = {"token_touch",
	"UPDATE api_tokens SET last_used_at = NOW(3) WHERE id = ?", "i", "", W},

	[STMT_CARE_TEAM] = {"care_team",
	"SELECT " SQL_CARE_TEAM_COLS " FROM patients p " SQL_CARE_TEAM_JOINS " WHERE p.id = ?",
	"i", SQL_CARE_TEAM_OUT, W},

	[STMT_LCM_PAGE] = {"lcm_page",
	"SELECT u.id, u.name, u.email,"
	" (SELECT GROUP_CONCAT(r.name ORDER BY r.name SEPARATOR ',')"
	"   FROM user_roles ur JOIN roles r ON r.id = ur.role_id WHERE ur.user_id = u.id),"
	" (SELECT COUNT(*) FROM case_loads c WHERE c.olcm_user_id = u.id),"
	" (SELECT COUNT(*) FROM case_loads c WHERE c.ilcm_user_id = u.id),"
	" (SELECT COUNT(*) FROM case_loads c WHERE c.olcm_user_id = u.id AND c.ilcm_user_id = u.id)"
	SQL_LCM_FILTER
	" ORDER BY u.name, u.id LIMIT ? OFFSET ?",
	"ssii", "isssiii", W},

	[STMT_LCM_COUNT] = {"lcm_count", "SELECT COUNT(*)" SQL_LCM_FILTER, "ss", "i", W},

	/*
	 * One change's references: the care team as it stands (patient id
	 * NULL when there is no such patient), then whether the given oLCM and
	 * iLCM are eligible.
	 */
	[STMT_REFS] = {"refs",
	"SELECT " SQL_CARE_TEAM_COLS ","
	" EXISTS (SELECT 1 FROM users u WHERE u.id = q.olcm AND u.active = 1 AND " SQL_IS_ECM "),"
	" EXISTS (SELECT 1 FROM users u WHERE u.id = q.ilcm AND u.active = 1 AND " SQL_IS_ECM ")"
	" FROM (SELECT ? AS pid, ? AS olcm, ? AS ilcm) q"
	" LEFT JOIN patients p ON p.id = q.pid " SQL_CARE_TEAM_JOINS,
	"iii", SQL_CARE_TEAM_OUT "ii", W},

	[STMT_PATIENTS_EXISTING] = {"patients_existing",
	"SELECT DISTINCT p.id FROM " SQL_ID_TABLE " JOIN patients p ON p.id = j.id", "s", "i", W},

	[STMT_USERS_ELIGIBLE] = {"users_eligible",
	"SELECT DISTINCT u.id FROM " SQL_ID_TABLE " JOIN users u ON u.id = j.id"
	" WHERE u.active = 1 AND " SQL_IS_ECM, "s", "i", W},

	[STMT_CASE_LOAD_LOCK] = {"case_load_lock",
	"SELECT id, olcm_user_id, ilcm_user_id, version FROM case_loads WHERE patient_id = ? FOR UPDATE",
	"i", "iiii", W},

	/* A new case load for a patient (none when the patient is gone), provider copied. */
	[STMT_CASE_LOAD_INSERT] = {"case_load_insert",
	"INSERT INTO case_loads (patient_id, provider_id, olcm_user_id, olcm_assigned_at,"
	" ilcm_user_id, ilcm_assigned_at, created_at, updated_at)"
	" SELECT p.id, p.primary_provider_id, q.olcm, IF(q.olcm IS NULL, NULL, NOW(3)),"
	" q.ilcm, IF(q.ilcm IS NULL, NULL, NOW(3)), NOW(3), NOW(3)"
	" FROM (SELECT ? AS pid, ? AS olcm, ? AS ilcm) q JOIN patients p ON p.id = q.pid",
	"iii", "", W},

	/*
	 * Set the roles that change (q.set_olcm, q.set_ilcm) to their new
	 * user, or NULL; a role set to someone is assigned now.
	 */
	[STMT_CASE_LOAD_UPDATE] = {"case_load_update",
	"UPDATE case_loads c JOIN (SELECT ? AS id, ? AS set_olcm, ? AS olcm,"
	" ? AS set_ilcm, ? AS ilcm) q ON c.id = q.id SET"
	" c.olcm_assigned_at = IF(q.set_olcm, IF(q.olcm IS NULL, NULL, NOW(3)), c.olcm_assigned_at),"
	" c.olcm_user_id = IF(q.set_olcm, q.olcm, c.olcm_user_id),"
	" c.ilcm_assigned_at = IF(q.set_ilcm, IF(q.ilcm IS NULL, NULL, NOW(3)), c.ilcm_assigned_at),"
	" c.ilcm_user_id = IF(q.set_ilcm, q.ilcm, c.ilcm_user_id),"
	" c.updated_at = NOW(3), c.version = c.version + 1",
	"iiiii", "", W},

	/*
	 * One changed role, timed as its case load's change (updated_at, which
	 * the same statement set as the role's assigned_at): a history period
	 * starts exactly when the care team says it was assigned.
	 */
	[STMT_ACTIVITY_INSERT] = {"activity_insert",
	"INSERT INTO patient_activities (patient_id, case_load_id, activity_type, role,"
	" previous_user_id, new_user_id, actor_user_id, reason, reason_code, source,"
	" request_id, created_at)"
	" SELECT c.patient_id, c.id, q.type, q.role, q.prev, q.next, q.actor, q.note, q.code,"
	" q.source, q.rid, c.updated_at"
	" FROM (SELECT ? AS id, ? AS type, ? AS role, ? AS prev, ? AS next, ? AS actor,"
	" ? AS note, ? AS code, ? AS source, ? AS rid) q JOIN case_loads c ON c.id = q.id",
	"issiiissss", "", W},

	/* Did a change with this request id commit? (after a COMMIT lost on the wire) */
	[STMT_ACTIVITY_TAGGED] = {"activity_tagged",
	"SELECT COUNT(*) FROM patient_activities WHERE request_id = ?", "s", "i", W},

	[STMT_PATIENT_EXISTS] = {"patient_exists",
	"SELECT COUNT(*) FROM patients WHERE id = ?", "i", "i", W},

	/*
	 * A patient's assignment periods, newest first: each activity that put
	 * someone in a role starts one, the next activity of that role ends it.
	 * Parameters: patient, role (NULL: both), limit, offset.
	 */
	[STMT_HISTORY_PAGE] = {"history_page",
	"SELECT h.role, h.user_id, u.name, u.email, h.started_at, h.ended_at,"
	" h.started_by, sb.name, h.ended_by, eb.name, h.reason_code, h.reason, h.source"
	" FROM (SELECT a.id, a.role, a.new_user_id AS user_id, a.created_at AS started_at,"
	"   LEAD(a.created_at) OVER w AS ended_at, a.actor_user_id AS started_by,"
	"   LEAD(a.actor_user_id) OVER w AS ended_by, a.reason_code, a.reason, a.source"
	"   FROM (SELECT ? AS pid, ? AS role) q JOIN patient_activities a"
	"   ON a.patient_id = q.pid AND (q.role IS NULL OR a.role = q.role)"
	"   WINDOW w AS (PARTITION BY a.role ORDER BY a.id)) h"
	" JOIN users u ON u.id = h.user_id"
	" JOIN users sb ON sb.id = h.started_by"
	" LEFT JOIN users eb ON eb.id = h.ended_by"
	" WHERE h.user_id IS NOT NULL"
	" ORDER BY h.started_at DESC, h.id DESC LIMIT ? OFFSET ?",
	"isii", "sissttisisss" "s", W},
	[STMT_HISTORY_COUNT] = {"history_count",
	"SELECT COUNT(*) FROM (SELECT ? AS pid, ? AS role) q JOIN patient_activities a"
	" ON a.patient_id = q.pid AND (q.role IS NULL OR a.role = q.role)"
	" WHERE a.new_user_id IS NOT NULL", "is", "i", W},

	/*
	 * Idempotency-Key: claim a key for a request (a duplicate key means
	 * another request has it); read a claim (stale: older than 24 hours,
	 * or running for more than 90 s, longer than any request may run);
	 * take a stale one over; record the response; let a claim go.
	 */
	[STMT_IDEM_CLAIM] = {"idem_claim",
	"INSERT INTO idempotency_keys (user_id, idem_key, request_sha256, request_id, state,"
	" created_at) VALUES (?, ?, ?, ?, 'running', NOW(3))", "isss", "", W},
	[STMT_IDEM_GET] = {"idem_get",
	"SELECT request_sha256, state, status, etag, body,"
	" created_at < NOW(3) - INTERVAL 24 HOUR"
	"  OR (state = 'running' AND created_at < NOW(3) - INTERVAL 90 SECOND), request_id"
	" FROM idempotency_keys WHERE user_id = ? AND idem_key = ?", "is", "ssissis", W},
	[STMT_IDEM_TAKEOVER] = {"idem_takeover",
	"UPDATE idempotency_keys SET request_sha256 = ?, request_id = ?, state = 'running',"
	" status = NULL, etag = NULL, body = NULL, created_at = NOW(3), completed_at = NULL"
	" WHERE user_id = ? AND idem_key = ? AND (created_at < NOW(3) - INTERVAL 24 HOUR"
	"  OR (state = 'running' AND created_at < NOW(3) - INTERVAL 90 SECOND))", "ssis", "", W},
	[STMT_IDEM_DONE] = {"idem_done",
	"UPDATE idempotency_keys SET state = 'done', status = ?, etag = ?, body = ?,"
	" completed_at = NOW(3) WHERE user_id = ? AND idem_key = ?", "issis", "", W},
	[STMT_IDEM_RELEASE] = {"idem_release",
	"DELETE FROM idempotency_keys WHERE user_id = ? AND idem_key = ? AND state = 'running'",
	"is", "", W},
	[STMT_IDEM_PURGE] = {"idem_purge",
	"DELETE FROM idempotency_keys WHERE created_at < NOW(3) - INTERVAL 24 HOUR LIMIT 1000",
	"", "", W},

	/* The PHI access log: a batch of [patient, actor, action, request id, at] rows. */
	[STMT_ACCESS_INSERT] = {"access_insert",
	"INSERT INTO phi_access_log (patient_id, actor_user_id, action, request_id, at)"
	" SELECT j.patient, j.actor, j.action, j.rid, j.at FROM JSON_TABLE(?, '$[*]' COLUMNS ("
	"  patient BIGINT PATH '$[0]', actor BIGINT PATH '$[1]', action VARCHAR(20) PATH '$[2]',"
	"  rid VARCHAR(80) PATH '$[3]', at DATETIME(3) PATH '$[4]')) AS j", "s", "", W},
	[STMT_ACCESS_PAGE] = {"access_page",
	"SELECT l.actor_user_id, u.name, l.action, l.request_id, l.at"
	" FROM phi_access_log l LEFT JOIN users u ON u.id = l.actor_user_id"
	" WHERE l.patient_id = ? ORDER BY l.at DESC, l.id DESC LIMIT ? OFFSET ?",
	"iii", "isss" "t", W},
	[STMT_ACCESS_COUNT] = {"access_count",
	"SELECT COUNT(*) FROM phi_access_log WHERE patient_id = ?", "i", "i", W},

	/* --- lcm-admin migrate and check ------------------------------------ */

	[STMT_MIGRATIONS_CREATE] = {"migrations_create",
	"CREATE TABLE IF NOT EXISTS schema_migrations ("
	" version INT NOT NULL, name VARCHAR(200) NOT NULL, sha256 CHAR(64) NOT NULL,"
	" applied_at DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3), PRIMARY KEY (version)"
	") ENGINE=InnoDB DEFAULT CHARSET=utf8mb4", "", "", M},

	/* One migrator at a time (0 when another holds it for 30 s). */
	[STMT_MIGRATE_LOCK] = {"migrate_lock", "SELECT GET_LOCK('lcm_migrate', 30)", "", "i", M},
	[STMT_MIGRATE_UNLOCK] = {"migrate_unlock", "SELECT RELEASE_LOCK('lcm_migrate')", "", "i", M},
	[STMT_MIGRATE_SQL_MODE] = {"migrate_sql_mode",
	"SET SESSION sql_mode = 'STRICT_ALL_TABLES,NO_ENGINE_SUBSTITUTION'", "", "", M},

	[STMT_MIGRATIONS_LIST] = {"migrations_list",
	"SELECT version, name, sha256 FROM schema_migrations ORDER BY version", "", "iss", 0},
	[STMT_MIGRATION_RECORD] = {"migration_record",
	"INSERT INTO schema_migrations (version, name, sha256) VALUES (?, ?, ?)", "iss", "", 0},

	/* --- lcm-admin user, role, token ------------------------------------ */

	[STMT_ROLE_LIST] = {"role_list", "SELECT name FROM roles ORDER BY name", "", "s", A},
	[STMT_ROLE_INSERT] = {"role_insert", "INSERT INTO roles (name) VALUES (?)", "s", "", A},
	[STMT_USER_INSERT] = {"user_insert",
	"INSERT INTO users (name, email) VALUES (?, ?)", "ss", "", A},
	[STMT_USER_GET] = {"user_get",
	"SELECT id, name, email, active FROM users WHERE id = ?", "i", "issi", A},
	[STMT_USER_BY_EMAIL] = {"user_by_email", "SELECT id FROM users WHERE email = ?", "s", "i", A},
	[STMT_USER_ROLE_ADD] = {"user_role_add",
	"INSERT IGNORE INTO user_roles (user_id, role_id)"
	" SELECT q.uid, r.id FROM (SELECT ? AS uid, ? AS role) q JOIN roles r ON r.name = q.role",
	"is", "", A},
	[STMT_USER_ROLE_REMOVE] = {"user_role_remove",
	"DELETE ur FROM user_roles ur JOIN roles r ON r.id = ur.role_id"
	" JOIN (SELECT ? AS uid, ? AS role) q ON ur.user_id = q.uid AND r.name = q.role",
	"is", "", A},
	[STMT_USER_SET_ACTIVE] = {"user_set_active",
	"UPDATE users SET active = ? WHERE id = ?", "ii", "", A},
	[STMT_USER_LIST] = {"user_list",
	"SELECT u.id, u.name, u.email, u.active,"
	" (SELECT GROUP_CONCAT(r.name ORDER BY r.name SEPARATOR ' ')"
	"   FROM user_roles ur JOIN roles r ON r.id = ur.role_id WHERE ur.user_id = u.id)"
	" FROM users u ORDER BY u.id", "", "issis", A},

	/* A token's SHA-256 only; it expires NULL days from now: never. */
	[STMT_TOKEN_INSERT] = {"token_insert",
	"INSERT INTO api_tokens (user_id, token_sha256, label, created_at, expires_at)"
	" VALUES (?, ?, ?, NOW(3), NOW(3) + INTERVAL ? DAY)", "issi", "", A},
	[STMT_TOKEN_LIST] = {"token_list",
	"SELECT id, label, created_at, last_used_at, expires_at, revoked_at,"
	" expires_at IS NOT NULL AND expires_at <= NOW(3)"
	" FROM api_tokens WHERE user_id = ? ORDER BY id", "i", "istttti", A},
	[STMT_TOKEN_GET] = {"token_get",
	"SELECT user_id, revoked_at FROM api_tokens WHERE id = ?", "i", "it", A},
	[STMT_TOKEN_REVOKE] = {"token_revoke",
	"UPDATE api_tokens SET revoked_at = NOW(3) WHERE id = ? AND revoked_at IS NULL", "i", "", A},

	/* --- lcm-admin import: a JSON array of rows per statement ----------- */

	[STMT_IMPORT_PROVIDERS] = {"import_providers",
	"INSERT INTO providers (id, name)"
	" SELECT j.id, j.name FROM JSON_TABLE(?, '$[*]' COLUMNS ("
	"  id BIGINT PATH '$[0]', name VARCHAR(200) PATH '$[1]')) AS j"
	" ON DUPLICATE KEY UPDATE name = VALUES(name)", "s", "", A},
	[STMT_IMPORT_PATIENTS] = {"import_patients",
	"INSERT INTO patients (id, name, primary_provider_id)"
	" SELECT j.id, j.name, j.provider FROM JSON_TABLE(?, '$[*]' COLUMNS ("
	"  id BIGINT PATH '$[0]', name VARCHAR(200) PATH '$[1]', provider BIGINT PATH '$[2]')) AS j"
	" ON DUPLICATE KEY UPDATE name = VALUES(name),"
	" primary_provider_id = VALUES(primary_provider_id)", "s", "", A},
	[STMT_IMPORT_USERS] = {"import_users",
	"INSERT INTO users (id, name, email, active)"
	" SELECT j.id, j.name, j.email, j.active FROM JSON_TABLE(?, '$[*]' COLUMNS ("
	"  id BIGINT PATH '$[0]', name VARCHAR(200) PATH '$[1]', email VARCHAR(254) PATH '$[2]',"
	"  active TINYINT PATH '$[3]')) AS j"
	" ON DUPLICATE KEY UPDATE name = VALUES(name), email = VALUES(email),"
	" active = VALUES(active)", "s", "", A},
	/* Of the users in the batch ([id, [role, ...]]), the roles they no longer hold. */
	[STMT_IMPORT_ROLES_PRUNE] = {"import_roles_prune",
	"DELETE ur FROM user_roles ur JOIN roles r ON r.id = ur.role_id"
	" JOIN JSON_TABLE(?, '$[*]' COLUMNS (id BIGINT PATH '$[0]', roles JSON PATH '$[1]')) AS j"
	"  ON j.id = ur.user_id"
	" WHERE NOT JSON_CONTAINS(j.roles, JSON_QUOTE(r.name))", "s", "", A},
	[STMT_IMPORT_ROLES_ADD] = {"import_roles_add",
	"INSERT IGNORE INTO user_roles (user_id, role_id)"
	" SELECT j.id, r.id FROM JSON_TABLE(?, '$[*]' COLUMNS (id BIGINT PATH '$[0]',"
	"  NESTED PATH '$[1][*]' COLUMNS (role VARCHAR(40) PATH '$'))) AS j"
	" JOIN roles r ON r.name = j.role", "s", "", A},
	[STMT_PROVIDERS_EXISTING] = {"providers_existing",
	"SELECT DISTINCT p.id FROM " SQL_ID_TABLE " JOIN providers p ON p.id = j.id", "s", "i", A},
	[STMT_USERS_EXISTING] = {"users_existing",
	"SELECT DISTINCT u.id FROM " SQL_ID_TABLE " JOIN users u ON u.id = j.id", "s", "i", A},
	/* Of the [id, email] pairs, those whose email another user holds. */
	[STMT_EMAILS_TAKEN] = {"emails_taken",
	"SELECT j.id, u.id FROM JSON_TABLE(?, '$[*]' COLUMNS ("
	"  id BIGINT PATH '$[0]', email VARCHAR(254) PATH '$[1]')) AS j"
	" JOIN users u ON u.email = j.email AND u.id <> j.id", "s", "ii", A},
};
