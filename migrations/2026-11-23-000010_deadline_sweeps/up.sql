-- The deadline sweep: what it did for each open deadline of any case type, once per deadline,
-- kind and due date (a deadline that moves is reminded anew): reminders before it
-- ('reminder:<n>' working days), the overdue mark and the escalation after it.
CREATE TABLE deadline_alerts (
    deadline_id  UUID NOT NULL REFERENCES deadlines (id) ON DELETE CASCADE,
    kind         TEXT NOT NULL CHECK (kind ~ '^(reminder:[0-9]+|overdue|escalated)$'),
    due_date     DATE NOT NULL,
    swept_on     DATE NOT NULL,
    created_at   TIMESTAMPTZ NOT NULL DEFAULT now(),
    PRIMARY KEY (deadline_id, kind, due_date)
);

-- The first day a sweep found the deadline passed and not met.
ALTER TABLE deadlines ADD COLUMN overdue_since DATE;
CREATE INDEX deadlines_open ON deadlines (due_date) WHERE met_on IS NULL;

-- The scheduled sweep runs once a day, whichever worker claims the day first.
CREATE TABLE sweep_runs (
    day          DATE PRIMARY KEY,
    started_at   TIMESTAMPTZ NOT NULL DEFAULT now(),
    finished_at  TIMESTAMPTZ,
    report       JSONB
);
