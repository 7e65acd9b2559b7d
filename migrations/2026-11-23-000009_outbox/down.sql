ALTER TABLE users DROP COLUMN locale;
ALTER TABLE organisations DROP COLUMN locale;
DROP TABLE outbox;
