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

-- Their history: the activity of each assignment, as a write would leave it.
INSERT INTO patient_activities (patient_id, case_load_id, activity_type, role,
                                new_user_id, actor_user_id, source, created_at)
  SELECT c.patient_id, c.id, 'lcm_assigned', r.role,
         IF(r.role = 'olcm', c.olcm_user_id, c.ilcm_user_id), 1, 'assign', c.created_at
  FROM case_loads c JOIN (SELECT 'olcm' AS role UNION ALL SELECT 'ilcm') r
  WHERE c.patient_id > 10000 ORDER BY c.patient_id, r.role;
