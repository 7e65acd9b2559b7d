-- One outbox for every outgoing message (mail now; notifications to other agencies and
-- exchange jobs later). A message is written, already rendered, in the same transaction as the
-- change that causes it, and sent by the worker: claimed with FOR UPDATE SKIP LOCKED under a
-- lease, retried with exponential backoff, never sent twice. `dedup_key` makes enqueueing the
-- same message twice a no-op.
CREATE TABLE outbox (
    id               UUID PRIMARY KEY,
    channel          TEXT NOT NULL CHECK (channel IN ('mail')),
    dedup_key        TEXT NOT NULL UNIQUE,
    template         TEXT NOT NULL,
    locale           TEXT NOT NULL CHECK (locale IN ('zh-CN', 'en')),
    recipient        TEXT NOT NULL,
    subject          TEXT NOT NULL,
    body             TEXT NOT NULL,
    entity_type      TEXT,
    entity_id        UUID,
    -- pending → sending → sent; a failed attempt goes back to pending until the last one
    -- (failed); a lease that ran out mid-send is 'uncertain' and waits for an operator.
    status           TEXT NOT NULL DEFAULT 'pending'
                     CHECK (status IN ('pending', 'sending', 'sent', 'failed', 'uncertain')),
    attempts         INTEGER NOT NULL DEFAULT 0 CHECK (attempts >= 0),
    next_attempt_at  TIMESTAMPTZ NOT NULL DEFAULT now(),
    lease_until      TIMESTAMPTZ,
    claimed_by       TEXT,
    last_error       TEXT,
    outcome          TEXT,
    created_at       TIMESTAMPTZ NOT NULL DEFAULT now(),
    sent_at          TIMESTAMPTZ,
    CHECK ((status = 'sent') = (sent_at IS NOT NULL))
);
CREATE INDEX outbox_ready ON outbox (next_attempt_at) WHERE status = 'pending';
CREATE INDEX outbox_leased ON outbox (lease_until) WHERE status = 'sending';
CREATE INDEX outbox_entity ON outbox (entity_type, entity_id);

-- The language of the mail an organisation or a user receives.
ALTER TABLE organisations ADD COLUMN locale TEXT NOT NULL DEFAULT 'zh-CN' CHECK (locale IN ('zh-CN', 'en'));
ALTER TABLE users ADD COLUMN locale TEXT NOT NULL DEFAULT 'zh-CN' CHECK (locale IN ('zh-CN', 'en'));
