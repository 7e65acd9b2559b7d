-- The queue's sort keys kept on the filing, as copies of its statutory deadline (like
-- review_due_date for the review clock), so that every order of the review queue is one index
-- range per province: a deep page starts where the previous one ended instead of re-reading
-- everything before it. A paused review clock sorts last (9999-12-31).
ALTER TABLE filings ADD COLUMN statutory_due_date DATE;
ALTER TABLE filings ADD COLUMN late_by_working_days INTEGER;
UPDATE filings f SET statutory_due_date = d.due_date, late_by_working_days = d.late_by_working_days
    FROM deadlines d
    WHERE d.entity_type = 'filing' AND d.entity_id = f.id AND d.purpose = 'statutory';

DROP INDEX filings_review_queue;
DROP INDEX filings_queue;
CREATE INDEX filings_queue_review ON filings
    (province_code, status, (COALESCE(review_due_date, DATE '9999-12-31')), statutory_due_date, id);
CREATE INDEX filings_queue_statutory ON filings (province_code, status, statutory_due_date, id);
CREATE INDEX filings_queue_submitted ON filings (province_code, status, submitted_at, id);
CREATE INDEX filings_queue_risk ON filings (province_code, status, risk_rank DESC, statutory_due_date, id);
