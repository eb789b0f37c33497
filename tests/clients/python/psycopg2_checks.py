"""psycopg2 against a server (PG* environment variables): connection,
CRUD with parameters, execute_values, copy_from/copy_expert, errors and
their diagnostics, transactions, named (server-side) cursors, the hstore
probe SQLAlchemy and others run. One `ok`/`FAIL` line per check."""

import io
import os
import sys

sys.path.insert(0, os.path.dirname(__file__))
import psycopg2  # noqa: E402
import psycopg2.errors  # noqa: E402
import psycopg2.extras  # noqa: E402
from checks import eq, run  # noqa: E402

T = "c_pg2_items"
C = None


def connect():
    global C
    C = psycopg2.connect("")
    C.autocommit = True
    eq(C.server_version // 10000, 15, "server major version")
    eq(C.encoding, "UTF8")
    eq(C.get_parameter_status("standard_conforming_strings"), "on")


def create_table():
    cur = C.cursor()
    cur.execute(f"DROP TABLE IF EXISTS {T}")
    cur.execute(
        f"CREATE TABLE {T} (id serial PRIMARY KEY, name varchar(40) NOT NULL UNIQUE, qty int DEFAULT 1, price numeric)"
    )


def crud():
    cur = C.cursor()
    cur.execute(f"INSERT INTO {T} (name, price) VALUES (%s, %s) RETURNING id, qty", ("one", 1.5))
    eq(cur.fetchone(), (1, 1))
    cur.execute(f"UPDATE {T} SET qty = %(q)s WHERE name = %(n)s", {"q": 9, "n": "one"})
    eq(cur.rowcount, 1, "rowcount")
    cur.execute(f"SELECT name, qty, price::text FROM {T}")
    eq(cur.fetchall(), [("one", 9, "1.5")])
    eq([d.name for d in cur.description], ["name", "qty", "price"])
    cur.execute(f"DELETE FROM {T} WHERE qty = %s", (9,))
    eq(cur.rowcount, 1, "deleted")


def quoting_of_literals():
    cur = C.cursor()
    cur.execute("SELECT %s, %s, %s, %s", ("it's", None, True, [1, 2, 3]))
    eq(cur.fetchone(), ("it's", None, True, [1, 2, 3]))


def execute_values():
    cur = C.cursor()
    psycopg2.extras.execute_values(
        cur,
        f"INSERT INTO {T} (name, qty) VALUES %s RETURNING id",
        [(f"v{i}", i) for i in range(250)],
        page_size=100,
        fetch=True,
    )
    cur.execute(f"SELECT count(*), sum(qty) FROM {T} WHERE name LIKE 'v%%'")
    eq(cur.fetchone(), (250, sum(range(250))))


def execute_batch():
    cur = C.cursor()
    psycopg2.extras.execute_batch(cur, f"UPDATE {T} SET price = %s WHERE name = %s", [(i, f"v{i}") for i in range(10)])
    cur.execute(f"SELECT sum(price) FROM {T}")
    eq(int(cur.fetchone()[0]), 45)


def copy_from():
    cur = C.cursor()
    data = io.StringIO("".join(f"c{i}\t{i}\n" for i in range(50)) + "from\\ttab\t\\N\n")
    cur.copy_from(data, T, columns=("name", "qty"))
    cur.execute(f"SELECT count(*) FROM {T} WHERE name LIKE 'c%%' OR name = 'from\ttab'")
    eq(cur.fetchone()[0], 51)


def copy_expert_out():
    cur = C.cursor()
    out = io.StringIO()
    cur.execute(f"INSERT INTO {T} (name, qty) VALUES ('with\ttab', NULL)")
    cur.copy_expert(f"COPY (SELECT name, qty FROM {T} WHERE name IN ('v1', 'with\ttab') ORDER BY 1) TO STDOUT", out)
    eq(out.getvalue(), "v1\t1\nwith\\ttab\t\\N\n")


def copy_csv():
    cur = C.cursor()
    cur.copy_expert(f"COPY {T} (name, qty) FROM STDIN WITH (FORMAT csv)", io.StringIO('"csv, one",5\n'))
    cur.execute(f"SELECT qty FROM {T} WHERE name = 'csv, one'")
    eq(cur.fetchone()[0], 5)


def errors_and_diag():
    cur = C.cursor()
    try:
        cur.execute(f"INSERT INTO {T} (name) VALUES ('v1')")
        raise AssertionError("no error raised")
    except psycopg2.errors.UniqueViolation as e:
        eq(e.pgcode, "23505")
        eq(e.diag.constraint_name, f"{T}_name_key", "constraint")
        eq(e.diag.table_name, T, "table")
    try:
        cur.execute("SELECT 1/0")
        raise AssertionError("no error raised")
    except psycopg2.errors.DivisionByZero as e:
        eq(e.pgerror.splitlines()[0], "ERROR:  division by zero")
    cur.execute("SELECT 1")
    eq(cur.fetchone()[0], 1)


def transaction_rollback():
    c = psycopg2.connect("")
    cur = c.cursor()
    cur.execute(f"INSERT INTO {T} (name) VALUES ('rolled back')")
    try:
        cur.execute("SELECT * FROM c_pg2_nothing")
    except psycopg2.errors.UndefinedTable:
        pass
    try:
        cur.execute("SELECT 1")
        raise AssertionError("a failed transaction accepted a query")
    except psycopg2.errors.InFailedSqlTransaction:
        pass
    c.rollback()
    cur.execute(f"SELECT count(*) FROM {T} WHERE name = 'rolled back'")
    eq(cur.fetchone()[0], 0)
    c.close()


def named_cursor():
    c = psycopg2.connect("")
    cur = c.cursor("pg2_named")
    cur.itersize = 10
    cur.execute(f"SELECT qty FROM {T} WHERE name LIKE 'v%%' ORDER BY qty")
    eq(len(list(cur)), 250)
    cur.close()
    c.close()


def hstore_probe():
    # What psycopg2.extras.register_hstore (and SQLAlchemy) asks.
    eq(psycopg2.extras.HstoreAdapter.get_oids(C), ((), ()))


def dict_cursor():
    cur = C.cursor(cursor_factory=psycopg2.extras.RealDictCursor)
    cur.execute(f"SELECT name, qty FROM {T} WHERE name = 'v2'")
    eq(cur.fetchone(), {"name": "v2", "qty": 2})


def cleanup():
    C.cursor().execute(f"DROP TABLE {T}")
    C.close()


if __name__ == "__main__":
    run([
        ("connect", connect),
        ("create_table", create_table),
        ("crud", crud),
        ("quoting_of_literals", quoting_of_literals),
        ("execute_values", execute_values),
        ("execute_batch", execute_batch),
        ("copy_from", copy_from),
        ("copy_expert_out", copy_expert_out),
        ("copy_csv", copy_csv),
        ("errors_and_diag", errors_and_diag),
        ("transaction_rollback", transaction_rollback),
        ("named_cursor", named_cursor),
        ("hstore_probe", hstore_probe),
        ("dict_cursor", dict_cursor),
        ("cleanup", cleanup),
    ])
