-- Remote servers' signing keys (federation KeyRing), one row per key, with
-- the signed response each came in so that we can act as a notary.
CREATE TABLE server_keys (
    server_name    TEXT NOT NULL,
    key_id         TEXT NOT NULL,
    public_key     TEXT NOT NULL,
    valid_until_ts INTEGER NOT NULL,
    expired_ts     INTEGER,
    fetched_ts     INTEGER NOT NULL,
    key_json       TEXT NOT NULL,
    PRIMARY KEY (server_name, key_id)
) WITHOUT ROWID;
