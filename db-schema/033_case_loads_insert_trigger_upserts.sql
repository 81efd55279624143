-- A new case load's users, as 032 does for a change: one single-row upsert
-- per user, lower id first (027 grouped them through a derived table).
CREATE OR REPLACE TRIGGER tr_case_loads_workload_insert AFTER INSERT ON case_loads FOR EACH ROW
BEGIN
  IF NEW.olcm_user_id <=> NEW.ilcm_user_id THEN
    IF NEW.olcm_user_id IS NOT NULL THEN
      INSERT INTO lcm_workload (user_id, olcm_count, ilcm_count, both_count)
      VALUES (NEW.olcm_user_id, 1, 1, 1)
      ON DUPLICATE KEY UPDATE olcm_count = olcm_count + 1, ilcm_count = ilcm_count + 1,
        both_count = both_count + 1;
    END IF;
  ELSE
    IF NEW.olcm_user_id IS NOT NULL AND (NEW.ilcm_user_id IS NULL OR NEW.olcm_user_id < NEW.ilcm_user_id) THEN
      INSERT INTO lcm_workload (user_id, olcm_count, ilcm_count, both_count)
      VALUES (NEW.olcm_user_id, 1, 0, 0) ON DUPLICATE KEY UPDATE olcm_count = olcm_count + 1;
    END IF;
    IF NEW.ilcm_user_id IS NOT NULL THEN
      INSERT INTO lcm_workload (user_id, olcm_count, ilcm_count, both_count)
      VALUES (NEW.ilcm_user_id, 0, 1, 0) ON DUPLICATE KEY UPDATE ilcm_count = ilcm_count + 1;
    END IF;
    IF NEW.olcm_user_id IS NOT NULL AND NEW.ilcm_user_id IS NOT NULL AND NEW.olcm_user_id > NEW.ilcm_user_id THEN
      INSERT INTO lcm_workload (user_id, olcm_count, ilcm_count, both_count)
      VALUES (NEW.olcm_user_id, 1, 0, 0) ON DUPLICATE KEY UPDATE olcm_count = olcm_count + 1;
    END IF;
  END IF;
  UPDATE patient_index SET has_case_load = 1, provider_id = NEW.provider_id,
    olcm_user_id = NEW.olcm_user_id,
    ilcm_user_id = NEW.ilcm_user_id WHERE patient_id = NEW.patient_id;
END;
