-- Refusal (不予备案) keeps its reasons apart from a return for correction.
ALTER TABLE filings ADD COLUMN refusal_reasons JSONB;
ALTER TABLE filings ADD CONSTRAINT filings_refusal_has_reasons
    CHECK (status <> 'refused' OR refusal_reasons IS NOT NULL);
