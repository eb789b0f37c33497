-- Field selection from records: (f(x)).field of information_schema._pg_expandarray
-- (a record (x, n) per element of the first dimension), in the select
-- list beside the whole record, from a subquery's record column ((r.k).x),
-- in WHERE and joins as PgJDBC's getPrimaryKeys uses it; NULL and empty
-- arrays, other lower bounds, several dimensions, unknown fields (42703),
-- a non-record (42809), and the schema it must be called with (42883).
select information_schema._pg_expandarray(array[10,20,30]);
select (information_schema._pg_expandarray(array['a','b c'])).x, (information_schema._pg_expandarray(array['a','b c'])).n;
select r.k, (r.k).x, (r.k).n from (select information_schema._pg_expandarray(array[5,6]) as k) r where (r.k).n = 2;
select (information_schema._pg_expandarray(null::int[])).n;
select (information_schema._pg_expandarray('{}'::int[])).n;
select (information_schema._pg_expandarray('[3:4]={7,8}'::int[])).n;
select (information_schema._pg_expandarray('{{1,2},{3,4}}'::int[])).x;
select (information_schema._pg_expandarray(array[1])).z;
select (1).x;
select _pg_expandarray(array[1]);
select (information_schema._pg_expandarray(indkey)).n, indkey from pg_index where false;
create table fs_t(a int, b text, c int, primary key (c, a));
select (information_schema._pg_expandarray(i.indkey)).n as seq, information_schema._pg_expandarray(i.indkey) as keys from pg_index i where i.indrelid = 'fs_t'::regclass;
select r.seq, (r.keys).x, a.attname from (select (information_schema._pg_expandarray(i.indkey)).n as seq, information_schema._pg_expandarray(i.indkey) as keys, i.indrelid from pg_index i where i.indrelid = 'fs_t'::regclass) r join pg_attribute a on a.attrelid = r.indrelid and a.attnum = (r.keys).x order by r.seq;
drop table fs_t;
select pg_catalog._pg_expandarray(array[1]);
