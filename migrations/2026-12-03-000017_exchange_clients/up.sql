-- The exchange service's clients: other agencies' systems, each bound to one agency with
-- scopes. The shared secret that signs their requests is sealed (AES-256-GCM under the data
-- key, bound to the key id): HMAC verification needs the secret itself, so it cannot be a hash.
CREATE TABLE exchange_clients (
    key_id          TEXT PRIMARY KEY,
    agency_id       UUID NOT NULL REFERENCES agencies (id),
    scopes          TEXT[] NOT NULL CHECK (cardinality(scopes) > 0),
    secret_sealed   BYTEA NOT NULL,
    secret_key_id   TEXT NOT NULL,
    created_at      TIMESTAMPTZ NOT NULL DEFAULT now(),
    revoked_at      TIMESTAMPTZ
);

-- Signatures seen within the time window: the same signature twice is a replay.
CREATE TABLE exchange_signatures (
    signature       TEXT PRIMARY KEY,
    key_id          TEXT NOT NULL REFERENCES exchange_clients (key_id),
    seen_at         TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE INDEX exchange_signatures_seen ON exchange_signatures (seen_at);

-- Pushes with an Idempotency-Key, per client: a retry with the same key and body gets the
-- first answer.
CREATE TABLE exchange_idempotency (
    key_id           TEXT NOT NULL REFERENCES exchange_clients (key_id),
    idempotency_key  TEXT NOT NULL,
    request_hash     TEXT NOT NULL,
    response_status  INTEGER NOT NULL,
    response_body    JSONB NOT NULL,
    created_at       TIMESTAMPTZ NOT NULL DEFAULT now(),
    PRIMARY KEY (key_id, idempotency_key)
);
