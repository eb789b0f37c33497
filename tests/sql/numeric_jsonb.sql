-- jsonb numbers beyond 38 digits (jsonb numbers are numeric): input,
-- canonical output, comparison, containment, casts out of jsonb and
-- numbers too large for numeric.
select '123456789012345678901234567890123456789012345678901234567890.123456789'::jsonb;
select '{"a": 1e100, "b": -0.0000000000000000000000000000000000000000001, "c": [1e-50, 12345678901234567890123456789012345678901]}'::jsonb;
select '1e100'::jsonb = '10000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000'::jsonb;
select '{"n": 123456789012345678901234567890123456789012}'::jsonb @> '{"n": 123456789012345678901234567890123456789012.0}'::jsonb;
select ('{"n": 123456789012345678901234567890123456789012.5}'::jsonb -> 'n')::numeric * 2;
select ('{"n": 123456789012345678901234567890123456789012.5}'::jsonb ->> 'n');
select ('{"n": 1e50}'::jsonb -> 'n')::float8, ('{"n": 1e50}'::jsonb -> 'n')::numeric(60,2);
select ('{"n": 1e50}'::jsonb -> 'n')::int8;
select '1e131072'::jsonb;
select '[1e-16384]'::jsonb;
select '1e131071'::jsonb = '1e131071'::jsonb;
select j from (values ('1e40'::jsonb), ('-1e40'), ('1e39'), ('12345678901234567890123456789012345678901')) t(j) order by j;
select to_jsonb(factorial(40)), to_json(2::numeric ^ 150), jsonb_build_object('big', 1e45::numeric);
select jsonb_typeof('1e60'::jsonb), '99999999999999999999999999999999999999999'::json;
select sum((j ->> 'v')::numeric) from (values ('{"v": 1e40}'::jsonb), ('{"v": 1e40}'), ('{"v": 0.5}')) t(j);
