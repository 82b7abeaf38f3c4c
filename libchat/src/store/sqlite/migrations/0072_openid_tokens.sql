-- OpenID tokens (POST /user/{userId}/openid/request_token), apart from
-- access tokens so that one can never be used as the other. Only the
-- SHA-256 of each token is stored, as for access tokens.
CREATE TABLE openid_tokens (
    token_hash BLOB PRIMARY KEY,
    user_id    TEXT NOT NULL,
    expires_ts INTEGER NOT NULL
) WITHOUT ROWID;
CREATE INDEX openid_tokens_expiry ON openid_tokens(expires_ts);
