-- interval type modifiers: fields ranges and fractional precision on
-- literals, casts and columns (rounding on input), format_type and \d.
SELECT INTERVAL '1 day 2:03:04' MINUTE TO SECOND;
SELECT INTERVAL '1 year 2 months 3 days 04:05:06.789' YEAR;
SELECT INTERVAL '1 year 2 months 3 days 04:05:06.789' MONTH;
SELECT INTERVAL '1 year 2 months 3 days 04:05:06.789' YEAR TO MONTH;
SELECT INTERVAL '1 year 2 months 3 days 04:05:06.789' DAY;
SELECT INTERVAL '1 year 2 months 3 days 04:05:06.789' HOUR;
SELECT INTERVAL '1 year 2 months 3 days 04:05:06.789' MINUTE;
SELECT INTERVAL '1 year 2 months 3 days 04:05:06.789' DAY TO HOUR;
SELECT INTERVAL '1 year 2 months 3 days 04:05:06.789' DAY TO MINUTE;
SELECT INTERVAL '1 year 2 months 3 days 04:05:06.789' HOUR TO MINUTE;
SELECT INTERVAL '1 year 2 months 3 days 04:05:06.789' HOUR TO SECOND;
SELECT INTERVAL '1 year 2 months 3 days 04:05:06.789' DAY TO SECOND;
SELECT '1.23456 s'::interval(3), '-1.23456 s'::interval(2), '1.5 s'::interval(0), '1.23456789 s'::interval(6);
SELECT '04:05:06.789'::interval hour to minute, '04:05:06.789'::interval second(1);
SELECT CAST('3 days 04:05:06' AS interval day), NULL::interval hour;
CREATE TABLE ivt (a interval hour to minute, b interval(2), c interval year, d interval minute to second(1), e interval);
INSERT INTO ivt VALUES ('1 day 04:05:06.789', '1.23456 s', '3 years 5 months 2 days', '01:02:03.456', '1.23456 s');
INSERT INTO ivt VALUES (NULL, NULL, NULL, NULL, NULL);
SELECT * FROM ivt;
UPDATE ivt SET b = b + '0.005 s' WHERE b IS NOT NULL RETURNING b;
SELECT attname, format_type(atttypid, atttypmod), atttypmod FROM pg_attribute
  WHERE attrelid = 'ivt'::regclass AND attnum > 0 ORDER BY attnum;
SELECT format_type('interval'::regtype, NULL), format_type('interval'::regtype, -1);
SELECT pg_typeof(INTERVAL '1' HOUR), INTERVAL '2' HOUR, INTERVAL '90' MINUTE;
SELECT INTERVAL '1:2' MINUTE TO SECOND, INTERVAL '1:2' HOUR TO MINUTE, INTERVAL '5' YEAR, INTERVAL '1 2' DAY TO HOUR;
SELECT INTERVAL '-1:30.5' MINUTE TO SECOND, INTERVAL '3 4' YEAR TO MONTH, INTERVAL '2 days 3' DAY TO HOUR;
SELECT INTERVAL 'nonsense' HOUR;
