-- Assignment of a filing to a reviewer: a supervisor assigns or reassigns; a reviewer takes an
-- unassigned one.
ALTER TABLE filings ADD COLUMN assignee_id UUID REFERENCES users (id);
CREATE INDEX filings_assignee ON filings (assignee_id) WHERE assignee_id IS NOT NULL;
