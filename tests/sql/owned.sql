-- Ownership across the cluster: pg_shdepend (owner 'o' and ACL 'a'
-- rows), DROP ROLE refused while objects depend on a role (2BP01, with
-- PostgreSQL's DETAIL lines), REASSIGN OWNED and DROP OWNED [CASCADE].
-- Roles are cluster-wide: every name starts with ow_ and the file drops
-- them all at its end; the connecting role shows as OWNER. The messages
-- and DETAIL lines are compared in tests/integration/owned.rs.
CREATE ROLE ow_a;
CREATE ROLE ow_b;
CREATE ROLE ow_c;
GRANT CREATE ON SCHEMA public TO ow_a;
CREATE SCHEMA ow_s AUTHORIZATION ow_a;
SET ROLE ow_a;
CREATE TABLE ow_s.t (a int);
CREATE TABLE ow_t (a int, b text);
CREATE VIEW ow_v AS SELECT * FROM ow_t;
CREATE SEQUENCE ow_q;
CREATE TABLE ow_serial (id serial);
CREATE INDEX ow_t_a ON ow_t (a);
CREATE FUNCTION ow_f(int) RETURNS int LANGUAGE sql AS 'SELECT $1';
CREATE TYPE ow_e AS ENUM ('x');
CREATE DOMAIN ow_d AS int;
RESET ROLE;
CREATE TABLE ow_shared (a int);
GRANT SELECT, INSERT ON ow_shared TO ow_a;
GRANT SELECT ON ow_shared TO ow_b;
GRANT ALL ON ow_shared TO ow_a WITH GRANT OPTION;
SET ROLE ow_a;
GRANT SELECT ON ow_shared TO ow_c;
RESET ROLE;
SELECT replace(array_to_string(relacl, ' '), current_user, 'OWNER') FROM pg_class WHERE relname = 'ow_shared';

-- pg_shdepend: no row for the bootstrap superuser, PUBLIC, indexes or
-- array types.
SELECT count(*) FROM pg_shdepend WHERE refobjid = 10;
SELECT d.classid::regclass, d.refclassid::regclass, r.rolname, d.deptype, d.objsubid,
       d.dbid = (SELECT oid FROM pg_database WHERE datname = current_database()) AS here,
       CASE d.classid WHEN 'pg_class'::regclass THEN (SELECT relname FROM pg_class WHERE oid = d.objid)
                      WHEN 'pg_type'::regclass THEN (SELECT typname FROM pg_type WHERE oid = d.objid)
                      WHEN 'pg_proc'::regclass THEN (SELECT proname FROM pg_proc WHERE oid = d.objid)
                      WHEN 'pg_namespace'::regclass THEN (SELECT nspname FROM pg_namespace WHERE oid = d.objid)
       END AS name
FROM pg_shdepend d JOIN pg_roles r ON r.oid = d.refobjid
WHERE r.rolname LIKE 'ow\_%' ORDER BY 1, 3, 4, 7;
SELECT relname, replace(pg_get_userbyid(relowner), current_user, 'OWNER') FROM pg_class WHERE relname LIKE 'ow\_%' ORDER BY 1;
SELECT typname, pg_get_userbyid(typowner) FROM pg_type WHERE typname IN ('ow_e', '_ow_e', 'ow_d') ORDER BY 1;
SELECT proname, pg_get_userbyid(proowner) FROM pg_proc WHERE proname = 'ow_f';

-- DROP ROLE lists what depends on the role.
DROP ROLE ow_a;

-- REASSIGN OWNED.
REASSIGN OWNED BY ow_nobody TO ow_b;
REASSIGN OWNED BY ow_a TO ow_nobody;
REASSIGN OWNED BY ow_a TO ow_b;
SELECT relname, replace(pg_get_userbyid(relowner), current_user, 'OWNER') FROM pg_class WHERE relname LIKE 'ow\_%' ORDER BY 1;
SELECT nspname, pg_get_userbyid(nspowner) FROM pg_namespace WHERE nspname = 'ow_s';
SELECT typname, pg_get_userbyid(typowner) FROM pg_type WHERE typname IN ('ow_e', '_ow_e', 'ow_d') ORDER BY 1;
SELECT proname, pg_get_userbyid(proowner) FROM pg_proc WHERE proname = 'ow_f';
SELECT count(*) FROM pg_shdepend d JOIN pg_roles r ON r.oid = d.refobjid WHERE r.rolname = 'ow_a' AND d.deptype = 'o';
REASSIGN OWNED BY ow_b TO ow_b;
REASSIGN OWNED BY current_user TO ow_a;

-- A non-superuser needs the privileges of both roles.
CREATE ROLE ow_user;
SET ROLE ow_user;
REASSIGN OWNED BY ow_b TO ow_user;
DROP OWNED BY ow_b;
RESET ROLE;
GRANT ow_b TO ow_user;
SET ROLE ow_user;
REASSIGN OWNED BY ow_b TO ow_c;
REASSIGN OWNED BY ow_b TO ow_user;
RESET ROLE;
SELECT relname, replace(pg_get_userbyid(relowner), current_user, 'OWNER') FROM pg_class WHERE relname LIKE 'ow\_%' ORDER BY 1;
REASSIGN OWNED BY ow_user TO ow_b;

-- DROP OWNED: revokes the role's privileges (and what it granted), drops
-- its objects; RESTRICT refuses what other objects depend on.
CREATE VIEW ow_other AS SELECT * FROM ow_t;
DROP OWNED BY ow_b;
SELECT relname FROM pg_class WHERE relname LIKE 'ow\_%' ORDER BY 1;
BEGIN;
DROP OWNED BY ow_b CASCADE;
SELECT relname FROM pg_class WHERE relname LIKE 'ow\_%' ORDER BY 1;
ROLLBACK;
SELECT relname FROM pg_class WHERE relname LIKE 'ow\_%' ORDER BY 1;
DROP VIEW ow_other;
DROP OWNED BY ow_b;
SELECT relname FROM pg_class WHERE relname LIKE 'ow\_%' ORDER BY 1;
SELECT count(*) FROM pg_namespace WHERE nspname = 'ow_s';
SELECT count(*) FROM pg_proc WHERE proname = 'ow_f';
SELECT count(*) FROM pg_type WHERE typname IN ('ow_e', 'ow_d');
SELECT replace(array_to_string(relacl, ' '), current_user, 'OWNER') FROM pg_class WHERE relname = 'ow_shared';
DROP OWNED BY ow_a;
SELECT replace(array_to_string(relacl, ' '), current_user, 'OWNER') FROM pg_class WHERE relname = 'ow_shared';
SELECT count(*) FROM pg_shdepend d JOIN pg_roles r ON r.oid = d.refobjid WHERE r.rolname LIKE 'ow\_%';
DROP OWNED BY current_user;
DROP OWNED BY ow_nobody;
DROP OWNED BY ow_a, ow_b RESTRICT;
REASSIGN OWNED BY ow_a;
REVOKE CREATE ON SCHEMA public FROM ow_a;
DROP ROLE ow_a, ow_b, ow_c, ow_user;
DROP TABLE ow_shared;
