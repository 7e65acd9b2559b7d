-- Complaints and reports (投诉举报) under Art. 17: the public's complaints with their receipt
-- numbers and access codes, the office's handling through to the mandatory reply, repeats
-- linked to the first, and the evidence given. The complainant's contact is sealed
-- (AES-256-GCM, key outside the database) and only its keyed fingerprint is searchable.

CREATE TABLE complaint_receipt_counters (
    province_code  TEXT NOT NULL REFERENCES regions (code),
    day            DATE NOT NULL,
    last_seq       BIGINT NOT NULL,
    PRIMARY KEY (province_code, day)
);

CREATE TABLE complaints (
    id                   UUID PRIMARY KEY,
    receipt_number       TEXT NOT NULL UNIQUE,
    -- SHA-256 of the access code shown once to the complainant.
    access_code_hash     BYTEA NOT NULL,
    -- The province whose office handles it now (a transfer moves it).
    province_code        TEXT NOT NULL REFERENCES regions (code),
    channel              TEXT NOT NULL
                         CHECK (channel IN ('online', 'phone', 'letter', 'visit', 'transfer')),
    status               TEXT NOT NULL,
    organisation_id      UUID REFERENCES organisations (id),
    processor_name       TEXT,
    processor_uscc       TEXT,
    description          TEXT NOT NULL CHECK (length(description) BETWEEN 1 AND 10000),
    occurred_on          DATE,
    location             TEXT,
    anonymous            BOOLEAN NOT NULL,
    reply_channel        TEXT CHECK (reply_channel IN ('mail', 'post')),
    contact_sealed       BYTEA,
    contact_key_id       TEXT,
    contact_fingerprint  BYTEA,
    duplicate_of         UUID REFERENCES complaints (id),
    assignee_id          UUID REFERENCES users (id),
    -- Why it was not accepted, or transferred.
    decision_reason      TEXT,
    transferred_to       TEXT,
    result               TEXT,
    inspection_id        UUID REFERENCES inspections (id),
    reply_text           TEXT,
    reply_state          TEXT CHECK (reply_state IN ('awaiting_approval', 'queued', 'sent', 'failed', 'posted')),
    reply_seq            INTEGER NOT NULL DEFAULT 0,
    -- When the reply was sent: by mail (the relay accepted it), or by post (the day recorded).
    reply_sent_at        TIMESTAMPTZ,
    created_by           UUID REFERENCES users (id),
    received_at          TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at           TIMESTAMPTZ NOT NULL DEFAULT now(),
    closed_at            TIMESTAMPTZ,
    version              INTEGER NOT NULL DEFAULT 1,
    CHECK (anonymous OR (reply_channel IS NOT NULL AND contact_sealed IS NOT NULL))
);
CREATE INDEX complaints_queue ON complaints (province_code, status, received_at);
CREATE INDEX complaints_organisation ON complaints (organisation_id, received_at);
CREATE INDEX complaints_repeats ON complaints (contact_fingerprint, received_at)
    WHERE contact_fingerprint IS NOT NULL;
CREATE INDEX complaints_linked ON complaints (duplicate_of) WHERE duplicate_of IS NOT NULL;

-- Evidence the complainant gives; bytes live in the blob store.
CREATE TABLE complaint_materials (
    id             UUID PRIMARY KEY,
    complaint_id   UUID NOT NULL REFERENCES complaints (id),
    filename       TEXT NOT NULL,
    content_type   TEXT NOT NULL,
    size_bytes     BIGINT NOT NULL,
    sha256         TEXT NOT NULL,
    blob_key       TEXT NOT NULL UNIQUE,
    uploaded_at    TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE INDEX complaint_materials_complaint ON complaint_materials (complaint_id, uploaded_at);

-- Wrong access codes are counted like failed logins: per receipt, and per address.
ALTER TABLE login_throttle DROP CONSTRAINT login_throttle_zone_check;
ALTER TABLE login_throttle ADD CONSTRAINT login_throttle_zone_check
    CHECK (zone IN ('portal', 'casework', 'complaint'));

-- Mail to a complainant carries personal data: once delivered (or given up), its address and
-- text are not kept in the outbox.
ALTER TABLE outbox ADD COLUMN redact_after_send BOOLEAN NOT NULL DEFAULT false;
