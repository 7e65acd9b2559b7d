-- A message a worker has claimed is 'claimed' until its own SMTP conversation begins
-- ('sending'). A lease that runs out on a claimed message puts it back in the queue: it never
-- left. Only a lease that runs out while 'sending' leaves the message uncertain, so a worker
-- stopped mid-batch makes at most the one message it was sending uncertain.
ALTER TABLE outbox DROP CONSTRAINT outbox_status_check;
ALTER TABLE outbox ADD CONSTRAINT outbox_status_check
    CHECK (status IN ('pending', 'claimed', 'sending', 'sent', 'failed', 'uncertain'));
DROP INDEX outbox_leased;
CREATE INDEX outbox_leased ON outbox (lease_until) WHERE status IN ('claimed', 'sending');
