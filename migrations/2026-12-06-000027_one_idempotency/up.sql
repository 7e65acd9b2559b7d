-- One table of idempotency keys for every keyed request: a processor's user submitting a
-- filing, an agency's system pushing through the exchange. `holder` says whose key it is
-- (`user:<id>` or `client:<key id>`), so the keys of two holders never meet. The rows of both
-- tables move here.
CREATE TABLE idempotent_requests (
    holder           TEXT NOT NULL CHECK (holder ~ '^(user|client):.+$'),
    key              TEXT NOT NULL CHECK (key ~ '^[!-~]{1,100}$'),
    request_hash     TEXT NOT NULL,
    response_status  INTEGER NOT NULL,
    response_body    JSONB NOT NULL,
    created_at       TIMESTAMPTZ NOT NULL DEFAULT now(),
    PRIMARY KEY (holder, key)
);

INSERT INTO idempotent_requests (holder, key, request_hash, response_status, response_body, created_at)
SELECT 'user:' || user_id, key, request_hash, response_status, response_body, created_at
  FROM idempotency_keys
UNION ALL
SELECT 'client:' || key_id, idempotency_key, request_hash, response_status, response_body, created_at
  FROM exchange_idempotency;

DROP TABLE idempotency_keys;
DROP TABLE exchange_idempotency;
