DROP INDEX filings_assignee;
ALTER TABLE filings DROP COLUMN assignee_id;
