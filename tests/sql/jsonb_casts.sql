-- jsonb's explicit casts to boolean and the numeric types, as
-- applications extract values: (doc -> 'key')::int.
SELECT '1.5'::jsonb::int AS rounds, '2.5'::jsonb::int2 AS half_up, '1e3'::jsonb::int8 AS exp, '-7'::jsonb::int4 AS neg;
SELECT '1.5'::jsonb::float4 AS f4, '1.5'::jsonb::float8 AS f8, '1.50'::jsonb::numeric AS keeps_scale, '0.1'::jsonb::float8 AS tenth;
SELECT 'true'::jsonb::bool AS t, 'false'::jsonb::boolean AS f, NULL::jsonb::int AS sql_null;
CREATE TABLE docs (id int, doc jsonb);
INSERT INTO docs VALUES (1, '{"n": 3, "ok": true, "price": 9.99, "tags": ["a"]}'), (2, '{"n": 10, "ok": false, "price": 0.5}'), (3, '{"name": "x"}');
SELECT id, (doc -> 'n')::int + 1 AS n_plus_1, (doc -> 'ok')::bool AS ok, (doc -> 'price')::numeric * 2 AS double_price FROM docs ORDER BY id;
SELECT sum((doc -> 'n')::int) AS total, avg((doc -> 'price')::float8) AS avg_price FROM docs WHERE doc ? 'n';
SELECT id FROM docs WHERE (doc -> 'n')::int > 5;
SELECT CAST(doc -> 'n' AS bigint) AS cast_syntax FROM docs WHERE id = 1;
-- What cannot be cast.
SELECT '"a"'::jsonb::int;
SELECT 'null'::jsonb::int;
SELECT '[1]'::jsonb::int;
SELECT '{}'::jsonb::numeric;
SELECT '1'::jsonb::bool;
SELECT 'true'::jsonb::float8;
SELECT '"true"'::jsonb::bool;
SELECT '40000'::jsonb::int2;
SELECT '3000000000'::jsonb::int4;
SELECT (doc -> 'tags')::int FROM docs WHERE id = 1;
SELECT (doc -> 'name')::numeric FROM docs WHERE id = 3;
SELECT '1'::json::int;
SELECT '1'::jsonb::date;
SELECT '1'::jsonb::int::jsonb AS round_trip;
DROP TABLE docs;
