-- A user's patient list (GET .../lead_care_managers/{id}/patients) shows
-- patients' names and assignment times: one record per patient shown.
ALTER TABLE phi_access_log MODIFY action ENUM('read_care_team', 'read_history',
  'read_access_log', 'assign', 'update', 'remove', 'bulk', 'transfer', 'read_patient_list',
  'export_assignments', 'read_lcm_patients') NOT NULL;
