-- A new case load adds to its users' workloads (rows in user id order, so
-- that two changes never wait on each other's rows in opposite orders) and
-- is noted in its patient's index row.
CREATE OR REPLACE TRIGGER tr_case_loads_workload_insert AFTER INSERT ON case_loads FOR EACH ROW
BEGIN
  INSERT INTO lcm_workload (user_id, olcm_count, ilcm_count, both_count)
  SELECT d.u, SUM(d.o), SUM(d.i), SUM(d.b) FROM (
    SELECT NEW.olcm_user_id AS u, 1 AS o, 0 AS i,
           IF(NEW.olcm_user_id = NEW.ilcm_user_id, 1, 0) AS b
    UNION ALL
    SELECT NEW.ilcm_user_id, 0, 1, 0) d
  WHERE d.u IS NOT NULL
  GROUP BY d.u ORDER BY d.u
  ON DUPLICATE KEY UPDATE olcm_count = olcm_count + VALUES(olcm_count),
    ilcm_count = ilcm_count + VALUES(ilcm_count), both_count = both_count + VALUES(both_count);
  UPDATE patient_index SET has_case_load = 1, provider_id = NEW.provider_id,
    olcm_user_id = NEW.olcm_user_id,
    ilcm_user_id = NEW.ilcm_user_id WHERE patient_id = NEW.patient_id;
END;
