-- Schema 1: streams, rooms, events and their DAG edges, state groups stored as
-- deltas, current state and its change log, forward extremities, memberships,
-- receipts, account data, users, devices, access tokens, media metadata,
-- client transaction ids and filters.
--
-- Conventions: ids are stored as the text clients and servers use; times are
-- ms since the epoch; booleans are 0/1; JSON is text. Optional ids that are
-- part of a key (thread_id, account data room_id) are '' when absent, because
-- NULLs are distinct in SQLite keys.

-- One row per stream: its latest position (Streams::next upserts).
CREATE TABLE stream_positions (
    stream   TEXT PRIMARY KEY,
    position INTEGER NOT NULL
) WITHOUT ROWID;

CREATE TABLE rooms (
    room_id      TEXT PRIMARY KEY,
    room_version TEXT NOT NULL,
    creator      TEXT,
    created_ts   INTEGER NOT NULL,
    visibility   TEXT NOT NULL DEFAULT 'private'
) WITHOUT ROWID;
CREATE INDEX rooms_visibility ON rooms(visibility, room_id);

-- Every event we hold. stream_ordering is the events stream position
-- (negative for backfilled history) and the rowid, so range scans of the
-- stream read the table in order.
CREATE TABLE events (
    stream_ordering    INTEGER PRIMARY KEY,
    event_id           TEXT NOT NULL UNIQUE,
    room_id            TEXT NOT NULL,
    room_version       TEXT NOT NULL,
    type               TEXT NOT NULL,
    state_key          TEXT,
    sender             TEXT NOT NULL,
    membership         TEXT,            -- content.membership of m.room.member events
    depth              INTEGER NOT NULL,
    origin_server_ts   INTEGER NOT NULL,
    received_ts        INTEGER NOT NULL,
    json               TEXT NOT NULL,   -- federation format; the redacted form once redacted
    outlier            INTEGER NOT NULL DEFAULT 0,
    soft_failed        INTEGER NOT NULL DEFAULT 0,
    rejected_reason    TEXT,
    redacted_by        TEXT,
    state_group_before INTEGER,
    state_group_after  INTEGER
);
CREATE INDEX events_room_ordering ON events(room_id, stream_ordering);

-- prev_events and auth_events. The cited event may be one we do not have.
CREATE TABLE event_edges (
    event_id      TEXT NOT NULL,
    prev_event_id TEXT NOT NULL,
    PRIMARY KEY (event_id, prev_event_id)
) WITHOUT ROWID;
CREATE INDEX event_edges_prev ON event_edges(prev_event_id);

CREATE TABLE event_auth_edges (
    event_id      TEXT NOT NULL,
    auth_event_id TEXT NOT NULL,
    PRIMARY KEY (event_id, auth_event_id)
) WITHOUT ROWID;

-- Every m.room.redaction stored, applied or not (it may precede its target).
CREATE TABLE redactions (
    redaction_id TEXT PRIMARY KEY,
    target_id    TEXT NOT NULL
) WITHOUT ROWID;
CREATE INDEX redactions_target ON redactions(target_id);

-- The original JSON of redacted events, kept until purged after the
-- retention period.
CREATE TABLE redacted_originals (
    event_id    TEXT PRIMARY KEY,
    json        TEXT NOT NULL,
    redacted_ts INTEGER NOT NULL
) WITHOUT ROWID;
CREATE INDEX redacted_originals_ts ON redacted_originals(redacted_ts);

-- State groups: a snapshot (chain_length 0, entries are the full state) or
-- a delta against prev_group (entries are the changes, NULL event_id being a
-- removal). prev_group is kept on snapshots too, as lineage.
CREATE TABLE state_groups (
    id           INTEGER PRIMARY KEY,
    room_id      TEXT NOT NULL,
    prev_group   INTEGER,
    chain_length INTEGER NOT NULL,
    event_id     TEXT
);

CREATE TABLE state_group_entries (
    group_id  INTEGER NOT NULL,
    type      TEXT NOT NULL,
    state_key TEXT NOT NULL,
    event_id  TEXT,
    PRIMARY KEY (group_id, type, state_key)
) WITHOUT ROWID;

CREATE TABLE current_state (
    room_id   TEXT NOT NULL,
    type      TEXT NOT NULL,
    state_key TEXT NOT NULL,
    event_id  TEXT NOT NULL,
    PRIMARY KEY (room_id, type, state_key)
) WITHOUT ROWID;

CREATE TABLE current_state_delta (
    id              INTEGER PRIMARY KEY,
    stream_ordering INTEGER NOT NULL,
    room_id         TEXT NOT NULL,
    type            TEXT NOT NULL,
    state_key       TEXT NOT NULL,
    event_id        TEXT,   -- NULL: removed
    prev_event_id   TEXT    -- NULL: new key
);
CREATE INDEX current_state_delta_room ON current_state_delta(room_id, stream_ordering);
CREATE INDEX current_state_delta_ordering ON current_state_delta(stream_ordering);

CREATE TABLE forward_extremities (
    room_id  TEXT NOT NULL,
    event_id TEXT NOT NULL,
    PRIMARY KEY (room_id, event_id)
) WITHOUT ROWID;

-- The membership of each user in each room, now.
CREATE TABLE room_memberships (
    user_id         TEXT NOT NULL,
    room_id         TEXT NOT NULL,
    membership      TEXT NOT NULL,
    event_id        TEXT NOT NULL,
    stream_ordering INTEGER NOT NULL,
    PRIMARY KEY (user_id, room_id)
) WITHOUT ROWID;
CREATE INDEX room_memberships_user ON room_memberships(user_id, membership);
CREATE INDEX room_memberships_room ON room_memberships(room_id, membership);

-- Every membership change, for "what changed for user U between two tokens".
CREATE TABLE membership_changes (
    id              INTEGER PRIMARY KEY,
    stream_ordering INTEGER NOT NULL,
    user_id         TEXT NOT NULL,
    room_id         TEXT NOT NULL,
    membership      TEXT NOT NULL,
    event_id        TEXT NOT NULL
);
CREATE INDEX membership_changes_user ON membership_changes(user_id, stream_ordering);

CREATE TABLE receipts (
    room_id         TEXT NOT NULL,
    receipt_type    TEXT NOT NULL,
    user_id         TEXT NOT NULL,
    thread_id       TEXT NOT NULL,   -- '' when unthreaded
    event_id        TEXT NOT NULL,
    event_ordering  INTEGER,
    ts              INTEGER NOT NULL,
    data            TEXT NOT NULL,
    stream_position INTEGER NOT NULL,
    PRIMARY KEY (room_id, receipt_type, user_id, thread_id)
) WITHOUT ROWID;
CREATE INDEX receipts_position ON receipts(stream_position);
CREATE INDEX receipts_room_position ON receipts(room_id, stream_position);

CREATE TABLE account_data (
    user_id         TEXT NOT NULL,
    room_id         TEXT NOT NULL,   -- '' for global account data
    type            TEXT NOT NULL,
    content         TEXT NOT NULL,
    stream_position INTEGER NOT NULL,
    PRIMARY KEY (user_id, room_id, type)
) WITHOUT ROWID;
CREATE INDEX account_data_user_position ON account_data(user_id, stream_position);

CREATE TABLE users (
    user_id       TEXT PRIMARY KEY,
    password_hash TEXT,
    created_ts    INTEGER NOT NULL,
    admin         INTEGER NOT NULL DEFAULT 0,
    deactivated   INTEGER NOT NULL DEFAULT 0,
    guest         INTEGER NOT NULL DEFAULT 0,
    user_type     TEXT,
    displayname   TEXT,
    avatar_url    TEXT
) WITHOUT ROWID;

CREATE TABLE devices (
    user_id              TEXT NOT NULL REFERENCES users(user_id) ON DELETE CASCADE,
    device_id            TEXT NOT NULL,
    display_name         TEXT,
    created_ts           INTEGER NOT NULL,
    last_seen_ts         INTEGER,
    last_seen_ip         TEXT,
    last_seen_user_agent TEXT,
    PRIMARY KEY (user_id, device_id)
) WITHOUT ROWID;

-- Only the SHA-256 of each token: a copy of the database grants no access.
CREATE TABLE access_tokens (
    token_hash BLOB PRIMARY KEY,
    user_id    TEXT NOT NULL,
    device_id  TEXT NOT NULL,
    created_ts INTEGER NOT NULL,
    expires_ts INTEGER,
    FOREIGN KEY (user_id, device_id) REFERENCES devices(user_id, device_id) ON DELETE CASCADE
) WITHOUT ROWID;
CREATE INDEX access_tokens_device ON access_tokens(user_id, device_id);

CREATE TABLE media (
    origin       TEXT NOT NULL,
    media_id     TEXT NOT NULL,
    uploader     TEXT,
    content_type TEXT,
    upload_name  TEXT,
    size         INTEGER NOT NULL,
    sha256       BLOB NOT NULL,
    created_ts   INTEGER NOT NULL,
    quarantined  INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (origin, media_id)
) WITHOUT ROWID;
CREATE INDEX media_uploader ON media(uploader, created_ts);

CREATE TABLE client_txn_ids (
    user_id    TEXT NOT NULL,
    device_id  TEXT NOT NULL,
    txn_id     TEXT NOT NULL,
    event_id   TEXT NOT NULL,
    created_ts INTEGER NOT NULL,
    PRIMARY KEY (user_id, device_id, txn_id)
) WITHOUT ROWID;
CREATE INDEX client_txn_ids_created ON client_txn_ids(created_ts);

CREATE TABLE filters (
    user_id   TEXT NOT NULL,
    filter_id INTEGER NOT NULL,
    json      TEXT NOT NULL,
    PRIMARY KEY (user_id, filter_id)
) WITHOUT ROWID;
