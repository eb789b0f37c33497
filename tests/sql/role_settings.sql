-- ALTER ROLE / ALTER DATABASE ... SET and RESET: pg_db_role_setting's
-- entries (the value as written, the name in its canonical spelling),
-- pg_roles.rolconfig, lists of values, FROM CURRENT, TO DEFAULT, RESET
-- name and ALL, the errors for unknown and unchangeable parameters,
-- missing roles and databases, reserved roles, a non-superuser's rights,
-- rollback, and the entries gone with their role or database. Roles and
-- databases are cluster-wide: names start with rs_ and the file drops
-- them at its end; ALTER ROLE ALL sets only a custom parameter.
DROP ROLE IF EXISTS rs_alice;
DROP ROLE IF EXISTS rs_bob;
DROP DATABASE IF EXISTS rs_db;
CREATE ROLE rs_alice LOGIN;
CREATE ROLE rs_bob;
CREATE DATABASE rs_db;
ALTER ROLE rs_alice SET work_mem = '8MB';
ALTER ROLE rs_alice SET search_path TO rs_a, "RS B", public;
ALTER ROLE rs_alice SET DateStyle = 'ISO', 'DMY';
ALTER ROLE rs_alice SET statement_timeout = 1000;
ALTER ROLE rs_alice SET timezone TO 'Europe/Paris';
ALTER ROLE rs_alice SET rs.custom = 'x y';
ALTER ROLE rs_alice SET extra_float_digits = -3;
ALTER ROLE rs_alice SET enable_rs = on;
ALTER ROLE rs_alice IN DATABASE rs_db SET lock_timeout = '5s';
ALTER USER rs_alice IN DATABASE rs_db SET application_name = rs_app;
ALTER DATABASE rs_db SET idle_session_timeout = 0;
ALTER ROLE ALL IN DATABASE rs_db SET rs.everyone = 1;
ALTER ROLE ALL SET rs.global = 'g';
SELECT r.rolname, s.setdatabase = 0 AS any_db, s.setconfig
FROM pg_db_role_setting s JOIN pg_roles r ON r.oid = s.setrole
WHERE r.rolname LIKE 'rs\_%' ORDER BY 1, 2;
SELECT d.datname, s.setconfig FROM pg_db_role_setting s JOIN pg_database d ON d.oid = s.setdatabase
WHERE s.setrole = 0 ORDER BY 1;
SELECT s.setconfig FROM pg_db_role_setting s WHERE s.setrole = 0 AND s.setdatabase = 0;
SELECT rolname, rolconfig FROM pg_roles WHERE rolname LIKE 'rs\_%' ORDER BY 1;
SELECT usename, useconfig FROM pg_user WHERE usename LIKE 'rs\_%' ORDER BY 1;
-- Replacing a value keeps its place; TO DEFAULT and RESET remove it.
ALTER ROLE rs_alice SET work_mem TO '16MB';
ALTER ROLE rs_alice SET statement_timeout TO DEFAULT;
ALTER ROLE rs_alice RESET TimeZone;
ALTER ROLE rs_alice RESET rs.custom;
ALTER ROLE rs_alice RESET lock_timeout;
SELECT rolconfig FROM pg_roles WHERE rolname = 'rs_alice';
SET work_mem = '3MB';
ALTER ROLE rs_bob SET work_mem FROM CURRENT;
ALTER ROLE rs_bob SET search_path FROM CURRENT;
RESET work_mem;
SELECT rolconfig FROM pg_roles WHERE rolname = 'rs_bob';
-- Errors.
ALTER ROLE rs_alice SET rs_nosuch = 1;
ALTER ROLE rs_alice SET work_mem = 'abc';
ALTER ROLE rs_alice SET work_mem = '1MB', '2MB';
ALTER ROLE rs_alice SET server_version = '1';
ALTER ROLE rs_alice SET max_connections = 5;
ALTER ROLE rs_alice SET statement_timeout = -5;
ALTER ROLE rs_alice RESET rs_nosuch;
ALTER ROLE rs_nobody SET work_mem = '1MB';
ALTER DATABASE rs_nodb SET work_mem = '1MB';
ALTER DATABASE rs_nodb RESET ALL;
ALTER ROLE rs_alice IN DATABASE rs_nodb SET work_mem = '1MB';
ALTER ROLE pg_monitor SET work_mem = '1MB';
ALTER ROLE rs_alice SET work_mem;
ALTER ROLE rs_alice SET work_mem = ;
ALTER DATABASE rs_db RESET;
-- A non-superuser may change its own settings, not another role's.
GRANT CREATE ON SCHEMA public TO rs_alice;
SET ROLE rs_alice;
ALTER ROLE rs_alice SET work_mem = '2MB';
ALTER ROLE CURRENT_USER SET lock_timeout = '1s';
ALTER ROLE rs_alice SET rs.mine = 'ok';
ALTER ROLE rs_bob SET work_mem = '1MB';
ALTER ROLE ALL SET rs.x = 1;
ALTER DATABASE rs_db SET work_mem = '1MB';
ALTER ROLE rs_alice IN DATABASE rs_db SET work_mem = '1MB';
ALTER ROLE rs_alice IN DATABASE rs_db RESET work_mem;
RESET ROLE;
REVOKE CREATE ON SCHEMA public FROM rs_alice;
SELECT rolconfig FROM pg_roles WHERE rolname = 'rs_alice';
-- Transactional.
BEGIN;
ALTER ROLE rs_bob RESET ALL;
SELECT count(*) FROM pg_db_role_setting s JOIN pg_roles r ON r.oid = s.setrole WHERE r.rolname = 'rs_bob';
ROLLBACK;
SELECT count(*) FROM pg_db_role_setting s JOIN pg_roles r ON r.oid = s.setrole WHERE r.rolname = 'rs_bob';
-- RESET ALL, and entries gone with their role or database.
ALTER ROLE rs_alice RESET ALL;
SELECT count(*) FROM pg_db_role_setting s JOIN pg_roles r ON r.oid = s.setrole WHERE r.rolname = 'rs_alice';
ALTER ROLE ALL RESET ALL;
DROP ROLE rs_bob;
DROP DATABASE rs_db;
SELECT count(*) FROM pg_db_role_setting s LEFT JOIN pg_roles r ON r.oid = s.setrole
WHERE r.rolname LIKE 'rs\_%' OR s.setrole <> 0 AND r.oid IS NULL;
SELECT count(*) FROM pg_db_role_setting s LEFT JOIN pg_database d ON d.oid = s.setdatabase
WHERE s.setdatabase <> 0 AND d.oid IS NULL;
SELECT count(*) FROM pg_db_role_setting WHERE setrole = 0 AND setdatabase = 0;
DROP ROLE rs_alice;
