-- Backward index scans: ORDER BY the index's columns, all in the
-- opposite direction, reads the B-tree from the highest key down
-- (Index Scan Backward), with or without a WHERE on leading columns.
CREATE TABLE ib (id int PRIMARY KEY, a int, b int, note text);
INSERT INTO ib SELECT g, g % 10, CASE WHEN g % 7 = 0 THEN NULL ELSE g % 13 END, 'n' || g FROM generate_series(1, 2000) g;
CREATE INDEX ib_ab ON ib (a, b);
ANALYZE ib;
EXPLAIN (COSTS OFF) SELECT * FROM ib ORDER BY id DESC LIMIT 1;
SELECT * FROM ib ORDER BY id DESC LIMIT 1;
SELECT * FROM ib ORDER BY id DESC LIMIT 5 OFFSET 3;
EXPLAIN (COSTS OFF) SELECT * FROM ib ORDER BY id DESC LIMIT 5 OFFSET 3;
SELECT id, note FROM ib WHERE id < 100 ORDER BY id DESC LIMIT 4;
EXPLAIN (COSTS OFF) SELECT id, note FROM ib WHERE id < 100 ORDER BY id DESC LIMIT 4;
SELECT id, note FROM ib WHERE id > 1990 ORDER BY id DESC;
EXPLAIN (COSTS OFF) SELECT id, note FROM ib WHERE id > 1990 ORDER BY id DESC;
SELECT id, note FROM ib WHERE id BETWEEN 10 AND 15 ORDER BY id DESC;
SELECT id, note FROM ib WHERE id > 5000 ORDER BY id DESC;
SELECT id, note FROM ib WHERE id = 7 ORDER BY id DESC;
EXPLAIN (COSTS OFF) SELECT * FROM ib ORDER BY id LIMIT 2;
SELECT * FROM ib ORDER BY id LIMIT 2;
-- Duplicates and NULLs: an ASC NULLS LAST index read backward gives
-- DESC NULLS FIRST.
SELECT id, a, b FROM ib WHERE a = 5 ORDER BY b DESC, id LIMIT 12;
SELECT b FROM ib WHERE a = 5 ORDER BY b DESC LIMIT 3;
SELECT b, count(*) FROM (SELECT b FROM ib WHERE a = 5 ORDER BY b DESC LIMIT 40) s GROUP BY b ORDER BY b NULLS FIRST;
EXPLAIN (COSTS OFF) SELECT id, b, note FROM ib WHERE a = 5 ORDER BY b DESC LIMIT 3;
SELECT count(*) FROM (SELECT b FROM ib WHERE a = 5 ORDER BY b DESC LIMIT 100) s WHERE b IS NULL;
SELECT b FROM ib WHERE a = 3 AND b < 4 ORDER BY b DESC LIMIT 5;
SELECT b, count(*) FROM (SELECT b FROM ib WHERE a = 3 AND b < 4 ORDER BY b DESC LIMIT 30) s GROUP BY b ORDER BY b;
EXPLAIN (COSTS OFF) SELECT b, note FROM ib WHERE a = 3 AND b < 4 ORDER BY b DESC LIMIT 5;
SELECT b, count(*) FROM (SELECT b FROM ib WHERE a = 3 AND b < 4 ORDER BY b DESC LIMIT 30) s GROUP BY b ORDER BY b;
SELECT a, b FROM ib ORDER BY a DESC, b DESC LIMIT 20;
EXPLAIN (COSTS OFF) SELECT a, b, note FROM ib ORDER BY a DESC, b DESC LIMIT 20;
SELECT a FROM ib ORDER BY a DESC LIMIT 3;
SELECT a, b FROM ib WHERE a < 4 ORDER BY a DESC, b DESC LIMIT 16 OFFSET 10;
EXPLAIN (COSTS OFF) SELECT a, note FROM ib ORDER BY a DESC LIMIT 3;
-- Mixed directions cannot use the index alone.
SELECT a, b, note FROM ib ORDER BY a DESC, b, id LIMIT 10;
-- DESC NULLS LAST is not the backward order of an ASC NULLS LAST index.
SELECT id, b, note FROM ib WHERE a = 5 ORDER BY b DESC NULLS LAST, id LIMIT 3;
-- A DESC index read backward gives ASC.
CREATE TABLE ibd (k int, v text);
INSERT INTO ibd SELECT g % 300, 'v' || g FROM generate_series(1, 900) g;
INSERT INTO ibd VALUES (NULL, 'null1'), (NULL, 'null2');
CREATE INDEX ibd_k ON ibd (k DESC);
ANALYZE ibd;
EXPLAIN (COSTS OFF) SELECT k, v FROM ibd ORDER BY k LIMIT 4;
SELECT k FROM ibd ORDER BY k LIMIT 4;
EXPLAIN (COSTS OFF) SELECT k, v FROM ibd ORDER BY k DESC LIMIT 4;
SELECT k FROM ibd ORDER BY k DESC LIMIT 4;
SELECT k FROM ibd ORDER BY k NULLS FIRST LIMIT 4;
SELECT k, v FROM ibd WHERE k > 297 ORDER BY k, v;
SELECT k FROM ibd WHERE k < 2 ORDER BY k LIMIT 4;
-- Empty tables.
CREATE TABLE ibe (id int PRIMARY KEY, t text);
EXPLAIN (COSTS OFF) SELECT * FROM ibe ORDER BY id DESC LIMIT 1;
SELECT * FROM ibe ORDER BY id DESC LIMIT 1;
SELECT * FROM ibe WHERE id < 10 ORDER BY id DESC;
INSERT INTO ibe VALUES (1, 'one');
SELECT * FROM ibe ORDER BY id DESC LIMIT 1;
DELETE FROM ibe;
SELECT * FROM ibe ORDER BY id DESC LIMIT 1;
-- Text keys, many duplicates across pages, rows deleted and updated.
CREATE TABLE ibt (t text, n int);
INSERT INTO ibt SELECT 'k' || (g % 5), g FROM generate_series(1, 3000) g;
CREATE INDEX ibt_t ON ibt (t);
ANALYZE ibt;
SELECT t, count(*) FROM (SELECT t FROM ibt ORDER BY t DESC LIMIT 1500) s GROUP BY t ORDER BY t;
EXPLAIN (COSTS OFF) SELECT t, n FROM ibt ORDER BY t DESC LIMIT 1500;
DELETE FROM ibt WHERE t = 'k4';
UPDATE ibt SET t = 'k9' WHERE n = 3;
SELECT t, n FROM ibt ORDER BY t DESC LIMIT 1;
SELECT t FROM ibt ORDER BY t DESC LIMIT 3;
SELECT t, count(*) FROM (SELECT t FROM ibt WHERE t < 'k3' ORDER BY t DESC LIMIT 700) s GROUP BY t ORDER BY t;
-- Inside a transaction: own changes seen, in order.
BEGIN;
INSERT INTO ib VALUES (3000, 1, 1, 'late'), (2500, 1, 1, 'mid');
SELECT id, note FROM ib ORDER BY id DESC LIMIT 3;
DELETE FROM ib WHERE id = 3000;
SELECT id, note FROM ib ORDER BY id DESC LIMIT 3;
ROLLBACK;
SELECT id, note FROM ib ORDER BY id DESC LIMIT 3;
-- Paging as applications do.
SELECT id FROM ib WHERE id < 1500 ORDER BY id DESC LIMIT 5;
SELECT id FROM ib WHERE id < 1496 ORDER BY id DESC LIMIT 5;
