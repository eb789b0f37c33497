-- Set-returning functions in the select list as PostgreSQL 10+ runs them
-- (ProjectSet): nested calls, calls over subqueries, over aggregates and
-- window functions, in ORDER BY, GROUP BY and window definitions, with
-- DISTINCT/ORDER BY/LIMIT after them, and the errors where PostgreSQL
-- refuses them.
CREATE TABLE srfs (id int, g text, x int, a int[]);
INSERT INTO srfs VALUES (1, 'a', 10, '{1,2}'), (2, 'a', NULL, '{}'), (3, 'b', 30, NULL),
  (4, 'b', 30, '{4,NULL,6}'), (5, NULL, 50, '{5}'), (6, 'c', NULL, '{7,7}');
CREATE TABLE srfs_empty (id int, a int[]);
-- Nested calls: the inner ones run first, the outer over each of their rows.
SELECT unnest(ARRAY[generate_series(1, 2)]) AS u;
SELECT generate_series(1, generate_series(1, 3)) AS g;
SELECT generate_series(1, 2) AS a, generate_series(1, generate_series(1, 3)) AS b;
SELECT generate_series(1, 2) AS a, generate_series(1, generate_series(0, 1)) AS b;
SELECT unnest(ARRAY[generate_series(1, 2), generate_series(10, 12)]) AS u;
SELECT generate_series(1, generate_series(1, generate_series(1, 2))) AS deep;
SELECT generate_series(1, 3) AS g, generate_series(1, 3) * 10 + generate_series(1, 2) AS s;
SELECT id, generate_series(1, cardinality(a)) AS n, unnest(a) + generate_series(0, 1) AS v
  FROM srfs ORDER BY id, n, v;
SELECT unnest(ARRAY[generate_series(1, 0)]) AS none;
SELECT generate_series(1, generate_series(NULL::int, 2)) AS nulls;
-- Calls over subqueries, correlated or not (pgcli's foreign-key query).
SELECT unnest((SELECT ARRAY[1, 2, 3])) AS u;
SELECT unnest((SELECT array_agg(x ORDER BY id) FROM srfs WHERE x IS NOT NULL)) AS u;
SELECT id, unnest((SELECT a FROM srfs s2 WHERE s2.id = s.id)) AS u FROM srfs s ORDER BY id, u;
SELECT id, generate_series(1, (SELECT count(*)::int FROM srfs s2 WHERE s2.g = s.g)) AS n
  FROM srfs s ORDER BY id, n;
SELECT unnest((SELECT a FROM srfs WHERE id = 2)) AS empty_array;
SELECT unnest((SELECT a FROM srfs WHERE id = 99)) AS no_row;
SELECT unnest((SELECT a FROM srfs)) AS too_many;
SELECT unnest(ARRAY(SELECT id FROM srfs WHERE g = 'b' ORDER BY id)) AS u, generate_series(1, 3) AS g;
CREATE TABLE srfs_parent (p1 int, p2 int, PRIMARY KEY (p1, p2));
CREATE TABLE srfs_child (c0 int, c1 int, c2 int, FOREIGN KEY (c2, c1) REFERENCES srfs_parent (p1, p2));
SELECT t_p.relname AS parenttable,
       unnest((SELECT array_agg(attname ORDER BY i)
               FROM (SELECT unnest(confkey) AS attnum, generate_subscripts(confkey, 1) AS i) x
               JOIN pg_catalog.pg_attribute c USING (attnum)
               WHERE c.attrelid = fk.confrelid)) AS parentcolumn,
       t_c.relname AS childtable,
       unnest((SELECT array_agg(attname ORDER BY i)
               FROM (SELECT unnest(conkey) AS attnum, generate_subscripts(conkey, 1) AS i) x
               JOIN pg_catalog.pg_attribute c USING (attnum)
               WHERE c.attrelid = fk.conrelid)) AS childcolumn
  FROM pg_catalog.pg_constraint fk
  JOIN pg_catalog.pg_class t_p ON t_p.oid = fk.confrelid
  JOIN pg_catalog.pg_class t_c ON t_c.oid = fk.conrelid
  WHERE fk.contype = 'f' AND t_c.relname = 'srfs_child';
-- Over aggregates and grouped rows.
SELECT g, unnest(array_agg(x ORDER BY id)) AS x FROM srfs GROUP BY g ORDER BY g NULLS FIRST, x NULLS FIRST;
SELECT unnest(array_agg(id ORDER BY id)) AS id FROM srfs;
SELECT unnest(array_agg(id)) AS id FROM srfs_empty;
SELECT count(*) AS n, generate_series(1, 2) AS k FROM srfs_empty;
SELECT g, count(*) AS n, generate_series(1, count(*)::int) AS k FROM srfs GROUP BY g
  ORDER BY g NULLS LAST, k;
SELECT g, generate_series(1, 2) AS k, sum(x) AS s FROM srfs GROUP BY g HAVING count(x) > 0
  ORDER BY k DESC, g;
SELECT g, unnest(array_agg(DISTINCT x)) AS x FROM srfs GROUP BY ROLLUP (g) ORDER BY g NULLS LAST, x NULLS LAST;
SELECT unnest(ARRAY[min(id), max(id)]) AS bounds, count(*) AS n FROM srfs WHERE false;
-- GROUP BY a set-returning call (run under the aggregate).
SELECT generate_series(1, 2) AS k GROUP BY generate_series(1, 2) ORDER BY 1;
SELECT count(*) AS n GROUP BY generate_series(1, 3) ORDER BY 1;
SELECT count(*) AS n FROM srfs GROUP BY unnest(a) ORDER BY 1;
SELECT unnest(a) AS k, count(*) AS n, sum(x) AS s FROM srfs GROUP BY 1 ORDER BY 1 NULLS FIRST;
SELECT unnest(a) AS k, count(*) AS n FROM srfs_empty GROUP BY 1;
SELECT g, count(*) AS n FROM srfs GROUP BY g, generate_series(1, 2) ORDER BY g NULLS FIRST, n;
-- Over window functions, and in window definitions (run under them).
SELECT id, row_number() OVER (ORDER BY id) AS rn, generate_series(1, 2) AS k FROM srfs ORDER BY id, k;
SELECT id, generate_series(1, row_number() OVER (ORDER BY id)::int) AS k FROM srfs WHERE id < 4 ORDER BY id, k;
SELECT unnest(ARRAY[rank() OVER (ORDER BY x), dense_rank() OVER (ORDER BY x)]) AS r, id
  FROM srfs ORDER BY id, r;
SELECT generate_series(1, 3) AS g, row_number() OVER () AS rn;
SELECT g, unnest(array_agg(id ORDER BY id)) AS id, sum(count(*)) OVER () AS total FROM srfs
  GROUP BY g ORDER BY g NULLS FIRST, id;
SELECT row_number() OVER (ORDER BY generate_series(1, 3) DESC) AS rn;
SELECT max(x) OVER (PARTITION BY generate_series(1, 2)) AS m FROM srfs;
SELECT id, count(*) OVER (PARTITION BY generate_series(1, 2)) AS c, sum(x) OVER (ORDER BY id) AS s
  FROM srfs ORDER BY id, c;
SELECT u, rank() OVER (ORDER BY unnest(a)) AS r FROM (SELECT 1 AS u) v, srfs WHERE id = 4 ORDER BY r;
-- ORDER BY, DISTINCT, DISTINCT ON and LIMIT after them; calls in ORDER BY.
SELECT 1 AS one ORDER BY generate_series(1, 3);
SELECT id FROM srfs WHERE id <= 2 ORDER BY generate_series(1, 2) DESC, id;
SELECT unnest(ARRAY[3, 1, 2]) AS u ORDER BY unnest(ARRAY[3, 1, 2]) DESC;
SELECT DISTINCT unnest(a) AS v FROM srfs ORDER BY 1 NULLS FIRST;
SELECT DISTINCT generate_series(1, 3) % 2 AS parity ORDER BY 1;
SELECT DISTINCT ON (generate_series(1, 4) % 2) generate_series(1, 4) AS g ORDER BY generate_series(1, 4) % 2, 1 DESC;
SELECT id, unnest(a) AS v FROM srfs ORDER BY id DESC, v LIMIT 3;
SELECT id, unnest(a) AS v FROM srfs ORDER BY v NULLS FIRST, id LIMIT 4 OFFSET 2;
SELECT generate_series(1, 100) AS g LIMIT 3;
SELECT count(*) FROM (SELECT generate_series(1, 10) AS g, unnest(ARRAY[1, 2]) AS u LIMIT 5) s;
-- In subqueries in FROM, CTEs, set operations and views.
SELECT s.v, count(*) FROM (SELECT unnest(a) AS v FROM srfs) s GROUP BY s.v ORDER BY s.v NULLS FIRST;
WITH e AS (SELECT id, generate_series(1, id) AS n FROM srfs WHERE id <= 3) SELECT id, sum(n) FROM e GROUP BY id ORDER BY id;
SELECT generate_series(1, 2) AS v UNION ALL SELECT unnest(ARRAY[5, 6]) ORDER BY 1;
SELECT generate_series(1, 3) AS v INTERSECT SELECT unnest(ARRAY[2, 3, 4]) ORDER BY 1;
CREATE VIEW srfs_v AS SELECT id, unnest(a) AS v, generate_series(1, 2) AS k FROM srfs;
SELECT * FROM srfs_v ORDER BY id, k, v;
SELECT k, count(v) FROM srfs_v GROUP BY k ORDER BY k;
-- Types: bigint, numeric, text, arrays of arrays, json.
SELECT generate_series(1::bigint, 3) * 2 AS b, unnest(ARRAY['x', NULL, 'z']) AS t;
SELECT generate_series(0.5, 2.0, 0.5) AS n;
SELECT unnest(ARRAY[[1, 2], [3, 4]]) AS flat;
SELECT unnest(ARRAY[ARRAY['a', 'b']]) || '!' AS t;
SELECT json_array_elements('[1, {"a": 2}, null]') AS j, generate_series(1, 2) AS g;
SELECT jsonb_array_elements_text('["p", "q"]') AS t, jsonb_object_keys('{"k1": 1, "k2": 2, "k3": 3}') AS k;
SELECT generate_subscripts(ARRAY[10, 20, 30], 1) AS i, unnest(ARRAY[10, 20, 30]) AS v;
SELECT pg_typeof(unnest(ARRAY[1.5])) AS t;
-- Boolean constructs whose argument returns a set (42804).
SELECT NOT (generate_series(1, 2) > 1);
SELECT (generate_series(1, 2) > 1) AND true;
SELECT (generate_series(1, 2) > 1) OR false;
SELECT generate_series(1, 3) BETWEEN 1 AND 2;
SELECT 1 IN (generate_series(1, 2));
SELECT generate_series(1, 2) IN (1);
SELECT generate_series(1, 3) IN (1, 3) AS in_list;
SELECT 1 IN (generate_series(1, 2), 3) AS in_list;
SELECT id, x IN (unnest(a), 10) AS in_list FROM srfs WHERE id = 1 ORDER BY 2;
SELECT (generate_series(1, 2) > 1)::int AS b;
SELECT generate_series(1, 3) IS DISTINCT FROM 2 AS d;
-- Where PostgreSQL refuses them (0A000).
SELECT id FROM srfs WHERE unnest(a) > 1;
SELECT g FROM srfs GROUP BY g HAVING generate_series(1, 2) > 1;
SELECT CASE WHEN id > 1 THEN generate_series(1, 2) END FROM srfs;
SELECT coalesce(unnest(a), 0) FROM srfs;
SELECT sum(generate_series(1, 3));
SELECT array_agg(id ORDER BY generate_series(1, 2)) FROM srfs;
SELECT count(*) FILTER (WHERE generate_series(1, 2) > 0) FROM srfs;
SELECT sum(generate_series(1, 2)) OVER ();
SELECT lag(unnest(a)) OVER (ORDER BY id) FROM srfs;
SELECT id FROM srfs LIMIT generate_series(1, 2);
SELECT id FROM srfs OFFSET unnest(ARRAY[1]);
VALUES (generate_series(1, 2));
VALUES (1), (generate_series(1, 2));
SELECT * FROM srfs JOIN srfs_empty e ON e.id = generate_series(1, 2);
INSERT INTO srfs_empty VALUES (1, '{}') RETURNING generate_series(1, 2);
UPDATE srfs SET x = generate_series(1, 2);
DELETE FROM srfs WHERE id = unnest(ARRAY[1]);
SELECT abs(id) FILTER (WHERE true) FROM srfs;
SELECT generate_series(1, 2) FILTER (WHERE true);
-- Nothing changed by the refused statements.
SELECT count(*) FROM srfs_empty;
SELECT id, x FROM srfs ORDER BY id;
DROP VIEW srfs_v;
DROP TABLE srfs_child;
DROP TABLE srfs_parent;
DROP TABLE srfs_empty;
DROP TABLE srfs;
