-- Deferrable constraints: DEFERRABLE [INITIALLY DEFERRED | IMMEDIATE]
-- on FOREIGN KEY, UNIQUE and PRIMARY KEY (column, table, ALTER TABLE
-- ADD), checked at COMMIT when deferred (the COMMIT fails and the
-- transaction rolls back), at the end of the statement when immediate
-- (a deferrable UNIQUE lets duplicates in until then); SET CONSTRAINTS,
-- savepoints, ALTER CONSTRAINT, the catalog and PostgreSQL's errors.
CREATE TABLE dparent (id int PRIMARY KEY, v text);
CREATE TABLE dchild (id int, pid int REFERENCES dparent DEFERRABLE INITIALLY DEFERRED);
CREATE TABLE dchild2 (id int, pid int, CONSTRAINT dchild2_fk FOREIGN KEY (pid) REFERENCES dparent (id) DEFERRABLE);
CREATE TABLE duniq (a int UNIQUE DEFERRABLE, b int);
CREATE TABLE duniq2 (a int, b int, CONSTRAINT duniq2_ab UNIQUE (a, b) DEFERRABLE INITIALLY DEFERRED);
CREATE TABLE dpk (id int PRIMARY KEY DEFERRABLE INITIALLY DEFERRED, v text);
CREATE TABLE dplain (a int UNIQUE, b int CHECK (b > 0));
SELECT conname, contype, condeferrable, condeferred, pg_get_constraintdef(oid)
FROM pg_constraint WHERE conrelid::regclass::text LIKE 'd%' ORDER BY conname;
SELECT c.relname, i.indimmediate FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid
WHERE c.relname LIKE 'd%' ORDER BY 1;
-- Errors where PostgreSQL refuses.
CREATE TABLE dbad (a int REFERENCES dparent NOT DEFERRABLE INITIALLY DEFERRED);
CREATE TABLE dbad (a int REFERENCES dpk);
CREATE TABLE dbad (a int REFERENCES duniq (a));
INSERT INTO duniq VALUES (1, 1) ON CONFLICT DO NOTHING;
INSERT INTO duniq VALUES (1, 1) ON CONFLICT (a) DO NOTHING;
INSERT INTO duniq VALUES (1, 1) ON CONFLICT (a) DO UPDATE SET b = 2;
SELECT count(*) FROM duniq;
-- A deferred foreign key: checked at COMMIT.
INSERT INTO dparent VALUES (1, 'one'), (2, 'two');
BEGIN;
INSERT INTO dchild VALUES (1, 3);
INSERT INTO dparent VALUES (3, 'three');
COMMIT;
SELECT * FROM dchild ORDER BY id;
BEGIN;
INSERT INTO dchild VALUES (2, 4);
SELECT count(*) FROM dchild;
COMMIT;
SELECT count(*) FROM dchild;
-- Outside a block the statement's own COMMIT checks it.
INSERT INTO dchild VALUES (3, 5);
INSERT INTO dchild VALUES (3, NULL);
SELECT * FROM dchild ORDER BY id;
-- A referenced row deleted and inserted again before COMMIT.
BEGIN;
DELETE FROM dparent WHERE id = 3;
INSERT INTO dparent VALUES (3, 'again');
COMMIT;
BEGIN;
DELETE FROM dparent WHERE id = 3;
COMMIT;
BEGIN;
DELETE FROM dparent WHERE id = 3;
DELETE FROM dchild WHERE pid = 3;
COMMIT;
SELECT * FROM dparent ORDER BY id;
-- DEFERRABLE INITIALLY IMMEDIATE: at the statement's end unless SET
-- CONSTRAINTS defers it.
INSERT INTO dchild2 VALUES (1, 9);
BEGIN;
SET CONSTRAINTS dchild2_fk DEFERRED;
INSERT INTO dchild2 VALUES (1, 9);
INSERT INTO dparent VALUES (9, 'nine');
COMMIT;
BEGIN;
SET CONSTRAINTS ALL DEFERRED;
INSERT INTO dchild2 VALUES (2, 10);
INSERT INTO dchild VALUES (4, 10);
SET CONSTRAINTS dchild2_fk IMMEDIATE;
ROLLBACK;
BEGIN;
SET CONSTRAINTS ALL DEFERRED;
INSERT INTO dchild2 VALUES (2, 10);
INSERT INTO dchild VALUES (4, 10);
INSERT INTO dparent VALUES (10, 'ten');
SET CONSTRAINTS ALL IMMEDIATE;
COMMIT;
SELECT * FROM dchild2 ORDER BY id;
BEGIN;
SET CONSTRAINTS ALL IMMEDIATE;
INSERT INTO dchild VALUES (5, 11);
ROLLBACK;
BEGIN;
SET CONSTRAINTS public.dchild_pid_fkey IMMEDIATE;
INSERT INTO dchild VALUES (5, 11);
ROLLBACK;
-- SET CONSTRAINTS errors and warnings.
SET CONSTRAINTS ALL DEFERRED;
BEGIN;
SET CONSTRAINTS nosuch DEFERRED;
ROLLBACK;
BEGIN;
SET CONSTRAINTS dplain_a_key DEFERRED;
ROLLBACK;
BEGIN;
SET CONSTRAINTS dplain_b_check DEFERRED;
ROLLBACK;
BEGIN;
SET CONSTRAINTS dplain_a_key, dchild_pid_fkey IMMEDIATE;
SET CONSTRAINTS nosuch.dchild_pid_fkey IMMEDIATE;
ROLLBACK;
-- Savepoints: ROLLBACK TO drops the checks queued after the savepoint.
BEGIN;
SAVEPOINT s1;
INSERT INTO dchild VALUES (6, 12);
ROLLBACK TO s1;
INSERT INTO dchild VALUES (6, 1);
COMMIT;
BEGIN;
INSERT INTO dchild VALUES (7, 13);
SAVEPOINT s1;
INSERT INTO dparent VALUES (13, 'x');
ROLLBACK TO s1;
COMMIT;
BEGIN;
SAVEPOINT s1;
INSERT INTO dchild VALUES (7, 13);
RELEASE s1;
INSERT INTO dparent VALUES (13, 'x');
COMMIT;
BEGIN;
SET CONSTRAINTS ALL IMMEDIATE;
SAVEPOINT s1;
SET CONSTRAINTS ALL DEFERRED;
ROLLBACK TO s1;
INSERT INTO dchild VALUES (8, 14);
ROLLBACK;
SELECT * FROM dchild ORDER BY id;
-- A deferrable UNIQUE: immediate at the statement's end, so a shift
-- of every key passes; deferred until COMMIT.
INSERT INTO duniq VALUES (1, 1), (2, 2), (3, 3);
UPDATE duniq SET a = a + 1;
SELECT * FROM duniq ORDER BY a;
INSERT INTO duniq VALUES (2, 0);
INSERT INTO duniq VALUES (7, 0), (7, 1);
UPDATE duniq SET a = 2 WHERE a = 3;
UPDATE dplain SET a = a + 1;
INSERT INTO dplain VALUES (1, 1), (2, 2);
UPDATE dplain SET a = a + 1;
BEGIN;
SET CONSTRAINTS duniq_a_key DEFERRED;
INSERT INTO duniq VALUES (2, 9);
SELECT a, count(*) FROM duniq GROUP BY a ORDER BY a;
UPDATE duniq SET a = 5 WHERE b = 9;
COMMIT;
BEGIN;
SET CONSTRAINTS duniq_a_key DEFERRED;
INSERT INTO duniq VALUES (2, 9), (2, 10);
COMMIT;
BEGIN;
SET CONSTRAINTS duniq_a_key DEFERRED;
INSERT INTO duniq VALUES (3, 9);
SET CONSTRAINTS duniq_a_key IMMEDIATE;
ROLLBACK;
BEGIN;
SET CONSTRAINTS duniq_a_key DEFERRED;
INSERT INTO duniq VALUES (3, 9);
DELETE FROM duniq WHERE a = 3 AND b = 2;
COMMIT;
SELECT * FROM duniq ORDER BY a, b;
INSERT INTO duniq VALUES (NULL, 1), (NULL, 2);
BEGIN;
INSERT INTO duniq2 VALUES (1, 1), (1, 1), (1, NULL), (1, NULL);
SELECT count(*) FROM duniq2;
DELETE FROM duniq2 WHERE b = 1;
INSERT INTO duniq2 VALUES (1, 1);
COMMIT;
SELECT * FROM duniq2 ORDER BY a, b;
BEGIN;
INSERT INTO duniq2 VALUES (1, 1);
COMMIT;
BEGIN;
INSERT INTO dpk VALUES (1, 'a'), (1, 'b');
SAVEPOINT s;
INSERT INTO dpk VALUES (2, 'c'), (2, 'd');
ROLLBACK TO s;
UPDATE dpk SET id = 3 WHERE v = 'b';
COMMIT;
SELECT * FROM dpk ORDER BY id;
BEGIN;
INSERT INTO dpk VALUES (1, 'x');
COMMIT;
SELECT * FROM dpk ORDER BY id;
-- ALTER TABLE ADD CONSTRAINT ... DEFERRABLE, ALTER CONSTRAINT.
ALTER TABLE dplain ADD CONSTRAINT dplain_b_uniq UNIQUE (b) DEFERRABLE INITIALLY DEFERRED;
ALTER TABLE dchild ADD CONSTRAINT dchild_fk2 FOREIGN KEY (id) REFERENCES dparent DEFERRABLE;
ALTER TABLE dchild ALTER CONSTRAINT dchild_pid_fkey NOT DEFERRABLE;
ALTER TABLE dchild ALTER CONSTRAINT dchild_fk2 INITIALLY DEFERRED;
ALTER TABLE dchild ALTER CONSTRAINT dchild_fk2 DEFERRABLE;
ALTER TABLE dchild ALTER CONSTRAINT dchild_fk2 DEFERRABLE INITIALLY IMMEDIATE;
ALTER TABLE dchild ALTER CONSTRAINT dchild_fk2 NOT DEFERRABLE INITIALLY DEFERRED;
ALTER TABLE dplain ALTER CONSTRAINT dplain_a_key DEFERRABLE;
ALTER TABLE dplain ALTER CONSTRAINT dplain_b_check DEFERRABLE;
ALTER TABLE dplain ALTER CONSTRAINT nosuch DEFERRABLE;
ALTER TABLE nosuch ALTER CONSTRAINT nosuch DEFERRABLE;
ALTER TABLE IF EXISTS nosuch ALTER CONSTRAINT nosuch DEFERRABLE;
SELECT conname, contype, condeferrable, condeferred, pg_get_constraintdef(oid)
FROM pg_constraint WHERE conrelid::regclass::text LIKE 'd%' ORDER BY conname;
BEGIN;
INSERT INTO dchild VALUES (20, 1);
ROLLBACK;
SELECT table_name, constraint_name, is_deferrable, initially_deferred
FROM information_schema.table_constraints
WHERE table_name LIKE 'd%' AND constraint_type <> 'CHECK' ORDER BY 2;
