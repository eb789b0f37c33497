-- Index column order: DESC and NULLS FIRST | LAST stored
-- (pg_index.indoption), kept in the B-tree's key order and shown by
-- pg_get_indexdef; index scans over such columns (bounds on a DESC
-- column, NULLs first or last) find the same rows as PostgreSQL.
CREATE TABLE iord (a int, b text, c int);
INSERT INTO iord SELECT g % 50, 'v' || (g % 7), CASE WHEN g % 9 = 0 THEN NULL ELSE g END FROM generate_series(1, 400) g;
INSERT INTO iord VALUES (NULL, NULL, NULL), (NULL, 'x', 5), (3, NULL, NULL);
CREATE INDEX iord_a_desc ON iord (a DESC);
CREATE INDEX iord_b_nf ON iord (b NULLS FIRST, a DESC NULLS LAST);
CREATE INDEX iord_c ON iord (c ASC NULLS LAST, a ASC);
CREATE UNIQUE INDEX iord_u ON iord (c DESC NULLS FIRST, b);
SELECT c.relname, i.indoption::text, pg_get_indexdef(i.indexrelid)
FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid WHERE c.relname LIKE 'iord%' ORDER BY 1;
SELECT indexname, indexdef FROM pg_indexes WHERE tablename = 'iord' ORDER BY 1;
ANALYZE iord;
SELECT count(*) FROM iord WHERE a = 3;
SELECT count(*) FROM iord WHERE a > 45;
SELECT count(*) FROM iord WHERE a >= 45;
SELECT count(*) FROM iord WHERE a < 2;
SELECT count(*) FROM iord WHERE a <= 2;
SELECT count(*) FROM iord WHERE a BETWEEN 10 AND 12;
SELECT count(*) FROM iord WHERE a IS NULL;
SELECT count(*) FROM iord WHERE b = 'v3' AND a > 40;
SELECT count(*) FROM iord WHERE b = 'v3' AND a <= 4;
SELECT count(*) FROM iord WHERE b = 'v3';
SELECT count(*) FROM iord WHERE b > 'v5';
SELECT count(*) FROM iord WHERE c > 390;
SELECT count(*) FROM iord WHERE c < 10;
SELECT a, b, c FROM iord WHERE c = 5 ORDER BY a NULLS FIRST, b;
INSERT INTO iord VALUES (1, 'v1', 5);
INSERT INTO iord VALUES (1, 'x', 5);
INSERT INTO iord VALUES (1, NULL, 5), (1, NULL, 5);
UPDATE iord SET a = a + 100 WHERE a > 47;
SELECT count(*) FROM iord WHERE a > 100;
DELETE FROM iord WHERE a < 10;
SELECT count(*) FROM iord WHERE a < 20;
CREATE TABLE iord_p (k int, l int);
CREATE UNIQUE INDEX iord_p_k ON iord_p (k DESC);
INSERT INTO iord_p VALUES (1, 1), (2, 2);
CREATE TABLE iord_f (k int REFERENCES iord_p (k));
INSERT INTO iord_f VALUES (2), (NULL);
INSERT INTO iord_f VALUES (3);
DELETE FROM iord_p WHERE k = 2;
DELETE FROM iord_p WHERE k = 1;
SELECT * FROM iord_p ORDER BY k;
