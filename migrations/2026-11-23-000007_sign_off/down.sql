ALTER TABLE filings DROP COLUMN proposed_decision;
