ALTER TABLE filings DROP CONSTRAINT filings_refusal_has_reasons;
ALTER TABLE filings DROP COLUMN refusal_reasons;
