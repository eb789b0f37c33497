-- UPDATE ... FROM and DELETE ... USING: joins to other tables, views and
-- subqueries; RETURNING columns of the other tables; each target row
-- changed once.
CREATE TABLE uf_t (id int PRIMARY KEY, g int, v text, n numeric);
INSERT INTO uf_t VALUES (1, 1, 'a', 10), (2, 1, 'b', NULL), (3, 2, 'c', 30), (4, 3, NULL, 40), (5, NULL, 'e', 50);
CREATE TABLE uf_g (g int, label text, bonus int);
INSERT INTO uf_g VALUES (1, 'one', 100), (2, 'two', 200), (4, 'four', 400), (NULL, 'none', 0);
CREATE TABLE uf_empty (g int);
CREATE VIEW uf_view AS SELECT g, label FROM uf_g WHERE bonus > 100;
UPDATE uf_t SET v = uf_g.label FROM uf_g WHERE uf_t.g = uf_g.g;
SELECT * FROM uf_t ORDER BY id;
UPDATE uf_t t SET n = t.n + g.bonus FROM uf_g g WHERE t.g = g.g AND t.id > 1 RETURNING t.id, t.n, g.label;
SELECT * FROM uf_t ORDER BY id;
UPDATE uf_t SET v = 'x' FROM uf_empty WHERE uf_t.g = uf_empty.g;
UPDATE uf_t SET v = v || '!' FROM uf_empty;
UPDATE uf_t SET v = label FROM uf_view WHERE uf_view.g = uf_t.g RETURNING uf_t.*;
UPDATE uf_t SET n = s.total FROM (SELECT g, sum(bonus) AS total FROM uf_g GROUP BY g) s WHERE s.g = uf_t.g RETURNING id, n, s.total;
-- A target row joined to several rows changes once.
CREATE TABLE uf_dup (g int, w int);
INSERT INTO uf_dup VALUES (1, 7), (1, 7), (2, 8);
UPDATE uf_t SET n = w FROM uf_dup WHERE uf_dup.g = uf_t.g;
SELECT id, n FROM uf_t ORDER BY id;
-- Several tables in FROM, a join in FROM.
UPDATE uf_t SET v = a.label || b.w FROM uf_g a JOIN uf_dup b ON a.g = b.g WHERE uf_t.g = a.g AND b.w = 8 RETURNING uf_t.id, uf_t.v;
UPDATE uf_t SET v = a.label FROM uf_g a, uf_dup b WHERE a.g = b.g AND uf_t.id = b.w - 6 RETURNING *;
-- DELETE ... USING.
DELETE FROM uf_t USING uf_g WHERE uf_t.g = uf_g.g AND uf_g.label = 'two' RETURNING uf_t.id, uf_g.label;
DELETE FROM uf_t t USING uf_dup d WHERE t.g = d.g RETURNING t.id, d.w;
SELECT * FROM uf_t ORDER BY id;
DELETE FROM uf_t USING uf_empty WHERE true;
DELETE FROM uf_t USING uf_view v WHERE v.g IS NULL;
SELECT count(*) FROM uf_t;
-- Errors.
UPDATE uf_t SET v = nosuch.x FROM uf_g WHERE uf_t.g = uf_g.g;
UPDATE uf_t SET v = 'z' FROM nosuch WHERE true;
UPDATE uf_t SET v = label FROM uf_g a, uf_g b WHERE a.g = uf_t.g;
DELETE FROM uf_t USING uf_g WHERE g = 1;
