CREATE INDEX exchange_signatures_seen ON exchange_signatures (seen_at);
DROP INDEX exchange_signatures_expiry;
ALTER TABLE exchange_signatures DROP COLUMN expires_at;
DROP TABLE rate_limits;
