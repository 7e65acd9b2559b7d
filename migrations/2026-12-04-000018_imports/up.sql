-- Error workbooks of refused imports: the upload given back with an error column. Only the
-- staff member who uploaded it may download it; it is kept in the blob store.
CREATE TABLE import_error_workbooks (
    id          UUID PRIMARY KEY,
    user_id     UUID NOT NULL REFERENCES users (id),
    kind        TEXT NOT NULL,
    blob_key    TEXT NOT NULL,
    size_bytes  BIGINT NOT NULL,
    created_at  TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE INDEX import_error_workbooks_user ON import_error_workbooks (user_id, created_at);
