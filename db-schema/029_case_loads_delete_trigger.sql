-- The service never deletes a case load; if an operator does, its users'
-- workloads and its patient's index row follow.
CREATE OR REPLACE TRIGGER tr_case_loads_workload_delete AFTER DELETE ON case_loads FOR EACH ROW
BEGIN
  INSERT INTO lcm_workload (user_id, olcm_count, ilcm_count, both_count)
  SELECT d.u, SUM(d.o), SUM(d.i), SUM(d.b) FROM (
    SELECT OLD.olcm_user_id AS u, -1 AS o, 0 AS i,
           -IF(OLD.olcm_user_id = OLD.ilcm_user_id, 1, 0) AS b
    UNION ALL
    SELECT OLD.ilcm_user_id, 0, -1, 0) d
  WHERE d.u IS NOT NULL
  GROUP BY d.u ORDER BY d.u
  ON DUPLICATE KEY UPDATE olcm_count = olcm_count + VALUES(olcm_count),
    ilcm_count = ilcm_count + VALUES(ilcm_count), both_count = both_count + VALUES(both_count);
  UPDATE patient_index x JOIN patients p ON p.id = x.patient_id
  SET x.has_case_load = 0, x.provider_id = p.primary_provider_id, x.olcm_user_id = NULL,
    x.ilcm_user_id = NULL
  WHERE x.patient_id = OLD.patient_id;
END;
