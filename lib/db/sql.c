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

/*
 * A statement's result columns: {type, name} each, in the SELECT's order,
 * the name the one the server gives the column (its alias where the
 * SELECT has one). Where sql.h has an enum for them, each is designated
 * by its index ([CT_OLCM_AT] = {'t', "olcm_at"}), so that the index, the
 * type and the name are one line, checked against the server at prepare.
 * A statement without a result has NO_OUT.
 */
#define OUT(...) (const struct sql_col[]){__VA_ARGS__}, \
	(unsigned)(sizeof((const struct sql_col[]){__VA_ARGS__}) / sizeof(struct sql_col))
#define NO_OUT NULL, 0

/*
 * A user may take the Lead Care Manager role: active and holding "ecm",
 * which the user's row says (users.is_ecm, kept from user_roles and roles
 * by db-schema/048's triggers): one definition for every statement.
 */
#define SQL_IS_ECM "u.is_ecm = 1"

/*
 * The list: users with their workloads (lcm_workload, kept by triggers) and
 * limits, filtered by q: pat (a LIKE pattern), role (a current assignment
 * in it, NULL for any), inactive (1: deactivated users still holding
 * patients, instead of the eligible ones), avail (1: below the limit of
 * role, or of either role), sort ('workload': fewest patients first).
 * The search folds case but not accents: "e" finds "Eve", not "Élodie".
 */
/* A user's role names, sorted, comma-separated. */
#define SQL_LCM_ROLES(id) \
	"(SELECT GROUP_CONCAT(r.name ORDER BY r.name SEPARATOR ',')" \
	" FROM user_roles ur JOIN roles r ON r.id = ur.role_id WHERE ur.user_id = " id ")"
/* A list entry's columns of users u (SQL_LCM_ENTRY adds the rest). */
#define SQL_LCM_ROW \
	"u.id, u.name, u.email, u.active, u.active = 1 AND " SQL_IS_ECM " AS eligible"
/*
 * The clinic's weights, each row read by its key (awl, awm, awh; a missing
 * row weighs 1), and a user's weighted load in a role from w, a row of
 * lcm_workload, and weights l, m, h: lcm_points() in SQL. The list's
 * filter and sort, which weigh every user only for available=true and
 * sort=weighted_workload, read each weight once by a subquery (SQL_W_Q);
 * its page joins them (SQL_ENTRY_JOINS) and weighs its own rows alone.
 */
#define SQL_WEIGHTS_JOINS \
	" LEFT JOIN acuity_weights awl ON awl.acuity_level = 'low'" \
	" LEFT JOIN acuity_weights awm ON awm.acuity_level = 'medium'" \
	" LEFT JOIN acuity_weights awh ON awh.acuity_level = 'high'"
#define SQL_WL "IFNULL(awl.weight, 1)"
#define SQL_WM "IFNULL(awm.weight, 1)"
#define SQL_WH "IFNULL(awh.weight, 1)"
#define SQL_W_Q(a) "(SELECT IFNULL(MAX(weight), 1) FROM acuity_weights WHERE acuity_level = '" a "')"
#define SQL_POINTS_OF(w, role, l, m, h) \
	"((IFNULL(" w "." role "_count, 0) - IFNULL(" w "." role "_medium, 0)" \
	" - IFNULL(" w "." role "_high, 0)) * " l " + IFNULL(" w "." role "_medium, 0) * " m \
	" + IFNULL(" w "." role "_high, 0) * " h ")"
#define SQL_POINTS(role) SQL_POINTS_OF("w", role, SQL_W_Q("low"), SQL_W_Q("medium"), SQL_W_Q("high"))
/* What a page's rows t join for their workloads, weighted loads and limits. */
#define SQL_ENTRY_JOINS(t) \
	" LEFT JOIN lcm_workload w2 ON w2.user_id = " t ".id" \
	" LEFT JOIN lcm_capacity cap2 ON cap2.user_id = " t ".id" SQL_WEIGHTS_JOINS
/*
 * A list entry as the statements answer it (LP_* in sql.h), from a
 * derived table t of SQL_LCM_ROW: its user, the roles, the workloads,
 * limits and weighted loads of the page's rows alone (SQL_ENTRY_JOINS
 * beside it).
 */
#define SQL_LCM_ENTRY(t) \
	t ".id, " t ".name, " t ".email, " SQL_LCM_ROLES(t ".id") " AS roles," \
	" IFNULL(w2.olcm_count, 0) AS olcm_count, IFNULL(w2.ilcm_count, 0) AS ilcm_count," \
	" IFNULL(w2.both_count, 0) AS both_count, cap2.max_olcm, cap2.max_ilcm," \
	" " t ".active, " t ".eligible," \
	" " SQL_POINTS_OF("w2", "olcm", SQL_WL, SQL_WM, SQL_WH) " AS olcm_points," \
	" " SQL_POINTS_OF("w2", "ilcm", SQL_WL, SQL_WM, SQL_WH) " AS ilcm_points," \
	" cap2.max_olcm_points, cap2.max_ilcm_points"
#define SQL_LCM_OUT \
	[LP_ID] = {'i', "id"}, \
	[LP_NAME] = {'s', "name"}, \
	[LP_EMAIL] = {'s', "email"}, \
	[LP_ROLES] = {'s', "roles"}, \
	[LP_OLCM_COUNT] = {'i', "olcm_count"}, \
	[LP_ILCM_COUNT] = {'i', "ilcm_count"}, \
	[LP_BOTH_COUNT] = {'i', "both_count"}, \
	[LP_MAX_OLCM] = {'i', "max_olcm"}, \
	[LP_MAX_ILCM] = {'i', "max_ilcm"}, \
	[LP_ACTIVE] = {'i', "active"}, \
	[LP_ELIGIBLE] = {'i', "eligible"}, \
	[LP_OLCM_POINTS] = {'i', "olcm_points"}, \
	[LP_ILCM_POINTS] = {'i', "ilcm_points"}, \
	[LP_MAX_OLCM_POINTS] = {'i', "max_olcm_points"}, \
	[LP_MAX_ILCM_POINTS] = {'i', "max_ilcm_points"}
/* Workload and limits. */
#define SQL_LCM_JOINS \
	" LEFT JOIN lcm_workload w ON w.user_id = u.id" \
	" LEFT JOIN lcm_capacity cap ON cap.user_id = u.id"
/* The search: a LIKE pattern q.pat on the name, folding case but not accents. */
#define SQL_LCM_NAME_LIKE " u.name COLLATE utf8mb4_uca1400_as_ci LIKE q.pat ESCAPE '!'"
/* The list's parameters as one row q (SQL_LCM_FILTER's). */
#define SQL_LCM_Q "(SELECT ? AS pat, ? AS role, ? AS inactive, ? AS avail, ? AS sort) q"
/*
 * The list's filter. A condition on w or cap (LEFT JOINed) goes through
 * IFNULL or IS NULL: MariaDB 10.11 folds q's columns as constants when it
 * first runs the prepared statement, and a condition that then rejects a
 * NULL w row (w.olcm_count > 0 for role=olcm) turns the LEFT JOIN into an
 * inner join for good, so that later runs on that connection lose the users
 * without a workload row. IFNULL never rejects a NULL row.
 */
#define SQL_LCM_FILTER \
	" FROM users u JOIN " SQL_LCM_Q \
	SQL_LCM_JOINS \
	" WHERE IF(q.inactive," \
	"  u.active = 0 AND (IFNULL(w.olcm_count, 0) > 0 OR IFNULL(w.ilcm_count, 0) > 0)," \
	"  u.active = 1 AND " SQL_IS_ECM ")" \
	" AND" SQL_LCM_NAME_LIKE \
	" AND (q.role IS NULL OR (q.role = 'olcm' AND IFNULL(w.olcm_count, 0) > 0)" \
	"  OR (q.role = 'ilcm' AND IFNULL(w.ilcm_count, 0) > 0))" \
	" AND (q.avail = 0" \
	"  OR ((q.role IS NULL OR q.role = 'olcm')" \
	"   AND (cap.max_olcm IS NULL OR IFNULL(w.olcm_count, 0) < cap.max_olcm)" \
	"   AND (cap.max_olcm_points IS NULL OR " SQL_POINTS("olcm") " < cap.max_olcm_points))" \
	"  OR ((q.role IS NULL OR q.role = 'ilcm')" \
	"   AND (cap.max_ilcm IS NULL OR IFNULL(w.ilcm_count, 0) < cap.max_ilcm)" \
	"   AND (cap.max_ilcm_points IS NULL OR " SQL_POINTS("ilcm") " < cap.max_ilcm_points)))"

/* A patient's care team (CT_* in sql.h), from patients p and the joins below. */
#define SQL_CARE_TEAM_COLS \
	"p.id AS patient_id, p.name AS patient_name, c.id AS case_load_id, c.provider_id," \
	" pr.name AS provider_name," \
	" c.olcm_user_id AS olcm_id, ou.name AS olcm_name, ou.email AS olcm_email," \
	" c.olcm_assigned_at AS olcm_at," \
	" c.ilcm_user_id AS ilcm_id, iu.name AS ilcm_name, iu.email AS ilcm_email," \
	" c.ilcm_assigned_at AS ilcm_at," \
	" c.created_at AS created, c.updated_at AS updated, c.version," \
	" ou.active AS olcm_active, iu.active AS ilcm_active"
#define SQL_CARE_TEAM_OUT \
	[CT_PATIENT_ID] = {'i', "patient_id"}, \
	[CT_PATIENT_NAME] = {'s', "patient_name"}, \
	[CT_CASE_LOAD_ID] = {'i', "case_load_id"}, \
	[CT_PROVIDER_ID] = {'i', "provider_id"}, \
	[CT_PROVIDER_NAME] = {'s', "provider_name"}, \
	[CT_OLCM_ID] = {'i', "olcm_id"}, \
	[CT_OLCM_NAME] = {'s', "olcm_name"}, \
	[CT_OLCM_EMAIL] = {'s', "olcm_email"}, \
	[CT_OLCM_AT] = {'t', "olcm_at"}, \
	[CT_ILCM_ID] = {'i', "ilcm_id"}, \
	[CT_ILCM_NAME] = {'s', "ilcm_name"}, \
	[CT_ILCM_EMAIL] = {'s', "ilcm_email"}, \
	[CT_ILCM_AT] = {'t', "ilcm_at"}, \
	[CT_CREATED] = {'t', "created"}, \
	[CT_UPDATED] = {'t', "updated"}, \
	[CT_VERSION] = {'i', "version"}, \
	[CT_OLCM_ACTIVE] = {'i', "olcm_active"}, \
	[CT_ILCM_ACTIVE] = {'i', "ilcm_active"}
#define SQL_CARE_TEAM_JOINS \
	" LEFT JOIN case_loads c ON c.patient_id = p.id" \
	" LEFT JOIN providers pr ON pr.id = c.provider_id" \
	" LEFT JOIN users ou ON ou.id = c.olcm_user_id" \
	" LEFT JOIN users iu ON iu.id = c.ilcm_user_id"

/*
 * A member's facts (MB_* in sql.h) from ecm_members m, LEFT JOINed by the
 * patient's id (all NULL for a patient who is no member), and their
 * signature from column b on. Dates as YYYY-MM-DD.
 */
#define SQL_MEMBER_COLS \
	"m.member_id, m.cin, m.ecm_service_auth_id AS service_auth_id," \
	" CAST(m.ecm_benefit_auth_eff_date AS CHAR) AS auth_eff_date," \
	" CAST(m.ecm_benefit_auth_end_date AS CHAR) AS auth_end_date," \
	" m.acuity_level, m.member_record_status AS record_status"
/*
 * The ECM authorization of member m (ecm_members) on the clinic's day day
 * (a DATE expression, bound from today()): 'active', 'not_started',
 * 'ended', or NULL when there is none. member_auth_on() says the same in C.
 */
#define SQL_AUTH_STATE(m, day) \
	"CASE WHEN " m ".ecm_benefit_auth_eff_date IS NULL THEN NULL" \
	" WHEN " m ".ecm_benefit_auth_eff_date > " day " THEN 'not_started'" \
	" WHEN " m ".ecm_benefit_auth_end_date < " day " THEN 'ended' ELSE 'active' END"
#define SQL_MEMBER_OUT(b) \
	[(b) + MB_MEMBER_ID] = {'s', "member_id"}, \
	[(b) + MB_CIN] = {'s', "cin"}, \
	[(b) + MB_SERVICE_AUTH_ID] = {'s', "service_auth_id"}, \
	[(b) + MB_AUTH_EFF_DATE] = {'s', "auth_eff_date"}, \
	[(b) + MB_AUTH_END_DATE] = {'s', "auth_end_date"}, \
	[(b) + MB_ACUITY_LEVEL] = {'s', "acuity_level"}, \
	[(b) + MB_RECORD_STATUS] = {'s', "record_status"}

/*
 * The ranges of member m's dates that its authorization on day being state
 * implies (SQL_AUTH_STATE decides; these let the optimiser read them from
 * ix_ecm_members_auth_end, or ix_ecm_members_acuity after the acuity).
 */
#define SQL_AUTH_RANGE(m, day, state) \
	"((" state " = 'ended' AND " m ".ecm_benefit_auth_end_date < " day ")" \
	" OR (" state " = 'not_started' AND " m ".ecm_benefit_auth_eff_date > " day ")" \
	" OR (" state " = 'active' AND " m ".ecm_benefit_auth_eff_date <= " day \
	"  AND (" m ".ecm_benefit_auth_end_date IS NULL OR " m ".ecm_benefit_auth_end_date >= " day ")))"

/*
 * The patient list's parameters, one row q, each NULL for no filter: pat (a
 * LIKE pattern), provider (the case load's, or the primary one without a
 * case load), lcm (a user holding either role), unassigned ('olcm',
 * 'ilcm', 'any', 'both'), inactive (1: a deactivated user holds either
 * role), assigned (1: either role held, 0: neither); then the member's:
 * acuity, auth ('active', 'not_started', 'ended' on day), ends (days: an
 * active authorization ending from day to day + ends, both included),
 * member (the member id, exactly) and day (the clinic's, today(): never
 * NULL). Both forms of the list bind all eleven alike.
 */
#define SQL_PATIENT_PARAMS \
	"? AS pat, ? AS provider, ? AS lcm, ? AS unassigned, ? AS inactive, ? AS assigned," \
	" ? AS acuity, ? AS auth, ? AS ends, ? AS member, CAST(? AS DATE) AS day"
/*
 * The filters of patient_index x. It mirrors patients and case loads
 * (kept by triggers), and its indexes serve each filter in name order;
 * inactive looks the holders up in users, whose active flag the index does
 * not mirror.
 */
#define SQL_PATIENT_WHERE \
	" WHERE (q.pat IS NULL OR x.name COLLATE utf8mb4_uca1400_as_ci LIKE q.pat ESCAPE '!')" \
	" AND (q.provider IS NULL OR x.provider_id = q.provider)" \
	" AND (q.lcm IS NULL OR x.olcm_user_id = q.lcm OR x.ilcm_user_id = q.lcm)" \
	" AND (q.unassigned IS NULL" \
	"  OR (q.unassigned = 'olcm' AND x.olcm_user_id IS NULL)" \
	"  OR (q.unassigned = 'ilcm' AND x.ilcm_user_id IS NULL)" \
	"  OR (q.unassigned = 'any' AND (x.olcm_user_id IS NULL OR x.ilcm_user_id IS NULL))" \
	"  OR (q.unassigned = 'both' AND x.olcm_user_id IS NULL AND x.ilcm_user_id IS NULL))" \
	" AND (q.inactive IS NULL" \
	"  OR EXISTS (SELECT 1 FROM users u WHERE u.id = x.olcm_user_id AND u.active = 0)" \
	"  OR EXISTS (SELECT 1 FROM users u WHERE u.id = x.ilcm_user_id AND u.active = 0))" \
	" AND (q.assigned IS NULL" \
	"  OR (q.assigned = 1 AND (x.olcm_user_id IS NOT NULL OR x.ilcm_user_id IS NOT NULL))" \
	"  OR (q.assigned = 0 AND x.olcm_user_id IS NULL AND x.ilcm_user_id IS NULL))"
/* The list without a member's filter: patient_index alone (q's member columns unread). */
#define SQL_PATIENT_FILTER(params) \
	" FROM patient_index x JOIN (SELECT " params ") q" SQL_PATIENT_WHERE
/*
 * The list with a member's filter: members m only, joined to their
 * patient_index row by key (an inner join, never an outer one whose WHERE
 * could turn it inner for the prepared statement's later runs). The
 * optimiser starts from whichever side a filter narrows: a member id from
 * its unique key, an acuity or an authorization from m's keys of them
 * (SQL_AUTH_RANGE), a holder or a provider from patient_index's.
 */
#define SQL_MEMBER_FILTER(params) \
	" FROM ecm_members m JOIN patient_index x ON x.patient_id = m.patient_id" \
	" JOIN (SELECT " params ") q" SQL_PATIENT_WHERE \
	" AND (q.acuity IS NULL OR m.acuity_level = q.acuity)" \
	" AND (q.member IS NULL OR m.member_id = q.member)" \
	" AND (q.auth IS NULL OR (" SQL_AUTH_STATE("m", "q.day") " = q.auth" \
	"  AND " SQL_AUTH_RANGE("m", "q.day", "q.auth") "))" \
	" AND (q.ends IS NULL OR (" SQL_AUTH_STATE("m", "q.day") " = 'active'" \
	"  AND m.ecm_benefit_auth_end_date BETWEEN q.day AND q.day + INTERVAL q.ends DAY))"
/*
 * A page of the list (PP_* in sql.h) from filter: its patients first, by
 * name then id (an index range of patient_index in name order, or the
 * members a key found, sorted), then their case loads and member facts.
 */
#define SQL_PATIENT_PAGE(filter) \
	"SELECT k.patient_id AS id, k.name, c.id AS case_load_id, c.provider_id," \
	" pr.name AS provider_name, c.olcm_user_id AS olcm_id, ou.name AS olcm_name," \
	" c.ilcm_user_id AS ilcm_id, iu.name AS ilcm_name, " SQL_MEMBER_COLS \
	" FROM (SELECT x.patient_id, x.name" filter \
	"  ORDER BY x.name, x.patient_id LIMIT ? OFFSET ?) k" \
	" LEFT JOIN case_loads c ON c.patient_id = k.patient_id" \
	" LEFT JOIN providers pr ON pr.id = c.provider_id" \
	" LEFT JOIN users ou ON ou.id = c.olcm_user_id" \
	" LEFT JOIN users iu ON iu.id = c.ilcm_user_id" \
	" LEFT JOIN ecm_members m ON m.patient_id = k.patient_id" \
	" ORDER BY k.name, k.patient_id"
#define SQL_PATIENT_PAGE_OUT \
	[PP_ID] = {'i', "id"}, \
	[PP_NAME] = {'s', "name"}, \
	[PP_CASE_LOAD_ID] = {'i', "case_load_id"}, \
	[PP_PROVIDER_ID] = {'i', "provider_id"}, \
	[PP_PROVIDER_NAME] = {'s', "provider_name"}, \
	[PP_OLCM_ID] = {'i', "olcm_id"}, \
	[PP_OLCM_NAME] = {'s', "olcm_name"}, \
	[PP_ILCM_ID] = {'i', "ilcm_id"}, \
	[PP_ILCM_NAME] = {'s', "ilcm_name"}, \
	SQL_MEMBER_OUT(PP_MEMBER)
/* The list's signature: SQL_PATIENT_PARAMS's, then LIMIT and OFFSET for a page. */
#define SQL_PATIENT_IN "siisiississ"
/*
 * A summary count that is a member list's total: q of SQL_PATIENT_PARAMS's
 * columns given as constants (only day bound), so that the count is that
 * list's filter itself.
 */
#define SQL_SUMMARY_Q(unassigned, assigned, acuity, auth) \
	"NULL AS pat, NULL AS provider, NULL AS lcm, " unassigned " AS unassigned, NULL AS inactive," \
	" " assigned " AS assigned, " acuity " AS acuity, " auth " AS auth, NULL AS ends," \
	" NULL AS member, CAST(? AS DATE) AS day"

/*
 * The collation of every text column: each table of db-schema/ names it.
 * A JSON_TABLE column of text would take the database's default collation,
 * which the operator's CREATE DATABASE chose (MariaDB 10.11's default for
 * utf8mb4 is utf8mb4_general_ci, 11.x's utf8mb4_uca1400_ai_ci), and could
 * then not be compared with a table's column; every one names this one.
 */
#define SQL_COLLATE " COLLATE utf8mb4_unicode_ci"

/*
 * A JSON array of ids as rows, so one statement serves any batch size.
 *
 * A statement that locks the rows it joins to these (FOR UPDATE, UPDATE)
 * reads them first (STRAIGHT_JOIN) and the table by its key (FORCE
 * INDEX): on a small table the optimizer would rather scan it, with a
 * join buffer, and a locking scan waits on every row another transaction
 * holds, the batch's or not (a bulk of new patients waited on a held case
 * load it does not touch, then gave up its set-based run).
 */
#define SQL_ID_TABLE "JSON_TABLE(?, '$[*]' COLUMNS (id BIGINT PATH '$')) AS j"

/* A case load a transfer, auto-assign or bulk locks (ML_* in sql.h), from case_loads c. */
#define SQL_MOVE_LOCK_COLS \
	"c.id, c.patient_id, c.olcm_user_id AS olcm, c.ilcm_user_id AS ilcm"
#define SQL_MOVE_LOCK_OUT \
	[ML_ID] = {'i', "id"}, \
	[ML_PATIENT_ID] = {'i', "patient_id"}, \
	[ML_OLCM] = {'i', "olcm"}, \
	[ML_ILCM] = {'i', "ilcm"}

/* An import's rows, by kind, as lib/admin/import.c's chunk_json() writes them. */
#define SQL_IMPORT_PROVIDERS \
	"JSON_TABLE(?, '$[*]' COLUMNS (id BIGINT PATH '$[0]'," \
	" name VARCHAR(200)" SQL_COLLATE " PATH '$[1]')) AS j"
#define SQL_IMPORT_PATIENTS \
	"JSON_TABLE(?, '$[*]' COLUMNS (id BIGINT PATH '$[0]'," \
	" name VARCHAR(200)" SQL_COLLATE " PATH '$[1]', provider BIGINT PATH '$[2]')) AS j"
/* A MIF import's members, as lib/care/mif_import.c writes them. */
#define SQL_MIF_MEMBERS \
	"JSON_TABLE(?, '$[*]' COLUMNS (pid BIGINT PATH '$[0]'," \
	" member_id VARCHAR(64) COLLATE utf8mb4_bin PATH '$[1]'," \
	" cin VARCHAR(64) COLLATE utf8mb4_bin PATH '$[2]'," \
	" auth_id VARCHAR(64) COLLATE utf8mb4_bin PATH '$[3]', eff DATE PATH '$[4]'," \
	" fin DATE PATH '$[5]', acuity VARCHAR(10) COLLATE utf8mb4_bin PATH '$[6]'," \
	" status VARCHAR(20) COLLATE utf8mb4_bin PATH '$[7]', dob DATE PATH '$[8]')) AS j"
#define SQL_IMPORT_USERS \
	"JSON_TABLE(?, '$[*]' COLUMNS (id BIGINT PATH '$[0]'," \
	" name VARCHAR(200)" SQL_COLLATE " PATH '$[1]', email VARCHAR(254)" SQL_COLLATE " PATH '$[2]'," \
	" active TINYINT PATH '$[3]')) AS j"

const struct stmt_def sql_stmts[STMT__MAX] = {
	[STMT_PING] = {"ping", "SELECT 1 AS ok", "", OUT({'i', "ok"}), W},

	/* The token's user, whether an admin, the token, and whether its last use is stale. */
	[STMT_AUTH_TOKEN] = {"auth_token",
	"SELECT u.id AS user_id,"
	" EXISTS (SELECT 1 FROM user_roles ur JOIN roles r ON r.id = ur.role_id"
	"  WHERE ur.user_id = u.id AND r.name = 'admin') AS is_admin, t.id AS token_id,"
	" t.last_used_at IS NULL OR t.last_used_at < NOW(3) - INTERVAL 1 MINUTE AS stale,"
	" TIMESTAMPDIFF(MICROSECOND, NOW(3), t.expires_at) DIV 1000 AS expires_in"
	" FROM api_tokens t JOIN users u ON u.id = t.user_id"
	" WHERE t.token_sha256 = ? AND t.revoked_at IS NULL"
	" AND (t.expires_at IS NULL OR t.expires_at > NOW(3)) AND u.active = 1",
	"s", OUT([AUTH_USER_ID] = {'i', "user_id"},
	    [AUTH_IS_ADMIN] = {'i', "is_admin"},
	    [AUTH_TOKEN_ID] = {'i', "token_id"},
	    [AUTH_STALE] = {'i', "stale"},
	    [AUTH_EXPIRES_IN] = {'i', "expires_in"}), W},

	[STMT_TOKEN_TOUCH] = {"token_touch",
	"UPDATE api_tokens SET last_used_at = NOW(3) WHERE id = ?", "i", NO_OUT, W},

	/* The care team, and the member's facts (one more join by key). */
	[STMT_CARE_TEAM] = {"care_team",
	"SELECT " SQL_CARE_TEAM_COLS ", " SQL_MEMBER_COLS " FROM patients p " SQL_CARE_TEAM_JOINS
	" LEFT JOIN ecm_members m ON m.patient_id = p.id WHERE p.id = ?",
	"i", OUT(SQL_CARE_TEAM_OUT, SQL_MEMBER_OUT(CT_MEMBER)), W},

	/*
	 * The page first, then each of its users' roles (a subquery per row of
	 * the page only); every row also carries the number of users the
	 * filter matches (a window over them all, before the LIMIT), so that
	 * a page needs no count of its own.
	 */
	[STMT_LCM_PAGE] = {"lcm_page",
	"SELECT " SQL_LCM_ENTRY("x") ", x.total FROM ("
	" SELECT " SQL_LCM_ROW ", CASE q.sort WHEN 'workload'"
	"  THEN IFNULL(w.olcm_count, 0) + IFNULL(w.ilcm_count, 0) - IFNULL(w.both_count, 0)"
	"  WHEN 'weighted_workload' THEN " SQL_POINTS("olcm") " + " SQL_POINTS("ilcm") " ELSE 0 END AS k,"
	" COUNT(*) OVER () AS total"
	SQL_LCM_FILTER " ORDER BY k, u.name, u.id LIMIT ? OFFSET ?) x" SQL_ENTRY_JOINS("x")
	" ORDER BY x.k, x.name, x.id",
	"ssiisii", OUT(SQL_LCM_OUT, [LP_TOTAL] = {'i', "total"}), W},
	/*
	 * The same page for the list by name with no filter but the search
	 * (the default list, and its search): the eligible users alone, their
	 * workloads and limits read for the page's rows only (the filter and
	 * sort of lcm_page read them for every user: 40% of its time). The
	 * same parameters, role, inactive, available and sort unread.
	 */
	[STMT_LCM_PAGE_BY_NAME] = {"lcm_page_by_name",
	"SELECT " SQL_LCM_ENTRY("x") ", x.total FROM ("
	" SELECT " SQL_LCM_ROW ", COUNT(*) OVER () AS total FROM users u JOIN " SQL_LCM_Q
	" WHERE u.active = 1 AND " SQL_IS_ECM " AND" SQL_LCM_NAME_LIKE
	" ORDER BY u.name, u.id LIMIT ? OFFSET ?) x" SQL_ENTRY_JOINS("x")
	" ORDER BY x.name, x.id",
	"ssiisii", OUT(SQL_LCM_OUT, [LP_TOTAL] = {'i', "total"}), W},

	[STMT_LCM_COUNT] = {"lcm_count", "SELECT COUNT(*) AS total" SQL_LCM_FILTER, "ssiis",
	OUT({'i', "total"}), W},

	/* One user as the list shows them, whoever they are (0 rows: no such user). */
	[STMT_LCM_ONE] = {"lcm_one",
	"SELECT " SQL_LCM_ENTRY("u") " FROM (SELECT " SQL_LCM_ROW " FROM users u"
	" WHERE u.id = ?) u" SQL_ENTRY_JOINS("u"), "i", OUT(SQL_LCM_OUT), W},

	[STMT_CAPACITY_SET] = {"capacity_set",
	"INSERT INTO lcm_capacity (user_id, max_olcm, max_ilcm, max_olcm_points, max_ilcm_points,"
	" updated_at, updated_by)"
	" VALUES (?, ?, ?, ?, ?, NOW(3), ?) ON DUPLICATE KEY UPDATE max_olcm = VALUES(max_olcm),"
	" max_ilcm = VALUES(max_ilcm), max_olcm_points = VALUES(max_olcm_points),"
	" max_ilcm_points = VALUES(max_ilcm_points), updated_at = NOW(3),"
	" updated_by = VALUES(updated_by)",
	"iiiiii", NO_OUT, W},

	/* The clinic's caseload weights (AW_*): one row, a missing acuity weighing 1. */
	[STMT_ACUITY_WEIGHTS] = {"acuity_weights",
	"SELECT " SQL_WL " AS low, " SQL_WM " AS medium, " SQL_WH " AS high"
	" FROM (SELECT 1 AS one) x" SQL_WEIGHTS_JOINS, "",
	OUT([AW_LOW] = {'i', "low"}, [AW_MEDIUM] = {'i', "medium"}, [AW_HIGH] = {'i', "high"}), W},
	[STMT_ACUITY_WEIGHT_SET] = {"acuity_weight_set",
	"INSERT INTO acuity_weights (acuity_level, weight, updated_at, updated_by)"
	" VALUES (?, ?, NOW(3), ?) ON DUPLICATE KEY UPDATE weight = VALUES(weight),"
	" updated_at = NOW(3), updated_by = VALUES(updated_by)", "sii", NO_OUT, W},

	/*
	 * Of a JSON array of patient ids, the members, with their acuity and
	 * authorization dates (PF_*): what a set-based run weighs and checks.
	 */
	[STMT_PATIENT_FACTS] = {"patient_facts",
	"SELECT m.patient_id, m.acuity_level,"
	" CAST(m.ecm_benefit_auth_eff_date AS CHAR) AS eff, CAST(m.ecm_benefit_auth_end_date AS CHAR) AS end_date"
	" FROM " SQL_ID_TABLE " JOIN ecm_members m ON m.patient_id = j.id ORDER BY m.patient_id", "s",
	OUT([PF_ID] = {'i', "patient_id"}, [PF_ACUITY] = {'s', "acuity_level"},
	    [PF_EFF] = {'s', "eff"}, [PF_END] = {'s', "end_date"}), W},

	/*
	 * The limits of the users a change assigns, and their workloads, read
	 * under the lock of their lcm_capacity rows: an assignment that would
	 * pass a limit waits for any other one to the same user.
	 */
	[STMT_CAPACITY_LOCK] = {"capacity_lock",
	"SELECT cap.user_id, cap.max_olcm, cap.max_ilcm,"
	" IFNULL(w.olcm_count, 0) AS olcm_count, IFNULL(w.ilcm_count, 0) AS ilcm_count,"
	" cap.max_olcm_points, cap.max_ilcm_points,"
	" IFNULL(w.olcm_medium, 0) AS olcm_medium, IFNULL(w.olcm_high, 0) AS olcm_high,"
	" IFNULL(w.ilcm_medium, 0) AS ilcm_medium, IFNULL(w.ilcm_high, 0) AS ilcm_high"
	" FROM (SELECT ? AS a, ? AS b) q JOIN lcm_capacity cap ON cap.user_id IN (q.a, q.b)"
	" LEFT JOIN lcm_workload w ON w.user_id = cap.user_id"
	" ORDER BY cap.user_id FOR UPDATE", "ii",
	OUT([CAP_USER_ID] = {'i', "user_id"},
	    [CAP_MAX_OLCM] = {'i', "max_olcm"},
	    [CAP_MAX_ILCM] = {'i', "max_ilcm"},
	    [CAP_OLCM_COUNT] = {'i', "olcm_count"},
	    [CAP_ILCM_COUNT] = {'i', "ilcm_count"},
	    [CAP_MAX_OLCM_POINTS] = {'i', "max_olcm_points"},
	    [CAP_MAX_ILCM_POINTS] = {'i', "max_ilcm_points"},
	    [CAP_OLCM_MEDIUM] = {'i', "olcm_medium"},
	    [CAP_OLCM_HIGH] = {'i', "olcm_high"},
	    [CAP_ILCM_MEDIUM] = {'i', "ilcm_medium"},
	    [CAP_ILCM_HIGH] = {'i', "ilcm_high"}), W | SQL_BRIEF},

	/* Of a JSON array of user ids, those with a limit in some role. */
	[STMT_USERS_LIMITED] = {"users_limited",
	"SELECT DISTINCT cap.user_id FROM " SQL_ID_TABLE " JOIN lcm_capacity cap ON cap.user_id = j.id"
	" WHERE cap.max_olcm IS NOT NULL OR cap.max_ilcm IS NOT NULL"
	" OR cap.max_olcm_points IS NOT NULL OR cap.max_ilcm_points IS NOT NULL", "s",
	OUT({'i', "user_id"}), W},

	/*
	 * A user's current patients, one row per patient and role, by patient
	 * id. The user and role are bound once per branch.
	 */
	[STMT_USER_PATIENTS] = {"user_patients",
	"SELECT x.patient_id, p.name AS patient_name, x.role, x.assigned_at FROM ("
	" SELECT c.patient_id, 'olcm' AS role, c.olcm_assigned_at AS assigned_at"
	"  FROM (SELECT ? AS u, ? AS role) q JOIN case_loads c ON c.olcm_user_id = q.u"
	"  WHERE q.role IS NULL OR q.role = 'olcm'"
	" UNION ALL"
	" SELECT c.patient_id, 'ilcm', c.ilcm_assigned_at"
	"  FROM (SELECT ? AS u, ? AS role) q JOIN case_loads c ON c.ilcm_user_id = q.u"
	"  WHERE q.role IS NULL OR q.role = 'ilcm') x"
	" JOIN patients p ON p.id = x.patient_id"
	" ORDER BY x.patient_id, x.role LIMIT ? OFFSET ?", "isisii",
	OUT([UP_PATIENT_ID] = {'i', "patient_id"},
	    [UP_PATIENT_NAME] = {'s', "patient_name"},
	    [UP_ROLE] = {'s', "role"},
	    [UP_ASSIGNED_AT] = {'t', "assigned_at"}), W},

	/*
	 * One change's references: the care team as it stands (no row when
	 * there is no such patient), then whether the given oLCM and iLCM are
	 * eligible, whether each has a limit in that role, and their names,
	 * emails and whether active (for the answer of a write). Every table
	 * is read by key in one join, with no subquery: the EXISTS of each
	 * check (the ecm role's two tables for each user, the limits) cost
	 * the server more than the care team itself. The ecm role is read
	 * from the user's row (users.is_ecm, kept by db-schema/048's
	 * triggers), where joining roles and user_roles cost three tables.
	 */
	[STMT_REFS] = {"refs",
	"SELECT " SQL_CARE_TEAM_COLS ","
	" go.active = 1 AND go.is_ecm = 1 AS olcm_ok, gi.active = 1 AND gi.is_ecm = 1 AS ilcm_ok,"
	" ko.max_olcm IS NOT NULL OR ko.max_olcm_points IS NOT NULL AS olcm_limited,"
	" ki.max_ilcm IS NOT NULL OR ki.max_ilcm_points IS NOT NULL AS ilcm_limited,"
	" go.name AS new_olcm_name, go.email AS new_olcm_email, go.active AS new_olcm_active,"
	" gi.name AS new_ilcm_name, gi.email AS new_ilcm_email, gi.active AS new_ilcm_active,"
	" m.member_id, CAST(m.ecm_benefit_auth_eff_date AS CHAR) AS auth_eff,"
	" CAST(m.ecm_benefit_auth_end_date AS CHAR) AS auth_end"
	" FROM patients p" SQL_CARE_TEAM_JOINS
	" LEFT JOIN ecm_members m ON m.patient_id = p.id"
	" LEFT JOIN users go ON go.id = ? LEFT JOIN users gi ON gi.id = ?"
	" LEFT JOIN lcm_capacity ko ON ko.user_id = go.id"
	" LEFT JOIN lcm_capacity ki ON ki.user_id = gi.id"
	" WHERE p.id = ?",
	"iii", OUT(SQL_CARE_TEAM_OUT,
	    [REFS_OLCM_OK] = {'i', "olcm_ok"},
	    [REFS_ILCM_OK] = {'i', "ilcm_ok"},
	    [REFS_OLCM_LIMITED] = {'i', "olcm_limited"},
	    [REFS_ILCM_LIMITED] = {'i', "ilcm_limited"},
	    [REFS_NEW_OLCM_NAME] = {'s', "new_olcm_name"},
	    [REFS_NEW_OLCM_EMAIL] = {'s', "new_olcm_email"},
	    [REFS_NEW_OLCM_ACTIVE] = {'i', "new_olcm_active"},
	    [REFS_NEW_ILCM_NAME] = {'s', "new_ilcm_name"},
	    [REFS_NEW_ILCM_EMAIL] = {'s', "new_ilcm_email"},
	    [REFS_NEW_ILCM_ACTIVE] = {'i', "new_ilcm_active"},
	    [REFS_MEMBER_ID] = {'s', "member_id"},
	    [REFS_AUTH_EFF] = {'s', "auth_eff"},
	    [REFS_AUTH_END] = {'s', "auth_end"}), W},

	[STMT_PATIENTS_EXISTING] = {"patients_existing",
	"SELECT DISTINCT p.id FROM " SQL_ID_TABLE " JOIN patients p ON p.id = j.id", "s",
	OUT({'i', "id"}), W},

	[STMT_USERS_ELIGIBLE] = {"users_eligible",
	"SELECT DISTINCT u.id FROM " SQL_ID_TABLE " JOIN users u ON u.id = j.id"
	" WHERE u.active = 1 AND " SQL_IS_ECM, "s", OUT({'i', "id"}), W},

	/*
	 * A patient's case load, locked, and the time once the lock is held
	 * (SYSDATE, not NOW, which is the statement's start, before any wait):
	 * the time of the change, later than any change before it.
	 */
	[STMT_CASE_LOAD_LOCK] = {"case_load_lock",
	"SELECT id, olcm_user_id AS olcm, ilcm_user_id AS ilcm, version,"
	" CAST(SYSDATE(3) AS CHAR) AS at"
	" FROM case_loads WHERE patient_id = ? FOR UPDATE", "i",
	OUT([LOCK_ID] = {'i', "id"},
	    [LOCK_OLCM] = {'i', "olcm"},
	    [LOCK_ILCM] = {'i', "ilcm"},
	    [LOCK_VERSION] = {'i', "version"},
	    [LOCK_AT] = {'s', "at"}), W | SQL_BRIEF},

	/* A new case load for a patient (none when the patient is gone), provider copied. */
	[STMT_CASE_LOAD_INSERT] = {"case_load_insert",
	"INSERT INTO case_loads (patient_id, provider_id, olcm_user_id, olcm_assigned_at,"
	" ilcm_user_id, ilcm_assigned_at, created_at, updated_at)"
	" SELECT p.id, p.primary_provider_id, q.olcm, IF(q.olcm IS NULL, NULL, NOW(3)),"
	" q.ilcm, IF(q.ilcm IS NULL, NULL, NOW(3)), NOW(3), NOW(3)"
	" FROM (SELECT ? AS pid, ? AS olcm, ? AS ilcm) q JOIN patients p ON p.id = q.pid",
	"iii", NO_OUT, W | SQL_BRIEF},

	/*
	 * Set the roles that change (q.set_olcm, q.set_ilcm) to their new
	 * user, or NULL; a role set to someone is assigned at q.at (the time
	 * STMT_CASE_LOAD_LOCK read).
	 */
	/*
	 * Its parameters are given again where they are used, not named once in
	 * a derived table: an UPDATE of one table by its key is planned in half
	 * the time of the join (issue 22's profile), and this runs per change.
	 * In order: set_olcm, olcm, at, set_olcm, olcm, set_ilcm, ilcm, at,
	 * set_ilcm, ilcm, at, id.
	 */
	[STMT_CASE_LOAD_UPDATE] = {"case_load_update",
	"UPDATE case_loads SET"
	" olcm_assigned_at = IF(?, IF(? IS NULL, NULL, CAST(? AS DATETIME(3))), olcm_assigned_at),"
	" olcm_user_id = IF(?, ?, olcm_user_id),"
	" ilcm_assigned_at = IF(?, IF(? IS NULL, NULL, CAST(? AS DATETIME(3))), ilcm_assigned_at),"
	" ilcm_user_id = IF(?, ?, ilcm_user_id),"
	" updated_at = CAST(? AS DATETIME(3)), version = version + 1"
	" WHERE id = ?",
	"iisiiiisiisi", NO_OUT, W | SQL_BRIEF},

	/*
	 * One changed role, timed as its case load's change (updated_at, which
	 * the same statement set as the role's assigned_at): a history period
	 * starts exactly when the care team says it was assigned.
	 */
	[STMT_ACTIVITY_INSERT] = {"activity_insert",
	"INSERT INTO patient_activities (patient_id, case_load_id, activity_type, role,"
	" previous_user_id, new_user_id, actor_user_id, reason, reason_code, source,"
	" capacity_override, authorization_override, request_id, created_at)"
	" SELECT c.patient_id, c.id, q.type, q.role, q.prev, q.next, q.actor, q.note, q.code,"
	" q.source, q.override, q.auth, q.rid, c.updated_at"
	" FROM (SELECT ? AS id, ? AS type, ? AS role, ? AS prev, ? AS next, ? AS actor,"
	" ? AS note, ? AS code, ? AS source, ? AS override, ? AS auth, ? AS rid) q"
	" JOIN case_loads c ON c.id = q.id",
	"issiiisssiis", NO_OUT, W | SQL_BRIEF},

	/*
	 * The same row when the change's time is known (the case load was
	 * updated at it): plain VALUES, planned in half the time of the join.
	 */
	[STMT_ACTIVITY_INSERT_AT] = {"activity_insert_at",
	"INSERT INTO patient_activities (patient_id, case_load_id, activity_type, role,"
	" previous_user_id, new_user_id, actor_user_id, reason, reason_code, source,"
	" capacity_override, authorization_override, request_id, created_at)"
	" VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, CAST(? AS DATETIME(3)))",
	"iissiiisssiiss", NO_OUT, W | SQL_BRIEF},

	/* Did a change with this request id commit? (after a COMMIT lost on the wire) */
	[STMT_ACTIVITY_TAGGED] = {"activity_tagged",
	"SELECT COUNT(*) AS tagged FROM patient_activities WHERE request_id = ?", "s",
	OUT({'i', "tagged"}), W},
	/*
	 * A session lost on the wire (db_fence): the server's uptime, and whether
	 * a session of that id (only ours are visible: no PROCESS privilege) is
	 * still there. Then its end, which KILL only asks for.
	 */
	[STMT_SESSION_GONE] = {"session_gone",
	"SELECT CAST((SELECT VARIABLE_VALUE FROM information_schema.GLOBAL_STATUS"
	" WHERE VARIABLE_NAME = 'UPTIME') AS UNSIGNED) AS uptime,"
	" EXISTS (SELECT 1 FROM information_schema.PROCESSLIST WHERE ID = ?) AS present", "i",
	OUT([SG_UPTIME] = {'i', "uptime"},
	    [SG_PRESENT] = {'i', "present"}), W},
	[STMT_SESSION_KILL] = {"session_kill", "KILL CONNECTION ?", "i", NO_OUT, W},
	/* The database's day (UTC: the session's time zone): one clock for what is compared. */
	[STMT_TODAY] = {"today", "SELECT CAST(CURRENT_DATE() AS CHAR) AS today", "",
	OUT({'s', "today"}), W},

	/* --- transfers and auto-assign: one transaction, set-based ------------- */

	/* The case loads of these patients (a JSON array of ids), locked. */
	[STMT_MOVE_LOCK_PATIENTS] = {"move_lock_patients",
	"SELECT STRAIGHT_JOIN " SQL_MOVE_LOCK_COLS " FROM " SQL_ID_TABLE
	" JOIN case_loads c FORCE INDEX (uq_case_loads_patient) ON c.patient_id = j.id"
	" ORDER BY c.patient_id FOR UPDATE", "s",
	OUT(SQL_MOVE_LOCK_OUT), W},
	/*
	 * The same for a bulk assignment, which waits a second at most for a
	 * row another transaction holds (it then applies its items one by one).
	 */
	[STMT_BULK_LOCK_PATIENTS] = {"bulk_lock_patients",
	"SET STATEMENT innodb_lock_wait_timeout = 1 FOR"
	" SELECT STRAIGHT_JOIN " SQL_MOVE_LOCK_COLS " FROM " SQL_ID_TABLE
	" JOIN case_loads c FORCE INDEX (uq_case_loads_patient) ON c.patient_id = j.id"
	" ORDER BY c.patient_id FOR UPDATE", "s",
	OUT(SQL_MOVE_LOCK_OUT), W},
	/* A user's case loads in one role, locked. */
	[STMT_MOVE_LOCK_OLCM] = {"move_lock_olcm",
	"SELECT " SQL_MOVE_LOCK_COLS " FROM case_loads c"
	" WHERE c.olcm_user_id = ? ORDER BY c.patient_id FOR UPDATE", "i",
	OUT(SQL_MOVE_LOCK_OUT), W},
	[STMT_MOVE_LOCK_ILCM] = {"move_lock_ilcm",
	"SELECT " SQL_MOVE_LOCK_COLS " FROM case_loads c"
	" WHERE c.ilcm_user_id = ? ORDER BY c.patient_id FOR UPDATE", "i",
	OUT(SQL_MOVE_LOCK_OUT), W},
	/* The limits of these users, locked as one assignment locks one (STMT_CAPACITY_LOCK). */
	[STMT_CAPACITY_LOCK_MANY] = {"capacity_lock_many",
	"SELECT STRAIGHT_JOIN cap.user_id FROM " SQL_ID_TABLE
	" JOIN lcm_capacity cap FORCE INDEX (PRIMARY) ON cap.user_id = j.id"
	" ORDER BY cap.user_id FOR UPDATE", "s", OUT({'i', "user_id"}), W},
	/* These users: eligible or not, limits, workloads. */
	[STMT_MOVE_TARGETS] = {"move_targets",
	"SELECT u.id, u.active = 1 AND " SQL_IS_ECM " AS eligible, cap.max_olcm, cap.max_ilcm,"
	" IFNULL(w.olcm_count, 0) AS olcm_count, IFNULL(w.ilcm_count, 0) AS ilcm_count,"
	" IFNULL(w.both_count, 0) AS both_count, cap.max_olcm_points, cap.max_ilcm_points,"
	" IFNULL(w.olcm_medium, 0) AS olcm_medium, IFNULL(w.olcm_high, 0) AS olcm_high,"
	" IFNULL(w.ilcm_medium, 0) AS ilcm_medium, IFNULL(w.ilcm_high, 0) AS ilcm_high"
	" FROM " SQL_ID_TABLE " JOIN users u ON u.id = j.id"
	" LEFT JOIN lcm_capacity cap ON cap.user_id = u.id"
	" LEFT JOIN lcm_workload w ON w.user_id = u.id ORDER BY u.id", "s",
	OUT([MT_ID] = {'i', "id"},
	    [MT_ELIGIBLE] = {'i', "eligible"},
	    [MT_MAX_OLCM] = {'i', "max_olcm"},
	    [MT_MAX_ILCM] = {'i', "max_ilcm"},
	    [MT_OLCM_COUNT] = {'i', "olcm_count"},
	    [MT_ILCM_COUNT] = {'i', "ilcm_count"},
	    [MT_BOTH_COUNT] = {'i', "both_count"},
	    [MT_MAX_OLCM_POINTS] = {'i', "max_olcm_points"},
	    [MT_MAX_ILCM_POINTS] = {'i', "max_ilcm_points"},
	    [MT_OLCM_MEDIUM] = {'i', "olcm_medium"},
	    [MT_OLCM_HIGH] = {'i', "olcm_high"},
	    [MT_ILCM_MEDIUM] = {'i', "ilcm_medium"},
	    [MT_ILCM_HIGH] = {'i', "ilcm_high"}), W},
	[STMT_ELIGIBLE_USER_IDS] = {"eligible_user_ids",
	"SELECT u.id FROM users u WHERE u.active = 1 AND " SQL_IS_ECM " ORDER BY u.id", "",
	OUT({'i', "id"}), W},
	/*
	 * Patients without a holder of the role (a case load or not), lowest
	 * ids first, but members whose authorization is not active on the
	 * clinic's day q.day: they wait for none. Read from patient_index,
	 * which mirrors the case loads in the same transaction, in its key's
	 * order (reached through its patient key, a case load cost two
	 * lookups a patient: 30 ms to find 1000 past 1000 assigned, now 5);
	 * auto-assign checks each one again under its case load's lock.
	 */
	[STMT_AUTO_UNASSIGNED] = {"auto_unassigned",
	"SELECT x.patient_id AS id FROM (SELECT ? AS role, CAST(? AS DATE) AS day) q JOIN patient_index x"
	" LEFT JOIN ecm_members m ON m.patient_id = x.patient_id"
	" WHERE IF(q.role = 'olcm', x.olcm_user_id, x.ilcm_user_id) IS NULL"
	" AND (m.ecm_benefit_auth_eff_date IS NULL OR (m.ecm_benefit_auth_eff_date <= q.day"
	"  AND (m.ecm_benefit_auth_end_date IS NULL OR m.ecm_benefit_auth_end_date >= q.day)))"
	" ORDER BY x.patient_id LIMIT ?", "ssi", OUT({'i', "id"}), W},
	/* The same of the high-acuity members without an iLCM, which auto-assign takes first. */
	[STMT_AUTO_UNASSIGNED_HIGH] = {"auto_unassigned_high",
	"SELECT m.patient_id AS id FROM (SELECT CAST(? AS DATE) AS day) q"
	" JOIN ecm_members m ON m.acuity_level = 'high'"
	" JOIN patient_index x ON x.patient_id = m.patient_id"
	" WHERE x.ilcm_user_id IS NULL"
	" AND (m.ecm_benefit_auth_eff_date IS NULL OR (m.ecm_benefit_auth_eff_date <= q.day"
	"  AND (m.ecm_benefit_auth_end_date IS NULL OR m.ecm_benefit_auth_end_date >= q.day)))"
	" ORDER BY m.patient_id LIMIT ?", "si", OUT({'i', "id"}), W},
	/*
	 * Each patient's last holder of the role, from the history, by its
	 * (patient, role, id) key: left to itself the optimizer walked the
	 * whole table backwards by id for each patient (ORDER BY id DESC
	 * LIMIT 1), 150 ms for 1000 patients in 37,000 activities.
	 */
	[STMT_PREVIOUS_HOLDERS] = {"previous_holders",
	"SELECT j.id AS patient_id, (SELECT a.new_user_id"
	"  FROM patient_activities a FORCE INDEX (ix_patient_activities_history)"
	"  WHERE a.patient_id = j.id AND a.role = q.role AND a.new_user_id IS NOT NULL"
	"  ORDER BY a.id DESC LIMIT 1) AS user_id"
	" FROM " SQL_ID_TABLE " JOIN (SELECT ? AS role) q", "ss",
	OUT([PH_PATIENT_ID] = {'i', "patient_id"},
	    [PH_USER_ID] = {'i', "user_id"}), W},
	/*
	 * Empty case loads for these patients (those that exist), provider
	 * copied, at version 0: STMT_MOVE_APPLY fills them in the same
	 * transaction, making them version 1 as a single assignment's.
	 */
	[STMT_AUTO_CREATE] = {"auto_create",
	"INSERT INTO case_loads (patient_id, provider_id, version, created_at, updated_at)"
	" SELECT p.id, p.primary_provider_id, 0, NOW(3), NOW(3) FROM " SQL_ID_TABLE
	" JOIN patients p ON p.id = j.id", "s", NO_OUT, W},
	/*
	 * Many case loads at once: [id, set_olcm, olcm, set_ilcm, ilcm, changes]
	 * each, as STMT_CASE_LOAD_UPDATE does one; the version counts each
	 * change (a bulk's items for one patient are several).
	 */
	[STMT_MOVE_APPLY] = {"move_apply",
	"UPDATE JSON_TABLE(?, '$[*]' COLUMNS (id BIGINT PATH '$[0]',"
	"  so INT PATH '$[1]', o BIGINT PATH '$[2]', si INT PATH '$[3]', i BIGINT PATH '$[4]',"
	"  k INT PATH '$[5]')) AS j"
	" STRAIGHT_JOIN case_loads c FORCE INDEX (PRIMARY) ON c.id = j.id SET"
	" c.olcm_assigned_at = IF(j.so, IF(j.o IS NULL, NULL, NOW(3)), c.olcm_assigned_at),"
	" c.olcm_user_id = IF(j.so, j.o, c.olcm_user_id),"
	" c.ilcm_assigned_at = IF(j.si, IF(j.i IS NULL, NULL, NOW(3)), c.ilcm_assigned_at),"
	" c.ilcm_user_id = IF(j.si, j.i, c.ilcm_user_id),"
	" c.updated_at = NOW(3), c.version = c.version + j.k", "s", NO_OUT, W},
	/*
	 * The bookkeeping STMT_MOVE_APPLY's rows would have had the trigger do
	 * (db-schema/034, 046): the acuity the changed case loads carry, of
	 * these patients (a JSON array of ids) the medium and high ones
	 * (MA_*); each user's workload deltas summed with them,
	 * [user, olcm, ilcm, both, olcm medium, olcm high, ilcm medium,
	 * ilcm high], written in user id order as the trigger writes them; each
	 * patient's index row, [patient, olcm, ilcm].
	 */
	[STMT_BOOKKEEPING_CALLER] = {"bookkeeping_caller",
	"SET @lcm_bookkeeping = 'caller'", "", NO_OUT, W},
	[STMT_BOOKKEEPING_TRIGGER] = {"bookkeeping_trigger", "SET @lcm_bookkeeping = NULL", "", NO_OUT, W},
	[STMT_MOVE_ACUITY] = {"move_acuity",
	"SELECT STRAIGHT_JOIN c.patient_id, c.acuity_level <=> 'high' AS high"
	" FROM " SQL_ID_TABLE " JOIN case_loads c FORCE INDEX (uq_case_loads_patient) ON c.patient_id = j.id"
	" WHERE c.acuity_level IN ('medium', 'high')", "s",
	OUT([MA_PATIENT_ID] = {'i', "patient_id"}, [MA_HIGH] = {'i', "high"}), W},
	[STMT_MOVE_WORKLOAD] = {"move_workload",
	"INSERT INTO lcm_workload (user_id, olcm_count, ilcm_count, both_count, olcm_medium, olcm_high,"
	" ilcm_medium, ilcm_high)"
	" SELECT j.u, j.o, j.i, j.b, j.om, j.oh, j.im, j.ih"
	" FROM JSON_TABLE(?, '$[*]' COLUMNS (u BIGINT PATH '$[0]', o INT PATH '$[1]', i INT PATH '$[2]',"
	"  b INT PATH '$[3]', om INT PATH '$[4]', oh INT PATH '$[5]', im INT PATH '$[6]',"
	"  ih INT PATH '$[7]')) AS j ORDER BY j.u"
	" ON DUPLICATE KEY UPDATE olcm_count = olcm_count + VALUES(olcm_count),"
	"  ilcm_count = ilcm_count + VALUES(ilcm_count), both_count = both_count + VALUES(both_count),"
	"  olcm_medium = olcm_medium + VALUES(olcm_medium), olcm_high = olcm_high + VALUES(olcm_high),"
	"  ilcm_medium = ilcm_medium + VALUES(ilcm_medium), ilcm_high = ilcm_high + VALUES(ilcm_high)",
	"s", NO_OUT, W},
	[STMT_MOVE_INDEX] = {"move_index",
	"UPDATE JSON_TABLE(?, '$[*]' COLUMNS (p BIGINT PATH '$[0]',"
	"  o BIGINT PATH '$[1]', i BIGINT PATH '$[2]')) AS j"
	" STRAIGHT_JOIN patient_index x FORCE INDEX (PRIMARY) ON x.patient_id = j.p"
	" SET x.olcm_user_id = j.o, x.ilcm_user_id = j.i", "s", NO_OUT, W},
	/*
	 * Their activity rows: [case load id, role, previous, new, override,
	 * reason note, reason code, request id, order, authorization override]
	 * each, written (their ids given) by order, then in the array's order.
	 */
	[STMT_MOVE_ACTIVITIES] = {"move_activities",
	"INSERT INTO patient_activities (patient_id, case_load_id, activity_type, role,"
	" previous_user_id, new_user_id, actor_user_id, reason, reason_code, source,"
	" capacity_override, authorization_override, request_id, created_at)"
	" SELECT c.patient_id, c.id,"
	" IF(j.prev IS NULL, 'lcm_assigned', IF(j.next IS NULL, 'lcm_removed', 'lcm_changed')), j.role,"
	" j.prev, j.next, q.actor, j.note, j.code, q.source, j.override, j.auth, j.rid, c.updated_at"
	" FROM JSON_TABLE(?, '$[*]' COLUMNS (n FOR ORDINALITY, id BIGINT PATH '$[0]',"
	"  role VARCHAR(4)" SQL_COLLATE " PATH '$[1]', prev BIGINT PATH '$[2]',"
	"  next BIGINT PATH '$[3]', override INT PATH '$[4]',"
	"  note VARCHAR(500)" SQL_COLLATE " PATH '$[5]', code VARCHAR(40)" SQL_COLLATE " PATH '$[6]',"
	"  rid VARCHAR(100)" SQL_COLLATE " PATH '$[7]', seq BIGINT PATH '$[8]',"
	"  auth INT PATH '$[9]')) AS j"
	" JOIN case_loads c ON c.id = j.id"
	" JOIN (SELECT ? AS actor, ? AS source) q ORDER BY j.seq, j.n",
	"sis", NO_OUT, W},

	/*
	 * The release of ended authorizations: the patients whose member's
	 * authorization ended before the clinic's day (bound: today()) and
	 * whose case load has a holder, lowest ids first, at most the limit,
	 * each row with how many there are in all; then those patients' case
	 * loads and member rows locked, each kept only if the authorization
	 * has still ended (a MIF import may have moved its end meanwhile).
	 */
	[STMT_RELEASE_ENDED_FIND] = {"release_ended_find",
	"SELECT c.patient_id, COUNT(*) OVER () AS total"
	" FROM (SELECT CAST(? AS DATE) AS day) q JOIN ecm_members m"
	" ON m.ecm_benefit_auth_end_date < q.day"
	" JOIN case_loads c ON c.patient_id = m.patient_id"
	" WHERE (c.olcm_user_id IS NOT NULL OR c.ilcm_user_id IS NOT NULL)"
	" AND " SQL_AUTH_STATE("m", "q.day") " = 'ended'"
	" ORDER BY c.patient_id LIMIT ?", "si",
	OUT([RE_PATIENT_ID] = {'i', "patient_id"},
	    [RE_TOTAL] = {'i', "total"}), W | A},
	[STMT_RELEASE_ENDED_LOCK] = {"release_ended_lock",
	"SELECT STRAIGHT_JOIN " SQL_MOVE_LOCK_COLS " FROM " SQL_ID_TABLE
	" JOIN case_loads c FORCE INDEX (uq_case_loads_patient) ON c.patient_id = j.id"
	" JOIN ecm_members m FORCE INDEX (PRIMARY) ON m.patient_id = c.patient_id"
	" JOIN (SELECT CAST(? AS DATE) AS day) q"
	" WHERE " SQL_AUTH_STATE("m", "q.day") " = 'ended'"
	" ORDER BY c.patient_id FOR UPDATE", "ss",
	OUT(SQL_MOVE_LOCK_OUT), W | A},

	/* --- patients, their summary, the assignment export -------------------- */

	/*
	 * The patient list, in two forms with one signature: without a
	 * member's filter (patient_index alone), and with one (members only).
	 */
	[STMT_PATIENT_PAGE] = {"patient_page",
	SQL_PATIENT_PAGE(SQL_PATIENT_FILTER(SQL_PATIENT_PARAMS)), SQL_PATIENT_IN "ii",
	OUT(SQL_PATIENT_PAGE_OUT), W},
	[STMT_PATIENT_COUNT] = {"patient_count",
	"SELECT COUNT(*) AS total" SQL_PATIENT_FILTER(SQL_PATIENT_PARAMS), SQL_PATIENT_IN,
	OUT({'i', "total"}), W},
	[STMT_MEMBER_PAGE] = {"member_page",
	SQL_PATIENT_PAGE(SQL_MEMBER_FILTER(SQL_PATIENT_PARAMS)), SQL_PATIENT_IN "ii",
	OUT(SQL_PATIENT_PAGE_OUT), W},
	[STMT_MEMBER_COUNT] = {"member_count",
	"SELECT COUNT(*) AS total" SQL_MEMBER_FILTER(SQL_PATIENT_PARAMS), SQL_PATIENT_IN,
	OUT({'i', "total"}), W},
	/*
	 * The dashboard's counts: one count of every patient, the others
	 * from the holders index's ranges (a patient without a case load has
	 * no holder), in one statement's read view. The ECM admin's two are
	 * their lists' filters (SQL_MEMBER_FILTER) with the day bound to each.
	 */
	[STMT_PATIENT_SUMMARY] = {"patient_summary",
	"SELECT n.c AS patients, n.c - (SELECT COUNT(*) FROM patient_index"
	"  WHERE olcm_user_id IS NULL AND ilcm_user_id IS NULL AND has_case_load = 0)"
	"  AS with_case_load,"
	" (SELECT COUNT(*) FROM patient_index WHERE olcm_user_id IS NULL) AS without_olcm,"
	" (SELECT COUNT(*) FROM patient_index WHERE ilcm_user_id IS NULL) AS without_ilcm,"
	" (SELECT COUNT(*) FROM patient_index WHERE olcm_user_id IS NULL AND ilcm_user_id IS NULL)"
	"  AS without_both,"
	" (SELECT COUNT(*) FROM (SELECT y.patient_id FROM users u"
	"   JOIN patient_index y ON y.olcm_user_id = u.id WHERE u.active = 0"
	"   UNION SELECT y.patient_id FROM users u"
	"   JOIN patient_index y ON y.ilcm_user_id = u.id WHERE u.active = 0) t) AS to_inactive,"
	" (SELECT COUNT(*)"
	SQL_MEMBER_FILTER(SQL_SUMMARY_Q("'ilcm'", "NULL", "'high'", "'active'")) ") AS high_no_ilcm,"
	" (SELECT COUNT(*)"
	SQL_MEMBER_FILTER(SQL_SUMMARY_Q("NULL", "1", "NULL", "'ended'")) ") AS ended_assigned"
	" FROM (SELECT COUNT(*) AS c FROM patient_index) n", "ss",
	OUT([SUM_PATIENTS] = {'i', "patients"},
	    [SUM_WITH_CASE_LOAD] = {'i', "with_case_load"},
	    [SUM_WITHOUT_OLCM] = {'i', "without_olcm"},
	    [SUM_WITHOUT_ILCM] = {'i', "without_ilcm"},
	    [SUM_WITHOUT_BOTH] = {'i', "without_both"},
	    [SUM_TO_INACTIVE] = {'i', "to_inactive"},
	    [SUM_HIGH_NO_ILCM] = {'i', "high_no_ilcm"},
	    [SUM_ENDED_ASSIGNED] = {'i', "ended_assigned"}), W},
	/* The current assignments, a chunk of case loads after a patient id. */
	[STMT_EXPORT_NOW] = {"export_now",
	"SELECT c.patient_id, p.name AS patient_name,"
	" c.olcm_user_id AS olcm_id, ou.name AS olcm_name, ou.email AS olcm_email,"
	" c.olcm_assigned_at AS olcm_at,"
	" c.ilcm_user_id AS ilcm_id, iu.name AS ilcm_name, iu.email AS ilcm_email,"
	" c.ilcm_assigned_at AS ilcm_at"
	" FROM case_loads c JOIN patients p ON p.id = c.patient_id"
	" LEFT JOIN users ou ON ou.id = c.olcm_user_id"
	" LEFT JOIN users iu ON iu.id = c.ilcm_user_id"
	" WHERE c.patient_id > ? ORDER BY c.patient_id LIMIT ?", "ii",
	OUT([EN_PATIENT_ID] = {'i', "patient_id"},
	    [EN_PATIENT_NAME] = {'s', "patient_name"},
	    [EN_OLCM_ID] = {'i', "olcm_id"},
	    [EN_OLCM_NAME] = {'s', "olcm_name"},
	    [EN_OLCM_EMAIL] = {'s', "olcm_email"},
	    [EN_OLCM_AT] = {'t', "olcm_at"},
	    [EN_ILCM_ID] = {'i', "ilcm_id"},
	    [EN_ILCM_NAME] = {'s', "ilcm_name"},
	    [EN_ILCM_EMAIL] = {'s', "ilcm_email"},
	    [EN_ILCM_AT] = {'t', "ilcm_at"}), W},
	/* The last patient id of the next chunk of patients after one (NULL: none left). */
	[STMT_EXPORT_BOUND] = {"export_bound",
	"SELECT MAX(t.id) AS bound"
	" FROM (SELECT id FROM patients WHERE id > ? ORDER BY id LIMIT ?) t",
	"ii", OUT({'i', "bound"}), W},
	/*
	 * The assignments held before a time, from the history: for patients
	 * lo < id <= hi, each role's last activity before it, when it put
	 * someone in the role.
	 */
	[STMT_EXPORT_PAST] = {"export_past",
	"SELECT h.patient_id, p.name AS patient_name, h.role, h.user_id, u.name AS user_name,"
	" u.email AS user_email, h.at FROM ("
	" SELECT a.patient_id, a.role, a.new_user_id AS user_id, a.created_at AS at,"
	"  ROW_NUMBER() OVER (PARTITION BY a.patient_id, a.role ORDER BY a.id DESC) AS rn"
	" FROM (SELECT ? AS lo, ? AS hi, ? AS cutoff) q JOIN patient_activities a"
	"  ON a.patient_id > q.lo AND a.patient_id <= q.hi AND a.created_at < q.cutoff) h"
	" JOIN patients p ON p.id = h.patient_id JOIN users u ON u.id = h.user_id"
	" WHERE h.rn = 1 ORDER BY h.patient_id, h.role", "iis",
	OUT([EP_PATIENT_ID] = {'i', "patient_id"},
	    [EP_PATIENT_NAME] = {'s', "patient_name"},
	    [EP_ROLE] = {'s', "role"},
	    [EP_USER_ID] = {'i', "user_id"},
	    [EP_USER_NAME] = {'s', "user_name"},
	    [EP_USER_EMAIL] = {'s', "user_email"},
	    [EP_AT] = {'t', "at"}), W},

	[STMT_PATIENT_EXISTS] = {"patient_exists",
	"SELECT COUNT(*) AS found FROM patients WHERE id = ?", "i", OUT({'i', "found"}), W},

	/*
	 * A patient's assignment periods, newest first: each activity that put
	 * someone in a role starts one, the next activity of that role ends it.
	 * Parameters: patient, role (NULL: both), limit, offset.
	 */
	[STMT_HISTORY_PAGE] = {"history_page",
	"SELECT h.role, h.user_id, u.name AS user_name, u.email AS user_email,"
	" h.started_at, h.ended_at,"
	" h.started_by, sb.name AS started_by_name, h.ended_by, eb.name AS ended_by_name,"
	" h.reason_code, h.reason AS reason_note, h.source, h.capacity_override AS override,"
	" h.authorization_override AS auth_override"
	" FROM (SELECT a.id, a.role, a.new_user_id AS user_id, a.created_at AS started_at,"
	"   LEAD(a.created_at) OVER w AS ended_at, a.actor_user_id AS started_by,"
	"   LEAD(a.actor_user_id) OVER w AS ended_by, a.reason_code, a.reason, a.source,"
	"   a.capacity_override, a.authorization_override"
	"   FROM (SELECT ? AS pid, ? AS role) q JOIN patient_activities a"
	"   ON a.patient_id = q.pid AND (q.role IS NULL OR a.role = q.role)"
	"   WINDOW w AS (PARTITION BY a.role ORDER BY a.id)) h"
	" JOIN users u ON u.id = h.user_id"
	" JOIN users sb ON sb.id = h.started_by"
	" LEFT JOIN users eb ON eb.id = h.ended_by"
	" WHERE h.user_id IS NOT NULL"
	" ORDER BY h.started_at DESC, h.id DESC LIMIT ? OFFSET ?", "isii",
	OUT([HI_ROLE] = {'s', "role"},
	    [HI_USER_ID] = {'i', "user_id"},
	    [HI_USER_NAME] = {'s', "user_name"},
	    [HI_USER_EMAIL] = {'s', "user_email"},
	    [HI_STARTED_AT] = {'t', "started_at"},
	    [HI_ENDED_AT] = {'t', "ended_at"},
	    [HI_STARTED_BY] = {'i', "started_by"},
	    [HI_STARTED_BY_NAME] = {'s', "started_by_name"},
	    [HI_ENDED_BY] = {'i', "ended_by"},
	    [HI_ENDED_BY_NAME] = {'s', "ended_by_name"},
	    [HI_REASON_CODE] = {'s', "reason_code"},
	    [HI_REASON_NOTE] = {'s', "reason_note"},
	    [HI_SOURCE] = {'s', "source"},
	    [HI_OVERRIDE] = {'i', "override"},
	    [HI_AUTH_OVERRIDE] = {'i', "auth_override"}), W},
	[STMT_HISTORY_COUNT] = {"history_count",
	"SELECT COUNT(*) AS total FROM (SELECT ? AS pid, ? AS role) q JOIN patient_activities a"
	" ON a.patient_id = q.pid AND (q.role IS NULL OR a.role = q.role)"
	" WHERE a.new_user_id IS NOT NULL", "is", OUT({'i', "total"}), W},

	/*
	 * Idempotency-Key: claim a key for a request (a duplicate key means
	 * another request has it); read a claim (stale: older than 24 hours,
	 * or running for more than 90 s, longer than any request may run);
	 * take a stale one over; record the response (inside the write's
	 * transaction, or after a request that wrote nothing); let a claim
	 * go. The last two touch the claim only while it is the request's
	 * (its request id) and running.
	 */
	[STMT_IDEM_CLAIM] = {"idem_claim",
	"INSERT INTO idempotency_keys (user_id, idem_key, request_sha256, request_id, state,"
	" created_at) VALUES (?, ?, ?, ?, 'running', NOW(3))", "isss", NO_OUT, W},
	[STMT_IDEM_GET] = {"idem_get",
	"SELECT request_sha256 AS sha256, state, status, etag, body,"
	" created_at < NOW(3) - INTERVAL 24 HOUR"
	"  OR (state = 'running' AND created_at < NOW(3) - INTERVAL 90 SECOND) AS stale, request_id"
	" FROM idempotency_keys WHERE user_id = ? AND idem_key = ?", "is",
	OUT([IG_SHA256] = {'s', "sha256"},
	    [IG_STATE] = {'s', "state"},
	    [IG_STATUS] = {'i', "status"},
	    [IG_ETAG] = {'s', "etag"},
	    [IG_BODY] = {'s', "body"},
	    [IG_STALE] = {'i', "stale"},
	    [IG_REQUEST_ID] = {'s', "request_id"}), W},
	[STMT_IDEM_TAKEOVER] = {"idem_takeover",
	"UPDATE idempotency_keys SET request_sha256 = ?, request_id = ?, state = 'running',"
	" status = NULL, etag = NULL, body = NULL, created_at = NOW(3), completed_at = NULL"
	" WHERE user_id = ? AND idem_key = ? AND (created_at < NOW(3) - INTERVAL 24 HOUR"
	"  OR (state = 'running' AND created_at < NOW(3) - INTERVAL 90 SECOND))", "ssis", NO_OUT, W},
	[STMT_IDEM_DONE] = {"idem_done",
	"UPDATE idempotency_keys SET state = 'done', status = ?, etag = ?, body = ?,"
	" completed_at = NOW(3)"
	" WHERE user_id = ? AND idem_key = ? AND request_id = ? AND state = 'running'",
	"ississ", NO_OUT, W},
	[STMT_IDEM_RELEASE] = {"idem_release",
	"DELETE FROM idempotency_keys"
	" WHERE user_id = ? AND idem_key = ? AND request_id = ? AND state = 'running'",
	"iss", NO_OUT, W},
	[STMT_IDEM_PURGE] = {"idem_purge",
	"DELETE FROM idempotency_keys WHERE created_at < NOW(3) - INTERVAL 24 HOUR LIMIT 1000",
	"", NO_OUT, W},

	/*
	 * The PHI access log: a batch of [patient, actor, action, request id,
	 * age, writer, seq] rows. The time is the database's: its clock as it
	 * runs the batch, less each record's age (microseconds, on the
	 * worker's monotonic clock). (writer, seq) names a record: one sent
	 * again (its batch timed out, and the server may have run it all the
	 * same) is written once, with the earlier of the two times (each is
	 * the access's time or later: the later one ran late).
	 */
	[STMT_ACCESS_INSERT] = {"access_insert",
	"INSERT INTO phi_access_log (patient_id, actor_user_id, action, request_id, at,"
	" writer_id, writer_seq)"
	" SELECT j.patient, j.actor, j.action, j.rid, NOW(6) - INTERVAL j.age MICROSECOND,"
	"  j.writer, j.seq"
	" FROM JSON_TABLE(?, '$[*]' COLUMNS ("
	"  patient BIGINT PATH '$[0]', actor BIGINT PATH '$[1]', action VARCHAR(20)" SQL_COLLATE " PATH '$[2]',"
	"  rid VARCHAR(80)" SQL_COLLATE " PATH '$[3]', age BIGINT PATH '$[4]', writer BIGINT PATH '$[5]',"
	"  seq BIGINT PATH '$[6]')) AS j"
	" ON DUPLICATE KEY UPDATE at = LEAST(at, VALUES(at))", "s", NO_OUT, W},
	[STMT_ACCESS_PAGE] = {"access_page",
	"SELECT l.actor_user_id AS actor_id, u.name AS actor_name, l.action, l.request_id, l.at"
	" FROM phi_access_log l LEFT JOIN users u ON u.id = l.actor_user_id"
	" WHERE l.patient_id = ? ORDER BY l.at DESC, l.id DESC LIMIT ? OFFSET ?", "iii",
	OUT([AL_ACTOR_ID] = {'i', "actor_id"},
	    [AL_ACTOR_NAME] = {'s', "actor_name"},
	    [AL_ACTION] = {'s', "action"},
	    [AL_REQUEST_ID] = {'s', "request_id"},
	    [AL_AT] = {'t', "at"}), W},
	[STMT_ACCESS_COUNT] = {"access_count",
	"SELECT COUNT(*) AS total FROM phi_access_log WHERE patient_id = ?", "i",
	OUT({'i', "total"}), W},

	/*
	 * --- the MIF import: a JSON array of rows per statement (chunks) ----
	 * Its known members, by member id, locked with their patients (in
	 * patient order, as two imports lock them); the highest patient id,
	 * locked, above which its new patients take theirs (a concurrent
	 * insert of the same id fails the import's attempt with a duplicate,
	 * and the engine runs it again); the time of the import; then the
	 * patients and members it adds ([id, name, provider] and [patient,
	 * member id, cin, authorization id, start, end, acuity, status, dob])
	 * or changes, and its history rows ([patient, type, changes]).
	 */
	[STMT_MIF_MEMBERS_LOCK] = {"mif_members_lock",
	"SELECT STRAIGHT_JOIN m.member_id, m.patient_id, p.name, p.primary_provider_id AS provider_id, m.cin,"
	" m.ecm_service_auth_id AS service_auth_id,"
	" CAST(m.ecm_benefit_auth_eff_date AS CHAR) AS auth_eff_date,"
	" CAST(m.ecm_benefit_auth_end_date AS CHAR) AS auth_end_date,"
	" m.acuity_level, m.member_record_status AS record_status, CAST(m.dob AS CHAR) AS dob"
	" FROM JSON_TABLE(?, '$[*]' COLUMNS (member_id VARCHAR(64) COLLATE utf8mb4_bin PATH '$')) AS j"
	" JOIN ecm_members m FORCE INDEX (ux_ecm_members_member_id) ON m.member_id = j.member_id"
	" JOIN patients p FORCE INDEX (PRIMARY) ON p.id = m.patient_id ORDER BY m.patient_id FOR UPDATE", "s",
	OUT([MK_MEMBER_ID] = {'s', "member_id"},
	    [MK_PATIENT_ID] = {'i', "patient_id"},
	    [MK_NAME] = {'s', "name"},
	    [MK_PROVIDER_ID] = {'i', "provider_id"},
	    [MK_CIN] = {'s', "cin"},
	    [MK_SERVICE_AUTH_ID] = {'s', "service_auth_id"},
	    [MK_AUTH_EFF_DATE] = {'s', "auth_eff_date"},
	    [MK_AUTH_END_DATE] = {'s', "auth_end_date"},
	    [MK_ACUITY_LEVEL] = {'s', "acuity_level"},
	    [MK_RECORD_STATUS] = {'s', "record_status"},
	    [MK_DOB] = {'s', "dob"}), W | A},
	[STMT_MIF_LAST_PATIENT] = {"mif_last_patient",
	"SELECT id FROM patients ORDER BY id DESC LIMIT 1 FOR UPDATE", "", OUT({'i', "id"}), W | A},
	[STMT_MIF_NOW] = {"mif_now", "SELECT CAST(NOW(3) AS CHAR) AS now", "", OUT({'s', "now"}),
	W | A},
	[STMT_MIF_PATIENTS_INSERT] = {"mif_patients_insert",
	"INSERT INTO patients (id, name, primary_provider_id)"
	" SELECT j.id, j.name, j.provider FROM " SQL_IMPORT_PATIENTS, "s", NO_OUT, W | A},
	[STMT_MIF_PATIENTS_UPDATE] = {"mif_patients_update",
	"UPDATE patients p JOIN " SQL_IMPORT_PATIENTS " ON p.id = j.id"
	" SET p.name = j.name, p.primary_provider_id = j.provider", "s", NO_OUT, W | A},
	[STMT_MIF_MEMBERS_INSERT] = {"mif_members_insert",
	"INSERT INTO ecm_members (patient_id, member_id, cin, ecm_service_auth_id,"
	" ecm_benefit_auth_eff_date, ecm_benefit_auth_end_date, acuity_level, member_record_status,"
	" dob, created_at, updated_at)"
	" SELECT j.pid, j.member_id, j.cin, j.auth_id, j.eff, j.fin, j.acuity, j.status, j.dob,"
	" q.at, q.at FROM " SQL_MIF_MEMBERS " JOIN (SELECT CAST(? AS DATETIME(3)) AS at) q",
	"ss", NO_OUT, W | A},
	[STMT_MIF_MEMBERS_UPDATE] = {"mif_members_update",
	"UPDATE ecm_members m JOIN " SQL_MIF_MEMBERS " ON m.patient_id = j.pid"
	" JOIN (SELECT CAST(? AS DATETIME(3)) AS at) q"
	" SET m.cin = j.cin, m.ecm_service_auth_id = j.auth_id, m.ecm_benefit_auth_eff_date = j.eff,"
	" m.ecm_benefit_auth_end_date = j.fin, m.acuity_level = j.acuity,"
	" m.member_record_status = j.status, m.dob = j.dob, m.updated_at = q.at", "ss", NO_OUT, W | A},
	[STMT_MIF_ACTIVITIES] = {"mif_activities",
	"INSERT INTO ecm_member_activities (patient_id, activity_type, changes, actor_user_id, source,"
	" request_id, created_at)"
	" SELECT j.pid, j.type, j.changes, q.actor, q.source, q.rid, q.at"
	" FROM JSON_TABLE(?, '$[*]' COLUMNS (n FOR ORDINALITY, pid BIGINT PATH '$[0]',"
	"  type VARCHAR(40)" SQL_COLLATE " PATH '$[1]', changes JSON PATH '$[2]')) AS j"
	" JOIN (SELECT ? AS actor, ? AS source, ? AS rid, CAST(? AS DATETIME(3)) AS at) q ORDER BY j.n",
	"sisss", NO_OUT, W | A},
	/* Did an import with this request id commit? (after a COMMIT lost on the wire) */
	[STMT_MIF_TAGGED] = {"mif_tagged",
	"SELECT COUNT(*) AS tagged FROM ecm_member_activities WHERE request_id = ?", "s",
	OUT({'i', "tagged"}), W | A},

	/* A patient's member history, newest first. */
	[STMT_MEMBER_HISTORY_PAGE] = {"member_history_page",
	"SELECT a.activity_type, a.changes, a.actor_user_id AS actor_id, u.name AS actor_name,"
	" a.source, a.request_id, a.created_at AS at"
	" FROM ecm_member_activities a LEFT JOIN users u ON u.id = a.actor_user_id"
	" WHERE a.patient_id = ? ORDER BY a.id DESC LIMIT ? OFFSET ?", "iii",
	OUT([MH_TYPE] = {'s', "activity_type"},
	    [MH_CHANGES] = {'s', "changes"},
	    [MH_ACTOR_ID] = {'i', "actor_id"},
	    [MH_ACTOR_NAME] = {'s', "actor_name"},
	    [MH_SOURCE] = {'s', "source"},
	    [MH_REQUEST_ID] = {'s', "request_id"},
	    [MH_AT] = {'t', "at"}), W},
	[STMT_MEMBER_HISTORY_COUNT] = {"member_history_count",
	"SELECT COUNT(*) AS total FROM ecm_member_activities WHERE patient_id = ?", "i",
	OUT({'i', "total"}), W},

	/* --- lcm-admin migrate and check ------------------------------------ */

	[STMT_MIGRATIONS_CREATE] = {"migrations_create",
	"CREATE TABLE IF NOT EXISTS schema_migrations ("
	" version INT NOT NULL, name VARCHAR(200) NOT NULL, sha256 CHAR(64) NOT NULL,"
	" applied_at DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3), PRIMARY KEY (version)"
	") ENGINE=InnoDB DEFAULT CHARSET=utf8mb4" SQL_COLLATE, "", NO_OUT, M},

	/* One migrator at a time (0 when another holds it for 30 s). */
	[STMT_MIGRATE_LOCK] = {"migrate_lock",
	"SELECT GET_LOCK('lcm_migrate', 30) AS acquired", "", OUT({'i', "acquired"}), M},
	[STMT_MIGRATE_UNLOCK] = {"migrate_unlock",
	"SELECT RELEASE_LOCK('lcm_migrate') AS released", "", OUT({'i', "released"}), M},
	[STMT_MIGRATE_SQL_MODE] = {"migrate_sql_mode",
	"SET SESSION sql_mode = 'STRICT_ALL_TABLES,NO_ENGINE_SUBSTITUTION'", "", NO_OUT, M},

	[STMT_MIGRATIONS_LIST] = {"migrations_list",
	"SELECT version, name, sha256 FROM schema_migrations ORDER BY version", "",
	OUT([MIG_VERSION] = {'i', "version"},
	    [MIG_NAME] = {'s', "name"},
	    [MIG_SHA256] = {'s', "sha256"}), 0},
	[STMT_MIGRATION_RECORD] = {"migration_record",
	"INSERT INTO schema_migrations (version, name, sha256) VALUES (?, ?, ?)", "iss", NO_OUT, 0},

	/* --- lcm-admin user, role, token ------------------------------------ */

	[STMT_ROLE_LIST] = {"role_list", "SELECT name FROM roles ORDER BY name", "",
	OUT({'s', "name"}), A},
	[STMT_ROLE_INSERT] = {"role_insert", "INSERT INTO roles (name) VALUES (?)", "s", NO_OUT, A},
	/*
	 * Of a JSON array of role names, the positions (from 1) of those that
	 * name no role, as roles.name's collation compares names ("auditor"
	 * names a role spelt "Auditor", as its unique key and every join by
	 * name have it).
	 */
	[STMT_ROLES_UNKNOWN] = {"roles_unknown",
	"SELECT j.n FROM JSON_TABLE(?, '$[*]' COLUMNS (n FOR ORDINALITY,"
	"  name VARCHAR(40)" SQL_COLLATE " PATH '$')) AS j"
	" LEFT JOIN roles r ON r.name = j.name WHERE r.id IS NULL ORDER BY j.n", "s",
	OUT({'i', "n"}), A},
	[STMT_USER_INSERT] = {"user_insert",
	"INSERT INTO users (name, email) VALUES (?, ?)", "ss", NO_OUT, A},
	[STMT_USER_GET] = {"user_get",
	"SELECT id, name, email, active FROM users WHERE id = ?", "i",
	OUT([UG_ID] = {'i', "id"},
	    [UG_NAME] = {'s', "name"},
	    [UG_EMAIL] = {'s', "email"},
	    [UG_ACTIVE] = {'i', "active"}), A},
	[STMT_USER_BY_EMAIL] = {"user_by_email", "SELECT id FROM users WHERE email = ?", "s",
	OUT({'i', "id"}), A},
	[STMT_USER_ROLE_ADD] = {"user_role_add",
	"INSERT IGNORE INTO user_roles (user_id, role_id)"
	" SELECT q.uid, r.id FROM (SELECT ? AS uid, ? AS role) q JOIN roles r ON r.name = q.role",
	"is", NO_OUT, A},
	[STMT_USER_ROLE_REMOVE] = {"user_role_remove",
	"DELETE ur FROM user_roles ur JOIN roles r ON r.id = ur.role_id"
	" JOIN (SELECT ? AS uid, ? AS role) q ON ur.user_id = q.uid AND r.name = q.role",
	"is", NO_OUT, A},
	[STMT_USER_SET_ACTIVE] = {"user_set_active",
	"UPDATE users SET active = ? WHERE id = ?", "ii", NO_OUT, A},
	[STMT_USER_LIST] = {"user_list",
	"SELECT u.id, u.name, u.email, u.active,"
	" (SELECT GROUP_CONCAT(r.name ORDER BY r.name SEPARATOR ' ')"
	"   FROM user_roles ur JOIN roles r ON r.id = ur.role_id WHERE ur.user_id = u.id) AS roles"
	" FROM users u ORDER BY u.id", "",
	OUT([UL_ID] = {'i', "id"},
	    [UL_NAME] = {'s', "name"},
	    [UL_EMAIL] = {'s', "email"},
	    [UL_ACTIVE] = {'i', "active"},
	    [UL_ROLES] = {'s', "roles"}), A},

	/* A token's SHA-256 only; it expires NULL days from now: never. */
	[STMT_TOKEN_INSERT] = {"token_insert",
	"INSERT INTO api_tokens (user_id, token_sha256, label, created_at, expires_at)"
	" VALUES (?, ?, ?, NOW(3), NOW(3) + INTERVAL ? DAY)", "issi", NO_OUT, A},
	[STMT_TOKEN_LIST] = {"token_list",
	"SELECT id, label, created_at AS created, last_used_at AS last_used, expires_at AS expires,"
	" revoked_at AS revoked, expires_at IS NOT NULL AND expires_at <= NOW(3) AS expired"
	" FROM api_tokens WHERE user_id = ? ORDER BY id", "i",
	OUT([TL_ID] = {'i', "id"},
	    [TL_LABEL] = {'s', "label"},
	    [TL_CREATED] = {'t', "created"},
	    [TL_LAST_USED] = {'t', "last_used"},
	    [TL_EXPIRES] = {'t', "expires"},
	    [TL_REVOKED] = {'t', "revoked"},
	    [TL_EXPIRED] = {'i', "expired"}), A},
	[STMT_TOKEN_GET] = {"token_get",
	"SELECT user_id, revoked_at AS revoked FROM api_tokens WHERE id = ?", "i",
	OUT([TG_USER_ID] = {'i', "user_id"},
	    [TG_REVOKED] = {'t', "revoked"}), A},
	[STMT_TOKEN_REVOKE] = {"token_revoke",
	"UPDATE api_tokens SET revoked_at = NOW(3) WHERE id = ? AND revoked_at IS NULL", "i", NO_OUT, A},

	/*
	 * --- lcm-admin import: a JSON array of rows per statement -----------
	 * Each kind of row is written by an UPDATE of the ids that exist and
	 * an INSERT of the others (never an upsert: on a second unique key,
	 * users.email, an INSERT ... ON DUPLICATE KEY UPDATE would overwrite
	 * the row holding the email instead of failing).
	 */
	[STMT_IMPORT_PROVIDERS_UPDATE] = {"import_providers_update",
	"UPDATE providers p JOIN " SQL_IMPORT_PROVIDERS " ON p.id = j.id SET p.name = j.name",
	"s", NO_OUT, A},
	[STMT_IMPORT_PROVIDERS_INSERT] = {"import_providers_insert",
	"INSERT INTO providers (id, name) SELECT j.id, j.name FROM " SQL_IMPORT_PROVIDERS
	" WHERE NOT EXISTS (SELECT 1 FROM providers p WHERE p.id = j.id)", "s", NO_OUT, A},
	[STMT_IMPORT_PATIENTS_UPDATE] = {"import_patients_update",
	"UPDATE patients p JOIN " SQL_IMPORT_PATIENTS " ON p.id = j.id"
	" SET p.name = j.name, p.primary_provider_id = j.provider", "s", NO_OUT, A},
	[STMT_IMPORT_PATIENTS_INSERT] = {"import_patients_insert",
	"INSERT INTO patients (id, name, primary_provider_id)"
	" SELECT j.id, j.name, j.provider FROM " SQL_IMPORT_PATIENTS
	" WHERE NOT EXISTS (SELECT 1 FROM patients p WHERE p.id = j.id)", "s", NO_OUT, A},
	[STMT_IMPORT_USERS_UPDATE] = {"import_users_update",
	"UPDATE users u JOIN " SQL_IMPORT_USERS " ON u.id = j.id"
	" SET u.name = j.name, u.email = j.email, u.active = j.active", "s", NO_OUT, A},
	[STMT_IMPORT_USERS_INSERT] = {"import_users_insert",
	"INSERT INTO users (id, name, email, active)"
	" SELECT j.id, j.name, j.email, j.active FROM " SQL_IMPORT_USERS
	" WHERE NOT EXISTS (SELECT 1 FROM users u WHERE u.id = j.id)", "s", NO_OUT, A},
	/*
	 * Of the users in the batch ([id, [role, ...]]), the roles they no
	 * longer hold: none of theirs names it, as roles.name's collation
	 * compares names (as STMT_IMPORT_ROLES_ADD finds them).
	 */
	[STMT_IMPORT_ROLES_PRUNE] = {"import_roles_prune",
	"DELETE ur FROM user_roles ur JOIN roles r ON r.id = ur.role_id"
	" JOIN JSON_TABLE(?, '$[*]' COLUMNS (id BIGINT PATH '$[0]', roles JSON PATH '$[1]')) AS j"
	"  ON j.id = ur.user_id"
	" WHERE NOT EXISTS (SELECT 1 FROM JSON_TABLE(j.roles, '$[*]' COLUMNS ("
	"  name VARCHAR(40)" SQL_COLLATE " PATH '$')) AS k WHERE k.name = r.name)", "s", NO_OUT, A},
	[STMT_IMPORT_ROLES_ADD] = {"import_roles_add",
	"INSERT IGNORE INTO user_roles (user_id, role_id)"
	" SELECT j.id, r.id FROM JSON_TABLE(?, '$[*]' COLUMNS (id BIGINT PATH '$[0]',"
	"  NESTED PATH '$[1][*]' COLUMNS (role VARCHAR(40)" SQL_COLLATE " PATH '$'))) AS j"
	" JOIN roles r ON r.name = j.role", "s", NO_OUT, A},
	/* lcm-admin import patients', and the MIF import's (the worker's too). */
	[STMT_PROVIDERS_EXISTING] = {"providers_existing",
	"SELECT DISTINCT p.id FROM " SQL_ID_TABLE " JOIN providers p ON p.id = j.id", "s",
	OUT({'i', "id"}), W | A},
	/*
	 * Of a users file's [line, id, email] rows, each whose email is an
	 * earlier line's (the first such line) or another user's (that user),
	 * as users.email's collation compares them: uq_users_email's answer,
	 * known before the write.
	 */
	[STMT_IMPORT_EMAILS_SAME] = {"import_emails_same",
	"SELECT d.line, IF(d.first < d.line, d.first, NULL) AS earlier_line, u.id AS holder FROM ("
	" SELECT j.line, j.id, j.email, MIN(j.line) OVER (PARTITION BY j.email) AS first"
	" FROM JSON_TABLE(?, '$[*]' COLUMNS (line BIGINT PATH '$[0]', id BIGINT PATH '$[1]',"
	"  email VARCHAR(254)" SQL_COLLATE " PATH '$[2]')) AS j) d"
	" LEFT JOIN users u ON u.email = d.email AND u.id <> d.id"
	" WHERE d.first < d.line OR u.id IS NOT NULL ORDER BY d.line", "s",
	OUT([ES_LINE] = {'i', "line"},
	    [ES_EARLIER_LINE] = {'i', "earlier_line"},
	    [ES_HOLDER] = {'i', "holder"}), A},
};
