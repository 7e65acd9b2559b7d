-- A complaint names its processor by USCC or by exact name; with a national registry the
-- lookup by name must not scan every organisation.
CREATE INDEX organisations_name ON organisations (name);
