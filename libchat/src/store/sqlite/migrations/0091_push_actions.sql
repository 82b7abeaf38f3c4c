-- Issue 5 point 2 / issue 7 point 3: what each event means to each member's
-- push rules, evaluated once when the event is persisted. Unread counts are
-- counts of these rows after the member's read receipt; GET /notifications
-- lists them.
CREATE TABLE event_push_actions (
    user_id         TEXT NOT NULL,
    room_id         TEXT NOT NULL,
    stream_ordering INTEGER NOT NULL,
    event_id        TEXT NOT NULL,
    thread_id       TEXT NOT NULL,   -- '' for the main timeline
    notify          INTEGER NOT NULL,
    highlight       INTEGER NOT NULL,
    actions         TEXT NOT NULL,   -- JSON array, as the rule gave them
    ts              INTEGER NOT NULL,
    PRIMARY KEY (user_id, room_id, stream_ordering)
) WITHOUT ROWID;
CREATE INDEX event_push_actions_user ON event_push_actions(user_id, stream_ordering);
