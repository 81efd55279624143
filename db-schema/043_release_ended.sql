-- The release of ended ECM authorizations (POST .../release_ended, and
-- lcm-admin release-ended, which an operator's timer runs daily): its
-- patient activities name it as their source, and its PHI access-log
-- records as their action. An operator's run has no user: its activities
-- have no actor (NULL), as an operator's MIF import's member activities
-- have none.
ALTER TABLE patient_activities
  MODIFY source ENUM('assign', 'update', 'remove', 'bulk', 'transfer', 'release_ended') NULL,
  MODIFY actor_user_id BIGINT NULL;
ALTER TABLE phi_access_log MODIFY action ENUM('read_care_team', 'read_history',
  'read_access_log', 'assign', 'update', 'remove', 'bulk', 'transfer', 'read_patient_list',
  'export_assignments', 'read_lcm_patients', 'mif_import', 'release_ended') NOT NULL;
