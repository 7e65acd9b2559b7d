-- Each zone keeps its own accounts: processors' users in the internet-facing portal, staff
-- in casework. An email is unique within a zone only, so nothing the portal answers (a
-- registration, a login) can tell whether a staff account exists.
ALTER TABLE users ADD COLUMN zone TEXT GENERATED ALWAYS AS
    (CASE WHEN organisation_id IS NULL THEN 'casework' ELSE 'portal' END) STORED;
DROP INDEX users_email;
CREATE UNIQUE INDEX users_zone_email ON users (zone, lower(email));

-- Lockout by account alone let anyone lock anyone out; failures are now counted per account
-- and source address (`login_throttle`), whether or not the account exists.
ALTER TABLE users DROP COLUMN failed_logins, DROP COLUMN locked_until;

-- Failed logins in the current window, per (zone, email as typed, source address); the
-- source '*' counts the account's failures from everywhere, for the alert to its owner.
CREATE TABLE login_throttle (
    zone            TEXT NOT NULL CHECK (zone IN ('portal', 'casework')),
    email           TEXT NOT NULL,
    source          TEXT NOT NULL,
    failures        INTEGER NOT NULL,
    window_started  TIMESTAMPTZ NOT NULL,
    blocked_until   TIMESTAMPTZ,
    PRIMARY KEY (zone, email, source)
);
CREATE INDEX login_throttle_window ON login_throttle (window_started);
