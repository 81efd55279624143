-- A MIF import carries each member's data: one record per member of the file.
ALTER TABLE phi_access_log MODIFY action ENUM('read_care_team', 'read_history',
  'read_access_log', 'assign', 'update', 'remove', 'bulk', 'transfer', 'read_patient_list',
  'export_assignments', 'read_lcm_patients', 'mif_import') NOT NULL;
