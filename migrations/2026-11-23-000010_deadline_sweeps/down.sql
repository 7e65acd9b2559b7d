DROP TABLE sweep_runs;
DROP INDEX deadlines_open;
ALTER TABLE deadlines DROP COLUMN overdue_since;
DROP TABLE deadline_alerts;
