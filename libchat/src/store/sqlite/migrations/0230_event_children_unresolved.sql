-- event_children keeps only citations of events that were not in the
-- timeline when the citing event was stored (not held, or outliers): its one
-- reader, Extremities::add_event, asks whether an event arriving (or promoted
-- from outlier) now is cited by one stored before it, and an event already in
-- the timeline never arrives again. Every message this server builds cites
-- events in the timeline, so it no longer writes a row here: keyed by the
-- cited event's id, each such row dirtied a page at a random place of the
-- B-tree, about 1.3 pages written to the log per message (issue 3's send
-- throughput).
DELETE FROM event_children
WHERE EXISTS (SELECT 1 FROM events e
              WHERE e.event_id = event_children.prev_event_id AND e.outlier = 0);
