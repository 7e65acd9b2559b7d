-- One table of materials for every case type that takes files besides filings (whose
-- attachments are versioned with the filing): a complaint's evidence, what a processor gives
-- for an inspection's request or order, a notification's attachments. Bytes stay in the blob
-- store. The rows of the three tables they replace move here unchanged.
CREATE TABLE materials (
    id             UUID PRIMARY KEY,
    entity_type    TEXT NOT NULL CHECK (entity_type IN ('complaint', 'inspection', 'notification')),
    entity_id      UUID NOT NULL,
    -- An inspection's material answers one of its requests or orders; nothing else has one.
    item_id        UUID REFERENCES inspection_items (id),
    filename       TEXT NOT NULL,
    content_type   TEXT NOT NULL,
    size_bytes     BIGINT NOT NULL CHECK (size_bytes > 0),
    sha256         TEXT NOT NULL,
    blob_key       TEXT NOT NULL UNIQUE,
    -- The user who gave it; none for a complainant or an agency's system.
    uploaded_by    UUID REFERENCES users (id),
    uploaded_at    TIMESTAMPTZ NOT NULL DEFAULT now(),
    CHECK ((entity_type = 'inspection') = (item_id IS NOT NULL)),
    CHECK (entity_type <> 'inspection' OR uploaded_by IS NOT NULL)
);
CREATE INDEX materials_entity ON materials (entity_type, entity_id, uploaded_at, id);

INSERT INTO materials
    (id, entity_type, entity_id, item_id, filename, content_type, size_bytes, sha256,
     blob_key, uploaded_by, uploaded_at)
SELECT id, 'complaint', complaint_id, NULL, filename, content_type, size_bytes, sha256,
       blob_key, NULL, uploaded_at
  FROM complaint_materials
UNION ALL
SELECT id, 'inspection', inspection_id, item_id, filename, content_type, size_bytes, sha256,
       blob_key, uploaded_by, uploaded_at
  FROM inspection_materials
UNION ALL
SELECT id, 'notification', notification_id, NULL, filename, content_type, size_bytes, sha256,
       blob_key, uploaded_by, uploaded_at
  FROM notification_materials;

DROP TABLE complaint_materials;
DROP TABLE inspection_materials;
DROP TABLE notification_materials;
