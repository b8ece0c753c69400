-- Account security (issue 17): deletion retires the username, and profiles.
--
-- A deleted account keeps its row (its sessions are revoked, so every chat node closes its sockets within a
-- second) under a name no username can be ('~deleted~' || id: '~' is outside the username rule), and its name moves
-- to retired_usernames, where it stays: chat-node keys inboxes, history and group membership by username, so a name
-- handed to someone new would hand them the old account's conversations. Nobody can register a retired name.
ALTER TABLE accounts ADD COLUMN deleted_at timestamptz;
ALTER TABLE accounts ADD COLUMN display_name text;
ALTER TABLE accounts ADD COLUMN avatar bytea;
ALTER TABLE accounts ADD COLUMN avatar_type text;
-- Changes with every new avatar: the avatar's URL carries it, so a cached picture is never stale.
ALTER TABLE accounts ADD COLUMN avatar_version integer NOT NULL DEFAULT 0;

CREATE TABLE retired_usernames (
    username   text        PRIMARY KEY,
    account_id bigint      NOT NULL,
    retired_at timestamptz NOT NULL DEFAULT now()
);

-- A sign-up racing with the deletion of the same name: both take this lock on the name, so the sign-up's check
-- below runs after the deletion committed (a fresh snapshot, READ COMMITTED), and sees the retired name.
CREATE FUNCTION refuse_retired_username() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_advisory_xact_lock(hashtext('username:' || NEW.username));
    IF EXISTS (SELECT 1 FROM retired_usernames WHERE username = NEW.username) THEN
        RAISE unique_violation USING MESSAGE = 'username retired', CONSTRAINT = 'accounts_username_key';
    END IF;
    RETURN NEW;
END $$;

CREATE TRIGGER accounts_refuse_retired BEFORE INSERT ON accounts
    FOR EACH ROW EXECUTE FUNCTION refuse_retired_username();
