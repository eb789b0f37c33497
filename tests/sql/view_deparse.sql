-- Views as PostgreSQL keeps them: pg_get_viewdef in its plain and pretty
-- forms (ruleutils' text: qualified columns, typed literals, casts,
-- parenthesized operators), pg_views and information_schema.views,
-- columns bound at CREATE VIEW (ADD COLUMN does not change SELECT *),
-- RENAME COLUMN renamed in the definition, DROP COLUMN of a column a
-- view reads refused (2BP01) unless CASCADE.
CREATE TABLE vd_t (a int, b text, c numeric);
CREATE TABLE vd_u (a int, d text);
INSERT INTO vd_t VALUES (1, 'x', 1.5), (2, 'y', NULL), (3, NULL, 7), (NULL, 'z', 2);
INSERT INTO vd_u VALUES (1, 'one'), (3, 'three'), (NULL, 'none');
CREATE VIEW vd_simple AS SELECT a, b AS x FROM vd_t WHERE a > 1;
SELECT pg_get_viewdef('vd_simple'::regclass);
SELECT pg_get_viewdef('vd_simple'::regclass, true);
SELECT pg_get_viewdef('vd_simple');
SELECT pg_get_viewdef('vd_simple', true);
SELECT * FROM vd_simple ORDER BY a;
CREATE VIEW vd_ops AS SELECT 1, 'x' AS lit, a + 1 AS p, a * 2 + 1 AS p2, (a + 1) * 2 AS p3, a - (a - 1) AS p4, b || 'y' AS q, c > 1.5 AND a < 3 OR b IS NULL AS r, NOT (a = 1) AS nn FROM vd_t;
SELECT pg_get_viewdef('vd_ops'::regclass);
SELECT pg_get_viewdef('vd_ops'::regclass, true);
SELECT * FROM vd_ops ORDER BY p NULLS FIRST;
CREATE VIEW vd_join AS SELECT vd_t.a, vd_u.d FROM vd_t JOIN vd_u ON vd_t.a = vd_u.a LEFT JOIN vd_u u2 ON u2.a = vd_t.a WHERE vd_t.c::int > 1 AND b LIKE 'x%';
SELECT pg_get_viewdef('vd_join'::regclass);
SELECT pg_get_viewdef('vd_join'::regclass, true);
SELECT * FROM vd_join;
CREATE VIEW vd_group AS SELECT a, count(*), sum(c) AS s FROM vd_t GROUP BY a HAVING count(*) > 0 ORDER BY a DESC LIMIT 5 OFFSET 1;
SELECT pg_get_viewdef('vd_group'::regclass);
SELECT pg_get_viewdef('vd_group'::regclass, true);
SELECT * FROM vd_group;
CREATE VIEW vd_case AS SELECT CASE WHEN a > 1 THEN 'big' WHEN a IS NULL THEN NULL ELSE 'small' END AS k, coalesce(b, 'n'), upper(b), a::text, cast(c AS int) FROM vd_t;
SELECT pg_get_viewdef('vd_case'::regclass);
SELECT pg_get_viewdef('vd_case'::regclass, true);
SELECT * FROM vd_case ORDER BY 1, 2;
CREATE VIEW vd_union AS SELECT a FROM vd_t UNION SELECT a FROM vd_u;
SELECT pg_get_viewdef('vd_union'::regclass);
SELECT pg_get_viewdef('vd_union'::regclass, true);
SELECT * FROM vd_union ORDER BY a;
CREATE VIEW vd_sub AS SELECT * FROM vd_t WHERE a IN (1, 2) AND b IN (SELECT d FROM vd_u) OR EXISTS (SELECT 1 FROM vd_u WHERE vd_u.a = vd_t.a);
SELECT pg_get_viewdef('vd_sub'::regclass);
SELECT pg_get_viewdef('vd_sub'::regclass, true);
SELECT * FROM vd_sub ORDER BY a;
CREATE VIEW vd_from_sub AS SELECT x.a FROM (SELECT a FROM vd_t WHERE c > 1) x;
SELECT pg_get_viewdef('vd_from_sub'::regclass);
SELECT pg_get_viewdef('vd_from_sub'::regclass, true);
CREATE VIEW vd_distinct AS SELECT DISTINCT a FROM vd_t ORDER BY 1;
SELECT pg_get_viewdef('vd_distinct'::regclass);
CREATE VIEW vd_between AS SELECT a FROM vd_t WHERE c > 1 AND a BETWEEN 1 AND 3 AND b <> 'q';
SELECT pg_get_viewdef('vd_between'::regclass);
SELECT pg_get_viewdef('vd_between'::regclass, true);
CREATE VIEW vd_with AS WITH w AS (SELECT a FROM vd_t) SELECT a FROM w;
SELECT pg_get_viewdef('vd_with'::regclass);
SELECT * FROM vd_with ORDER BY a;
CREATE VIEW vd_misc AS SELECT vd_t.a, vd_u.d, -1 AS m, -vd_t.a AS na FROM vd_t, vd_u WHERE NOT (vd_t.a = 1 OR vd_u.a IS NOT NULL) AND vd_t.b NOT LIKE 'x' AND vd_t.a NOT IN (1, 2) AND vd_t.a NOT BETWEEN 1 AND 2;
SELECT pg_get_viewdef('vd_misc'::regclass);
SELECT pg_get_viewdef('vd_misc'::regclass, true);
CREATE VIEW vd_aggs AS SELECT a, sum(c) FILTER (WHERE a > 1), count(DISTINCT b), c::int + a AS ci, length(b) AS l, b IS DISTINCT FROM 'x' AS dd FROM vd_t GROUP BY a, b, c ORDER BY a NULLS FIRST, 2 DESC;
SELECT pg_get_viewdef('vd_aggs'::regclass);
SELECT pg_get_viewdef('vd_aggs'::regclass, true);
-- Views over views; the other catalogs' definitions.
CREATE VIEW vd_over AS SELECT vd_simple.x FROM vd_simple JOIN vd_u ON vd_u.a = vd_simple.a;
SELECT pg_get_viewdef('vd_over'::regclass, true);
SELECT * FROM vd_over;
SELECT viewname, definition FROM pg_views WHERE viewname LIKE 'vd\_%' ORDER BY viewname;
SELECT table_name, view_definition FROM information_schema.views WHERE table_name LIKE 'vd\_%' ORDER BY table_name;
-- Columns are bound at CREATE VIEW.
CREATE VIEW vd_star AS SELECT * FROM vd_u;
ALTER TABLE vd_u ADD COLUMN e int;
SELECT * FROM vd_star ORDER BY a;
SELECT pg_get_viewdef('vd_star'::regclass, true);
-- RENAME COLUMN renames it in the definition; the view's column keeps its name.
ALTER TABLE vd_u RENAME COLUMN d TO dd;
SELECT pg_get_viewdef('vd_star'::regclass);
SELECT pg_get_viewdef('vd_join'::regclass, true);
SELECT * FROM vd_star ORDER BY a;
-- DROP COLUMN of a column a view reads.
ALTER TABLE vd_u DROP COLUMN e;
ALTER TABLE vd_u DROP COLUMN dd;
ALTER TABLE vd_t DROP COLUMN c;
SELECT * FROM vd_star ORDER BY a;
ALTER TABLE vd_u DROP COLUMN dd CASCADE;
SELECT viewname FROM pg_views WHERE viewname LIKE 'vd\_%' ORDER BY viewname;
-- Schemas: a relation outside the search path is qualified.
CREATE SCHEMA vd_s;
CREATE TABLE vd_s.st (id int PRIMARY KEY, val text);
CREATE VIEW vd_s.sv AS SELECT id, val FROM vd_s.st WHERE id > 0;
SELECT pg_get_viewdef('vd_s.sv'::regclass, true);
SET search_path = vd_s, public;
SELECT pg_get_viewdef('vd_s.sv'::regclass, true);
RESET search_path;
-- Errors and NULLs.
SELECT pg_get_viewdef(NULL::oid);
SELECT pg_get_viewdef('vd_t'::regclass);
SELECT pg_get_viewdef('vd_nosuch'::regclass);
