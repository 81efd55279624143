-- The last scale step, for the growth table, on top of seed-gaps.sql:
-- patients 101,001..1,001,000 with a fully assigned case load each (1,000,000
-- case loads in all, 5,000 oLCM and 5,000 iLCM per coordinator) and the
-- activity of each assignment.
INSERT INTO patients (id, name, primary_provider_id)
  SELECT seq, CONCAT('Patient ', seq), 1 + (seq % 50) FROM seq_101001_to_1001000;

INSERT INTO case_loads (patient_id, provider_id, olcm_user_id, olcm_assigned_at,
                        ilcm_user_id, ilcm_assigned_at, created_at, updated_at)
  SELECT id, primary_provider_id, 101 + (id % 200), NOW(3),
         101 + ((id * 7) % 200), NOW(3), NOW(3), NOW(3)
  FROM patients WHERE id > 101000;

INSERT INTO patient_activities (patient_id, case_load_id, activity_type, role,
                                new_user_id, actor_user_id, source, created_at)
  SELECT c.patient_id, c.id, 'lcm_assigned', r.role,
         IF(r.role = 'olcm', c.olcm_user_id, c.ilcm_user_id), 1, 'assign', c.created_at
  FROM case_loads c JOIN (SELECT 'olcm' AS role UNION ALL SELECT 'ilcm') r
  WHERE c.patient_id > 101000 ORDER BY c.patient_id, r.role;
