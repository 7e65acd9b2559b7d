-- Back to updating the chain's head after every sealed row.
CREATE OR REPLACE FUNCTION audit_seal() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    PERFORM audit_append(NEW);
    RETURN NULL;
END
$$;
DROP TRIGGER audit_log_count ON audit_log;
DROP FUNCTION audit_count();
