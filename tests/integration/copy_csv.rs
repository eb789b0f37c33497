//! COPY in csv format compared byte for byte with PostgreSQL 15 through
//! psql (`COPY ... FROM STDIN` / `TO STDOUT` and `\copy`), in every mode:
//! NULLs, empty strings, quotes, delimiters and newlines in values,
//! HEADER [MATCH], QUOTE/ESCAPE, FORCE_* options, the old `WITH CSV`
//! syntax, `\.`, and the errors of bad data and bad options (a bad row
//! loads nothing).

use crate::harness::{psql_script, Mode, TestServer};
use crate::reference::Reference;

in_all_modes!(csv_matches_postgres);

/// Runs psql with `script` on stdin (COPY data inline) and returns its
/// output and its ERROR lines.
fn run(conn: &[String], script: &str) -> (String, Vec<String>) {
    let (stdout, stderr) = psql_script(conn, script);
    let errors = stderr
        .lines()
        .filter_map(|l| l.find("ERROR:").map(|i| l[i..].to_owned()))
        .collect();
    (stdout, errors)
}

const SCRIPT: &str = r#"create table t (a int, b text, c text);
insert into t values (1, 'plain', null), (2, '', 'x,y'), (3, 'say "hi"', E'two\nlines'), (4, E'cr\rhere', '\.');
copy t to stdout (format csv);
copy t to stdout (format csv, header, force_quote (a, b));
copy t (c, a) to stdout with delimiter as ';' null as 'NULL' csv header quote as '''';
copy t to stdout (format csv, force_quote *, null 'N', escape '\');
copy (select b, c from t order by a desc) to stdout (format csv, header true, delimiter '|');
copy t to stdout (format text, header);
\copy t to stdout csv header
create table u (a int, b text, c text);
copy u from stdin (format csv, header);
a,b,c
1,"quoted, comma",
2,"",""
3,"multi
line ""q""",\N
"4",  spaced  ,x
\.
copy u from stdin (format csv, force_not_null (b), force_null (c));
5,,""
\.
copy u (a, c) from stdin (format csv, header match);
a,c
6,m
\.
copy u from stdin (format csv, header match);
a,x,c
\.
copy u from stdin (format csv, header match);
a,b
\.
copy u from stdin (format csv);
7,a
\.
copy u from stdin (format csv);
7,a,b,c
\.
copy u from stdin (format csv);
8,ok,ok
9,"open
\.
copy u from stdin (format csv, quote '''', escape '\');
10,'it\'s',z
\.
copy u from stdin (format csv);
x,y,z
\.
copy u to stdout (format csv, header);
copy u to stdout (format csv, header match);
copy u to stdout (format binary, header);
copy u to stdout (format csv, delimiter '||');
copy u to stdout (format csv, quote ',');
copy u to stdout (delimiter ',', quote '"');
copy u to stdout (escape '"');
copy u to stdout (format csv, force_not_null (a));
copy u from stdin (format csv, force_quote (a));
copy u from stdin (force_null (a));
copy u to stdout (format csv, force_quote (zz));
copy u (a) to stdout (format csv, force_quote (b));
copy u to stdout (format csv, null '"');
copy u to stdout (format csv, format text);
copy u to stdout (format csv, encoding 'nonsense');
copy u to stdout (format csv, encoding 'UTF8', header false);
\copy u from stdin csv
11,"via \copy",
\.
\copy u to stdout csv header
select count(*) from u;
"#;

async fn csv_matches_postgres(mode: Mode) {
    let srv = TestServer::start(mode);
    let reference = Reference::start();
    let ours = run(
        &[
            "-h".into(),
            srv.socket_dir().display().to_string(),
            "-p".into(),
            srv.port.to_string(),
            "-U".into(),
            "tester".into(),
            "-d".into(),
            "testdb".into(),
        ],
        SCRIPT,
    );
    let theirs = run(&[reference.conn_string()], SCRIPT);
    assert_eq!(ours.0, theirs.0, "COPY output differs from PostgreSQL");
    assert_eq!(ours.1, theirs.1, "errors differ from PostgreSQL");
    assert!(ours.0.contains("\"quoted, comma\""), "{}", ours.0);
    assert!(ours.1.len() >= 15, "{:?}", ours.1);
}
