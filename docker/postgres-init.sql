-- The services' login: no table is its own. `frtctl migrate` (as the owner, frt) grants it
-- what the services need (migration application_role). Staging's password; a deployment sets
-- its own from the secret store.
CREATE ROLE frt_app LOGIN PASSWORD 'frt_app';
