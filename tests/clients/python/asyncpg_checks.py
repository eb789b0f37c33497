"""asyncpg against a server (PG* environment variables): connect (it sends
client_encoding 'utf-8' quoted), prepared statements and their
descriptions, errors at Parse and at Execute that come back at once,
transactions, copy_records_to_table / copy_from_query, create_pool and the
reset it runs when a connection goes back to the pool. One `ok`/`FAIL`
line per check."""

import datetime
import decimal
import json
import os
import sys

sys.path.insert(0, os.path.dirname(__file__))
import asyncpg  # noqa: E402
from checks import check, eq, run_async  # noqa: E402

T = "c_apg_items"
C = None


async def connect():
    global C
    C = await asyncpg.connect()
    eq(C.get_server_version().major, 15, "server major version")
    eq(C.get_settings().client_encoding, "UTF8")
    eq(C.get_settings().server_encoding, "UTF8")


async def create_table():
    await C.execute(f"DROP TABLE IF EXISTS {T}")
    await C.execute(
        f"""CREATE TABLE {T} (id serial PRIMARY KEY, name text NOT NULL UNIQUE,
            qty int4 DEFAULT 0, price numeric(8,2), born date, at timestamp, ok bool)"""
    )


async def fetch_with_params():
    await C.execute(
        f"INSERT INTO {T} (name, qty, price, born, at, ok) VALUES ($1, $2, $3, $4, $5, $6)",
        "a", 1, decimal.Decimal("2.50"), datetime.date(2000, 2, 29),
        datetime.datetime(2020, 1, 1, 12, 30, 1, 500000), True,
    )
    r = await C.fetchrow(f"SELECT name, qty, price, born, at, ok FROM {T} WHERE name = $1", "a")
    eq(tuple(r), ("a", 1, decimal.Decimal("2.50"), datetime.date(2000, 2, 29),
                  datetime.datetime(2020, 1, 1, 12, 30, 1, 500000), True))
    eq(await C.fetchval("SELECT $1::int8 * 2", 2**40), 2**41)
    eq(await C.fetchval("SELECT $1::text[]", ["x", None]), ["x", None])


async def prepared_statement():
    st = await C.prepare(f"SELECT id, name FROM {T} WHERE qty >= $1")
    eq([t.name for t in st.get_parameters()], ["int4"], "parameter types")
    eq([a.name for a in st.get_attributes()], ["id", "name"], "attribute names")
    eq([a.type.name for a in st.get_attributes()], ["int4", "text"], "attribute types")
    eq(len(await st.fetch(0)), 1)
    eq(len(await st.fetch(5)), 0)


async def executemany():
    await C.executemany(f"INSERT INTO {T} (name, qty) VALUES ($1, $2)", [(f"m{i}", i) for i in range(30)])
    eq(await C.fetchval(f"SELECT count(*) FROM {T} WHERE name LIKE 'm%'"), 30)


async def error_at_parse_does_not_hang():
    try:
        await C.fetch("SELECT * FROM c_apg_no_such_table")
        raise AssertionError("no error raised")
    except asyncpg.UndefinedTableError as e:
        eq(e.sqlstate, "42P01")
    try:
        await C.fetch("SELEKT 1")
        raise AssertionError("no error raised")
    except asyncpg.PostgresSyntaxError as e:
        eq(e.position, "1")
    eq(await C.fetchval("SELECT 1"), 1, "the connection works after the errors")


async def error_at_execute():
    try:
        await C.fetchval("SELECT 1 / $1::int4", 0)
        raise AssertionError("no error raised")
    except asyncpg.DivisionByZeroError:
        pass
    try:
        await C.execute(f"INSERT INTO {T} (name) VALUES ($1)", "a")
        raise AssertionError("no error raised")
    except asyncpg.UniqueViolationError as e:
        eq(e.constraint_name, f"{T}_name_key", "constraint")
        eq(e.table_name, T, "table")
        eq(e.schema_name, "public", "schema")
        eq(e.detail, "Key (name)=(a) already exists.", "detail")
    try:
        await C.execute(f"INSERT INTO {T} (name) VALUES (NULL)")
        raise AssertionError("no error raised")
    except asyncpg.NotNullViolationError as e:
        eq(e.column_name, "name", "column")
    eq(await C.fetchval("SELECT 2"), 2)


async def transactions():
    try:
        async with C.transaction():
            await C.execute(f"INSERT INTO {T} (name) VALUES ('t1')")
            async with C.transaction():  # a savepoint
                await C.execute(f"INSERT INTO {T} (name) VALUES ('t2')")
                raise RuntimeError("roll back the savepoint")
    except RuntimeError:
        pass
    eq(await C.fetchval(f"SELECT count(*) FROM {T} WHERE name IN ('t1', 't2')"), 0)
    async with C.transaction():
        await C.execute(f"INSERT INTO {T} (name) VALUES ('t3')")
        async with C.transaction():
            await C.execute(f"INSERT INTO {T} (name) VALUES ('t4')")
    eq(await C.fetchval(f"SELECT count(*) FROM {T} WHERE name IN ('t3', 't4')"), 2)


async def copy_records_to_table():
    n = await C.copy_records_to_table(
        T, records=[(f"r{i}", i, decimal.Decimal(i)) for i in range(100)], columns=["name", "qty", "price"]
    )
    eq(n, "COPY 100")
    eq(await C.fetchval(f"SELECT sum(price) FROM {T} WHERE name LIKE 'r%'"), decimal.Decimal(4950))


async def copy_from_query():
    import io
    buf = io.BytesIO()
    await C.copy_from_query(f"SELECT name, qty FROM {T} WHERE name IN ('m1', 'm2') ORDER BY 1", output=buf)
    eq(buf.getvalue(), b"m1\t1\nm2\t2\n")


async def cursor_in_transaction():
    async with C.transaction():
        cur = await C.cursor(f"SELECT qty FROM {T} WHERE name LIKE 'm%' ORDER BY qty")
        eq(len(await cur.fetch(10)), 10)
        eq((await cur.fetchrow())[0], 10)


async def iterate_cursor():
    async with C.transaction():
        n = 0
        async for _ in C.cursor(f"SELECT qty FROM {T} WHERE name LIKE 'm%'", prefetch=7):
            n += 1
        eq(n, 30)


async def pool_and_reset():
    pool = await asyncpg.create_pool(min_size=1, max_size=2)
    try:
        async with pool.acquire() as c:
            await c.execute("SET application_name = 'dirty'")
            eq(await c.fetchval("SELECT 1"), 1)
        # The connection went back through the pool's reset
        # (pg_advisory_unlock_all, CLOSE ALL, UNLISTEN *, RESET ALL).
        async with pool.acquire() as c:
            eq(await c.fetchval("SHOW application_name"), "", "application_name after reset")
        eq(await pool.fetchval("SELECT 40 + 2"), 42)
    finally:
        await asyncio_wait(pool.close())


async def asyncio_wait(aw):
    import asyncio
    await asyncio.wait_for(aw, 10)


async def reset_statements():
    for q in ["SELECT pg_advisory_unlock_all()", "CLOSE ALL", "UNLISTEN *", "RESET ALL"]:
        await C.execute(q)


async def advisory_locks():
    eq(await C.fetchval("SELECT pg_try_advisory_lock(42)"), True)
    eq(await C.fetchval("SELECT pg_advisory_unlock(42)"), True)


async def listener():
    import asyncio
    got = asyncio.get_running_loop().create_future()
    await C.add_listener("apg_chan", lambda *a: got.set_result(a[3]))
    other = await asyncpg.connect()
    await other.execute("NOTIFY apg_chan, 'hi'")
    await other.close()
    eq(await asyncio.wait_for(got, 5), "hi")


async def type_introspection_json():
    eq(await C.fetchval("SELECT '{\"a\": 1}'::jsonb"), '{"a": 1}')


async def custom_type_codecs():
    # set_type_codec runs asyncpg's type introspection (a recursive CTE
    # over pg_type) for the named type; a user enum and its array are
    # introspected on first use.
    await C.set_type_codec("jsonb", encoder=json.dumps, decoder=json.loads,
                           schema="pg_catalog")
    eq(await C.fetchval("SELECT $1::jsonb", {"a": [1, 2]}), {"a": [1, 2]})
    await C.execute("CREATE TYPE c_apg_mood AS ENUM ('sad', 'happy')")
    try:
        eq(await C.fetchval("SELECT ARRAY['happy', 'sad']::c_apg_mood[]"),
           ["happy", "sad"])
        eq(await C.fetchval("SELECT $1::c_apg_mood", "sad"), "sad")
    finally:
        await C.execute("DROP TYPE c_apg_mood")
    await C.reset_type_codec("jsonb", schema="pg_catalog")


async def network_and_time_types():
    import ipaddress
    tz = datetime.timezone(datetime.timedelta(hours=5, minutes=30))
    args = (ipaddress.ip_address("192.168.1.5"), ipaddress.ip_network("10.0.0.0/8"),
            datetime.time(4, 5, 6, 789000), datetime.time(4, 5, 6, tzinfo=tz))
    r = await C.fetchrow("SELECT $1::inet, $2::cidr, $3::time, $4::timetz", *args)
    eq(tuple(r), args)
    eq(await C.fetchval("SELECT '{10.0.0.1,::1}'::inet[]"),
       [ipaddress.ip_address("10.0.0.1"), ipaddress.ip_address("::1")])


async def cleanup():
    await C.execute(f"DROP TABLE {T}")
    await C.close()


if __name__ == "__main__":
    run_async([
        ("connect", connect),
        ("create_table", create_table),
        ("fetch_with_params", fetch_with_params),
        ("prepared_statement", prepared_statement),
        ("executemany", executemany),
        ("error_at_parse_does_not_hang", error_at_parse_does_not_hang),
        ("error_at_execute", error_at_execute),
        ("transactions", transactions),
        ("copy_records_to_table", copy_records_to_table),
        ("copy_from_query", copy_from_query),
        ("cursor_in_transaction", cursor_in_transaction),
        ("iterate_cursor", iterate_cursor),
        ("reset_statements", reset_statements),
        ("advisory_locks", advisory_locks),
        ("pool_and_reset", pool_and_reset),
        ("listener", listener),
        ("type_introspection_json", type_introspection_json),
        ("custom_type_codecs", custom_type_codecs),
        ("network_and_time_types", network_and_time_types),
        ("cleanup", cleanup),
    ])
