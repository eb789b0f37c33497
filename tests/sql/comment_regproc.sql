-- COMMENT ON with dollar-quoted text on every kind sqlparser reads
-- (tables, columns, schemas, types, views, indexes, sequences) and on
-- those pgfork parses itself (functions, constraints, triggers); and
-- 'f(int)'::regprocedure and 'f'::regproc naming user functions.
CREATE TABLE cr_t (a int CONSTRAINT cr_chk CHECK (a > 0));
CREATE INDEX cr_i ON cr_t (a);
CREATE SEQUENCE cr_s;
CREATE VIEW cr_v AS SELECT a FROM cr_t;
CREATE SCHEMA cr_schema;
CREATE TYPE cr_e AS ENUM ('x');
CREATE DOMAIN cr_d AS int;
CREATE FUNCTION cr_f(int) RETURNS int LANGUAGE sql AS 'SELECT $1';
CREATE FUNCTION cr_f(text, int) RETURNS int LANGUAGE sql AS 'SELECT $2';
CREATE FUNCTION cr_g() RETURNS int LANGUAGE sql AS 'SELECT 1';
COMMENT ON TABLE cr_t IS $$it's a table$$;
COMMENT ON COLUMN cr_t.a IS $q$a 'column'$q$;
COMMENT ON INDEX cr_i IS $$index$$;
COMMENT ON SEQUENCE cr_s IS $$seq$$;
COMMENT ON VIEW cr_v IS $x$view$x$;
COMMENT ON SCHEMA cr_schema IS $$schema$$;
COMMENT ON TYPE cr_e IS $$enum$$;
COMMENT ON DOMAIN cr_d IS $$domain$$;
COMMENT ON FUNCTION cr_g() IS $$function$$;
COMMENT ON CONSTRAINT cr_chk ON cr_t IS $$check$$;
COMMENT ON TABLE cr_t IS $$$$;
SELECT obj_description('cr_t'::regclass, 'pg_class'), col_description('cr_t'::regclass, 1);
SELECT obj_description('cr_i'::regclass, 'pg_class'), obj_description('cr_s'::regclass, 'pg_class'),
       obj_description('cr_v'::regclass, 'pg_class');
SELECT d.description FROM pg_description d JOIN pg_namespace n ON n.oid = d.objoid WHERE n.nspname = 'cr_schema';
SELECT d.description FROM pg_description d JOIN pg_type t ON t.oid = d.objoid WHERE t.typname IN ('cr_e', 'cr_d') ORDER BY 1;
SELECT d.description FROM pg_description d JOIN pg_proc p ON p.oid = d.objoid WHERE p.proname = 'cr_g';
SELECT d.description FROM pg_description d JOIN pg_constraint c ON c.oid = d.objoid WHERE c.conname = 'cr_chk';
COMMENT ON TABLE cr_t IS 'a' $$b$$;

-- regproc and regprocedure of user functions.
SELECT 'cr_f(int)'::regprocedure, 'cr_f(integer)'::regprocedure::text;
SELECT 'cr_f(text, int4)'::regprocedure, 'public.cr_f(int)'::regprocedure;
SELECT 'cr_f(int)'::regprocedure::oid = (SELECT oid FROM pg_proc WHERE proname = 'cr_f' AND pronargs = 1);
SELECT 'cr_g'::regproc, 'cr_g()'::regprocedure, 'public.cr_g'::regproc;
SELECT 'cr_g'::regproc::oid = (SELECT oid FROM pg_proc WHERE proname = 'cr_g');
SELECT 'cr_f'::regproc;
SELECT 'cr_f(bigint)'::regprocedure;
SELECT 'cr_nope'::regproc;
SELECT 'cr_nope(int)'::regprocedure;
SELECT 'cr_g'::regprocedure;
SELECT oid::regprocedure, oid::regproc FROM pg_proc WHERE proname LIKE 'cr\_%' ORDER BY 1::text;
SELECT to_regproc('cr_g'), to_regprocedure('cr_f(int)'), to_regproc('cr_f'), to_regprocedure('cr_nope()');
DROP FUNCTION cr_f(int);
DROP FUNCTION cr_f(text, int);
DROP FUNCTION cr_g();
DROP VIEW cr_v;
DROP TABLE cr_t;
DROP SEQUENCE cr_s;
DROP SCHEMA cr_schema;
DROP TYPE cr_e;
DROP DOMAIN cr_d;
