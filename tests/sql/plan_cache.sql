-- The simple protocol's statement cache (tcop/plancache.rs): the same
-- text run again after whatever its plan depends on changed must give
-- what PostgreSQL 15 gives (which plans every simple query afresh).
CREATE TABLE pc (id int PRIMARY KEY, v text);
INSERT INTO pc VALUES (1, 'a'), (2, 'b'), (3, 'c');
SELECT * FROM pc ORDER BY id;
SELECT * FROM pc ORDER BY id;
-- A column added, then the same SELECT * sees it.
ALTER TABLE pc ADD COLUMN w int DEFAULT 7;
SELECT * FROM pc ORDER BY id;
SELECT * FROM pc ORDER BY id;
-- Dropped and created again with other columns.
DROP TABLE pc;
SELECT * FROM pc ORDER BY id;
CREATE TABLE pc (id bigint, name varchar(10), flag bool);
INSERT INTO pc VALUES (10, 'x', true), (5, 'y', NULL);
SELECT * FROM pc ORDER BY id;
SELECT * FROM pc ORDER BY id;
-- A column's type changed.
ALTER TABLE pc ALTER COLUMN id TYPE text;
SELECT * FROM pc ORDER BY id;
SELECT id || '!' FROM pc ORDER BY id;
SELECT id || '!' FROM pc ORDER BY id;
-- An index created: the same rows either way.
SELECT name FROM pc WHERE id = '10';
CREATE INDEX pc_id ON pc (id);
SELECT name FROM pc WHERE id = '10';
SELECT name FROM pc WHERE id = '10';
DROP INDEX pc_id;
SELECT name FROM pc WHERE id = '10';
-- The search path decides which table a name means.
CREATE SCHEMA pcs;
CREATE TABLE pcs.pc (only_here int);
INSERT INTO pcs.pc VALUES (42);
SELECT * FROM pc ORDER BY 1;
SET search_path = pcs, public;
SELECT * FROM pc ORDER BY 1;
SELECT * FROM pc ORDER BY 1;
RESET search_path;
SELECT * FROM pc ORDER BY 1;
SELECT set_config('search_path', 'pcs', false);
SELECT * FROM pc ORDER BY 1;
RESET search_path;
SELECT * FROM pc ORDER BY 1;
-- A setting read when literals are: TimeZone.
SET TimeZone = 'UTC';
SELECT '2024-01-01 12:00'::timestamptz;
SET TimeZone = 'Asia/Tokyo';
SELECT '2024-01-01 12:00'::timestamptz;
SELECT '2024-01-01 12:00'::timestamptz;
RESET TimeZone;
-- 'now' is read when the statement is parsed: never kept.
SELECT 'now'::timestamptz = now();
SELECT 'now'::timestamptz = now();
SELECT 'today'::date = current_date;
SELECT 'today'::date = current_date;
BEGIN;
SELECT 'now'::timestamptz = now();
SELECT 'now'::timestamptz = now();
COMMIT;
-- Functions and sequences run at each execution.
CREATE SEQUENCE pcseq;
SELECT nextval('pcseq');
SELECT nextval('pcseq');
SELECT currval('pcseq');
CREATE FUNCTION pcf(int) RETURNS int LANGUAGE sql AS 'SELECT $1 + 1';
SELECT pcf(1);
SELECT pcf(1);
CREATE OR REPLACE FUNCTION pcf(int) RETURNS int LANGUAGE sql AS 'SELECT $1 + 100';
SELECT pcf(1);
DROP FUNCTION pcf(int);
SELECT pcf(1);
-- Errors are the same every time.
SELECT 1 / 0;
SELECT 1 / 0;
SELECT * FROM no_such_table;
SELECT * FROM no_such_table;
SELEC 1;
SELEC 1;
SELECT $1;
SELECT $1;
-- In a failed block only ROLLBACK runs, whatever was kept.
BEGIN;
SELECT name FROM pc WHERE id = '10';
SELECT 1 / 0;
SELECT name FROM pc WHERE id = '10';
ROLLBACK;
SELECT name FROM pc WHERE id = '10';
-- DDL rolled back: the plan made inside the block must go.
BEGIN;
ALTER TABLE pc ADD COLUMN extra int DEFAULT 1;
SELECT * FROM pc ORDER BY id;
ROLLBACK;
SELECT * FROM pc ORDER BY id;
SELECT * FROM pc ORDER BY id;
-- DML kept and run again.
INSERT INTO pc VALUES ('7', 'z', false);
INSERT INTO pc VALUES ('7', 'z', false);
UPDATE pc SET flag = NOT flag WHERE id = '7' RETURNING *;
UPDATE pc SET flag = NOT flag WHERE id = '7' RETURNING *;
DELETE FROM pc WHERE id = '7' RETURNING id;
DELETE FROM pc WHERE id = '7' RETURNING id;
SELECT * FROM pc ORDER BY id FOR UPDATE;
SELECT * FROM pc ORDER BY id FOR UPDATE;
WITH d AS (DELETE FROM pc WHERE id = '5' RETURNING *) SELECT count(*) FROM d;
WITH d AS (DELETE FROM pc WHERE id = '5' RETURNING *) SELECT count(*) FROM d;
-- Several statements in one string, and EXECUTE of a prepared one.
SELECT 1; SELECT 2;
SELECT 1; SELECT 2;
PREPARE pcp AS SELECT count(*) FROM pc;
EXECUTE pcp;
INSERT INTO pc VALUES ('8', 'q', true);
EXECUTE pcp;
DEALLOCATE pcp;
-- The setting itself (PostgreSQL takes it as a custom setting).
SET pgfork.plan_cache_size = 0;
SELECT count(*) FROM pc;
SELECT count(*) FROM pc;
RESET pgfork.plan_cache_size;
DISCARD PLANS;
SELECT count(*) FROM pc;
