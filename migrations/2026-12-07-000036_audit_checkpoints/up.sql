-- Audit checkpoints (audit.checkpoint_minutes): the chain's place and head hash, signed with
-- the platform's SM2 key (from configuration or a file, never from here) and sent through the
-- exchange to the witness agencies, which keep them. The copy here says when the next is due.
CREATE TABLE audit_checkpoints (
    seq              BIGINT PRIMARY KEY,
    head_hash        BYTEA NOT NULL,
    hash_alg         TEXT NOT NULL CHECK (hash_alg IN ('sha256', 'sm3')),
    signed_at        TIMESTAMPTZ NOT NULL,
    key_id           TEXT NOT NULL,
    signature        BYTEA NOT NULL,
    notification_id  UUID REFERENCES notifications (id)
);
