-- INSERT without a column list writes the table's first N columns, N the
-- width of the VALUES rows or the query; the rest take their defaults.
CREATE TABLE ins_short (a int, b text DEFAULT 'dflt', c int DEFAULT 5, d serial);
INSERT INTO ins_short VALUES (1);
INSERT INTO ins_short VALUES (2, 'x');
INSERT INTO ins_short VALUES (3, 'y', 7), (4, 'z', 8);
INSERT INTO ins_short SELECT 10, 'q';
INSERT INTO ins_short SELECT g FROM generate_series(20, 22) g;
SELECT * FROM ins_short ORDER BY a;
-- Errors: too many values, rows of different widths, a column list
-- longer than the values.
INSERT INTO ins_short VALUES (1, 'a', 2, 3, 4);
INSERT INTO ins_short VALUES (1, 'a'), (2);
INSERT INTO ins_short VALUES (1), (2, 'b');
INSERT INTO ins_short (a, b) VALUES (1);
INSERT INTO ins_short (a) VALUES (1, 'b');
INSERT INTO ins_short SELECT 1, 'a', 2, 3, 4;
INSERT INTO ins_short (a, b, c) SELECT 1, 'a';
-- DEFAULT inside a short row, and an empty table's RETURNING.
INSERT INTO ins_short VALUES (30, DEFAULT) RETURNING a, b, c;
-- Through a view: its first N columns.
CREATE VIEW ins_short_v AS SELECT c, a, b FROM ins_short;
INSERT INTO ins_short_v VALUES (40);
INSERT INTO ins_short_v VALUES (41, 42);
SELECT a, b, c FROM ins_short WHERE c >= 40 ORDER BY c;
DROP VIEW ins_short_v;
DROP TABLE ins_short;
