-- DateStyle, IntervalStyle and bytea_output: the date/time input forms
-- PostgreSQL reads (month names, field orders, run-together digits, day of
-- year, Julian days, AM/PM, eras, ISO 'T'), the SQL, Postgres and German
-- output styles with zone abbreviations, the interval styles, and escape
-- bytea output.
SHOW DateStyle;
SET TimeZone = 'America/New_York';
-- Input forms under ISO, MDY.
SELECT '1999-01-08'::date, 'January 8, 1999'::date, '1/8/1999'::date, '1999-Jan-08'::date;
SELECT 'Jan-08-1999'::date, '08-Jan-1999'::date, '19990108'::date, '990108'::date;
SELECT '1999.008'::date, 'J2451187'::date, 'Fri Jan 08 1999'::date, 'jan 8 99'::date;
SELECT '01/02/03'::date AS mdy, '08-Jan-99'::date, 'Jan-08-99'::date;
SELECT '99-Jan-08'::date;
SELECT '1/18/1999'::date;
SELECT '18/1/1999'::date;
SELECT '1999-02-29'::date;
SELECT '1999-13-01'::date;
SELECT 'Jann 8 1999'::date;
SELECT '2003-01-02 04:05:06 PM'::timestamp, '2003-01-02 12:05 AM'::timestamp, '2003-01-02 12:05 pm'::timestamp;
SELECT '2003-01-02 13:05 PM'::timestamp;
SELECT '20030102T040506'::timestamp, '2003-01-02T04:05:06.789'::timestamp, '2003-01-02 040506'::timestamp;
SELECT '1999-01-08 04:05:06 -8:00'::timestamptz, '1999-01-08 04:05:06-08'::timestamptz, 'January 8 04:05:06 1999 PST'::timestamptz;
SELECT '1999-01-08 04:05:06+16'::timestamptz;
SELECT '1999-01-08 04:05:06 Europe/Paris'::timestamptz, '1999-01-08 04:05 Mars/Olympus'::timestamptz;
SELECT '0044-03-15 BC'::date, 'March 15, 44 BC'::date, '0001-01-01 AD'::date;
SELECT '0000-01-01'::date;
SELECT '2003-01-02 allballs'::timestamptz, 'epoch'::date, 'infinity'::timestamp, '-infinity'::timestamptz;
SELECT '1999-01-08 24:00:00'::timestamp, '1999-01-08 24:00:01'::timestamp;
SELECT '1999-01-08 04:61'::timestamp;
SELECT '10:30'::timestamp;
SELECT ''::date;
SELECT '1999-01-08 on'::date, 'on 1999-01-08 at 10:00'::timestamp;
SELECT 'yesterday'::date < 'today'::date AS y, 'tomorrow'::date > 'today'::date AS t, ('today'::date - 'yesterday'::date) AS one;
SELECT ('tomorrow 10:00'::timestamp - 'today'::timestamp) AS day_and_ten_hours;
-- Other field orders.
SET DateStyle = 'ISO, DMY';
SHOW DateStyle;
SELECT '01/02/03'::date AS dmy, '18/1/1999'::date, '08-Jan-99'::date, 'Jan-08-99'::date;
SELECT '1/18/1999'::date;
SET DateStyle = 'YMD';
SHOW DateStyle;
SELECT '01/02/03'::date AS ymd, '99-Jan-08'::date, '1999-Jan-08'::date;
SELECT '08-Jan-99'::date;
-- Output styles.
CREATE TEMP TABLE moments (d date, ts timestamp, tstz timestamptz);
INSERT INTO moments VALUES ('1997-12-17', '1997-12-17 07:37:16', '1997-12-17 07:37:16.5-08'),
  ('2024-07-04', '2024-07-04 00:00:00.000123', '2024-07-04 12:00:00+00'),
  ('0044-03-15 BC', '0044-03-15 12:00:00 BC', '0044-03-15 12:00:00+00 BC'),
  ('infinity', '-infinity', 'infinity'), (NULL, NULL, NULL);
SET DateStyle = 'SQL, MDY';
SHOW DateStyle;
SELECT d, ts, tstz FROM moments;
SET DateStyle = 'SQL, DMY';
SELECT d, ts, tstz FROM moments;
SET DateStyle = 'Postgres, MDY';
SELECT d, ts, tstz FROM moments;
SET DateStyle = 'Postgres, DMY';
SELECT d, ts, tstz FROM moments;
SET DateStyle = 'Postgres, YMD';
SELECT d, ts FROM moments;
SET DateStyle = German;
SHOW DateStyle;
SELECT d, ts, tstz FROM moments;
SELECT '17.12.1997'::date, '17.12.1997 07:37:16.5 EST'::timestamptz;
-- Each style's output reads back as the same value.
SET DateStyle = 'Postgres, MDY';
SELECT tstz::text::timestamptz = tstz AS same FROM moments;
SET DateStyle = 'SQL, DMY';
SELECT ts::text::timestamp = ts AS same, d::text::date = d AS same_date FROM moments;
-- Zones with and without abbreviations.
SET DateStyle = 'SQL, MDY';
SET TimeZone = 'Asia/Kolkata';
SELECT '2020-12-17 07:37:16'::timestamptz;
SET TimeZone = 'Europe/Istanbul';
SELECT '2020-12-17 07:37:16'::timestamptz;
SET TimeZone = 'UTC';
SELECT '2020-12-17 07:37:16'::timestamptz;
SET TimeZone = -7;
SELECT '2020-12-17 07:37:16'::timestamptz;
SET DateStyle = 'Postgres';
SELECT '2020-12-17 07:37:16'::timestamptz;
SET TimeZone = 'America/New_York';
-- Setting values: partial values keep the other half; errors.
SET DateStyle = 'sql';
SHOW DateStyle;
SET DateStyle = 'european';
SHOW DateStyle;
SET DateStyle = 'US';
SHOW DateStyle;
SET DateStyle = '"Postgres"';
SHOW DateStyle;
SET DateStyle = DEFAULT;
SHOW DateStyle;
SET DateStyle = 'iso, german';
SET DateStyle = 'sql dmy';
SET DateStyle = 'fancy';
SET DateStyle = 'dmy, mdy';
SHOW DateStyle;
BEGIN;
SET LOCAL DateStyle = 'German';
SELECT '2024-07-04'::date;
ROLLBACK;
SELECT '2024-07-04'::date;
SELECT set_config('DateStyle', 'SQL, DMY', false);
SELECT '2024-07-04'::date, current_setting('DateStyle');
RESET DateStyle;
-- IntervalStyle.
CREATE TEMP TABLE spans (i interval);
INSERT INTO spans VALUES ('1 year 2 mons 3 days 04:05:06.5'), ('-1 year -2 mons +3 days -04:05:06'),
  ('1 year 2 mons'), ('-1 year -2 mons'), ('3 days 04:05:06'), ('-3 days -04:05:06'), ('04:05:06'),
  ('-04:05:06'), ('0'), ('1 day'), ('-1 day'), ('1 mon -1 day'), ('1 year -1 mon'), ('0.000001 sec'),
  ('-0.5 sec'), ('100 years'), ('1 day 1 sec'), ('-1 year'), ('1 day -1 sec'), ('1 mon 1 sec'),
  ('-1 mon -1 sec'), ('1 sec'), ('-1 sec'), (NULL);
SET IntervalStyle = sql_standard;
SHOW IntervalStyle;
SELECT i FROM spans;
SET IntervalStyle = iso_8601;
SELECT i FROM spans;
SET IntervalStyle = postgres_verbose;
SELECT i FROM spans;
SET IntervalStyle = 'fancy';
RESET IntervalStyle;
SELECT i FROM spans;
-- bytea_output.
SET bytea_output = 'escape';
SHOW bytea_output;
SELECT '\x00015c41ff7e20'::bytea, 'abc'::bytea, ''::bytea, '\x0a'::bytea;
SELECT ARRAY['\x41'::bytea, '\xff'::bytea];
SET bytea_output = 'base64';
RESET bytea_output;
SELECT '\x00015c41'::bytea;
-- interval input: units after their numbers, a bare number before a time
-- is days, the SQL standard's forms, fractions, ISO 8601.
CREATE TEMP TABLE inputs (s text);
INSERT INTO inputs VALUES ('3 4:05:06'), ('-3 4:05:06'), ('1-2'), ('-1-2'), ('+1-2 +3 +4:05:06'),
  ('1-2 3 4:05:06'), ('1 +02:03'), ('-1 02:03'), ('1 day 10'), ('1 hour 30'), ('5'), ('-5'), ('1.5'),
  ('1.5 years'), ('1.01 years'), ('0.1 mon'), ('1.5 weeks'), ('-1.5 days'), ('1:30.5'), ('100:00:00'),
  ('1d2h'), ('10min'), ('2 days ago'), ('@ 1 year 2 mons ago'), ('1 millennium 2 centuries 3 decades'),
  ('1 y 2 mon 3 d 4 h 5 m 6 s'), ('1 ms 2 us'), ('P1Y2M3DT4H5M6S'), ('P1Y2M3DT4H5M6.5S'),
  ('P-1Y-2M3DT-4H-5M-6S'), ('PT4H5M6S'), ('P0.5Y'), ('P1.5M'), ('P1W'), ('PT0S'), ('P1D'),
  ('P0001-02-03T04:05:06'), ('P0001-02-03'), ('P00010203T040506'), ('PT1.5S'), ('PT'), ('P1'), ('P1.5D');
SELECT s, s::interval FROM inputs ORDER BY s;
SET IntervalStyle = sql_standard;
SELECT s, s::interval FROM inputs ORDER BY s;
RESET IntervalStyle;
SELECT '10 1 day'::interval;
SELECT '1 2 3'::interval;
SELECT '1 day 1 day'::interval;
SELECT '1 hour 1:00'::interval;
SELECT 'P'::interval;
SELECT 'P1Y2'::interval;
SELECT '1 fortnight'::interval;
SELECT '123456789012 days'::interval;
SELECT '99999999999 hours'::interval;
SELECT '1-12'::interval;
SELECT interval '1-2' year to month, interval '3' day, interval '10' minute;
