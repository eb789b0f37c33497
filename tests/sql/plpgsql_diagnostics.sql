-- GET STACKED DIAGNOSTICS in PL/pgSQL exception handlers: the caught
-- error's SQLSTATE, message, detail, hint, context and the object it is
-- about; GET CURRENT DIAGNOSTICS; errors where they are not allowed.
CREATE TABLE parent (id int PRIMARY KEY, name text NOT NULL, qty int CHECK (qty > 0));
CREATE TABLE child (pid int REFERENCES parent (id));
INSERT INTO parent VALUES (1, 'a', 1);
CREATE FUNCTION diag(stmt text) RETURNS text LANGUAGE plpgsql AS $$ DECLARE st text; msg text; det text; hnt text; col text; con text; tab text; sch text; BEGIN EXECUTE stmt; RETURN 'ok'; EXCEPTION WHEN OTHERS THEN GET STACKED DIAGNOSTICS st = RETURNED_SQLSTATE, msg = MESSAGE_TEXT, det = PG_EXCEPTION_DETAIL, hnt = PG_EXCEPTION_HINT, col = COLUMN_NAME, con = CONSTRAINT_NAME, tab = TABLE_NAME, sch = SCHEMA_NAME; RETURN concat_ws(' | ', st, msg, det, hnt, col, con, tab, sch); END $$;
SELECT diag('INSERT INTO parent VALUES (1, ''b'', 2)');
SELECT diag('INSERT INTO parent VALUES (2, NULL, 2)');
SELECT diag('INSERT INTO parent VALUES (3, ''c'', 0)');
SELECT diag('INSERT INTO child VALUES (99)');
SELECT diag('SELECT 1/0');
SELECT diag('SELECT * FROM nosuch');
SELECT diag('INSERT INTO parent VALUES (4, ''d'', 4)');
SELECT diag('SELECT ''x''::int');
CREATE FUNCTION raised() RETURNS text LANGUAGE plpgsql AS $$ DECLARE st text; msg text; det text; hnt text; BEGIN RAISE EXCEPTION 'custom %', 42 USING ERRCODE = '22012', DETAIL = 'the detail', HINT = 'the hint'; EXCEPTION WHEN division_by_zero THEN GET STACKED DIAGNOSTICS st := RETURNED_SQLSTATE, msg := MESSAGE_TEXT, det := PG_EXCEPTION_DETAIL, hnt := PG_EXCEPTION_HINT; RETURN st || '/' || msg || '/' || det || '/' || hnt; END $$;
SELECT raised();
CREATE FUNCTION ctx() RETURNS boolean LANGUAGE plpgsql AS $$ DECLARE c text; BEGIN PERFORM 1/0; EXCEPTION WHEN OTHERS THEN GET STACKED DIAGNOSTICS c = PG_EXCEPTION_CONTEXT; RETURN c LIKE '%PL/pgSQL function ctx() line 1 at PERFORM%'; END $$;
SELECT ctx();
CREATE FUNCTION nested() RETURNS text LANGUAGE plpgsql AS $$ DECLARE a text; b text; BEGIN PERFORM 1/0; EXCEPTION WHEN OTHERS THEN BEGIN RAISE EXCEPTION 'inner'; EXCEPTION WHEN OTHERS THEN GET STACKED DIAGNOSTICS a = MESSAGE_TEXT; END; GET STACKED DIAGNOSTICS b = MESSAGE_TEXT; RETURN a || ' then ' || b; END $$;
SELECT nested();
CREATE FUNCTION outside() RETURNS text LANGUAGE plpgsql AS $$ DECLARE m text; BEGIN GET STACKED DIAGNOSTICS m = MESSAGE_TEXT; RETURN m; END $$;
SELECT outside();
CREATE FUNCTION wrong_item() RETURNS text LANGUAGE plpgsql AS $$ DECLARE m text; BEGIN RETURN 1; EXCEPTION WHEN OTHERS THEN GET STACKED DIAGNOSTICS m = ROW_COUNT; RETURN m; END $$;
CREATE FUNCTION wrong_item2() RETURNS text LANGUAGE plpgsql AS $$ DECLARE m text; BEGIN GET DIAGNOSTICS m = MESSAGE_TEXT; RETURN m; END $$;
CREATE FUNCTION current_diag() RETURNS bigint LANGUAGE plpgsql AS $$ DECLARE n bigint; BEGIN UPDATE parent SET qty = qty + 1; GET CURRENT DIAGNOSTICS n = ROW_COUNT; RETURN n; END $$;
SELECT current_diag();
CREATE FUNCTION typed() RETURNS int LANGUAGE plpgsql AS $$ DECLARE st int; BEGIN PERFORM 1/0; EXCEPTION WHEN OTHERS THEN GET STACKED DIAGNOSTICS st = RETURNED_SQLSTATE; RETURN st; END $$;
SELECT typed();
DO $$ DECLARE m text; BEGIN PERFORM 'a'::int; EXCEPTION WHEN invalid_text_representation THEN GET STACKED DIAGNOSTICS m = MESSAGE_TEXT; INSERT INTO parent VALUES (10, m, 1); END $$;
SELECT id, name FROM parent ORDER BY id;
