-- Browser sessions of the web console end after a time without requests as well as at their
-- absolute end; API tokens (idle_seconds NULL) end only at expires_at.
ALTER TABLE sessions
    ADD COLUMN idle_seconds integer CHECK (idle_seconds > 0),
    ADD COLUMN last_seen_at timestamptz NOT NULL DEFAULT now();
