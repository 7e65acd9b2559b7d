-- Filing forms (about 2 KB of JSON each, kept twice: on the filing and on each version) are
-- compressed with lz4 instead of the default pglz: several times faster to compress and to
-- read back, for about the same size. Rows already stored keep their compression until they
-- are rewritten.
ALTER TABLE filings ALTER COLUMN form SET COMPRESSION lz4;
ALTER TABLE filing_versions ALTER COLUMN form SET COMPRESSION lz4;
