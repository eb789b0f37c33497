-- Integer bitwise operators (&, |, #, <<, >>) of smallint, integer and
-- bigint: result types, shifts past the width, NULLs, an int2vector
-- element & smallint as PgJDBC's getIndexInfo computes ASC_OR_DESC, and
-- an operand that is no integer.
select 5 & 3, 5 | 3, 5 # 3, 1 << 4, 256 >> 2, -8 >> 1;
select 5::int2 & 3::int2, pg_typeof(5::int2 & 3::int2), pg_typeof(5::int2 & 3), pg_typeof(5::int8 & 3);
select 1::int2 << 15, 1::int2 << 16, 1 << 31, 1 << 32, 1::int8 << 63, 1::int8 << 64;
select null::int & 1, 1 | null::int;
select indoption[0] & 1::smallint from pg_index where false;
select 'a' & 1;
