-- API tokens, several per user: only each token's SHA-256 is stored. A token
-- authenticates while it is not revoked, not expired and its user is active.
-- last_used_at is kept to the minute.
CREATE TABLE api_tokens (
  id           BIGINT       NOT NULL AUTO_INCREMENT,
  user_id      BIGINT       NOT NULL,
  token_sha256 BINARY(32)   NOT NULL,
  label        VARCHAR(100) NOT NULL DEFAULT '',
  created_at   DATETIME(3)  NOT NULL,
  last_used_at DATETIME(3)  NULL,
  expires_at   DATETIME(3)  NULL,
  revoked_at   DATETIME(3)  NULL,
  PRIMARY KEY (id),
  UNIQUE KEY uq_api_tokens_sha256 (token_sha256),
  KEY ix_api_tokens_user (user_id),
  CONSTRAINT fk_api_tokens_user FOREIGN KEY (user_id) REFERENCES users (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
