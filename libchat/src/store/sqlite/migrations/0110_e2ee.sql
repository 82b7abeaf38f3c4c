-- End-to-end encryption support (issue 11): the server stores and routes
-- keys it cannot read. Keys of a device go with the device (ON DELETE
-- CASCADE), so logging out or deleting a device leaves no keys behind.

-- The signed device_keys object of a device, as uploaded (signatures added
-- later through /keys/signatures/upload live in e2ee_signatures).
CREATE TABLE e2ee_device_keys (
    user_id   TEXT NOT NULL,
    device_id TEXT NOT NULL,
    json      TEXT NOT NULL,
    PRIMARY KEY (user_id, device_id),
    FOREIGN KEY (user_id, device_id) REFERENCES devices(user_id, device_id) ON DELETE CASCADE
) WITHOUT ROWID;

-- Unclaimed one-time keys; a claim deletes its row. `seq` orders them by
-- upload so that the oldest goes first.
CREATE TABLE e2ee_one_time_keys (
    seq       INTEGER PRIMARY KEY,
    user_id   TEXT NOT NULL,
    device_id TEXT NOT NULL,
    algorithm TEXT NOT NULL,
    key_id    TEXT NOT NULL,
    json      TEXT NOT NULL,
    UNIQUE (user_id, device_id, algorithm, key_id),
    FOREIGN KEY (user_id, device_id) REFERENCES devices(user_id, device_id) ON DELETE CASCADE
);
CREATE INDEX e2ee_one_time_keys_claim ON e2ee_one_time_keys(user_id, device_id, algorithm, seq);

-- One fallback key per device and algorithm; `used` once /keys/claim handed it out.
CREATE TABLE e2ee_fallback_keys (
    user_id   TEXT NOT NULL,
    device_id TEXT NOT NULL,
    algorithm TEXT NOT NULL,
    key_id    TEXT NOT NULL,
    json      TEXT NOT NULL,
    used      INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (user_id, device_id, algorithm),
    FOREIGN KEY (user_id, device_id) REFERENCES devices(user_id, device_id) ON DELETE CASCADE
) WITHOUT ROWID;

-- Cross-signing keys: usage is 'master', 'self_signing' or 'user_signing'.
CREATE TABLE e2ee_cross_signing_keys (
    user_id TEXT NOT NULL,
    usage   TEXT NOT NULL,
    json    TEXT NOT NULL,
    PRIMARY KEY (user_id, usage)
) WITHOUT ROWID;

-- Signatures uploaded apart from the keys they sign. target_key_id is a
-- device id or a cross-signing public key (unpadded base64).
CREATE TABLE e2ee_signatures (
    signer_user_id TEXT NOT NULL,
    signer_key_id  TEXT NOT NULL,
    target_user_id TEXT NOT NULL,
    target_key_id  TEXT NOT NULL,
    signature      TEXT NOT NULL,
    PRIMARY KEY (target_user_id, target_key_id, signer_user_id, signer_key_id)
) WITHOUT ROWID;

-- The device_lists stream: each user's latest change. Older positions of the
-- same user are not needed: a range query asks "changed after P?".
CREATE TABLE e2ee_device_list_changes (
    user_id  TEXT PRIMARY KEY,
    position INTEGER NOT NULL
) WITHOUT ROWID;
CREATE INDEX e2ee_device_list_changes_position ON e2ee_device_list_changes(position);

-- Queued to-device messages, by recipient device; position is on the
-- to_device stream. Removed once the device acknowledges them.
CREATE TABLE e2ee_to_device (
    position  INTEGER PRIMARY KEY,
    user_id   TEXT NOT NULL,
    device_id TEXT NOT NULL,
    sender    TEXT NOT NULL,
    type      TEXT NOT NULL,
    content   TEXT NOT NULL,
    FOREIGN KEY (user_id, device_id) REFERENCES devices(user_id, device_id) ON DELETE CASCADE
);
CREATE INDEX e2ee_to_device_recipient ON e2ee_to_device(user_id, device_id, position);

-- sendToDevice transaction ids already handled, per sending device.
CREATE TABLE e2ee_to_device_txns (
    user_id    TEXT NOT NULL,
    device_id  TEXT NOT NULL,
    txn_id     TEXT NOT NULL,
    created_ts INTEGER NOT NULL,
    PRIMARY KEY (user_id, device_id, txn_id)
) WITHOUT ROWID;

-- Key backup versions. Versions count up per user; the current one is the
-- highest that is not deleted. etag counts changes to its keys.
CREATE TABLE e2ee_backup_versions (
    user_id   TEXT NOT NULL,
    version   INTEGER NOT NULL,
    algorithm TEXT NOT NULL,
    auth_data TEXT NOT NULL,
    etag      INTEGER NOT NULL DEFAULT 0,
    deleted   INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (user_id, version)
) WITHOUT ROWID;

CREATE TABLE e2ee_backup_keys (
    user_id    TEXT NOT NULL,
    version    INTEGER NOT NULL,
    room_id    TEXT NOT NULL,
    session_id TEXT NOT NULL,
    json       TEXT NOT NULL,
    PRIMARY KEY (user_id, version, room_id, session_id)
) WITHOUT ROWID;

-- Deleting a device (logout, DELETE /devices) changes its user's device
-- list. The accounts code that deletes devices knows nothing of E2EE, so the
-- change is recorded here, on the same stream Streams::next advances.
CREATE TRIGGER e2ee_device_deleted AFTER DELETE ON devices
WHEN EXISTS (SELECT 1 FROM e2ee_device_keys WHERE user_id = OLD.user_id)
  OR EXISTS (SELECT 1 FROM e2ee_device_list_changes WHERE user_id = OLD.user_id)
BEGIN
    INSERT OR IGNORE INTO stream_positions(stream, position) VALUES ('device_lists', 0);
    UPDATE stream_positions SET position = position + 1 WHERE stream = 'device_lists';
    INSERT OR REPLACE INTO e2ee_device_list_changes(user_id, position)
        SELECT OLD.user_id, position FROM stream_positions WHERE stream = 'device_lists';
END;
