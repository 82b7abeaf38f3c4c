-- The relations index (store/relations.hpp): one row per event whose content
-- carries `m.relates_to` with a `rel_type` and an `event_id`. An event has at
-- most one such relation, so the child is the key. `parent_id` may name an
-- event we do not have (yet); readers join it to `events` when they need it.
-- `stream_ordering` follows the child's row in `events` (an outlier promoted
-- to the timeline gets a new one).
CREATE TABLE event_relations (
    child_id        TEXT PRIMARY KEY,
    parent_id       TEXT NOT NULL,
    room_id         TEXT NOT NULL,
    rel_type        TEXT NOT NULL,
    child_type      TEXT NOT NULL,
    sender          TEXT NOT NULL,
    aggregation_key TEXT,             -- m.annotation's `key`
    stream_ordering INTEGER NOT NULL
) WITHOUT ROWID;
-- /relations pages the children of one parent by ordering.
CREATE INDEX event_relations_parent ON event_relations(parent_id, stream_ordering);
-- /threads groups a room's m.thread children by root.
CREATE INDEX event_relations_room_type ON event_relations(room_id, rel_type, parent_id);

-- Events stored before this migration. The checks are looser than
-- EventId::parse; readers only ever read back a parent id through a join
-- with the stored parent, so a malformed one is never returned.
INSERT OR IGNORE INTO event_relations(child_id, parent_id, room_id, rel_type, child_type,
                                      sender, aggregation_key, stream_ordering)
SELECT event_id,
       json_extract(json, '$.content."m.relates_to".event_id'),
       room_id,
       json_extract(json, '$.content."m.relates_to".rel_type'),
       type,
       sender,
       CASE WHEN json_type(json, '$.content."m.relates_to".key') = 'text'
            THEN json_extract(json, '$.content."m.relates_to".key') END,
       stream_ordering
FROM events
WHERE json_type(json, '$.content."m.relates_to".rel_type') = 'text'
  AND json_type(json, '$.content."m.relates_to".event_id') = 'text'
  AND json_extract(json, '$.content."m.relates_to".rel_type') <> ''
  AND length(json_extract(json, '$.content."m.relates_to".rel_type')) <= 255
  AND substr(json_extract(json, '$.content."m.relates_to".event_id'), 1, 1) = '$'
  AND length(json_extract(json, '$.content."m.relates_to".event_id')) <= 255;
