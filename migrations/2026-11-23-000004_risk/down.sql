ALTER TABLE filings DROP COLUMN risk_flags;
ALTER TABLE filings DROP COLUMN risk_rank;
ALTER TABLE filings DROP COLUMN risk_level;
