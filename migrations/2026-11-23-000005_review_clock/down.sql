DROP INDEX filings_review_queue;
ALTER TABLE filings DROP COLUMN review_due_date;
ALTER TABLE filings DROP COLUMN review_days_used;
