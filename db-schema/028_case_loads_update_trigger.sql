-- A changed role moves one patient from the old user's workload to the new
-- one's, and the patient's index row follows a changed role or provider
-- (nothing happens when neither changed).
CREATE OR REPLACE TRIGGER tr_case_loads_workload_update AFTER UPDATE ON case_loads FOR EACH ROW
BEGIN
  IF NOT (OLD.olcm_user_id <=> NEW.olcm_user_id AND OLD.ilcm_user_id <=> NEW.ilcm_user_id) THEN
    INSERT INTO lcm_workload (user_id, olcm_count, ilcm_count, both_count)
    SELECT d.u, SUM(d.o), SUM(d.i), SUM(d.b) FROM (
      SELECT OLD.olcm_user_id AS u, -1 AS o, 0 AS i,
             -IF(OLD.olcm_user_id = OLD.ilcm_user_id, 1, 0) AS b
      UNION ALL SELECT OLD.ilcm_user_id, 0, -1, 0
      UNION ALL SELECT NEW.olcm_user_id, 1, 0, IF(NEW.olcm_user_id = NEW.ilcm_user_id, 1, 0)
      UNION ALL SELECT NEW.ilcm_user_id, 0, 1, 0) d
    WHERE d.u IS NOT NULL
    GROUP BY d.u ORDER BY d.u
    ON DUPLICATE KEY UPDATE olcm_count = olcm_count + VALUES(olcm_count),
      ilcm_count = ilcm_count + VALUES(ilcm_count), both_count = both_count + VALUES(both_count);
  END IF;
  IF NOT (OLD.olcm_user_id <=> NEW.olcm_user_id AND OLD.ilcm_user_id <=> NEW.ilcm_user_id
          AND OLD.provider_id <=> NEW.provider_id) THEN
    UPDATE patient_index SET provider_id = NEW.provider_id, olcm_user_id = NEW.olcm_user_id,
      ilcm_user_id = NEW.ilcm_user_id WHERE patient_id = NEW.patient_id;
  END IF;
END;
