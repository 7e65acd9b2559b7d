-- Staff find a processor by any part of its name (the registry's and the review queue's
-- `processor` filter: name ILIKE '%…%'). A b-tree cannot serve a match in the middle of a
-- name, so on a national registry every search read every organisation (about 2 s for
-- 1,000,000 filings' processors). A trigram index serves any fragment of three characters or
-- more; pg_trgm is a trusted extension, so the database's owner may create it.
CREATE EXTENSION IF NOT EXISTS pg_trgm;
CREATE INDEX organisations_name_trgm ON organisations USING gin (name gin_trgm_ops);
