CREATE TABLE idempotency_keys (
    user_id          UUID NOT NULL REFERENCES users (id),
    key              TEXT NOT NULL,
    request_hash     TEXT NOT NULL,
    response_status  INTEGER NOT NULL,
    response_body    JSONB NOT NULL,
    created_at       TIMESTAMPTZ NOT NULL DEFAULT now(),
    PRIMARY KEY (user_id, key)
);
CREATE TABLE exchange_idempotency (
    key_id           TEXT NOT NULL REFERENCES exchange_clients (key_id),
    idempotency_key  TEXT NOT NULL,
    request_hash     TEXT NOT NULL,
    response_status  INTEGER NOT NULL,
    response_body    JSONB NOT NULL,
    created_at       TIMESTAMPTZ NOT NULL DEFAULT now(),
    PRIMARY KEY (key_id, idempotency_key)
);
INSERT INTO idempotency_keys
SELECT substr(holder, 6)::uuid, key, request_hash, response_status, response_body, created_at
  FROM idempotent_requests WHERE holder LIKE 'user:%';
INSERT INTO exchange_idempotency
SELECT substr(holder, 8), key, request_hash, response_status, response_body, created_at
  FROM idempotent_requests WHERE holder LIKE 'client:%';
DROP TABLE idempotent_requests;
