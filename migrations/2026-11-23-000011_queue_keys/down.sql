DROP INDEX filings_queue_risk;
DROP INDEX filings_queue_submitted;
DROP INDEX filings_queue_statutory;
DROP INDEX filings_queue_review;
CREATE INDEX filings_queue ON filings (province_code, status, submitted_at);
CREATE INDEX filings_review_queue ON filings (province_code, status, review_due_date, id);
ALTER TABLE filings DROP COLUMN late_by_working_days;
ALTER TABLE filings DROP COLUMN statutory_due_date;
