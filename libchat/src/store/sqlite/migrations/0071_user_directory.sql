-- The user directory (store/user_directory.hpp): one row per user we know a
-- profile for, and an FTS5 index over their ids and display names. The index
-- reads its text from the table (external content) and triggers keep it in
-- step, so the words it removes are always the words it indexed.
CREATE TABLE user_directory (
    id           INTEGER PRIMARY KEY,
    user_id      TEXT NOT NULL UNIQUE,
    display_name TEXT,
    avatar_url   TEXT
);

CREATE VIRTUAL TABLE user_directory_search USING fts5(
    user_id,
    display_name,
    content = 'user_directory',
    content_rowid = 'id',
    tokenize = 'unicode61 remove_diacritics 2'
);

CREATE TRIGGER user_directory_inserted AFTER INSERT ON user_directory BEGIN
    INSERT INTO user_directory_search(rowid, user_id, display_name)
    VALUES (new.id, new.user_id, new.display_name);
END;

CREATE TRIGGER user_directory_deleted AFTER DELETE ON user_directory BEGIN
    INSERT INTO user_directory_search(user_directory_search, rowid, user_id, display_name)
    VALUES ('delete', old.id, old.user_id, old.display_name);
END;

CREATE TRIGGER user_directory_renamed AFTER UPDATE OF user_id, display_name ON user_directory BEGIN
    INSERT INTO user_directory_search(user_directory_search, rowid, user_id, display_name)
    VALUES ('delete', old.id, old.user_id, old.display_name);
    INSERT INTO user_directory_search(rowid, user_id, display_name)
    VALUES (new.id, new.user_id, new.display_name);
END;

-- Who we knew before this migration: local accounts with their profiles,
-- then remote users joined to our rooms, named by one of their join events.
INSERT INTO user_directory(user_id, display_name, avatar_url)
SELECT user_id, substr(displayname, 1, 256), avatar_url FROM users;

INSERT OR IGNORE INTO user_directory(user_id, display_name, avatar_url)
SELECT m.user_id,
       CASE WHEN json_type(e.json, '$.content.displayname') = 'text'
            THEN substr(json_extract(e.json, '$.content.displayname'), 1, 256) END,
       CASE WHEN json_type(e.json, '$.content.avatar_url') = 'text'
            THEN json_extract(e.json, '$.content.avatar_url') END
FROM room_memberships AS m JOIN events AS e ON e.event_id = m.event_id
WHERE m.membership = 'join'
GROUP BY m.user_id;
