-- age() as PostgreSQL's symbolic difference, and the date/time
-- constructors make_date, make_timestamp, make_timestamptz, make_interval.
SET TimeZone = 'UTC';
SELECT age(timestamp '2024-03-01', timestamp '2024-01-15'), age(timestamp '2024-01-15', timestamp '2024-03-01');
SELECT age(timestamp '2001-04-10', timestamp '1957-06-13'), age(timestamp '2024-03-31 10:00', timestamp '2024-02-29 12:30:00.5');
SELECT age(date '2024-01-01', date '2023-12-31'), age(timestamp '2024-01-01', timestamp '2024-01-01');
SELECT age(timestamptz '2024-03-31 00:00+00', timestamptz '2023-02-28 23:00+00');
SELECT age(timestamp 'infinity', timestamp '2024-01-01');
SELECT age(NULL::timestamp, timestamp '2024-01-01');
SELECT age(current_date::timestamp) = interval '0', age(current_date::timestamp - interval '1 year 2 days') = interval '1 year 2 days';
SELECT pg_typeof(age(now())), age(current_date::timestamptz) = interval '0';
SET TimeZone = 'Europe/Paris';
SELECT age(timestamptz '2024-04-01 00:00+02', timestamptz '2024-03-01 00:00+01');
RESET TimeZone;
SELECT make_date(2024, 2, 29), make_date(-44, 3, 15), make_date(1, 1, 1);
SELECT make_date(2023, 2, 29);
SELECT make_date(0, 1, 1);
SELECT make_date(2024, 13, 1);
SELECT make_timestamp(2024, 5, 17, 10, 30, 15.5), make_timestamp(2024, 12, 31, 24, 0, 0);
SELECT make_timestamp(2024, 5, 17, 25, 0, 0);
SELECT make_timestamp(2024, 5, 17, 10, 60, 0);
SET TimeZone = 'America/New_York';
SELECT make_timestamptz(2024, 7, 1, 12, 0, 0), make_timestamptz(2024, 7, 1, 12, 0, 0, 'UTC'), make_timestamptz(2024, 1, 1, 0, 0, 0, 'Asia/Tokyo');
RESET TimeZone;
SELECT make_timestamptz(2024, 7, 1, 12, 0, 0, 'Nowhere/Zone');
SELECT make_interval(1), make_interval(1, 2), make_interval(0, 0, 1, 2), make_interval(0, 0, 0, 0, 3, 4, 5.5), make_interval();
SELECT make_date(NULL, 1, 1), make_interval(NULL);
