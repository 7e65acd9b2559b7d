-- Notifications between agencies (通报, Art. 16): agencies as data with a level and a parent,
-- notifications with their recipients (签收, 反馈), the records they concern and their
-- attachments, the records a case transfer hands over, and the feed that agencies' systems
-- read through the exchange service.

-- Agencies: a level in the hierarchy, a parent, and for other departments what they are
-- (e.g. 市场监督管理局). Names are unique: administrators name agencies by them.
ALTER TABLE agencies
    ADD COLUMN level TEXT NOT NULL DEFAULT 'provincial'
        CHECK (level IN ('national', 'provincial', 'municipal', 'county')),
    ADD COLUMN parent_id UUID REFERENCES agencies (id),
    ADD CONSTRAINT agencies_parent_not_self CHECK (parent_id IS NULL OR parent_id <> id);
UPDATE agencies SET level = 'national' WHERE kind = 'national_cac';
CREATE UNIQUE INDEX agencies_unique_name ON agencies (name);
CREATE INDEX agencies_parent ON agencies (parent_id) WHERE parent_id IS NOT NULL;

CREATE TABLE notification_counters (
    day        DATE PRIMARY KEY,
    last_seq   INTEGER NOT NULL
);

CREATE TABLE notifications (
    id                 UUID PRIMARY KEY,
    -- TB-<YYYYMMDD>-<seq>, gap-free per day.
    reference          TEXT NOT NULL UNIQUE,
    kind               TEXT NOT NULL CHECK (kind IN ('violation_notice', 'case_transfer',
                           'information_sharing', 'joint_inspection_request', 'feedback')),
    sender_agency_id   UUID NOT NULL REFERENCES agencies (id),
    -- The member of staff who sent it; none when an agency's system sent it.
    sender_user_id     UUID REFERENCES users (id),
    sender_client      TEXT,
    -- The processor it concerns: a registered one, or as the sender named it.
    organisation_id    UUID REFERENCES organisations (id),
    processor_name     TEXT,
    processor_uscc     TEXT,
    title              TEXT NOT NULL,
    body               TEXT NOT NULL,
    classification     TEXT NOT NULL CHECK (classification IN ('public', 'internal', 'restricted')),
    -- The roles that may read a restricted notification.
    restricted_roles   TEXT[] NOT NULL DEFAULT '{}',
    ack_required       BOOLEAN NOT NULL,
    ack_working_days   INTEGER CHECK (ack_working_days BETWEEN 1 AND 60),
    -- The notification this one answers (for feedback).
    in_reply_to        UUID REFERENCES notifications (id),
    sent_at            TIMESTAMPTZ NOT NULL DEFAULT now(),
    CHECK (classification <> 'restricted' OR cardinality(restricted_roles) > 0),
    CHECK (ack_required = (ack_working_days IS NOT NULL))
);
CREATE INDEX notifications_sender ON notifications (sender_agency_id, sent_at);
CREATE INDEX notifications_organisation ON notifications (organisation_id, sent_at)
    WHERE organisation_id IS NOT NULL;

CREATE TABLE notification_recipients (
    notification_id    UUID NOT NULL REFERENCES notifications (id),
    agency_id          UUID NOT NULL REFERENCES agencies (id),
    status             TEXT NOT NULL DEFAULT 'delivered'
                           CHECK (status IN ('delivered', 'acknowledged', 'answered')),
    acknowledged_at    TIMESTAMPTZ,
    acknowledged_by    UUID REFERENCES users (id),
    feedback           TEXT,
    answered_at        TIMESTAMPTZ,
    answered_by        UUID REFERENCES users (id),
    PRIMARY KEY (notification_id, agency_id),
    CHECK (status = 'delivered' OR acknowledged_at IS NOT NULL),
    CHECK (status <> 'answered' OR feedback IS NOT NULL)
);
CREATE INDEX notification_recipients_agency ON notification_recipients (agency_id, status);

-- The filings, inspections and complaints a notification concerns.
CREATE TABLE notification_links (
    notification_id    UUID NOT NULL REFERENCES notifications (id),
    entity_type        TEXT NOT NULL CHECK (entity_type IN ('filing', 'inspection', 'complaint')),
    entity_id          UUID NOT NULL,
    PRIMARY KEY (notification_id, entity_type, entity_id)
);

-- A case transfer hands over exactly the records attached to it: the receiving agency may open
-- these and no others of theirs.
CREATE TABLE case_grants (
    agency_id          UUID NOT NULL REFERENCES agencies (id),
    entity_type        TEXT NOT NULL CHECK (entity_type IN ('filing', 'inspection', 'complaint')),
    entity_id          UUID NOT NULL,
    notification_id    UUID NOT NULL REFERENCES notifications (id),
    granted_at         TIMESTAMPTZ NOT NULL DEFAULT now(),
    PRIMARY KEY (agency_id, entity_type, entity_id, notification_id)
);
CREATE INDEX case_grants_entity ON case_grants (entity_type, entity_id);

CREATE TABLE notification_materials (
    id                 UUID PRIMARY KEY,
    notification_id    UUID NOT NULL REFERENCES notifications (id),
    filename           TEXT NOT NULL,
    content_type       TEXT NOT NULL,
    size_bytes         BIGINT NOT NULL,
    sha256             TEXT NOT NULL,
    blob_key           TEXT NOT NULL UNIQUE,
    uploaded_by        UUID REFERENCES users (id),
    uploaded_at        TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE INDEX notification_materials_notification
    ON notification_materials (notification_id, uploaded_at);

-- What agencies' systems read through the exchange service, one row per event and reader
-- (the agency it is for; none for the registry, which every client with the scope reads).
-- `txid` is the writing transaction: a reader takes only rows of transactions older than
-- every transaction still running, in (txid, id) order, so a row committed late by an older
-- transaction is never skipped by a cursor that has moved past later ones.
CREATE TABLE exchange_feed (
    id                 BIGSERIAL PRIMARY KEY,
    txid               XID8 NOT NULL DEFAULT pg_current_xact_id(),
    stream             TEXT NOT NULL CHECK (stream IN ('notifications', 'registry')),
    agency_id          UUID REFERENCES agencies (id),
    entity_id          UUID NOT NULL,
    event              TEXT NOT NULL,
    created_at         TIMESTAMPTZ NOT NULL DEFAULT now(),
    CHECK ((stream = 'notifications') = (agency_id IS NOT NULL))
);
CREATE INDEX exchange_feed_reader ON exchange_feed (stream, agency_id, txid, id);
