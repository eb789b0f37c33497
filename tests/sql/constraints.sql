-- CHECK and FOREIGN KEY constraints: names PostgreSQL chooses, errors
-- with their SQLSTATEs (23514, 23503, 42830, 42804, 2BP01, 0A000), NULLs
-- (a NULL CHECK result passes; MATCH SIMPLE skips a key with a NULL),
-- composite keys, self-reference, referential actions.
CREATE TABLE con_c (id int PRIMARY KEY, x int CHECK (x > 0), y int, CONSTRAINT con_c_sum CHECK (x + y < 100), CHECK (y <> 7));
INSERT INTO con_c VALUES (1, 5, 5);
INSERT INTO con_c VALUES (2, 0, 5);
INSERT INTO con_c VALUES (3, NULL, NULL);
INSERT INTO con_c VALUES (4, 50, 60);
INSERT INTO con_c VALUES (5, 1, 7);
UPDATE con_c SET x = -1 WHERE id = 1;
UPDATE con_c SET x = x + 1 RETURNING *;
SELECT * FROM con_c ORDER BY id;
SELECT conname, contype FROM pg_constraint WHERE conrelid = 'con_c'::regclass ORDER BY conname;
CREATE TABLE con_bad (a int CHECK (a + 1));
CREATE TABLE con_bad (a int CHECK (a > (SELECT 1)));
CREATE TABLE con_bad (a int CHECK (sum(a) > 0));
CREATE TABLE con_bad (a int CHECK (b > 0));
CREATE TABLE con_p (id int PRIMARY KEY, code text UNIQUE, note text);
CREATE TABLE con_ch (id int PRIMARY KEY, pid int REFERENCES con_p, pcode text REFERENCES con_p (code) ON DELETE SET NULL ON UPDATE CASCADE);
INSERT INTO con_p VALUES (1, 'a', 'one'), (2, 'b', 'two'), (3, 'c', 'three');
INSERT INTO con_ch VALUES (10, 1, 'a'), (11, 1, 'b'), (12, NULL, NULL), (13, 2, 'c');
INSERT INTO con_ch VALUES (14, 7, NULL);
INSERT INTO con_ch VALUES (15, NULL, 'zz');
UPDATE con_ch SET pid = 9 WHERE id = 12;
UPDATE con_ch SET pid = 3 WHERE id = 12;
DELETE FROM con_p WHERE id = 1;
UPDATE con_p SET id = 100 WHERE id = 1;
UPDATE con_p SET note = 'uno' WHERE id = 1;
UPDATE con_p SET code = 'bb' WHERE id = 2;
SELECT * FROM con_ch ORDER BY id;
DELETE FROM con_p WHERE id = 3 AND EXISTS (SELECT 1);
DELETE FROM con_ch WHERE id = 12;
DELETE FROM con_p WHERE id = 3;
SELECT * FROM con_ch ORDER BY id;
SELECT * FROM con_p ORDER BY id;
SELECT conname, contype, confupdtype, confdeltype, confmatchtype, conkey, confkey FROM pg_constraint WHERE conrelid = 'con_ch'::regclass ORDER BY conname;
SELECT pg_get_constraintdef(oid) FROM pg_constraint WHERE conrelid = 'con_ch'::regclass AND contype = 'f' ORDER BY conname;
-- Actions: CASCADE, SET NULL, SET DEFAULT, RESTRICT.
CREATE TABLE con_cas (id int PRIMARY KEY, pid int DEFAULT 2 REFERENCES con_p ON DELETE CASCADE ON UPDATE SET DEFAULT);
INSERT INTO con_cas VALUES (1, 1), (2, 1), (3, 2);
UPDATE con_p SET id = 50 WHERE id = 1;
SELECT * FROM con_cas ORDER BY id;
DELETE FROM con_ch;
DELETE FROM con_p WHERE id = 2;
SELECT * FROM con_cas ORDER BY id;
CREATE TABLE con_res (pid int REFERENCES con_p ON DELETE RESTRICT);
INSERT INTO con_res VALUES (50);
DELETE FROM con_p WHERE id = 50;
DELETE FROM con_res;
DELETE FROM con_p WHERE id = 50;
-- Composite keys, MATCH SIMPLE and FULL.
CREATE TABLE con_cp (a int, b text, PRIMARY KEY (a, b));
INSERT INTO con_cp VALUES (1, 'x'), (2, 'y');
CREATE TABLE con_cc (a int, b text, FOREIGN KEY (a, b) REFERENCES con_cp);
CREATE TABLE con_cf (a int, b text, CONSTRAINT con_cf_full FOREIGN KEY (a, b) REFERENCES con_cp (a, b) MATCH FULL);
INSERT INTO con_cc VALUES (1, 'x'), (1, NULL), (NULL, 'q');
INSERT INTO con_cc VALUES (1, 'y');
INSERT INTO con_cf VALUES (2, 'y'), (NULL, NULL);
INSERT INTO con_cf VALUES (2, NULL);
DELETE FROM con_cp WHERE a = 1;
SELECT * FROM con_cc ORDER BY a, b;
-- Self-reference: a statement may insert a row and its parent in any order.
CREATE TABLE con_tree (id int PRIMARY KEY, parent int REFERENCES con_tree (id));
INSERT INTO con_tree VALUES (2, 1), (1, NULL), (3, 2);
INSERT INTO con_tree VALUES (4, 4);
INSERT INTO con_tree VALUES (5, 6);
DELETE FROM con_tree WHERE id = 1;
DELETE FROM con_tree WHERE id >= 3;
DELETE FROM con_tree;
SELECT count(*) FROM con_tree;
-- Definition errors.
CREATE TABLE con_e1 (x int REFERENCES con_nosuch);
CREATE TABLE con_e1 (x int REFERENCES con_p (note));
CREATE TABLE con_e1 (x text REFERENCES con_p);
CREATE TABLE con_e1 (x int, y int, FOREIGN KEY (x, y) REFERENCES con_p (id));
CREATE TABLE con_e1 (x int REFERENCES con_p (nosuch));
CREATE TABLE con_e1 (x int, FOREIGN KEY (nosuch) REFERENCES con_p);
CREATE TABLE con_e1 (x int REFERENCES con_c (x));
CREATE TABLE con_e1 (x bigint REFERENCES con_p);
INSERT INTO con_e1 VALUES (50), (NULL);
INSERT INTO con_e1 VALUES (51);
-- DROP and TRUNCATE of a referenced table.
DROP TABLE con_p;
TRUNCATE con_p;
TRUNCATE con_p, con_cas, con_res, con_e1;
DROP TABLE con_p CASCADE;
INSERT INTO con_e1 VALUES (77);
DROP TABLE con_cp, con_cc;
DROP TABLE con_tree, con_c, con_ch, con_cas, con_res, con_cf, con_e1;
