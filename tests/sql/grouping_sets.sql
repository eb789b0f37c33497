-- GROUP BY GROUPING SETS, ROLLUP, CUBE and (): grouping sets combined
-- with plain keys, GROUPING(), HAVING, ORDER BY, NULLs in the data against
-- NULLs of rolled-up keys, aggregates (FILTER, DISTINCT, ordered-set) and
-- window functions over grouped rows; errors.
CREATE TABLE gs (a int, b text, c int, d numeric(6,2));
INSERT INTO gs VALUES (1, 'x', 10, 1.5), (1, 'y', 20, NULL), (1, 'y', 25, 2), (2, 'x', 30, 3.25), (2, NULL, 50, 4), (NULL, 'x', 40, 5), (NULL, NULL, NULL, NULL);
CREATE TABLE gs_empty (a int, b text, c int);
SELECT a, b, sum(c), count(*) FROM gs GROUP BY ROLLUP (a, b) ORDER BY a, b, sum;
SELECT a, b, sum(c), grouping(a, b) FROM gs GROUP BY ROLLUP (a, b) ORDER BY grouping(a, b), a, b;
SELECT a, b, count(*), grouping(a), grouping(b), grouping(b, a) FROM gs GROUP BY CUBE (a, b) ORDER BY 4, 5, 1, 2;
SELECT a, b, sum(c) FROM gs GROUP BY GROUPING SETS ((a, b), (a), ()) ORDER BY grouping(a, b), a, b;
SELECT a, sum(c) FROM gs GROUP BY GROUPING SETS (a, ()) ORDER BY grouping(a), a;
SELECT b, count(*) FROM gs GROUP BY GROUPING SETS ((b), (b)) ORDER BY b;
SELECT count(*), sum(c) FROM gs GROUP BY ();
SELECT a, count(*) FROM gs GROUP BY a, () ORDER BY a;
SELECT count(*), sum(c), grouping(a) FROM gs GROUP BY GROUPING SETS (a, ()) HAVING grouping(a) = 1;
-- Plain keys with grouping sets: a cross product.
SELECT a, b, c, count(*) FROM gs GROUP BY a, ROLLUP (b, c) ORDER BY a, b, c, grouping(b, c);
SELECT a, b, count(*) FROM gs GROUP BY ROLLUP (a), ROLLUP (b) ORDER BY grouping(a, b), a, b;
SELECT a, b, count(*) FROM gs GROUP BY ROLLUP (a), CUBE (b) ORDER BY grouping(a, b), a, b;
SELECT a, count(*) FROM gs GROUP BY ROLLUP (a), ROLLUP (a) ORDER BY a, 2;
SELECT a, b, c, count(*) FROM gs GROUP BY ROLLUP ((a, b), c) ORDER BY grouping(a, b, c), a, b, c;
SELECT a, b, c, count(*) FROM gs GROUP BY CUBE ((a, b), c) ORDER BY grouping(a, b, c), a, b, c;
SELECT a, b, c, count(*) FROM gs GROUP BY GROUPING SETS ((a, b), ROLLUP (c)) ORDER BY grouping(a, b, c), a, b, c;
SELECT a, b, count(*) FROM gs GROUP BY GROUPING SETS (CUBE (a, b), a) ORDER BY grouping(a, b), a, b, 3;
-- Ordinals and output names as grouping items.
SELECT a AS k, b, sum(c) FROM gs GROUP BY ROLLUP (1, 2) ORDER BY grouping(a, b), k, b;
SELECT a + 1 AS k, count(*) FROM gs GROUP BY ROLLUP (k) ORDER BY k, 2;
SELECT a + 1, count(*) FROM gs GROUP BY ROLLUP (a + 1) ORDER BY 1, 2;
SELECT a + 1, count(*) FROM gs GROUP BY ROLLUP (a) ORDER BY 1, 2;
-- NULLs of the data against NULLs of rolled-up keys.
SELECT a, b, count(*), grouping(a, b), a IS NULL AS a_null FROM gs GROUP BY ROLLUP (a, b) ORDER BY grouping(a, b), a NULLS FIRST, b NULLS FIRST;
SELECT coalesce(b, CASE WHEN grouping(b) = 1 THEN 'all' ELSE 'none' END) AS b, count(*) FROM gs GROUP BY ROLLUP (b) ORDER BY 1;
-- HAVING and ORDER BY over grouping sets.
SELECT a, b, sum(c) FROM gs GROUP BY ROLLUP (a, b) HAVING sum(c) > 30 ORDER BY sum(c) DESC, a, b;
SELECT a, b, sum(c) FROM gs GROUP BY CUBE (a, b) HAVING grouping(a) = 0 AND grouping(b) = 1 ORDER BY a;
SELECT a, sum(c) FROM gs GROUP BY ROLLUP (a) HAVING a IS NULL ORDER BY 2;
SELECT a, b, count(*) FROM gs GROUP BY ROLLUP (a, b) ORDER BY count(*) DESC, a NULLS FIRST, b NULLS FIRST LIMIT 4;
SELECT DISTINCT grouping(a, b) FROM gs GROUP BY CUBE (a, b) ORDER BY 1;
-- Aggregates: FILTER, DISTINCT, ordered input, ordered-set, several types.
SELECT a, count(*) FILTER (WHERE c > 15), sum(DISTINCT c), string_agg(b, ',' ORDER BY b, c) FROM gs GROUP BY ROLLUP (a) ORDER BY grouping(a), a;
SELECT b, count(DISTINCT a), array_agg(c ORDER BY c), avg(d), max(d) FROM gs GROUP BY GROUPING SETS (b, ()) ORDER BY grouping(b), b;
SELECT a, percentile_cont(0.5) WITHIN GROUP (ORDER BY c), mode() WITHIN GROUP (ORDER BY b) FROM gs GROUP BY ROLLUP (a) ORDER BY grouping(a), a;
SELECT a, array_agg(DISTINCT b ORDER BY b), json_agg(DISTINCT c ORDER BY c), count(DISTINCT b), string_agg(DISTINCT b, ',' ORDER BY b) FROM gs GROUP BY ROLLUP (a) ORDER BY grouping(a), a;
SELECT b, bool_and(c > 15), bool_or(d > 4), min(b) FROM gs GROUP BY CUBE (b) ORDER BY grouping(b), b;
-- Window functions over grouped rows.
SELECT a, sum(c), rank() OVER (ORDER BY sum(c) DESC NULLS LAST), grouping(a) FROM gs GROUP BY ROLLUP (a) ORDER BY 3, a;
SELECT a, b, sum(c), sum(sum(c)) OVER (PARTITION BY grouping(a, b) ORDER BY a, b) FROM gs GROUP BY ROLLUP (a, b) ORDER BY grouping(a, b), a, b;
SELECT a, count(*), row_number() OVER (PARTITION BY grouping(a) ORDER BY a NULLS FIRST) FROM gs GROUP BY GROUPING SETS (a, ()) ORDER BY grouping(a), 3;
-- Types kept by rolled-up keys.
SELECT d, count(*) FROM gs GROUP BY ROLLUP (d) ORDER BY d, 2;
SELECT b::varchar(3) AS v, count(*) FROM gs GROUP BY ROLLUP (v) ORDER BY v, 2;
SELECT a, b, grouping(a, b) FROM gs GROUP BY ROLLUP (a, b) ORDER BY 3 DESC, 1, 2 LIMIT 3;
-- Empty input: only the empty grouping set gives a row.
SELECT a, count(*), sum(c) FROM gs_empty GROUP BY ROLLUP (a);
SELECT a, b, count(*) FROM gs_empty GROUP BY CUBE (a, b);
SELECT a, count(*) FROM gs_empty GROUP BY GROUPING SETS (a);
SELECT count(*) FROM gs_empty GROUP BY ();
SELECT count(*) FROM gs WHERE false GROUP BY ROLLUP (a, b);
SELECT a, count(*) FROM gs WHERE a > 100 GROUP BY a, ROLLUP (b);
-- Grouping sets in subqueries and WITH.
SELECT count(*) FROM (SELECT a, b FROM gs GROUP BY CUBE (a, b)) s;
WITH r AS (SELECT a, sum(c) AS s, grouping(a) AS g FROM gs GROUP BY ROLLUP (a)) SELECT * FROM r WHERE g = 1;
SELECT a, (SELECT count(*) FROM gs g2 WHERE g2.a = gs.a) FROM gs GROUP BY ROLLUP (a) ORDER BY a;
-- GROUPING() with a plain GROUP BY is 0.
SELECT a, grouping(a) FROM gs GROUP BY a ORDER BY a;
-- Errors.
SELECT grouping(a) FROM gs;
SELECT a FROM gs GROUP BY a HAVING grouping(c) = 0;
SELECT a FROM gs WHERE grouping(a) = 0 GROUP BY a;
SELECT a FROM gs GROUP BY grouping(a);
SELECT a, count(*) FROM gs GROUP BY CUBE (a, b, c, a, b, c, a, b, c, a, b, c, a);
SELECT grouping(a, a, a, a, a, a, a, a, a, a, a, a, a, a, a, a, a, a, a, a, a, a, a, a, a, a, a, a, a, a, a, a) FROM gs GROUP BY a;
SELECT sum(grouping(a)) FROM gs GROUP BY a;
SELECT grouping(sum(c)) FROM gs GROUP BY a;
SELECT a, c FROM gs GROUP BY ROLLUP (a, b);
SELECT a FROM gs GROUP BY ROLLUP (3);
SELECT count(*) FROM gs GROUP BY ROLLUP (sum(c));
SELECT a, count(*) FROM gs GROUP BY CUBE (a), CUBE (b), CUBE (c), CUBE (d), CUBE (a), CUBE (b), CUBE (c), CUBE (d), CUBE (a), CUBE (b), CUBE (c), CUBE (d), CUBE (a);
