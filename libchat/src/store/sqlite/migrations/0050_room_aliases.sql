-- The local room alias directory (PUT/GET/DELETE /directory/room/{roomAlias}).
-- `creator` may delete the alias without being a room admin.
CREATE TABLE room_aliases (
    alias   TEXT PRIMARY KEY,
    room_id TEXT NOT NULL,
    creator TEXT NOT NULL
) WITHOUT ROWID;
-- GET /rooms/{roomId}/aliases and the public room directory's search.
CREATE INDEX room_aliases_room ON room_aliases(room_id, alias);
