-- Triggers with PL/pgSQL functions: BEFORE ROW changing NEW (an
-- updated_at column) or skipping rows (RETURN NULL), AFTER ROW
-- triggers writing an audit table after the statement's rows, statement
-- triggers, TG_* variables and arguments, UPDATE OF, WHEN, errors in a
-- trigger rolling back the statement, CREATE OR REPLACE and DROP
-- TRIGGER, and the errors of CREATE TRIGGER.
SELECT typname, typtype FROM pg_type WHERE oid IN (2279, 3838) ORDER BY oid;
CREATE TABLE docs (id int PRIMARY KEY, body text, version int DEFAULT 0, updated_by text);
CREATE TABLE audit (n serial, op text, tname text, tlevel text, twhen text, old_id int, new_id int, argv text);
CREATE FUNCTION bump() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN NEW.version := coalesce(OLD.version, 0) + 1; NEW.updated_by := TG_ARGV[0]; RETURN NEW; END $$;
CREATE TRIGGER docs_bump BEFORE INSERT OR UPDATE ON docs FOR EACH ROW EXECUTE FUNCTION bump('writer');
INSERT INTO docs (id, body) VALUES (1, 'a'), (2, 'b');
SELECT * FROM docs ORDER BY id;
UPDATE docs SET body = body || '!' WHERE id = 1;
UPDATE docs SET body = body || '?';
SELECT * FROM docs ORDER BY id;
CREATE FUNCTION audit_row() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN INSERT INTO audit (op, tname, tlevel, twhen, old_id, new_id, argv) VALUES (TG_OP, TG_TABLE_NAME, TG_LEVEL, TG_WHEN, OLD.id, NEW.id, array_to_string(TG_ARGV, ',')); RETURN NULL; END $$;
CREATE TRIGGER docs_audit AFTER INSERT OR UPDATE OR DELETE ON docs FOR EACH ROW EXECUTE PROCEDURE audit_row('x', 'y');
CREATE FUNCTION audit_stmt() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN INSERT INTO audit (op, tname, tlevel, twhen) VALUES (TG_OP, TG_TABLE_SCHEMA, TG_LEVEL, TG_WHEN); RETURN NULL; END $$;
CREATE TRIGGER docs_stmt AFTER DELETE ON docs FOR EACH STATEMENT EXECUTE FUNCTION audit_stmt();
INSERT INTO docs (id, body) VALUES (3, 'c');
UPDATE docs SET body = 'cc' WHERE id = 3;
DELETE FROM docs WHERE id = 3;
DELETE FROM docs WHERE id = 42;
SELECT op, tname, tlevel, twhen, old_id, new_id, argv FROM audit ORDER BY n;
-- BEFORE ROW returning NULL skips the row.
CREATE FUNCTION keep_locked() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN IF OLD.body LIKE 'locked%' THEN RETURN NULL; END IF; IF TG_OP = 'DELETE' THEN RETURN OLD; END IF; RETURN NEW; END $$;
CREATE TRIGGER docs_lock BEFORE UPDATE OR DELETE ON docs FOR EACH ROW EXECUTE FUNCTION keep_locked();
INSERT INTO docs (id, body) VALUES (10, 'locked one'), (11, 'free');
UPDATE docs SET body = 'changed' WHERE id IN (10, 11);
DELETE FROM docs WHERE id IN (10, 11);
SELECT id, body FROM docs WHERE id >= 10 ORDER BY id;
-- UPDATE OF and WHEN.
CREATE TABLE prices (id int PRIMARY KEY, price numeric, note text, changes int DEFAULT 0);
CREATE FUNCTION count_change() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN NEW.changes := OLD.changes + 1; RETURN NEW; END $$;
CREATE TRIGGER price_of BEFORE UPDATE OF price ON prices FOR EACH ROW EXECUTE FUNCTION count_change();
INSERT INTO prices VALUES (1, 10, 'n', 0);
UPDATE prices SET note = 'm';
UPDATE prices SET price = 11;
UPDATE prices SET price = price, note = 'o';
SELECT * FROM prices;
CREATE TRIGGER price_when BEFORE UPDATE ON prices FOR EACH ROW WHEN (NEW.price > 100) EXECUTE FUNCTION count_change();
UPDATE prices SET note = 'p';
UPDATE prices SET price = 500;
SELECT * FROM prices;
-- An error in a trigger rolls back the statement.
CREATE FUNCTION no_empty() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN IF NEW.body = '' THEN RAISE EXCEPTION 'empty body for %', NEW.id USING ERRCODE = 'check_violation'; END IF; RETURN NEW; END $$;
CREATE TRIGGER docs_check BEFORE INSERT ON docs FOR EACH ROW EXECUTE FUNCTION no_empty();
INSERT INTO docs (id, body) VALUES (20, 'ok'), (21, '');
SELECT count(*) FROM docs WHERE id IN (20, 21);
SELECT count(*) FROM audit WHERE new_id IN (20, 21);
-- A trigger function cannot be called directly; errors of CREATE TRIGGER.
SELECT bump();
CREATE FUNCTION not_trigger() RETURNS int LANGUAGE plpgsql AS $$ BEGIN RETURN 1; END $$;
CREATE TRIGGER bad BEFORE INSERT ON docs FOR EACH ROW EXECUTE FUNCTION not_trigger();
CREATE TRIGGER bad BEFORE INSERT ON docs FOR EACH ROW EXECUTE FUNCTION nosuch();
CREATE TRIGGER bad BEFORE INSERT ON nosuch FOR EACH ROW EXECUTE FUNCTION bump();
CREATE TRIGGER docs_bump BEFORE INSERT ON docs FOR EACH ROW EXECUTE FUNCTION bump();
CREATE TRIGGER bad BEFORE UPDATE OF nosuch ON docs FOR EACH ROW EXECUTE FUNCTION bump();
CREATE TRIGGER bad INSTEAD OF INSERT ON docs FOR EACH ROW EXECUTE FUNCTION bump();
CREATE TRIGGER bad BEFORE TRUNCATE ON docs FOR EACH ROW EXECUTE FUNCTION bump();
CREATE FUNCTION sql_trigger() RETURNS trigger LANGUAGE sql AS $$ SELECT NULL $$;
-- CREATE OR REPLACE and DROP.
CREATE OR REPLACE TRIGGER docs_bump BEFORE INSERT ON docs FOR EACH ROW EXECUTE FUNCTION bump('replaced');
INSERT INTO docs (id, body) VALUES (30, 'r');
UPDATE docs SET body = 'rr' WHERE id = 30;
SELECT id, version, updated_by FROM docs WHERE id = 30;
DROP TRIGGER docs_bump ON docs;
DROP TRIGGER docs_bump ON docs;
DROP TRIGGER IF EXISTS docs_bump ON docs;
DROP TRIGGER IF EXISTS x ON nosuch;
INSERT INTO docs (id, body) VALUES (31, 's');
SELECT id, version, updated_by FROM docs WHERE id = 31;
BEGIN;
DROP TRIGGER docs_audit ON docs;
ROLLBACK;
DELETE FROM docs WHERE id = 31;
SELECT op, old_id FROM audit WHERE old_id = 31;
