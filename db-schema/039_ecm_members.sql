-- What a health plan's Member Information File (MIF) says of a patient who
-- is one of its ECM members, one row per such patient (the others have
-- none): the plan's member id (the key a MIF is upserted by, compared
-- exactly), the CIN, the ECM authorization and its dates, the acuity, the
-- record's status in the plan's file and the date of birth. All optional
-- but the member id. Written by the MIF import (POST .../ecm/mifs,
-- lcm-admin import mif) in the transaction that records each change in
-- ecm_member_activities. The two secondary keys serve the queue's filters
-- and the runs over authorizations by their end date, and by acuity.
CREATE TABLE ecm_members (
  patient_id                BIGINT      NOT NULL,
  member_id                 VARCHAR(64) COLLATE utf8mb4_bin NOT NULL,
  cin                       VARCHAR(64) COLLATE utf8mb4_bin NULL,
  ecm_service_auth_id       VARCHAR(64) COLLATE utf8mb4_bin NULL,
  ecm_benefit_auth_eff_date DATE        NULL,
  ecm_benefit_auth_end_date DATE        NULL,
  acuity_level              VARCHAR(10) COLLATE utf8mb4_bin NULL,
  member_record_status      VARCHAR(20) COLLATE utf8mb4_bin NULL,
  dob                       DATE        NULL,
  created_at                DATETIME(3) NOT NULL,
  updated_at                DATETIME(3) NOT NULL,
  PRIMARY KEY (patient_id),
  UNIQUE KEY ux_ecm_members_member_id (member_id),
  KEY ix_ecm_members_auth_end (ecm_benefit_auth_end_date, patient_id),
  KEY ix_ecm_members_acuity (acuity_level, ecm_benefit_auth_end_date, patient_id),
  CONSTRAINT fk_ecm_members_patient FOREIGN KEY (patient_id) REFERENCES patients (id),
  CONSTRAINT ck_ecm_members_member_id CHECK (member_id REGEXP '^[!-~]{1,64}$'),
  CONSTRAINT ck_ecm_members_cin CHECK (cin IS NULL OR cin REGEXP '^[!-~]{1,64}$'),
  CONSTRAINT ck_ecm_members_auth_id CHECK (ecm_service_auth_id IS NULL
    OR ecm_service_auth_id REGEXP '^[!-~]{1,64}$'),
  CONSTRAINT ck_ecm_members_auth_dates CHECK (ecm_benefit_auth_end_date IS NULL
    OR (ecm_benefit_auth_eff_date IS NOT NULL
      AND ecm_benefit_auth_end_date >= ecm_benefit_auth_eff_date)),
  CONSTRAINT ck_ecm_members_acuity CHECK (acuity_level IS NULL
    OR acuity_level IN ('low', 'medium', 'high')),
  CONSTRAINT ck_ecm_members_record_status CHECK (member_record_status IS NULL
    OR member_record_status IN ('new_member', 'existing_member', 'updated_member',
      'terminated_member'))
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
