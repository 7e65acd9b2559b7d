-- 已办: what a member of staff did, newest first, read from the audit log by actor.
CREATE INDEX audit_log_actor ON audit_log (actor_id, id) WHERE actor_id IS NOT NULL;
