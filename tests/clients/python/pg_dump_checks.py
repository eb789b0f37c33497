"""pg_dump and pg_restore (PostgreSQL 15's) against a server (PG*
environment variables): a simple schema (serial primary key, unique and
NOT NULL columns, defaults, an index, a view, a materialized view with
a unique index, a PL/pgSQL trigger and a disabled one) dumped as SQL and in the
custom format, listed by pg_restore, and restored with psql into the same
database after dropping it, with the same rows back; a second schema
holding a table of the same name, and a dump of the restored database
identical to the first; then types, a domain, a function, a procedure,
a sequence, a table and a view given to another role, dumped with their
owners (ALTER ... OWNER TO), restored and dumped again identically. One `ok`/`FAIL` line per check."""

import os
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(__file__))
from checks import check, eq, run  # noqa: E402

BIN = "/usr/lib/postgresql/15/bin"
TMP = tempfile.mkdtemp(prefix="pgfork-dump-")
SQL = os.path.join(TMP, "dump.sql")
CUSTOM = os.path.join(TMP, "dump.custom")
ROWS = "SELECT id, name, qty, price, note FROM c_dump_items ORDER BY id"
SCHEMA_ROWS = "SELECT id, v FROM c_dump_s.c_dump_items ORDER BY id"
MV_ROWS = "SELECT id, name FROM c_dump_mv ORDER BY id"


def sh(*args, stdin=None):
    r = subprocess.run(args, input=stdin, capture_output=True, text=True, timeout=60)
    if r.returncode != 0:
        raise AssertionError(f"{os.path.basename(args[0])} exited {r.returncode}: {r.stderr.strip()[-300:]}")
    return r.stdout


def psql(sql):
    return sh(f"{BIN}/psql", "-X", "-qAt", "-v", "ON_ERROR_STOP=1", "-c", sql)


BEFORE = None


def create_schema():
    global BEFORE
    psql("DROP VIEW IF EXISTS c_dump_view")
    psql("DROP MATERIALIZED VIEW IF EXISTS c_dump_mv")
    psql("DROP TABLE IF EXISTS c_dump_items")
    psql("DROP SCHEMA IF EXISTS c_dump_s CASCADE")
    psql("CREATE SCHEMA c_dump_s")
    psql("CREATE TABLE c_dump_s.c_dump_items (id serial PRIMARY KEY, v text DEFAULT 'in s')")
    psql("CREATE INDEX c_dump_s_v ON c_dump_s.c_dump_items (v)")
    psql("INSERT INTO c_dump_s.c_dump_items (v) VALUES ('x'), (DEFAULT)")
    psql(
        "CREATE TABLE c_dump_items (id serial PRIMARY KEY, name varchar(20) NOT NULL UNIQUE,"
        " qty integer DEFAULT 5, price numeric(8,2), note text)"
    )
    psql("CREATE INDEX c_dump_items_qty ON c_dump_items (qty)")
    psql("CREATE VIEW c_dump_view AS SELECT name, qty FROM c_dump_items WHERE qty > 1")
    psql("DROP FUNCTION IF EXISTS c_dump_stamp()")
    psql(
        "CREATE FUNCTION c_dump_stamp() RETURNS trigger LANGUAGE plpgsql AS"
        " $$ BEGIN NEW.note := coalesce(NEW.note, 'stamped'); RETURN NEW; END $$"
    )
    psql(
        "CREATE TRIGGER c_dump_stamp BEFORE INSERT OR UPDATE OF note ON c_dump_items"
        " FOR EACH ROW WHEN (NEW.note IS NULL) EXECUTE FUNCTION c_dump_stamp('a b')"
    )
    psql("CREATE TRIGGER c_dump_off AFTER DELETE ON c_dump_items FOR EACH STATEMENT EXECUTE FUNCTION c_dump_stamp()")
    psql("ALTER TABLE c_dump_items DISABLE TRIGGER c_dump_off")
    psql(
        "INSERT INTO c_dump_items (name, qty, price, note) VALUES"
        " ('a', 1, 1.50, 'tab\there'), ('b', 2, NULL, 'line\nbreak'), ('c', DEFAULT, 3, NULL)"
    )
    BEFORE = psql(ROWS)
    eq(len(BEFORE.splitlines()), 4, "rows")
    psql("CREATE MATERIALIZED VIEW c_dump_mv AS SELECT id, name FROM c_dump_items WHERE qty > 1")
    psql("CREATE UNIQUE INDEX c_dump_mv_id ON c_dump_mv (id)")
    eq(psql(MV_ROWS), "2|b\n3|c\n", "materialized view rows")


def dump_plain():
    out = sh(f"{BIN}/pg_dump", "--no-owner", "-f", SQL)
    check(out == "", "pg_dump -f printed nothing")
    text = open(SQL).read()
    for want in [
        "CREATE TABLE public.c_dump_items",
        "COPY public.c_dump_items (id, name, qty, price, note) FROM stdin;",
        "CREATE INDEX c_dump_items_qty ON public.c_dump_items USING btree (qty);",
        "CREATE VIEW public.c_dump_view AS",
        "ADD CONSTRAINT c_dump_items_pkey PRIMARY KEY (id);",
        "SELECT pg_catalog.setval('public.c_dump_items_id_seq', 3, true);",
        "CREATE SCHEMA c_dump_s;",
        "CREATE TABLE c_dump_s.c_dump_items (",
        "ALTER TABLE ONLY c_dump_s.c_dump_items ALTER COLUMN id SET DEFAULT nextval('c_dump_s.c_dump_items_id_seq'::regclass);",
        "CREATE INDEX c_dump_s_v ON c_dump_s.c_dump_items USING btree (v);",
        "SELECT pg_catalog.setval('c_dump_s.c_dump_items_id_seq', 2, true);",
        "CREATE TRIGGER c_dump_stamp BEFORE INSERT OR UPDATE OF note ON public.c_dump_items FOR EACH ROW"
        " WHEN ((new.note IS NULL)) EXECUTE FUNCTION public.c_dump_stamp('a b');",
        "CREATE TRIGGER c_dump_off AFTER DELETE ON public.c_dump_items FOR EACH STATEMENT"
        " EXECUTE FUNCTION public.c_dump_stamp();",
        "ALTER TABLE public.c_dump_items DISABLE TRIGGER c_dump_off;",
        "CREATE MATERIALIZED VIEW public.c_dump_mv AS",
        "  WHERE (c_dump_items.qty > 1)\n  WITH NO DATA;",
        "CREATE UNIQUE INDEX c_dump_mv_id ON public.c_dump_mv USING btree (id);",
        "REFRESH MATERIALIZED VIEW public.c_dump_mv;",
    ]:
        check(want in text, f"dump lacks {want!r}")


def dump_schema_only():
    text = sh(f"{BIN}/pg_dump", "--schema-only", "-t", "c_dump_items")
    check("CREATE TABLE public.c_dump_items" in text, "no CREATE TABLE")
    check("COPY " not in text, "data in a schema-only dump")


def dump_custom_and_list():
    sh(f"{BIN}/pg_dump", "-Fc", "-f", CUSTOM)
    listing = sh(f"{BIN}/pg_restore", "-l", CUSTOM)
    for want in ["TABLE public c_dump_items", "TABLE DATA public c_dump_items", "INDEX public c_dump_items_qty"]:
        check(want in listing, f"listing lacks {want!r}")


def without_restrict_keys(text):
    """pg_dump's \\restrict lines carry a random key."""
    return "\n".join(l for l in text.splitlines() if not l.startswith(("\\restrict", "\\unrestrict")))


def restore_round_trip():
    schema_rows = psql(SCHEMA_ROWS)
    mv_rows = psql(MV_ROWS)
    psql("DROP VIEW c_dump_view")
    psql("DROP MATERIALIZED VIEW c_dump_mv")
    psql("DROP TABLE c_dump_items")
    psql("DROP FUNCTION c_dump_stamp()")
    psql("DROP SCHEMA c_dump_s CASCADE")
    sh(f"{BIN}/psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", "-f", SQL)
    eq(psql(ROWS), BEFORE, "rows after restore")
    eq(psql(SCHEMA_ROWS), schema_rows, "rows of the second schema after restore")
    eq(psql(MV_ROWS), mv_rows, "materialized view rows after restore")
    again = sh(f"{BIN}/pg_dump", "--no-owner")
    eq(without_restrict_keys(again), without_restrict_keys(open(SQL).read()), "dump after restore")
    eq(psql("INSERT INTO c_dump_items (name) VALUES ('d') RETURNING id, qty"), "4|5\n", "sequence and default")


def cleanup():
    psql("DROP SCHEMA IF EXISTS c_dump_s CASCADE")
    psql("DROP VIEW IF EXISTS c_dump_view")
    psql("DROP MATERIALIZED VIEW IF EXISTS c_dump_mv")
    psql("DROP TABLE IF EXISTS c_dump_items")
    psql("DROP FUNCTION IF EXISTS c_dump_stamp()")


OWNED = os.path.join(TMP, "owned.sql")


def drop_owned_objects():
    psql("DROP VIEW IF EXISTS c_dump_o_view")
    psql("DROP TABLE IF EXISTS c_dump_o_items")
    psql("DROP SEQUENCE IF EXISTS c_dump_o_seq")
    psql("DROP FUNCTION IF EXISTS c_dump_o_double(integer)")
    psql("DROP PROCEDURE IF EXISTS c_dump_o_proc(integer)")
    psql("DROP TYPE IF EXISTS c_dump_o_pair")
    psql("DROP TYPE IF EXISTS c_dump_o_mood")
    psql("DROP DOMAIN IF EXISTS c_dump_o_positive")


def owners_round_trip():
    """A dump with owners (pg_dump's default) restores: it writes ALTER
    FUNCTION, PROCEDURE, TYPE, DOMAIN, SEQUENCE and TABLE ... OWNER TO
    after each object."""
    drop_owned_objects()
    psql("DROP ROLE IF EXISTS c_dump_owner")
    psql("CREATE ROLE c_dump_owner")
    psql("CREATE TYPE c_dump_o_mood AS ENUM ('sad', 'ok')")
    psql("CREATE TYPE c_dump_o_pair AS (a integer, b text)")
    psql("CREATE DOMAIN c_dump_o_positive AS integer CHECK (VALUE > 0)")
    psql("CREATE FUNCTION c_dump_o_double(integer) RETURNS integer LANGUAGE sql AS 'SELECT $1 * 2'")
    psql("CREATE PROCEDURE c_dump_o_proc(integer) LANGUAGE sql AS 'SELECT 1'")
    psql("CREATE SEQUENCE c_dump_o_seq")
    psql("CREATE TABLE c_dump_o_items (id integer, mood c_dump_o_mood, n c_dump_o_positive)")
    psql("CREATE VIEW c_dump_o_view AS SELECT id, c_dump_o_double(id) AS twice FROM c_dump_o_items")
    psql("INSERT INTO c_dump_o_items VALUES (1, 'ok', 3)")
    for stmt in [
        "ALTER TYPE c_dump_o_mood OWNER TO c_dump_owner",
        "ALTER TYPE c_dump_o_pair OWNER TO c_dump_owner",
        "ALTER DOMAIN c_dump_o_positive OWNER TO c_dump_owner",
        "ALTER FUNCTION c_dump_o_double(integer) OWNER TO c_dump_owner",
        "ALTER PROCEDURE c_dump_o_proc(integer) OWNER TO c_dump_owner",
        "ALTER SEQUENCE c_dump_o_seq OWNER TO c_dump_owner",
        "ALTER TABLE c_dump_o_items OWNER TO c_dump_owner",
        "ALTER VIEW c_dump_o_view OWNER TO c_dump_owner",
    ]:
        psql(stmt)
    sh(f"{BIN}/pg_dump", "-f", OWNED)
    text = open(OWNED).read()
    for want in [
        "ALTER TYPE public.c_dump_o_mood OWNER TO c_dump_owner;",
        "ALTER TYPE public.c_dump_o_pair OWNER TO c_dump_owner;",
        "ALTER DOMAIN public.c_dump_o_positive OWNER TO c_dump_owner;",
        "ALTER FUNCTION public.c_dump_o_double(integer) OWNER TO c_dump_owner;",
        "ALTER PROCEDURE public.c_dump_o_proc(IN integer) OWNER TO c_dump_owner;",
        "ALTER TABLE public.c_dump_o_seq OWNER TO c_dump_owner;",
        "ALTER TABLE public.c_dump_o_items OWNER TO c_dump_owner;",
        "ALTER TABLE public.c_dump_o_view OWNER TO c_dump_owner;",
    ]:
        check(want in text, f"dump lacks {want!r}")
    drop_owned_objects()
    sh(f"{BIN}/psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", "-f", OWNED)
    eq(psql("SELECT id, mood, n FROM c_dump_o_items"), "1|ok|3\n", "rows after restore")
    eq(
        psql("SELECT proname, proowner::regrole FROM pg_proc WHERE proname LIKE 'c_dump_o%' ORDER BY 1"),
        "c_dump_o_double|c_dump_owner\nc_dump_o_proc|c_dump_owner\n",
        "routine owners after restore",
    )
    again = sh(f"{BIN}/pg_dump")
    eq(without_restrict_keys(again), without_restrict_keys(text), "dump after restore")
    drop_owned_objects()
    psql("DROP ROLE c_dump_owner")


if __name__ == "__main__":
    run([
        ("create_schema", create_schema),
        ("dump_plain", dump_plain),
        ("dump_schema_only", dump_schema_only),
        ("dump_custom_and_list", dump_custom_and_list),
        ("restore_round_trip", restore_round_trip),
        ("cleanup", cleanup),
        ("owners_round_trip", owners_round_trip),
    ])
