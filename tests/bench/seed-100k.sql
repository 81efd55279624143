-- The second scale step, on top of seed.sql: patients and case loads up to
-- 100,000 (500 oLCM and 500 iLCM case loads per coordinator), for the list
-- endpoint's workload counts.
INSERT INTO patients (id, name, primary_provider_id)
  SELECT seq, CONCAT('Patient ', seq), 1 + (seq % 50) FROM seq_10001_to_100000;

INSERT INTO case_loads (patient_id, provider_id, olcm_user_id, olcm_assigned_at,
                        ilcm_user_id, ilcm_assigned_at, created_at, updated_at)
  SELECT id, primary_provider_id, 101 + (id % 200), NOW(3),
         101 + ((id * 7) % 200), NOW(3), NOW(3), NOW(3)
  FROM patients WHERE id > 10000;
