-- A filing handed in on paper and keyed in by staff on the processor's behalf (imports of kind
-- `filings`) is recorded as such: `submitted_via` is 'paper', `created_by` is the member of
-- staff who entered it. Online filings keep the default.
ALTER TABLE filings ADD COLUMN submitted_via TEXT NOT NULL DEFAULT 'online'
    CHECK (submitted_via IN ('online', 'paper'));
