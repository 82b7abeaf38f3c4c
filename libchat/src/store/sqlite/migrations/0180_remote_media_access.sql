-- When a cached remote media item was last served through us, so that
-- media.remote_retention_days can expire what nobody asked for. NULL means
-- "not recorded": readers fall back to created_ts (the time it was cached).
-- Local media never reads it.
ALTER TABLE media ADD COLUMN last_access_ts INTEGER;
CREATE INDEX media_remote_last_access ON media(COALESCE(last_access_ts, created_ts))
    WHERE uploader IS NULL;
