-- Issue 7 point 4: pushers (POST /pushers/set) and how far the push sender
-- has delivered each one. delivered_up_to is the stream ordering of the last
-- push action the gateway acknowledged with 2xx: the sender resumes after it
-- on restart, which makes delivery at-least-once.
CREATE TABLE pushers (
    user_id             TEXT NOT NULL,
    app_id              TEXT NOT NULL,
    pushkey             TEXT NOT NULL,
    kind                TEXT NOT NULL,
    app_display_name    TEXT NOT NULL,
    device_display_name TEXT NOT NULL,
    profile_tag         TEXT,
    lang                TEXT NOT NULL,
    data                TEXT NOT NULL,   -- JSON object: url, format, ...
    pushkey_ts          INTEGER NOT NULL,
    delivered_up_to     INTEGER NOT NULL,
    PRIMARY KEY (app_id, pushkey, user_id)
) WITHOUT ROWID;
CREATE INDEX pushers_user ON pushers(user_id);
