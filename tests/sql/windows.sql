-- Window functions: OVER (PARTITION BY ... ORDER BY ... frame), named
-- windows, ranking and offset functions, aggregates over frames (ROWS,
-- RANGE, GROUPS), windows over grouped rows, several windows in one
-- query, and PostgreSQL's errors. Every query's order is fixed by ORDER
-- BY, and functions whose result depends on the order among peers
-- (row_number, lag, ROWS frames) order by a unique key.
CREATE TABLE emp (id int PRIMARY KEY, dept text, name text, salary int, bonus numeric(8,2), hired date);
INSERT INTO emp VALUES
  (1, 'eng', 'ann', 100, 10.50, '2020-01-10'),
  (2, 'eng', 'bob', 120, NULL, '2020-03-01'),
  (3, 'eng', 'cid', 120, 5, '2021-07-15'),
  (4, 'ops', 'dan', 90, 2.25, '2019-11-30'),
  (5, 'ops', 'eve', NULL, 1, '2022-02-02'),
  (6, 'ops', 'fay', 90, NULL, '2020-01-10'),
  (7, 'hr', 'gus', 70, 0, '2018-05-05'),
  (8, NULL, 'hal', 80, 3, '2023-01-01'),
  (9, NULL, 'ivy', NULL, NULL, NULL),
  (10, 'eng', 'jon', 150, 20, '2019-02-28');
CREATE TABLE empty_t (a int, b text);
-- Ranking functions.
SELECT id, row_number() OVER (ORDER BY id) FROM emp ORDER BY id;
SELECT id, dept, row_number() OVER (PARTITION BY dept ORDER BY id) AS rn FROM emp ORDER BY id;
SELECT id, salary, rank() OVER (ORDER BY salary), dense_rank() OVER (ORDER BY salary) FROM emp ORDER BY id;
SELECT id, salary, rank() OVER (ORDER BY salary DESC NULLS LAST), dense_rank() OVER (ORDER BY salary DESC) FROM emp ORDER BY id;
SELECT id, dept, salary, rank() OVER w, dense_rank() OVER w, percent_rank() OVER w, cume_dist() OVER w FROM emp WINDOW w AS (PARTITION BY dept ORDER BY salary) ORDER BY id;
SELECT id, percent_rank() OVER (), cume_dist() OVER (), rank() OVER (), dense_rank() OVER () FROM emp ORDER BY id;
SELECT id, ntile(3) OVER (ORDER BY id) FROM emp ORDER BY id;
SELECT id, ntile(4) OVER (PARTITION BY dept ORDER BY id) FROM emp ORDER BY id;
SELECT id, ntile(20) OVER (ORDER BY id) FROM emp ORDER BY id;
SELECT id, ntile(1) OVER (ORDER BY id), ntile(NULL) OVER (ORDER BY id) FROM emp ORDER BY id;
SELECT id, ntile(10) OVER (ORDER BY id) FROM emp ORDER BY id;
-- lag and lead.
SELECT id, lag(name) OVER (ORDER BY id), lead(name) OVER (ORDER BY id) FROM emp ORDER BY id;
SELECT id, lag(salary, 2) OVER (ORDER BY id), lead(salary, 3, -1) OVER (ORDER BY id) FROM emp ORDER BY id;
SELECT id, dept, lag(id, 1, 0) OVER (PARTITION BY dept ORDER BY id), lead(id, 1, 0) OVER (PARTITION BY dept ORDER BY id) FROM emp ORDER BY id;
SELECT id, lag(id, -1) OVER (ORDER BY id), lead(id, -2) OVER (ORDER BY id), lag(id, 0) OVER (ORDER BY id) FROM emp ORDER BY id;
SELECT id, lag(id, NULL) OVER (ORDER BY id), lag(bonus, 1, 99) OVER (ORDER BY id) FROM emp ORDER BY id;
SELECT id, lag(salary, 1, 0.5) OVER (ORDER BY id) FROM emp ORDER BY id;
SELECT id, lead(name, 1, 'none') OVER (ORDER BY id DESC) FROM emp ORDER BY id;
-- first_value, last_value, nth_value with the default frame and others.
SELECT id, first_value(name) OVER (ORDER BY id), last_value(name) OVER (ORDER BY id), nth_value(name, 2) OVER (ORDER BY id) FROM emp ORDER BY id;
SELECT id, dept, first_value(id) OVER w, last_value(id) OVER w, nth_value(id, 3) OVER w FROM emp WINDOW w AS (PARTITION BY dept ORDER BY id ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING) ORDER BY id;
SELECT id, salary, first_value(id) OVER (ORDER BY salary, id ROWS BETWEEN 1 PRECEDING AND 1 FOLLOWING), last_value(id) OVER (ORDER BY salary, id ROWS BETWEEN 1 PRECEDING AND 1 FOLLOWING) FROM emp ORDER BY id;
SELECT id, nth_value(name, 1) OVER (ORDER BY id ROWS BETWEEN 2 FOLLOWING AND 3 FOLLOWING), nth_value(name, NULL) OVER (ORDER BY id) FROM emp ORDER BY id;
SELECT id, salary, last_value(salary) OVER (ORDER BY salary), first_value(salary) OVER (ORDER BY salary DESC) FROM emp ORDER BY id;
-- Aggregates as window functions: the default frame (peers included),
-- no ORDER BY (the whole partition), ROWS, RANGE and GROUPS frames.
SELECT id, salary, sum(salary) OVER (ORDER BY salary), count(*) OVER (ORDER BY salary), count(salary) OVER (ORDER BY salary) FROM emp ORDER BY id;
SELECT id, dept, sum(salary) OVER (PARTITION BY dept), avg(salary) OVER (PARTITION BY dept), min(salary) OVER (PARTITION BY dept), max(salary) OVER (PARTITION BY dept) FROM emp ORDER BY id;
SELECT id, sum(bonus) OVER (ORDER BY id), avg(bonus) OVER (ORDER BY id) FROM emp ORDER BY id;
SELECT id, string_agg(name, ',') OVER (ORDER BY id), array_agg(id) OVER (PARTITION BY dept ORDER BY id) FROM emp ORDER BY id;
SELECT id, bool_and(salary > 80) OVER (ORDER BY id), bool_or(salary > 130) OVER (ORDER BY id), every(salary >= 70) OVER () FROM emp ORDER BY id;
SELECT id, sum(id) OVER (ORDER BY id ROWS BETWEEN 1 PRECEDING AND 1 FOLLOWING) FROM emp ORDER BY id;
SELECT id, sum(id) OVER (ORDER BY id ROWS 2 PRECEDING), count(*) OVER (ORDER BY id ROWS UNBOUNDED PRECEDING) FROM emp ORDER BY id;
SELECT id, sum(id) OVER (ORDER BY id ROWS BETWEEN CURRENT ROW AND UNBOUNDED FOLLOWING) FROM emp ORDER BY id;
SELECT id, sum(id) OVER (ORDER BY id ROWS BETWEEN 2 FOLLOWING AND 4 FOLLOWING), count(*) OVER (ORDER BY id ROWS BETWEEN 3 PRECEDING AND 1 PRECEDING) FROM emp ORDER BY id;
SELECT id, sum(id) OVER (ORDER BY id ROWS BETWEEN 5 PRECEDING AND 6 PRECEDING), sum(id) OVER (ORDER BY id ROWS BETWEEN 0 PRECEDING AND 0 FOLLOWING) FROM emp ORDER BY id;
SELECT id, string_agg(name, '') OVER (ORDER BY id ROWS BETWEEN 1 PRECEDING AND CURRENT ROW) FROM emp ORDER BY id;
SELECT id, salary, sum(salary) OVER (ORDER BY salary RANGE BETWEEN CURRENT ROW AND UNBOUNDED FOLLOWING) FROM emp ORDER BY id;
SELECT id, salary, sum(salary) OVER (ORDER BY salary RANGE BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING) FROM emp ORDER BY id;
SELECT id, salary, count(*) OVER (ORDER BY salary RANGE BETWEEN 20 PRECEDING AND 10 FOLLOWING) FROM emp ORDER BY id;
SELECT id, salary, count(*) OVER (ORDER BY salary DESC RANGE BETWEEN 20 PRECEDING AND 10 FOLLOWING) FROM emp ORDER BY id;
SELECT id, salary, sum(id) OVER (ORDER BY salary NULLS FIRST RANGE BETWEEN 10 PRECEDING AND CURRENT ROW) FROM emp ORDER BY id;
SELECT id, salary, sum(id) OVER (ORDER BY salary RANGE BETWEEN 5 FOLLOWING AND 30 FOLLOWING) FROM emp ORDER BY id;
SELECT id, salary, sum(id) OVER (ORDER BY salary RANGE BETWEEN 30 PRECEDING AND 5 PRECEDING) FROM emp ORDER BY id;
SELECT id, bonus, count(*) OVER (ORDER BY bonus RANGE BETWEEN 2.5 PRECEDING AND 2.5 FOLLOWING) FROM emp ORDER BY id;
SELECT id, hired, count(*) OVER (ORDER BY hired RANGE BETWEEN INTERVAL '1 year' PRECEDING AND CURRENT ROW) FROM emp ORDER BY id;
SELECT x, sum(x) OVER (ORDER BY x RANGE BETWEEN 1.5 PRECEDING AND 1.5 FOLLOWING) FROM (VALUES (1.0::float8), (2.0), (3.5), (7.0)) v(x) ORDER BY x;
SELECT x, sum(x) OVER (ORDER BY x RANGE BETWEEN 1 PRECEDING AND 1 FOLLOWING) FROM (VALUES (1::int8), (2), (3), (9223372036854775807)) v(x) ORDER BY x;
SELECT id, salary, count(*) OVER (ORDER BY salary GROUPS BETWEEN 1 PRECEDING AND 1 FOLLOWING), sum(id) OVER (ORDER BY salary GROUPS CURRENT ROW) FROM emp ORDER BY id;
SELECT id, salary, count(*) OVER (ORDER BY salary GROUPS BETWEEN 1 FOLLOWING AND UNBOUNDED FOLLOWING), count(*) OVER (ORDER BY salary GROUPS BETWEEN UNBOUNDED PRECEDING AND 2 PRECEDING) FROM emp ORDER BY id;
SELECT id, salary, first_value(id) OVER (ORDER BY salary, id GROUPS BETWEEN 1 PRECEDING AND CURRENT ROW) FROM emp ORDER BY id;
SELECT id, count(*) OVER (ORDER BY salary RANGE CURRENT ROW), count(*) OVER (ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW ) FROM emp WHERE salary IS NOT NULL AND id < 4 ORDER BY id;
SELECT id, salary, min(salary) OVER w, max(name) OVER w, avg(salary) OVER w, bool_and(salary > 85) OVER w, count(bonus) OVER w, sum(bonus) OVER w FROM emp WINDOW w AS (ORDER BY salary RANGE BETWEEN 10 FOLLOWING AND UNBOUNDED FOLLOWING) ORDER BY id;
SELECT id, avg(salary::float8) OVER (ORDER BY id ROWS BETWEEN 2 PRECEDING AND UNBOUNDED FOLLOWING), sum(id) FILTER (WHERE id % 2 = 0) OVER (ORDER BY id ROWS BETWEEN CURRENT ROW AND UNBOUNDED FOLLOWING) FROM emp ORDER BY id;
SELECT i, sum(i) OVER (ORDER BY i ROWS BETWEEN CURRENT ROW AND UNBOUNDED FOLLOWING) FROM generate_series(1, 20000) i ORDER BY i DESC LIMIT 3;
-- FILTER on window aggregates.
SELECT id, count(*) FILTER (WHERE salary > 90) OVER (ORDER BY id), sum(salary) FILTER (WHERE dept = 'eng') OVER () FROM emp ORDER BY id;
-- Named windows and refinements.
SELECT id, sum(salary) OVER w, count(*) OVER (w ORDER BY id) FROM emp WINDOW w AS (PARTITION BY dept) ORDER BY id;
SELECT id, sum(id) OVER (w ROWS BETWEEN 1 PRECEDING AND CURRENT ROW) FROM emp WINDOW w AS (ORDER BY id) ORDER BY id;
SELECT id, rank() OVER w2 FROM emp WINDOW w1 AS (PARTITION BY dept), w2 AS (w1 ORDER BY salary) ORDER BY id;
SELECT id FROM emp WINDOW w AS (ORDER BY id) ORDER BY id;
SELECT id, row_number() OVER (w) FROM emp WINDOW w AS (ORDER BY id) ORDER BY id;
-- Window functions over grouped rows (after GROUP BY and HAVING).
SELECT dept, sum(salary), rank() OVER (ORDER BY sum(salary) DESC) FROM emp GROUP BY dept ORDER BY dept;
SELECT dept, count(*), sum(count(*)) OVER (), sum(sum(salary)) OVER (ORDER BY dept) FROM emp GROUP BY dept ORDER BY dept NULLS FIRST;
SELECT dept, max(salary), lag(max(salary)) OVER (ORDER BY dept) FROM emp GROUP BY dept HAVING count(*) > 1 ORDER BY dept;
SELECT count(*), row_number() OVER () FROM emp;
SELECT sum(salary) OVER () FROM emp GROUP BY dept, salary HAVING salary > 100 ORDER BY 1;
-- Several windows, expressions over window functions, window functions
-- in ORDER BY, DISTINCT, LIMIT, subqueries.
SELECT id, row_number() OVER (ORDER BY id DESC) * 10 + rank() OVER (PARTITION BY dept ORDER BY id) AS x, sum(id) OVER (ORDER BY id) - id FROM emp ORDER BY id;
SELECT id, name FROM emp ORDER BY row_number() OVER (ORDER BY name DESC);
SELECT id, rank() OVER (ORDER BY salary) AS r FROM emp ORDER BY r, id;
SELECT DISTINCT dept, count(*) OVER (PARTITION BY dept) FROM emp ORDER BY 1, 2;
SELECT id, sum(id) OVER (ORDER BY id) FROM emp ORDER BY id LIMIT 3 OFFSET 2;
SELECT * FROM (SELECT id, dept, row_number() OVER (PARTITION BY dept ORDER BY salary DESC NULLS LAST, id) AS rn FROM emp) s WHERE rn = 1 ORDER BY id;
SELECT id, (SELECT count(*) FROM emp e2 WHERE e2.dept = emp.dept) AS c, rank() OVER (ORDER BY id) FROM emp ORDER BY id;
SELECT id, sum(id) OVER (PARTITION BY salary > 100 ORDER BY id), max(name) OVER (PARTITION BY upper(dept)) FROM emp ORDER BY id;
SELECT id, count(*) OVER (PARTITION BY dept ORDER BY hired, id ROWS 1 PRECEDING) FROM emp ORDER BY id;
SELECT e.id, d.n, sum(e.id) OVER (PARTITION BY d.n ORDER BY e.id) FROM emp e JOIN (VALUES ('eng', 1), ('ops', 2)) d(dept, n) ON e.dept = d.dept ORDER BY e.id;
SELECT row_number() OVER (), 1 AS one;
SELECT x, sum(x) OVER (ORDER BY x) FROM generate_series(1, 5) x ORDER BY x;
SELECT a, b, row_number() OVER (ORDER BY a) FROM empty_t;
SELECT count(*) OVER (), sum(a) OVER () FROM empty_t;
SELECT id, avg(salary::float8) OVER (ORDER BY id ROWS BETWEEN 1 PRECEDING AND 1 FOLLOWING) FROM emp ORDER BY id;
SELECT v, rank() OVER (ORDER BY v), sum(n) OVER (PARTITION BY v) FROM (VALUES ('b', 1), ('a', 2), (NULL, 3), ('b', 4), (NULL, 5)) t(v, n) ORDER BY n;
SELECT id, max(hired) OVER (PARTITION BY dept), min(name) OVER (ORDER BY id ROWS BETWEEN 1 FOLLOWING AND 2 FOLLOWING) FROM emp ORDER BY id;
WITH r AS (SELECT id, dense_rank() OVER (ORDER BY salary) AS d FROM emp) SELECT d, count(*) FROM r GROUP BY d ORDER BY d;
-- Views, parameters, correlated subqueries and DISTINCT ON with windows.
CREATE VIEW emp_ranked AS SELECT id, dept, rank() OVER (PARTITION BY dept ORDER BY salary DESC) AS r FROM emp;
SELECT * FROM emp_ranked WHERE r = 1 ORDER BY id;
PREPARE wp(int) AS SELECT id, sum(id) OVER (ORDER BY id ROWS BETWEEN $1 PRECEDING AND CURRENT ROW), lag(id, $1) OVER (ORDER BY id) FROM emp ORDER BY id;
EXECUTE wp(2);
EXECUTE wp(0);
DEALLOCATE wp;
SELECT id, (SELECT max(x) FROM (SELECT e2.id + emp.id AS x FROM emp e2 WHERE e2.dept = emp.dept) s) AS m, sum(id) OVER (ORDER BY (SELECT count(*) FROM emp e3 WHERE e3.id <= emp.id)) FROM emp ORDER BY id;
SELECT DISTINCT ON (dept) dept, id, rank() OVER (PARTITION BY dept ORDER BY id DESC) FROM emp ORDER BY dept, id;
SELECT id, sum(id) OVER (ORDER BY id ROWS BETWEEN (SELECT 1) PRECEDING AND CURRENT ROW) FROM emp ORDER BY id;
-- Errors.
SELECT id FROM emp WHERE row_number() OVER (ORDER BY id) > 1;
SELECT dept FROM emp GROUP BY dept HAVING rank() OVER () > 1;
SELECT dept, count(*) FROM emp GROUP BY row_number() OVER ();
SELECT sum(row_number() OVER ()) FROM emp;
SELECT row_number() OVER (ORDER BY rank() OVER ()) FROM emp;
SELECT sum(rank() OVER ()) OVER () FROM emp;
SELECT row_number() FROM emp;
SELECT rank(id) OVER () FROM emp;
SELECT lower(name) OVER () FROM emp;
SELECT nosuch(name) OVER () FROM emp;
SELECT count(DISTINCT id) OVER () FROM emp;
SELECT row_number() FILTER (WHERE id > 1) OVER () FROM emp;
SELECT id, sum(id) OVER nosuch FROM emp;
SELECT id FROM emp WINDOW w AS (ORDER BY id), w AS (ORDER BY name);
SELECT id, sum(id) OVER (w PARTITION BY dept) FROM emp WINDOW w AS (ORDER BY id);
SELECT id, sum(id) OVER (w ORDER BY name) FROM emp WINDOW w AS (ORDER BY id);
SELECT id, sum(id) OVER (w) FROM emp WINDOW w AS (ORDER BY id ROWS 1 PRECEDING);
SELECT id, sum(id) OVER (w ORDER BY id) FROM emp WINDOW w AS (ROWS 1 PRECEDING);
SELECT id, sum(id) OVER w FROM emp WINDOW w AS (ORDER BY id ROWS 1 PRECEDING) ORDER BY id;
SELECT id FROM emp WINDOW w AS (ORDER BY nosuch);
SELECT id, sum(id) OVER (ORDER BY id ROWS BETWEEN UNBOUNDED FOLLOWING AND CURRENT ROW) FROM emp;
SELECT id, sum(id) OVER (ORDER BY id ROWS BETWEEN CURRENT ROW AND UNBOUNDED PRECEDING) FROM emp;
SELECT id, sum(id) OVER (ORDER BY id ROWS BETWEEN CURRENT ROW AND 1 PRECEDING) FROM emp;
SELECT id, sum(id) OVER (ORDER BY id ROWS BETWEEN 1 FOLLOWING AND CURRENT ROW) FROM emp;
SELECT id, sum(id) OVER (ORDER BY id ROWS BETWEEN 1 FOLLOWING AND 1 PRECEDING) FROM emp;
SELECT id, sum(id) OVER (ORDER BY id ROWS 1 FOLLOWING) FROM emp;
SELECT id, sum(id) OVER (ROWS BETWEEN -1 PRECEDING AND CURRENT ROW) FROM emp;
SELECT id, sum(id) OVER (ROWS BETWEEN NULL PRECEDING AND CURRENT ROW) FROM emp;
SELECT id, sum(id) OVER (ROWS BETWEEN id PRECEDING AND CURRENT ROW) FROM emp;
SELECT id, sum(id) OVER (ROWS BETWEEN 'x' PRECEDING AND CURRENT ROW) FROM emp;
SELECT id, sum(id) OVER (ORDER BY id ROWS BETWEEN '1' PRECEDING AND CURRENT ROW) FROM emp ORDER BY id;
SELECT id, count(*) OVER (ORDER BY hired RANGE BETWEEN '2 years' PRECEDING AND '1 day' FOLLOWING) FROM emp ORDER BY id;
SELECT id, sum(id) OVER (GROUPS 1 PRECEDING) FROM emp;
SELECT id, sum(id) OVER (ORDER BY id, name RANGE 1 PRECEDING) FROM emp;
SELECT id, sum(id) OVER (RANGE 1 PRECEDING) FROM emp;
SELECT id, sum(id) OVER (ORDER BY name RANGE 1 PRECEDING) FROM emp;
SELECT id, sum(id) OVER (ORDER BY id RANGE 1.5 PRECEDING) FROM emp;
SELECT id, sum(id) OVER (ORDER BY id RANGE -1 PRECEDING) FROM emp;
SELECT id, sum(id) OVER (ORDER BY bonus RANGE -1 PRECEDING) FROM emp;
SELECT id, ntile(0) OVER (ORDER BY id) FROM emp;
SELECT a, ntile(-1) OVER (ORDER BY a) FROM empty_t;
SELECT id, nth_value(id, 0) OVER (ORDER BY id) FROM emp;
SELECT id, lag(id, 'x') OVER (ORDER BY id) FROM emp;
SELECT id, lag(id, 1, 'x') OVER (ORDER BY id) FROM emp;
SELECT dept, rank() OVER (ORDER BY salary) FROM emp GROUP BY dept;
SELECT dept, sum(salary) OVER (PARTITION BY name) FROM emp GROUP BY dept;
SELECT DISTINCT dept FROM emp ORDER BY rank() OVER (ORDER BY dept);
SELECT array_agg(id ORDER BY id) OVER () FROM emp;
SELECT id FROM emp e JOIN emp f ON row_number() OVER () = 1;
SELECT id FROM emp LIMIT row_number() OVER ();
VALUES (row_number() OVER ());
SELECT sum(id) FILTER (WHERE row_number() OVER () > 1) OVER () FROM emp;
