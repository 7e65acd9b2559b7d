-- Rate limits every instance of a service shares (the public complaint intake per address, an
-- exchange client's requests, refused exchange requests per address): one row per bucket and
-- key holding its theoretical arrival time (GCRA), so limits hold across instances and
-- restarts. A row whose time has passed is spent and the worker removes it.
CREATE TABLE rate_limits (
    bucket  TEXT NOT NULL,
    key     TEXT NOT NULL,
    tat     TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (bucket, key)
);
CREATE INDEX rate_limits_tat ON rate_limits (tat);

-- A seen signature is kept until its own signed time has left the window (not until the
-- database's clock says so), and the worker removes it afterwards, not every request.
ALTER TABLE exchange_signatures ADD COLUMN expires_at TIMESTAMPTZ;
UPDATE exchange_signatures SET expires_at = seen_at + interval '10 minutes';
ALTER TABLE exchange_signatures ALTER COLUMN expires_at SET NOT NULL;
CREATE INDEX exchange_signatures_expiry ON exchange_signatures (expires_at);
DROP INDEX exchange_signatures_seen;
