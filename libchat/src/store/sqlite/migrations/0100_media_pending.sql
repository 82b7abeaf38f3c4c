-- Media ids reserved by POST /_matrix/media/v1/create and not uploaded yet.
-- The row goes away when the content arrives (a media row takes its place)
-- or when it expires unused.
CREATE TABLE media_pending (
    media_id   TEXT PRIMARY KEY,
    creator    TEXT NOT NULL,
    created_ts INTEGER NOT NULL,
    expires_ts INTEGER NOT NULL
) WITHOUT ROWID;
CREATE INDEX media_pending_creator ON media_pending(creator, expires_ts);
CREATE INDEX media_pending_expiry ON media_pending(expires_ts);
