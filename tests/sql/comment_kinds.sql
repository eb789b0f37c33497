-- COMMENT ON the kinds beyond relations and columns: CONSTRAINT ... ON
-- table (check, primary key, foreign key) and ON DOMAIN, FUNCTION and
-- PROCEDURE with and without argument types, TRIGGER ... ON table,
-- SCHEMA, TYPE, DOMAIN, EXTENSION, DATABASE and ROLE (pg_shdescription,
-- shobj_description); their errors; replaced and removed comments;
-- initdb's comments (schema public, plpgsql, the databases); comments
-- gone with their object. Roles and databases are cluster-wide: names
-- start with ck_ and the file drops them at its end.
DROP ROLE IF EXISTS ck_role;
DROP DATABASE IF EXISTS ck_db;
CREATE TABLE ck_t (id int PRIMARY KEY, a int CONSTRAINT ck_t_a_check CHECK (a > 0), u int UNIQUE);
CREATE TABLE ck_t2 (id int REFERENCES ck_t);
CREATE FUNCTION ck_f(int, text) RETURNS int LANGUAGE sql AS 'SELECT 1';
CREATE FUNCTION ck_f(int) RETURNS int LANGUAGE sql AS 'SELECT 1';
CREATE PROCEDURE ck_p() LANGUAGE sql AS 'SELECT 1';
CREATE FUNCTION ck_tf() RETURNS trigger LANGUAGE plpgsql AS 'BEGIN RETURN NEW; END';
CREATE TRIGGER ck_tr BEFORE INSERT ON ck_t FOR EACH ROW EXECUTE FUNCTION ck_tf();
CREATE SCHEMA ck_s;
CREATE TYPE ck_enum AS ENUM ('a');
CREATE DOMAIN ck_dom AS int CONSTRAINT ck_dom_pos CHECK (VALUE > 0);
CREATE ROLE ck_role;
CREATE DATABASE ck_db;
COMMENT ON CONSTRAINT ck_t_a_check ON ck_t IS 'check a';
COMMENT ON CONSTRAINT ck_t_pkey ON public.ck_t IS 'pk';
COMMENT ON CONSTRAINT ck_t_u_key ON ck_t IS 'unique u';
COMMENT ON CONSTRAINT ck_t2_id_fkey ON ck_t2 IS 'fk';
COMMENT ON CONSTRAINT ck_dom_pos ON DOMAIN ck_dom IS 'domain check';
COMMENT ON FUNCTION ck_f(int, text) IS 'two args';
COMMENT ON FUNCTION ck_f(integer) IS 'one arg';
COMMENT ON PROCEDURE ck_p() IS 'proc';
COMMENT ON PROCEDURE ck_p IS 'proc again';
COMMENT ON FUNCTION ck_tf IS 'trigger function';
COMMENT ON TRIGGER ck_tr ON ck_t IS 'trig';
COMMENT ON SCHEMA ck_s IS 'schema';
COMMENT ON TYPE ck_enum IS 'enum type';
COMMENT ON TYPE ck_dom IS 'domain as a type';
COMMENT ON DOMAIN ck_dom IS 'a domain';
COMMENT ON DATABASE ck_db IS 'db';
COMMENT ON ROLE ck_role IS 'a role';
COMMENT ON EXTENSION plpgsql IS 'pl';
SELECT d.classoid::regclass::text AS class, d.objsubid, d.description
FROM pg_description d WHERE d.objoid >= 16384 ORDER BY 3;
SELECT obj_description((SELECT p.oid FROM pg_proc p WHERE p.proname = 'ck_f' AND p.pronargs = 1), 'pg_proc'),
       obj_description('ck_enum'::regtype, 'pg_type'),
       obj_description('ck_dom'::regtype, 'pg_type'),
       obj_description('ck_s'::regnamespace, 'pg_namespace');
SELECT c.conname, obj_description(c.oid, 'pg_constraint') FROM pg_constraint c
WHERE c.conname LIKE 'ck\_%' ORDER BY 1;
SELECT t.tgname, obj_description(t.oid, 'pg_trigger') FROM pg_trigger t WHERE t.tgname LIKE 'ck\_%';
SELECT p.proname, pg_get_function_identity_arguments(p.oid), obj_description(p.oid, 'pg_proc')
FROM pg_proc p WHERE p.proname LIKE 'ck\_%' ORDER BY 1, 2;
SELECT classoid::regclass::text, description FROM pg_shdescription
WHERE objoid IN (SELECT oid FROM pg_database WHERE datname IN ('ck_db', 'postgres', 'template0', 'template1'))
   OR objoid IN (SELECT oid FROM pg_roles WHERE rolname LIKE 'ck\_%') ORDER BY 2;
SELECT shobj_description(r.oid, 'pg_authid') FROM pg_roles r WHERE r.rolname = 'ck_role';
SELECT d.datname, shobj_description(d.oid, 'pg_database') FROM pg_database d
WHERE d.datname IN ('ck_db', 'postgres', 'template0', 'template1') ORDER BY 1;
SELECT shobj_description(r.oid, 'pg_class') FROM pg_roles r WHERE r.rolname = 'ck_role';
SELECT obj_description(e.oid, 'pg_extension') FROM pg_extension e WHERE e.extname = 'plpgsql';
-- Errors.
COMMENT ON CONSTRAINT ck_nosuch ON ck_t IS 'x';
COMMENT ON CONSTRAINT ck_t_a_check ON ck_nosuch IS 'x';
COMMENT ON CONSTRAINT ck_nosuch ON DOMAIN ck_dom IS 'x';
COMMENT ON CONSTRAINT ck_dom_pos ON DOMAIN ck_enum IS 'x';
COMMENT ON CONSTRAINT ck_t_a_check IS 'x';
COMMENT ON FUNCTION ck_f IS 'ambiguous';
COMMENT ON FUNCTION ck_f(bool) IS 'missing';
COMMENT ON FUNCTION ck_nosuch IS 'missing';
COMMENT ON FUNCTION ck_p() IS 'not a function';
COMMENT ON PROCEDURE ck_f(int) IS 'not a procedure';
COMMENT ON TRIGGER ck_nosuch ON ck_t IS 'x';
COMMENT ON TRIGGER ck_tr ON ck_t2 IS 'x';
COMMENT ON TYPE ck_nosuch IS 'x';
COMMENT ON DOMAIN ck_enum IS 'x';
COMMENT ON SCHEMA ck_nosuch IS 'x';
COMMENT ON ROLE ck_nosuch IS 'x';
COMMENT ON EXTENSION ck_nosuch IS 'x';
COMMENT ON DATABASE ck_nosuch IS 'x';
-- Replaced, removed, rolled back.
COMMENT ON TRIGGER ck_tr ON ck_t IS 'trigger';
COMMENT ON FUNCTION ck_f(int, text) IS NULL;
COMMENT ON ROLE ck_role IS '';
BEGIN;
COMMENT ON DATABASE ck_db IS 'in a transaction';
COMMENT ON CONSTRAINT ck_t_pkey ON ck_t IS NULL;
ROLLBACK;
SELECT d.classoid::regclass::text AS class, d.description
FROM pg_description d WHERE d.objoid >= 16384 ORDER BY 2;
SELECT classoid::regclass::text, description FROM pg_shdescription
WHERE objoid IN (SELECT oid FROM pg_database WHERE datname IN ('ck_db', 'postgres', 'template0', 'template1'))
   OR objoid IN (SELECT oid FROM pg_roles WHERE rolname LIKE 'ck\_%') ORDER BY 2;
-- initdb's comments can be removed and set again.
COMMENT ON SCHEMA public IS NULL;
COMMENT ON DATABASE template1 IS NULL;
SELECT obj_description(2200, 'pg_namespace'), shobj_description(1, 'pg_database');
SELECT count(*) FROM pg_description WHERE objoid = 2200;
COMMENT ON SCHEMA public IS 'standard public schema';
COMMENT ON DATABASE template1 IS 'default template for new databases';
COMMENT ON EXTENSION plpgsql IS 'PL/pgSQL procedural language';
SELECT obj_description(2200, 'pg_namespace'), shobj_description(1, 'pg_database');
-- Comments go with their object.
DROP TRIGGER ck_tr ON ck_t;
DROP FUNCTION ck_f(int);
DROP DOMAIN ck_dom;
ALTER TABLE ck_t DROP CONSTRAINT ck_t_a_check;
DROP TABLE ck_t2;
DROP ROLE ck_role;
DROP DATABASE ck_db;
SELECT d.classoid::regclass::text AS class, d.description
FROM pg_description d WHERE d.objoid >= 16384 ORDER BY 2;
SELECT classoid::regclass::text, description FROM pg_shdescription
WHERE objoid IN (SELECT oid FROM pg_database WHERE datname IN ('ck_db', 'postgres', 'template0', 'template1'))
   OR objoid IN (SELECT oid FROM pg_roles WHERE rolname LIKE 'ck\_%') ORDER BY 2;
DROP TABLE ck_t;
DROP FUNCTION ck_f(int, text);
DROP PROCEDURE ck_p();
DROP FUNCTION ck_tf();
DROP SCHEMA ck_s;
DROP TYPE ck_enum;
SELECT count(*) FROM pg_description WHERE objoid >= 16384;
