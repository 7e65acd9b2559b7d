DROP TABLE inspection_materials;
DROP TABLE inspection_items;
DROP TABLE inspection_agencies;
DROP TABLE inspections;
DROP TABLE inspector_conflicts;
DROP TRIGGER inspection_draws_frozen ON inspection_draws;
DROP FUNCTION inspection_draws_frozen();
DROP TABLE inspection_draws;
DROP TABLE inspection_plans;
