-- The stream_id of the last m.device_list_update EDU we sent for each local
-- user, so the next one can name it in prev_id (server-server spec "Device
-- Management"): a receiver that recognises it applies the update instead of
-- resyncing the whole list.
CREATE TABLE e2ee_device_list_outbound (
    user_id TEXT PRIMARY KEY NOT NULL,
    stream_id INTEGER NOT NULL
);
