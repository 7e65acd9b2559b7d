DROP TABLE filing_versions;
