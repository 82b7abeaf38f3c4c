-- Push rules (issue 7): each user's changes to the server-default rules, one
-- JSON document per user (chat::push::PushRules::changes()). The default
-- rules are code, not rows. stream_position is the user's latest change on
-- the push_rules stream, which /sync compares with its token.
CREATE TABLE push_rules (
    user_id         TEXT PRIMARY KEY,
    changes         TEXT NOT NULL,
    stream_position INTEGER NOT NULL
) WITHOUT ROWID;
