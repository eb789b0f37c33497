-- Function-style casts: a call named after a type, with one argument and
-- no function of that name taking it, is a cast (date(ts), int4(x)...).
SELECT date('2024-03-01 12:34:56'::timestamp) AS from_timestamp, date('2024-03-01 23:00:00+00'::timestamptz) AS from_timestamptz;
SELECT int4(1.5) AS int4_rounds, int8(2) AS int8_of_int, int2(7::bigint) AS int2_of_bigint, float8(1) AS f8, float4(2.5::numeric) AS f4;
SELECT text(42) AS txt, text(true) AS bool_text, bool('t') AS b, bool(1) AS bool_of_int, name('x') AS nm, bpchar('x') AS bp;
SELECT int4('2.5'::jsonb) AS int4_of_jsonb, float8('1.25'::jsonb) AS float8_of_jsonb, jsonb('{"a":1}'::json) AS jsonb_of_json, json('{"b": 2}'::jsonb) AS json_of_jsonb;
SELECT timestamptz('2024-03-01'::date) AS tstz, timetz('10:00'::time) AS ttz, uuid('a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11') AS u, inet('10.0.0.1') AS ip, cidr('10.0.0.0/8') AS net;
SELECT oid(5) AS o, regclass('pg_class') AS rc, bytea('x') AS by, tid('(0,1)') AS t, date('2024-01-01') AS d;
SELECT text(NULL::int) IS NULL AS null_stays_null, int4('12') + 1 AS unknown_literal;
CREATE TABLE events (id int, at timestamp, n numeric);
INSERT INTO events VALUES (1, '2024-03-01 08:00', 1.4), (2, '2024-03-01 20:00', 2.6), (3, '2024-03-02 09:00', 3.5);
SELECT date(at) AS day, count(*), sum(int4(n)) AS rounded_sum FROM events GROUP BY date(at) ORDER BY day;
SELECT id FROM events WHERE date(at) = '2024-03-02';
DROP TABLE events;
-- Not casts.
SELECT date(1);
SELECT int4('abc');
SELECT int4(1, 2);
SELECT uuid(1);
SELECT int2(100000);
SELECT xid(5);
