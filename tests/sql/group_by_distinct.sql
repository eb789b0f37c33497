-- GROUP BY DISTINCT (PostgreSQL 14+): duplicate grouping sets removed
-- after ROLLUP, CUBE and GROUPING SETS are expanded; GROUP BY ALL keeps
-- them (the default).
CREATE TABLE gbd (a int, b text, c int, v int);
INSERT INTO gbd VALUES (1, 'x', 10, 1), (1, 'y', 10, 2), (2, 'x', 20, 3), (2, NULL, NULL, 4),
  (NULL, 'y', 20, 5), (1, 'x', 10, 6);
CREATE TABLE gbd_empty (a int, b text);
SELECT a, b, c, sum(v), grouping(a, b, c) AS g FROM gbd GROUP BY ROLLUP (a, b), ROLLUP (a, c)
  ORDER BY g, a NULLS FIRST, b NULLS FIRST, c NULLS FIRST, 4;
SELECT a, b, c, sum(v), grouping(a, b, c) AS g FROM gbd GROUP BY DISTINCT ROLLUP (a, b), ROLLUP (a, c)
  ORDER BY g, a NULLS FIRST, b NULLS FIRST, c NULLS FIRST, 4;
SELECT a, b, c, sum(v), grouping(a, b, c) AS g FROM gbd GROUP BY ALL ROLLUP (a, b), ROLLUP (a, c)
  ORDER BY g, a NULLS FIRST, b NULLS FIRST, c NULLS FIRST, 4;
SELECT a, b, count(*) FROM gbd GROUP BY DISTINCT CUBE (a, b), CUBE (b, a)
  ORDER BY 1 NULLS FIRST, 2 NULLS FIRST, 3;
SELECT a, b, count(*) FROM gbd GROUP BY CUBE (a, b), CUBE (b, a)
  ORDER BY 1 NULLS FIRST, 2 NULLS FIRST, 3;
SELECT a, count(*) FROM gbd GROUP BY DISTINCT GROUPING SETS ((a), (a), (), ()) ORDER BY 1 NULLS FIRST, 2;
SELECT a, count(*) FROM gbd GROUP BY GROUPING SETS ((a), (a), (), ()) ORDER BY 1 NULLS FIRST, 2;
SELECT a, b, count(*) FROM gbd GROUP BY DISTINCT GROUPING SETS ((a, b), (b, a), (a)) ORDER BY 1 NULLS FIRST, 2 NULLS FIRST;
SELECT a, b, count(*) FROM gbd GROUP BY DISTINCT a, ROLLUP (a, b) ORDER BY 1 NULLS FIRST, 2 NULLS FIRST, 3;
SELECT a, b, count(*) FROM gbd GROUP BY a, ROLLUP (a, b) ORDER BY 1 NULLS FIRST, 2 NULLS FIRST, 3;
-- Without grouping sets it changes nothing.
SELECT a, count(*) FROM gbd GROUP BY DISTINCT a ORDER BY 1 NULLS FIRST;
SELECT a, count(*) FROM gbd GROUP BY DISTINCT a, a ORDER BY 1 NULLS FIRST;
SELECT a, count(*) FROM gbd GROUP BY ALL a ORDER BY 1 NULLS FIRST;
SELECT count(*) FROM gbd GROUP BY DISTINCT ();
SELECT count(*) FROM gbd_empty GROUP BY DISTINCT ();
SELECT a, count(*) FROM gbd_empty GROUP BY DISTINCT ROLLUP (a), ROLLUP (a) ORDER BY 1 NULLS FIRST;
SELECT a, b, count(*) FROM gbd_empty GROUP BY DISTINCT CUBE (a, b), a ORDER BY 1, 2;
-- By position and output name, with HAVING, ORDER BY and LIMIT.
SELECT a AS k, b, sum(v) AS s FROM gbd GROUP BY DISTINCT ROLLUP (1, 2), ROLLUP (k)
  HAVING sum(v) > 3 ORDER BY s DESC, k NULLS FIRST, b NULLS FIRST LIMIT 4;
SELECT grouping(a), a, count(*) FROM gbd GROUP BY DISTINCT ROLLUP (a), CUBE (a) ORDER BY 1, 2 NULLS FIRST;
-- In subqueries, CTEs and a view.
SELECT count(*) FROM (SELECT a, b FROM gbd GROUP BY DISTINCT ROLLUP (a, b), ROLLUP (b, a)) s;
WITH r AS (SELECT a, sum(v) AS s FROM gbd GROUP BY DISTINCT ROLLUP (a), ROLLUP (a))
  SELECT * FROM r ORDER BY a NULLS FIRST, s;
CREATE VIEW gbd_v AS SELECT a, b, count(*) AS n FROM gbd GROUP BY DISTINCT ROLLUP (a, b), ROLLUP (a);
SELECT * FROM gbd_v ORDER BY a NULLS FIRST, b NULLS FIRST, n;
DROP VIEW gbd_v;
-- Text that only looks like it, and errors.
SELECT 'group by distinct' AS t FROM gbd GROUP BY a ORDER BY a LIMIT 1;
SELECT a FROM gbd GROUP BY DISTINCT;
SELECT a FROM gbd GROUP BY DISTINCT ALL a;
SELECT a FROM gbd GROUP BY ALL;
SELECT a, b FROM gbd GROUP BY DISTINCT ROLLUP (a);
SELECT a FROM gbd GROUP BY DISTINCT ROLLUP (nosuch);
DROP TABLE gbd_empty;
DROP TABLE gbd;
