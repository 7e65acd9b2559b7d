-- A reviewer's decision waiting for a supervisor's sign-off, where configuration requires one.
ALTER TABLE filings ADD COLUMN proposed_decision JSONB;
