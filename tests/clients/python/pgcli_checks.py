"""pgcli (and pgspecial, its backslash commands) against a server (PG*
environment variables), non-interactively: `pgcli --ping`, `pgcli -c`
with SQL, backslash commands run as pgcli runs them, and the completion
refresher (every
refresher pgcli runs in the background at startup: schemata, tables,
views, types, databases, functions) feeding completions of a query.

The backslash commands' output is not judged here: it goes to
CHECK_OUTPUT_DIR/NAME.out (timings masked) and tests/clients/mod.rs
compares pgfork's with PostgreSQL 15's. One `ok`/`FAIL` line per other
check (python/checks.py)."""

import os
import re
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(__file__))
from checks import check, eq, run  # noqa: E402

BIN = os.path.join(os.path.dirname(sys.executable), "pgcli")
OUTPUT_DIR = os.environ.get("CHECK_OUTPUT_DIR") or tempfile.mkdtemp(prefix="pgcli-out-")
# pgcli writes its config, history and log under XDG_CONFIG_HOME.
HOME = tempfile.mkdtemp(prefix="pgcli-home-")
T = "c_pgcli_items"


def pgcli(*args):
    p = subprocess.run(
        [BIN, "-h", os.environ["PGHOST"], "-p", os.environ["PGPORT"], "-U", os.environ["PGUSER"],
         "-w", "--less-chatty", *args, os.environ["PGDATABASE"]],
        capture_output=True, text=True, timeout=25, stdin=subprocess.DEVNULL,
        env={**os.environ, "XDG_CONFIG_HOME": HOME, "TZ": "UTC", "PGTZ": "UTC"},
    )
    if p.returncode != 0:
        raise AssertionError(f"pgcli exited {p.returncode}: {(p.stdout + p.stderr).strip()[-300:]}")
    # pgcli's notes about the local time zone, and timings, vary.
    lines = [l for l in p.stdout.splitlines()
             if not l.startswith(("Using local time zone", "Use `set time zone", "Time: "))]
    return "\n".join(lines) + "\n"


def setup():
    pgcli("-c", f"DROP TABLE IF EXISTS {T} CASCADE",
          "-c", "DROP TYPE IF EXISTS c_pgcli_mood",
          "-c", "CREATE TYPE c_pgcli_mood AS ENUM ('sad', 'happy')",
          "-c", f"CREATE TABLE {T} (id serial PRIMARY KEY, label text NOT NULL UNIQUE, qty int DEFAULT 0)",
          "-c", f"CREATE INDEX {T}_qty ON {T} (qty)",
          "-c", f"CREATE VIEW c_pgcli_view AS SELECT id, label FROM {T}",
          "-c", f"INSERT INTO {T} (label, qty) VALUES ('one', 1), ('two', 2)")


def ping():
    eq(pgcli("--ping").strip(), "PONG")


def command():
    out = pgcli("-c", f"SELECT id, label, qty * 2 AS double FROM {T} ORDER BY id")
    eq(out, "+----+-------+--------+\n| id | label | double |\n|----+-------+--------|\n"
            "| 1  | one   | 2      |\n| 2  | two   | 4      |\n+----+-------+--------+\nSELECT 2\n")


def error():
    out = pgcli("-c", "SELECT * FROM c_pgcli_none")
    check('relation "c_pgcli_none" does not exist' in out, f"error shown: {out!r}")


SPECIAL = [
    ("special_dt", "\\dt c_pgcli*"),
    ("special_d_table", f"\\d {T}"),
    ("special_di", "\\di c_pgcli*"),
    ("special_dv", "\\dv c_pgcli*"),
    ("special_ds", "\\ds c_pgcli*"),
    ("special_dT", "\\dT"),
]


def special_commands():
    """pgspecial's commands as pgcli runs them (PGExecute.run), their
    titles, headers, rows and status written for mod.rs to compare (one
    pgcli process per command would take too long)."""
    from pgcli.pgexecute import PGExecute
    from pgspecial.main import PGSpecial
    ex = PGExecute(os.environ["PGDATABASE"], os.environ["PGUSER"], None,
                   os.environ["PGHOST"], os.environ["PGPORT"], None)
    special = PGSpecial()
    try:
        for name, cmd in SPECIAL:
            out = []
            for title, rows, headers, status, _sql, success, _special in ex.run(cmd, pgspecial=special):
                out.append(f"{title or ''}")
                out.append(" | ".join(headers or []))
                for row in rows or []:
                    out.append(" | ".join("<null>" if v is None else str(v) for v in row))
                out.append(f"{status} {success}")
            with open(os.path.join(OUTPUT_DIR, name + ".out"), "w") as f:
                f.write("\n".join(out) + "\n")
    finally:
        ex.conn.close()


COMPLETER = None
EXECUTOR = None


def refresher(name):
    """The check of one of the refreshers pgcli's completion refresher runs
    at startup (each a few catalog queries)."""
    def go():
        from pgcli.completion_refresher import CompletionRefresher
        CompletionRefresher.refreshers[name](COMPLETER, EXECUTOR)
    return go


def completer():
    global COMPLETER, EXECUTOR
    from pgcli.pgcompleter import PGCompleter
    from pgcli.pgexecute import PGExecute
    from pgspecial.main import PGSpecial
    EXECUTOR = PGExecute(os.environ["PGDATABASE"], os.environ["PGUSER"], None,
                         os.environ["PGHOST"], os.environ["PGPORT"], None)
    COMPLETER = PGCompleter(smart_completion=True, pgspecial=PGSpecial(), settings={})


def completions():
    from prompt_toolkit.document import Document
    EXECUTOR.conn.close()

    def complete(text):
        return {c.text for c in COMPLETER.get_completions(Document(text=text, cursor_position=len(text)), None)}

    tables = complete("SELECT * FROM c_pgcli")
    check({T, "c_pgcli_view"} <= tables, f"tables and views: {sorted(tables)[:20]}")
    cols = complete(f"SELECT * FROM {T} WHERE ")
    check({"id", "label", "qty"} <= cols, f"columns: {sorted(cols)[:30]}")
    types = complete("CREATE TABLE x (a c_pgcli_m")
    check("c_pgcli_mood" in types, f"types: {sorted(types)[:10]}")
    dbs = complete("\\c ")
    check(os.environ["PGDATABASE"] in dbs, f"databases: {sorted(dbs)[:10]}")


def cleanup():
    pgcli("-c", f"DROP TABLE {T} CASCADE", "-c", "DROP TYPE c_pgcli_mood")


if __name__ == "__main__":
    run([
        ("setup", setup),
        ("ping", ping),
        ("command", command),
        ("error", error),
        ("special_commands", special_commands),
        ("completer", completer),
        # The refreshers but `casing`, which reads a file of the user's.
        ("refresh_schemata", refresher("schemata")),
        ("refresh_tables", refresher("tables")),
        ("refresh_views", refresher("views")),
        ("refresh_types", refresher("types")),
        ("refresh_databases", refresher("databases")),
        ("refresh_functions", refresher("functions")),
        ("completions", completions),
        ("cleanup", cleanup),
    ])
