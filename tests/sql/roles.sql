-- Roles and privileges: CREATE/ALTER/DROP ROLE, memberships, GRANT and
-- REVOKE, the privilege checks of a non-superuser, SET ROLE and SET
-- SESSION AUTHORIZATION, ownership. Roles are cluster-wide: every name
-- starts with rl_ and the file drops them all at its end. Nothing shown
-- depends on the name of the role the test connects as (ACLs print it
-- as OWNER).
DROP ROLE IF EXISTS rl_alice;
CREATE ROLE rl_alice LOGIN;
CREATE USER rl_bob PASSWORD 'secret' CONNECTION LIMIT 3 VALID UNTIL '2030-01-01 00:00:00+00';
CREATE ROLE rl_group;
CREATE ROLE rl_admin CREATEROLE CREATEDB NOINHERIT;
CREATE ROLE rl_alice;
CREATE ROLE pg_rl_reserved;
CREATE ROLE rl_bad CONNECTION LIMIT -2;
SELECT rolname, rolsuper, rolinherit, rolcreaterole, rolcreatedb, rolcanlogin,
       rolreplication, rolconnlimit, rolpassword, rolbypassrls, rolconfig
FROM pg_roles WHERE rolname LIKE 'rl\_%' ORDER BY 1;
SELECT rolname, rolvaliduntil = '2030-01-01 00:00:00+00'::timestamptz
FROM pg_roles WHERE rolname LIKE 'rl\_%' ORDER BY 1;
SELECT usename, usecreatedb, usesuper, userepl, passwd FROM pg_user
WHERE usename LIKE 'rl\_%' ORDER BY 1;
SELECT rolname, left(rolpassword, 14) FROM pg_authid WHERE rolname LIKE 'rl\_%' ORDER BY 1;
SELECT count(*) FROM pg_roles WHERE rolname = 'pg_database_owner';

-- Memberships.
GRANT rl_group TO rl_alice;
GRANT rl_group TO rl_alice;
GRANT rl_alice TO rl_group;
GRANT rl_group TO rl_group;
GRANT rl_group TO rl_nobody;
GRANT rl_nobody TO rl_alice;
GRANT rl_group TO rl_admin WITH ADMIN OPTION;
SELECT r.rolname, m.rolname, a.admin_option
FROM pg_auth_members a
JOIN pg_roles r ON r.oid = a.roleid
JOIN pg_roles m ON m.oid = a.member
WHERE r.rolname LIKE 'rl\_%' ORDER BY 1, 2;
SELECT pg_has_role('rl_alice', 'rl_group', 'member'),
       pg_has_role('rl_alice', 'rl_group', 'usage'),
       pg_has_role('rl_admin', 'rl_group', 'usage'),
       pg_has_role('rl_admin', 'rl_group', 'member'),
       pg_has_role('rl_group', 'rl_alice', 'member');
SELECT pg_has_role('rl_alice', 'rl_group', 'bogus');

-- ALTER ROLE.
ALTER ROLE rl_alice CREATEDB CONNECTION LIMIT 10;
ALTER ROLE rl_bob RENAME TO rl_robert;
ALTER ROLE rl_robert RENAME TO rl_alice;
ALTER ROLE rl_robert RENAME TO pg_rl_x;
ALTER ROLE rl_nobody LOGIN;
ALTER ROLE rl_group WITH NOINHERIT NOCREATEDB;
SELECT rolname, rolcreatedb, rolconnlimit, rolinherit, rolcanlogin
FROM pg_roles WHERE rolname LIKE 'rl\_%' ORDER BY 1;

-- Objects and grants.
CREATE TABLE rl_t (id int, v text);
INSERT INTO rl_t VALUES (1, 'a'), (2, 'b');
CREATE SEQUENCE rl_s;
CREATE VIEW rl_v AS SELECT id FROM rl_t;
SELECT relname, relacl IS NULL FROM pg_class WHERE relname LIKE 'rl\_%' ORDER BY 1;
GRANT SELECT ON rl_t TO rl_alice;
GRANT INSERT, UPDATE ON TABLE rl_t TO rl_group WITH GRANT OPTION;
GRANT ALL PRIVILEGES ON rl_v TO PUBLIC;
GRANT USAGE ON SEQUENCE rl_s TO rl_alice;
GRANT SELECT ON SEQUENCE rl_s TO rl_robert;
GRANT USAGE ON rl_t TO rl_alice;
GRANT INSERT ON SEQUENCE rl_s TO rl_alice;
GRANT SELECT ON SEQUENCE rl_t TO rl_alice;
GRANT SELECT ON rl_missing TO rl_alice;
GRANT SELECT ON rl_t TO rl_missing;
GRANT SELECT ON rl_t TO PUBLIC WITH GRANT OPTION;
GRANT USAGE, CREATE ON SCHEMA public TO rl_admin;
GRANT USAGE ON SCHEMA rl_no_schema TO rl_admin;
SELECT relname, replace(relacl::text, current_user, 'OWNER')
FROM pg_class WHERE relname LIKE 'rl\_%' ORDER BY 1;
SELECT nspacl::text FROM pg_namespace WHERE nspname = 'public';
SELECT has_table_privilege('rl_alice', 'rl_t', 'SELECT'),
       has_table_privilege('rl_alice', 'rl_t', 'INSERT'),
       has_table_privilege('rl_alice', 'rl_t', 'delete, insert'),
       has_table_privilege('rl_alice', 'rl_t', 'UPDATE WITH GRANT OPTION'),
       has_table_privilege('rl_group', 'rl_t', 'UPDATE WITH GRANT OPTION'),
       has_table_privilege('rl_admin', 'rl_t', 'select'),
       has_table_privilege('rl_robert', 'rl_v', 'trigger'),
       has_table_privilege('rl_t', 'truncate');
SELECT has_table_privilege('rl_alice', 'rl_t', 'foo');
SELECT has_table_privilege('rl_alice', 'rl_t', 'select, foo');
SELECT has_table_privilege('rl_nobody', 'rl_t', 'select');
SELECT has_table_privilege('rl_alice', 'rl_missing', 'select');
SELECT has_sequence_privilege('rl_alice', 'rl_s', 'usage'),
       has_sequence_privilege('rl_alice', 'rl_s', 'update'),
       has_sequence_privilege('rl_robert', 'rl_s', 'select, update');
SELECT has_sequence_privilege('rl_alice', 'rl_t', 'usage');
SELECT has_schema_privilege('rl_admin', 'public', 'create'),
       has_schema_privilege('rl_alice', 'public', 'create'),
       has_schema_privilege('rl_alice', 'public', 'usage'),
       has_schema_privilege('rl_alice', 'pg_catalog', 'usage');
SELECT has_database_privilege('rl_alice', current_database(), 'connect'),
       has_database_privilege('rl_alice', current_database(), 'temp'),
       has_database_privilege('rl_alice', current_database(), 'create');

-- What a role without privileges may do.
SET ROLE rl_alice;
SELECT current_user, current_role, session_user = current_user;
SELECT * FROM rl_t ORDER BY id;
INSERT INTO rl_t VALUES (3, 'c');
UPDATE rl_t SET v = 'z' WHERE id = 3;
UPDATE rl_t SET v = v || '!' RETURNING *;
DELETE FROM rl_t;
TRUNCATE rl_t;
SELECT nextval('rl_s');
SELECT currval('rl_s');
SELECT setval('rl_s', 10);
SELECT * FROM rl_v ORDER BY id;
CREATE TABLE rl_x (a int);
ALTER TABLE rl_t ADD COLUMN w int;
CREATE INDEX rl_t_id ON rl_t (id);
DROP TABLE rl_t;
DROP VIEW rl_v;
SELECT has_table_privilege('rl_t', 'delete'), has_table_privilege('rl_t', 'insert');
RESET ROLE;
SELECT current_user = session_user;
SET ROLE rl_robert;
SELECT * FROM rl_t;
INSERT INTO rl_t VALUES (4, 'd');
SELECT last_value FROM rl_s;
SELECT nextval('rl_s');
RESET ROLE;
SET ROLE rl_nobody;
SET SESSION AUTHORIZATION rl_alice;
SELECT current_user, session_user;
SET ROLE rl_group;
SELECT current_user, session_user;
SET ROLE rl_admin;
RESET ROLE;
SET SESSION AUTHORIZATION rl_admin;
SELECT current_user, session_user;
CREATE TABLE rl_admin_t (a int);
SELECT tableowner FROM pg_tables WHERE tablename = 'rl_admin_t';
DROP TABLE rl_admin_t;
RESET SESSION AUTHORIZATION;
SELECT current_user = session_user;

-- REVOKE.
REVOKE SELECT ON rl_t FROM rl_alice;
REVOKE INSERT ON rl_t FROM rl_group;
REVOKE GRANT OPTION FOR UPDATE ON rl_t FROM rl_group;
REVOKE ALL ON rl_v FROM PUBLIC;
SELECT relname, replace(relacl::text, current_user, 'OWNER')
FROM pg_class WHERE relname LIKE 'rl\_%' ORDER BY 1;
SET ROLE rl_alice;
SELECT * FROM rl_t;
UPDATE rl_t SET v = 'y' WHERE id = 3;
RESET ROLE;
REVOKE rl_group FROM rl_alice;
REVOKE rl_group FROM rl_alice;
SELECT pg_has_role('rl_alice', 'rl_group', 'member');

-- Ownership.
ALTER TABLE rl_t OWNER TO rl_admin;
SELECT relname, pg_get_userbyid(relowner) FROM pg_class WHERE relname = 'rl_t';
SELECT tableowner FROM pg_tables WHERE tablename = 'rl_t';
SELECT relname, replace(relacl::text, current_user, 'OWNER')
FROM pg_class WHERE relname = 'rl_t';
ALTER TABLE rl_t OWNER TO rl_nobody;
ALTER TABLE rl_missing OWNER TO rl_admin;
ALTER TABLE IF EXISTS rl_missing OWNER TO rl_admin;
DROP ROLE rl_admin;
ALTER TABLE rl_t OWNER TO CURRENT_USER;
SELECT pg_get_userbyid(relowner) = current_user FROM pg_class WHERE relname = 'rl_t';
BEGIN;
CREATE ROLE rl_rolled_back;
ROLLBACK;
SELECT count(*) FROM pg_roles WHERE rolname = 'rl_rolled_back';

-- DROP ROLE.
DROP ROLE rl_admin;
REVOKE ALL ON SCHEMA public FROM rl_admin;
SELECT nspacl::text FROM pg_namespace WHERE nspname = 'public';
DROP ROLE rl_admin;
DROP ROLE rl_alice;
REVOKE ALL ON SEQUENCE rl_s FROM rl_alice;
DROP ROLE rl_alice, rl_robert, rl_group;
REVOKE ALL ON rl_t FROM rl_group;
REVOKE ALL ON SEQUENCE rl_s FROM rl_robert;
DROP ROLE rl_alice, rl_robert, rl_group;
DROP ROLE rl_alice;
DROP ROLE IF EXISTS rl_alice, rl_group;
DROP ROLE pg_database_owner;
SELECT count(*) FROM pg_roles WHERE rolname LIKE 'rl\_%';
SELECT count(*) FROM pg_auth_members a JOIN pg_roles r ON r.oid = a.member WHERE r.rolname LIKE 'rl\_%';
DROP VIEW rl_v;
DROP TABLE rl_t;
DROP SEQUENCE rl_s;
