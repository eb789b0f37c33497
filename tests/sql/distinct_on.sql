-- SELECT DISTINCT ON (...): the first row of each group in ORDER BY
-- order; the expressions may be output ordinals, output names or
-- expressions over the input; they must match the leading ORDER BY
-- items (42P10 otherwise).
CREATE TABLE d_t (id int PRIMARY KEY, g text, k int, v numeric);
INSERT INTO d_t VALUES (1, 'a', 1, 10), (2, 'a', 2, 5), (3, 'b', 1, NULL), (4, 'b', NULL, 7), (5, NULL, 3, 1), (6, NULL, NULL, 2), (7, 'a', 2, 8), (8, 'c', 9, 9);
CREATE TABLE d_empty (a int, b int);
SELECT DISTINCT ON (g) g, id FROM d_t ORDER BY g, id;
SELECT DISTINCT ON (g) g, id FROM d_t ORDER BY g, id DESC;
SELECT DISTINCT ON (g) g, v FROM d_t ORDER BY g DESC, v NULLS FIRST;
SELECT DISTINCT ON (g) id FROM d_t ORDER BY g, id;
SELECT DISTINCT ON (g, k) g, k, id FROM d_t ORDER BY k, g, id DESC;
SELECT DISTINCT ON (g, k) g, k, id FROM d_t ORDER BY g, k, id;
SELECT DISTINCT ON (k) k FROM d_t ORDER BY k DESC NULLS LAST;
SELECT DISTINCT ON (1) g, id FROM d_t ORDER BY 1, 2;
SELECT DISTINCT ON (grp) g AS grp, id FROM d_t ORDER BY grp, id;
SELECT DISTINCT ON (k % 2) k % 2 AS parity, id FROM d_t WHERE k IS NOT NULL ORDER BY k % 2, id;
SELECT DISTINCT ON (upper(g)) id, g FROM d_t ORDER BY upper(g), id;
SELECT DISTINCT ON (g, id) g, id FROM d_t ORDER BY g;
SELECT DISTINCT ON (g) g, k FROM d_t WHERE k IS NOT NULL ORDER BY g NULLS FIRST, k DESC LIMIT 2;
SELECT DISTINCT ON (g) g, k FROM d_t ORDER BY g, k DESC OFFSET 1;
SELECT DISTINCT ON (g) g, count(*) FROM d_t GROUP BY g, k ORDER BY g, count(*) DESC;
SELECT DISTINCT ON (g) g, id, row_number() OVER (ORDER BY id DESC) FROM d_t ORDER BY g, id;
SELECT DISTINCT ON (a) a, b FROM d_empty ORDER BY a, b;
SELECT DISTINCT ON (x) x, y FROM (VALUES (1, 'p'), (1, 'q'), (NULL, 'r'), (NULL, 's'), (2, 't')) t(x, y) ORDER BY x NULLS FIRST, y DESC;
SELECT * FROM (SELECT DISTINCT ON (g) g, id FROM d_t ORDER BY g, id DESC) s ORDER BY id;
SELECT DISTINCT ON (g) * FROM d_t ORDER BY g, v DESC NULLS LAST;
SELECT count(*) FROM (SELECT DISTINCT ON (k) k FROM d_t ORDER BY k) s;
-- Errors.
SELECT DISTINCT ON (g) g, id FROM d_t ORDER BY id;
SELECT DISTINCT ON (g) g, id FROM d_t ORDER BY id, g;
SELECT DISTINCT ON (g, k) g, id FROM d_t ORDER BY g, id, k;
SELECT DISTINCT ON (3) g, id FROM d_t ORDER BY 1;
SELECT DISTINCT ON (nosuch) g FROM d_t;
SELECT DISTINCT ON (g) g FROM d_t ORDER BY g FOR UPDATE;
