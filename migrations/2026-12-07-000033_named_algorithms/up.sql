-- Every stored hash and seal names its algorithm, so that one database holds rows of both
-- cryptographic suites (`crypto.suite`): the international one (SHA-256, HMAC-SHA256,
-- AES-256-GCM) and the national one (SM3, HMAC-SM3, SM4-GCM). A deployment switches forward
-- without rewriting what was stored before; each row is read and checked with its own.
--
-- The audit chain keeps its message and its single writer (the head's row lock at commit);
-- what changes is the function: each row's hash is hash_alg(prev_hash || message), hash_alg
-- being the one the chain's head names when the row is sealed. SM3 comes from pgcrypto, which
-- asks OpenSSL (3.x carries SM3), so the seal stays in the database, synchronous at commit.

CREATE EXTENSION IF NOT EXISTS pgcrypto;

-- Rows sealed so far were sealed with SHA-256: the column's value for them, without a rewrite
-- of the table. New rows carry none until their seal names it.
ALTER TABLE audit_log ADD COLUMN hash_alg TEXT DEFAULT 'sha256';
ALTER TABLE audit_log ALTER COLUMN hash_alg DROP DEFAULT;
ALTER TABLE audit_log ADD CONSTRAINT audit_log_hash_alg
    CHECK (hash_alg IN ('sha256', 'sm3') AND (hash IS NULL) = (hash_alg IS NULL)) NOT VALID;

-- The algorithm new rows are sealed with.
ALTER TABLE audit_chain_head ADD COLUMN hash_alg TEXT NOT NULL DEFAULT 'sha256'
    CHECK (hash_alg IN ('sha256', 'sm3'));

CREATE FUNCTION audit_digest(alg TEXT, message BYTEA) RETURNS BYTEA
LANGUAGE plpgsql IMMUTABLE AS $$
BEGIN
    CASE alg
        WHEN 'sha256' THEN RETURN sha256(message);
        WHEN 'sm3' THEN RETURN digest(message, 'sm3');
        ELSE RAISE EXCEPTION 'unknown audit hash algorithm %', alg;
    END CASE;
END
$$;

-- The hash of a row given its seq, the previous row's hash and the algorithm.
CREATE FUNCTION audit_row_hash(r audit_log, seq BIGINT, prev BYTEA, alg TEXT) RETURNS BYTEA
LANGUAGE sql STABLE AS $$
    SELECT audit_digest(alg, prev || convert_to(
        audit_field(seq::text)
        || audit_field((extract(epoch FROM r.at) * 1000000)::bigint::text)
        || audit_field(r.actor_id::text)
        || audit_field(r.actor_label)
        || audit_field(r.client_ip)
        || audit_field(r.request_id)
        || audit_field(r.action)
        || audit_field(r.entity_type)
        || audit_field(r.entity_id)
        || audit_field(r.before::text)
        || audit_field(r.after::text),
        'UTF8'))
$$;

CREATE OR REPLACE FUNCTION audit_row_hash(r audit_log, seq BIGINT, prev BYTEA) RETURNS BYTEA
LANGUAGE sql STABLE AS $$
    SELECT audit_row_hash(r, seq, prev, coalesce(r.hash_alg, 'sha256'))
$$;

DROP FUNCTION audit_append(audit_log);

-- As before (migration audit_seal_linear), carrying the head's algorithm with its place.
CREATE OR REPLACE FUNCTION audit_seal() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    carried TEXT := nullif(current_setting('frt.audit_head', true), '');
    pending BIGINT := coalesce(nullif(current_setting('frt.audit_pending', true), ''), '0')::bigint - 1;
    head_seq BIGINT;
    head_hash BYTEA;
    alg TEXT;
    h BYTEA;
BEGIN
    IF carried IS NULL THEN
        -- The transaction's first seal: the head's row lock orders concurrent transactions
        -- and is held until commit.
        SELECT c.seq, c.hash, c.hash_alg INTO head_seq, head_hash, alg
            FROM audit_chain_head c FOR UPDATE;
    ELSE
        head_seq := split_part(carried, ':', 1)::bigint;
        head_hash := decode(split_part(carried, ':', 2), 'hex');
        alg := split_part(carried, ':', 3);
    END IF;
    h := audit_row_hash(NEW, head_seq + 1, head_hash, alg);
    UPDATE audit_log SET seq = head_seq + 1, prev_hash = head_hash, hash = h, hash_alg = alg
        WHERE id = NEW.id;
    PERFORM set_config('frt.audit_pending', greatest(pending, 0)::text, true);
    IF pending <= 0 THEN
        UPDATE audit_chain_head SET seq = head_seq + 1, hash = h, sealed_at = now();
        PERFORM set_config('frt.audit_head', '', true);
    ELSE
        PERFORM set_config('frt.audit_head',
            (head_seq + 1)::text || ':' || encode(h, 'hex') || ':' || alg, true);
    END IF;
    RETURN NULL;
END
$$;

-- Append-only as before; the seal also names the row's algorithm.
CREATE OR REPLACE FUNCTION audit_guard() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        IF NEW.seq IS NOT NULL OR NEW.prev_hash IS NOT NULL OR NEW.hash IS NOT NULL
           OR NEW.hash_alg IS NOT NULL THEN
            RAISE EXCEPTION 'audit rows are sealed by the database, not by the writer'
                USING ERRCODE = 'insufficient_privilege';
        END IF;
        RETURN NEW;
    ELSIF TG_OP = 'UPDATE' THEN
        IF OLD.hash IS NULL AND NEW.hash IS NOT NULL
           AND (NEW.id, NEW.at, NEW.actor_id, NEW.actor_label, NEW.client_ip, NEW.request_id,
                NEW.action, NEW.entity_type, NEW.entity_id, NEW.before, NEW.after)
               IS NOT DISTINCT FROM
               (OLD.id, OLD.at, OLD.actor_id, OLD.actor_label, OLD.client_ip, OLD.request_id,
                OLD.action, OLD.entity_type, OLD.entity_id, OLD.before, OLD.after)
        THEN
            RETURN NEW;
        END IF;
    END IF;
    RAISE EXCEPTION 'the audit log is append-only: % is not allowed', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END
$$;

-- Names the algorithm rows sealed from now on take; true when that changed. The chain moves
-- forward only, from SHA-256 to SM3: a service started with the international suite's
-- configuration against a chain already on SM3 is refused, not obeyed. SM3 is checked against
-- GB/T 32905's first example before the chain moves to it.
CREATE FUNCTION audit_use_hash_alg(alg TEXT) RETURNS BOOLEAN
LANGUAGE plpgsql AS $$
DECLARE
    current TEXT;
BEGIN
    IF alg = 'sm3' AND encode(audit_digest('sm3', 'abc'::bytea), 'hex')
        <> '66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0' THEN
        RAISE EXCEPTION 'this server''s SM3 does not give GB/T 32905''s example';
    END IF;
    PERFORM audit_digest(alg, ''::bytea);
    SELECT hash_alg INTO current FROM audit_chain_head FOR UPDATE;
    IF current = alg THEN
        RETURN FALSE;
    END IF;
    IF current = 'sm3' THEN
        RAISE EXCEPTION 'the audit chain seals with sm3 (crypto.suite = "sm"); it does not move back to %', alg
            USING ERRCODE = 'check_violation';
    END IF;
    UPDATE audit_chain_head SET hash_alg = alg;
    RETURN TRUE;
END
$$;

-- A complaint's secrets move beside it: the access code's hash and the complainant's sealed
-- contact with its fingerprint, each with its algorithm. The case row, which queues and pages
-- read, no longer carries them. Rows so far used the international suite.
CREATE TABLE complaint_secrets (
    complaint_id             UUID PRIMARY KEY REFERENCES complaints (id),
    access_code_hash         BYTEA NOT NULL,
    access_code_alg          TEXT NOT NULL CHECK (access_code_alg IN ('sha256', 'sm3')),
    contact_sealed           BYTEA,
    contact_key_id           TEXT,
    contact_seal_alg         TEXT CHECK (contact_seal_alg IN ('aes-256-gcm', 'sm4-gcm')),
    contact_fingerprint      BYTEA,
    contact_fingerprint_alg  TEXT CHECK (contact_fingerprint_alg IN ('hmac-sha256', 'hmac-sm3')),
    CHECK ((contact_sealed IS NULL) = (contact_seal_alg IS NULL)),
    CHECK ((contact_sealed IS NULL) = (contact_key_id IS NULL)),
    CHECK ((contact_fingerprint IS NULL) = (contact_fingerprint_alg IS NULL))
);
INSERT INTO complaint_secrets
SELECT id, access_code_hash, 'sha256',
       contact_sealed, contact_key_id, CASE WHEN contact_sealed IS NOT NULL THEN 'aes-256-gcm' END,
       contact_fingerprint, CASE WHEN contact_fingerprint IS NOT NULL THEN 'hmac-sha256' END
FROM complaints;
CREATE INDEX complaint_secrets_fingerprint ON complaint_secrets (contact_fingerprint)
    WHERE contact_fingerprint IS NOT NULL;
DROP INDEX complaints_repeats;
-- (Dropping contact_sealed drops the check that a named complainant left a contact; the
-- intake, the only writer, checks it.)
ALTER TABLE complaints DROP COLUMN access_code_hash, DROP COLUMN contact_sealed,
    DROP COLUMN contact_key_id, DROP COLUMN contact_fingerprint;
ALTER TABLE complaints ADD CONSTRAINT complaints_named_reply
    CHECK (anonymous OR reply_channel IS NOT NULL);

-- Exchange clients' secrets, sealed under the data key.
ALTER TABLE exchange_clients ADD COLUMN secret_seal_alg TEXT NOT NULL DEFAULT 'aes-256-gcm'
    CHECK (secret_seal_alg IN ('aes-256-gcm', 'sm4-gcm'));
ALTER TABLE exchange_clients ALTER COLUMN secret_seal_alg DROP DEFAULT;
