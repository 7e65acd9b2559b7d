DROP TABLE import_error_workbooks;
