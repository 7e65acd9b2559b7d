-- Draws are never emptied wholesale either: TRUNCATE skips row triggers, so it gets its own.
CREATE FUNCTION inspection_draws_no_truncate() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'inspection draws are never deleted' USING ERRCODE = 'insufficient_privilege';
END $$;
CREATE TRIGGER inspection_draws_no_truncate BEFORE TRUNCATE ON inspection_draws
    FOR EACH STATEMENT EXECUTE FUNCTION inspection_draws_no_truncate();

-- Every draw from now on is made for a plan, which lists it (earlier ones may have none).
ALTER TABLE inspection_draws ADD CONSTRAINT inspection_draws_planned
    CHECK (plan_id IS NOT NULL) NOT VALID;
