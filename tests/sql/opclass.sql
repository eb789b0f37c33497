-- pg_opclass: the B-tree operator classes of the types pgfork indexes,
-- with PostgreSQL 15's OIDs, families and input types; pg_index.indclass
-- names each index column's default class (varchar takes text_ops, arrays
-- array_ops); a type without one cannot be indexed (42704);
-- default_table_access_method is heap.
SELECT oid, opcmethod, opcname, opcnamespace, opcowner, opcfamily, opcintype, opcdefault, opckeytype FROM pg_opclass WHERE opcmethod = 403 AND oid IN (1978, 1979, 1981, 3122, 3123, 3124, 3125, 3126, 3127, 3128, 10000, 10003, 10004, 10006, 10007, 10012, 10022, 10028, 10032, 10050, 10065, 10088) ORDER BY oid;
SELECT pg_opclass.oid, pg_opclass.opcname FROM pg_catalog.pg_opclass WHERE NOT pg_opclass.opcdefault AND opcname IN ('int4_ops', 'text_ops');
SELECT count(*) FROM pg_opclass WHERE opcname = 'no_such_ops';
SELECT 'pg_opclass'::regclass::oid, relkind FROM pg_class WHERE relname = 'pg_opclass';
CREATE TABLE oc_t (i int, s smallint, b bigint, t text, v varchar(10), c char(3), n numeric, f float8, r real, d date, ts timestamp, tz timestamptz, u uuid, j jsonb, a int[], ta text[], bo boolean, by bytea, iv interval);
CREATE INDEX oc_t_1 ON oc_t (i, s, b, t, v, c, n, f, r, d);
CREATE INDEX oc_t_2 ON oc_t (ts, tz, u, j, a, ta, bo, by, iv);
SELECT indexrelid::regclass, indclass FROM pg_index WHERE indrelid = 'oc_t'::regclass ORDER BY 1;
SELECT c.relname, o.opcname FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid, unnest(i.indclass) AS k(cls) JOIN pg_opclass o ON o.oid = k.cls WHERE i.indrelid = 'oc_t'::regclass ORDER BY 1, 2;
CREATE TABLE oc_j (x json, y int);
CREATE INDEX oc_j_x ON oc_j (x);
CREATE INDEX oc_j_xy ON oc_j (y, x);
ALTER TABLE oc_j ADD UNIQUE (x);
CREATE TABLE oc_bad (x json UNIQUE);
CREATE TABLE oc_bad (x json PRIMARY KEY);
SELECT current_setting('default_table_access_method');
SET default_table_access_method = heap;
SET default_table_access_method = 'btree';
SET default_table_access_method = 'nope';
SET default_table_access_method = '';
SHOW default_table_access_method;
DROP TABLE oc_t, oc_j;
