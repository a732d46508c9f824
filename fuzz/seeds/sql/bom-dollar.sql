ALTER TABLE users DROP COLUMN fax;
DO $body$ BEGIN PERFORM 1; END $body$;
/* a /* nested */ */ SELECT E'\'';
