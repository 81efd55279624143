-- The third scale step, on top of seed-100k.sql, for the patient list: of the
-- 100,000 case loads 2,000 lose their oLCM (1,000 of them their iLCM too) and
-- 1,000 their iLCM alone; 1,000 new patients have no case load at all. The
-- rest stay fully assigned: the gaps are few and scattered, the hard case
-- for an index that must find them in name order.
UPDATE case_loads SET olcm_user_id = NULL, olcm_assigned_at = NULL
  WHERE patient_id % 50 = 7;
UPDATE case_loads SET ilcm_user_id = NULL, ilcm_assigned_at = NULL
  WHERE patient_id % 100 IN (7, 8);
INSERT INTO patients (id, name, primary_provider_id)
  SELECT seq, CONCAT('Patient ', seq), 1 + (seq % 50) FROM seq_100001_to_101000;
