-- ORDER BY and GROUP BY positions: an integer constant, with a minus
-- sign folded into it, is a position; anything else is an expression.
CREATE TABLE obp (a int, b text);
INSERT INTO obp VALUES (2, 'x'), (1, 'y'), (3, 'x');
SELECT a, b FROM obp ORDER BY 2, 1;
SELECT a FROM obp ORDER BY -1;
SELECT a FROM obp ORDER BY 0;
SELECT a FROM obp ORDER BY 2;
SELECT a FROM obp ORDER BY 1 DESC;
SELECT a FROM obp ORDER BY -a;
SELECT a FROM obp ORDER BY 1.5, a;
SELECT a FROM obp ORDER BY 99999999999, a;
SELECT a FROM obp ORDER BY 'k', a;
SELECT a FROM obp ORDER BY NULL, a;
SELECT a FROM obp ORDER BY -1.5;
SELECT b, count(*) FROM obp GROUP BY 1 ORDER BY 1;
SELECT b, count(*) FROM obp GROUP BY 1.5;
SELECT b, count(*) FROM obp GROUP BY -1;
SELECT b, count(*) FROM obp GROUP BY 3;
SELECT a FROM obp UNION SELECT 5 ORDER BY 1;
SELECT a FROM obp UNION SELECT 5 ORDER BY -1;
DROP TABLE obp;
