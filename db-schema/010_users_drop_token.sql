-- Tokens live in api_tokens now (and its unique key goes with the column).
ALTER TABLE users DROP COLUMN token_sha256;
