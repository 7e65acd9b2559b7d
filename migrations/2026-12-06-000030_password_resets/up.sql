-- A forgotten password is reset by a mailed link: its token is kept only as a hash, works
-- once, and only until expires_at (auth.reset_minutes after it was asked for).
CREATE TABLE password_resets (
    token_hash bytea PRIMARY KEY,
    user_id uuid NOT NULL REFERENCES users (id),
    created_at timestamptz NOT NULL DEFAULT now(),
    expires_at timestamptz NOT NULL,
    used_at timestamptz
);

CREATE INDEX password_resets_by_user ON password_resets (user_id);

-- Requests for reset links are counted like failed logins, per address and source.
ALTER TABLE login_throttle DROP CONSTRAINT login_throttle_zone_check;
ALTER TABLE login_throttle ADD CONSTRAINT login_throttle_zone_check
    CHECK (zone IN ('portal', 'casework', 'complaint', 'portal:reset', 'casework:reset'));
