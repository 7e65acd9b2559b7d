-- A second factor for the roles `auth.second_factor` names: a TOTP secret (RFC 6238) sealed
-- under the data key like other secrets, confirmed by a first code; ten single-use recovery
-- codes stored hashed; and the short-lived challenge between a right password and the code.

CREATE TABLE second_factors (
    user_id          UUID PRIMARY KEY REFERENCES users (id),
    secret_sealed    BYTEA NOT NULL,
    secret_key_id    TEXT NOT NULL,
    secret_seal_alg  TEXT NOT NULL CHECK (secret_seal_alg IN ('aes-256-gcm', 'sm4-gcm')),
    -- None while enrolment waits for its first code.
    confirmed_at     TIMESTAMPTZ,
    -- The step of the last code accepted: a code is accepted once.
    last_step        BIGINT NOT NULL DEFAULT 0,
    created_at       TIMESTAMPTZ NOT NULL DEFAULT now()
);

CREATE TABLE recovery_codes (
    user_id    UUID NOT NULL REFERENCES users (id),
    code_hash  BYTEA NOT NULL,
    hash_alg   TEXT NOT NULL CHECK (hash_alg IN ('sha256', 'sm3')),
    used_at    TIMESTAMPTZ,
    PRIMARY KEY (user_id, code_hash)
);

-- A right password of an account that needs a second factor: the token (hashed) the code or
-- the enrolment comes back with, for a few minutes.
CREATE TABLE login_challenges (
    token_hash  BYTEA PRIMARY KEY,
    user_id     UUID NOT NULL REFERENCES users (id),
    browser     BOOLEAN NOT NULL,
    source      TEXT NOT NULL,
    expires_at  TIMESTAMPTZ NOT NULL
);
CREATE INDEX login_challenges_user ON login_challenges (user_id);
