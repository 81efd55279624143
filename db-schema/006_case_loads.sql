-- One case load per patient: its provider and its two Lead Care Managers.
-- ix_case_loads_olcm serves the oLCM count and, with its second column,
-- the "both roles" count; ix_case_loads_ilcm serves the iLCM count.
CREATE TABLE case_loads (
  id               BIGINT      NOT NULL AUTO_INCREMENT,
  patient_id       BIGINT      NOT NULL,
  provider_id      BIGINT      NULL,
  olcm_user_id     BIGINT      NULL,
  olcm_assigned_at DATETIME(3) NULL,
  ilcm_user_id     BIGINT      NULL,
  ilcm_assigned_at DATETIME(3) NULL,
  created_at       DATETIME(3) NOT NULL,
  updated_at       DATETIME(3) NOT NULL,
  PRIMARY KEY (id),
  UNIQUE KEY uq_case_loads_patient (patient_id),
  KEY ix_case_loads_olcm (olcm_user_id, ilcm_user_id),
  KEY ix_case_loads_ilcm (ilcm_user_id),
  KEY ix_case_loads_provider (provider_id),
  CONSTRAINT fk_case_loads_patient FOREIGN KEY (patient_id) REFERENCES patients (id),
  CONSTRAINT fk_case_loads_provider FOREIGN KEY (provider_id) REFERENCES providers (id),
  CONSTRAINT fk_case_loads_olcm FOREIGN KEY (olcm_user_id) REFERENCES users (id),
  CONSTRAINT fk_case_loads_ilcm FOREIGN KEY (ilcm_user_id) REFERENCES users (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
