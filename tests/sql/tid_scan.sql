-- Tid Scan: WHERE ctid = '(b,o)' fetches that one row version directly,
-- if the statement's snapshot sees it.
CREATE TABLE tt (a int, b text);
INSERT INTO tt SELECT g, 'x' || g FROM generate_series(1, 20) g;
EXPLAIN (COSTS OFF) SELECT * FROM tt WHERE ctid = '(0,2)';
SELECT ctid, a, b FROM tt WHERE ctid = '(0,2)';
SELECT a FROM tt WHERE ctid = '(0,20)';
SELECT a FROM tt WHERE '(0,5)' = ctid;
EXPLAIN (COSTS OFF) SELECT a FROM tt WHERE '(0,5)' = ctid;
SELECT a FROM tt WHERE ctid = '(0,5)' AND a > 3;
SELECT a FROM tt WHERE ctid = '(0,5)' AND a > 10;
EXPLAIN (COSTS OFF) SELECT a FROM tt WHERE ctid = '(0,5)' AND a > 10;
-- Past the last block, past the last item, offset 0, NULL.
SELECT a FROM tt WHERE ctid = '(100,1)';
SELECT a FROM tt WHERE ctid = '(0,1000)';
SELECT a FROM tt WHERE ctid = '(0,0)';
SELECT a FROM tt WHERE ctid = NULL;
SELECT a FROM tt WHERE ctid = '(1,x)';
SELECT count(*) FROM tt WHERE ctid = '(0,7)';
-- A deleted version is not returned; an updated row's new version is
-- at another tid.
DELETE FROM tt WHERE a = 3;
SELECT a FROM tt WHERE ctid = '(0,3)';
UPDATE tt SET b = 'changed' WHERE a = 4;
SELECT a, b FROM tt WHERE ctid = '(0,4)';
SELECT ctid, b FROM tt WHERE a = 4;
-- Inside a transaction: its own deletes and inserts.
BEGIN;
DELETE FROM tt WHERE a = 6;
SELECT a FROM tt WHERE ctid = '(0,6)';
ROLLBACK;
SELECT a FROM tt WHERE ctid = '(0,6)';
-- In a join and a subquery.
CREATE TABLE tu (k int);
INSERT INTO tu VALUES (2), (8);
SELECT tu.k, tt.a FROM tu JOIN tt ON tt.a = tu.k WHERE tt.ctid = '(0,8)' ORDER BY 1;
SELECT (SELECT b FROM tt WHERE ctid = '(0,9)') AS b;
SELECT k FROM tu WHERE k IN (SELECT a FROM tt WHERE ctid = '(0,2)');
-- Empty table.
CREATE TABLE te (a int);
SELECT * FROM te WHERE ctid = '(0,1)';
EXPLAIN (COSTS OFF) SELECT * FROM te WHERE ctid = '(0,1)';
