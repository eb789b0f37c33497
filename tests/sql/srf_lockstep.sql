-- Several set-returning functions in one select list advance in lockstep
-- (PostgreSQL's ProjectSet): as many rows as the longest, NULLs from those
-- exhausted, none when all are empty; CASE and COALESCE refuse them.
CREATE TABLE srfl (id int, a int[], b text[]);
INSERT INTO srfl VALUES (1, '{1,2,3}', '{x,y}'), (2, '{}', '{p}'), (3, NULL, NULL),
  (4, '{7}', '{}'), (5, '{5,NULL,6}', '{q,NULL}'), (6, '{}', NULL);
SELECT unnest(ARRAY[1,2,3]) AS a, generate_series(1, 5) AS g;
SELECT generate_series(1, 2) AS g, unnest(ARRAY['a','b','c','d']) AS u;
SELECT generate_series(1, 3) AS x, generate_series(10, 11) AS y, unnest(ARRAY[true]) AS z;
SELECT generate_series(1, 0) AS x, unnest(ARRAY[]::int[]) AS y;
SELECT generate_series(1, 0) AS x, unnest(ARRAY[4,5]) AS y;
SELECT unnest(NULL::int[]) AS x, generate_series(1, 2) AS y;
SELECT generate_series(1, NULL) AS x, generate_series(1, 1) AS y;
SELECT generate_series(1, 3) AS x, generate_series(1, 3) AS y;
SELECT generate_series(1, 3) * 10 + 1 AS x, unnest(ARRAY[1,2]) + 1 AS y, 'k' AS k;
SELECT generate_series(1, 2) + generate_series(1, 4) AS s;
SELECT generate_series(1::bigint, 3) AS t, unnest(ARRAY[1.5, 2.5]) AS n;
SELECT generate_series(3, 1, -1) AS d, generate_subscripts(ARRAY[10,20], 1) AS s;
SELECT id, unnest(a) AS x, unnest(b) AS y, generate_series(1, 2) AS g FROM srfl ORDER BY id, g;
SELECT id, generate_subscripts(a, 1) AS s, unnest(a) AS v FROM srfl ORDER BY id, s;
SELECT id, unnest(b) AS y, generate_series(1, coalesce(cardinality(a), 0)) AS n FROM srfl ORDER BY id, n;
SELECT id, unnest(a) AS x, generate_series(1, 2) AS g FROM srfl WHERE id IN (1, 4) ORDER BY id, g;
SELECT id, unnest(a) AS x, generate_series(1, 2) AS g FROM srfl WHERE a IS NULL;
SELECT id, json_array_elements_text('[1,2]') AS j, generate_series(1, 3) AS g FROM srfl WHERE id = 1;
SELECT id, jsonb_object_keys('{"a":1,"b":2,"c":3}') AS k, unnest(b) AS y FROM srfl WHERE id = 5;
-- ORDER BY, DISTINCT and LIMIT on top of the lockstep rows.
SELECT unnest(ARRAY[3,1,2]) AS x, generate_series(1, 4) AS g ORDER BY x NULLS FIRST, g;
SELECT unnest(ARRAY[3,1,2]) AS x, generate_series(1, 4) AS g ORDER BY g DESC;
SELECT DISTINCT unnest(ARRAY[1,1,2]) AS x, generate_series(1, 1) AS g ORDER BY 1, 2;
SELECT DISTINCT unnest(a) AS x, generate_series(1, 2) AS g FROM srfl ORDER BY x, g;
SELECT unnest(a) AS x, generate_series(1, 4) AS g FROM srfl WHERE id = 1 ORDER BY g LIMIT 2 OFFSET 1;
-- GROUP BY over them (in a subquery: the lockstep rows are its rows).
SELECT g, count(*), count(x), sum(x) FROM
  (SELECT unnest(a) AS x, generate_series(1, 2) AS g FROM srfl) s GROUP BY g ORDER BY g;
SELECT y, count(*) FROM (SELECT unnest(b) AS y, unnest(a) AS x, generate_subscripts(a, 1) AS i FROM srfl) s
  GROUP BY y ORDER BY y NULLS FIRST;
-- The index-reflection shape SQLAlchemy uses: indkey with its positions.
CREATE TABLE srfl_ix (p int, q int, r int);
CREATE INDEX srfl_ix_qp ON srfl_ix (q, p);
SELECT c.relname, unnest(i.indkey) AS attnum, generate_subscripts(i.indkey, 1) AS ord
  FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid
  WHERE c.relname = 'srfl_ix_qp' ORDER BY ord;
-- Errors.
SELECT CASE WHEN true THEN generate_series(1, 2) END;
SELECT CASE generate_series(1, 2) WHEN 1 THEN 'a' END;
SELECT CASE WHEN false THEN 0 ELSE unnest(ARRAY[1,2]) END, generate_series(1, 3);
SELECT coalesce(unnest(ARRAY[1,NULL]), 0), generate_series(1, 2);
SELECT id FROM srfl WHERE unnest(a) > 1;
SELECT generate_series(1, 2), unnest(1);
DROP TABLE srfl_ix;
DROP TABLE srfl;
