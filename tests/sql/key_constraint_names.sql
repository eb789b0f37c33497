-- PRIMARY KEY and UNIQUE constraints named in CREATE TABLE and ALTER TABLE
-- ADD: the constraint and its index take the given name; unnamed ones get
-- PostgreSQL's generated names; a UNIQUE on the primary key's columns (or
-- on an earlier UNIQUE's) makes no second index; CREATE UNIQUE INDEX makes
-- no constraint (so DROP INDEX works on it and ON CONSTRAINT refuses it).
CREATE TABLE kn_a (a int, b int, CONSTRAINT kn_a_ab UNIQUE (a, b), c int CONSTRAINT kn_cc UNIQUE, CONSTRAINT kn_pk PRIMARY KEY (c));
SELECT conname, contype, conindid::regclass FROM pg_constraint WHERE conrelid = 'kn_a'::regclass ORDER BY conname;
SELECT relname FROM pg_class WHERE relname LIKE 'kn%' ORDER BY relname;
SELECT indexrelid::regclass, indisunique, indisprimary FROM pg_index WHERE indrelid = 'kn_a'::regclass ORDER BY 1;
INSERT INTO kn_a VALUES (1, 1, 1);
INSERT INTO kn_a VALUES (1, 1, 2);
INSERT INTO kn_a VALUES (NULL, NULL, 1);
INSERT INTO kn_a VALUES (NULL, NULL, NULL);
CREATE TABLE kn_b (x int UNIQUE, y int UNIQUE, CONSTRAINT kn_b_named UNIQUE (y), z int PRIMARY KEY);
SELECT conname, contype FROM pg_constraint WHERE conrelid = 'kn_b'::regclass ORDER BY conname;
CREATE TABLE kn_c (x int CONSTRAINT kn_a UNIQUE);
CREATE TABLE kn_c (x int CONSTRAINT kn_a_ab UNIQUE);
CREATE TABLE kn_c (x int, y int);
ALTER TABLE kn_c ADD CONSTRAINT kn_c_given PRIMARY KEY (x);
ALTER TABLE kn_c ADD CONSTRAINT kn_c_u UNIQUE (y);
ALTER TABLE kn_c ADD UNIQUE (x, y);
SELECT conname, contype FROM pg_constraint WHERE conrelid = 'kn_c'::regclass ORDER BY conname;
CREATE UNIQUE INDEX kn_c_y_key ON kn_c (y);
SELECT conname FROM pg_constraint WHERE conrelid = 'kn_c'::regclass ORDER BY conname;
SELECT pg_get_constraintdef(oid) FROM pg_constraint WHERE conrelid = 'kn_c'::regclass ORDER BY conname;
INSERT INTO kn_c VALUES (1, 1) ON CONFLICT ON CONSTRAINT kn_c_u DO NOTHING;
INSERT INTO kn_c VALUES (2, 1) ON CONFLICT ON CONSTRAINT kn_c_u DO NOTHING;
INSERT INTO kn_c VALUES (3, 1) ON CONFLICT ON CONSTRAINT kn_c_y_key DO NOTHING;
SELECT * FROM kn_c ORDER BY x;
DROP INDEX kn_c_u;
DROP INDEX kn_c_given;
DROP INDEX kn_c_y_key;
DROP INDEX kn_a_ab;
DROP TABLE kn_a, kn_b, kn_c;
