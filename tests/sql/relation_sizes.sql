-- Sizes of relations without storage: a view has no file, so every size
-- function gives 0 for it (psql's \dv+ shows it); an OID that is no
-- relation gives NULL; a bad fork name is an error.
CREATE TABLE rs_t (id int PRIMARY KEY, v text);
CREATE VIEW rs_v AS SELECT id FROM rs_t;
CREATE VIEW rs_vv AS SELECT id FROM rs_v WHERE id > 1;
SELECT pg_relation_size('rs_v'), pg_table_size('rs_v'), pg_indexes_size('rs_v'), pg_total_relation_size('rs_v');
SELECT pg_relation_size('rs_vv', 'main'), pg_relation_size('rs_vv', 'fsm');
SELECT pg_size_pretty(pg_table_size('rs_v'));
SELECT c.relname, pg_table_size(c.oid) FROM pg_class c WHERE c.relname IN ('rs_v', 'rs_vv') ORDER BY 1;
SELECT pg_relation_size(0::oid), pg_table_size(0::oid), pg_total_relation_size(0::oid);
SELECT pg_relation_size(NULL::regclass), pg_table_size(NULL);
SELECT pg_relation_size('rs_v', 'nope');
SELECT pg_table_size('rs_nosuch');
INSERT INTO rs_t SELECT g, 'x' FROM generate_series(1, 10) g;
SELECT pg_table_size('rs_v'), count(*) FROM rs_vv;
DROP VIEW rs_vv;
DROP VIEW rs_v;
DROP TABLE rs_t;
