-- A deleted account's name becomes registrable again, safely (issue 17). Until now deletion retired the name for good
-- (V3: retired_usernames), because chat-node keys its data by username. Now deletion records the account's id and
-- name as a pending release; a chat node (NameReleases, every node may run it, one wins per row) rewrites, in one
-- transaction, every username column of its tables from the name to the account's tombstone key '~' || id (no
-- username can take it: '~' is outside the username rule), then marks the release done. Only then may the name be
-- registered again: until that commit a sign-up with it is refused as taken (409 username_taken), as before.
CREATE TABLE name_releases (
    account_id  bigint      PRIMARY KEY,
    username    text        NOT NULL,
    deleted_at  timestamptz NOT NULL DEFAULT now(),
    released_at timestamptz
);
-- At most one pending release per name (a sign-up of it is refused until then, so there cannot be two), and the
-- sign-up's check below is one index lookup.
CREATE UNIQUE INDEX name_releases_pending ON name_releases (username) WHERE released_at IS NULL;

-- Names retired before this migration: their chat data still sits under the name, so they are released the same way.
INSERT INTO name_releases (account_id, username, deleted_at)
SELECT account_id, username, retired_at FROM retired_usernames;

DROP TRIGGER accounts_refuse_retired ON accounts;
DROP FUNCTION refuse_retired_username();
DROP TABLE retired_usernames;

-- A sign-up racing with the deletion of the same name: both take this lock on the name (AccountSecurity.delete), so
-- the sign-up's check runs after the deletion committed (a fresh snapshot, READ COMMITTED) and sees the pending release.
-- A sign-up racing with the release itself sees the row pending until the release commits, the chat data re-keyed.
CREATE FUNCTION refuse_unreleased_username() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_advisory_xact_lock(hashtext('username:' || NEW.username));
    IF EXISTS (SELECT 1 FROM name_releases WHERE username = NEW.username AND released_at IS NULL) THEN
        RAISE unique_violation USING MESSAGE = 'username not yet released', CONSTRAINT = 'accounts_username_key';
    END IF;
    RETURN NEW;
END $$;

CREATE TRIGGER accounts_refuse_unreleased BEFORE INSERT ON accounts
    FOR EACH ROW EXECUTE FUNCTION refuse_unreleased_username();

GRANT SELECT, INSERT ON name_releases TO chat_users;

-- Least privilege: chat-node sees only the pending releases (account id and name), and may change only released_at
-- (SELECT ... FOR UPDATE SKIP LOCKED needs UPDATE on a column). Setting it takes the row out of the view.
CREATE VIEW pending_name_releases AS
    SELECT account_id, username, released_at FROM name_releases WHERE released_at IS NULL;
GRANT SELECT, UPDATE (released_at) ON pending_name_releases TO chat_node;

-- Tokens are checked by account id (their sub), not by name alone: a token of a deleted account is refused even
-- after someone else registers its name. chat-node's socket upgrade and reauth read the id here.
CREATE OR REPLACE VIEW account_names AS SELECT username, id FROM accounts;
