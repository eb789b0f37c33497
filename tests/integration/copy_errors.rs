//! The errors of COPY FROM with their CONTEXT lines, compared with
//! PostgreSQL 15 through psql in every mode: a value that does not convert
//! names its line, column and value (`COPY t, line 2, column a: "x"`); a
//! missing or extra field or a broken constraint names the line and shows
//! it (`COPY t, line 1: "1\ty\tz"`), in text and csv format, a long line
//! cut at 100 bytes, a csv record over several lines counted as PostgreSQL
//! counts it; a value too long for its column's type modifier is the
//! value's error.

use crate::harness::{psql_script, Mode, TestServer};
use crate::reference::Reference;

in_all_modes!(copy_error_context_matches_postgres);

/// Runs psql with `script` on stdin; returns its stderr's ERROR, DETAIL
/// and CONTEXT lines (without psql's `psql:<stdin>:N:` prefix).
fn errors(conn: &[String], script: &str) -> Vec<String> {
    let (_, stderr) = psql_script(conn, script);
    stderr
        .lines()
        .filter_map(|l| {
            ["ERROR:", "DETAIL:", "CONTEXT:"]
                .iter()
                .find_map(|k| l.find(k).map(|i| l[i..].to_owned()))
        })
        .collect()
}

const SCRIPT: &str = "create table ce (a int not null, b text, c numeric(4,1));
copy ce from stdin;
1\tfine\t2.5
x\ty\t1
\\.
copy ce from stdin;
1\ty\t1\tz
\\.
copy ce from stdin;
1
\\.
copy ce from stdin;
\\N\ty\t1
\\.
copy ce from stdin;
1\ty\t12345
\\.
copy ce from stdin (format csv);
x,y,1
\\.
copy ce from stdin (format csv, header);
a,b,c
1,y,z,w
\\.
copy ce from stdin (format csv);
,y,1
\\.
copy ce from stdin (format csv);
1
\\.
copy ce from stdin (format csv);
1,\"two
lines\",1
2,\"three
more
lines\",bad
\\.
copy ce from stdin;
1\txxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\t1\textra
\\.
copy ce (b, a) from stdin;
é\t99999999999999999999
\\.
create table cv (v varchar(3));
copy cv from stdin;
abc
abcd
\\.
select count(*) from ce;
";

async fn copy_error_context_matches_postgres(mode: Mode) {
    let srv = TestServer::start(mode);
    let reference = Reference::start();
    let ours = errors(
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
    let theirs = errors(&[reference.conn_string()], SCRIPT);
    assert_eq!(ours, theirs, "COPY errors differ from PostgreSQL");
    assert_eq!(
        theirs.iter().filter(|l| l.starts_with("CONTEXT:")).count(),
        13,
        "{theirs:#?}"
    );
}
