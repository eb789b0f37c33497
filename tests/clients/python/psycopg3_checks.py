"""psycopg 3 against a server (PGHOST/PGPORT/PGUSER/PGDATABASE from the
environment): connection and its parameters, CRUD with text and binary
parameters, prepared statements, pipeline mode, COPY, errors and their
diagnostic fields, transactions, server-side cursors, notices, async.
One `ok`/`FAIL` line per check (python/checks.py)."""

import asyncio
import datetime
import decimal
import os
import sys

sys.path.insert(0, os.path.dirname(__file__))
import psycopg  # noqa: E402
from psycopg import errors  # noqa: E402
from checks import check, eq, run, run_async  # noqa: E402

T = "c_pg3_items"
C = None  # the shared connection (autocommit)


def connect():
    global C
    C = psycopg.connect(autocommit=True)
    eq(C.info.server_version // 10000, 15, "server major version")
    eq(C.info.encoding, "utf-8", "client encoding")


REPORTED = [
    "server_version", "server_encoding", "client_encoding", "application_name",
    "DateStyle", "IntervalStyle", "TimeZone", "integer_datetimes",
    "standard_conforming_strings", "is_superuser", "session_authorization",
    "default_transaction_read_only", "in_hot_standby",
]


def parameter_status():
    missing = [p for p in REPORTED if C.info.parameter_status(p) is None]
    eq(missing, [], "ParameterStatus not sent at startup")
    eq(C.info.parameter_status("integer_datetimes"), "on")
    eq(C.info.parameter_status("standard_conforming_strings"), "on")
    eq(C.info.parameter_status("server_encoding"), "UTF8")


def parameter_status_on_set():
    C.execute("SET application_name = 'pg3 check'")
    eq(C.info.parameter_status("application_name"), "pg3 check")
    C.execute("SET DateStyle = 'ISO, DMY'")
    eq(C.info.parameter_status("DateStyle"), "ISO, DMY")
    C.execute("RESET ALL")
    eq(C.info.parameter_status("DateStyle"), "ISO, MDY", "DateStyle after RESET ALL")
    eq(C.info.parameter_status("application_name"), "", "application_name after RESET ALL")


def client_encoding_names():
    C.execute("SET client_encoding = 'unicode'")
    eq(C.info.parameter_status("client_encoding"), "UTF8")
    C.execute("SET client_encoding = 'utf-8'")
    eq(C.execute("SHOW client_encoding").fetchone()[0], "UTF8")
    try:
        C.execute("SET client_encoding = 'no-such-encoding'")
        raise AssertionError("no error raised")
    except errors.InvalidParameterValue as e:
        eq(e.diag.message_primary, 'invalid value for parameter "client_encoding": "no-such-encoding"')


def startup_options():
    with psycopg.connect(options="-c statement_timeout=1234 -c search_path=public") as c:
        eq(c.execute("SHOW statement_timeout").fetchone()[0], "1234ms")
        eq(c.execute("SHOW search_path").fetchone()[0], "public")


def application_name_in_activity():
    with psycopg.connect(application_name="pg3-app") as c:
        eq(c.info.parameter_status("application_name"), "pg3-app")
        r = c.execute(
            "SELECT application_name FROM pg_stat_activity WHERE pid = pg_backend_pid()"
        ).fetchone()
        eq(r[0], "pg3-app")


def create_table():
    C.execute(f"DROP TABLE IF EXISTS {T}")
    C.execute(
        f"""CREATE TABLE {T} (
            id serial PRIMARY KEY,
            name text NOT NULL UNIQUE,
            price numeric(10,2),
            qty integer DEFAULT 0,
            added date DEFAULT '2024-01-02',
            data bytea,
            flag boolean)"""
    )


def crud_text_params():
    cur = C.execute(
        f"INSERT INTO {T} (name, price, qty) VALUES (%s, %s, %s) RETURNING id",
        ("apple", decimal.Decimal("1.25"), 3),
    )
    eq(cur.fetchone()[0], 1, "serial id")
    C.execute(f"UPDATE {T} SET qty = qty + %s WHERE name = %s", (2, "apple"))
    r = C.execute(f"SELECT name, price, qty, added FROM {T} WHERE id = %s", (1,)).fetchone()
    eq(r, ("apple", decimal.Decimal("1.25"), 5, datetime.date(2024, 1, 2)))
    cur = C.execute(f"DELETE FROM {T} WHERE name = %s", ("nothing",))
    eq(cur.rowcount, 0, "rowcount")


def binary_params_and_results():
    cur = C.cursor(binary=True)
    cur.execute(
        f"INSERT INTO {T} (name, price, qty, data, flag) VALUES (%b, %b, %b, %b, %b) RETURNING *",
        ("pear", decimal.Decimal("-12.50"), 2**31 - 1, b"\x00\x01\xff", True),
    )
    r = cur.fetchone()
    eq(r[1:], ("pear", decimal.Decimal("-12.50"), 2**31 - 1, datetime.date(2024, 1, 2), b"\x00\x01\xff", True))
    cur.execute("SELECT %b::int8, %b::float8, %b::text, %b::int4[]", (2**40, 0.5, "héllo", [1, None, 3]))
    eq(cur.fetchone(), (2**40, 0.5, "héllo", [1, None, 3]))


def row_description_source_column():
    cur = C.execute(f"SELECT id, name, price + 1 AS p FROM {T} LIMIT 1")
    oid = C.execute(f"SELECT '{T}'::regclass::oid").fetchone()[0]
    res = cur.pgresult
    eq([res.ftable(i) for i in range(3)], [oid, oid, 0], "table OIDs")
    eq([res.ftablecol(i) for i in range(3)], [1, 2, 0], "column numbers")


def executemany():
    with C.cursor() as cur:
        cur.executemany(
            f"INSERT INTO {T} (name, qty) VALUES (%s, %s)",
            [(f"item{i}", i) for i in range(20)],
        )
    eq(C.execute(f"SELECT count(*), sum(qty) FROM {T} WHERE name LIKE 'item%%'").fetchone(), (20, 190))


def prepared_statements():
    for i in range(8):
        r = C.execute(f"SELECT qty FROM {T} WHERE name = %s", (f"item{i}",), prepare=True).fetchone()
        eq(r[0], i)


def pipeline_mode():
    with C.pipeline():
        c1 = C.execute("SELECT 1")
        c2 = C.execute(f"SELECT count(*) FROM {T} WHERE qty > %s", (10,))
        C.execute(f"UPDATE {T} SET flag = false WHERE flag IS NULL")
    eq(c1.fetchone()[0], 1)
    eq(c2.fetchone()[0], 10)  # item11..item19 and pear


def pipeline_error_recovers():
    try:
        with C.pipeline():
            C.execute("SELECT 1")
            C.execute("SELECT * FROM c_pg3_no_such_table")
            C.execute("SELECT 2")
        raise AssertionError("no error raised")
    except errors.UndefinedTable:
        pass
    eq(C.execute("SELECT 3").fetchone()[0], 3, "after the failed pipeline")


def copy_from_and_to():
    with C.cursor() as cur:
        with cur.copy(f"COPY {T} (name, qty, price) FROM STDIN") as cp:
            for i in range(100):
                cp.write_row((f"copied{i}", i, decimal.Decimal(i) / 4))
            cp.write_row(("tab\tand\\slash", None, None))
    eq(C.execute(f"SELECT count(*) FROM {T} WHERE name LIKE 'copied%%'").fetchone()[0], 100)
    out = []
    with C.cursor() as cur:
        with cur.copy(f"COPY (SELECT name, qty FROM {T} WHERE name LIKE 'copied1%%' OR qty IS NULL ORDER BY name) TO STDOUT") as cp:
            for row in cp.rows():
                out.append(row)
    eq(len(out), 12, "rows copied out")
    check(("tab\tand\\slash", None) in out, f"escaped row: {out[:3]}")


def copy_binary():
    with C.cursor() as cur:
        with cur.copy(f"COPY {T} (name, qty) FROM STDIN (FORMAT BINARY)") as cp:
            cp.set_types(["text", "int4"])
            cp.write_row(("binary1", 7))
    eq(C.execute(f"SELECT qty FROM {T} WHERE name = 'binary1'").fetchone()[0], 7)


def copy_options_and_binary_out():
    with C.cursor() as cur:
        with cur.copy(f"COPY {T} (name, qty) FROM STDIN (DELIMITER '|', NULL 'NIL')") as cp:
            cp.write("pipe\\|one|NIL\npipe two|4\n")
    with C.cursor() as cur:
        with cur.copy(f"COPY (SELECT name, qty FROM {T} WHERE name LIKE 'pipe%%' ORDER BY 1) TO STDOUT (DELIMITER '|', NULL '')") as cp:
            eq(b"".join(bytes(b) for b in cp), b"pipe two|4\npipe\\|one|\n")
    with C.cursor() as cur:
        with cur.copy(f"COPY (SELECT name, qty, price FROM {T} WHERE name LIKE 'pipe%%' ORDER BY 1) TO STDOUT (FORMAT BINARY)") as cp:
            cp.set_types(["text", "int4", "numeric"])
            eq(list(cp.rows()), [("pipe two", 4, None), ("pipe|one", None, None)])
    for sql, state in [
        (f"COPY {T} TO STDOUT (FORMAT binary, DELIMITER ',')", "42601"),
        (f"COPY {T} TO STDOUT (DELIMITER 'a')", "22023"),
        (f"COPY {T} TO STDOUT (FORMAT xml)", "22023"),
    ]:
        try:
            C.execute(sql)
            raise AssertionError(f"no error for {sql}")
        except psycopg.Error as e:
            eq(e.sqlstate, state, sql)


def unique_violation_diag():
    try:
        C.execute(f"INSERT INTO {T} (name) VALUES ('apple')")
        raise AssertionError("no error raised")
    except errors.UniqueViolation as e:
        d = e.diag
        eq(d.sqlstate, "23505")
        eq(d.severity_nonlocalized, "ERROR")
        eq(d.schema_name, "public", "schema")
        eq(d.table_name, T, "table")
        eq(d.constraint_name, f"{T}_name_key", "constraint")
        eq(d.message_detail, "Key (name)=(apple) already exists.", "detail")


def not_null_violation_diag():
    try:
        C.execute(f"INSERT INTO {T} (qty) VALUES (1)")
        raise AssertionError("no error raised")
    except errors.NotNullViolation as e:
        eq(e.diag.sqlstate, "23502")
        eq(e.diag.schema_name, "public", "schema")
        eq(e.diag.table_name, T, "table")
        eq(e.diag.column_name, "name", "column")


def syntax_error_position():
    try:
        C.execute("SELECT 1 FROM WHERE")
        raise AssertionError("no error raised")
    except errors.SyntaxError as e:
        eq(e.diag.sqlstate, "42601")
        eq(e.diag.statement_position, "15")


def undefined_table_then_usable():
    try:
        C.execute("SELECT * FROM c_pg3_missing WHERE x = %s", (1,))
        raise AssertionError("no error raised")
    except errors.UndefinedTable as e:
        eq(e.diag.message_primary, 'relation "c_pg3_missing" does not exist')
    eq(C.execute("SELECT 42").fetchone()[0], 42)


def transactions_and_savepoints():
    with psycopg.connect() as c:  # not autocommit: psycopg opens the block
        c.execute(f"INSERT INTO {T} (name) VALUES ('tx1')")
        try:
            with c.transaction():
                c.execute(f"INSERT INTO {T} (name) VALUES ('tx2')")
                c.execute(f"INSERT INTO {T} (name) VALUES ('tx1')")
        except errors.UniqueViolation:
            pass
        eq(c.info.transaction_status, psycopg.pq.TransactionStatus.INTRANS)
        c.commit()
    r = C.execute(f"SELECT name FROM {T} WHERE name LIKE 'tx%%' ORDER BY 1").fetchall()
    eq(r, [("tx1",)])


def server_side_cursor():
    with psycopg.connect() as c:
        with c.cursor(name="pg3_named") as cur:
            cur.itersize = 7
            cur.execute(f"SELECT qty FROM {T} WHERE name LIKE 'copied%%' ORDER BY qty")
            eq(cur.fetchmany(3), [(0,), (1,), (2,)])
            eq(len(cur.fetchall()), 97)


def notices():
    got = []
    C.add_notice_handler(lambda d: got.append((d.severity_nonlocalized, d.sqlstate, d.message_primary)))
    C.execute("DROP TABLE IF EXISTS c_pg3_never_there")
    eq(got, [("NOTICE", "00000", 'table "c_pg3_never_there" does not exist, skipping')])


def uuid_json_types():
    import uuid
    u = uuid.UUID("12345678-1234-5678-1234-567812345678")
    r = C.execute("SELECT %s::uuid, %s::jsonb->>'a'", (u, '{"a": "b"}')).fetchone()
    eq(r, (u, "b"))


def network_and_time_types():
    import datetime
    import ipaddress
    tz = datetime.timezone(datetime.timedelta(hours=-8))
    args = (ipaddress.ip_address("192.168.1.5"), ipaddress.ip_network("10.0.0.0/8"),
            ipaddress.ip_interface("2001:db8::1/64"), datetime.time(4, 5, 6, 789000),
            datetime.time(4, 5, 6, tzinfo=tz))
    for binary in (False, True):
        r = C.cursor(binary=binary).execute(
            "SELECT %s::inet, %s::cidr, %s, %s::time, %s::timetz", args).fetchone()
        eq(r, args, f"binary={binary}")


def timestamptz_session_zone():
    C.execute("SET TimeZone = 'Europe/Paris'")
    try:
        r = C.execute("SELECT '2024-07-01 12:00:00+00'::timestamptz::text").fetchone()[0]
        eq(r, "2024-07-01 14:00:00+02")
    finally:
        C.execute("RESET TimeZone")


def listen_notify():
    C.execute("LISTEN pg3_chan")
    with psycopg.connect(autocommit=True) as other:
        other.execute("NOTIFY pg3_chan, 'hello'")
    gen = C.notifies(timeout=5, stop_after=1)
    got = [(n.channel, n.payload) for n in gen]
    eq(got, [("pg3_chan", "hello")])
    C.execute("UNLISTEN *")


async def async_connect_and_query():
    async with await psycopg.AsyncConnection.connect(autocommit=True) as c:
        cur = await c.execute(f"SELECT count(*) FROM {T} WHERE name = %s", ("apple",))
        eq((await cur.fetchone())[0], 1)
        cur = c.cursor(binary=True)
        await cur.execute("SELECT %s::int4 + 1", (41,))
        eq((await cur.fetchone())[0], 42)


async def async_error_and_copy():
    async with await psycopg.AsyncConnection.connect(autocommit=True) as c:
        try:
            await c.execute("SELECT 1/0")
            raise AssertionError("no error raised")
        except errors.DivisionByZero:
            pass
        async with c.cursor() as cur:
            async with cur.copy(f"COPY {T} (name) FROM STDIN") as cp:
                await cp.write_row(("async-copied",))
        cur = await c.execute(f"SELECT count(*) FROM {T} WHERE name = 'async-copied'")
        eq((await cur.fetchone())[0], 1)


async def async_pipeline():
    async with await psycopg.AsyncConnection.connect(autocommit=True) as c:
        async with c.pipeline():
            a = await c.execute("SELECT 1")
            b = await c.execute("SELECT %s::text", ("x",))
        eq((await a.fetchone())[0], 1)
        eq((await b.fetchone())[0], "x")


def cleanup():
    C.execute(f"DROP TABLE {T}")
    C.close()


if __name__ == "__main__":
    run([
        ("connect", connect),
        ("parameter_status", parameter_status),
        ("parameter_status_on_set", parameter_status_on_set),
        ("client_encoding_names", client_encoding_names),
        ("startup_options", startup_options),
        ("application_name_in_activity", application_name_in_activity),
        ("create_table", create_table),
        ("crud_text_params", crud_text_params),
        ("binary_params_and_results", binary_params_and_results),
        ("row_description_source_column", row_description_source_column),
        ("executemany", executemany),
        ("prepared_statements", prepared_statements),
        ("pipeline_mode", pipeline_mode),
        ("pipeline_error_recovers", pipeline_error_recovers),
        ("copy_from_and_to", copy_from_and_to),
        ("copy_binary", copy_binary),
        ("copy_options_and_binary_out", copy_options_and_binary_out),
        ("unique_violation_diag", unique_violation_diag),
        ("not_null_violation_diag", not_null_violation_diag),
        ("syntax_error_position", syntax_error_position),
        ("undefined_table_then_usable", undefined_table_then_usable),
        ("transactions_and_savepoints", transactions_and_savepoints),
        ("server_side_cursor", server_side_cursor),
        ("notices", notices),
        ("uuid_json_types", uuid_json_types),
        ("network_and_time_types", network_and_time_types),
        ("timestamptz_session_zone", timestamptz_session_zone),
        ("listen_notify", listen_notify),
    ])
    run_async([
        ("async_connect_and_query", async_connect_and_query),
        ("async_error_and_copy", async_error_and_copy),
        ("async_pipeline", async_pipeline),
    ])
    run([("cleanup", cleanup)])
