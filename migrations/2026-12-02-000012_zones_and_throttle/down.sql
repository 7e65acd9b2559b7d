DROP TABLE login_throttle;
ALTER TABLE users ADD COLUMN failed_logins INTEGER NOT NULL DEFAULT 0,
    ADD COLUMN locked_until TIMESTAMPTZ;
DROP INDEX users_zone_email;
CREATE UNIQUE INDEX users_email ON users (lower(email));
ALTER TABLE users DROP COLUMN zone;
