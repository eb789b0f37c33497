-- Enum types: CREATE TYPE ... AS ENUM and its errors, values in columns,
-- comparisons and ORDER BY by sort order (not text), B-tree indexes,
-- casts from and to text, input errors, ALTER TYPE (ADD VALUE BEFORE/
-- AFTER, RENAME VALUE, RENAME TO), enum_first/enum_last/enum_range,
-- arrays of enums, the catalog (pg_type, pg_enum, format_type, regtype),
-- DROP TYPE and transactional DDL.
CREATE TYPE mood AS ENUM ('sad', 'ok', 'happy');
CREATE TYPE mood AS ENUM ('x');
CREATE TYPE dup AS ENUM ('a', 'b', 'a');
CREATE TYPE empty AS ENUM ();
CREATE TYPE longlabel AS ENUM ('aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa');
SELECT 'ok'::mood, 'happy'::mood::text, CAST('sad' AS mood);
SELECT 'nope'::mood;
SELECT ''::mood;
SELECT 'OK'::mood;
SELECT NULL::mood, NULL::mood IS NULL;
SELECT 1::mood;
SELECT 'ok'::mood::varchar, 'ok'::text::mood, 'ok'::varchar::mood;
SELECT 'ok'::mood || '!';
-- Comparisons follow the declared order.
SELECT 'sad'::mood < 'ok'::mood, 'happy'::mood > 'sad', 'ok'::mood = 'ok', 'ok'::mood <> 'happy', 'ok'::mood >= 'ok';
SELECT 'sad'::text < 'ok'::text;
SELECT 'ok'::mood = 'zzz';
SELECT 'ok'::mood < NULL, NULL::mood = 'ok';
SELECT greatest('sad'::mood, 'happy', 'ok'), least('sad'::mood, 'happy', 'ok');
CREATE TABLE people (id int PRIMARY KEY, name text, m mood);
INSERT INTO people VALUES (1, 'ann', 'happy'), (2, 'bob', 'sad'), (3, 'cy', 'ok'), (4, 'di', NULL), (5, 'ed', 'sad');
INSERT INTO people VALUES (6, 'fay', 'angry');
INSERT INTO people VALUES (6, 'fay', 'ok'::text);
SELECT id, m FROM people ORDER BY m, id;
SELECT id, m FROM people ORDER BY m DESC, id;
SELECT id, m::text FROM people ORDER BY m::text, id;
SELECT id FROM people WHERE m > 'sad' ORDER BY id;
SELECT id FROM people WHERE m = 'sad' ORDER BY id;
SELECT id FROM people WHERE m IN ('ok', 'happy') ORDER BY id;
SELECT m, count(*) FROM people GROUP BY m ORDER BY m;
SELECT min(m::text), max(m::text) FROM people;
SELECT DISTINCT m FROM people ORDER BY m;
SELECT id FROM people WHERE m IS NULL;
UPDATE people SET m = 'happy' WHERE id = 5;
SELECT id, m FROM people ORDER BY id;
-- A B-tree index on an enum column.
CREATE INDEX people_m ON people (m);
SELECT id FROM people WHERE m = 'happy' ORDER BY id;
SELECT id FROM people WHERE m < 'happy' ORDER BY id;
SELECT id FROM people WHERE m BETWEEN 'sad' AND 'ok' ORDER BY id;
CREATE TABLE uniq (m mood UNIQUE);
INSERT INTO uniq VALUES ('ok'), ('sad');
INSERT INTO uniq VALUES ('ok');
SELECT m FROM uniq ORDER BY m;
-- ALTER TYPE ... ADD VALUE.
ALTER TYPE mood ADD VALUE 'ecstatic';
ALTER TYPE mood ADD VALUE 'meh' BEFORE 'ok';
ALTER TYPE mood ADD VALUE 'fine' AFTER 'ok';
ALTER TYPE mood ADD VALUE 'awful' BEFORE 'sad';
ALTER TYPE mood ADD VALUE 'ok';
ALTER TYPE mood ADD VALUE IF NOT EXISTS 'ok';
ALTER TYPE mood ADD VALUE 'x' BEFORE 'nope';
ALTER TYPE mood ADD VALUE 'y' AFTER 'nope';
ALTER TYPE nosuch ADD VALUE 'x';
ALTER TYPE people ADD VALUE 'x';
SELECT enum_range(NULL::mood);
SELECT enumlabel, enumsortorder FROM pg_enum e JOIN pg_type t ON t.oid = e.enumtypid WHERE t.typname = 'mood' ORDER BY enumsortorder;
INSERT INTO people VALUES (7, 'gus', 'meh'), (8, 'hal', 'fine'), (9, 'ivy', 'awful'), (10, 'jo', 'ecstatic');
SELECT id, m FROM people ORDER BY m, id;
SELECT id FROM people WHERE m > 'ok' ORDER BY id;
SELECT id FROM people WHERE m <= 'meh' ORDER BY id;
-- RENAME VALUE and RENAME TO.
ALTER TYPE mood RENAME VALUE 'meh' TO 'so-so';
ALTER TYPE mood RENAME VALUE 'nope' TO 'x';
ALTER TYPE mood RENAME VALUE 'ok' TO 'sad';
SELECT id, m FROM people WHERE id IN (3, 7) ORDER BY id;
SELECT 'meh'::mood;
SELECT 'so-so'::mood < 'ok'::mood;
ALTER TYPE mood RENAME TO feeling;
SELECT 'ok'::mood;
SELECT 'ok'::feeling;
SELECT format_type(atttypid, atttypmod) FROM pg_attribute WHERE attrelid = 'people'::regclass AND attname = 'm';
ALTER TYPE feeling RENAME TO people;
ALTER TYPE feeling RENAME TO mood;
-- enum_first, enum_last, enum_range.
SELECT enum_first(NULL::mood), enum_last(NULL::mood), enum_first('ok'::mood);
SELECT enum_range('ok'::mood, 'happy'::mood), enum_range(NULL::mood, 'ok'::mood), enum_range('happy'::mood, NULL);
SELECT enum_range('happy'::mood, 'ok'::mood);
SELECT enum_range(NULL::mood, NULL::mood) = enum_range(NULL::mood);
SELECT enum_first(1);
SELECT enum_range('ok'::mood, 'x'::text);
CREATE TYPE nothing AS ENUM ();
SELECT enum_first(NULL::nothing);
SELECT enum_range(NULL::nothing);
-- Arrays of enums.
SELECT ARRAY['sad', 'happy']::mood[], '{ok,happy}'::mood[], ('{ok,happy}'::mood[])[2];
SELECT '{ok,bad}'::mood[];
SELECT ARRAY['happy'::mood, 'sad'] = ARRAY['happy'::mood, 'sad'];
SELECT unnest(enum_range(NULL::mood)) AS m ORDER BY 1;
CREATE TABLE moods (id int, ms mood[]);
INSERT INTO moods VALUES (1, '{sad,ok}'), (2, ARRAY['happy'::mood]), (3, NULL);
SELECT id, ms FROM moods ORDER BY id;
-- The catalog.
SELECT typname, typtype, typcategory, typlen, typbyval, typalign, typstorage, typinput, typoutput, typreceive, typsend, typdelim, typelem = 0 AS noelem, typarray::regtype, typnamespace::regnamespace FROM pg_type WHERE typname IN ('mood', '_mood') ORDER BY typname;
SELECT t.typname, e.typname FROM pg_type t JOIN pg_type e ON e.oid = t.typelem WHERE t.typname = '_mood';
SELECT 'mood'::regtype, 'mood[]'::regtype, '_mood'::regtype, 'public.mood'::regtype;
SELECT pg_typeof('ok'::mood), pg_typeof(enum_range(NULL::mood));
SELECT format_type('mood'::regtype, NULL), format_type('_mood'::regtype, -1);
SELECT to_regtype('mood'), to_regtype('nosuch');
SELECT count(*) FROM pg_enum WHERE enumtypid = 'mood'::regtype;
SELECT a.attname, format_type(a.atttypid, a.atttypmod) FROM pg_attribute a WHERE a.attrelid = 'moods'::regclass AND a.attnum > 0 ORDER BY a.attnum;
-- Names shared with relations' row types.
CREATE TYPE people AS ENUM ('a');
CREATE TABLE mood (x int);
-- DROP TYPE.
DROP TYPE mood;
DROP TYPE mood RESTRICT;
DROP TYPE IF EXISTS nosuch;
DROP TYPE IF EXISTS nosuch, nothing;
DROP TYPE nosuch;
DROP TYPE nothing;
SELECT NULL::nothing;
DROP TABLE moods, uniq, people;
DROP TYPE mood;
SELECT 'ok'::mood;
SELECT count(*) FROM pg_type WHERE typname IN ('mood', '_mood');
-- CREATE TYPE, ADD VALUE and DROP TYPE follow their transaction.
BEGIN;
CREATE TYPE color AS ENUM ('red', 'green');
SELECT 'red'::color;
ROLLBACK;
SELECT 'red'::color;
CREATE TYPE color AS ENUM ('red', 'green');
BEGIN;
ALTER TYPE color RENAME VALUE 'green' TO 'blue';
SELECT enum_range(NULL::color);
ROLLBACK;
SELECT enum_range(NULL::color);
BEGIN;
DROP TYPE color;
ROLLBACK;
SELECT enum_range(NULL::color);
CREATE TABLE paint (c color);
INSERT INTO paint VALUES ('green'), ('red');
ALTER TYPE color ADD VALUE 'amber' BEFORE 'green';
INSERT INTO paint VALUES ('amber');
SELECT c FROM paint ORDER BY c;
SELECT c FROM paint ORDER BY c DESC;
DROP TABLE paint;
DROP TYPE color;
