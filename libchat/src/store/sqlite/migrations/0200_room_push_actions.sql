-- Push actions shared by a room (issue 3 point 9 and large rooms): a message
-- in a room of N local members used to store N rows of event_push_actions,
-- one per member it notified, each a random insert into two B-trees (about
-- 28 us of writer time per member: 25-30 ms per message in a 1,000-member
-- room). Nearly every member decides the same (the default rules, no
-- mention of them), so that decision is now stored once per event here, and
-- event_push_actions keeps only the members whose decision differs from it:
-- a mention, a muted room, other rules. Such a row overrides this one for
-- its member, and may say notify = 0 (a member this event does not notify).
--
-- A row here applies to every local member who has been joined to the room,
-- without a break, since before the event (room_memberships.joined_since),
-- except its sender: exactly the members whose rules were evaluated when it
-- was persisted. Only notifying decisions are stored.
CREATE TABLE room_push_actions (
    room_id         TEXT NOT NULL,
    stream_ordering INTEGER NOT NULL,
    event_id        TEXT NOT NULL,
    sender          TEXT NOT NULL,
    thread_id       TEXT NOT NULL,   -- '' for the main timeline
    highlight       INTEGER NOT NULL,
    actions         TEXT NOT NULL,   -- JSON array, as the rule gave them
    ts              INTEGER NOT NULL,
    PRIMARY KEY (room_id, stream_ordering)
) WITHOUT ROWID;
-- GET /notifications?only=highlight reads a room's few highlights directly.
CREATE INDEX room_push_actions_highlights ON room_push_actions(room_id, stream_ordering)
    WHERE highlight = 1;

-- Where the member's current unbroken join began (null unless joined): a
-- display name change is a join after a join and keeps it.
ALTER TABLE room_memberships ADD COLUMN joined_since INTEGER;
UPDATE room_memberships SET joined_since = (
    SELECT min(c.stream_ordering) FROM membership_changes c
    WHERE c.user_id = room_memberships.user_id AND c.room_id = room_memberships.room_id
      AND c.membership = 'join'
      AND c.stream_ordering > coalesce((
          SELECT max(d.stream_ordering) FROM membership_changes d
          WHERE d.user_id = room_memberships.user_id AND d.room_id = room_memberships.room_id
            AND d.membership != 'join'), -9223372036854775808))
WHERE membership = 'join';
UPDATE room_memberships SET joined_since = stream_ordering
WHERE membership = 'join' AND joined_since IS NULL;
