-- Content reports from clients (POST /rooms/{roomId}/report[/{eventId}],
-- /users/{userId}/report), kept for the admin API. `kind` says which of
-- room_id, event_id and target_user_id are set.
CREATE TABLE reports (
    report_id      INTEGER PRIMARY KEY AUTOINCREMENT,
    kind           TEXT NOT NULL,     -- 'event', 'room' or 'user'
    reporter       TEXT NOT NULL,
    room_id        TEXT,
    event_id       TEXT,
    target_user_id TEXT,
    reason         TEXT,
    score          INTEGER,
    received_ts    INTEGER NOT NULL
);
CREATE INDEX reports_room ON reports(room_id, report_id);
