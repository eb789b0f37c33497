-- uuid: input forms, output, comparison, index keys, arrays, casts,
-- gen_random_uuid(), and bad input.
SELECT 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11'::uuid AS canonical;
SELECT 'A0EEBC99-9C0B-4EF8-BB6D-6BB9BD380A11'::uuid AS upper_case;
SELECT '{a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11}'::uuid AS braces;
SELECT 'a0eebc999c0b4ef8bb6d6bb9bd380a11'::uuid AS no_hyphens;
SELECT 'a0ee-bc99-9c0b-4ef8-bb6d-6bb9-bd38-0a11'::uuid AS hyphen_every_four;
SELECT '{a0eebc99-9c0b4ef8-bb6d6bb9-bd380a11}'::uuid AS braces_some_hyphens;
SELECT NULL::uuid AS null_uuid;
SELECT 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a1'::uuid;
SELECT 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11-'::uuid;
SELECT '{a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11'::uuid;
SELECT 'a0eebc9-99c0b-4ef8-bb6d-6bb9bd380a11'::uuid;
SELECT ' a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11'::uuid;
SELECT 'g0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11'::uuid;
SELECT ''::uuid;
SELECT 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11'::uuid = 'A0EEBC99-9C0B-4EF8-BB6D-6BB9BD380A11'::uuid AS eq,
       '00000000-0000-0000-0000-000000000001'::uuid < 'ffffffff-0000-0000-0000-000000000000'::uuid AS lt,
       '80000000-0000-0000-0000-000000000000'::uuid > '7fffffff-ffff-ffff-ffff-ffffffffffff'::uuid AS unsigned_order;
SELECT 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11'::uuid::text AS to_text, 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11'::text::uuid AS from_text;
SELECT ARRAY['a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11', NULL, '{00000000000000000000000000000000}']::uuid[] AS uuid_array;
SELECT '{a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11}'::uuid[] AS array_literal;
SELECT pg_typeof('a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11'::uuid), pg_typeof(ARRAY[gen_random_uuid()]);
SELECT length(gen_random_uuid()::text) AS len, substr(gen_random_uuid()::text, 15, 1) AS version,
       substr(gen_random_uuid()::text, 20, 1) IN ('8', '9', 'a', 'b') AS variant;
SELECT gen_random_uuid() <> gen_random_uuid() AS differ;
SELECT 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11'::uuid + 1;
SELECT 1::uuid;
CREATE TABLE things (id uuid PRIMARY KEY, name text, parent uuid);
INSERT INTO things VALUES
  ('a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11', 'a', NULL),
  ('00000000-0000-0000-0000-000000000000', 'zero', 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11'),
  ('ffffffff-ffff-ffff-ffff-ffffffffffff', 'max', '00000000-0000-0000-0000-000000000000'),
  ('7fffffff-ffff-ffff-ffff-ffffffffffff', 'mid', NULL);
INSERT INTO things VALUES ('A0EEBC99-9C0B-4EF8-BB6D-6BB9BD380A11', 'dup', NULL);
INSERT INTO things VALUES ('not-a-uuid', 'bad', NULL);
SELECT id, name FROM things ORDER BY id;
SELECT id, name FROM things ORDER BY id DESC;
SELECT name FROM things WHERE id = '{ffffffff-ffff-ffff-ffff-ffffffffffff}';
SELECT name FROM things WHERE id > '7fffffff-ffff-ffff-ffff-ffffffffffff' ORDER BY id;
SELECT t.name, p.name AS parent FROM things t LEFT JOIN things p ON p.id = t.parent ORDER BY t.name;
SELECT count(DISTINCT parent), min(id), max(id) FROM things;
SELECT parent, count(*) FROM things GROUP BY parent ORDER BY parent NULLS FIRST;
SELECT name FROM things WHERE id IN ('00000000-0000-0000-0000-000000000000', 'ffffffff-ffff-ffff-ffff-ffffffffffff') ORDER BY name;
INSERT INTO things (id, name) SELECT gen_random_uuid(), 'random' FROM generate_series(1, 3);
SELECT count(*), count(DISTINCT id) FROM things WHERE name = 'random';
DROP TABLE things;
