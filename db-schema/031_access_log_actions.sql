-- The patient list and the assignment export are patient-level reads too.
ALTER TABLE phi_access_log MODIFY action ENUM('read_care_team', 'read_history',
  'read_access_log', 'assign', 'update', 'remove', 'bulk', 'transfer', 'read_patient_list',
  'export_assignments') NOT NULL;
