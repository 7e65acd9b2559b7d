-- Export jobs of the console, shared by every instance: the page that follows one may be
-- served by another instance than the one running it. The finished file is a blob of the
-- blob store (a bucket every instance reads, or the shared folder).
CREATE TABLE export_jobs (
    id UUID PRIMARY KEY,
    owner_id UUID NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    filename TEXT NOT NULL,
    state TEXT NOT NULL DEFAULT 'running' CHECK (state IN ('running', 'done', 'failed')),
    rows BIGINT NOT NULL DEFAULT 0,
    error TEXT,
    blob_key TEXT,
    size_bytes BIGINT,
    started_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    -- The running instance writes its progress here every second; a job whose beat stops
    -- (its process stopped) is shown as failed.
    beat_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    finished_at TIMESTAMPTZ
);
CREATE INDEX export_jobs_finished ON export_jobs (finished_at) WHERE finished_at IS NOT NULL;
