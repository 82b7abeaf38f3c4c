-- Issue 3 point 9 (write amplification): an event's prev_events and
-- auth_events are already in its JSON, so they are read from there (through
-- the parsed-event cache) instead of from two tables keyed by event id, whose
-- rows landed at random places of two B-trees (and a third, the prev index)
-- for every event persisted.
--
-- Only the other direction needs an index of its own: which stored events cite
-- a given event as a prev_event (forward extremities, when an event arrives
-- after one that cites it). It is keyed by the cited event first.
CREATE TABLE event_children (
    prev_event_id TEXT NOT NULL,
    event_id      TEXT NOT NULL,
    PRIMARY KEY (prev_event_id, event_id)
) WITHOUT ROWID;

INSERT OR IGNORE INTO event_children(prev_event_id, event_id)
SELECT prev_event_id, event_id FROM event_edges;

DROP TABLE event_edges;
DROP TABLE event_auth_edges;
