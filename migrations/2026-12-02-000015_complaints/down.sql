ALTER TABLE outbox DROP COLUMN redact_after_send;
DELETE FROM login_throttle WHERE zone = 'complaint';
ALTER TABLE login_throttle DROP CONSTRAINT login_throttle_zone_check;
ALTER TABLE login_throttle ADD CONSTRAINT login_throttle_zone_check
    CHECK (zone IN ('portal', 'casework'));
DROP TABLE complaint_materials;
DROP TABLE complaints;
DROP TABLE complaint_receipt_counters;
