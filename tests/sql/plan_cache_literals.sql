-- Literal-normalized caching (tcop/normalize.rs, tcop/plancache.rs):
-- statements that differ only in their literals share one plan when it
-- cannot depend on them. Each statement comes again with other
-- literals: results, column names and types, and errors must be
-- PostgreSQL 15's (which plans every simple query afresh).
CREATE TABLE lit (id int PRIMARY KEY, big bigint, num numeric(8, 2), name text, vc varchar(5), day date, flag bool);
INSERT INTO lit SELECT g, g * 1000000000::bigint, g / 4.0, 'n' || g, 'v' || g, date '2024-01-01' + g, g % 2 = 0 FROM generate_series(1, 50) g;
-- A point select, as pgbench -S sends it.
SELECT name FROM lit WHERE id = 7;
SELECT name FROM lit WHERE id = 8;
SELECT name FROM lit WHERE id = 9;
SELECT name FROM lit WHERE id = 0;
SELECT name FROM lit WHERE id = -3;
SELECT name FROM lit WHERE id = 2147483647;
-- An integer literal beyond int4 is int8, beyond int8 numeric.
SELECT name FROM lit WHERE id = 99999999999;
SELECT name FROM lit WHERE id = 99999999999999999999999;
SELECT name FROM lit WHERE id = 12.0;
SELECT name FROM lit WHERE id = 12.5;
-- Strings resolved by context, and strings that do not fit.
SELECT id FROM lit WHERE name = 'n12';
SELECT id FROM lit WHERE name = 'n13';
SELECT id FROM lit WHERE name = 'it''s';
SELECT id FROM lit WHERE name = '';
SELECT name FROM lit WHERE id = '14';
SELECT name FROM lit WHERE id = ' 15 ';
SELECT name FROM lit WHERE id = 'x';
SELECT name FROM lit WHERE id = '99999999999';
SELECT name FROM lit WHERE id = '';
SELECT name FROM lit WHERE day = '2024-01-20';
SELECT name FROM lit WHERE day = '2024-01-21';
SELECT name FROM lit WHERE day = 'not a date';
SELECT name FROM lit WHERE flag = 't' AND id < 6;
SELECT name FROM lit WHERE flag = 'maybe' AND id < 6;
SELECT id FROM lit WHERE vc = 'v3';
SELECT id FROM lit WHERE vc = 'v3toolongforvarchar';
SELECT id FROM lit WHERE num = 1.25;
SELECT id FROM lit WHERE num = 2.5;
SELECT id FROM lit WHERE num = 3;
SELECT id FROM lit WHERE big = 3000000000;
SELECT id FROM lit WHERE big = 4000000000;
SELECT id FROM lit WHERE big = 5;
-- Constants alone: the column's name and type are the literal's.
SELECT 1;
SELECT 2;
SELECT 2147483648;
SELECT 2147483649;
SELECT 1.50;
SELECT 2.500;
SELECT 1e3;
SELECT 'a';
SELECT 'b';
SELECT 'a' AS x, 3 AS y;
SELECT 'b' AS x, 4 AS y;
SELECT '5'::int;
SELECT '6'::int;
SELECT 'q'::int;
SELECT '7'::int4 + 1;
SELECT 1 + 1;
SELECT 2 + 2;
SELECT 2147483647 + 1;
SELECT 10 / 2;
SELECT 10 / 0;
SELECT 'ab' || 'cd';
SELECT 'ef' || 'gh';
SELECT length('abc');
SELECT length('abcdef');
SELECT '1.5'::numeric(5, 1);
SELECT '2.25'::numeric(5, 1);
SELECT 'abcdef'::varchar(3);
SELECT 'ab'::varchar(3);
SELECT DATE '2024-05-06' + 1;
SELECT DATE '2024-05-07' + 2;
SELECT interval '1' day;
SELECT interval '2' day;
-- Counts and positions are not values.
SELECT id FROM lit ORDER BY 1 DESC LIMIT 3;
SELECT id FROM lit ORDER BY 1 LIMIT 2;
SELECT id FROM lit ORDER BY id LIMIT 2 OFFSET 5;
SELECT id FROM lit ORDER BY id LIMIT 3 OFFSET 10;
SELECT flag, count(*) FROM lit WHERE id > 10 GROUP BY 1 ORDER BY 1;
SELECT flag, count(*) FROM lit WHERE id > 40 GROUP BY 1 ORDER BY 1;
SELECT id FROM lit WHERE id < 20 ORDER BY id % 7, id LIMIT 4;
SELECT id FROM lit WHERE id < 30 ORDER BY id % 5, id LIMIT 4;
-- IN lists, BETWEEN, CASE, functions.
SELECT id FROM lit WHERE id IN (1, 2, 3) ORDER BY id;
SELECT id FROM lit WHERE id IN (4, 5, 6) ORDER BY id;
SELECT id FROM lit WHERE id BETWEEN 3 AND 5 ORDER BY id;
SELECT id FROM lit WHERE id BETWEEN 30 AND 31 ORDER BY id;
SELECT CASE WHEN id > 2 THEN 'big' ELSE 'small' END FROM lit WHERE id < 5 ORDER BY id;
SELECT CASE WHEN id > 3 THEN 'large' ELSE 'tiny' END FROM lit WHERE id < 5 ORDER BY id;
SELECT substr(name, 1, 2) FROM lit WHERE id = 21;
SELECT substr(name, 2, 1) FROM lit WHERE id = 22;
SELECT name FROM lit WHERE name LIKE 'n4%' ORDER BY id;
SELECT name FROM lit WHERE name LIKE 'n3%' ORDER BY id;
-- NULL is no literal; negative numbers.
SELECT name FROM lit WHERE id = -1 OR id = 1;
SELECT name FROM lit WHERE id = -2 OR id = 2;
SELECT NULL, 1;
SELECT NULL, 2;
SELECT -5, -6 AS n;
SELECT -7, -8 AS n;
SELECT -2147483648;
SELECT -2147483647;
SELECT -2147483649;
SELECT -9223372036854775808;
SELECT -9223372036854775809;
SELECT 0.5::numeric, 2::int8;
SELECT -0.5::numeric, -3::int8;
SELECT -0.25::numeric, -4::int8;
SELECT -1.5, - 2, 3-1, 4 - -1;
SELECT -2.5, - 3, 4-1, 5 - -2;
SELECT id FROM lit WHERE id > 3 ORDER BY id % -4, id LIMIT 2;
SELECT id FROM lit WHERE id > 5 ORDER BY id % -3, id LIMIT 2;
UPDATE lit SET num = num + -1 WHERE id = 1;
UPDATE lit SET num = num + -2 WHERE id = 2;
SELECT id, num FROM lit WHERE id < 3 ORDER BY id;
-- An index created, altered away and dropped between runs.
SELECT name FROM lit WHERE big = 6000000000;
CREATE INDEX lit_big ON lit (big);
SELECT name FROM lit WHERE big = 7000000000;
SELECT name FROM lit WHERE big = 8000000000;
DROP INDEX lit_big;
SELECT name FROM lit WHERE big = 9000000000;
ALTER TABLE lit ALTER COLUMN big TYPE text;
SELECT name FROM lit WHERE big = 10000000000;
SELECT name FROM lit WHERE big = '11000000000';
ALTER TABLE lit ALTER COLUMN big TYPE bigint USING big::bigint;
SELECT name FROM lit WHERE big = 12000000000;
-- A setting that changes how a string literal reads.
SET DateStyle = 'ISO, DMY';
SELECT name FROM lit WHERE day = '02-02-2024';
SET DateStyle = 'ISO, MDY';
SELECT name FROM lit WHERE day = '02-03-2024';
RESET DateStyle;
-- Data-modifying statements.
UPDATE lit SET name = 'upd' WHERE id = 40;
UPDATE lit SET name = 'upd2' WHERE id = 41;
UPDATE lit SET name = 'upd3' WHERE id = 'x';
INSERT INTO lit (id, name) VALUES (60, 'sixty');
INSERT INTO lit (id, name) VALUES (61, 'sixty-one');
INSERT INTO lit (id, name) VALUES (61, 'dup');
INSERT INTO lit (id, name) VALUES (99999999999, 'big');
DELETE FROM lit WHERE id = 60;
DELETE FROM lit WHERE id = 61;
SELECT id, name FROM lit WHERE id >= 40 ORDER BY id;
-- Inside a transaction block, and after an error in one.
BEGIN;
SELECT name FROM lit WHERE id = 16;
SELECT name FROM lit WHERE id = 17;
SELECT name FROM lit WHERE id = 'bad';
SELECT name FROM lit WHERE id = 18;
ROLLBACK;
SELECT name FROM lit WHERE id = 19;
DROP TABLE lit;
SELECT name FROM lit WHERE id = 20;
