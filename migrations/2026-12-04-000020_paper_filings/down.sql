ALTER TABLE filings DROP COLUMN submitted_via;
