-- generate_series over timestamp and timestamptz with an interval step:
-- in FROM and in a select list, backwards, with month steps (end of
-- month), across DST changes in the session's TimeZone, NULLs, empty
-- ranges, a date start (timestamptz), and the zero step's error.
SELECT * FROM generate_series('2024-01-01 00:00'::timestamp, '2024-01-02 00:00', '6 hours');
SELECT generate_series('2024-01-31'::timestamp, '2024-06-01', '1 month');
SELECT * FROM generate_series('2024-01-02'::timestamp, '2024-01-01', '-8 hours') AS g(t);
SELECT * FROM generate_series('2024-01-02'::timestamp, '2024-01-01', '8 hours');
SELECT * FROM generate_series('2024-01-01'::timestamp, NULL, '1 day');
SELECT * FROM generate_series('2024-01-01'::timestamp, '2024-01-02', NULL);
SELECT * FROM generate_series('2024-01-01'::timestamp, '2024-01-02', '0 days');
SELECT * FROM generate_series('2024-01-01 10:00'::timestamp, '2024-01-01 10:00:01', '250 milliseconds') WITH ORDINALITY;
SET TimeZone = 'Europe/Paris';
SELECT * FROM generate_series('2024-03-30 00:00'::timestamptz, '2024-04-01 00:00', '1 day');
SELECT * FROM generate_series('2024-03-31 00:00'::timestamptz, '2024-03-31 05:00', '1 hour');
SELECT * FROM generate_series('2024-10-26 12:00'::timestamptz, '2024-10-28 12:00', '12 hours');
SELECT g, extract(epoch FROM g - lag(g) OVER (ORDER BY g)) FROM generate_series('2024-10-26'::timestamptz, '2024-10-29', '1 day') g;
SELECT * FROM generate_series('2024-01-01'::date, '2024-01-03'::date, '1 day');
SET TimeZone = 'America/New_York';
SELECT generate_series('2024-03-09 12:00'::timestamptz, '2024-03-12', '1 day 1 hour');
SELECT count(*), min(g), max(g) FROM generate_series('2020-01-01'::timestamptz, '2024-12-31', '1 week') g;
RESET TimeZone;
SELECT pg_typeof(g) FROM generate_series(now(), now() + '1 day', '1 day') g LIMIT 1;
SELECT pg_typeof(g) FROM generate_series(localtimestamp, localtimestamp, '1 day') g;
SELECT * FROM generate_series('2024-01-01'::timestamp, '2024-01-03', 1);
