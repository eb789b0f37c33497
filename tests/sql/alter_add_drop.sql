-- ALTER TABLE that changes a table's shape or constraints: ADD COLUMN
-- (DEFAULT kept as the missing value of existing rows, a volatile
-- DEFAULT rewriting them, NOT NULL, CHECK, REFERENCES, UNIQUE, PRIMARY
-- KEY, IF NOT EXISTS), ADD CONSTRAINT checked against the rows (or NOT
-- VALID, then VALIDATE CONSTRAINT), DROP CONSTRAINT (IF EXISTS,
-- CASCADE), RENAME CONSTRAINT, several actions in one statement.
CREATE TABLE aad_p (a int PRIMARY KEY, b text);
INSERT INTO aad_p VALUES (1, 'one'), (2, 'two'), (3, NULL);
CREATE TABLE aad_c (x int, y int);
INSERT INTO aad_c VALUES (1, 5), (3, -1), (NULL, 2);
-- ADD COLUMN: existing rows read the default, new rows get it too.
ALTER TABLE aad_c ADD COLUMN z int DEFAULT 7;
SELECT * FROM aad_c ORDER BY x NULLS FIRST;
INSERT INTO aad_c (x, y) VALUES (2, 9);
INSERT INTO aad_c VALUES (2, 10, NULL);
SELECT * FROM aad_c ORDER BY x NULLS FIRST, y;
SELECT * FROM aad_c WHERE z = 7 ORDER BY y;
SELECT count(*) FROM aad_c WHERE z IS NULL;
UPDATE aad_c SET y = y + 1 WHERE x = 1;
SELECT x, y, z FROM aad_c WHERE x = 1;
ALTER TABLE aad_c ADD w text DEFAULT 'hi' NOT NULL, ADD COLUMN v numeric(5, 1) DEFAULT 2.25;
SELECT * FROM aad_c ORDER BY x NULLS FIRST, y;
SELECT attname, atthasmissing, attnotnull, atthasdef FROM pg_attribute WHERE attrelid = 'aad_c'::regclass AND attnum > 0 ORDER BY attnum;
SELECT a.attname, pg_get_expr(d.adbin, d.adrelid) FROM pg_attrdef d JOIN pg_attribute a ON a.attrelid = d.adrelid AND a.attnum = d.adnum WHERE d.adrelid = 'aad_c'::regclass ORDER BY d.adnum;
-- A NULL default, no default: existing rows read NULL.
ALTER TABLE aad_c ADD COLUMN n1 int DEFAULT NULL, ADD COLUMN n2 date;
SELECT count(*), count(n1), count(n2) FROM aad_c;
-- Errors leave the table as it was.
ALTER TABLE aad_c ADD COLUMN nn int NOT NULL;
ALTER TABLE aad_c ADD COLUMN z int;
ALTER TABLE aad_c ADD COLUMN IF NOT EXISTS z int;
ALTER TABLE aad_c ADD COLUMN IF NOT EXISTS z2 int DEFAULT 3;
ALTER TABLE aad_c ADD COLUMN bad int DEFAULT 'abc';
ALTER TABLE aad_c ADD COLUMN ctid int;
ALTER TABLE aad_c ADD COLUMN q int DEFAULT 1, ADD COLUMN q text;
ALTER TABLE aad_c ADD COLUMN ok int DEFAULT 1, ADD COLUMN ok2 int NOT NULL;
SELECT count(*) FROM pg_attribute WHERE attrelid = 'aad_c'::regclass AND attname IN ('nn', 'bad', 'q', 'ok', 'ok2');
ALTER TABLE nosuch ADD COLUMN a int;
ALTER TABLE IF EXISTS nosuch ADD COLUMN a int;
-- Column constraints on an added column.
ALTER TABLE aad_c ADD COLUMN c1 int CHECK (c1 > 3);
ALTER TABLE aad_c ADD COLUMN c2 int DEFAULT 1 CHECK (c2 > 3);
ALTER TABLE aad_c ADD COLUMN c3 int DEFAULT 4 CHECK (c3 > 3);
INSERT INTO aad_c (x, c3) VALUES (1, 2);
ALTER TABLE aad_c ADD COLUMN u1 int DEFAULT 1 UNIQUE;
ALTER TABLE aad_c ADD COLUMN u2 int UNIQUE;
INSERT INTO aad_c (x, u2) VALUES (1, 1);
INSERT INTO aad_c (x, u2) VALUES (1, 1);
ALTER TABLE aad_c ADD COLUMN pk int DEFAULT 1 PRIMARY KEY;
ALTER TABLE aad_c ADD COLUMN r1 int REFERENCES aad_p;
ALTER TABLE aad_c ADD COLUMN r2 int DEFAULT 9 REFERENCES aad_p;
ALTER TABLE aad_c ADD COLUMN r3 int DEFAULT 2 REFERENCES aad_p (a);
INSERT INTO aad_c (x, r3) VALUES (1, 8);
SELECT conname, contype, pg_get_constraintdef(oid), convalidated FROM pg_constraint WHERE conrelid = 'aad_c'::regclass ORDER BY conname;
-- A volatile default rewrites the rows: each gets its own value.
CREATE SEQUENCE aad_seq;
CREATE TABLE aad_v (k int);
INSERT INTO aad_v SELECT g FROM generate_series(1, 5) g;
ALTER TABLE aad_v ADD COLUMN s bigint DEFAULT nextval('aad_seq');
SELECT k, s FROM aad_v ORDER BY k;
ALTER TABLE aad_v ADD COLUMN r float8 DEFAULT random();
SELECT count(DISTINCT r), min(r) >= 0, max(r) < 1 FROM aad_v;
SELECT attname, atthasmissing FROM pg_attribute WHERE attrelid = 'aad_v'::regclass AND attnum > 0 ORDER BY attnum;
INSERT INTO aad_v (k) VALUES (6);
SELECT k, s FROM aad_v ORDER BY k;
-- Rewritten rows that move to other pages: NOT NULL and CHECK see the
-- new versions only.
CREATE TABLE aad_big (a int, b text);
INSERT INTO aad_big SELECT g, repeat('x', 50) FROM generate_series(1, 2000) g;
CREATE SEQUENCE aad_bigs;
ALTER TABLE aad_big ADD COLUMN s bigint DEFAULT nextval('aad_bigs') NOT NULL;
SELECT count(*), count(DISTINCT s), min(s), max(s) FROM aad_big;
ALTER TABLE aad_big ADD COLUMN t bigint DEFAULT nextval('aad_bigs') CHECK (t > 2000);
SELECT count(*), min(t), max(t) FROM aad_big;
ALTER TABLE aad_big ADD COLUMN u bigint DEFAULT nextval('aad_bigs') CHECK (u < 5000);
-- A stable default is evaluated once.
ALTER TABLE aad_v ADD COLUMN t timestamptz DEFAULT now();
SELECT count(DISTINCT t), count(t) FROM aad_v;
-- Indexes over added columns see the missing values.
CREATE TABLE aad_i (k int);
INSERT INTO aad_i SELECT g FROM generate_series(1, 20) g;
ALTER TABLE aad_i ADD COLUMN m int DEFAULT 5;
CREATE INDEX aad_i_m ON aad_i (m);
SELECT count(*) FROM aad_i WHERE m = 5;
ALTER TABLE aad_i ADD COLUMN m2 int DEFAULT 5 UNIQUE;
ALTER TABLE aad_i ADD PRIMARY KEY (m);
-- ADD CONSTRAINT: checked against the existing rows.
ALTER TABLE aad_c ADD CONSTRAINT aad_ck CHECK (y > 0);
ALTER TABLE aad_c ADD CHECK (y + 5 > 0);
ALTER TABLE aad_c ADD CHECK (y > 0) NOT VALID;
INSERT INTO aad_c (x, y) VALUES (1, 0);
ALTER TABLE aad_c VALIDATE CONSTRAINT aad_c_y_check1;
DELETE FROM aad_c WHERE y <= 0;
ALTER TABLE aad_c VALIDATE CONSTRAINT aad_c_y_check1;
ALTER TABLE aad_c VALIDATE CONSTRAINT aad_c_y_check1;
ALTER TABLE aad_c VALIDATE CONSTRAINT nosuch;
ALTER TABLE aad_c ADD FOREIGN KEY (x) REFERENCES aad_p;
INSERT INTO aad_p VALUES (4, 'four');
UPDATE aad_c SET x = 4 WHERE x NOT IN (1, 2, 3);
ALTER TABLE aad_c ADD CONSTRAINT aad_fk FOREIGN KEY (x) REFERENCES aad_p (a) ON DELETE CASCADE;
INSERT INTO aad_c (x, y) VALUES (5, 1);
ALTER TABLE aad_c ADD CONSTRAINT aad_fk2 FOREIGN KEY (y) REFERENCES aad_p NOT VALID;
ALTER TABLE aad_c VALIDATE CONSTRAINT aad_fk2;
INSERT INTO aad_c (x, y) VALUES (1, 77);
ALTER TABLE aad_c ADD CONSTRAINT aad_ck CHECK (x > 0);
ALTER TABLE aad_c ADD CONSTRAINT aad_u UNIQUE (x, y) NOT VALID;
ALTER TABLE aad_c ADD CONSTRAINT aad_pk PRIMARY KEY (x) NOT VALID;
ALTER TABLE aad_c ADD FOREIGN KEY (w) REFERENCES aad_p;
ALTER TABLE aad_c ADD FOREIGN KEY (x) REFERENCES aad_p (b);
ALTER TABLE aad_c ADD FOREIGN KEY (x) REFERENCES nosuch;
SELECT conname, contype, pg_get_constraintdef(oid), convalidated FROM pg_constraint WHERE conrelid = 'aad_c'::regclass ORDER BY conname;
DELETE FROM aad_p WHERE a = 4;
SELECT count(*) FROM aad_c WHERE x = 4;
-- UNIQUE and PRIMARY KEY with names.
CREATE TABLE aad_k (a int, b int);
INSERT INTO aad_k VALUES (1, 1), (2, 1), (NULL, 2);
ALTER TABLE aad_k ADD CONSTRAINT aad_k_b_uq UNIQUE (b);
ALTER TABLE aad_k ADD CONSTRAINT aad_k_a_uq UNIQUE (a);
ALTER TABLE aad_k ADD CONSTRAINT aad_k_pk PRIMARY KEY (a);
DELETE FROM aad_k WHERE a IS NULL;
ALTER TABLE aad_k ADD CONSTRAINT aad_k_pk PRIMARY KEY (a);
ALTER TABLE aad_k ADD PRIMARY KEY (b);
SELECT conname, contype, pg_get_constraintdef(oid) FROM pg_constraint WHERE conrelid = 'aad_k'::regclass ORDER BY conname;
SELECT indexrelid::regclass::text FROM pg_index WHERE indrelid = 'aad_k'::regclass ORDER BY 1;
-- RENAME CONSTRAINT.
ALTER TABLE aad_c RENAME CONSTRAINT aad_ck TO aad_ck2;
ALTER TABLE aad_c RENAME CONSTRAINT nosuch TO x;
ALTER TABLE aad_c RENAME CONSTRAINT aad_ck2 TO aad_fk;
ALTER TABLE aad_k RENAME CONSTRAINT aad_k_a_uq TO aad_k_a_key2;
SELECT conname FROM pg_constraint WHERE conrelid = 'aad_c'::regclass OR conrelid = 'aad_k'::regclass ORDER BY conname;
INSERT INTO aad_c (x, y) VALUES (1, -100);
-- DROP CONSTRAINT.
ALTER TABLE aad_c DROP CONSTRAINT aad_ck2;
INSERT INTO aad_c (x, y) VALUES (1, -3);
ALTER TABLE aad_c DROP CONSTRAINT nosuch;
ALTER TABLE aad_c DROP CONSTRAINT IF EXISTS nosuch;
ALTER TABLE aad_k DROP CONSTRAINT aad_k_a_key2;
INSERT INTO aad_k VALUES (1, 5);
ALTER TABLE aad_p DROP CONSTRAINT aad_p_pkey;
ALTER TABLE aad_p DROP CONSTRAINT aad_p_pkey RESTRICT;
ALTER TABLE aad_p DROP CONSTRAINT aad_p_pkey CASCADE;
SELECT conname FROM pg_constraint WHERE conrelid = 'aad_c'::regclass OR conrelid = 'aad_p'::regclass ORDER BY conname;
INSERT INTO aad_c (x, y) VALUES (99, 1);
INSERT INTO aad_p VALUES (1, 'dup');
SELECT attname, attnotnull FROM pg_attribute WHERE attrelid = 'aad_p'::regclass AND attnum > 0 ORDER BY attnum;
-- Transactional: a rolled-back ADD COLUMN and ADD CONSTRAINT leave nothing.
BEGIN;
ALTER TABLE aad_k ADD COLUMN tx int DEFAULT 42;
ALTER TABLE aad_k ADD CONSTRAINT aad_k_tx CHECK (tx = 42);
SELECT a, tx FROM aad_k ORDER BY a;
ROLLBACK;
SELECT * FROM aad_k ORDER BY a, b;
SELECT count(*) FROM pg_constraint WHERE conname = 'aad_k_tx';
BEGIN;
ALTER TABLE aad_v ADD COLUMN s2 bigint DEFAULT nextval('aad_seq');
ROLLBACK;
SELECT k, s FROM aad_v ORDER BY k;
BEGIN;
ALTER TABLE aad_k ADD COLUMN tx int DEFAULT 42;
COMMIT;
SELECT * FROM aad_k ORDER BY a, b;
-- DROP COLUMN: the column is hidden from everything, its place kept.
CREATE TABLE aad_d (a int PRIMARY KEY, b text UNIQUE, c int CHECK (c > 0), d int, e int, CHECK (d > e));
INSERT INTO aad_d VALUES (1, 'x', 1, 5, 4), (2, 'y', 2, 6, 5);
CREATE TABLE aad_dc (x int REFERENCES aad_d, y text REFERENCES aad_d (b), z int);
CREATE INDEX aad_dc_z ON aad_dc (z, x);
INSERT INTO aad_dc VALUES (1, 'x', 10), (2, NULL, 20);
ALTER TABLE aad_d DROP COLUMN a;
ALTER TABLE aad_d DROP COLUMN a RESTRICT;
ALTER TABLE aad_d DROP COLUMN nosuch;
ALTER TABLE aad_d DROP COLUMN IF EXISTS nosuch;
ALTER TABLE aad_d DROP COLUMN d;
SELECT * FROM aad_d ORDER BY a;
SELECT d FROM aad_d;
SELECT aad_d.d FROM aad_d;
INSERT INTO aad_d VALUES (3, 'z', 3, 1);
INSERT INTO aad_d VALUES (4, 'w', 4, 1, 9);
INSERT INTO aad_d (a, e) VALUES (5, 2);
UPDATE aad_d SET e = e + 1 WHERE a = 1;
SELECT * FROM aad_d ORDER BY a;
SELECT attnum, attname, atttypid, attisdropped, attnotnull, atthasdef FROM pg_attribute WHERE attrelid = 'aad_d'::regclass AND attnum > 0 ORDER BY attnum;
SELECT conname, contype FROM pg_constraint WHERE conrelid = 'aad_d'::regclass ORDER BY conname;
ALTER TABLE aad_d DROP COLUMN a CASCADE;
SELECT conname FROM pg_constraint WHERE conrelid = 'aad_dc'::regclass ORDER BY conname;
SELECT * FROM aad_d ORDER BY b;
INSERT INTO aad_dc VALUES (99, 'x', 1);
ALTER TABLE aad_dc DROP z;
SELECT indexrelid::regclass::text FROM pg_index WHERE indrelid = 'aad_dc'::regclass ORDER BY 1;
ALTER TABLE aad_dc DROP x, DROP COLUMN y;
SELECT count(*) FROM pg_constraint WHERE conrelid = 'aad_dc'::regclass;
SELECT * FROM aad_dc;
SELECT count(*) FROM aad_dc;
INSERT INTO aad_dc DEFAULT VALUES;
SELECT count(*) FROM aad_dc;
-- A dropped name is free again; an added column goes after the dropped.
ALTER TABLE aad_d ADD COLUMN d text DEFAULT 'new';
SELECT * FROM aad_d ORDER BY b;
SELECT attnum, attname FROM pg_attribute WHERE attrelid = 'aad_d'::regclass AND attnum > 0 AND NOT attisdropped ORDER BY attnum;
ALTER TABLE aad_d RENAME COLUMN d TO dd;
SELECT b, dd FROM aad_d ORDER BY b;
-- A serial column takes its sequence with it.
CREATE TABLE aad_s (id serial, v int);
INSERT INTO aad_s (v) VALUES (1);
ALTER TABLE aad_s DROP COLUMN id;
SELECT relname FROM pg_class WHERE relname LIKE 'aad_s%' ORDER BY 1;
SELECT * FROM aad_s;
-- Rolled back: the column is back with its values.
BEGIN;
ALTER TABLE aad_d DROP COLUMN c;
SELECT * FROM aad_d ORDER BY b;
ROLLBACK;
SELECT * FROM aad_d ORDER BY b;
