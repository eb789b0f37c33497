-- Composite types of CREATE TYPE ... AS (attributes): catalog rows, use as
-- column types (and arrays of them), record input of these and of table
-- row types (quoting, backslashes, empty fields as NULL, errors), casts of
-- row constructors, field selection, nested composites, comparisons and
-- DROP TYPE [CASCADE | RESTRICT] of composite, enum and domain types.
CREATE TYPE pair AS (a int, b text);
CREATE TYPE pair AS (x int);
CREATE TYPE dup AS (a int, a text);
CREATE TYPE coll AS (a int, b text COLLATE "C", c varchar(5));
CREATE TYPE badcoll AS (a int COLLATE "C");
CREATE TYPE nocoll AS (b text COLLATE "no_such_collation");
CREATE TYPE notype AS (a no_such_type);
CREATE TYPE empty AS ();
SELECT typname, typtype, typcategory, typrelid <> 0 AS has_rel, typarray <> 0 AS has_array, typlen, typinput::text, typoutput::text, typreceive::text, typsend::text FROM pg_type WHERE typname IN ('pair', '_pair') ORDER BY typname;
SELECT e.typname, e.typelem = t.oid AS elem FROM pg_type t JOIN pg_type e ON e.oid = t.typarray WHERE t.typname = 'pair';
SELECT relname, relkind, relnatts, reltype = (SELECT oid FROM pg_type WHERE typname = 'pair') AS reltype FROM pg_class WHERE relname = 'pair';
SELECT a.attname, format_type(a.atttypid, a.atttypmod), a.attnum, a.attnotnull FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid WHERE c.relname = 'coll' ORDER BY a.attnum;
SELECT a.attname, co.collname FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid LEFT JOIN pg_collation co ON co.oid = a.attcollation WHERE c.relname = 'coll' ORDER BY a.attnum;
SELECT 'pair'::regclass::text, format_type('pair'::regtype, NULL), format_type('pair[]'::regtype, NULL);
CREATE TABLE pair (z int);
-- Record input.
SELECT '(1,x)'::pair;
SELECT ('(1,x)'::pair).a, ('(1,x)'::pair).b;
SELECT '(1,"a b")'::pair, ('(1,"a b")'::pair).b;
SELECT ('(1,"a,b(c)")'::pair).b;
SELECT ('(1,"say ""hi""")'::pair).b;
SELECT ('(1,a\,b)'::pair).b;
SELECT ('(1,a\"b)'::pair).b;
SELECT ('(1,"a\\b")'::pair).b;
SELECT ('(1, x )'::pair).b;
SELECT '  (1,x)  '::pair;
SELECT ('(1,)'::pair).b IS NULL AS null_b, ('(,x)'::pair).a IS NULL AS null_a;
SELECT ('(1,"")'::pair).b = '' AS empty_b;
SELECT '(,)'::pair, ('(,)'::pair) IS NULL AS all_null;
SELECT '()'::pair;
SELECT '(1)'::pair;
SELECT '(1,x,y)'::pair;
SELECT '1,x'::pair;
SELECT '(1,x'::pair;
SELECT '(1,x) y'::pair;
SELECT '(1,"x'::pair;
SELECT '(1,x\'::pair;
SELECT '(a,x)'::pair;
SELECT '(1,x)'::record;
SELECT '()'::empty;
SELECT '(1)'::empty;
SELECT NULL::pair;
SELECT pg_typeof('(1,x)'::pair), pg_typeof(NULL::pair[]);
-- Row constructors cast to the type.
SELECT ROW(1, 'x')::pair, (ROW(1, 'x')::pair).b;
SELECT (2, 'y')::pair;
SELECT ROW('3', 4)::pair;
SELECT ROW(1.7, NULL)::pair;
SELECT ROW(1)::pair;
SELECT ROW(1, 'x', 2)::pair;
SELECT ROW('a', 'x')::pair;
SELECT ROW(true, 'x')::pair;
SELECT CAST(ROW(5, 'z') AS pair);
-- Comparisons.
SELECT ROW(1, 'x')::pair = '(1,x)'::pair, '(1,x)'::pair < '(2,a)'::pair, '(1,b)'::pair > '(1,a)'::pair;
SELECT '(1,)'::pair = '(1,)'::pair, '(1,)'::pair < '(1,a)'::pair;
-- Nested composites and arrays of composites.
CREATE TYPE nest AS (n int, p pair, ps pair[]);
SELECT '(7,"(1,x)","{""(2,y)"",""(3,)""}")'::nest;
SELECT ('(7,"(1,x)",)'::nest).p, (('(7,"(1,x)",)'::nest).p).b;
SELECT ROW(8, ROW(1, 'q')::pair, ARRAY[ROW(2, 'r')::pair])::nest;
SELECT '{"(1,x)","(2,\"y z\")",NULL}'::pair[];
SELECT ('{"(1,x)","(2,y)"}'::pair[])[2];
SELECT (('{"(1,x)","(2,y)"}'::pair[])[2]).b;
SELECT ARRAY[ROW(1, 'a')::pair, ROW(2, NULL)::pair];
SELECT array_length(ARRAY['(1,a)'::pair, '(2,b)'::pair], 1);
-- A table with composite columns.
CREATE TABLE pt (id int, p pair, ps pair[], nn nest);
INSERT INTO pt VALUES (1, '(1,x)', '{"(2,y)","(3,)"}', '(1,"(4,w)",)');
INSERT INTO pt VALUES (2, ROW(5, 'y z'), ARRAY[ROW(6, 'w')::pair], NULL);
INSERT INTO pt VALUES (3, NULL, NULL, ROW(3, NULL, NULL));
INSERT INTO pt VALUES (4, '(,)', '{}', '(,,)');
INSERT INTO pt VALUES (5, ROW(1, 2, 3), NULL, NULL);
INSERT INTO pt VALUES (6, '(x,1)', NULL, NULL);
INSERT INTO pt (id, p) VALUES (7, (8, 'e'));
SELECT * FROM pt ORDER BY id;
SELECT id, (p).a, (p).b FROM pt ORDER BY id;
SELECT id, (p).* FROM pt ORDER BY id;
SELECT id, ps[1], (ps[1]).b, cardinality(ps) FROM pt ORDER BY id;
SELECT id, (nn).n, ((nn).p).a, ((nn).p).b FROM pt ORDER BY id;
SELECT id FROM pt WHERE p = ROW(1, 'x')::pair;
SELECT id FROM pt WHERE (p).a > 1 ORDER BY id;
SELECT id, p FROM pt ORDER BY p, id;
SELECT id, p IS NULL, p IS NOT NULL FROM pt ORDER BY id;
UPDATE pt SET p = ROW((p).a + 100, (p).b) WHERE id = 1;
SELECT p FROM pt WHERE id = 1;
UPDATE pt SET p = '(9,nine)' WHERE id = 3;
SELECT p FROM pt WHERE id = 3;
SELECT row_to_json(p), to_jsonb(p) FROM pt WHERE id IN (1, 2) ORDER BY id;
SELECT p::text, length(p::text) FROM pt ORDER BY id;
SELECT '(1,x)'::text::pair;
-- Table row types take record input too.
CREATE TABLE tr (a int, b text, c numeric);
SELECT '(1,x,2.5)'::tr, ('(1,x,2.5)'::tr).c;
SELECT '(1,x)'::tr;
INSERT INTO tr VALUES (1, 'one', 1.5);
SELECT tr = '(1,one,1.5)'::tr FROM tr;
SELECT ROW(2, 'two', 3)::tr;
-- ALTER TYPE of a composite type: RENAME TO; enum actions refused.
CREATE TYPE rn AS (x int, y text);
CREATE TABLE rn_use (v rn);
INSERT INTO rn_use VALUES ('(1,a)');
ALTER TYPE rn RENAME TO rn2;
SELECT '(2,b)'::rn2, v, (v).y, pg_typeof(v) FROM rn_use;
SELECT '(2,b)'::rn;
SELECT relname, relkind FROM pg_class WHERE relname IN ('rn', 'rn2');
SELECT typname FROM pg_type WHERE typname IN ('rn', 'rn2', '_rn', '_rn2') ORDER BY typname;
ALTER TYPE rn2 RENAME TO pair;
ALTER TYPE rn2 RENAME TO rn_use;
ALTER TYPE rn2 ADD VALUE 'z';
ALTER TYPE rn2 RENAME VALUE 'a' TO 'b';
ALTER TYPE no_such_type RENAME TO zz;
DROP TYPE rn2 CASCADE;
-- Arrays of rows: array_agg, ARRAY(subquery), pg_typeof of an aggregate.
INSERT INTO tr VALUES (2, NULL, NULL), (3, 'a "q"', 0);
SELECT array_agg(tr ORDER BY a) FROM tr;
SELECT pg_typeof(array_agg(tr)), pg_typeof(count(*)) FROM tr;
SELECT (array_agg(tr ORDER BY a DESC))[1], ((array_agg(tr ORDER BY a))[3]).b FROM tr;
SELECT ARRAY(SELECT tr FROM tr ORDER BY a);
SELECT ARRAY(SELECT ROW(a, b)::pair FROM tr ORDER BY a);
SELECT array_agg(p ORDER BY id), pg_typeof(array_agg(p)) FROM pt;
SELECT to_jsonb(array_agg(tr ORDER BY a)), to_json(array_agg(p ORDER BY id)) FROM tr, pt WHERE pt.id = 1;
SELECT id, pg_typeof(max(id)) FROM pt GROUP BY id ORDER BY id;
SELECT id, pg_typeof(row_number() OVER ()) FROM pt ORDER BY id;
-- DROP TYPE: RESTRICT, CASCADE, IF EXISTS.
DROP TYPE pair;
DROP TYPE pair RESTRICT;
DROP TYPE tr;
DROP TYPE no_such_type;
DROP TYPE IF EXISTS no_such_type;
DROP TYPE IF EXISTS no_such_schema.no_such_type;
DROP TYPE empty, coll;
SELECT count(*) FROM pg_class WHERE relname IN ('empty', 'coll');
SELECT count(*) FROM pg_type WHERE typname IN ('empty', 'coll', '_empty', '_coll');
DROP TYPE nest CASCADE;
SELECT attname FROM pg_attribute WHERE attrelid = 'pt'::regclass AND attnum > 0 AND NOT attisdropped ORDER BY attnum;
DROP TYPE pair CASCADE;
SELECT * FROM pt ORDER BY id;
SELECT count(*) FROM pg_type WHERE typname IN ('pair', '_pair', 'nest', '_nest');
-- Enum and domain types through DROP TYPE.
CREATE TYPE mood AS ENUM ('sad', 'ok');
CREATE DOMAIN posint AS int CHECK (VALUE > 0);
CREATE TABLE md (id int, m mood, ms mood[], d posint);
DROP TYPE mood;
DROP TYPE posint;
DROP TYPE mood CASCADE;
DROP TYPE posint CASCADE;
SELECT attname FROM pg_attribute WHERE attrelid = 'md'::regclass AND attnum > 0 AND NOT attisdropped ORDER BY attnum;
-- A schema's composite types go with DROP SCHEMA CASCADE.
CREATE SCHEMA cs;
CREATE TYPE cs.p2 AS (x int, y int);
SELECT '(1,2)'::cs.p2;
CREATE TABLE cs.cs_use (v cs.p2);
INSERT INTO cs.cs_use VALUES ('(3,4)');
SELECT v, (v).y FROM cs.cs_use;
DROP SCHEMA cs CASCADE;
SELECT count(*) FROM pg_type WHERE typname = 'p2';
