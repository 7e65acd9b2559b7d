DROP INDEX IF EXISTS filings_decided;
DROP INDEX IF EXISTS filings_first_submitted;
