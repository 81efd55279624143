-- Users: admins, Lead Care Managers, everyone with a token. The token is stored
-- as its SHA-256 only.
CREATE TABLE users (
  id           BIGINT       NOT NULL AUTO_INCREMENT,
  name         VARCHAR(200) NOT NULL,
  email        VARCHAR(254) NOT NULL,
  active       TINYINT(1)   NOT NULL DEFAULT 1,
  token_sha256 BINARY(32)   NULL,
  created_at   DATETIME(3)  NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
  updated_at   DATETIME(3)  NOT NULL DEFAULT CURRENT_TIMESTAMP(3) ON UPDATE CURRENT_TIMESTAMP(3),
  PRIMARY KEY (id),
  UNIQUE KEY uq_users_email (email),
  UNIQUE KEY uq_users_token (token_sha256),
  KEY ix_users_name (name, id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
