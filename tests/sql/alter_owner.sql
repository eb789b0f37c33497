-- ALTER FUNCTION | PROCEDURE | ROUTINE | TYPE | [MATERIALIZED] VIEW |
-- SEQUENCE ... OWNER TO, as pg_dump writes them after each routine and
-- type, with the owner seen in pg_proc, pg_type and pg_class, and
-- PostgreSQL's errors: missing objects and roles, a table's row type, a
-- sequence a column owns, wrong kinds, and a role that is not a
-- superuser giving away what it does not own or to a role it is not a
-- member of. Roles are cluster-wide: every name starts with ao_ and the
-- file drops them all at its end.
CREATE ROLE ao_a;
CREATE ROLE ao_b;
CREATE FUNCTION ao_f(int) RETURNS int LANGUAGE sql AS 'SELECT $1';
CREATE FUNCTION ao_f(text) RETURNS text LANGUAGE sql AS 'SELECT $1';
CREATE FUNCTION ao_g() RETURNS int LANGUAGE sql AS 'SELECT 1';
CREATE PROCEDURE ao_p(int) LANGUAGE sql AS 'SELECT 1';
CREATE TYPE ao_mood AS ENUM ('sad', 'ok');
CREATE TYPE ao_pair AS (a int, b text);
CREATE DOMAIN ao_dom AS int CHECK (VALUE > 0);
CREATE TABLE ao_t (id serial, v int);
CREATE VIEW ao_v AS SELECT v FROM ao_t;
CREATE MATERIALIZED VIEW ao_mv AS SELECT 1 AS one;
CREATE SEQUENCE ao_seq;
ALTER FUNCTION ao_f(integer) OWNER TO ao_a;
ALTER FUNCTION public.ao_f(text) OWNER TO ao_b;
ALTER FUNCTION ao_g OWNER TO ao_a;
ALTER FUNCTION ao_f OWNER TO ao_a;
ALTER FUNCTION ao_f(bigint) OWNER TO ao_a;
ALTER FUNCTION ao_nope() OWNER TO ao_a;
ALTER FUNCTION ao_p(int) OWNER TO ao_a;
ALTER PROCEDURE ao_p(int) OWNER TO ao_a;
ALTER PROCEDURE ao_g() OWNER TO ao_a;
ALTER ROUTINE ao_g() OWNER TO ao_b;
ALTER ROUTINE ao_p OWNER TO ao_b;
ALTER FUNCTION ao_g() OWNER TO ao_nobody;
ALTER FUNCTION ao_g() OWNER TO CURRENT_USER;
SELECT proname, pg_get_function_identity_arguments(oid), replace(proowner::regrole::text, current_user, 'OWNER') FROM pg_proc WHERE proname LIKE 'ao\_%' ORDER BY 1, 2;
ALTER TYPE ao_mood OWNER TO ao_a;
ALTER TYPE public.ao_pair OWNER TO ao_b;
ALTER TYPE ao_dom OWNER TO ao_a;
ALTER TYPE ao_t OWNER TO ao_a;
ALTER TYPE ao_v OWNER TO ao_a;
ALTER TYPE ao_nope OWNER TO ao_a;
ALTER TYPE nosuchschema.ao_mood OWNER TO ao_a;
ALTER TYPE ao_mood OWNER TO ao_nobody;
SELECT typname, replace(typowner::regrole::text, current_user, 'OWNER') FROM pg_type WHERE typname IN ('ao_mood', '_ao_mood', 'ao_pair', 'ao_dom') ORDER BY 1;
SELECT relname, replace(relowner::regrole::text, current_user, 'OWNER') FROM pg_class WHERE relname = 'ao_pair';
ALTER VIEW ao_v OWNER TO ao_a;
ALTER VIEW IF EXISTS ao_nope OWNER TO ao_a;
ALTER VIEW ao_nope OWNER TO ao_a;
ALTER MATERIALIZED VIEW ao_mv OWNER TO ao_b;
ALTER MATERIALIZED VIEW ao_v OWNER TO ao_b;
ALTER MATERIALIZED VIEW IF EXISTS ao_nope OWNER TO ao_b;
ALTER SEQUENCE ao_seq OWNER TO ao_a;
ALTER SEQUENCE ao_t_id_seq OWNER TO ao_a;
ALTER SEQUENCE IF EXISTS ao_nope OWNER TO ao_a;
ALTER SEQUENCE ao_t OWNER TO ao_a;
SELECT relname, replace(relowner::regrole::text, current_user, 'OWNER') FROM pg_class WHERE relname LIKE 'ao\_%' ORDER BY 1;
-- Syntax errors.
ALTER FUNCTION OWNER TO ao_a;
ALTER TYPE ao_mood OWNER TO;
ALTER VIEW ao_v ao_w OWNER TO ao_a;
-- A role that is not a superuser: it must own the object (or be a
-- member of its owner) and be a member of the new owner.
CREATE ROLE ao_c;
GRANT ao_b TO ao_c;
GRANT CREATE ON SCHEMA public TO ao_b;
SET ROLE ao_c;
ALTER FUNCTION ao_f(int) OWNER TO ao_c;
ALTER TYPE ao_pair OWNER TO ao_a;
ALTER TYPE ao_mood OWNER TO ao_b;
ALTER FUNCTION ao_f(text) OWNER TO ao_c;
RESET ROLE;
SELECT proname, pg_get_function_identity_arguments(oid), replace(proowner::regrole::text, current_user, 'OWNER') FROM pg_proc WHERE proname = 'ao_f' ORDER BY 2;
-- Rolled back with its transaction.
BEGIN;
ALTER TYPE ao_mood OWNER TO ao_b;
ALTER FUNCTION ao_g() OWNER TO ao_b;
ROLLBACK;
SELECT replace(typowner::regrole::text, current_user, 'OWNER') FROM pg_type WHERE typname = 'ao_mood';
SELECT replace(proowner::regrole::text, current_user, 'OWNER') FROM pg_proc WHERE proname = 'ao_g';
DROP OWNED BY ao_a, ao_b, ao_c;
REVOKE CREATE ON SCHEMA public FROM ao_b;
DROP ROLE ao_a, ao_b, ao_c;
DROP TABLE ao_t CASCADE;
DROP FUNCTION IF EXISTS ao_g();
