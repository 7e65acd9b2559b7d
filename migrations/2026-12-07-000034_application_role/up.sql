-- Least privilege. The owner, who runs the migrations, owns every table, trigger and function.
-- The services log in as an application role, granted by frt_grant_application_role() (which
-- `frtctl migrate` runs after every migration when database.app_role is set): it reads and
-- writes the case tables, and may only read and append to the audit trail. Not owning any
-- table, it cannot alter one, switch a trigger off or drop it, nor create tables; the audit
-- rows are sealed by the database's own functions, which run as the owner.

ALTER FUNCTION audit_seal() SECURITY DEFINER SET search_path = public, pg_temp;
ALTER FUNCTION audit_use_hash_alg(TEXT) SECURITY DEFINER SET search_path = public, pg_temp;
REVOKE EXECUTE ON FUNCTION audit_use_hash_alg(TEXT) FROM PUBLIC;

CREATE FUNCTION frt_grant_application_role(app NAME) RETURNS VOID
LANGUAGE plpgsql AS $$
BEGIN
    EXECUTE format('GRANT USAGE ON SCHEMA public TO %I', app);
    EXECUTE format('GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO %I', app);
    EXECUTE format('GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO %I', app);
    -- Tables a later migration creates are the application's too, until the next grant runs.
    EXECUTE format('ALTER DEFAULT PRIVILEGES IN SCHEMA public '
                   'GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO %I', app);
    EXECUTE format('ALTER DEFAULT PRIVILEGES IN SCHEMA public '
                   'GRANT USAGE, SELECT ON SEQUENCES TO %I', app);
    -- The audit trail: read and append only; the seal writes as the owner.
    EXECUTE format('REVOKE UPDATE, DELETE, TRUNCATE ON audit_log FROM %I', app);
    EXECUTE format('REVOKE INSERT, UPDATE, DELETE, TRUNCATE ON audit_chain_head FROM %I', app);
    EXECUTE format('GRANT EXECUTE ON FUNCTION audit_use_hash_alg(TEXT) TO %I', app);
    -- The migrations' own record is the owner's.
    EXECUTE format('REVOKE INSERT, UPDATE, DELETE, TRUNCATE ON __diesel_schema_migrations FROM %I', app);
END
$$;
REVOKE EXECUTE ON FUNCTION frt_grant_application_role(NAME) FROM PUBLIC;
