-- WITH (non-recursive common table expressions): references in FROM, in
-- subqueries and joins, column aliases, siblings, shadowing, nesting.
CREATE TABLE w_t (id int PRIMARY KEY, grp text, v numeric(10,2));
INSERT INTO w_t VALUES (1, 'a', 10), (2, 'a', 20.5), (3, 'b', NULL), (4, 'c', 7);
WITH x AS (SELECT 1 AS n) SELECT * FROM x;
WITH x(a, b) AS (SELECT 1, 'one') SELECT b, a FROM x;
WITH s AS (SELECT grp, sum(v) AS total FROM w_t GROUP BY grp) SELECT * FROM s ORDER BY grp;
WITH s AS (SELECT grp, sum(v) AS total FROM w_t GROUP BY grp) SELECT grp FROM s WHERE total > (SELECT avg(total) FROM s) ORDER BY 1;
WITH a AS (SELECT id FROM w_t WHERE id < 3), b AS (SELECT id * 10 AS id FROM a) SELECT * FROM b ORDER BY 1;
WITH a AS (SELECT id FROM w_t) SELECT t.grp, a.id FROM w_t t JOIN a ON a.id = t.id ORDER BY 2;
WITH w_t AS (SELECT 42 AS id) SELECT * FROM w_t;
WITH x AS (SELECT 1 AS n) SELECT (SELECT n FROM x) + 1;
WITH x AS (SELECT 1 AS n) SELECT * FROM (WITH x AS (SELECT 2 AS n) SELECT n FROM x) s, x;
WITH x AS (SELECT id FROM w_t) SELECT id FROM x UNION ALL SELECT id + 100 FROM x ORDER BY 1;
WITH x AS MATERIALIZED (SELECT id FROM w_t) SELECT count(*) FROM x;
WITH x AS NOT MATERIALIZED (SELECT id FROM w_t) SELECT count(*) FROM x;
WITH x AS (SELECT id FROM w_t) SELECT * FROM w_t WHERE id IN (SELECT id FROM x WHERE id > 2) ORDER BY id;
WITH x AS (SELECT 1) SELECT * FROM x;
-- Errors.
WITH x AS (SELECT 1), x AS (SELECT 2) SELECT * FROM x;
WITH x(a, b) AS (SELECT 1) SELECT * FROM x;
WITH a AS (SELECT * FROM b), b AS (SELECT 1) SELECT * FROM a;
-- WITH RECURSIVE.
WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 10) SELECT sum(i), count(*) FROM n;
WITH RECURSIVE n AS (SELECT 1 AS i UNION SELECT i % 3 + 1 FROM n) SELECT i FROM n ORDER BY i;
WITH RECURSIVE fib(a, b) AS (SELECT 0::int8, 1::int8 UNION ALL SELECT b, a + b FROM fib WHERE b < 1000) SELECT a FROM fib ORDER BY a;
CREATE TABLE w_tree (id int, parent int, name text);
INSERT INTO w_tree VALUES (1, NULL, 'root'), (2, 1, 'a'), (3, 1, 'b'), (4, 2, 'a1'), (5, 4, 'a1x'), (6, 3, 'b1');
WITH RECURSIVE sub AS (SELECT id, name, 0 AS depth FROM w_tree WHERE id = 2 UNION ALL SELECT t.id, t.name, s.depth + 1 FROM w_tree t JOIN sub s ON t.parent = s.id) SELECT * FROM sub ORDER BY id;
WITH RECURSIVE path(id, p) AS (SELECT id, name FROM w_tree WHERE parent IS NULL UNION ALL SELECT t.id, p || '/' || t.name FROM w_tree t, path WHERE t.parent = path.id) SELECT p FROM path ORDER BY p;
WITH RECURSIVE x AS (SELECT 1 AS n), y AS (SELECT n + 1 AS n FROM x) SELECT * FROM y;
WITH RECURSIVE e AS (SELECT 1 AS n WHERE false UNION ALL SELECT n + 1 FROM e) SELECT count(*) FROM e;
WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 5) SELECT a.i, b.i FROM n a JOIN n b ON a.i = b.i * 2 ORDER BY 1;
WITH RECURSIVE t(n) AS (VALUES (1) UNION ALL SELECT n + 1 FROM t WHERE n < 3) SELECT * FROM t;
-- Recursive errors.
WITH RECURSIVE bad(i) AS (SELECT 1 UNION ALL SELECT i + 1.5 FROM bad WHERE i < 3) SELECT * FROM bad;
WITH RECURSIVE bad AS (SELECT * FROM bad) SELECT * FROM bad;
