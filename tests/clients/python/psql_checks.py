"""psql 15 against a server (PGHOST/PGPORT/PGUSER/PGDATABASE from the
environment), non-interactively (`psql -X -f -`): \\copy to and from files
in text, csv (HEADER, DELIMITER, NULL) and binary format, \\copy (query)
to, \\gset, \\watch run once, \\crosstabview, \\timing, \\x, \\errverbose,
and the describe commands (of a materialized view too).

The describe commands' output is not judged here: each goes, with sizes
masked and alignment collapsed, to CHECK_OUTPUT_DIR/NAME.out, and
tests/clients/mod.rs compares pgfork's files with PostgreSQL 15's (a
check per file). One `ok`/`FAIL` line per other check (python/checks.py).
"""

import os
import re
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(__file__))
from checks import check, eq, run  # noqa: E402

PSQL = "/usr/lib/postgresql/15/bin/psql"
T = "c_psql_items"
FILES = tempfile.mkdtemp(prefix="psql-checks-")
OUTPUT_DIR = os.environ.get("CHECK_OUTPUT_DIR") or tempfile.mkdtemp(prefix="psql-out-")


def psql(script, *args, ok=True):
    """Runs psql on `script`; returns (stdout, stderr). With ok, any
    ERROR on stderr fails the check."""
    p = subprocess.run(
        [PSQL, "-X", "-q", "-v", "VERBOSITY=default", *args, "-f", "-"],
        input=script, capture_output=True, text=True, timeout=25, cwd=FILES,
    )
    if ok and (p.returncode != 0 or "ERROR" in p.stderr):
        raise AssertionError(f"psql failed ({p.returncode}): {p.stderr.strip()[:300]}")
    return p.stdout, p.stderr


def rows(sql):
    out, _ = psql(sql, "-A", "-t", "-F", "|")
    return out.splitlines()


def setup():
    psql(f"""
DROP MATERIALIZED VIEW IF EXISTS c_psql_mv;
DROP TABLE IF EXISTS {T}, {T}_in CASCADE;
DROP VIEW IF EXISTS c_psql_view;
DROP SEQUENCE IF EXISTS c_psql_seq, c_psql_watch;
DROP TYPE IF EXISTS c_psql_mood;
CREATE TABLE {T} (id serial PRIMARY KEY, name text NOT NULL UNIQUE,
  qty int DEFAULT 0, note varchar(20), at timestamptz);
CREATE INDEX {T}_qty ON {T} (qty);
CREATE TABLE {T}_in (id int, name text, qty int, note varchar(20), at timestamptz);
COMMENT ON TABLE {T} IS 'what the psql checks read';
COMMENT ON COLUMN {T}.qty IS 'how many';
CREATE SEQUENCE c_psql_seq START 5;
CREATE VIEW c_psql_view AS SELECT id, name FROM {T} WHERE qty > 0;
CREATE MATERIALIZED VIEW c_psql_mv (id, label) AS SELECT id, name FROM {T} WHERE qty > 0 WITH NO DATA;
CREATE UNIQUE INDEX c_psql_mv_id ON c_psql_mv (id);
CREATE TYPE c_psql_mood AS ENUM ('sad', 'ok', 'happy');
INSERT INTO {T} (name, qty, note, at) VALUES
  ('plain', 1, 'a note', '2024-01-02 03:04:05+00'),
  ('tab	and\\back', NULL, NULL, NULL),
  ('semi;colon "quoted"', 3, '', '1999-12-31 23:59:59.5+00'),
  ('line
break', -4, 'NIL', NULL);
""")


def same_rows_after(copy_out, copy_in):
    psql(f"TRUNCATE {T}_in;\n{copy_out}\n{copy_in}\n")
    got = rows(f"SELECT * FROM {T}_in ORDER BY id")
    want = rows(f"SELECT * FROM {T} ORDER BY id")
    eq(len(want), 5, "rows (a multi-line value spans two)")
    eq(got, want, "rows copied back")


def copy_text():
    same_rows_after(f"\\copy {T} to 'items.txt'", f"\\copy {T}_in from 'items.txt'")
    with open(os.path.join(FILES, "items.txt")) as f:
        text = f.read()
    check("tab\\tand\\\\back\t\\N\t\\N\t\\N" in text, f"text format escapes: {text!r}")
    check("line\\nbreak\t-4\tNIL\t\\N" in text, f"newline escape: {text!r}")


def copy_csv_options():
    opts = "with (format csv, header, delimiter ';', null 'NIL', force_quote (note))"
    # 'NIL' as a note is quoted so that it stays a string; an empty note is "".
    same_rows_after(f"\\copy {T} to 'items.csv' {opts}", f"\\copy {T}_in from 'items.csv' with (format csv, header, delimiter ';', null 'NIL')")
    with open(os.path.join(FILES, "items.csv")) as f:
        lines = f.read().split("\n")
    eq(lines[0], "id;name;qty;note;at", "header")
    eq(lines[1], '1;plain;1;"a note";2024-01-02 03:04:05+00', "first row")
    eq(lines[2], '2;tab\tand\\back;NIL;NIL;NIL', "NULLs as NIL")
    eq(lines[3], '3;"semi;colon ""quoted""";3;"";1999-12-31 23:59:59.5+00', "quoting")
    eq(lines[4:7], ['4;"line', 'break";-4;"NIL";NIL', ""], "quoted newline, quoted NIL")


def copy_binary():
    same_rows_after(f"\\copy {T} to 'items.bin' with (format binary)", f"\\copy {T}_in from 'items.bin' with (format binary)")
    with open(os.path.join(FILES, "items.bin"), "rb") as f:
        data = f.read()
    eq(data[:11], b"PGCOPY\n\xff\r\n\x00", "binary signature")
    eq(data[-2:], b"\xff\xff", "binary trailer")


def copy_query_to():
    psql(f"\\copy (SELECT id, upper(name) AS n FROM {T} WHERE qty > 0 ORDER BY id) to 'query.csv' with (format csv, header)")
    with open(os.path.join(FILES, "query.csv")) as f:
        eq(f.read(), 'id,n\n1,PLAIN\n3,"SEMI;COLON ""QUOTED"""\n')
    out, _ = psql(f"\\copy (SELECT 1 AS a, NULL AS b) to stdout")
    eq(out, "1\t\\N\n", "to stdout")


def copy_errors():
    _, err = psql(f"\\copy {T}_in from 'items.csv' with (format csv, delimiter ';')", ok=False)
    check('ERROR:  invalid input syntax for type integer: "id"' in err, f"header line read as data: {err}")
    check("CONTEXT:  COPY c_psql_items_in, line 1, column id" in err, f"context: {err}")
    _, err = psql(f"\\copy {T}_in from 'no-such-file.txt'", ok=False)
    check("no-such-file.txt: No such file or directory" in err, err)


def gset():
    out, _ = psql(f"SELECT count(*) AS n, max(name) AS top FROM {T} \\gset c_\nSELECT :c_n + 1 AS more, :'c_top' AS top;\n\\echo :c_n\n", "-A", "-t")
    eq(out, "5|tab\tand\\back\n4\n")


def watch_once():
    # psql 15's \watch repeats until a query fails: the sequence's second
    # nextval is past MAXVALUE, which ends the watch after one result.
    out, err = psql(
        "CREATE SEQUENCE c_psql_watch MINVALUE 0 MAXVALUE 1 START 1;\n"
        "SELECT nextval('c_psql_watch') AS n \\watch 0.1\n\\echo after watch\n",
        ok=False,
    )
    lines = [l for l in out.splitlines() if l.strip()]
    check(re.search(r"\(every 0\.1s\)$", lines[0]) is not None, f"watch title: {lines[:1]}")
    eq(lines[1:], [" n ", "---", " 1", "(1 row)", "after watch"], "one iteration")
    eq(err.strip(), 'psql:<stdin>:2: ERROR:  nextval: reached maximum value of sequence "c_psql_watch" (1)', "what ended it")


def crosstabview():
    out, _ = psql(
        "SELECT r, c, v FROM (VALUES ('a', 'x', 1), ('a', 'y', 2), ('b', 'x', 3)) t(r, c, v) \\crosstabview r c v\n"
    )
    eq(out, " r | x | y \n---+---+---\n a | 1 | 2\n b | 3 |  \n(2 rows)\n\n")


def timing():
    out, _ = psql("\\timing on\nSELECT 1 AS one;\n\\timing off\nSELECT 2 AS two;\n")
    times = re.findall(r"^Time: \d+\.\d{3} ms$", out, re.M)
    eq(len(times), 1, f"Time lines in {out!r}")


def expanded():
    out, _ = psql(f"\\x on\nSELECT id, name, qty FROM {T} WHERE id IN (1, 3) ORDER BY id;\n\\x auto\n")
    eq(out, "-[ RECORD 1 ]-------------\nid   | 1\nname | plain\nqty  | 1\n-[ RECORD 2 ]-------------\nid   | 3\nname | semi;colon \"quoted\"\nqty  | 3\n\n")


def errverbose():
    _, err = psql(f"INSERT INTO {T} (name) VALUES ('plain');\n\\errverbose\nSELECT 1 FROM c_psql_none;\n\\errverbose\n", ok=False)
    # LOCATION (the server's source file and function) is PostgreSQL's own.
    lines = [l for l in err.splitlines() if not l.startswith("LOCATION:")]
    eq(lines, [
        "psql:<stdin>:1: ERROR:  duplicate key value violates unique constraint \"c_psql_items_name_key\"",
        "DETAIL:  Key (name)=(plain) already exists.",
        "psql:<stdin>:2: error: ERROR:  23505: duplicate key value violates unique constraint \"c_psql_items_name_key\"",
        "DETAIL:  Key (name)=(plain) already exists.",
        "SCHEMA NAME:  public",
        "TABLE NAME:  c_psql_items",
        "CONSTRAINT NAME:  c_psql_items_name_key",
        "psql:<stdin>:3: ERROR:  relation \"c_psql_none\" does not exist",
        "LINE 1: SELECT 1 FROM c_psql_none;",
        "                      ^",
        "psql:<stdin>:4: error: ERROR:  42P01: relation \"c_psql_none\" does not exist",
        "LINE 1: SELECT 1 FROM c_psql_none;",
        "                      ^",
    ])


def masked(text):
    """Sizes masked, alignment (runs of blanks and dashes) collapsed."""
    text = re.sub(r"\b\d+ (bytes|kB|MB)\b", "SIZE", text)
    out = []
    for line in text.splitlines():
        line = re.sub(r" {2,}", " ", line).rstrip()
        line = re.sub(r"-{2,}", "-", line)
        out.append(line)
    return "\n".join(out) + "\n"


DESCRIBE = [
    ("describe_dt_plus", f"\\dt+ c_psql*"),
    ("describe_di", "\\di c_psql*"),
    ("describe_di_plus", "\\di+ c_psql*"),
    ("describe_ds", "\\ds c_psql*"),
    ("describe_dv", "\\dv c_psql*"),
    ("describe_dv_plus", "\\dv+ c_psql*"),
    ("describe_d_table", f"\\d {T}"),
    ("describe_d_plus_table", f"\\d+ {T}"),
    ("describe_d_plus_view", "\\d+ c_psql_view"),
    ("describe_dm", "\\dm c_psql*"),
    ("describe_dm_plus", "\\dm+ c_psql*"),
    ("describe_d_plus_matview", "\\d+ c_psql_mv"),
    ("describe_d_index", f"\\d {T}_qty"),
    ("describe_d_sequence", "\\d c_psql_seq"),
    ("describe_dx", "\\dx"),
    ("describe_dT_plus", "\\dT+ c_psql*"),
    ("describe_dC", "\\dC int4"),
    ("describe_dconfig", "\\dconfig work_mem"),
    ("describe_dconfig_plus", "\\dconfig+ search_path"),
]


def describe():
    """Writes each describe command's output (stdout and stderr) for
    mod.rs to compare; fails only if psql itself cannot run."""
    for name, cmd in DESCRIBE:
        out, err = psql(cmd + "\n", ok=False)
        with open(os.path.join(OUTPUT_DIR, name + ".out"), "w") as f:
            f.write(masked(out + err))


def cleanup():
    psql(f"DROP TABLE {T}, {T}_in CASCADE; DROP SEQUENCE c_psql_seq, c_psql_watch; DROP TYPE c_psql_mood;")


if __name__ == "__main__":
    run([
        ("setup", setup),
        ("copy_text", copy_text),
        ("copy_csv_options", copy_csv_options),
        ("copy_binary", copy_binary),
        ("copy_query_to", copy_query_to),
        ("copy_errors", copy_errors),
        ("gset", gset),
        ("watch_once", watch_once),
        ("crosstabview", crosstabview),
        ("timing", timing),
        ("expanded", expanded),
        ("errverbose", errverbose),
        ("describe", describe),
        ("cleanup", cleanup),
    ])
