ALTER TABLE inspection_draws DROP CONSTRAINT inspection_draws_planned;
DROP TRIGGER inspection_draws_no_truncate ON inspection_draws;
DROP FUNCTION inspection_draws_no_truncate();
