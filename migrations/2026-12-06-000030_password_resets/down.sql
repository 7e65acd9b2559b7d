DELETE FROM login_throttle WHERE zone IN ('portal:reset', 'casework:reset');
ALTER TABLE login_throttle DROP CONSTRAINT login_throttle_zone_check;
ALTER TABLE login_throttle ADD CONSTRAINT login_throttle_zone_check
    CHECK (zone IN ('portal', 'casework', 'complaint'));
DROP TABLE password_resets;
