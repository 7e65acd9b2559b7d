-- Test clocks for acceptance runs against a deployment outside production: a scope (one per
-- scenario) and the day that is "today" for requests naming it. Production never reads it.
CREATE TABLE test_clocks (
    scope   TEXT PRIMARY KEY CHECK (length(scope) BETWEEN 1 AND 100),
    today   DATE NOT NULL,
    set_at  TIMESTAMPTZ NOT NULL DEFAULT now()
);
