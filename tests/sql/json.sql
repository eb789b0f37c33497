-- json and jsonb: input, canonical output, operators, functions,
-- aggregates, storage and bad input.
SELECT '{"b": 1, "a": [1, 2.50, "x"], "c": null}'::json AS json_keeps_text;
SELECT '{"b": 1, "a": [1, 2.50, "x"], "c": null}'::jsonb AS jsonb_canonical;
SELECT '{"bb": 1, "a": 2, "ccc": 3, "b": 4}'::jsonb AS key_order;
SELECT '{"a": 1, "a": 2}'::jsonb AS last_duplicate_wins, '{"a": 1, "a": 2}'::json AS json_keeps_duplicates;
SELECT '  [1,2,  3]  '::jsonb AS spacing, '[]'::jsonb AS empty_array, '{}'::jsonb AS empty_object;
SELECT '1e2'::jsonb AS exp, '-0'::jsonb AS neg_zero, '1.50'::jsonb AS scale, '0.1E-2'::jsonb AS small;
SELECT '"a\"b\\c\nd\u00e9\t"'::jsonb AS escapes, '"\u0041"'::json AS json_escape_kept;
SELECT 'null'::jsonb AS null_json, 'true'::jsonb AS t, 'false'::json AS f, NULL::jsonb AS sql_null;
SELECT '{"a": {"b": {"c": [1, {"d": null}]}}}'::jsonb AS nested;
-- Bad input.
SELECT ''::json;
SELECT '{'::jsonb;
SELECT '[1,]'::jsonb;
SELECT '01'::json;
SELECT '1.'::jsonb;
SELECT 'tru'::jsonb;
SELECT '{"a" 1}'::jsonb;
SELECT '{"a": 1}}'::jsonb;
SELECT '"\x"'::json;
SELECT '{a: 1}'::json;
SELECT '"\u0000"'::jsonb;
SELECT '"\u0000"'::json AS json_accepts_nul;
SELECT '"\ud800"'::jsonb;
SELECT E'"a\tb"'::jsonb;
-- Operators.
SELECT '{"a": {"b": 2}, "c": [10, 20, 30]}'::jsonb -> 'a' AS obj,
       '{"a": {"b": 2}, "c": [10, 20, 30]}'::jsonb -> 'c' -> 1 AS elem,
       '{"a": {"b": 2}, "c": [10, 20, 30]}'::jsonb -> 'c' -> -1 AS neg_elem,
       '{"a": {"b": 2}}'::jsonb -> 'missing' AS missing;
SELECT '{"a": "text", "n": 1.5, "z": null}'::jsonb ->> 'a' AS str, '{"a": "text", "n": 1.5, "z": null}'::jsonb ->> 'n' AS num,
       '{"a": "text", "n": 1.5, "z": null}'::jsonb ->> 'z' AS null_text, '["x", "y"]'::jsonb ->> 1 AS arr_text;
SELECT '{"a": {"b": [1, {"c": "deep"}]}}'::jsonb #> '{a,b,1}' AS path, '{"a": {"b": [1, {"c": "deep"}]}}'::jsonb #>> '{a,b,1,c}' AS path_text,
       '{"a": 1}'::jsonb #> '{}' AS empty_path, '{"a": 1}'::jsonb #> '{x,y}' AS no_path;
SELECT '{"a": [1,  2], "b": "s"}'::json -> 'a' AS json_arrow, '{"a": [1,  2], "b": "s"}'::json ->> 'b' AS json_text,
       '[1, {"x": true}]'::json #> '{1,x}' AS json_path, '[1, {"x": "v"}]'::json #>> '{1,x}' AS json_path_text;
SELECT '{"a": 1, "b": {"c": 2}}'::jsonb @> '{"b": {"c": 2}}' AS contains, '{"a": 1}'::jsonb <@ '{"a": 1, "b": 2}' AS contained,
       '[1, 2, [3, 4]]'::jsonb @> '[[4], 1]' AS array_contains, '[1, 2]'::jsonb @> '1' AS scalar_in_array,
       '{"a": [1, 2]}'::jsonb @> '{"a": 1}' AS not_scalar_member;
SELECT '{"a": 1, "b": 2}'::jsonb ? 'a' AS has_a, '["x", "y"]'::jsonb ? 'y' AS has_elem,
       '{"a": 1, "b": 2}'::jsonb ?| ARRAY['z', 'b'] AS any_key, '{"a": 1, "b": 2}'::jsonb ?& ARRAY['a', 'b', 'c'] AS all_keys;
SELECT '{"a": 1, "b": 2}'::jsonb || '{"b": 3, "c": 4}' AS merged, '[1, 2]'::jsonb || '[3]' AS appended,
       '[1]'::jsonb || '"x"'::jsonb AS scalar_appended, '{"a": 1}'::jsonb || '[2]'::jsonb AS object_and_array;
SELECT '{"a": 1, "b": 2}'::jsonb - 'a' AS minus_key, '["a", "b", "a"]'::jsonb - 'a' AS minus_string,
       '[1, 2, 3]'::jsonb - 1 AS minus_index, '[1, 2, 3]'::jsonb - -1 AS minus_last,
       '{"a": 1, "b": 2, "c": 3}'::jsonb - '{a,c}'::text[] AS minus_keys;
SELECT '{"a": {"b": 1, "c": 2}}'::jsonb #- '{a,b}' AS delete_path, '[1, [2, 3]]'::jsonb #- '{1,0}' AS delete_nested;
SELECT '1'::jsonb - 'a';
SELECT '{"a": 1}'::jsonb - 1;
SELECT '{"a": 1}'::json = '{"a": 1}'::json;
SELECT '{"a": 1}'::jsonb -> NULL::text AS null_key;
-- Equality and ordering.
SELECT '{"a": 1, "b": 2}'::jsonb = '{"b": 2, "a": 1}'::jsonb AS eq_order, '1.0'::jsonb = '1'::jsonb AS eq_numeric,
       '[1, 2]'::jsonb = '[2, 1]'::jsonb AS eq_array_order, '{"a": 1}'::jsonb <> '{"a": 2}'::jsonb AS ne;
CREATE TABLE docs (id int PRIMARY KEY, j jsonb, t json);
INSERT INTO docs VALUES
  (1, 'null', 'null'), (2, '"str"', '"str"'), (3, '"abc"', '"abc"'), (4, '1', '1'), (5, '2.5', '2.5'),
  (6, 'false', 'false'), (7, 'true', 'true'), (8, '[]', '[]'), (9, '[1]', '[1]'), (10, '[1, 2]', '[1,2]'),
  (11, '[0, 5]', '[0,5]'), (12, '{}', '{}'), (13, '{"a": 1}', '{"a":1}'), (14, '{"b": 0}', '{"b":0}'),
  (15, '{"a": 1, "b": 2}', '{ "a" : 1 , "b" : 2 }'), (16, '[[1]]', '[[1]]'), (17, NULL, NULL);
SELECT id, j FROM docs ORDER BY j, id;
SELECT id, j FROM docs ORDER BY j DESC, id;
CREATE INDEX docs_j ON docs (j);
SELECT id FROM docs WHERE j = '{"b": 2, "a": 1}' ORDER BY id;
SELECT id FROM docs WHERE j > '[1]' ORDER BY id;
SELECT id, t FROM docs ORDER BY id;
SELECT id, j ->> 'a' AS a FROM docs WHERE j ? 'a' ORDER BY id;
SELECT id FROM docs WHERE j @> '{"a": 1}' ORDER BY id;
SELECT count(*), count(j), count(DISTINCT j) FROM docs;
UPDATE docs SET j = j || '{"added": true}' WHERE jsonb_typeof(j) = 'object';
SELECT id, j FROM docs WHERE jsonb_typeof(j) = 'object' ORDER BY id;
DROP TABLE docs;
-- Functions.
SELECT jsonb_typeof('{"a": 1}'), jsonb_typeof('[1]'), jsonb_typeof('"s"'), jsonb_typeof('1.5'), jsonb_typeof('true'), jsonb_typeof('null');
SELECT json_typeof('{"a": 1}'), json_typeof(' [1] '), json_typeof('null'), jsonb_typeof(NULL);
SELECT jsonb_array_length('[1, 2, [3, 4]]'), json_array_length('[1, "a", null]'), jsonb_array_length('[]');
SELECT jsonb_array_length('{"a": 1}');
SELECT jsonb_array_length('5');
SELECT jsonb_pretty('{"a": [1, 2, {"b": null}], "c": {}, "d": []}');
SELECT jsonb_pretty('"scalar"'), jsonb_pretty('[]');
SELECT jsonb_strip_nulls('{"a": null, "b": {"c": null, "d": 1}, "e": [null, {"f": null}]}');
SELECT jsonb_set('{"a": 1, "b": {"c": 2}}', '{b,c}', '3') AS set_nested,
       jsonb_set('{"a": 1}', '{new}', '"x"') AS set_new,
       jsonb_set('{"a": 1}', '{new}', '"x"', false) AS no_create,
       jsonb_set('[1, 2, 3]', '{1}', '"two"') AS set_elem,
       jsonb_set('[1, 2, 3]', '{10}', '4') AS append_elem,
       jsonb_set('[1, 2, 3]', '{-10}', '0') AS prepend_elem;
SELECT jsonb_set('{"a": 1}', '{a,b}', '2') AS into_scalar, jsonb_set('{"a": 1}', '{x,y}', '2') AS missing_parent;
SELECT jsonb_set('"s"', '{a}', '1');
SELECT jsonb_set('{"a": 1}', ARRAY['a', NULL], '1');
SELECT jsonb_extract_path('{"a": {"b": [1, 2]}}', 'a', 'b', '1'), jsonb_extract_path_text('{"a": {"b": "x"}}', 'a', 'b'),
       json_extract_path('{"a": {"b": 1}}', 'a'), json_extract_path_text('{"a": {"b": "y"}}', 'a', 'b');
SELECT to_json(1), to_json(1.50), to_json('text'::text), to_json(true), to_json(NULL::int), to_json(ARRAY[1, 2, NULL]),
       to_json(ARRAY[['a', 'b'], ['c', 'd']]), to_json('quote"d'::text), to_json('NaN'::float8), to_json(1e100::float8);
SELECT to_jsonb(1), to_jsonb(1.50), to_jsonb('text'::text), to_jsonb(ARRAY[1, 2]), to_jsonb('{"a": 1}'::json), to_jsonb(NULL::text);
SELECT to_json('2024-06-01'::date), to_json('2024-06-01 12:30:00'::timestamp), to_json('2024-06-01 12:30:00+00'::timestamptz),
       to_jsonb('2024-06-01 12:30:00.5'::timestamp), to_json('infinity'::timestamp);
SELECT json_build_object('a', 1, 'b', 'two', 'c', NULL, 'd', ARRAY[1, 2], 'e', '{"x": 1}'::json);
SELECT jsonb_build_object('b', 1, 'a', 'two', 'c', NULL, 'a', 3), json_build_object(), jsonb_build_object();
SELECT json_build_object(1, 2, true, 'x');
SELECT json_build_object('a');
SELECT jsonb_build_object(NULL, 1);
SELECT json_build_array(1, 'a', NULL, true, ARRAY['x']), jsonb_build_array(1, 'a', NULL, 2.50), json_build_array(), jsonb_build_array();
SELECT pg_typeof('{}'::json), pg_typeof('{}'::jsonb), pg_typeof('{}'::jsonb -> 'a'), pg_typeof('{}'::json ->> 'a');
SELECT '{"a": 1}'::jsonb::text, '{"a":1}'::json::jsonb, '{"b":1, "a":2}'::jsonb::json, '{"a": 1}'::text::jsonb;
SELECT ARRAY['{"a": 1}', '[1, 2]', NULL]::jsonb[] AS jsonb_array, ARRAY['{"a":1}']::json[] AS json_array;
-- Aggregates.
CREATE TABLE kv (k text, v int, g int);
INSERT INTO kv VALUES ('b', 2, 1), ('a', 1, 1), ('c', NULL, 2), ('a', 3, 2);
SELECT json_agg(v ORDER BY k, v) AS json_agg, jsonb_agg(v ORDER BY k, v) AS jsonb_agg FROM kv;
SELECT g, json_agg(k ORDER BY k) AS keys, jsonb_agg(v ORDER BY v NULLS FIRST) AS vals FROM kv GROUP BY g ORDER BY g;
SELECT json_object_agg(k, v ORDER BY k, v) AS json_obj, jsonb_object_agg(k, v ORDER BY k, v) AS jsonb_obj FROM kv;
SELECT json_agg(v), jsonb_object_agg(k, v) FROM kv WHERE false;
SELECT jsonb_object_agg(NULL::text, v) FROM kv;
SELECT json_agg(x ORDER BY x) FROM (VALUES ('{"a": 1}'::jsonb), ('[2]'), ('"s"')) t(x);
DROP TABLE kv;
-- Set-returning functions, in FROM and in the select list.
SELECT * FROM jsonb_each('{"b": 1, "a": {"x": [1, 2]}, "c": null}');
SELECT * FROM json_each('{"b": 1, "a": {"x": [1,  2]}, "c": null}');
SELECT key, value FROM jsonb_each_text('{"b": 1, "a": "s", "c": null}') ORDER BY key;
SELECT * FROM json_each_text('{"b": 1, "a": "s", "c": null}');
SELECT * FROM jsonb_array_elements('[1, "two", {"three": 3}, null]');
SELECT value FROM json_array_elements('[1, "two", {"three": 3}, null]');
SELECT * FROM jsonb_array_elements_text('[1, "two", {"three": 3}, null]');
SELECT * FROM json_array_elements_text('[1, "two", null]') WITH ORDINALITY;
SELECT * FROM jsonb_object_keys('{"bb": 1, "a": 2}');
SELECT * FROM json_object_keys('{"bb": 1, "a": 2}') AS k;
SELECT e.value FROM jsonb_array_elements('[3, 1, 2]') AS e ORDER BY e.value;
SELECT * FROM jsonb_each('[1]');
SELECT * FROM jsonb_array_elements('{"a": 1}');
SELECT * FROM jsonb_array_elements('1');
SELECT * FROM jsonb_object_keys('[1]');
SELECT * FROM json_array_elements('{"a": 1}');
SELECT * FROM jsonb_array_elements(NULL);
SELECT jsonb_array_elements('[1, [2], "x"]') AS elem;
SELECT jsonb_object_keys('{"b": 1, "a": 2}') AS k;
SELECT json_array_elements_text('["x", "y"]');
CREATE TABLE orders (id int PRIMARY KEY, doc jsonb);
INSERT INTO orders VALUES (1, '{"items": [{"sku": "a", "qty": 2}, {"sku": "b", "qty": 1}]}'), (2, '{"items": []}'), (3, NULL);
SELECT o.id, i.value ->> 'sku' AS sku, (i.value ->> 'qty')::int AS qty FROM orders o, jsonb_array_elements(o.doc -> 'items') i ORDER BY o.id, sku;
SELECT id, jsonb_array_length(doc -> 'items') FROM orders ORDER BY id;
DROP TABLE orders;
