-- Search text of a write transaction now waits in the writer's memory until
-- COMMIT (store/sqlite/search_queue.hpp), not in this table: each event paid
-- two B-tree writes and a read here. The table was always empty between
-- transactions, so nothing is lost.
DROP TABLE event_search_pending;
