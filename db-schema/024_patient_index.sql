-- Each patient's name, provider and current holders, one row per patient,
-- kept by the
-- triggers of 025-029 in the transaction of every change of a patient or a
-- case load, so that the patient list finds the patients without an oLCM
-- (held by a user, of a provider) through an index, in name order, and
-- counts them without reading another table, whatever their number. The
-- provider is the case load's, or the patient's primary provider while the
-- patient has no case load. Each filter's index holds every column the
-- list filters on, so that a count never reads the table: the list's one
-- statement names them all, and a statement that names a column outside an
-- index cannot count from that index alone. (A trigger may not write to the patients table itself: the case
-- load's insert reads it.)
CREATE TABLE patient_index (
  patient_id    BIGINT       NOT NULL,
  name          VARCHAR(200) NOT NULL,
  has_case_load TINYINT(1)   NOT NULL DEFAULT 0,
  provider_id   BIGINT       NULL,
  olcm_user_id  BIGINT       NULL,
  ilcm_user_id  BIGINT       NULL,
  PRIMARY KEY (patient_id),
  KEY ix_patient_index_name (name, patient_id, olcm_user_id, ilcm_user_id, provider_id),
  KEY ix_patient_index_olcm (olcm_user_id, name, patient_id, ilcm_user_id, provider_id),
  KEY ix_patient_index_ilcm (ilcm_user_id, name, patient_id, olcm_user_id, provider_id),
  KEY ix_patient_index_provider (provider_id, name, patient_id, olcm_user_id, ilcm_user_id),
  KEY ix_patient_index_holders (olcm_user_id, ilcm_user_id, has_case_load)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
