-- Issue 3 point 9: message text waits here until its transaction commits,
-- then goes into event_search in one insert (flush_event_search, called by
-- the writer just before COMMIT). FTS5 writes its pending terms to disk as
-- a new segment at every savepoint, and group commit opens one per write, so
-- indexing each event as it was persisted made a segment per event and the
-- merging that follows. Always empty between transactions.
CREATE TABLE event_search_pending (
    stream_ordering INTEGER PRIMARY KEY,
    text            TEXT NOT NULL
);
