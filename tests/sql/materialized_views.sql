-- Materialized views: CREATE [IF NOT EXISTS] ... [WITH [NO] DATA],
-- REFRESH [CONCURRENTLY] [WITH [NO] DATA], indexes, DROP, RENAME, the
-- catalog (pg_class, pg_matviews, pg_get_viewdef), and the errors of
-- writing, truncating, copying or reading one not populated. Also TABLE
-- name as a query, CREATE TABLE AS TABLE / EXECUTE, EXPLAIN CREATE TABLE AS.
CREATE TABLE mv_src (id int PRIMARY KEY, name text, qty numeric(6,2));
INSERT INTO mv_src VALUES (1, 'a', 1.5), (2, 'b', NULL), (3, NULL, 7), (4, 'd', 0);
CREATE MATERIALIZED VIEW mv_big AS SELECT id, name, qty FROM mv_src WHERE qty > 1 OR qty IS NULL;
SELECT * FROM mv_big ORDER BY id;
CREATE MATERIALIZED VIEW mv_empty AS SELECT id FROM mv_src WITH NO DATA;
SELECT * FROM mv_empty;
SELECT count(*) FROM mv_empty;
CREATE MATERIALIZED VIEW mv_named (k, label) AS SELECT id, coalesce(name, '?') FROM mv_src WITH DATA;
SELECT * FROM mv_named ORDER BY k;
CREATE MATERIALIZED VIEW mv_agg AS SELECT count(*) AS n, sum(qty) AS total, max(name) AS top FROM mv_src;
SELECT * FROM mv_agg;
CREATE MATERIALIZED VIEW mv_none AS SELECT id FROM mv_src WHERE false;
SELECT count(*) FROM mv_none;
CREATE MATERIALIZED VIEW IF NOT EXISTS mv_big AS SELECT 1;
SELECT count(*) FROM mv_big;
CREATE MATERIALIZED VIEW mv_big AS SELECT 1;
CREATE MATERIALIZED VIEW mv_bad AS SELECT nosuch FROM mv_src;
CREATE MATERIALIZED VIEW mv_bad2 AS SELECT 1 FROM nosuch;
SELECT attname, format_type(atttypid, atttypmod) FROM pg_attribute WHERE attrelid = 'mv_big'::regclass AND attnum > 0 ORDER BY attnum;
SELECT relname, relkind, relispopulated, relpersistence FROM pg_class WHERE relname LIKE 'mv\_%' AND relkind = 'm' ORDER BY relname;
SELECT schemaname, matviewname, hasindexes, ispopulated, definition FROM pg_matviews ORDER BY matviewname;
SELECT pg_get_viewdef('mv_big'::regclass);
SELECT pg_get_viewdef('mv_named'::regclass, true);
SELECT tablename FROM pg_tables WHERE tablename LIKE 'mv\_%' ORDER BY 1;
-- Nothing but REFRESH writes one.
INSERT INTO mv_big VALUES (9, 'z', 1);
UPDATE mv_big SET name = 'q';
DELETE FROM mv_big;
TRUNCATE mv_big;
COPY mv_big TO STDOUT;
DROP TABLE mv_big;
DROP VIEW mv_big;
DROP MATERIALIZED VIEW mv_src;
DROP MATERIALIZED VIEW nosuch;
DROP MATERIALIZED VIEW IF EXISTS nosuch;
-- REFRESH.
INSERT INTO mv_src VALUES (5, 'e', 10);
SELECT * FROM mv_big ORDER BY id;
REFRESH MATERIALIZED VIEW mv_big;
SELECT * FROM mv_big ORDER BY id;
REFRESH MATERIALIZED VIEW mv_empty;
SELECT * FROM mv_empty ORDER BY id;
REFRESH MATERIALIZED VIEW mv_empty WITH NO DATA;
SELECT * FROM mv_empty;
SELECT relispopulated FROM pg_class WHERE relname = 'mv_empty';
REFRESH MATERIALIZED VIEW mv_empty WITH DATA;
SELECT count(*) FROM mv_empty;
REFRESH MATERIALIZED VIEW mv_src;
REFRESH MATERIALIZED VIEW nosuch;
REFRESH MATERIALIZED VIEW CONCURRENTLY mv_big;
REFRESH MATERIALIZED VIEW CONCURRENTLY mv_big WITH NO DATA;
CREATE MATERIALIZED VIEW mv_later AS SELECT id FROM mv_src WITH NO DATA;
CREATE UNIQUE INDEX mv_later_id ON mv_later (id);
REFRESH MATERIALIZED VIEW CONCURRENTLY mv_later;
-- Indexes; CONCURRENTLY with a unique one.
CREATE UNIQUE INDEX mv_big_id ON mv_big (id);
CREATE INDEX mv_big_name ON mv_big (name);
SELECT indexname, indexdef FROM pg_indexes WHERE tablename = 'mv_big' ORDER BY 1;
SELECT hasindexes FROM pg_matviews WHERE matviewname = 'mv_big';
UPDATE mv_src SET qty = 100 WHERE id = 4;
REFRESH MATERIALIZED VIEW CONCURRENTLY mv_big;
SELECT * FROM mv_big ORDER BY id;
-- In a transaction: REFRESH and DROP roll back.
BEGIN;
DELETE FROM mv_src WHERE id > 3;
REFRESH MATERIALIZED VIEW mv_big;
SELECT count(*) FROM mv_big;
ROLLBACK;
SELECT count(*) FROM mv_big;
BEGIN;
DROP MATERIALIZED VIEW mv_big;
ROLLBACK;
SELECT count(*) FROM mv_big;
-- Views over materialized views, and materialized views over views.
CREATE VIEW v_over_mv AS SELECT id FROM mv_big WHERE id > 2;
SELECT * FROM v_over_mv ORDER BY id;
CREATE VIEW v_src AS SELECT id, name FROM mv_src;
CREATE MATERIALIZED VIEW mv_over_v AS SELECT count(*) AS n FROM v_src;
SELECT * FROM mv_over_v;
INSERT INTO v_over_mv VALUES (42);
-- Dependencies.
DROP TABLE mv_src;
DROP MATERIALIZED VIEW mv_big;
DROP VIEW v_src;
-- RENAME.
ALTER MATERIALIZED VIEW mv_named RENAME TO mv_renamed;
SELECT count(*) FROM mv_renamed;
SELECT matviewname FROM pg_matviews WHERE matviewname LIKE 'mv_rename%';
ALTER MATERIALIZED VIEW mv_renamed RENAME COLUMN label TO tag;
SELECT tag FROM mv_renamed ORDER BY k;
ALTER TABLE mv_renamed RENAME TO mv_named;
REFRESH MATERIALIZED VIEW mv_named;
SELECT * FROM mv_named ORDER BY k;
-- TABLE name as a query.
TABLE mv_named;
SELECT * FROM (TABLE mv_agg) s;
TABLE mv_none UNION ALL SELECT 99 ORDER BY 1;
TABLE nosuch;
CREATE TABLE mv_copy AS TABLE mv_src;
SELECT * FROM mv_copy ORDER BY id;
CREATE TABLE mv_copy_empty AS TABLE mv_src WITH NO DATA;
SELECT count(*) FROM mv_copy_empty;
-- CREATE TABLE AS EXECUTE.
PREPARE mv_q(int) AS SELECT id, name FROM mv_src WHERE id > $1;
CREATE TABLE mv_exec AS EXECUTE mv_q(2);
SELECT * FROM mv_exec ORDER BY id;
CREATE TABLE mv_exec2 (a, b) AS EXECUTE mv_q(10);
SELECT attname FROM pg_attribute WHERE attrelid = 'mv_exec2'::regclass AND attnum > 0 ORDER BY attnum;
CREATE TABLE mv_exec3 AS EXECUTE mv_q(1, 2);
CREATE TABLE mv_exec4 AS EXECUTE nosuch_stmt;
CREATE MATERIALIZED VIEW mv_exec5 AS EXECUTE mv_q(0);
SELECT name FROM mv_big WHERE id = 4;
-- EXPLAIN CREATE TABLE AS creates nothing.
EXPLAIN (COSTS OFF) CREATE TABLE mv_explained AS SELECT * FROM mv_src WHERE name = 'a';
EXPLAIN (COSTS OFF) CREATE MATERIALIZED VIEW mv_explained AS SELECT id FROM mv_src;
SELECT count(*) FROM pg_class WHERE relname = 'mv_explained';
-- DROP, with CASCADE.
DROP MATERIALIZED VIEW mv_big CASCADE;
SELECT count(*) FROM pg_class WHERE relname IN ('mv_big', 'v_over_mv', 'mv_big_id');
DROP TABLE mv_src CASCADE;
SELECT matviewname FROM pg_matviews ORDER BY 1;
DROP MATERIALIZED VIEW mv_named, mv_agg;
SELECT matviewname FROM pg_matviews ORDER BY 1;
