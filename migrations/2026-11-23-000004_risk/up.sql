-- Risk flags a reviewer must look at, assessed from the form on each submission.
ALTER TABLE filings ADD COLUMN risk_level TEXT NOT NULL DEFAULT 'none'
    CHECK (risk_level IN ('none', 'low', 'medium', 'high', 'critical'));
-- 0 none … 4 critical, for sorting and "at least" filters.
ALTER TABLE filings ADD COLUMN risk_rank SMALLINT NOT NULL DEFAULT 0 CHECK (risk_rank BETWEEN 0 AND 4);
ALTER TABLE filings ADD COLUMN risk_flags JSONB NOT NULL DEFAULT '[]'::jsonb;
