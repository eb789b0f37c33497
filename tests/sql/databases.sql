-- CREATE, DROP and ALTER DATABASE: options and errors as PostgreSQL 15.
-- Unrecognized and repeated options (42601).
CREATE DATABASE dbx foo 1;
CREATE DATABASE dbx WITH foo = 1;
CREATE DATABASE dbx OWNER x OWNER y;
CREATE DATABASE dbx CONNECTION LIMIT 1 CONNECTION LIMIT 2;
-- A missing template (3D000), role (42704), tablespace (42704).
CREATE DATABASE dbx TEMPLATE nosuch;
CREATE DATABASE dbx OWNER nosuchrole;
CREATE DATABASE dbx TABLESPACE nosuch;
-- Encodings: invalid names and codes (42704); another encoding than the
-- template's (22023).
CREATE DATABASE dbx ENCODING 'nonsense';
CREATE DATABASE dbx ENCODING 99;
CREATE DATABASE dbx ENCODING 'LATIN1';
-- Locales: invalid (42809).
CREATE DATABASE dbx LC_COLLATE 'xx';
CREATE DATABASE dbx LOCALE_PROVIDER bogus;
CREATE DATABASE dbx LOCALE_PROVIDER icu;
CREATE DATABASE dbx ICU_LOCALE 'en';
-- Bad values (22023, 42601).
CREATE DATABASE dbx CONNECTION LIMIT -5;
CREATE DATABASE dbx CONNECTION LIMIT 'abc';
CREATE DATABASE dbx IS_TEMPLATE maybe;
CREATE DATABASE dbx ALLOW_CONNECTIONS 'x';
CREATE DATABASE dbx STRATEGY bogus;
CREATE DATABASE dbx OID 5;
CREATE DATABASE "";
-- Existing names (42P04).
CREATE DATABASE postgres;
CREATE DATABASE template1;
-- Not in a transaction block (25001).
BEGIN;
CREATE DATABASE dbx;
ROLLBACK;
BEGIN;
DROP DATABASE IF EXISTS dbx;
ROLLBACK;
-- A database made with every option, seen in pg_database, then dropped.
CREATE DATABASE dbx WITH TEMPLATE = template0 ENCODING 'UTF8' LC_COLLATE 'C' LC_CTYPE 'C' CONNECTION LIMIT 3 IS_TEMPLATE false ALLOW_CONNECTIONS true STRATEGY file_copy TABLESPACE pg_default;
CREATE DATABASE dby TEMPLATE template0 LOCALE 'C' STRATEGY wal_log;
SELECT datname, encoding, datistemplate, datallowconn, datconnlimit, datcollate, datctype, datacl IS NULL AS no_acl FROM pg_database WHERE datname IN ('dbx', 'dby') ORDER BY 1;
SELECT pg_database_size('dbx') > 0, pg_database_size(0::oid);
SELECT pg_database_size('nosuch');
CREATE DATABASE dbx;
-- ALTER DATABASE.
ALTER DATABASE dbx WITH CONNECTION LIMIT 10 IS_TEMPLATE true;
ALTER DATABASE dbx ALLOW_CONNECTIONS false;
SELECT datname, datistemplate, datallowconn, datconnlimit FROM pg_database WHERE datname = 'dbx';
ALTER DATABASE dbx WITH CONNECTION LIMIT -3;
ALTER DATABASE dbx WITH foo 1;
ALTER DATABASE dbx WITH OWNER x;
ALTER DATABASE dbx WITH IS_TEMPLATE true IS_TEMPLATE false;
ALTER DATABASE nosuch CONNECTION LIMIT 1;
ALTER DATABASE nosuch RENAME TO x;
ALTER DATABASE dbx RENAME TO dby;
ALTER DATABASE dbx OWNER TO nosuchrole;
ALTER DATABASE nosuch OWNER TO nosuchrole;
-- A template database cannot be dropped (42809) until it is not one.
DROP DATABASE dbx;
ALTER DATABASE dbx IS_TEMPLATE false;
ALTER DATABASE dbx RENAME TO dbz;
SELECT datname FROM pg_database WHERE datname LIKE 'db_' ORDER BY 1;
-- DROP DATABASE.
DROP DATABASE dbz;
DROP DATABASE dby WITH (FORCE);
DROP DATABASE nosuch;
DROP DATABASE IF EXISTS nosuch;
DROP DATABASE template1;
DROP DATABASE template0;
DROP DATABASE dbx WITH (foo);
SELECT datname FROM pg_database WHERE datname LIKE 'db_' ORDER BY 1;
-- The initdb databases.
SELECT oid, datname, encoding, datlocprovider, datistemplate, datallowconn, datconnlimit, dattablespace, daticulocale, datcollversion, array_length(datacl, 1) FROM pg_database WHERE datname IN ('postgres', 'template0', 'template1') ORDER BY 1;
SELECT has_database_privilege('postgres', 'connect'), has_database_privilege('nosuch', 'connect');
