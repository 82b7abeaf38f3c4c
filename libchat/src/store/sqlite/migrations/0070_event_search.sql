-- Full-text search over message text (POST /search). One row per timeline
-- event that has searchable text (store/search.hpp, searchable_text()), its
-- rowid being the event's stream_ordering, so that a match joins `events`
-- by primary key and "most recent first" is FTS5's own rowid order.
--
-- Contentless (content=''): the text is already in events.json, so the
-- index keeps only its words. The price: removing a row ('delete') needs the
-- text that was indexed, which Events::redact still has. A row left behind
-- by a mismatch could only match words of a redacted event, and every
-- search also requires events.redacted_by IS NULL.
--
-- unicode61 folds case; remove_diacritics 2 lets "cafe" find "café".
CREATE VIRTUAL TABLE event_search USING fts5(
    text,
    content = '',
    tokenize = 'unicode61 remove_diacritics 2'
);

-- The history stored before this migration, with the rules of
-- searchable_text() except the rarely different m.topic text (topic only).
INSERT INTO event_search(rowid, text)
SELECT stream_ordering,
       CASE type
           WHEN 'm.room.message' THEN json_extract(json, '$.content.body')
           WHEN 'm.room.name' THEN json_extract(json, '$.content.name')
           ELSE json_extract(json, '$.content.topic')
       END
FROM events
WHERE outlier = 0 AND redacted_by IS NULL
  AND ((type = 'm.room.message' AND json_type(json, '$.content.body') = 'text'
        AND json_extract(json, '$.content.body') != '')
    OR (type = 'm.room.name' AND state_key IS NOT NULL
        AND json_type(json, '$.content.name') = 'text'
        AND json_extract(json, '$.content.name') != '')
    OR (type = 'm.room.topic' AND state_key IS NOT NULL
        AND json_type(json, '$.content.topic') = 'text'
        AND json_extract(json, '$.content.topic') != ''));
