-- to_char of timestamp, timestamptz, date and interval: every pattern,
-- FM and TH, quoted text and escapes, BC years, ISO weeks, time zones.
SET TimeZone = 'UTC';
SELECT to_char(timestamp '2024-05-07 14:03:09.123456', 'YYYY-MM-DD HH24:MI:SS.US'), to_char(timestamp '2024-05-07 14:03:09.123456', 'HH:MI:SS AM MS FF1 FF3 FF6 SSSS');
SELECT to_char(timestamp '2024-05-07 00:03:09', 'HH12 am a.m. PM P.M.'), to_char(timestamp '2024-05-07 12:03:09', 'hh12 pm p.m. AM A.M.');
SELECT to_char(timestamp '2024-05-07 14:03:09', 'Month month MONTH Mon mon MON'), to_char(timestamp '2024-05-07', 'FMMonth FMDay');
SELECT to_char(timestamp '2024-05-07', 'Day day DAY Dy dy DY D ID'), to_char(timestamp '2024-12-30', 'IYYY IYY IY I IW IDDD');
SELECT to_char(timestamp '2024-05-07', 'DDD DD WW W J Q CC RM rm'), to_char(timestamp '2021-01-03', 'IYYY-IW-ID WW');
SELECT to_char(timestamp '2024-05-01', 'DDth DDTH FMDDth Mth'), to_char(timestamp '2024-05-02', 'FMDDth'), to_char(timestamp '2024-05-03', 'FMDDth'), to_char(timestamp '2024-05-11', 'FMDDth'), to_char(timestamp '2024-05-22', 'FMDDTH');
SELECT to_char(timestamp '2024-05-07 14:03:09', '"Today is" Day, "the" FMDDth "of" FMMonth'), to_char(timestamp '2024-05-07', 'YYYY\\MM "a\"b" \"x\"');
SELECT to_char(timestamp '2024-05-07', 'Y,YYY YYYY YYY YY Y'), to_char(timestamp '0044-03-15 BC', 'YYYY BC bc B.C. AD CC'), to_char(timestamp '2024-05-07', 'AD ad A.D. a.d.');
SELECT to_char(timestamp '12345-01-01', 'YYYY Y,YYY'), to_char(timestamp '0005-01-01', 'YYYY FMYYYY CC');
SELECT to_char(timestamptz '2024-05-07 14:03:09+00', 'YYYY-MM-DD HH24:MI:SS TZ tz TZH:TZM OF');
SET TimeZone = 'Asia/Kolkata';
SELECT to_char(timestamptz '2024-05-07 14:03:09+00', 'YYYY-MM-DD HH24:MI:SS TZH TZM OF');
SET TimeZone = 'America/New_York';
SELECT to_char(timestamptz '2024-01-07 14:03:09+00', 'HH24:MI TZ OF'), to_char(timestamptz '2024-07-07 14:03:09+00', 'HH24:MI TZ OF');
SELECT to_char(timestamp '2024-07-07 14:03:09', 'HH24:MI TZ OF|');
SET TimeZone = 'UTC';
SELECT to_char(date '2024-02-29', 'YYYY/MM/DD Day'), to_char(now(), 'YYYY') = extract(year FROM now())::text;
SELECT to_char(interval '15 hours 2 minutes 12 seconds', 'HH24:MI:SS'), to_char(interval '1 year 2 months 3 days 04:05:06.7', 'YYYY MM DD HH24 MI SS MS');
SELECT to_char(interval '40 hours', 'HH24 HH12 HH'), to_char(interval '-3 hours -5 minutes', 'HH24:MI'), to_char(interval '2 months', 'MM RM');
SELECT to_char(interval '2 months', 'Mon');
SELECT to_char(interval '-2 years -3 months', 'YYYY MM'), to_char(interval '1 day', '');
SELECT to_char(interval '1 day', 'Day');
SELECT to_char(NULL::timestamp, 'YYYY'), to_char(timestamp '2024-05-07', NULL), to_char(timestamp '2024-05-07', '');
SELECT to_char(timestamp 'infinity', 'YYYY');
