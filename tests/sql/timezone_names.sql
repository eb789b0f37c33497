-- pg_timezone_names: every zone of the system's tz database (and its
-- posix/ copies, as PostgreSQL lists every zone file of the directory),
-- with the abbreviation, offset and DST flag in force now.
SELECT count(*), count(*) FILTER (WHERE name LIKE 'posix/%') FROM pg_timezone_names;
SELECT md5(string_agg(name || ' ' || abbrev || ' ' || utc_offset || ' ' || is_dst, ',' ORDER BY name)) FROM pg_timezone_names;
SELECT * FROM pg_timezone_names WHERE name IN ('UTC', 'Asia/Kolkata', 'America/Sao_Paulo', 'Etc/GMT+5', 'Factory', 'posix/Europe/Paris', 'Australia/Eucla', 'Pacific/Chatham') ORDER BY name;
SELECT name FROM pg_timezone_names WHERE utc_offset = '05:30' AND name NOT LIKE 'posix/%' ORDER BY 1;
SELECT count(*) FROM pg_timezone_names WHERE name LIKE 'Europe/%' AND is_dst;
SELECT name, abbrev FROM pg_timezone_names WHERE name LIKE 'Etc/GMT-1%' ORDER BY 1;
SELECT pg_typeof(name), pg_typeof(abbrev), pg_typeof(utc_offset), pg_typeof(is_dst) FROM pg_timezone_names LIMIT 1;
SELECT attname, atttypid::regtype FROM pg_attribute WHERE attrelid = 'pg_timezone_names'::regclass ORDER BY attnum;
SELECT 'pg_timezone_names'::regclass::oid, relkind FROM pg_class WHERE relname = 'pg_timezone_names';
SELECT count(*) FROM pg_timezone_names WHERE name = current_setting('TimeZone');
SELECT n.name, (now() AT TIME ZONE n.name) - (now() AT TIME ZONE 'UTC') = n.utc_offset FROM pg_timezone_names n WHERE n.name IN ('Asia/Kolkata', 'Europe/Paris', 'America/New_York') ORDER BY 1;
