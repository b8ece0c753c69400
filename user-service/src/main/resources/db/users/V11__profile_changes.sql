-- Live profiles (issue 17): a display name or avatar that changes reaches, within a couple of seconds, the open
-- pages of the people who share a conversation or group with the person (a `profile` frame), instead of waiting
-- for their 5-minute profile cache. Every chat node asks the view below once a second for the profiles changed
-- since it last asked, as it asks revoked_sessions, and tells its own sockets. The view shows chat-node what a
-- user object shows anyone signed in (name, display name, avatar version), never the picture or the password.
ALTER TABLE accounts ADD COLUMN profile_changed_at timestamptz;
CREATE INDEX accounts_profile_changed ON accounts (profile_changed_at) WHERE profile_changed_at IS NOT NULL;

CREATE VIEW profile_changes AS
    SELECT username, display_name, CASE WHEN avatar IS NOT NULL THEN avatar_version END AS avatar_version,
           profile_changed_at AS changed_at
    FROM accounts WHERE deleted_at IS NULL AND profile_changed_at IS NOT NULL;
GRANT SELECT ON profile_changes TO chat_node;
