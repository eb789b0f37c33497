-- ALTER TRIGGER ... ON ... RENAME TO: the renamed trigger keeps firing,
-- pg_trigger and pg_get_triggerdef show the new name; errors for a
-- missing trigger or table and a name already taken.
CREATE TABLE tr_t (id int, note text);
CREATE TABLE tr_log (msg text);
CREATE FUNCTION tr_fn() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN INSERT INTO tr_log VALUES (TG_NAME || ':' || NEW.id); RETURN NEW; END $$;
CREATE TRIGGER before_ins BEFORE INSERT ON tr_t FOR EACH ROW EXECUTE FUNCTION tr_fn();
CREATE TRIGGER other_trg AFTER INSERT ON tr_t FOR EACH ROW EXECUTE FUNCTION tr_fn();
INSERT INTO tr_t VALUES (1, 'a');
ALTER TRIGGER before_ins ON tr_t RENAME TO "Renamed Trigger";
INSERT INTO tr_t VALUES (2, 'b');
SELECT msg FROM tr_log ORDER BY msg;
SELECT tgname, tgrelid::regclass::text FROM pg_trigger WHERE tgrelid = 'tr_t'::regclass ORDER BY tgname;
SELECT pg_get_triggerdef(oid) FROM pg_trigger WHERE tgrelid = 'tr_t'::regclass ORDER BY tgname;
ALTER TRIGGER before_ins ON tr_t RENAME TO x;
ALTER TRIGGER other_trg ON tr_t RENAME TO "Renamed Trigger";
ALTER TRIGGER other_trg ON no_such_table RENAME TO x;
ALTER TRIGGER other_trg ON tr_t RENAME x;
ALTER TRIGGER other_trg ON public.tr_t RENAME TO other_renamed;
BEGIN;
ALTER TRIGGER other_renamed ON tr_t RENAME TO rolled_back;
SELECT tgname FROM pg_trigger WHERE tgrelid = 'tr_t'::regclass ORDER BY tgname;
ROLLBACK;
SELECT tgname FROM pg_trigger WHERE tgrelid = 'tr_t'::regclass ORDER BY tgname;
DROP TRIGGER "Renamed Trigger" ON tr_t;
DROP TRIGGER other_renamed ON tr_t;
SELECT count(*) FROM pg_trigger WHERE tgrelid = 'tr_t'::regclass;
