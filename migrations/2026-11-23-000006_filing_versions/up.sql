-- Every version of a filing the processor submitted, as submitted, for the review history.
CREATE TABLE filing_versions (
    filing_id     UUID NOT NULL REFERENCES filings (id),
    seq           INTEGER NOT NULL CHECK (seq >= 1),
    form          JSONB NOT NULL,
    attachments   JSONB NOT NULL,
    submitted_at  TIMESTAMPTZ NOT NULL DEFAULT now(),
    submitted_by  UUID NOT NULL REFERENCES users (id),
    PRIMARY KEY (filing_id, seq)
);
