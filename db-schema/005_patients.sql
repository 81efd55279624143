-- ECM patients, each with an optional primary provider.
CREATE TABLE patients (
  id                  BIGINT       NOT NULL AUTO_INCREMENT,
  name                VARCHAR(200) NOT NULL,
  primary_provider_id BIGINT       NULL,
  PRIMARY KEY (id),
  KEY ix_patients_provider (primary_provider_id),
  CONSTRAINT fk_patients_provider FOREIGN KEY (primary_provider_id) REFERENCES providers (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
