-- int2vector and oidvector (pg_index.indkey, pg_proc.proargtypes): input,
-- output, subscripts from 0, ANY, casts; and set-returning functions in
-- a subquery's FROM reading the enclosing query's row (psql's \d+ query).
SELECT '1 2 3'::int2vector, ('1 2 3'::int2vector)[0], ('1 2 3'::int2vector)[2], ('1 2 3'::int2vector)[3];
SELECT 2 = ANY('1 2 3'::int2vector), 5 = ANY('1 2 3'::int2vector);
SELECT ''::int2vector, ''::oidvector, '  25   23 '::oidvector;
SELECT '25 23'::oidvector::text, pg_typeof('25 23'::oidvector), pg_typeof(('25 23'::oidvector)[0]);
SELECT format_type(22, NULL), format_type(30, NULL), format_type(1006, NULL), format_type(1013, NULL);
SELECT '1 x'::int2vector;
SELECT '1 70000'::int2vector;
SELECT array_lower('1 2'::int2vector, 1), array_upper('1 2'::int2vector, 1), array_length('1 2'::int2vector, 1);
SELECT typname, typelem, typarray, typcategory, typlen FROM pg_type WHERE oid IN (22, 30) ORDER BY oid;
CREATE TABLE a1 (id int, opts text[]);
INSERT INTO a1 VALUES (1, '{x,y}'), (2, NULL), (3, '{}');
SELECT id, array(SELECT 'p.' || x FROM unnest(opts) x) FROM a1 ORDER BY id;
SELECT a.id, array(SELECT 'p.' || x FROM unnest(b.opts) x) FROM a1 a LEFT JOIN a1 b ON a.id = b.id + 1 ORDER BY 1;
SELECT a.id, (SELECT count(*) FROM unnest(b.opts) x) FROM a1 a JOIN a1 b ON a.id = b.id ORDER BY 1;
SELECT a.id, (SELECT max(x) FROM unnest(a.opts) x) FROM a1 a ORDER BY 1;
SELECT a.id, (SELECT sum(g) FROM generate_series(1, a.id) g) FROM a1 a ORDER BY 1;
SELECT a.id, (SELECT string_agg(x || n, ',') FROM unnest(a.opts) x, generate_series(1, a.id) n) FROM a1 a ORDER BY 1;
SELECT a.id, x FROM a1 a, unnest(a.opts) x ORDER BY 1, 2;
DROP TABLE a1;
