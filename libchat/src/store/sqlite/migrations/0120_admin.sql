-- The admin API (issue 12): registration tokens, blocked rooms and erased
-- users.

-- Tokens that let someone register while registration.enabled is `token`
-- (the m.login.registration_token stage). `pending` counts registrations
-- that passed the stage but have not finished yet, so that concurrent
-- registrations cannot together exceed uses_allowed.
CREATE TABLE registration_tokens (
    token        TEXT PRIMARY KEY,
    uses_allowed INTEGER,            -- NULL: unlimited
    pending      INTEGER NOT NULL DEFAULT 0,
    completed    INTEGER NOT NULL DEFAULT 0,
    expiry_time  INTEGER             -- ms since the epoch; NULL: never
) WITHOUT ROWID;

-- Rooms an admin blocked: local users may no longer join them.
CREATE TABLE blocked_rooms (
    room_id    TEXT PRIMARY KEY,
    blocked_by TEXT NOT NULL,
    blocked_ts INTEGER NOT NULL
) WITHOUT ROWID;

-- Users deactivated with erase: true (the admin API reports `erased`).
CREATE TABLE erased_users (
    user_id TEXT PRIMARY KEY
) WITHOUT ROWID;
