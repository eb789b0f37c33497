-- COMMIT and ROLLBACK [AND CHAIN] inside PL/pgSQL procedures and DO
-- blocks called outside a transaction block: the rest of the body runs
-- in a new transaction. Elsewhere (in a block, in a function, inside an
-- EXCEPTION block) they are 2D000; a SQL function body refuses them at
-- the call (0A000); START TRANSACTION and SAVEPOINT are 0A000.
CREATE TABLE tc (a int);
CREATE TABLE tc_log (msg text);
CREATE PROCEDURE tc_p1() LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO tc VALUES (1);
  COMMIT;
  INSERT INTO tc VALUES (2);
  ROLLBACK;
  INSERT INTO tc VALUES (3);
END $$;
CALL tc_p1();
SELECT a FROM tc ORDER BY a;
-- An error after a COMMIT undoes only what followed it.
CREATE PROCEDURE tc_p2() LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO tc VALUES (4);
  COMMIT;
  INSERT INTO tc VALUES (5);
  PERFORM 1 / 0;
END $$;
CALL tc_p2();
SELECT a FROM tc ORDER BY a;
-- In a transaction block: 2D000, and the block is failed.
BEGIN;
CALL tc_p1();
ROLLBACK;
SELECT a FROM tc ORDER BY a;
-- In a function.
CREATE FUNCTION tc_f1() RETURNS int LANGUAGE plpgsql AS $$ BEGIN COMMIT; RETURN 1; END $$;
SELECT tc_f1();
CREATE FUNCTION tc_f2() RETURNS int LANGUAGE plpgsql AS $$ BEGIN ROLLBACK; RETURN 1; END $$;
SELECT tc_f2();
-- Inside a block with an EXCEPTION clause: a subtransaction is active.
CREATE PROCEDURE tc_p3() LANGUAGE plpgsql AS $$
BEGIN
  BEGIN
    COMMIT;
  EXCEPTION WHEN division_by_zero THEN NULL;
  END;
END $$;
CALL tc_p3();
CREATE PROCEDURE tc_p4() LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO tc VALUES (6);
  ROLLBACK;
EXCEPTION WHEN others THEN
  INSERT INTO tc_log VALUES (SQLSTATE || ' ' || SQLERRM);
END $$;
CALL tc_p4();
CREATE PROCEDURE tc_p5() LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO tc VALUES (7);
  COMMIT;
EXCEPTION WHEN others THEN
  INSERT INTO tc_log VALUES (SQLSTATE || ' ' || SQLERRM);
END $$;
CALL tc_p5();
SELECT msg FROM tc_log ORDER BY msg;
SELECT a FROM tc ORDER BY a;
-- The messages of the 2D000 errors, caught by the caller.
CREATE PROCEDURE tc_catch() LANGUAGE plpgsql AS $$
BEGIN
  BEGIN
    PERFORM tc_f1();
  EXCEPTION WHEN invalid_transaction_termination THEN
    INSERT INTO tc_log VALUES ('f1: ' || SQLSTATE || ' ' || SQLERRM);
  END;
END $$;
CALL tc_catch();
SELECT msg FROM tc_log ORDER BY msg;
-- A loop over a query that commits at every row: the query's rows are
-- those it saw when it started.
CREATE PROCEDURE tc_loop() LANGUAGE plpgsql AS $$
DECLARE r record;
BEGIN
  FOR r IN SELECT a FROM tc ORDER BY a LOOP
    INSERT INTO tc VALUES (r.a + 100);
    COMMIT;
  END LOOP;
END $$;
CALL tc_loop();
SELECT a FROM tc ORDER BY a;
-- A loop that commits every other row and rolls back the rest.
CREATE PROCEDURE tc_alt(n int) LANGUAGE plpgsql AS $$
BEGIN
  FOR i IN 1..n LOOP
    INSERT INTO tc VALUES (1000 + i);
    IF i % 2 = 0 THEN COMMIT; ELSE ROLLBACK; END IF;
  END LOOP;
END $$;
CALL tc_alt(6);
SELECT a FROM tc WHERE a > 1000 ORDER BY a;
-- AND CHAIN, AND NO CHAIN.
CREATE PROCEDURE tc_chain() LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO tc VALUES (2001);
  COMMIT AND CHAIN;
  INSERT INTO tc VALUES (2002);
  ROLLBACK AND CHAIN;
  INSERT INTO tc VALUES (2003);
  COMMIT AND NO CHAIN;
  INSERT INTO tc VALUES (2004);
  ROLLBACK AND NO CHAIN;
END $$;
CALL tc_chain();
SELECT a FROM tc WHERE a > 2000 ORDER BY a;
-- The isolation level of the session's default carries into the new
-- transactions.
SET default_transaction_isolation = 'repeatable read';
CREATE PROCEDURE tc_iso() LANGUAGE plpgsql AS $$
BEGIN
  COMMIT;
  INSERT INTO tc_log VALUES ('iso ' || current_setting('transaction_isolation'));
  COMMIT AND CHAIN;
  INSERT INTO tc_log VALUES ('chained ' || current_setting('transaction_isolation'));
END $$;
CALL tc_iso();
RESET default_transaction_isolation;
SELECT msg FROM tc_log WHERE msg LIKE '%iso%' OR msg LIKE 'chained%' ORDER BY msg;
-- A procedure with arguments, INOUT returned after commits.
CREATE PROCEDURE tc_args(n int, INOUT total int) LANGUAGE plpgsql AS $$
BEGIN
  total := 0;
  FOR i IN 1..n LOOP
    INSERT INTO tc VALUES (3000 + i);
    total := total + i;
    COMMIT;
  END LOOP;
END $$;
CALL tc_args(4, NULL);
SELECT count(*) FROM tc WHERE a > 3000;
-- DO blocks.
DO $$ BEGIN INSERT INTO tc VALUES (4001); COMMIT; INSERT INTO tc VALUES (4002); ROLLBACK; END $$;
DO $$ BEGIN INSERT INTO tc VALUES (4003); COMMIT AND CHAIN; INSERT INTO tc VALUES (4004); END $$;
SELECT a FROM tc WHERE a > 4000 ORDER BY a;
BEGIN;
DO $$ BEGIN COMMIT; END $$;
ROLLBACK;
DO $$ BEGIN BEGIN ROLLBACK; EXCEPTION WHEN others THEN RAISE; END; END $$;
-- Other transaction commands.
DO $$ BEGIN START TRANSACTION; END $$;
DO $$ BEGIN SAVEPOINT a; END $$;
DO $$ BEGIN RELEASE SAVEPOINT a; END $$;
-- A SQL procedure: accepted by CREATE, refused when called.
CREATE PROCEDURE tc_sql() LANGUAGE sql AS $$ INSERT INTO tc VALUES (9); COMMIT; $$;
CALL tc_sql();
CREATE PROCEDURE tc_sql2() LANGUAGE sql AS $$ ROLLBACK $$;
CALL tc_sql2();
SELECT count(*) FROM tc WHERE a = 9;
-- now() moves to the new transaction's start.
CREATE TABLE tc_now (t timestamptz);
CREATE PROCEDURE tc_now_p() LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO tc_now VALUES (now());
  PERFORM pg_sleep(0.01);
  COMMIT;
  INSERT INTO tc_now VALUES (now());
END $$;
CALL tc_now_p();
SELECT count(DISTINCT t) FROM tc_now;
-- A deferred constraint is checked at the procedure's COMMIT.
CREATE TABLE tc_u (k int UNIQUE DEFERRABLE INITIALLY DEFERRED);
CREATE PROCEDURE tc_def() LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO tc_u VALUES (1);
  COMMIT;
  INSERT INTO tc_u VALUES (2), (2);
  COMMIT;
  INSERT INTO tc_u VALUES (3);
END $$;
CALL tc_def();
SELECT k FROM tc_u ORDER BY k;
DROP TABLE tc, tc_log, tc_now, tc_u;
DROP PROCEDURE tc_p1, tc_p2, tc_p3, tc_p4, tc_p5, tc_catch, tc_loop, tc_alt, tc_chain, tc_iso, tc_args, tc_sql, tc_sql2, tc_now_p, tc_def;
DROP FUNCTION tc_f1, tc_f2;
-- A nested CALL: the callee may end the caller's transaction, and the
-- caller goes on in the new one; OUT and INOUT values come back into
-- the variables given.
CREATE TABLE tn (a int);
CREATE PROCEDURE tn_inner(x int) LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO tn VALUES (x);
  COMMIT;
  INSERT INTO tn VALUES (x + 1);
  ROLLBACK;
END $$;
CREATE PROCEDURE tn_outer() LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO tn VALUES (1);
  CALL tn_inner(10);
  INSERT INTO tn VALUES (2);
  COMMIT;
  INSERT INTO tn VALUES (3);
  CALL tn_inner(20);
END $$;
CALL tn_outer();
SELECT a FROM tn ORDER BY a;
CREATE PROCEDURE tn_out(a int, INOUT b int, OUT c text) LANGUAGE plpgsql AS $$
BEGIN
  b := a + b;
  c := 'got ' || a;
  COMMIT;
END $$;
CREATE PROCEDURE tn_use() LANGUAGE plpgsql AS $$
DECLARE x int := 5; y text;
BEGIN
  CALL tn_out(2, x, y);
  INSERT INTO tn VALUES (x);
  INSERT INTO tn VALUES (length(y));
END $$;
CALL tn_use();
SELECT a FROM tn ORDER BY a;
CREATE PROCEDURE tn_bad() LANGUAGE plpgsql AS $$
DECLARE y text;
BEGIN
  CALL tn_out(2, 3, y);
END $$;
CALL tn_bad();
-- A nested CALL from a function, or inside an EXCEPTION block.
CREATE FUNCTION tn_f() RETURNS int LANGUAGE plpgsql AS $$ BEGIN CALL tn_inner(30); RETURN 1; END $$;
SELECT tn_f();
CREATE PROCEDURE tn_sub() LANGUAGE plpgsql AS $$
BEGIN
  BEGIN
    CALL tn_inner(40);
  EXCEPTION WHEN invalid_transaction_termination THEN
    INSERT INTO tn VALUES (-1);
  END;
END $$;
CALL tn_sub();
BEGIN;
CALL tn_outer();
ROLLBACK;
SELECT a FROM tn ORDER BY a;
DROP TABLE tn;
DROP PROCEDURE tn_inner, tn_outer, tn_out, tn_use, tn_bad, tn_sub;
DROP FUNCTION tn_f;
