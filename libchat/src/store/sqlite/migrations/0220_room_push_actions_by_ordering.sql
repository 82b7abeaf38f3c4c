-- room_push_actions keyed by the stream alone (issue 3's send throughput).
-- Keyed by (room_id, stream_ordering), each message inserted into its own
-- room's part of the B-tree: with messages in many rooms at once, nearly
-- every event of a group commit dirtied a leaf (and often an interior page)
-- of its own, about 1.9 pages written to the log per message, the most of
-- any table. Keyed by stream_ordering, the rows of a commit are appended to
-- the same last pages.
--
-- A room's rows are found through the events table's index on
-- (room_id, stream_ordering), which every message already writes, joined on
-- the key here; the highlights keep their own partial index, as before.
CREATE TABLE room_push_actions_by_ordering (
    stream_ordering INTEGER PRIMARY KEY,
    room_id         TEXT NOT NULL,
    event_id        TEXT NOT NULL,
    sender          TEXT NOT NULL,
    thread_id       TEXT NOT NULL,   -- '' for the main timeline
    highlight       INTEGER NOT NULL,
    actions         TEXT NOT NULL,   -- JSON array, as the rule gave them
    ts              INTEGER NOT NULL
);
INSERT INTO room_push_actions_by_ordering(stream_ordering, room_id, event_id, sender, thread_id,
                                          highlight, actions, ts)
SELECT stream_ordering, room_id, event_id, sender, thread_id, highlight, actions, ts
FROM room_push_actions;
DROP TABLE room_push_actions;
ALTER TABLE room_push_actions_by_ordering RENAME TO room_push_actions;
CREATE INDEX room_push_actions_highlights ON room_push_actions(room_id, stream_ordering)
    WHERE highlight = 1;
