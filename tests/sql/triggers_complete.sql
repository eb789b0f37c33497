-- Triggers as the catalogs show them (pg_trigger's columns,
-- pg_get_triggerdef plain and pretty, relhastriggers, the query psql's
-- \d sends for its "Triggers:" sections), ALTER TABLE ENABLE/DISABLE
-- TRIGGER, and triggers fired by UPDATE ... FROM, DELETE ... USING,
-- INSERT ... ON CONFLICT DO UPDATE (INSERT's and UPDATE's, in
-- PostgreSQL's order) and TRUNCATE; DROP TABLE drops its triggers.
CREATE TABLE docs (id int PRIMARY KEY, body text, version int);
CREATE TABLE log (n serial, msg text);
CREATE FUNCTION note() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN INSERT INTO log (msg) VALUES (TG_NAME || ' ' || TG_WHEN || ' ' || TG_LEVEL || ' ' || TG_OP || coalesce(' old=' || OLD.id, '') || coalesce(' new=' || NEW.id || ':' || NEW.body, '')); IF TG_OP = 'DELETE' THEN RETURN OLD; END IF; RETURN NEW; END $$;
SELECT relhastriggers FROM pg_class WHERE relname = 'docs';
CREATE TRIGGER docs_bump BEFORE INSERT OR UPDATE ON docs FOR EACH ROW EXECUTE FUNCTION note('writer', 'it''s', '');
CREATE TRIGGER docs_of AFTER UPDATE OF body, version ON docs FOR EACH ROW WHEN (NEW.body IS DISTINCT FROM OLD.body AND new.version > 1) EXECUTE FUNCTION note();
CREATE TRIGGER docs_st AFTER DELETE OR TRUNCATE ON docs FOR EACH STATEMENT EXECUTE FUNCTION note();
CREATE TRIGGER "Docs Q" BEFORE DELETE ON docs FOR EACH ROW WHEN (old.id = 1) EXECUTE PROCEDURE note(1, 2.5, x);
SELECT relhastriggers FROM pg_class WHERE relname = 'docs';
SELECT t.tgrelid = 'docs'::regclass, t.tgparentid, t.tgname, p.proname, t.tgtype, t.tgenabled, t.tgisinternal,
       t.tgconstrrelid, t.tgconstrindid, t.tgconstraint, t.tgdeferrable, t.tginitdeferred, t.tgnargs,
       t.tgattr, t.tgargs, t.tgqual IS NOT NULL, t.tgoldtable, t.tgnewtable
  FROM pg_trigger t JOIN pg_proc p ON p.oid = t.tgfoid ORDER BY t.tgname;
SELECT tgname, pg_get_triggerdef(oid), pg_get_triggerdef(oid, true), pg_get_triggerdef(oid, false) FROM pg_trigger ORDER BY tgname;
SELECT pg_get_triggerdef(0), pg_get_triggerdef(NULL);
-- ENABLE / DISABLE.
ALTER TABLE docs DISABLE TRIGGER docs_st;
ALTER TABLE docs ENABLE ALWAYS TRIGGER docs_of;
ALTER TABLE docs ENABLE REPLICA TRIGGER "Docs Q";
SELECT tgname, tgenabled FROM pg_trigger ORDER BY tgname;
ALTER TABLE docs DISABLE TRIGGER nosuch;
ALTER TABLE docs DISABLE TRIGGER ALL;
SELECT tgname, tgenabled FROM pg_trigger ORDER BY tgname;
INSERT INTO docs VALUES (1, 'a', 1);
SELECT count(*) FROM log;
ALTER TABLE docs ENABLE TRIGGER USER;
SELECT tgname, tgenabled FROM pg_trigger ORDER BY tgname;
-- The query psql's \d docs sends.
SELECT t.tgname, pg_catalog.pg_get_triggerdef(t.oid, true), t.tgenabled, t.tgisinternal
FROM pg_catalog.pg_trigger t
WHERE t.tgrelid = 'docs'::regclass AND (NOT t.tgisinternal OR (t.tgisinternal AND t.tgenabled = 'D'))
ORDER BY 1;
-- Plain DML.
INSERT INTO docs VALUES (2, 'b', 1), (3, 'c', 1);
UPDATE docs SET body = 'bb', version = 2 WHERE id = 2;
UPDATE docs SET body = 'bb', version = 3 WHERE id = 2;
DELETE FROM docs WHERE id = 3;
SELECT msg FROM log ORDER BY n;
DELETE FROM log;
-- UPDATE ... FROM and DELETE ... USING.
CREATE TABLE src (id int, body text);
INSERT INTO src VALUES (1, 'from-1'), (2, 'from-2'), (9, 'none');
UPDATE docs SET body = src.body, version = docs.version + 5 FROM src WHERE src.id = docs.id;
SELECT * FROM docs ORDER BY id;
DELETE FROM docs USING src WHERE src.id = docs.id AND src.body = 'from-1';
SELECT * FROM docs ORDER BY id;
SELECT msg FROM log ORDER BY n;
DELETE FROM log;
-- INSERT ... ON CONFLICT DO UPDATE: INSERT's BEFORE ROW, then UPDATE's.
CREATE TABLE kv (k int PRIMARY KEY, v text);
CREATE FUNCTION kvnote() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN INSERT INTO log (msg) VALUES (TG_NAME || ' ' || TG_WHEN || ' ' || TG_LEVEL || ' ' || TG_OP || coalesce(' old=' || OLD.k || ':' || OLD.v, '') || coalesce(' new=' || NEW.k || ':' || NEW.v, '')); IF TG_OP = 'DELETE' THEN RETURN OLD; END IF; RETURN NEW; END $$;
CREATE TRIGGER a_bi BEFORE INSERT ON kv FOR EACH ROW EXECUTE FUNCTION kvnote();
CREATE TRIGGER b_bu BEFORE UPDATE ON kv FOR EACH ROW EXECUTE FUNCTION kvnote();
CREATE TRIGGER c_ai AFTER INSERT ON kv FOR EACH ROW EXECUTE FUNCTION kvnote();
CREATE TRIGGER d_au AFTER UPDATE ON kv FOR EACH ROW EXECUTE FUNCTION kvnote();
CREATE TRIGGER e_bis BEFORE INSERT ON kv FOR EACH STATEMENT EXECUTE FUNCTION kvnote();
CREATE TRIGGER f_bus BEFORE UPDATE ON kv FOR EACH STATEMENT EXECUTE FUNCTION kvnote();
CREATE TRIGGER g_ais AFTER INSERT ON kv FOR EACH STATEMENT EXECUTE FUNCTION kvnote();
CREATE TRIGGER h_aus AFTER UPDATE ON kv FOR EACH STATEMENT EXECUTE FUNCTION kvnote();
INSERT INTO kv VALUES (1, 'one');
SELECT msg FROM log ORDER BY n;
DELETE FROM log;
INSERT INTO kv VALUES (1, 'uno'), (2, 'two') ON CONFLICT (k) DO UPDATE SET v = EXCLUDED.v || '!';
SELECT msg FROM log ORDER BY n;
DELETE FROM log;
INSERT INTO kv VALUES (1, 'x') ON CONFLICT (k) DO NOTHING;
SELECT msg FROM log ORDER BY n;
DELETE FROM log;
SELECT * FROM kv ORDER BY k;
-- A BEFORE UPDATE trigger returning NULL skips the conflict's update.
CREATE FUNCTION skip_upd() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NULL; END $$;
CREATE TRIGGER a_skip BEFORE UPDATE ON kv FOR EACH ROW EXECUTE FUNCTION skip_upd();
INSERT INTO kv VALUES (2, 'dos') ON CONFLICT (k) DO UPDATE SET v = EXCLUDED.v RETURNING *;
SELECT * FROM kv ORDER BY k;
DELETE FROM log;
-- TRUNCATE fires statement triggers; FOR EACH ROW is refused.
CREATE TRIGGER kv_bt BEFORE TRUNCATE ON kv FOR EACH STATEMENT EXECUTE FUNCTION kvnote();
CREATE TRIGGER kv_at AFTER TRUNCATE ON kv FOR EACH STATEMENT EXECUTE FUNCTION kvnote();
CREATE TRIGGER kv_rt AFTER TRUNCATE ON kv FOR EACH ROW EXECUTE FUNCTION kvnote();
TRUNCATE kv;
SELECT count(*) FROM kv;
SELECT msg FROM log ORDER BY n;
BEGIN;
INSERT INTO kv VALUES (5, 'five');
TRUNCATE kv;
ROLLBACK;
SELECT msg FROM log ORDER BY n;
SELECT pg_get_triggerdef(oid) FROM pg_trigger WHERE tgname IN ('kv_bt', 'kv_at') ORDER BY 1;
-- WHEN errors.
CREATE TRIGGER w1 BEFORE INSERT ON kv FOR EACH ROW WHEN (OLD.k = 1) EXECUTE FUNCTION kvnote();
CREATE TRIGGER w2 BEFORE DELETE ON kv FOR EACH ROW WHEN (NEW.k = 1) EXECUTE FUNCTION kvnote();
CREATE TRIGGER w3 AFTER INSERT ON kv FOR EACH STATEMENT WHEN (NEW.k = 1) EXECUTE FUNCTION kvnote();
CREATE TRIGGER w4 BEFORE INSERT ON kv FOR EACH ROW WHEN (NEW.k) EXECUTE FUNCTION kvnote();
CREATE TRIGGER w5 BEFORE INSERT ON kv FOR EACH ROW WHEN (NEW.nosuch = 1) EXECUTE FUNCTION kvnote();
CREATE TRIGGER w6 AFTER UPDATE ON kv FOR EACH ROW WHEN (NEW.v IS NOT DISTINCT FROM OLD.v OR NEW.k + 1 > 2 * OLD.k) EXECUTE FUNCTION kvnote();
SELECT pg_get_triggerdef(oid), pg_get_triggerdef(oid, true) FROM pg_trigger WHERE tgname = 'w6';
-- DROP TABLE drops its triggers.
SELECT count(*) FROM pg_trigger WHERE tgrelid = 'kv'::regclass;
DROP TABLE kv;
SELECT tgname FROM pg_trigger ORDER BY tgname;
DROP TABLE docs;
SELECT count(*) FROM pg_trigger;
