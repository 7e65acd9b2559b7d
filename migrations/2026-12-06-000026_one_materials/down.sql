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
CREATE TABLE inspection_materials (
    id             UUID PRIMARY KEY,
    inspection_id  UUID NOT NULL REFERENCES inspections (id),
    item_id        UUID NOT NULL REFERENCES inspection_items (id),
    filename       TEXT NOT NULL,
    content_type   TEXT NOT NULL,
    size_bytes     BIGINT NOT NULL,
    sha256         TEXT NOT NULL,
    blob_key       TEXT NOT NULL UNIQUE,
    uploaded_by    UUID NOT NULL REFERENCES users (id),
    uploaded_at    TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE INDEX inspection_materials_item ON inspection_materials (item_id);
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
INSERT INTO complaint_materials
SELECT id, entity_id, filename, content_type, size_bytes, sha256, blob_key, uploaded_at
  FROM materials WHERE entity_type = 'complaint';
INSERT INTO inspection_materials
SELECT id, entity_id, item_id, filename, content_type, size_bytes, sha256, blob_key,
       uploaded_by, uploaded_at
  FROM materials WHERE entity_type = 'inspection';
INSERT INTO notification_materials
SELECT id, entity_id, filename, content_type, size_bytes, sha256, blob_key, uploaded_by,
       uploaded_at
  FROM materials WHERE entity_type = 'notification';
DROP TABLE materials;
