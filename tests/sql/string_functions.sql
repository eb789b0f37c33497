-- Digests, encodings and string functions of PostgreSQL's library:
-- md5, sha224..sha512, encode/decode (hex, base64, escape), to_hex,
-- bit_length, convert_to/convert_from, translate, OVERLAY, SIMILAR TO,
-- |/ and ||/, the set-returning regexp_matches, regexp_split_to_table
-- and string_to_table, setseed.
SELECT md5('a'), md5(''), md5('a'::bytea), md5(NULL::text);
SELECT sha224('abc'), sha256('abc'), sha256(''::bytea);
SELECT sha384('abc'::bytea), sha512('abc'::bytea);
SELECT encode('\x00ff10'::bytea, 'hex'), encode('hello', 'base64'), encode(E'a\\\\b\\000c\\377'::bytea, 'escape');
SELECT encode(convert_to(repeat('xyz', 40), 'UTF8'), 'base64');
SELECT decode('00FF 10', 'hex'), decode('aGVsbG8=', 'base64'), decode('a\\b\000c', 'escape');
SELECT decode('abc', 'hex');
SELECT decode('zz', 'hex');
SELECT decode('aGVsbG8', 'base64');
SELECT decode('a*b=', 'base64');
SELECT encode('x', 'rot13');
SELECT encode(NULL::bytea, 'hex'), decode(NULL, 'hex');
SELECT to_hex(255), to_hex(-1), to_hex(9223372036854775807), to_hex(-1::bigint), to_hex(0);
SELECT bit_length('abc'), bit_length('é'), bit_length('\x0102'::bytea);
SELECT convert_to('héllo', 'UTF8'), convert_to('héllo', 'LATIN1'), convert_from('\x68c3a96c6c6f', 'UTF8'), convert_from('\x68e96c6c6f', 'LATIN1');
SELECT convert_to('x', 'nosuch');
SELECT convert_from('\xff', 'UTF8');
SELECT translate('12345', '143', 'ax'), translate('abc', '', 'x'), translate(NULL, 'a', 'b');
SELECT overlay('Txxxxas' placing 'hom' from 2 for 4), overlay('Txxxxas' placing 'hom' from 2), overlay('abc' placing 'XY' from 10), overlay('abcdef' placing 'x' from 2 for -1);
SELECT overlay('\x1234567890'::bytea placing '\x0203'::bytea from 2 for 3);
SELECT overlay('abc' placing 'x' from 0);
SELECT 'abc' SIMILAR TO 'abc', 'abc' SIMILAR TO 'a', 'abc' SIMILAR TO '%(b|d)%', 'abc' SIMILAR TO '(b|c)%', 'abc' NOT SIMILAR TO 'a_c';
SELECT 'a%c' SIMILAR TO 'a#%c' ESCAPE '#', 'abc' SIMILAR TO 'a#%c' ESCAPE '#', 'a.c' SIMILAR TO 'a.c', 'abc' SIMILAR TO 'a.c';
SELECT 'x' SIMILAR TO '[a-z]', 'X' SIMILAR TO '[a-z]', 'ab' SIMILAR TO 'a{1,2}b', NULL SIMILAR TO 'a';
SELECT 'abc' SIMILAR TO 'a' ESCAPE 'xy';
SELECT |/ 16, ||/ 8, ||/ 64, |/ 2.25, |/ 16::int;
SELECT |/ 'a'::text;
SELECT regexp_matches('foobarbequebaz', '(bar)(beque)');
SELECT regexp_matches('foobarbequebazilbarfbonk', '(b[^b]+)(b[^b]+)', 'g');
SELECT regexp_matches('abc', 'x');
SELECT regexp_matches('aaa', 'a', 'g');
SELECT regexp_matches('abc', 'b'), 1 AS n;
SELECT * FROM regexp_matches('a1b22c333', '[0-9]+', 'g') WITH ORDINALITY AS m(x, n);
SELECT regexp_split_to_table('the quick  brown fox', '\s+');
SELECT * FROM regexp_split_to_table('a,b,,c', ',') AS t(part);
SELECT regexp_split_to_table('abc', '');
SELECT string_to_table('a|b||c', '|');
SELECT string_to_table('a|b|xx|c', '|', 'xx');
SELECT string_to_table('abc', NULL);
SELECT string_to_table(NULL, ',');
SELECT * FROM string_to_table('1,2,3', ',') WITH ORDINALITY;
SELECT s, regexp_split_to_table(s, '-') FROM (VALUES ('a-b'), ('c')) v(s) ORDER BY 1, 2;
SELECT regexp_matches('abc', '(', 'g');
SELECT setseed(0.5);
SELECT setseed(2);
CREATE TABLE sf_r AS SELECT random() AS r FROM generate_series(1, 3);
SELECT setseed(0.25);
CREATE TABLE sf_a AS SELECT random() AS r FROM generate_series(1, 3);
SELECT setseed(0.25);
CREATE TABLE sf_b AS SELECT random() AS r FROM generate_series(1, 3);
SELECT (SELECT array_agg(r) FROM sf_a) = (SELECT array_agg(r) FROM sf_b);
DROP TABLE sf_r, sf_a, sf_b;
SELECT substr('hello', 2, 3), substring('hello' from 2 for 3), overlay('hello' placing 'J' from 1);
