-- Issue 9: PDUs queued for remote servers (store/outbox.hpp). One row per
-- (destination, event); removed once the destination acknowledged it.
CREATE TABLE federation_outbox (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    destination TEXT NOT NULL,
    event_id TEXT NOT NULL
);
CREATE INDEX federation_outbox_by_destination ON federation_outbox(destination, id);
