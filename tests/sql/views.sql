-- Views: CREATE [OR REPLACE] VIEW, use in FROM, joins and subqueries,
-- column aliases, views over views, DROP VIEW [CASCADE], dependencies.
CREATE TABLE v_t (id int PRIMARY KEY, grp text, amount numeric(10,2));
INSERT INTO v_t VALUES (1, 'a', 10), (2, 'a', 5.5), (3, 'b', NULL), (4, 'c', 1);
CREATE VIEW v_a AS SELECT id, amount FROM v_t WHERE grp = 'a';
SELECT * FROM v_a ORDER BY id;
CREATE VIEW v_sum (g, total) AS SELECT grp, sum(amount) FROM v_t GROUP BY grp;
SELECT * FROM v_sum ORDER BY g;
SELECT g FROM v_sum WHERE total > 5 ORDER BY 1;
SELECT t.id, s.total FROM v_t t JOIN v_sum s ON s.g = t.grp ORDER BY t.id;
SELECT * FROM v_t WHERE id IN (SELECT id FROM v_a) ORDER BY id;
CREATE VIEW v_aa AS SELECT id * 2 AS dbl FROM v_a;
SELECT * FROM v_aa ORDER BY 1;
INSERT INTO v_t VALUES (5, 'a', 2);
SELECT count(*) FROM v_aa;
CREATE OR REPLACE VIEW v_a AS SELECT id, amount, grp FROM v_t WHERE grp = 'a';
SELECT * FROM v_a ORDER BY id;
WITH v_a AS (SELECT 99 AS id) SELECT * FROM v_a;
SELECT x.id FROM v_a x ORDER BY 1 DESC LIMIT 1;
-- Errors.
CREATE VIEW v_a AS SELECT 1;
CREATE OR REPLACE VIEW v_a AS SELECT id FROM v_t;
CREATE OR REPLACE VIEW v_a AS SELECT amount, id, grp FROM v_t;
CREATE VIEW v_bad AS SELECT nosuch FROM v_t;
CREATE VIEW v_bad AS SELECT * FROM nosuch;
CREATE VIEW v_dup AS SELECT 1 AS x, 2 AS x;
DROP TABLE v_t;
DROP VIEW v_a;
DROP VIEW nosuch;
DROP VIEW IF EXISTS nosuch;
-- Drops.
DROP VIEW v_aa;
SELECT * FROM v_aa;
DROP VIEW v_a, v_sum;
SELECT count(*) FROM v_t;
CREATE VIEW v_c AS SELECT id FROM v_t;
CREATE VIEW v_cc AS SELECT id FROM v_c;
DROP TABLE v_t CASCADE;
SELECT * FROM v_cc;
