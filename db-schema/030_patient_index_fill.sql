-- The index rows of the patients that exist. The triggers are in place
-- already; reading patients and case_loads with shared locks waits for any
-- change in flight and holds new ones until this commits.
INSERT INTO patient_index (patient_id, name, has_case_load, provider_id, olcm_user_id, ilcm_user_id)
SELECT p.id, p.name, c.id IS NOT NULL, IF(c.id IS NULL, p.primary_provider_id, c.provider_id),
  c.olcm_user_id, c.ilcm_user_id
FROM patients p LEFT JOIN case_loads c ON c.patient_id = p.id LOCK IN SHARE MODE
ON DUPLICATE KEY UPDATE name = VALUES(name), has_case_load = VALUES(has_case_load),
  provider_id = VALUES(provider_id),
  olcm_user_id = VALUES(olcm_user_id), ilcm_user_id = VALUES(ilcm_user_id);
