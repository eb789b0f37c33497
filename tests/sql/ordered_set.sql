-- Ordered-set aggregates: percentile_cont, percentile_disc and mode
-- WITHIN GROUP (ORDER BY ...), and the hypothetical-set rank,
-- dense_rank, percent_rank and cume_dist; NULLs, empty inputs,
-- duplicates, groups, and PostgreSQL's errors for misuse.
CREATE TABLE os_t (g text, x int, f float8, iv interval);
INSERT INTO os_t VALUES ('a', 1, 1.5, '1 day'), ('a', 2, 2.5, '2 days'), ('a', 2, NULL, '3 days'), ('a', 4, 4.0, NULL), ('b', 10, 10.0, '1 hour'), ('b', NULL, NULL, NULL), ('c', NULL, NULL, NULL);
CREATE TABLE os_empty (x int);
SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY x) FROM os_t;
SELECT percentile_cont(0.25) WITHIN GROUP (ORDER BY f) FROM os_t;
SELECT percentile_cont(0) WITHIN GROUP (ORDER BY x), percentile_cont(1) WITHIN GROUP (ORDER BY x) FROM os_t;
SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY x DESC) FROM os_t;
SELECT percentile_cont(0.3) WITHIN GROUP (ORDER BY iv) FROM os_t;
SELECT percentile_disc(0.5) WITHIN GROUP (ORDER BY x) FROM os_t;
SELECT percentile_disc(0) WITHIN GROUP (ORDER BY x), percentile_disc(1) WITHIN GROUP (ORDER BY x) FROM os_t;
SELECT percentile_disc(0.5) WITHIN GROUP (ORDER BY g) FROM os_t;
SELECT percentile_cont(ARRAY[0, 0.25, 0.5, 1]) WITHIN GROUP (ORDER BY x) FROM os_t;
SELECT percentile_disc(ARRAY[0.1, 0.9]) WITHIN GROUP (ORDER BY x) FROM os_t;
SELECT mode() WITHIN GROUP (ORDER BY x) FROM os_t;
SELECT mode() WITHIN GROUP (ORDER BY g) FROM os_t;
SELECT mode() WITHIN GROUP (ORDER BY x DESC) FROM (VALUES (1), (2), (1), (2), (3)) v(x);
SELECT g, percentile_cont(0.5) WITHIN GROUP (ORDER BY x), percentile_disc(0.5) WITHIN GROUP (ORDER BY x), mode() WITHIN GROUP (ORDER BY x) FROM os_t GROUP BY g ORDER BY g;
SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY x), mode() WITHIN GROUP (ORDER BY x) FROM os_empty;
SELECT percentile_cont(NULL) WITHIN GROUP (ORDER BY x) FROM os_t;
SELECT rank(2) WITHIN GROUP (ORDER BY x), dense_rank(2) WITHIN GROUP (ORDER BY x), percent_rank(2) WITHIN GROUP (ORDER BY x), cume_dist(2) WITHIN GROUP (ORDER BY x) FROM os_t;
SELECT rank(3) WITHIN GROUP (ORDER BY x DESC), cume_dist(3) WITHIN GROUP (ORDER BY x DESC NULLS LAST) FROM os_t;
SELECT rank(NULL::int) WITHIN GROUP (ORDER BY x), dense_rank(NULL::int) WITHIN GROUP (ORDER BY x) FROM os_t;
SELECT rank(2, 'b') WITHIN GROUP (ORDER BY x, g) FROM os_t;
SELECT rank(1) WITHIN GROUP (ORDER BY x), percent_rank(1) WITHIN GROUP (ORDER BY x), cume_dist(1) WITHIN GROUP (ORDER BY x) FROM os_empty;
SELECT g, rank(2) WITHIN GROUP (ORDER BY x) FROM os_t GROUP BY g HAVING rank(2) WITHIN GROUP (ORDER BY x) > 1 ORDER BY g;
-- Errors.
SELECT percentile_cont(1.5) WITHIN GROUP (ORDER BY x) FROM os_t;
SELECT percentile_cont(0.5) FROM os_t;
SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY g) FROM os_t;
SELECT count(*) WITHIN GROUP (ORDER BY x) FROM os_t;
SELECT rank(1, 2) WITHIN GROUP (ORDER BY x) FROM os_t;
SELECT mode(x) WITHIN GROUP (ORDER BY x) FROM os_t;
SELECT rank(1) FROM os_t;
SELECT upper('a') WITHIN GROUP (ORDER BY x) FROM os_t;
