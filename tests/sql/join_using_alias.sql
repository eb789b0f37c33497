-- JOIN ... USING (...) AS alias: the alias names the merged columns
-- (qualified references, alias.*), in inner, left, right and full joins,
-- with NULLs and no matches; the joined tables stay reachable.
CREATE TABLE ja (id int, k text, a int);
CREATE TABLE jb (id int, k text, b int);
INSERT INTO ja VALUES (1, 'x', 10), (2, 'y', 20), (3, NULL, 30), (NULL, 'z', 40);
INSERT INTO jb VALUES (1, 'x', 100), (2, 'q', 200), (4, 'w', 400), (NULL, 'z', 500);
SELECT j.id, a, b FROM ja JOIN jb USING (id) AS j ORDER BY j.id;
SELECT j.*, ja.k, jb.k FROM ja JOIN jb USING (id) AS j ORDER BY 1;
SELECT j.id, j.k, a, b FROM ja JOIN jb USING (id, k) AS j ORDER BY 1;
SELECT j.id, a, b FROM ja LEFT JOIN jb USING (id) AS j ORDER BY a;
SELECT j.id, a, b FROM ja RIGHT JOIN jb USING (id) AS j ORDER BY b;
SELECT j.id, a, b FROM ja FULL JOIN jb USING (id) AS j ORDER BY j.id NULLS FIRST, a, b;
SELECT * FROM ja JOIN jb USING (id) AS j ORDER BY id;
SELECT count(*) FROM ja JOIN jb USING (id) AS j WHERE j.id > 5;
SELECT j.id FROM ja JOIN jb USING (id) AS "J x" ORDER BY 1;
SELECT "J x".id FROM ja JOIN jb USING (id) AS "J x" ORDER BY 1;
SELECT j.a FROM ja JOIN jb USING (id) AS j;
SELECT j.id FROM ja JOIN jb USING (id) AS x;
