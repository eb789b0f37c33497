-- time and timetz: input forms, typmod precision, output, comparison,
-- B-tree indexes and ORDER BY, arithmetic, casts, extract/date_part,
-- AT TIME ZONE, make_time, arrays, NULLs and bad input.
SELECT '04:05:06.789'::time AS t1, '040506'::time AS t2, '0405'::time AS t3, '4:05 PM'::time AS t4;
SELECT '12:00 AM'::time AS midnight, '12:30 pm'::time AS half_past_noon, 'allballs'::time AS allballs;
SELECT 'T040506'::time AS iso_t, '2003-04-12 04:05:06'::time AS with_date, '040506.5'::time AS frac;
SELECT '24:00:00'::time AS end_of_day, '23:59:59.9999999'::time AS rounds_up, '4:5:6'::time AS short_fields;
SELECT '04:05:06 PST'::time AS zone_ignored, '04:05:06-08'::time AS offset_ignored, ' 04:05 '::time AS blanks;
SELECT '04:05:06.1234567'::time AS seven_digits, '23:59:60'::time AS leap_second;
SELECT NULL::time AS null_time, NULL::timetz AS null_timetz;
SELECT '25:00'::time;
SELECT '24:00:01'::time;
SELECT '13:00 PM'::time;
SELECT '4:60'::time;
SELECT '4'::time;
SELECT 'abc'::time;
SELECT ''::time;
SELECT 'infinity'::time;
SELECT '04:05:06 Europe/Paris'::time;
SELECT '04:05:06 Foo/Bar'::time;
SELECT '04:05:06 PST'::timetz AS pst, '04:05:06-08:00'::timetz AS minus8, '04:05:06+0530'::timetz AS plus0530;
SELECT '04:05:06.5-03:30'::timetz AS frac_zone, '04:05:06 z'::timetz AS zulu, 'allballs'::timetz AS allballs;
SELECT '2003-04-12 04:05:06 America/New_York'::timetz AS dst, '2003-01-12 04:05:06 America/New_York'::timetz AS winter;
SELECT '04:05:06+15:59'::timetz AS max_zone;
SELECT '04:05:06'::timetz AS session_zone;
SELECT '04:05:06 America/New_York'::timetz;
SELECT '04:05:06 +16'::timetz;
SELECT 'abc'::timetz;
SELECT '25:00'::timetz;
-- Precision.
SELECT '04:05:06.789'::time(0) AS p0, '04:05:06.789'::time(2) AS p2, '04:05:06.785'::time(2) AS p2_half;
SELECT '23:59:59.6'::time(0) AS to_24, '04:05:06.789+02'::timetz(1) AS tz_p1;
SELECT CAST('04:05:06.123456' AS time(3)) AS cast_p3, '04:05:06.123456'::time with time zone AS long_name;
SELECT '04:05:06.5'::time without time zone AS wotz, '04:05:06.5'::timetz(0) AS tz_p0;
SELECT '1:00'::time(-1);
-- Comparison: timetz compares the instants, then the zones.
SELECT '04:05'::time < '04:05:01'::time AS lt, '04:05'::time = '04:05:00'::time AS eq, '24:00'::time > '23:59:59.999999'::time AS gt;
SELECT '12:00+01'::timetz < '12:00+00'::timetz AS earlier_instant, '12:00+01'::timetz = '11:00+00'::timetz AS same_instant_other_zone;
SELECT '11:00+00'::timetz < '12:00+01'::timetz AS zone_breaks_tie, '12:00+01'::timetz >= '12:00+01'::timetz AS ge;
SELECT '10:00'::time = NULL AS null_cmp, NULL::time < '10:00'::time AS null_lt;
-- Arithmetic.
SELECT '10:00'::time + '1 hour'::interval AS plus, '10:00'::time - '11 hours'::interval AS wraps_back;
SELECT '23:00'::time + '2 hours 30 minutes' AS wraps_forward, '1 day 01:00'::interval + '10:00'::time AS days_ignored;
SELECT '12:00'::time - '10:30'::time AS diff, '10:30'::time - '12:00'::time AS negative_diff;
SELECT '12:00'::time - '10:30' AS unknown_is_time;
SELECT '10:00+02'::timetz + '3 hours'::interval AS tz_plus, '01:00+02'::timetz - '2 hours'::interval AS tz_minus;
SELECT '2024-03-01'::date + '10:30'::time AS date_time, '10:30'::time + '2024-03-01'::date AS time_date;
SELECT '2024-03-01'::date + '10:30+02'::timetz AS date_timetz;
SELECT 'infinity'::date + '10:00'::time AS inf;
SELECT '10:00'::time * 2;
-- Casts.
SELECT '2024-03-01 10:30:45.5'::timestamp::time AS from_ts, '2024-03-01 10:30:45+00'::timestamptz::time AS from_tstz;
SELECT '2024-03-01 10:30:45+00'::timestamptz::timetz AS tstz_timetz, '10:30+05'::timetz::time AS timetz_time;
SELECT '10:30'::time::interval AS to_interval, '1 day 26:30'::interval::time AS from_interval, '-1:30'::interval::time AS negative_interval;
SELECT '10:30'::time::text AS to_text, '10:30'::text::time AS from_text, '10:30+01'::timetz::varchar AS tz_varchar;
SELECT 'infinity'::timestamp::time;
SELECT '10:00'::time::date;
SELECT '10:00'::time::timestamp;
SELECT pg_typeof('10:00'::time), pg_typeof('10:00'::timetz), pg_typeof('10:00'::time + '1h'::interval), pg_typeof('10:00'::time - '09:00'::time);
-- extract and date_part.
SELECT extract(hour FROM '04:05:06.789'::time) AS h, extract(minute FROM '04:05:06.789'::time) AS m, extract(second FROM '04:05:06.789'::time) AS s;
SELECT extract(milliseconds FROM '04:05:06.789'::time) AS ms, extract(microseconds FROM '04:05:06.789'::time) AS us, extract(epoch FROM '04:05:06.789'::time) AS ep;
SELECT date_part('hour', '04:05:06.789'::time) AS h, date_part('second', '04:05:06.789'::time) AS s, date_part('epoch', '24:00'::time) AS ep;
SELECT extract(timezone FROM '04:05:06+05:30'::timetz) AS tz, extract(timezone_hour FROM '04:05:06-05:30'::timetz) AS tzh, extract(timezone_minute FROM '04:05:06-05:30'::timetz) AS tzm;
SELECT extract(epoch FROM '04:05:06+02'::timetz) AS ep, date_part('timezone', '04:05:06+02'::timetz) AS tz, extract(hour FROM '04:05:06+02'::timetz) AS h;
SELECT extract(day FROM '04:05:06'::time);
SELECT extract(timezone FROM '04:05:06'::time);
SELECT extract(foo FROM '04:05:06'::time);
SELECT extract(year FROM '04:05:06+02'::timetz);
-- AT TIME ZONE.
SELECT '10:00+02'::timetz AT TIME ZONE 'UTC' AS to_utc, '10:00+02'::timetz AT TIME ZONE '-05:00' AS posix, '10:00+02'::timetz AT TIME ZONE INTERVAL '03:30' AS iv;
SELECT '23:00-02'::timetz AT TIME ZONE 'UTC' AS next_day_wraps, '10:00+02'::timetz AT TIME ZONE 'PST' AS abbrev;
SELECT '10:00+02'::timetz AT TIME ZONE 'Nowhere/Land';
SELECT '10:00+02'::timetz AT TIME ZONE INTERVAL '1 day';
-- make_time.
SELECT make_time(8, 15, 23.5) AS mt, make_time(24, 0, 0) AS end_of_day, make_time(0, 0, 0) AS zero;
SELECT make_time(25, 0, 0);
SELECT make_time(1, 60, 0);
SELECT make_time(1, 2, -1);
SELECT make_time(NULL, 1, 1) AS null_arg;
-- current_time and localtime (their values change; their types do not).
SELECT pg_typeof(current_time), pg_typeof(localtime), current_time IS NOT NULL AS has_time, localtime <= '24:00'::time AS bounded;
-- Arrays.
SELECT ARRAY['04:05', NULL, '23:59:59.5']::time[] AS times, '{10:00+02,11:00-03}'::timetz[] AS timetzs;
SELECT (ARRAY['04:05'::time, '05:06'::time])[2] AS elem, array_length('{10:00,11:00,12:00}'::time[], 1) AS len;
-- Tables, indexes, ORDER BY.
CREATE TABLE shifts (id int PRIMARY KEY, starts time(0), starts_tz timetz, note text);
INSERT INTO shifts VALUES (1, '08:00:00.6', '08:00+02', 'a'), (2, '06:30', '07:00+00', 'b'), (3, NULL, NULL, 'c'), (4, '23:59:59', '23:00-05', 'd'), (5, '00:00', '00:00+14', 'e');
INSERT INTO shifts VALUES (6, '99:00', NULL, 'bad');
SELECT id, starts, starts_tz FROM shifts ORDER BY starts, id;
SELECT id, starts_tz FROM shifts ORDER BY starts_tz DESC NULLS LAST, id;
CREATE INDEX shifts_starts ON shifts (starts);
CREATE INDEX shifts_starts_tz ON shifts (starts_tz);
SELECT id FROM shifts WHERE starts > '06:00' AND starts < '09:00' ORDER BY starts;
SELECT id FROM shifts WHERE starts_tz = '06:00+00'::timetz ORDER BY id;
SELECT id FROM shifts WHERE starts_tz = '08:00+02' ORDER BY id;
UPDATE shifts SET starts = starts + '1 hour' WHERE id = 2;
SELECT id, starts FROM shifts WHERE id = 2;
SELECT min(starts), max(starts), min(starts_tz), max(starts_tz) FROM shifts;
SELECT count(DISTINCT starts) FROM shifts;
DROP TABLE shifts;
-- The catalog.
SELECT oid, typname, typlen, typbyval, typcategory, typispreferred, typarray, typinput, typoutput, typreceive, typsend, typmodin, typmodout, typalign, typstorage FROM pg_type WHERE oid IN (1083, 1266, 1183, 1270) ORDER BY oid;
SELECT oid, opcname, opcfamily, opcintype, opcdefault FROM pg_opclass WHERE oid IN (10038, 10041) ORDER BY oid;
SELECT format_type(1083, 3) AS t3, format_type(1266, NULL) AS tz, format_type(1083, -1) AS t, '04:05'::time(2)::regtype AS regtype;
CREATE TABLE tcols (a time(2), b timetz(0), c time with time zone, d time[]);
SELECT attname, format_type(atttypid, atttypmod), atttypmod FROM pg_attribute WHERE attrelid = 'tcols'::regclass AND attnum > 0 ORDER BY attnum;
INSERT INTO tcols VALUES ('01:02:03.456', '01:02:03.5+01', '01:02:03.456789-02', '{01:02,03:04}');
SELECT a, b, c, d FROM tcols;
DROP TABLE tcols;
