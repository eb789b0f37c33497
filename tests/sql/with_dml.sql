-- Data-modifying statements in WITH: INSERT, UPDATE and DELETE with
-- RETURNING feeding the main query (a SELECT, INSERT, UPDATE or DELETE);
-- each runs once and to completion, whether or not its rows are read, and
-- every part of the statement sees the same snapshot (none sees another's
-- changes); errors.
CREATE TABLE wd (id int PRIMARY KEY, grp text, v numeric(8,2));
CREATE TABLE wd_arch (id int, grp text, v numeric(8,2), note text DEFAULT 'archived');
CREATE TABLE wd_log (n serial, what text, k int);
INSERT INTO wd VALUES (1, 'a', 10), (2, 'a', 20.5), (3, 'b', NULL), (4, 'c', 7), (5, NULL, 1), (6, 'b', 6);
-- DELETE ... RETURNING into INSERT.
WITH d AS (DELETE FROM wd WHERE grp = 'a' RETURNING *) INSERT INTO wd_arch (id, grp, v) SELECT * FROM d;
SELECT * FROM wd ORDER BY id;
SELECT * FROM wd_arch ORDER BY id;
-- UPDATE ... RETURNING read by a SELECT.
WITH u AS (UPDATE wd SET v = v * 2 WHERE grp = 'b' RETURNING id, v AS new_v) SELECT * FROM u ORDER BY id;
WITH u AS (UPDATE wd SET v = coalesce(v, 0) + 1 WHERE id > 3 RETURNING id, v) SELECT count(*), sum(v) FROM u;
SELECT * FROM wd ORDER BY id;
-- INSERT ... RETURNING read by a SELECT; a serial default.
WITH i AS (INSERT INTO wd_log (what, k) VALUES ('x', 1), ('y', 2) RETURNING n, what) SELECT * FROM i ORDER BY n;
WITH i AS (INSERT INTO wd VALUES (10, 'z', 100), (11, 'z', NULL) RETURNING id) SELECT id * 2 AS twice FROM i ORDER BY 1;
SELECT * FROM wd_log ORDER BY n;
-- The main query does not see the WITH queries' changes.
WITH d AS (DELETE FROM wd WHERE id = 10 RETURNING id) SELECT id FROM wd ORDER BY id;
SELECT id FROM wd ORDER BY id;
WITH i AS (INSERT INTO wd VALUES (12, 'z', 12) RETURNING id) SELECT count(*) FROM wd;
SELECT count(*) FROM wd;
WITH u AS (UPDATE wd SET v = -1 WHERE id = 12 RETURNING v) SELECT (SELECT v FROM wd WHERE id = 12) AS seen, (SELECT v FROM u) AS returned;
SELECT v FROM wd WHERE id = 12;
-- Siblings do not see each other's changes.
WITH a AS (INSERT INTO wd VALUES (20, 'q', 1) RETURNING id), b AS (SELECT count(*) AS c FROM wd WHERE id = 20) SELECT (SELECT c FROM b), (SELECT id FROM a);
WITH a AS (DELETE FROM wd WHERE id = 20 RETURNING id), b AS (UPDATE wd SET v = 99 WHERE id = 20 RETURNING id) SELECT (SELECT count(*) FROM a) AS deleted, (SELECT count(*) FROM b) AS updated;
SELECT * FROM wd WHERE id = 20;
-- Run to completion whether or not (or how far) their rows are read.
WITH d AS (DELETE FROM wd WHERE grp = 'z' RETURNING *) SELECT 1 AS one;
SELECT * FROM wd WHERE grp = 'z';
INSERT INTO wd VALUES (30, 'm', 1), (31, 'm', 2), (32, 'm', 3);
WITH d AS (DELETE FROM wd WHERE grp = 'm' RETURNING id) SELECT id FROM d ORDER BY id LIMIT 1;
SELECT count(*) FROM wd WHERE grp = 'm';
WITH d AS (DELETE FROM wd WHERE id = 999) SELECT 'no rows deleted' AS r;
WITH d AS (UPDATE wd SET v = v WHERE false RETURNING *) SELECT * FROM d;
-- Read more than once: the same rows each time.
INSERT INTO wd VALUES (40, 'r', 4), (41, 'r', 5);
WITH d AS (DELETE FROM wd WHERE grp = 'r' RETURNING id, v) SELECT x.id, y.v FROM d x JOIN d y ON x.id = y.id ORDER BY 1;
WITH d AS (INSERT INTO wd VALUES (42, 'r', 42) RETURNING id) SELECT id FROM d UNION ALL SELECT id + 1 FROM d ORDER BY 1;
-- Column aliases, expressions in RETURNING, other WITH queries.
WITH d(k, w) AS (UPDATE wd SET v = v + 1 WHERE id = 42 RETURNING id, v * 10) SELECT k, w FROM d;
WITH src AS (SELECT id FROM wd WHERE grp = 'b'), u AS (UPDATE wd SET grp = 'bb' WHERE id IN (SELECT id FROM src) RETURNING id, grp) SELECT * FROM u ORDER BY id;
WITH i AS (INSERT INTO wd_log (what, k) SELECT 'copy', id FROM wd WHERE grp = 'bb' RETURNING what, k) SELECT what, count(*), sum(k) FROM i GROUP BY what;
-- A data-modifying WITH query reading an earlier one's RETURNING rows.
WITH a AS (UPDATE wd SET v = v + 100 WHERE id = 42 RETURNING id, v), b AS (INSERT INTO wd_log (what, k) SELECT 'bumped', id FROM a RETURNING what, k) SELECT a.v, b.what FROM a JOIN b ON a.id = b.k;
-- Prepared: runs on each execution.
PREPARE wd_p(int) AS WITH i AS (INSERT INTO wd_log (what, k) VALUES ('prep', $1) RETURNING k) SELECT k * 10 AS k10 FROM i;
EXECUTE wd_p(7);
EXECUTE wd_p(8);
SELECT what, k FROM wd_log WHERE what IN ('prep', 'bumped') ORDER BY k;
DEALLOCATE wd_p;
-- The main statement an UPDATE or DELETE.
WITH ids AS (DELETE FROM wd_log WHERE what = 'copy' RETURNING k) UPDATE wd SET v = 0 WHERE id IN (SELECT k FROM ids) RETURNING id, v;
WITH a AS (INSERT INTO wd_arch (id, grp) VALUES (100, 'n') RETURNING id) DELETE FROM wd_arch WHERE id IN (SELECT id FROM a) RETURNING id;
SELECT id, grp, note FROM wd_arch ORDER BY id;
WITH moved AS (DELETE FROM wd WHERE grp = 'bb' RETURNING id, grp, v) INSERT INTO wd_arch SELECT id, grp, v, 'moved' FROM moved RETURNING id, note;
SELECT * FROM wd_arch ORDER BY id, note;
WITH x AS (SELECT 4 AS id) DELETE FROM wd WHERE id IN (SELECT id FROM x) RETURNING *;
WITH x AS (SELECT 5 AS id, 'five' AS g) UPDATE wd SET grp = x.g FROM x WHERE wd.id = x.id RETURNING wd.*;
WITH x AS (SELECT 50 AS id) INSERT INTO wd SELECT id, 'w', 0 FROM x;
-- ON CONFLICT inside WITH.
WITH i AS (INSERT INTO wd VALUES (50, 'dup', 1), (51, 'new', 2) ON CONFLICT (id) DO UPDATE SET grp = excluded.grp RETURNING id, grp) SELECT * FROM i ORDER BY id;
WITH i AS (INSERT INTO wd VALUES (50, 'again', 1) ON CONFLICT DO NOTHING RETURNING id) SELECT count(*) FROM i;
SELECT * FROM wd ORDER BY id;
-- Types and NULLs through RETURNING.
WITH u AS (UPDATE wd SET v = NULL WHERE id = 51 RETURNING v, grp || '!' AS g, id::text AS t) SELECT v, g, t, v IS NULL AS n FROM u;
-- In a transaction: the next statement sees the changes; rollback undoes them.
BEGIN;
WITH d AS (DELETE FROM wd WHERE id = 50 RETURNING id) SELECT * FROM d;
SELECT count(*) FROM wd WHERE id = 50;
ROLLBACK;
SELECT count(*) FROM wd WHERE id = 50;
-- An error in any part undoes all of them.
WITH d AS (DELETE FROM wd WHERE id = 51 RETURNING id) INSERT INTO wd VALUES (50, 'dup', 0);
SELECT count(*) FROM wd WHERE id = 51;
WITH d AS (INSERT INTO wd VALUES (60, 'x', 1) RETURNING id) SELECT 1 / 0 FROM d;
SELECT count(*) FROM wd WHERE id = 60;
-- Foreign keys are checked at the end of the whole statement: a WITH
-- query may insert a row whose referenced row the main statement inserts;
-- cascades see the statement's deletions.
create table wd_par (id int primary key);
create table wd_chi (id int references wd_par on delete cascade, note text);
with p as (insert into wd_par values (1), (2) returning id) insert into wd_chi select id, 'c' || id from p;
with c as (insert into wd_chi values (5, 'early') returning id) insert into wd_par values (5);
with c as (insert into wd_chi values (6, 'orphan') returning id) select count(*) from c;
with d as (delete from wd_par where id = 1 returning id) select id, (select count(*) from wd_chi) from d;
select * from wd_chi order by id;
with d as (delete from wd_chi where id = 2 returning id) delete from wd_par where id in (select id from d) returning id;
select * from wd_par order by id;
select * from wd_chi order by id;
-- Errors.
WITH d AS (DELETE FROM wd WHERE id = 1) SELECT * FROM d;
INSERT INTO wd_arch WITH d AS (DELETE FROM wd WHERE id = 51 RETURNING *) SELECT *, 'x' FROM d;
SELECT * FROM (WITH d AS (DELETE FROM wd WHERE id = 51 RETURNING *) SELECT * FROM d) s;
SELECT (WITH d AS (DELETE FROM wd WHERE id = 51 RETURNING id) SELECT id FROM d);
WITH a AS (WITH d AS (DELETE FROM wd WHERE id = 51 RETURNING *) SELECT * FROM d) SELECT * FROM a;
WITH d(a, b, c, e) AS (DELETE FROM wd WHERE id = 51 RETURNING id, v) SELECT * FROM d;
WITH d AS (DELETE FROM nosuch RETURNING *) SELECT * FROM d;
WITH d AS (UPDATE wd SET nosuch = 1 RETURNING *) SELECT * FROM d;
WITH d AS (DELETE FROM wd RETURNING *), d AS (SELECT 1) SELECT * FROM d;
CREATE VIEW wd_v AS WITH d AS (DELETE FROM wd RETURNING *) SELECT * FROM d;
SELECT count(*) FROM wd;
