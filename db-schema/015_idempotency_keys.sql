-- Idempotency-Key: per acting user, the request a key was first used for
-- (its SHA-256, and the request id of the request running it) and, once done,
-- the response to replay. Purged after 24 hours.
CREATE TABLE idempotency_keys (
  user_id        BIGINT        NOT NULL,
  idem_key       VARBINARY(255) NOT NULL,
  request_sha256 BINARY(32)    NOT NULL,
  request_id     VARCHAR(80)   NOT NULL,
  state          ENUM('running', 'done') NOT NULL,
  status         SMALLINT      NULL,
  etag           VARCHAR(40)   NULL,
  body           MEDIUMBLOB    NULL,
  created_at     DATETIME(3)   NOT NULL,
  completed_at   DATETIME(3)   NULL,
  PRIMARY KEY (user_id, idem_key),
  KEY ix_idempotency_keys_created (created_at)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
