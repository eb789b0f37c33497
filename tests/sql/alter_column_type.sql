-- ALTER TABLE ... ALTER [COLUMN] c [SET DATA] TYPE t [USING expr]: every
-- row converted (an assignment cast, or USING), several changes in one
-- statement, defaults recast, indexes rebuilt, NOT NULL / CHECK / FOREIGN
-- KEY rechecked, varchar widening, and PostgreSQL's errors (42804 with
-- its HINT, views, system columns, values that do not convert).
CREATE TABLE act (id int PRIMARY KEY, n int, s text, v varchar(5), d numeric(6, 2) DEFAULT 1.5);
INSERT INTO act VALUES (1, 10, '100', 'ab', 2.25), (2, NULL, '-7', NULL, NULL), (3, 30, '0', 'abcde', 3);
-- An assignment cast: int to bigint, int to text, numeric to int.
ALTER TABLE act ALTER COLUMN n TYPE bigint;
SELECT id, n, pg_typeof(n) FROM act ORDER BY id;
ALTER TABLE act ALTER n TYPE text;
SELECT id, n, pg_typeof(n) FROM act ORDER BY id;
ALTER TABLE act ALTER COLUMN d SET DATA TYPE int;
SELECT id, d, pg_typeof(d) FROM act ORDER BY id;
-- text to int needs USING: 42804 with the HINT.
ALTER TABLE act ALTER COLUMN s TYPE int;
ALTER TABLE act ALTER COLUMN s TYPE integer USING s::integer;
SELECT id, s, s + 1 AS s1 FROM act ORDER BY id;
-- USING any expression of the row.
ALTER TABLE act ALTER COLUMN n TYPE int USING coalesce(n::int, 0) + id;
SELECT id, n FROM act ORDER BY id;
-- A USING whose result does not cast.
ALTER TABLE act ALTER COLUMN n TYPE date USING n;
ALTER TABLE act ALTER COLUMN n TYPE boolean;
-- USING with an aggregate, a window function, a subquery, an unknown column.
ALTER TABLE act ALTER COLUMN n TYPE int USING sum(n);
ALTER TABLE act ALTER COLUMN n TYPE int USING row_number() OVER ();
ALTER TABLE act ALTER COLUMN n TYPE int USING (SELECT 1);
ALTER TABLE act ALTER COLUMN n TYPE int USING nosuch;
-- Unknown column, system column, unknown type.
ALTER TABLE act ALTER COLUMN nosuch TYPE int;
ALTER TABLE act ALTER COLUMN xmin TYPE int;
ALTER TABLE act ALTER COLUMN n TYPE nosuchtype;
ALTER TABLE nosuch ALTER COLUMN n TYPE int;
-- A value that does not convert: nothing changes.
INSERT INTO act VALUES (4, 5, 12, 'x', 0);
ALTER TABLE act ALTER COLUMN v TYPE int USING v::int;
SELECT id, v, pg_typeof(v) FROM act ORDER BY id;
-- Too long for the new typmod.
ALTER TABLE act ALTER COLUMN v TYPE varchar(2);
-- varchar widening, varchar to text and back.
ALTER TABLE act ALTER COLUMN v TYPE varchar(10);
INSERT INTO act VALUES (5, 1, 1, 'abcdefghij', 1);
ALTER TABLE act ALTER COLUMN v TYPE text;
ALTER TABLE act ALTER COLUMN v TYPE varchar;
ALTER TABLE act ALTER COLUMN v TYPE varchar(10);
SELECT id, v FROM act ORDER BY id;
SELECT attname, format_type(atttypid, atttypmod), attnotnull FROM pg_attribute WHERE attrelid = 'act'::regclass AND attnum > 0 ORDER BY attnum;
-- Several in one statement (and SET DATA TYPE), with other actions.
ALTER TABLE act ALTER COLUMN n TYPE bigint, ALTER COLUMN s TYPE numeric(10, 1) USING s * 1.5, ALTER d TYPE float8;
SELECT * FROM act ORDER BY id;
ALTER TABLE act ALTER COLUMN n TYPE int, ADD COLUMN e int DEFAULT 3, ALTER COLUMN e TYPE text;
SELECT * FROM act ORDER BY id;
-- The same column twice in one statement.
ALTER TABLE act ALTER COLUMN n TYPE numeric, ALTER COLUMN n TYPE text USING n || '!';
SELECT id, n FROM act ORDER BY id;
ALTER TABLE act ALTER COLUMN n TYPE int USING rtrim(n, '!')::int;
-- Defaults are recast (or refused).
SELECT a.attname, pg_get_expr(d.adbin, d.adrelid) FROM pg_attrdef d JOIN pg_attribute a ON a.attrelid = d.adrelid AND a.attnum = d.adnum WHERE d.adrelid = 'act'::regclass ORDER BY d.adnum;
ALTER TABLE act ALTER COLUMN v SET DEFAULT 'zz';
ALTER TABLE act ALTER COLUMN v TYPE int USING length(v);
ALTER TABLE act ALTER COLUMN d TYPE int;
INSERT INTO act (id, n, s, v) VALUES (6, 6, 6, 'q');
SELECT * FROM act ORDER BY id;
SELECT a.attname, pg_get_expr(d.adbin, d.adrelid) FROM pg_attrdef d JOIN pg_attribute a ON a.attrelid = d.adrelid AND a.attnum = d.adnum WHERE d.adrelid = 'act'::regclass ORDER BY d.adnum;
-- Indexes are rebuilt and used with the new type; a unique index rechecks.
CREATE INDEX act_s ON act (s);
CREATE UNIQUE INDEX act_v ON act (v);
ALTER TABLE act ALTER COLUMN s TYPE int USING round(s)::int;
SELECT id, s FROM act WHERE s = 10 ORDER BY id;
SELECT id FROM act WHERE id = 3;
ALTER TABLE act ALTER COLUMN v TYPE int USING 1;
ALTER TABLE act ALTER COLUMN v TYPE text USING upper(v);
SELECT id, v FROM act WHERE v = 'ABCDE';
INSERT INTO act (id, v) VALUES (7, 'ABCDE');
INSERT INTO act (id, v) VALUES (3, 'new');
SELECT indexrelid::regclass, indisunique FROM pg_index WHERE indrelid = 'act'::regclass ORDER BY 1;
-- json has no btree operator class: refused while an index covers it.
ALTER TABLE act ALTER COLUMN v TYPE json USING to_json(v);
-- NOT NULL and CHECK constraints are checked against the new values.
ALTER TABLE act ALTER COLUMN id TYPE bigint USING NULL;
ALTER TABLE act ADD CONSTRAINT act_n_pos CHECK (n > 0);
ALTER TABLE act ALTER COLUMN n TYPE int USING n - 100;
ALTER TABLE act ALTER COLUMN n TYPE bigint USING n * 2;
SELECT id, n FROM act ORDER BY id;
-- Foreign keys: types must still compare; rows are rechecked.
CREATE TABLE act_p (k int PRIMARY KEY);
INSERT INTO act_p VALUES (1), (2), (3);
CREATE TABLE act_c (r int REFERENCES act_p, note text);
INSERT INTO act_c VALUES (1, 'a'), (3, 'b'), (NULL, 'c');
ALTER TABLE act_c ALTER COLUMN r TYPE text;
ALTER TABLE act_p ALTER COLUMN k TYPE text;
ALTER TABLE act_c ALTER COLUMN r TYPE bigint;
ALTER TABLE act_c ALTER COLUMN r TYPE int USING r + 1;
ALTER TABLE act_c ALTER COLUMN r TYPE numeric;
SELECT * FROM act_c ORDER BY note;
INSERT INTO act_c VALUES (9, 'd');
ALTER TABLE act_p ALTER COLUMN k TYPE bigint;
SELECT * FROM act_p ORDER BY k;
DELETE FROM act_p WHERE k = 1;
-- A view on the column refuses the change; on another column it does not.
CREATE TABLE act_w (a int, b int);
INSERT INTO act_w VALUES (1, 2);
CREATE VIEW act_wv AS SELECT a FROM act_w;
ALTER TABLE act_w ALTER COLUMN a TYPE bigint;
ALTER TABLE act_w ALTER COLUMN b TYPE bigint;
SELECT * FROM act_wv;
SELECT format_type(atttypid, atttypmod) FROM pg_attribute WHERE attrelid = 'act_w'::regclass AND attname = 'b';
-- A table with a dropped column and a column added with a missing value.
CREATE TABLE act_m (a int, b int, c text);
INSERT INTO act_m VALUES (1, 2, 'x'), (2, NULL, 'y');
ALTER TABLE act_m DROP COLUMN b;
ALTER TABLE act_m ADD COLUMN m int DEFAULT 42;
ALTER TABLE act_m ALTER COLUMN a TYPE text USING a || c;
SELECT * FROM act_m ORDER BY a;
ALTER TABLE act_m ALTER COLUMN m TYPE smallint;
SELECT *, pg_typeof(m) FROM act_m ORDER BY a;
-- Empty table, serial column.
CREATE TABLE act_e (id serial, x text);
ALTER TABLE act_e ALTER COLUMN id TYPE bigint, ALTER COLUMN x TYPE int USING x::int;
INSERT INTO act_e (x) VALUES (5);
SELECT * FROM act_e;
-- Inside a transaction block: rolled back, the table is as it was.
BEGIN;
ALTER TABLE act_e ALTER COLUMN x TYPE text;
SELECT pg_typeof(x) FROM act_e;
ROLLBACK;
SELECT pg_typeof(x), x FROM act_e;
BEGIN;
ALTER TABLE act_e ALTER COLUMN x TYPE numeric;
INSERT INTO act_e (x) VALUES (2.5);
ALTER TABLE act_e ALTER COLUMN x TYPE text;
COMMIT;
SELECT id, x, pg_typeof(x) FROM act_e ORDER BY id;
DROP VIEW act_wv;
DROP TABLE act, act_c, act_p, act_w, act_m, act_e;
