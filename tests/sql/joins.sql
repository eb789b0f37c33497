-- RIGHT and FULL joins (hash and nested loop), NATURAL joins and JOIN
-- USING with merged columns (once in SELECT *, the left value for
-- INNER/LEFT, the right one for RIGHT, COALESCE for FULL), with NULL
-- keys, duplicates, empty sides and type mixes; PostgreSQL's errors.
CREATE TABLE ja (id int, x text, k int);
CREATE TABLE jb (id int, y text, k bigint);
CREATE TABLE jc (id int PRIMARY KEY, z text);
CREATE TABLE jempty (id int, w text);
INSERT INTO ja VALUES (1, 'a1', 10), (2, 'a2', 20), (2, 'a2bis', 21), (3, 'a3', NULL), (NULL, 'anull', 40);
INSERT INTO jb VALUES (2, 'b2', 20), (3, 'b3', 30), (3, 'b3bis', 31), (4, 'b4', NULL), (NULL, 'bnull', 50);
INSERT INTO jc VALUES (1, 'c1'), (3, 'c3'), (5, 'c5');
-- RIGHT JOIN.
SELECT ja.id, x, jb.id, y FROM ja RIGHT JOIN jb ON ja.id = jb.id ORDER BY jb.id, y, x;
SELECT ja.id, x, jb.id, y FROM ja RIGHT OUTER JOIN jb ON ja.id = jb.id AND ja.k < jb.k ORDER BY jb.id, y, x;
SELECT ja.id, x, jb.id, y FROM ja RIGHT JOIN jb ON ja.id < jb.id ORDER BY jb.id, y, x, ja.id;
SELECT ja.id, x, jb.id, y FROM ja RIGHT JOIN jb ON ja.id = jb.id WHERE x IS NULL ORDER BY y;
SELECT ja.id, x, jb.id, y FROM ja RIGHT JOIN jb ON ja.id = jb.id AND x <> 'a2' ORDER BY y, x;
SELECT ja.id, x, jb.id, y FROM ja RIGHT JOIN jb ON ja.id = jb.id AND y <> 'b2' ORDER BY y, x;
SELECT * FROM jempty RIGHT JOIN jc ON jempty.id = jc.id ORDER BY jc.id;
SELECT * FROM jc RIGHT JOIN jempty ON jempty.id = jc.id;
SELECT jc.id, z, ja.x FROM jc RIGHT JOIN ja ON ja.id = jc.id ORDER BY ja.x;
SELECT count(*), count(ja.id), count(jb.id) FROM ja RIGHT JOIN jb ON true;
-- FULL JOIN.
SELECT ja.id, x, jb.id, y FROM ja FULL JOIN jb ON ja.id = jb.id ORDER BY ja.id, jb.id, x, y;
SELECT ja.id, x, jb.id, y FROM ja FULL OUTER JOIN jb ON ja.id = jb.id AND ja.k = jb.k ORDER BY x, y;
SELECT ja.id, x, jb.id, y FROM ja FULL JOIN jb ON ja.id = jb.id WHERE ja.id IS NULL OR jb.id IS NULL ORDER BY x, y;
SELECT jc.id, z, jempty.w FROM jc FULL JOIN jempty ON jc.id = jempty.id ORDER BY jc.id;
SELECT * FROM jempty FULL JOIN jempty j2 ON jempty.id = j2.id;
SELECT x, y, z FROM ja FULL JOIN jb ON ja.id = jb.id FULL JOIN jc ON jc.id = jb.id ORDER BY x, y, z;
SELECT count(*) FROM ja FULL JOIN jb ON ja.k = jb.k;
SELECT ja.id, x, jb.id, y FROM ja FULL JOIN jb ON ja.id = jb.id AND ja.k > 10 AND jb.y <> 'b2' ORDER BY x, y;
SELECT count(*) FROM ja FULL JOIN jb ON ja.k > 1;
SELECT count(*) FROM ja FULL JOIN jb ON true;
SELECT count(*) FROM ja FULL JOIN jb ON false;
SELECT coalesce(ja.id, jb.id) AS id, count(*) FROM ja FULL JOIN jb ON ja.id = jb.id GROUP BY 1 ORDER BY 1;
-- USING: merged columns.
SELECT * FROM ja JOIN jb USING (id) ORDER BY id, x, y;
SELECT * FROM ja LEFT JOIN jb USING (id) ORDER BY id, x, y;
SELECT * FROM ja RIGHT JOIN jb USING (id) ORDER BY id, x, y;
SELECT * FROM ja FULL JOIN jb USING (id) ORDER BY id, x, y;
SELECT id, ja.id, jb.id FROM ja FULL JOIN jb USING (id) ORDER BY x, y;
SELECT * FROM ja JOIN jb USING (id, k) ORDER BY id;
SELECT * FROM ja FULL JOIN jb USING (k) ORDER BY k, x, y;
SELECT k, pg_typeof(k) FROM ja JOIN jb USING (k) ORDER BY k;
SELECT ja.*, jb.y FROM ja JOIN jb USING (id) ORDER BY x, y;
SELECT jb.* FROM ja JOIN jb USING (id) ORDER BY y;
SELECT * FROM ja JOIN jb USING (id) JOIN jc USING (id) ORDER BY id, x, y;
SELECT * FROM (ja JOIN jb USING (id)) JOIN jc ON jc.id = ja.id ORDER BY x, y;
SELECT id FROM ja JOIN jb USING (id) WHERE id > 2 ORDER BY id, x, y;
SELECT count(*) FROM ja JOIN jb USING (id) GROUP BY id ORDER BY id;
SELECT * FROM jc JOIN jempty USING (id);
SELECT * FROM jc LEFT JOIN jempty USING (id) ORDER BY id;
-- NATURAL.
SELECT * FROM ja NATURAL JOIN jb ORDER BY id;
SELECT * FROM ja NATURAL LEFT JOIN jb ORDER BY id, k, x;
SELECT * FROM ja NATURAL FULL JOIN jb ORDER BY id, k, x, y;
SELECT * FROM jc NATURAL RIGHT JOIN jempty;
SELECT * FROM (SELECT 1 AS a, 2 AS b) s NATURAL JOIN (SELECT 1 AS a, 3 AS c) t;
SELECT * FROM (SELECT 1 AS a) s NATURAL JOIN (SELECT 2 AS b) t;
SELECT * FROM (VALUES (1, 'x'), (2, 'y')) s(n, t) NATURAL FULL JOIN (VALUES (2, 'y'), (3, 'z')) u(n, t) ORDER BY n;
-- Errors.
SELECT * FROM ja JOIN jb USING (nosuch);
SELECT * FROM ja JOIN jc USING (x);
SELECT * FROM ja JOIN jb USING (id, id);
SELECT * FROM ja FULL JOIN jb ON ja.id < jb.id;
SELECT id FROM ja JOIN jb ON ja.id = jb.id;
SELECT * FROM ja RIGHT JOIN LATERAL (SELECT ja.id) s ON true;
SELECT * FROM ja FULL JOIN LATERAL (SELECT ja.id) s ON true;
SELECT * FROM ja JOIN jb USING (id) JOIN jb j2 USING (y);
-- FILTER and HAVING without GROUP BY.
SELECT count(*) FILTER (WHERE k > 15), sum(k) FILTER (WHERE x LIKE 'a2%'), count(*) FROM ja;
SELECT count(*) FROM ja HAVING count(*) > 3;
SELECT count(*) FROM ja HAVING count(*) > 10;
SELECT 1 AS one FROM ja HAVING min(id) = 1;
SELECT x FROM ja HAVING count(*) > 1;
