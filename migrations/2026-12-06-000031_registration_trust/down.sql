DROP TABLE registration_disputes;
ALTER TABLE password_resets DROP COLUMN purpose;
ALTER TABLE users DROP COLUMN must_change_password;
ALTER TABLE users DROP COLUMN address_confirmed;
ALTER TABLE organisations DROP COLUMN status;
