-- Rooms a user forgot (POST /rooms/{roomId}/forget), keyed by the membership
-- event they forgot at: a later leave is a new event and shows again.
CREATE TABLE forgotten_rooms (
    user_id   TEXT NOT NULL,
    room_id   TEXT NOT NULL,
    event_id  TEXT NOT NULL,
    PRIMARY KEY (user_id, room_id)
) WITHOUT ROWID;
