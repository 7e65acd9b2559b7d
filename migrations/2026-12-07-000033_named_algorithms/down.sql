ALTER TABLE exchange_clients DROP COLUMN secret_seal_alg;
ALTER TABLE complaints DROP CONSTRAINT complaints_named_reply;
ALTER TABLE complaints ADD COLUMN access_code_hash BYTEA, ADD COLUMN contact_sealed BYTEA,
    ADD COLUMN contact_key_id TEXT, ADD COLUMN contact_fingerprint BYTEA;
UPDATE complaints c SET access_code_hash = s.access_code_hash, contact_sealed = s.contact_sealed,
    contact_key_id = s.contact_key_id, contact_fingerprint = s.contact_fingerprint
FROM complaint_secrets s WHERE s.complaint_id = c.id;
ALTER TABLE complaints ALTER COLUMN access_code_hash SET NOT NULL;
ALTER TABLE complaints ADD CHECK (anonymous OR (reply_channel IS NOT NULL AND contact_sealed IS NOT NULL));
CREATE INDEX complaints_repeats ON complaints (contact_fingerprint, received_at)
    WHERE contact_fingerprint IS NOT NULL;
DROP TABLE complaint_secrets;
DROP FUNCTION audit_use_hash_alg(TEXT);
-- Rows sealed with SM3 stay; down is for development databases of the international suite.
CREATE OR REPLACE FUNCTION audit_seal() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    carried TEXT := nullif(current_setting('frt.audit_head', true), '');
    pending BIGINT := coalesce(nullif(current_setting('frt.audit_pending', true), ''), '0')::bigint - 1;
    head_seq BIGINT;
    head_hash BYTEA;
    h BYTEA;
BEGIN
    IF carried IS NULL THEN
        SELECT c.seq, c.hash INTO head_seq, head_hash FROM audit_chain_head c FOR UPDATE;
    ELSE
        head_seq := split_part(carried, ':', 1)::bigint;
        head_hash := decode(split_part(carried, ':', 2), 'hex');
    END IF;
    h := audit_row_hash(NEW, head_seq + 1, head_hash);
    UPDATE audit_log SET seq = head_seq + 1, prev_hash = head_hash, hash = h WHERE id = NEW.id;
    PERFORM set_config('frt.audit_pending', greatest(pending, 0)::text, true);
    IF pending <= 0 THEN
        UPDATE audit_chain_head SET seq = head_seq + 1, hash = h, sealed_at = now();
        PERFORM set_config('frt.audit_head', '', true);
    ELSE
        PERFORM set_config('frt.audit_head', (head_seq + 1)::text || ':' || encode(h, 'hex'), true);
    END IF;
    RETURN NULL;
END
$$;
CREATE OR REPLACE FUNCTION audit_guard() RETURNS trigger
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
DROP FUNCTION audit_row_hash(audit_log, BIGINT, BYTEA, TEXT);
DROP FUNCTION audit_digest(TEXT, BYTEA);
CREATE OR REPLACE FUNCTION audit_row_hash(r audit_log, seq BIGINT, prev BYTEA) RETURNS BYTEA
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
ALTER TABLE audit_chain_head DROP COLUMN hash_alg;
ALTER TABLE audit_log DROP CONSTRAINT audit_log_hash_alg;
ALTER TABLE audit_log DROP COLUMN hash_alg;
