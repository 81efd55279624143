-- Every token of the old users.token_sha256 column becomes an API token of its
-- user, so the tokens in use keep working across the upgrade.
INSERT INTO api_tokens (user_id, token_sha256, label, created_at)
SELECT id, token_sha256, 'from users.token_sha256', created_at
FROM users WHERE token_sha256 IS NOT NULL;
