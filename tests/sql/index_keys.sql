-- max_index_keys (a read-only setting, 32 as PostgreSQL's INDEX_MAX_KEYS,
-- which PgJDBC's getIndexInfo reads) and the limit it shows: an index or
-- a key constraint has at most 32 columns.
SHOW max_index_keys;
SELECT name, setting, unit, short_desc, context, vartype, min_val, max_val FROM pg_settings WHERE name = 'max_index_keys';
SELECT current_setting('max_index_keys');
SET max_index_keys = 16;
CREATE TABLE ik (c1 int, c2 int, c3 int, c4 int, c5 int, c6 int, c7 int, c8 int, c9 int, c10 int, c11 int, c12 int, c13 int, c14 int, c15 int, c16 int, c17 int, c18 int, c19 int, c20 int, c21 int, c22 int, c23 int, c24 int, c25 int, c26 int, c27 int, c28 int, c29 int, c30 int, c31 int, c32 int, c33 int);
CREATE INDEX ik_32 ON ik (c1, c2, c3, c4, c5, c6, c7, c8, c9, c10, c11, c12, c13, c14, c15, c16, c17, c18, c19, c20, c21, c22, c23, c24, c25, c26, c27, c28, c29, c30, c31, c32);
CREATE INDEX ik_33 ON ik (c1, c2, c3, c4, c5, c6, c7, c8, c9, c10, c11, c12, c13, c14, c15, c16, c17, c18, c19, c20, c21, c22, c23, c24, c25, c26, c27, c28, c29, c30, c31, c32, c33);
CREATE INDEX ik_33_missing ON ik (c1, c2, c3, c4, c5, c6, c7, c8, c9, c10, c11, c12, c13, c14, c15, c16, c17, c18, c19, c20, c21, c22, c23, c24, c25, c26, c27, c28, c29, c30, c31, c32, nosuch);
ALTER TABLE ik ADD PRIMARY KEY (c1, c2, c3, c4, c5, c6, c7, c8, c9, c10, c11, c12, c13, c14, c15, c16, c17, c18, c19, c20, c21, c22, c23, c24, c25, c26, c27, c28, c29, c30, c31, c32, c33);
ALTER TABLE ik ADD UNIQUE (c1, c2, c3, c4, c5, c6, c7, c8, c9, c10, c11, c12, c13, c14, c15, c16, c17, c18, c19, c20, c21, c22, c23, c24, c25, c26, c27, c28, c29, c30, c31, c32);
CREATE TABLE ik2 (c1 int, c2 int, c3 int, c4 int, c5 int, c6 int, c7 int, c8 int, c9 int, c10 int, c11 int, c12 int, c13 int, c14 int, c15 int, c16 int, c17 int, c18 int, c19 int, c20 int, c21 int, c22 int, c23 int, c24 int, c25 int, c26 int, c27 int, c28 int, c29 int, c30 int, c31 int, c32 int, c33 int, UNIQUE (c1, c2, c3, c4, c5, c6, c7, c8, c9, c10, c11, c12, c13, c14, c15, c16, c17, c18, c19, c20, c21, c22, c23, c24, c25, c26, c27, c28, c29, c30, c31, c32, c33));
SELECT count(*) FROM pg_indexes WHERE tablename = 'ik';
SELECT count(*) FROM pg_class WHERE relname = 'ik2';
INSERT INTO ik (c1, c32) VALUES (1, 32);
SELECT c1, c32 FROM ik WHERE c1 = 1;
DROP TABLE ik;
