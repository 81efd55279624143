-- A member's history: one row per member a MIF import added (member_added:
-- a new patient) or whose facts it changed (member_updated), written in the
-- import's transaction. changes holds each field that changed, from and to:
-- {"acuity_level": {"from": "low", "to": "high"}, ...}. The actor is the
-- admin of the API request, NULL for an operator's lcm-admin; request_id
-- tags the rows of one import (it tells whether a COMMIT lost on the wire
-- happened). The history endpoint reads a patient's rows newest first.
CREATE TABLE ecm_member_activities (
  id            BIGINT      NOT NULL AUTO_INCREMENT,
  patient_id    BIGINT      NOT NULL,
  activity_type VARCHAR(40) NOT NULL,
  changes       LONGTEXT    NOT NULL,
  actor_user_id BIGINT      NULL,
  source        VARCHAR(20) NOT NULL,
  request_id    VARCHAR(80) NOT NULL,
  created_at    DATETIME(3) NOT NULL,
  PRIMARY KEY (id),
  KEY ix_ecm_member_activities_patient (patient_id, id),
  KEY ix_ecm_member_activities_request (request_id),
  CONSTRAINT fk_ecm_member_activities_patient FOREIGN KEY (patient_id) REFERENCES patients (id),
  CONSTRAINT fk_ecm_member_activities_actor FOREIGN KEY (actor_user_id) REFERENCES users (id),
  CONSTRAINT ck_ecm_member_activities_type CHECK (activity_type IN ('member_added',
    'member_updated')),
  CONSTRAINT ck_ecm_member_activities_changes CHECK (JSON_VALID(changes)),
  CONSTRAINT ck_ecm_member_activities_source CHECK (source IN ('api', 'lcm-admin'))
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
