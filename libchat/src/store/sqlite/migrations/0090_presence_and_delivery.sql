-- Issue 5: presence, MSC4089 delivery receipts and delivery inferred from sync.

-- The latest presence of each user; every change takes a new position on the
-- presence stream, so a row is also "what changed" since an older position.
CREATE TABLE presence (
    user_id          TEXT PRIMARY KEY,
    state            TEXT NOT NULL,     -- online, unavailable, offline
    status_msg       TEXT,
    last_active_ts   INTEGER NOT NULL,
    currently_active INTEGER NOT NULL,
    stream_position  INTEGER NOT NULL
) WITHOUT ROWID;
CREATE INDEX presence_position ON presence(stream_position);

-- Explicit delivery receipts (MSC4089): one row per (room, event, user) the
-- recipient's client confirmed, routed only to the event's sender.
CREATE TABLE delivery_receipts (
    room_id         TEXT NOT NULL,
    event_id        TEXT NOT NULL,
    user_id         TEXT NOT NULL,
    event_sender    TEXT NOT NULL,
    ts              INTEGER NOT NULL,
    stream_position INTEGER NOT NULL,   -- on the receipts stream
    PRIMARY KEY (room_id, event_id, user_id)
) WITHOUT ROWID;
CREATE INDEX delivery_receipts_sender ON delivery_receipts(event_sender, stream_position);

-- Delivery inferred from /sync: one position per (room, user), never a row
-- per event. sender_events maps each sender told of this move to the newest
-- of their events it covers.
CREATE TABLE inferred_delivery (
    room_id         TEXT NOT NULL,
    user_id         TEXT NOT NULL,
    event_id        TEXT NOT NULL,
    event_ordering  INTEGER NOT NULL,
    ts              INTEGER NOT NULL,
    sender_events   TEXT NOT NULL,      -- JSON object: sender -> event id
    stream_position INTEGER NOT NULL,   -- on the receipts stream
    PRIMARY KEY (room_id, user_id)
) WITHOUT ROWID;
CREATE INDEX inferred_delivery_position ON inferred_delivery(room_id, stream_position);

-- How far each user's syncs have acknowledged the events stream: the next
-- inference starts there.
CREATE TABLE delivery_acks (
    user_id  TEXT PRIMARY KEY,
    position INTEGER NOT NULL
) WITHOUT ROWID;
