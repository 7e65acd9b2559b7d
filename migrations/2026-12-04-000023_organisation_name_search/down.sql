DROP INDEX IF EXISTS organisations_name_trgm;
DROP EXTENSION IF EXISTS pg_trgm;
