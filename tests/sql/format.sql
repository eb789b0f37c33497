-- format(), concat() and concat_ws() print each argument with its type's
-- output function (PostgreSQL's VARIADIC "any").
SELECT format('Hello %s', 'World'), format('%s', NULL), format(NULL), format('plain');
SELECT format('INSERT INTO %I VALUES(%L)', 'Foo bar', E'O''Reilly'), format('%I', 'select'), format('%L', NULL::text);
SELECT format('|%10s|%-10s|', 'foo', 'bar'), format('|%*s|%-*s|', 5, 'ab', -4, 'c'), format('%2$s %1$s %s', 'a', 'b', 'c');
SELECT format('%s %s %s', true, 1.50, ARRAY[1,2]), format('%s', 12::int2), format('%L', 3), format('%%');
SELECT format('%s', '2024-01-02'::date), format('%L', 'a\b'::text), format('%3$s', 1, 2);
SELECT format('%s %s', 'a');
SELECT format('%x', 1);
SELECT format('abc %');
SELECT format('%0$s', 'a');
SELECT format('%I', NULL);
SELECT concat(true, 1.50, NULL, 'x', 2::int8), concat_ws(',', 1, false, NULL, 'z'), concat(), concat_ws(NULL, 'a');
SELECT format('%s FROM %s', 'a', 'pg_class'::regclass), concat('t', 'pg_class'::regclass);
