-- Foundation: reference data, calendars, identities, filings, attachments, deadlines, audit.

-- GB/T 2260 provincial-level divisions, loaded from config/regions as versioned data.
CREATE TABLE regions (
    code        TEXT PRIMARY KEY CHECK (code ~ '^[0-9]{2}0000$'),
    name        TEXT NOT NULL,
    name_en     TEXT NOT NULL,
    version     TEXT NOT NULL
);

-- Official working-day arrangements (国务院办公厅通知), one version per loaded file.
CREATE TABLE calendar_versions (
    version       TEXT PRIMARY KEY,
    year          INTEGER NOT NULL CHECK (year BETWEEN 1900 AND 9999),
    source        TEXT NOT NULL,
    document      TEXT NOT NULL,
    working_days  INTEGER NOT NULL,
    loaded_at     TIMESTAMPTZ NOT NULL DEFAULT now(),
    active        BOOLEAN NOT NULL DEFAULT TRUE
);
CREATE UNIQUE INDEX calendar_versions_one_active_per_year ON calendar_versions (year) WHERE active;

CREATE TABLE calendar_days (
    version  TEXT NOT NULL REFERENCES calendar_versions (version) ON DELETE CASCADE,
    day      DATE NOT NULL,
    kind     TEXT NOT NULL CHECK (kind IN ('holiday', 'makeup_workday')),
    name     TEXT,
    PRIMARY KEY (version, day)
);

-- Agencies: provincial CAC offices, national CAC, public security, other departments.
CREATE TABLE agencies (
    id             UUID PRIMARY KEY,
    kind           TEXT NOT NULL CHECK (kind IN ('provincial_cac', 'national_cac', 'public_security', 'other_department')),
    name           TEXT NOT NULL,
    province_code  TEXT REFERENCES regions (code),
    created_at     TIMESTAMPTZ NOT NULL DEFAULT now(),
    CHECK ((kind = 'national_cac') = (province_code IS NULL))
);
CREATE UNIQUE INDEX agencies_name ON agencies (name);

-- Personal-information processors (个人信息处理者), one organisation per USCC.
CREATE TABLE organisations (
    id                   UUID PRIMARY KEY,
    name                 TEXT NOT NULL,
    uscc                 TEXT NOT NULL UNIQUE,
    uscc_checksum_ok     BOOLEAN NOT NULL,
    province_code        TEXT NOT NULL REFERENCES regions (code),
    province_confirmed   BOOLEAN NOT NULL DEFAULT FALSE,
    contact_person       TEXT NOT NULL,
    contact_email        TEXT NOT NULL,
    contact_phone        TEXT NOT NULL,
    created_at           TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at           TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE INDEX organisations_province ON organisations (province_code);

CREATE TABLE users (
    id               UUID PRIMARY KEY,
    email            TEXT NOT NULL,
    display_name     TEXT NOT NULL,
    password_hash    TEXT NOT NULL,
    -- processor roles: org_admin, filer; staff roles: reviewer, inspector, complaint_handler, supervisor, admin
    role             TEXT NOT NULL CHECK (role IN ('org_admin', 'filer', 'reviewer', 'inspector', 'complaint_handler', 'supervisor', 'admin')),
    organisation_id  UUID REFERENCES organisations (id),
    agency_id        UUID REFERENCES agencies (id),
    active           BOOLEAN NOT NULL DEFAULT TRUE,
    failed_logins    INTEGER NOT NULL DEFAULT 0,
    locked_until     TIMESTAMPTZ,
    created_at       TIMESTAMPTZ NOT NULL DEFAULT now(),
    CHECK ((organisation_id IS NULL) <> (agency_id IS NULL)),
    CHECK ((organisation_id IS NOT NULL) = (role IN ('org_admin', 'filer')))
);
CREATE UNIQUE INDEX users_email ON users (lower(email));
CREATE INDEX users_organisation ON users (organisation_id);

-- Bearer sessions; only the SHA-256 of the token is stored.
CREATE TABLE sessions (
    token_hash   BYTEA PRIMARY KEY,
    user_id      UUID NOT NULL REFERENCES users (id),
    created_at   TIMESTAMPTZ NOT NULL DEFAULT now(),
    expires_at   TIMESTAMPTZ NOT NULL,
    revoked_at   TIMESTAMPTZ,
    client_ip    TEXT
);
CREATE INDEX sessions_user ON sessions (user_id);

-- Filings (备案) under Art. 15.
CREATE TABLE filings (
    id                     UUID PRIMARY KEY,
    organisation_id        UUID NOT NULL REFERENCES organisations (id),
    province_code          TEXT NOT NULL REFERENCES regions (code),
    kind                   TEXT NOT NULL CHECK (kind IN ('initial', 'change', 'deregistration')),
    status                 TEXT NOT NULL CHECK (status IN ('draft', 'submitted', 'returned', 'filed', 'refused')),
    form                   JSONB NOT NULL DEFAULT '{}'::jsonb,
    previous_filing_id     UUID REFERENCES filings (id),
    trigger_date           DATE,
    filing_number          TEXT UNIQUE,
    return_reasons         JSONB,
    submitted_at           TIMESTAMPTZ,
    first_submitted_at     TIMESTAMPTZ,
    decided_at             TIMESTAMPTZ,
    decided_by             UUID REFERENCES users (id),
    created_by             UUID NOT NULL REFERENCES users (id),
    created_at             TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at             TIMESTAMPTZ NOT NULL DEFAULT now(),
    version                INTEGER NOT NULL DEFAULT 1,
    CHECK ((status = 'filed') = (filing_number IS NOT NULL))
);
CREATE INDEX filings_org ON filings (organisation_id, created_at DESC);
CREATE INDEX filings_queue ON filings (province_code, status, submitted_at);

-- Gap-free filing-number sequence per province and year: the row is locked by the recording
-- transaction, so a rolled-back decision gives its number back.
CREATE TABLE filing_number_counters (
    province_code  TEXT NOT NULL REFERENCES regions (code),
    year           INTEGER NOT NULL,
    last_value     INTEGER NOT NULL,
    PRIMARY KEY (province_code, year)
);

-- Working-day deadlines of any case type, with the calendar versions they were computed from.
CREATE TABLE deadlines (
    id                    UUID PRIMARY KEY,
    entity_type           TEXT NOT NULL,
    entity_id             UUID NOT NULL,
    purpose               TEXT NOT NULL,
    start_date            DATE NOT NULL,
    working_days          INTEGER NOT NULL CHECK (working_days BETWEEN 1 AND 3650),
    due_date              DATE NOT NULL,
    provisional           BOOLEAN NOT NULL,
    calendar_versions     TEXT[] NOT NULL,
    met_on                DATE,
    late_by_working_days  INTEGER,
    computed_at           TIMESTAMPTZ NOT NULL DEFAULT now(),
    UNIQUE (entity_type, entity_id, purpose)
);
CREATE INDEX deadlines_due ON deadlines (due_date);
CREATE INDEX deadlines_start ON deadlines (start_date);

-- Materials (附件) uploaded for a filing; bytes live in the blob store under blob_key.
CREATE TABLE attachments (
    id               UUID PRIMARY KEY,
    organisation_id  UUID NOT NULL REFERENCES organisations (id),
    filing_id        UUID NOT NULL REFERENCES filings (id),
    kind             TEXT NOT NULL,
    filename         TEXT NOT NULL,
    content_type     TEXT NOT NULL,
    size_bytes       BIGINT NOT NULL,
    sha256           TEXT NOT NULL,
    blob_key         TEXT NOT NULL UNIQUE,
    uploaded_by      UUID NOT NULL REFERENCES users (id),
    uploaded_at      TIMESTAMPTZ NOT NULL DEFAULT now(),
    deleted_at       TIMESTAMPTZ
);
CREATE INDEX attachments_filing ON attachments (filing_id);

-- Idempotency keys: a retried request returns the first response.
CREATE TABLE idempotency_keys (
    user_id          UUID NOT NULL REFERENCES users (id),
    key              TEXT NOT NULL,
    request_hash     TEXT NOT NULL,
    response_status  INTEGER NOT NULL,
    response_body    JSONB NOT NULL,
    created_at       TIMESTAMPTZ NOT NULL DEFAULT now(),
    PRIMARY KEY (user_id, key)
);

-- One audit trail for every entity, written in the transaction of the change it records.
CREATE TABLE audit_log (
    id            BIGSERIAL PRIMARY KEY,
    at            TIMESTAMPTZ NOT NULL DEFAULT now(),
    actor_id      UUID,
    actor_label   TEXT NOT NULL,
    client_ip     TEXT,
    request_id    TEXT,
    action        TEXT NOT NULL,
    entity_type   TEXT NOT NULL,
    entity_id     TEXT NOT NULL,
    before        JSONB,
    after         JSONB
);
CREATE INDEX audit_log_entity ON audit_log (entity_type, entity_id, id);
