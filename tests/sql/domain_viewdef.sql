-- pg_get_viewdef of a view using domain columns: an operator's operand
-- or a function's argument of a domain type is coerced to the base type,
-- which PostgreSQL prints as a cast (`(o.qty)::integer > 1`, pretty
-- `o.qty::integer > 1`); a bare column, IS NULL's operand, count's
-- argument and GROUP BY/ORDER BY items are printed as they are.
CREATE DOMAIN posi AS integer CHECK (VALUE > 0);
CREATE DOMAIN vc AS varchar(5);
CREATE TABLE od (id int, qty posi, note vc, q2 posi);
INSERT INTO od VALUES (1, 1, 'ab', 1), (2, 2, 'b', 2), (3, 5, 'abc', 1);
CREATE VIEW dv AS SELECT o.id, o.qty, o.qty + 1 AS plus, abs(o.qty) AS ab, o.qty::int AS c, o.note || 'x' AS n, upper(o.note) AS u FROM od o WHERE o.qty > 1 AND o.qty = o.q2 AND o.note = 'b' AND o.qty IN (1, 2) AND o.qty BETWEEN 1 AND 3 ORDER BY o.qty;
SELECT pg_get_viewdef('dv'::regclass);
SELECT pg_get_viewdef('dv'::regclass, true);
SELECT * FROM dv;
CREATE VIEW dv2 AS SELECT sum(o.qty) AS s, count(o.qty) AS c, max(o.note) AS m, o.qty IS NULL AS isn, coalesce(o.qty, 0) AS co FROM od o GROUP BY o.qty HAVING o.qty < 10;
SELECT pg_get_viewdef('dv2'::regclass);
SELECT pg_get_viewdef('dv2'::regclass, true);
SELECT * FROM dv2 ORDER BY s;
CREATE VIEW dv3 AS SELECT o.id FROM od o WHERE o.note LIKE 'a%' AND EXISTS (SELECT 1 FROM od p WHERE p.qty = o.qty);
SELECT pg_get_viewdef('dv3'::regclass);
SELECT * FROM dv3 ORDER BY id;
DROP VIEW dv, dv2, dv3;
DROP TABLE od;
DROP DOMAIN posi;
DROP DOMAIN vc;
