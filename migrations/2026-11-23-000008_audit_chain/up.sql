-- Tamper-evident audit trail. Rows are append-only (no UPDATE, DELETE or TRUNCATE, whatever
-- the role) and sealed into one hash chain when their transaction commits: each row carries
-- its place in the chain (seq), the hash of the row before it and its own hash
--   hash = sha256(prev_hash || message)
-- where message is every field of the row, each written as "-" when NULL or as
-- "<octet length>:<text>" otherwise, in this order: seq, at (microseconds since the Unix epoch),
-- actor_id, actor_label, client_ip, request_id, action, entity_type, entity_id, before, after
-- (JSON as PostgreSQL prints jsonb). `frtctl audit verify` recomputes the chain independently.

ALTER TABLE audit_log ADD COLUMN seq BIGINT;
ALTER TABLE audit_log ADD COLUMN prev_hash BYTEA;
ALTER TABLE audit_log ADD COLUMN hash BYTEA;
-- Room on each page for the sealing update to stay a heap-only (HOT) update: no index entry
-- is written twice.
ALTER TABLE audit_log SET (fillfactor = 50);

-- The end of the chain. Its row lock orders the sealing of concurrent transactions.
CREATE TABLE audit_chain_head (
    singleton  BOOLEAN PRIMARY KEY DEFAULT TRUE CHECK (singleton),
    seq        BIGINT NOT NULL CHECK (seq >= 0),
    hash       BYTEA NOT NULL CHECK (octet_length(hash) = 32),
    sealed_at  TIMESTAMPTZ NOT NULL DEFAULT now()
);
INSERT INTO audit_chain_head (seq, hash) VALUES (0, decode(repeat('00', 32), 'hex'));

CREATE FUNCTION audit_field(v TEXT) RETURNS TEXT
LANGUAGE sql IMMUTABLE AS $$
    SELECT CASE WHEN v IS NULL THEN '-' ELSE octet_length(v)::text || ':' || v END
$$;

-- The hash of a row given its seq and the previous row's hash.
CREATE FUNCTION audit_row_hash(r audit_log, seq BIGINT, prev BYTEA) RETURNS BYTEA
LANGUAGE sql STABLE AS $$
    SELECT sha256(prev || convert_to(
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

-- Appends one row to the chain under the head's row lock: its place, the previous hash, its own.
CREATE FUNCTION audit_append(r audit_log) RETURNS VOID
LANGUAGE plpgsql AS $$
DECLARE
    head audit_chain_head%ROWTYPE;
    h BYTEA;
BEGIN
    SELECT * INTO head FROM audit_chain_head FOR UPDATE;
    h := audit_row_hash(r, head.seq + 1, head.hash);
    UPDATE audit_log SET seq = head.seq + 1, prev_hash = head.hash, hash = h WHERE id = r.id;
    UPDATE audit_chain_head SET seq = head.seq + 1, hash = h, sealed_at = now();
END
$$;

-- Seals each row as its transaction commits (a deferred constraint trigger).
CREATE FUNCTION audit_seal() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    PERFORM audit_append(NEW);
    RETURN NULL;
END
$$;

-- Append-only: a row is written once and sealed once; nothing else changes or removes it.
CREATE FUNCTION audit_guard() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        IF NEW.seq IS NOT NULL OR NEW.prev_hash IS NOT NULL OR NEW.hash IS NOT NULL THEN
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

-- Rows written before this migration are sealed now, oldest first.
DO $$
DECLARE
    r audit_log;
BEGIN
    FOR r IN SELECT * FROM audit_log ORDER BY id LOOP
        PERFORM audit_append(r);
    END LOOP;
END
$$;

CREATE TRIGGER audit_log_guard BEFORE INSERT OR UPDATE OR DELETE ON audit_log
    FOR EACH ROW EXECUTE FUNCTION audit_guard();
CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log
    FOR EACH STATEMENT EXECUTE FUNCTION audit_guard();
CREATE CONSTRAINT TRIGGER audit_log_seal AFTER INSERT ON audit_log
    DEFERRABLE INITIALLY DEFERRED
    FOR EACH ROW EXECUTE FUNCTION audit_seal();
