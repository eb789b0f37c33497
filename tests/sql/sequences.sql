-- Sequences: CREATE SEQUENCE with its options and their checks,
-- nextval/currval/lastval/setval, limits and CYCLE, ALTER SEQUENCE
-- (options, RESTART, RENAME TO, OWNED BY), DROP SEQUENCE and the column
-- defaults that depend on a sequence, serial columns, SELECT * FROM seq
-- and the catalog (pg_sequence, pg_sequences, pg_class).
SELECT lastval();
CREATE SEQUENCE s1;
SELECT * FROM s1;
SELECT currval('s1');
SELECT nextval('s1'), nextval('s1'), currval('s1'), lastval();
SELECT * FROM s1;
SELECT last_value, is_called FROM s1;
SELECT setval('s1', 10);
SELECT currval('s1'), nextval('s1');
SELECT setval('s1', 20, false), nextval('s1');
SELECT * FROM s1;
SELECT setval('s1', 0);
SELECT setval('s1', 9223372036854775807), nextval('s1');
SELECT setval('s1', NULL);
SELECT nextval(NULL);
CREATE SEQUENCE s1;
CREATE SEQUENCE IF NOT EXISTS s1;
-- Options.
CREATE SEQUENCE s2 AS smallint INCREMENT BY 5 MINVALUE 10 MAXVALUE 30 START WITH 15 CACHE 1 NO CYCLE;
SELECT nextval('s2'), nextval('s2'), nextval('s2'), nextval('s2');
SELECT nextval('s2');
SELECT currval('s2');
CREATE SEQUENCE s3 MINVALUE 1 MAXVALUE 3 CYCLE;
SELECT nextval('s3'), nextval('s3'), nextval('s3'), nextval('s3'), nextval('s3');
CREATE SEQUENCE s4 INCREMENT -1;
SELECT nextval('s4'), nextval('s4'), lastval();
CREATE SEQUENCE s5 INCREMENT -2 MINVALUE -5 MAXVALUE -1;
SELECT nextval('s5'), nextval('s5'), nextval('s5');
SELECT nextval('s5');
CREATE SEQUENCE s6 INCREMENT -1 MINVALUE -2 MAXVALUE 0 START 0 CYCLE;
SELECT nextval('s6'), nextval('s6'), nextval('s6'), nextval('s6');
CREATE SEQUENCE s7 AS integer START 100;
CREATE SEQUENCE s8 NO MINVALUE NO MAXVALUE INCREMENT 3;
SELECT nextval('s8'), nextval('s8');
SELECT seqrelid::regclass, seqtypid::regtype, seqstart, seqincrement, seqmax, seqmin, seqcache, seqcycle FROM pg_sequence ORDER BY seqrelid::regclass::text;
SELECT sequencename, data_type, start_value, min_value, max_value, increment_by, cycle, cache_size, last_value FROM pg_sequences ORDER BY sequencename;
SELECT relname, relkind FROM pg_class WHERE relkind = 'S' ORDER BY relname;
-- Bad options.
CREATE SEQUENCE bad AS text;
CREATE SEQUENCE bad AS numeric;
CREATE SEQUENCE bad INCREMENT 0;
CREATE SEQUENCE bad AS smallint MAXVALUE 40000;
CREATE SEQUENCE bad AS smallint MINVALUE -40000;
CREATE SEQUENCE bad MINVALUE 10 MAXVALUE 5;
CREATE SEQUENCE bad MINVALUE 5 MAXVALUE 5;
CREATE SEQUENCE bad START 0;
CREATE SEQUENCE bad MAXVALUE 10 START 11;
CREATE SEQUENCE bad CACHE 0;
CREATE SEQUENCE bad INCREMENT 1 INCREMENT 2;
CREATE SEQUENCE bad OWNED BY nosuch.col;
CREATE SEQUENCE bad OWNED BY x;
CREATE SEQUENCE bad START 1.5;
SELECT count(*) FROM pg_class WHERE relname = 'bad';
-- ALTER SEQUENCE.
ALTER SEQUENCE s1 RESTART;
SELECT nextval('s1');
ALTER SEQUENCE s1 RESTART WITH 50 INCREMENT BY 10;
SELECT nextval('s1'), nextval('s1');
ALTER SEQUENCE s1 MAXVALUE 65;
SELECT nextval('s1');
ALTER SEQUENCE s1 MAXVALUE 10;
ALTER SEQUENCE s1 START 5 RESTART;
ALTER SEQUENCE s1 NO MAXVALUE CYCLE CACHE 5;
SELECT start_value, max_value, increment_by, cycle, cache_size FROM pg_sequences WHERE sequencename = 's1';
ALTER SEQUENCE s7 AS smallint;
SELECT data_type, max_value FROM pg_sequences WHERE sequencename = 's7';
ALTER SEQUENCE s7 AS bigint;
SELECT data_type, max_value FROM pg_sequences WHERE sequencename = 's7';
ALTER SEQUENCE s7 RESTART 0;
ALTER SEQUENCE s7 INCREMENT 0;
ALTER SEQUENCE nosuch RESTART;
ALTER SEQUENCE IF EXISTS nosuch RESTART;
ALTER SEQUENCE s3 RENAME TO s3b;
SELECT nextval('s3b');
SELECT nextval('s3');
ALTER SEQUENCE s3b RENAME TO s1;
-- Serial columns and defaults that use a sequence.
CREATE TABLE sq_t (id serial PRIMARY KEY, b bigserial, s smallserial, v text);
INSERT INTO sq_t (v) VALUES ('a'), ('b'), (NULL);
SELECT * FROM sq_t ORDER BY id;
SELECT currval('sq_t_id_seq'), currval('sq_t_b_seq'), lastval();
SELECT pg_get_serial_sequence('sq_t', 'id'), pg_get_serial_sequence('sq_t', 'b'), pg_get_serial_sequence('sq_t', 'v');
SELECT sequencename, data_type, max_value, last_value FROM pg_sequences WHERE sequencename LIKE 'sq_t%' ORDER BY 1;
ALTER SEQUENCE sq_t_id_seq RESTART WITH 100;
INSERT INTO sq_t (v) VALUES ('c') RETURNING id, v;
DROP SEQUENCE sq_t_id_seq;
DROP SEQUENCE sq_t_id_seq CASCADE;
INSERT INTO sq_t (v) VALUES ('d');
SELECT a.attname, pg_get_expr(d.adbin, d.adrelid), a.attnotnull FROM pg_attribute a LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum WHERE a.attrelid = 'sq_t'::regclass AND a.attnum > 0 ORDER BY a.attnum;
CREATE TABLE sq_u (a int DEFAULT nextval('s2'), b text);
DROP SEQUENCE s2;
CREATE SEQUENCE s9 OWNED BY sq_u.a;
CREATE SEQUENCE s10 OWNED BY sq_u.nosuch;
SELECT pg_get_serial_sequence('sq_u', 'a');
DROP TABLE sq_u;
SELECT relname FROM pg_class WHERE relname IN ('s9', 's2') ORDER BY 1;
-- Rolled back transactions keep what nextval gave.
BEGIN;
SELECT nextval('s8');
ROLLBACK;
SELECT nextval('s8');
-- DISCARD SEQUENCES forgets this session's values.
SELECT currval('s8');
DISCARD SEQUENCES;
SELECT currval('s8');
SELECT lastval();
-- Dropping.
DROP SEQUENCE nosuch;
DROP SEQUENCE IF EXISTS nosuch;
DROP SEQUENCE s4, s5;
SELECT nextval('s4');
SELECT lastval();
DROP SEQUENCE s1, s6, s7, s8;
SELECT count(*) FROM pg_sequences;
