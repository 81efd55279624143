-- Who read or changed which patient's care team or history, when, and in
-- which request (HIPAA 45 CFR 164.312(b)). Written in batches by the workers;
-- no foreign keys, so a log line never waits on or blocks another table.
CREATE TABLE phi_access_log (
  id            BIGINT      NOT NULL AUTO_INCREMENT,
  patient_id    BIGINT      NOT NULL,
  actor_user_id BIGINT      NOT NULL,
  action        ENUM('read_care_team', 'read_history', 'read_access_log', 'assign', 'update',
                     'remove', 'bulk', 'transfer') NOT NULL,
  request_id    VARCHAR(80) NOT NULL,
  at            DATETIME(3) NOT NULL,
  PRIMARY KEY (id),
  KEY ix_phi_access_log_patient (patient_id, at, id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
