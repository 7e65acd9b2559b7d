UPDATE outbox SET status = 'pending', lease_until = NULL, claimed_by = NULL
    WHERE status = 'claimed';
DROP INDEX outbox_leased;
CREATE INDEX outbox_leased ON outbox (lease_until) WHERE status = 'sending';
ALTER TABLE outbox DROP CONSTRAINT outbox_status_check;
ALTER TABLE outbox ADD CONSTRAINT outbox_status_check
    CHECK (status IN ('pending', 'sending', 'sent', 'failed', 'uncertain'));
