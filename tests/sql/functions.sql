-- User-defined LANGUAGE sql functions: CREATE [OR REPLACE] FUNCTION with
-- named, unnamed and defaulted arguments, RETURN bodies, calls by
-- position, by name and with defaults, overloading and its errors,
-- STRICT, SETOF and RETURNS TABLE in FROM, body checks at CREATE,
-- errors inside a body, void functions, DROP FUNCTION and transactional
-- DDL.
CREATE FUNCTION add(a int, b int DEFAULT 2) RETURNS int LANGUAGE sql IMMUTABLE AS 'select a+b';
SELECT add(1), add(1, 5), add(b => 1, a => 2), add(a => 4), add(NULL);
SELECT add(1, NULL) IS NULL;
CREATE FUNCTION sq(x int) RETURNS int RETURN x * x;
SELECT sq(7), sq(add(1)), sq(-3);
CREATE FUNCTION greet(name text) RETURNS text LANGUAGE sql AS $$ SELECT 'hello ' || name $$;
SELECT greet('ann'), greet(''), greet(NULL) IS NULL;
CREATE FUNCTION by_number(int, text) RETURNS text LANGUAGE sql AS $$ SELECT $2 || $1 $$;
SELECT by_number(3, 'x');
CREATE FUNCTION qualified(n int) RETURNS int LANGUAGE sql AS 'SELECT qualified.n + 1';
SELECT qualified(1);
CREATE TABLE fitems (i int, s text);
INSERT INTO fitems VALUES (1, 'a'), (2, 'b'), (3, 'c');
CREATE FUNCTION big(n int) RETURNS SETOF int LANGUAGE sql STABLE AS $$ SELECT i FROM fitems WHERE i >= n ORDER BY i $$;
SELECT * FROM big(2);
SELECT * FROM big(10);
SELECT b FROM big(1) AS b ORDER BY b DESC;
CREATE FUNCTION tt(n int) RETURNS TABLE(x int, y text) LANGUAGE sql AS $$ SELECT i * 10, s FROM fitems WHERE i <= $1 ORDER BY i $$;
SELECT * FROM tt(2);
SELECT y FROM tt(5) WHERE x > 10 ORDER BY y;
SELECT f.i, t.y FROM fitems f, tt(f.i) t ORDER BY 1, 2;
SELECT i, sq(i), add(i, i) FROM fitems ORDER BY i;
SELECT i FROM fitems WHERE sq(i) > 3 ORDER BY i;
-- The first row of the last statement; none gives NULL.
CREATE FUNCTION firsts() RETURNS int LANGUAGE sql AS 'SELECT i FROM fitems ORDER BY i';
SELECT firsts();
CREATE FUNCTION nothing() RETURNS int LANGUAGE sql AS 'SELECT i FROM fitems WHERE false';
SELECT nothing() IS NULL;
CREATE FUNCTION two() RETURNS int LANGUAGE sql AS 'SELECT 1; SELECT 2';
SELECT two();
-- Result conversion: assignment casts are allowed, others are not.
CREATE FUNCTION narrow() RETURNS int LANGUAGE sql AS 'SELECT 5::bigint';
SELECT narrow();
CREATE FUNCTION wide() RETURNS bigint LANGUAGE sql AS 'SELECT 5';
SELECT wide();
CREATE FUNCTION bad_ret() RETURNS int LANGUAGE sql AS 'SELECT ''x''::text';
CREATE FUNCTION bad_cols() RETURNS int LANGUAGE sql AS 'SELECT 1, 2';
CREATE FUNCTION bad_col() RETURNS int LANGUAGE sql AS 'SELECT nosuch';
CREATE FUNCTION bad_param() RETURNS int LANGUAGE sql AS 'SELECT $2';
CREATE FUNCTION bad_table() RETURNS int LANGUAGE sql AS 'SELECT 1 FROM nosuch';
CREATE FUNCTION no_lang() RETURNS int AS 'SELECT 1';
CREATE FUNCTION bad_lang() RETURNS int LANGUAGE nosuchlang AS 'SELECT 1';
CREATE FUNCTION no_ret() LANGUAGE sql AS 'SELECT 1';
CREATE FUNCTION bad_defaults(a int DEFAULT 1, b int) RETURNS int LANGUAGE sql AS 'SELECT 1';
CREATE FUNCTION bad_type(a nosuchtype) RETURNS int LANGUAGE sql AS 'SELECT 1';
-- Duplicates and OR REPLACE.
CREATE FUNCTION add(a int, b int DEFAULT 2) RETURNS int LANGUAGE sql AS 'SELECT a+b';
CREATE OR REPLACE FUNCTION add(a int, b int DEFAULT 2) RETURNS int LANGUAGE sql IMMUTABLE AS 'SELECT a*b';
SELECT add(3);
CREATE OR REPLACE FUNCTION add(a int, b int DEFAULT 2) RETURNS bigint LANGUAGE sql AS 'SELECT a*b';
-- Resolution errors.
SELECT nosuchf(1);
SELECT add('x');
SELECT add(1, 2, 3);
SELECT add(c => 1);
SELECT add(a => 1, a => 2);
-- Overloading.
CREATE FUNCTION ov(int) RETURNS text LANGUAGE sql AS 'SELECT ''int''';
CREATE FUNCTION ov(text) RETURNS text LANGUAGE sql AS 'SELECT ''text''';
SELECT ov(1), ov('a'::text), ov('a');
CREATE FUNCTION ov2(int, bigint) RETURNS text LANGUAGE sql AS 'SELECT ''a''';
CREATE FUNCTION ov2(bigint, int) RETURNS text LANGUAGE sql AS 'SELECT ''b''';
SELECT ov2(1, 1);
SELECT ov2(1::bigint, 1);
-- A user function does not hide a built-in one of other argument types.
CREATE FUNCTION lower(int) RETURNS text LANGUAGE sql AS 'SELECT ''mine''';
SELECT lower(1), lower('ABC');
DROP FUNCTION lower(int);
-- STRICT.
CREATE FUNCTION s1(x int) RETURNS int STRICT LANGUAGE sql AS 'SELECT 42';
SELECT s1(NULL) IS NULL, s1(1);
CREATE FUNCTION s2(x int) RETURNS int RETURNS NULL ON NULL INPUT LANGUAGE sql AS 'SELECT 42';
SELECT s2(NULL) IS NULL;
CREATE FUNCTION s3(x int) RETURNS int CALLED ON NULL INPUT LANGUAGE sql AS 'SELECT 42';
SELECT s3(NULL);
-- Errors inside a body.
CREATE FUNCTION dz(x int) RETURNS int LANGUAGE sql AS 'SELECT 1/x';
SELECT dz(0);
SELECT dz(2);
-- Options PostgreSQL accepts.
CREATE FUNCTION opts(x int) RETURNS int LANGUAGE sql STABLE PARALLEL SAFE SECURITY INVOKER COST 5 LEAKPROOF AS 'SELECT x';
SELECT opts(3);
CREATE FUNCTION v() RETURNS void LANGUAGE sql AS 'SELECT 1';
SELECT v();
-- Functions see later catalog changes.
CREATE FUNCTION countf() RETURNS bigint LANGUAGE sql AS 'SELECT count(*) FROM fitems';
SELECT countf();
INSERT INTO fitems VALUES (4, 'd');
SELECT countf();
-- Transactional.
BEGIN;
CREATE FUNCTION rb() RETURNS int LANGUAGE sql AS 'SELECT 1';
SELECT rb();
ROLLBACK;
SELECT rb();
BEGIN;
DROP FUNCTION sq(int);
ROLLBACK;
SELECT sq(2);
-- DROP.
DROP FUNCTION add(int, int);
DROP FUNCTION add;
DROP FUNCTION IF EXISTS add;
DROP FUNCTION IF EXISTS add(int);
DROP FUNCTION ov;
DROP FUNCTION ov(int), ov(text);
DROP FUNCTION ov(bigint);
SELECT ov(1);
DROP FUNCTION sq, greet, by_number, qualified, big, tt, firsts, nothing, two, narrow, wide, s1, s2, s3, dz, opts, v, countf, ov2(int, bigint), ov2(bigint, int);
DROP TABLE fitems;
