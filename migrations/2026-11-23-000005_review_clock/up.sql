-- The regulator's own review clock: working days already used before a return for correction
-- (the clock pauses while the processor corrects) and the current review due date, kept on the
-- filing so the queue can sort by it with an index.
ALTER TABLE filings ADD COLUMN review_days_used INTEGER NOT NULL DEFAULT 0 CHECK (review_days_used >= 0);
ALTER TABLE filings ADD COLUMN review_due_date DATE;
CREATE INDEX filings_review_queue ON filings (province_code, status, review_due_date, id);
