-- Time zones: the session's TimeZone (IANA names, POSIX strings, hours),
-- timestamptz input and output in it, DST as PostgreSQL resolves it,
-- AT TIME ZONE, casts, arithmetic and date_trunc in the session's zone.
SHOW TimeZone;
SELECT '2024-03-31 01:00:00+00'::timestamptz AS utc_default;
SET TimeZone = 'Europe/Paris';
SHOW TimeZone;
SELECT current_setting('TimeZone');
SELECT '2024-03-31 01:00:00+00'::timestamptz AS after_spring_forward;
SELECT '2024-03-31 00:59:59+00'::timestamptz AS before_spring_forward;
SELECT '2024-01-15 12:00:00'::timestamptz AS winter, '2024-07-15 12:00:00'::timestamptz AS summer;
-- A local time in the spring-forward gap is read with the offset before it.
SELECT '2024-03-31 02:30:00'::timestamptz AS in_gap;
-- A local time in the fall-back fold is read with the offset after it.
SELECT '2024-10-27 02:30:00'::timestamptz AS in_fold;
SELECT '2024-10-27 00:30:00+00'::timestamptz AS first_pass, '2024-10-27 01:30:00+00'::timestamptz AS second_pass;
-- Zones named in the value: offsets, abbreviations, full names.
SELECT '2024-06-01 12:00:00+05:30'::timestamptz AS half_hour,
       '2024-06-01 12:00:00-0800'::timestamptz AS hhmm,
       '2024-06-01T12:00:00Z'::timestamptz AS zulu,
       '2024-06-01 12:00:00 UTC'::timestamptz AS utc_word;
SELECT '2024-06-01 12:00:00 EST'::timestamptz AS est, '2024-06-01 12:00:00 PDT'::timestamptz AS pdt,
       '2024-06-01 12:00:00 CEST'::timestamptz AS cest, '2024-06-01 12:00:00 jst'::timestamptz AS jst;
SELECT '2024-01-01 12:00:00 America/New_York'::timestamptz AS ny_winter,
       '2024-07-01 12:00:00 America/New_York'::timestamptz AS ny_summer,
       '2024-07-01 12:00:00 asia/tokyo'::timestamptz AS tokyo;
SELECT '2024-03-10 02:30:00 America/New_York'::timestamptz AS ny_gap;
-- A zone in timestamp (without time zone) input is ignored.
SELECT '2024-06-01 12:00:00+05'::timestamp AS ignored_zone;
-- Historic offsets with minutes and seconds (Paris mean time).
SELECT '1900-01-01 00:00:00+00'::timestamptz AS lmt;
SELECT '2024-06-01 12:00:00 BC'::timestamptz AS bc;
SELECT 'infinity'::timestamptz, '-infinity'::timestamptz;
SELECT 'epoch'::timestamptz AS epoch;
SELECT NULL::timestamptz AS null_tz;
-- Bad zones.
SELECT '2024-06-01 12:00:00 Mars/Olympus_Mons'::timestamptz;
SELECT '2024-06-01 12:00:00 Nowhere'::timestamptz;
SELECT '2024-06-01 12:00:00 +99'::timestamptz;
SET TimeZone = 'Mars/Olympus_Mons';
SHOW TimeZone;
-- Casts in the session's zone.
SELECT '2024-03-31 01:30:00+00'::timestamptz::timestamp AS to_local;
SELECT '2024-03-31 03:30:00'::timestamp::timestamptz AS from_local;
SELECT '2024-03-31 23:30:00+00'::timestamptz::date AS local_date;
SELECT '2024-03-31'::date::timestamptz AS local_midnight;
SELECT '2024-06-01 12:00:00'::timestamp = '2024-06-01 10:00:00+00'::timestamptz AS cross_type_eq;
SELECT '2024-06-01 12:00:00+02'::timestamptz::text AS as_text;
-- AT TIME ZONE both ways, with names, abbreviations and intervals.
SELECT '2024-06-01 12:00:00+00'::timestamptz AT TIME ZONE 'America/New_York' AS ny_wall;
SELECT '2024-01-01 12:00:00+00'::timestamptz AT TIME ZONE 'Asia/Kolkata' AS kolkata_wall;
SELECT '2024-06-01 12:00:00'::timestamp AT TIME ZONE 'America/New_York' AS ny_instant;
SELECT '2024-06-01 12:00:00'::timestamp AT TIME ZONE 'UTC' AS utc_instant;
SELECT '2024-06-01 12:00:00+00'::timestamptz AT TIME ZONE 'PST' AS pst_wall;
SELECT '2024-06-01 12:00:00+00'::timestamptz AT TIME ZONE INTERVAL '05:30' AS interval_wall;
SELECT '2024-06-01 12:00:00'::timestamp AT TIME ZONE INTERVAL '-03:00' AS interval_instant;
SELECT '2024-03-31 02:30:00'::timestamp AT TIME ZONE 'Europe/Paris' AS gap_instant;
SELECT '2024-10-27 02:30:00'::timestamp AT TIME ZONE 'Europe/Paris' AS fold_instant;
SELECT timezone('Europe/London', '2024-06-01 12:00:00+00'::timestamptz) AS london;
SELECT '2024-06-01 12:00:00+00'::timestamptz AT TIME ZONE 'UTC', timezone('UTC', '2024-06-01 12:00:00'::timestamp);
SELECT ('2024-06-01 12:00:00+00'::timestamptz AT TIME ZONE 'UTC') AT TIME ZONE 'UTC' AS round_trip;
SELECT NULL::timestamptz AT TIME ZONE 'UTC' AS null_at, '2024-06-01'::timestamptz AT TIME ZONE NULL AS null_zone;
SELECT 'infinity'::timestamptz AT TIME ZONE 'UTC' AS inf_at;
SELECT '2024-06-01 12:00:00+00'::timestamptz AT TIME ZONE 'Nowhere/Land';
SELECT '2024-06-01 12:00:00+00'::timestamptz AT TIME ZONE INTERVAL '1 day';
-- Arithmetic: a day across the DST change is 23 hours of time.
SELECT '2024-03-30 12:00:00+01'::timestamptz + INTERVAL '1 day' AS plus_day;
SELECT '2024-03-30 12:00:00+01'::timestamptz + INTERVAL '24 hours' AS plus_24h;
SELECT '2024-02-29 12:00:00+01'::timestamptz + INTERVAL '1 month' AS plus_month;
SELECT '2024-10-27 12:00:00+01'::timestamptz - INTERVAL '1 day' AS minus_day;
SELECT '2024-03-31 12:00:00+02'::timestamptz - '2024-03-30 12:00:00+01'::timestamptz AS diff;
-- date_trunc in the session's zone, and in a named one.
SELECT date_trunc('day', '2024-03-31 12:00:00+02'::timestamptz) AS trunc_day;
SELECT date_trunc('month', '2024-04-01 00:30:00+02'::timestamptz) AS trunc_month;
SELECT date_trunc('hour', '2024-10-27 01:30:00+00'::timestamptz) AS trunc_hour_fold;
SELECT date_trunc('week', '2024-03-31 12:00:00+02'::timestamptz) AS trunc_week;
SELECT date_trunc('year', '2024-06-01 12:00:00+02'::timestamptz) AS trunc_year;
SELECT date_trunc('day', '2024-06-01 02:00:00+00'::timestamptz, 'America/New_York') AS trunc_ny;
SELECT date_trunc('day', '2024-06-01 02:00:00+00'::timestamptz, 'Nowhere/Land');
SELECT date_trunc('fortnight', '2024-06-01 02:00:00+00'::timestamptz);
-- Fields of the local time.
SELECT extract(hour FROM '2024-06-01 12:00:00+00'::timestamptz) AS hour,
       extract(day FROM '2024-06-01 23:00:00+00'::timestamptz) AS day,
       extract(timezone FROM '2024-06-01 12:00:00+00'::timestamptz) AS tz,
       extract(timezone_hour FROM '2024-01-01 12:00:00+00'::timestamptz) AS tz_hour,
       extract(epoch FROM '2024-06-01 12:00:00+00'::timestamptz) AS epoch;
SELECT date_part('hour', '2024-06-01 12:00:00+00'::timestamptz) AS part_hour;
SELECT extract(timezone FROM '2024-06-01 12:00:00'::timestamp);
-- now() and friends are instants, shown in the zone.
SELECT now() = current_timestamp AS same_now, now() = transaction_timestamp() AS same_xact;
SELECT now()::date = current_date AS local_today, localtimestamp = now()::timestamp AS local_now;
SELECT 'now'::timestamptz = now() AS now_literal;
SELECT 'today'::timestamptz = date_trunc('day', now()) AS today_literal;
SELECT 'today'::date = current_date AS today_date;
-- Other zones.
SET TIME ZONE 'America/New_York';
SHOW TimeZone;
SELECT '2024-03-10 07:00:00+00'::timestamptz AS ny_after, '2024-03-10 06:59:59+00'::timestamptz AS ny_before;
SELECT '2024-11-03 01:30:00'::timestamptz AS ny_fold;
SET TIME ZONE 'Asia/Kolkata';
SELECT '2024-06-01 12:00:00+00'::timestamptz AS kolkata;
SET TIME ZONE -7;
SHOW TimeZone;
SELECT '2024-06-01 12:00:00+00'::timestamptz AS minus_seven;
SET TIME ZONE 5.5;
SHOW TimeZone;
SELECT '2024-06-01 12:00:00+00'::timestamptz AS plus_five_thirty;
SET TIME ZONE INTERVAL '+03:00' HOUR TO MINUTE;
SHOW TimeZone;
SELECT '2024-06-01 12:00:00+00'::timestamptz AS plus_three;
SET TIME ZONE 'UTC+3';
SHOW TimeZone;
SELECT '2024-06-01 12:00:00+00'::timestamptz AS posix_west;
SET TimeZone = 'europe/berlin';
SHOW TimeZone;
SET TimeZone TO 'Australia/Lord_Howe';
SELECT '2024-01-01 00:00:00+00'::timestamptz AS lord_howe_summer, '2024-07-01 00:00:00+00'::timestamptz AS lord_howe_winter;
-- SET LOCAL lasts to the end of the transaction.
SET TimeZone = 'UTC';
BEGIN;
SET LOCAL TimeZone = 'Asia/Tokyo';
SELECT '2024-06-01 00:00:00+00'::timestamptz AS in_tokyo;
COMMIT;
SELECT '2024-06-01 00:00:00+00'::timestamptz AS back_in_utc;
SET TIME ZONE LOCAL;
SHOW TimeZone;
SET TimeZone = 'Europe/Paris';
RESET TimeZone;
SHOW TimeZone;
-- Stored values are instants: they show in the zone of the reader.
CREATE TABLE events (id int PRIMARY KEY, at timestamptz, local_at timestamp);
INSERT INTO events VALUES (1, '2024-03-31 01:30:00+00', '2024-03-31 01:30:00'), (2, '2024-10-27 00:30:00+00', '2024-10-27 02:30:00'), (3, NULL, NULL);
SET TimeZone = 'Europe/Paris';
SELECT id, at, local_at, at::timestamp AS at_local, local_at::timestamptz AS local_as_tz FROM events ORDER BY id;
SELECT id FROM events WHERE at > '2024-03-31 03:00:00' ORDER BY id;
CREATE INDEX events_at ON events (at);
SELECT id FROM events WHERE at = '2024-10-27 02:30:00+02' ORDER BY id;
SELECT count(*) FROM events WHERE at::date = '2024-03-31';
DROP TABLE events;
