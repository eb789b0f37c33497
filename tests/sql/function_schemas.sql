-- Functions and procedures in schemas other than public: CREATE [OR
-- REPLACE] qualified and through the search path, calls and CALL
-- resolved qualified or through the path (pg_catalog's built-ins first),
-- overloads across schemas, DROP, COMMENT and ALTER ... OWNER TO of a
-- qualified routine, pg_proc.pronamespace and what prints routine names
-- (regproc, regprocedure, pg_get_functiondef, pg_get_triggerdef,
-- pg_function_is_visible), triggers calling a function in a schema, and
-- DROP SCHEMA RESTRICT/CASCADE of a schema holding routines.
CREATE SCHEMA s;
CREATE FUNCTION s.f(a int) RETURNS int LANGUAGE sql AS 'SELECT a * 10';
CREATE FUNCTION s.f(a int) RETURNS int LANGUAGE sql AS 'SELECT a * 10';
CREATE OR REPLACE FUNCTION s.f(a int) RETURNS int LANGUAGE sql AS 'SELECT a * 100';
CREATE OR REPLACE FUNCTION s.f(a int) RETURNS text LANGUAGE sql AS 'SELECT a::text';
CREATE FUNCTION f(a int) RETURNS int LANGUAGE sql AS 'SELECT a + 1';
CREATE FUNCTION s.g(t text) RETURNS text LANGUAGE sql AS $$SELECT 'g:' || t$$;
CREATE FUNCTION s.series(n int) RETURNS SETOF int LANGUAGE sql AS 'SELECT generate_series(1, n)';
CREATE PROCEDURE s.p(INOUT x int) LANGUAGE sql AS 'SELECT x * 2';
CREATE FUNCTION nosuch.f() RETURNS int LANGUAGE sql AS 'SELECT 1';
CREATE FUNCTION s.bad() RETURNS int LANGUAGE sql AS 'SELECT nosuch_column';
-- Qualified and unqualified calls.
SELECT s.f(2), f(2), public.f(2), pg_catalog.lower('AbC');
SELECT s.g('x');
SELECT g('x');
SELECT nosuch.f(1);
SELECT s.nosuch(1);
SELECT s.lower('x');
SELECT s.f('x');
SELECT * FROM s.series(3) AS n;
SELECT * FROM series(3);
SELECT x FROM s.series(2) AS t(x) ORDER BY x DESC;
SELECT s.f(a => 5);
CALL s.p(4);
CALL p(4);
CALL nosuch.p(4);
CALL s.f(1);
SELECT s.p(1);
-- The catalog.
SELECT p.proname, n.nspname, p.prokind FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace WHERE n.nspname IN ('s', 'public') ORDER BY 1, 2;
SELECT 's.f'::regproc, 'f'::regproc, 's.f(int)'::regprocedure, 'f(int)'::regprocedure, 'public.f(int)'::regprocedure;
SELECT 's.g'::regproc;
SELECT 'g'::regproc;
SELECT 'nosuch.g'::regproc;
SELECT 's.g(text)'::regprocedure::oid = 's.g'::regproc::oid;
SELECT pg_function_is_visible('s.f(int)'::regprocedure), pg_function_is_visible('public.f(int)'::regprocedure), pg_function_is_visible('s.g'::regproc);
SELECT pg_get_functiondef('s.f(int)'::regprocedure);
SELECT pg_get_functiondef('s.p'::regproc);
SELECT pg_get_function_identity_arguments('s.p'::regproc), pg_get_function_result('s.series'::regproc);
-- The search path: the first schema holding a routine of the same
-- input types hides the others; overloads across schemas all count.
SET search_path = s, public;
SELECT f(2), g('y'), s.f(2), public.f(2);
SELECT 'f(int)'::regprocedure, 'public.f(int)'::regprocedure, 's.g'::regproc, 'g'::regproc;
SELECT pg_function_is_visible('s.f(int)'::regprocedure), pg_function_is_visible('public.f(int)'::regprocedure);
CREATE FUNCTION h(n numeric) RETURNS text LANGUAGE sql AS $$SELECT 'in s'$$;
SET search_path = public, s;
SELECT f(2), g('z');
CREATE FUNCTION h(n int) RETURNS text LANGUAGE sql AS $$SELECT 'in public'$$;
SELECT h(1), h(1.5);
SELECT p.proname, n.nspname FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace WHERE p.proname = 'h' ORDER BY 2;
CALL p(5);
-- A user function of a built-in's name and input types: pg_catalog
-- comes first unless the path puts it later.
CREATE FUNCTION s.upper(t text) RETURNS text LANGUAGE sql AS $$SELECT 'mine'$$;
SELECT upper('a'), s.upper('a');
SET search_path = s, pg_catalog, public;
SELECT upper('a'), pg_catalog.upper('a');
SELECT pg_function_is_visible('s.upper'::regproc);
SET search_path = public, s;
SELECT pg_function_is_visible('s.upper'::regproc);
-- No schema to create in.
SET search_path = '';
CREATE FUNCTION nowhere() RETURNS int LANGUAGE sql AS 'SELECT 1';
SELECT s.f(3), public.f(3);
SELECT 's.f'::regproc, 'public.f(int)'::regprocedure;
RESET search_path;
-- DROP, COMMENT and ALTER ... OWNER TO name the routine by schema.
COMMENT ON FUNCTION s.f(int) IS 'ten times';
SELECT obj_description('s.f(int)'::regprocedure, 'pg_proc'), obj_description('public.f(int)'::regprocedure, 'pg_proc');
COMMENT ON FUNCTION nosuch.f(int) IS 'x';
COMMENT ON FUNCTION s.nosuch(int) IS 'x';
CREATE ROLE fn_owner;
ALTER FUNCTION s.g(text) OWNER TO fn_owner;
SELECT pg_get_userbyid(proowner) FROM pg_proc WHERE oid = 's.g(text)'::regprocedure;
ALTER FUNCTION s.g(text) OWNER TO CURRENT_USER;
DROP FUNCTION s.nosuch(int);
DROP FUNCTION IF EXISTS s.nosuch(int);
DROP FUNCTION IF EXISTS nosuch.f(int);
DROP FUNCTION nosuch.f(int);
DROP FUNCTION h;
DROP FUNCTION s.h;
SELECT count(*) FROM pg_proc WHERE proname = 'h';
DROP FUNCTION f(int);
SELECT s.f(2);
SELECT f(2);
DROP PROCEDURE s.f(int);
DROP FUNCTION s.p(int);
-- Triggers calling a function in a schema.
CREATE FUNCTION s.bump() RETURNS trigger LANGUAGE plpgsql AS $$BEGIN NEW.a := NEW.a + 1; RETURN NEW; END$$;
CREATE TABLE tt (a int);
CREATE TRIGGER tr BEFORE INSERT ON tt FOR EACH ROW EXECUTE FUNCTION s.bump();
CREATE TRIGGER tr2 BEFORE INSERT ON tt FOR EACH ROW EXECUTE FUNCTION bump();
CREATE TRIGGER tr2 BEFORE INSERT ON tt FOR EACH ROW EXECUTE FUNCTION nosuch.bump();
CREATE TRIGGER tr2 BEFORE INSERT ON tt FOR EACH ROW EXECUTE FUNCTION s.f();
INSERT INTO tt VALUES (1);
SELECT * FROM tt;
SELECT tgname, pg_get_triggerdef(oid) FROM pg_trigger WHERE tgrelid = 'tt'::regclass;
SELECT tgfoid = 's.bump'::regproc FROM pg_trigger WHERE tgname = 'tr';
SET search_path = public, s;
SELECT pg_get_triggerdef(oid) FROM pg_trigger WHERE tgname = 'tr';
RESET search_path;
-- DROP SCHEMA: RESTRICT refuses, CASCADE drops the routines and the
-- triggers that call them.
DROP SCHEMA s;
DROP SCHEMA s RESTRICT;
DROP SCHEMA s CASCADE;
SELECT count(*) FROM pg_proc WHERE proname IN ('f', 'g', 'series', 'p', 'bump', 'upper') AND pronamespace <> 'pg_catalog'::regnamespace;
SELECT count(*) FROM pg_trigger WHERE tgname = 'tr';
INSERT INTO tt VALUES (1);
SELECT * FROM tt ORDER BY a;
-- Unqualified CREATE goes in the path's first schema.
CREATE SCHEMA s2;
SET search_path = s2, public;
CREATE FUNCTION made_here() RETURNS int LANGUAGE sql AS 'SELECT 7';
CREATE PROCEDURE proc_here() LANGUAGE sql AS 'SELECT 1';
RESET search_path;
SELECT n.nspname, p.proname FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace WHERE p.proname IN ('made_here', 'proc_here') ORDER BY 2;
SELECT made_here();
SELECT s2.made_here();
CALL s2.proc_here();
SELECT 's2.made_here'::regproc, 's2.made_here()'::regprocedure;
-- A same-named routine in another schema is another routine.
CREATE FUNCTION made_here() RETURNS int LANGUAGE sql AS 'SELECT 8';
SELECT made_here(), s2.made_here();
DROP SCHEMA s2 CASCADE;
SELECT made_here();
DROP FUNCTION made_here();
DROP TABLE tt;
DROP ROLE fn_owner;
-- ALTER FUNCTION | PROCEDURE | ROUTINE ... RENAME TO and SET SCHEMA.
CREATE SCHEMA r1;
CREATE SCHEMA r2;
CREATE FUNCTION r1.f(int) RETURNS int LANGUAGE sql AS 'SELECT $1 + 1';
CREATE FUNCTION r2.f(int) RETURNS int LANGUAGE sql AS 'SELECT $1 + 2';
CREATE PROCEDURE r1.p() LANGUAGE sql AS 'SELECT 1';
ALTER FUNCTION r1.f(int) SET SCHEMA r2;
ALTER FUNCTION r1.f(int) SET SCHEMA nosuch;
ALTER FUNCTION r1.f(int) SET SCHEMA r1;
ALTER FUNCTION r1.f(int) RENAME TO f;
ALTER FUNCTION r1.f(int) RENAME TO g;
SELECT r1.g(1);
SELECT r1.f(1);
ALTER FUNCTION r1.g SET SCHEMA public;
SELECT g(1), public.g(1);
ALTER FUNCTION g(int) RENAME TO renamed;
SELECT renamed(1), 'renamed'::regproc;
ALTER PROCEDURE r1.p() RENAME TO q;
ALTER FUNCTION r1.q() RENAME TO q2;
ALTER ROUTINE r1.q() SET SCHEMA r2;
CALL r2.q();
CALL r1.q();
ALTER FUNCTION nosuch.f(int) RENAME TO z;
ALTER FUNCTION r2.nosuch(int) RENAME TO z;
ALTER FUNCTION renamed(int) SET SCHEMA r2;
SELECT r2.renamed(1), r2.f(1);
SELECT p.proname, n.nspname, p.prokind FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace WHERE n.nspname IN ('r1', 'r2') ORDER BY 2, 1;
CREATE ROLE fn_other;
SET ROLE fn_other;
ALTER FUNCTION r2.f(int) RENAME TO mine;
RESET ROLE;
DROP ROLE fn_other;
DROP SCHEMA r1, r2 CASCADE;
-- A view calling a user function names it as the reader's path shows
-- it (pg_dump empties the path).
CREATE FUNCTION vf(int) RETURNS int LANGUAGE sql AS 'SELECT $1 * 3';
CREATE VIEW vf_view AS SELECT vf(2) AS b;
SET search_path = '';
SELECT pg_get_viewdef('public.vf_view'::regclass);
RESET search_path;
SELECT pg_get_viewdef('vf_view'::regclass), (SELECT b FROM vf_view);
DROP VIEW vf_view;
DROP FUNCTION vf(int);
-- check_function_bodies = off (pg_dump's): a body naming a routine not
-- found yet is taken.
SET check_function_bodies = off;
CREATE FUNCTION later_user() RETURNS int LANGUAGE sql AS 'SELECT defined_later()';
RESET check_function_bodies;
CREATE FUNCTION later_user2() RETURNS int LANGUAGE sql AS 'SELECT defined_later()';
CREATE FUNCTION defined_later() RETURNS int LANGUAGE sql AS 'SELECT 42';
SELECT later_user();
DROP FUNCTION later_user(), defined_later();
