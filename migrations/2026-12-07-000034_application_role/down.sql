DROP FUNCTION frt_grant_application_role(NAME);
GRANT EXECUTE ON FUNCTION audit_use_hash_alg(TEXT) TO PUBLIC;
ALTER FUNCTION audit_use_hash_alg(TEXT) SECURITY INVOKER RESET search_path;
ALTER FUNCTION audit_seal() SECURITY INVOKER RESET search_path;
