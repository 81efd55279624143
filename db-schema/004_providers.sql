-- Providers: a patient's primary provider is copied onto its case load.
CREATE TABLE providers (
  id   BIGINT       NOT NULL AUTO_INCREMENT,
  name VARCHAR(200) NOT NULL,
  PRIMARY KEY (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
