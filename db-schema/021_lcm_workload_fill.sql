-- The workloads of the case loads that exist. The triggers are in place
-- already; reading case_loads with shared locks waits for any change in
-- flight and holds new ones until this commits, so none is counted twice or
-- missed, with the workers running.
INSERT INTO lcm_workload (user_id, olcm_count, ilcm_count, both_count)
SELECT d.u, SUM(d.o), SUM(d.i), SUM(d.b) FROM (
  (SELECT olcm_user_id AS u, 1 AS o, 0 AS i, IF(olcm_user_id = ilcm_user_id, 1, 0) AS b
   FROM case_loads WHERE olcm_user_id IS NOT NULL LOCK IN SHARE MODE)
  UNION ALL
  (SELECT ilcm_user_id, 0, 1, 0 FROM case_loads WHERE ilcm_user_id IS NOT NULL LOCK IN SHARE MODE)) d
GROUP BY d.u
ON DUPLICATE KEY UPDATE olcm_count = VALUES(olcm_count), ilcm_count = VALUES(ilcm_count),
  both_count = VALUES(both_count);
