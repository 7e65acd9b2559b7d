ALTER TABLE sessions DROP COLUMN idle_seconds, DROP COLUMN last_seen_at;
