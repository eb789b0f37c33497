-- ALTER TABLE on columns and names: ALTER COLUMN SET/DROP DEFAULT (the
-- default shown deparsed), SET NOT NULL (checked against the rows, 23502)
-- and DROP NOT NULL (refused in a primary key), RENAME COLUMN, RENAME TO,
-- several actions in one statement, IF EXISTS; ALTER INDEX RENAME; and
-- how defaults are deparsed in pg_get_expr.
CREATE TABLE at_t (id int PRIMARY KEY, a text, b int, c varchar(3));
CREATE TABLE at_empty (x int);
INSERT INTO at_t VALUES (1, 'x', NULL, 'p'), (2, NULL, 5, NULL);
ALTER TABLE at_t ALTER COLUMN b SET DEFAULT 7;
INSERT INTO at_t (id) VALUES (3);
SELECT * FROM at_t ORDER BY id;
ALTER TABLE at_t ALTER COLUMN c SET DEFAULT 'FR', ALTER COLUMN a SET DEFAULT 'none';
INSERT INTO at_t (id) VALUES (4);
SELECT * FROM at_t ORDER BY id;
SELECT a.attname, pg_get_expr(d.adbin, d.adrelid) FROM pg_attrdef d JOIN pg_attribute a ON a.attrelid = d.adrelid AND a.attnum = d.adnum WHERE d.adrelid = 'at_t'::regclass ORDER BY d.adnum;
ALTER TABLE at_t ALTER COLUMN b DROP DEFAULT;
INSERT INTO at_t (id) VALUES (5);
SELECT id, b FROM at_t WHERE id = 5;
ALTER TABLE at_t ALTER COLUMN b SET DEFAULT 'abc';
ALTER TABLE at_t ALTER COLUMN nosuch SET DEFAULT 1;
-- NOT NULL.
ALTER TABLE at_t ALTER COLUMN a SET NOT NULL;
DELETE FROM at_t WHERE a IS NULL;
ALTER TABLE at_t ALTER COLUMN a SET NOT NULL;
INSERT INTO at_t (id, a) VALUES (6, NULL);
SELECT attname, attnotnull FROM pg_attribute WHERE attrelid = 'at_t'::regclass AND attnum > 0 ORDER BY attnum;
ALTER TABLE at_t ALTER COLUMN a DROP NOT NULL;
INSERT INTO at_t (id, a) VALUES (6, NULL);
ALTER TABLE at_t ALTER COLUMN id DROP NOT NULL;
ALTER TABLE at_empty ALTER COLUMN x SET NOT NULL;
INSERT INTO at_empty VALUES (NULL);
-- Renames.
ALTER TABLE at_t RENAME COLUMN b TO bb;
SELECT id, bb FROM at_t ORDER BY id;
SELECT b FROM at_t;
ALTER TABLE at_t RENAME COLUMN bb TO a;
ALTER TABLE at_t RENAME COLUMN nosuch TO z;
ALTER TABLE at_t RENAME TO at_t2;
SELECT count(*) FROM at_t2;
SELECT count(*) FROM at_t;
ALTER TABLE at_t2 RENAME TO at_empty;
ALTER INDEX at_t_pkey RENAME TO at_t2_pkey;
SELECT indexrelid::regclass FROM pg_index WHERE indrelid = 'at_t2'::regclass;
ALTER INDEX nosuch RENAME TO x;
ALTER TABLE nosuch ALTER COLUMN a SET DEFAULT 1;
ALTER TABLE IF EXISTS nosuch ALTER COLUMN a SET DEFAULT 1;
-- Defaults as pg_get_expr shows them.
CREATE TABLE at_d (i int DEFAULT 0, n int DEFAULT -1, e int DEFAULT (1 + 2), big bigint DEFAULT 0, num numeric DEFAULT 1.5, num2 numeric DEFAULT 10, f float8 DEFAULT 2.5, t text DEFAULT 'x', v varchar(5) DEFAULT 'ab', d date DEFAULT '2020-01-02', ts timestamptz DEFAULT now(), ct timestamptz DEFAULT CURRENT_TIMESTAMP, cd date DEFAULT CURRENT_DATE, bo boolean DEFAULT true, nl text DEFAULT NULL, q text DEFAULT 'it''s');
SELECT a.attname, pg_get_expr(d.adbin, d.adrelid) FROM pg_attrdef d JOIN pg_attribute a ON a.attrelid = d.adrelid AND a.attnum = d.adnum WHERE d.adrelid = 'at_d'::regclass ORDER BY d.adnum;
INSERT INTO at_d DEFAULT VALUES;
SELECT i, n, e, big, num, num2, f, t, v, d, bo, nl, q FROM at_d;
