-- The audit trail: one row per change of a Lead Care Manager assignment,
-- written in the same transaction as the change. request_id is nginx's
-- request id (with #N for the Nth item of a bulk request): it also tells,
-- after a connection lost during COMMIT, whether that commit happened.
CREATE TABLE patient_activities (
  id               BIGINT       NOT NULL AUTO_INCREMENT,
  patient_id       BIGINT       NOT NULL,
  case_load_id     BIGINT       NOT NULL,
  activity_type    VARCHAR(40)  NOT NULL,  -- lcm_assigned, lcm_changed, lcm_removed
  role             ENUM('olcm', 'ilcm') NOT NULL,
  previous_user_id BIGINT       NULL,
  new_user_id      BIGINT       NULL,
  actor_user_id    BIGINT       NOT NULL,
  reason           VARCHAR(500) NULL,
  request_id       VARCHAR(80)  NULL,
  created_at       DATETIME(3)  NOT NULL,
  PRIMARY KEY (id),
  KEY ix_patient_activities_patient (patient_id, created_at),
  KEY ix_patient_activities_case_load (case_load_id),
  KEY ix_patient_activities_request (request_id),
  CONSTRAINT fk_patient_activities_patient FOREIGN KEY (patient_id) REFERENCES patients (id),
  CONSTRAINT fk_patient_activities_case_load FOREIGN KEY (case_load_id) REFERENCES case_loads (id),
  CONSTRAINT fk_patient_activities_previous FOREIGN KEY (previous_user_id) REFERENCES users (id),
  CONSTRAINT fk_patient_activities_new FOREIGN KEY (new_user_id) REFERENCES users (id),
  CONSTRAINT fk_patient_activities_actor FOREIGN KEY (actor_user_id) REFERENCES users (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
