//! Triggers through psql, compared with PostgreSQL 15 in every mode:
//! COPY FROM (text and csv, and `\copy`) fires a table's INSERT triggers
//! as INSERT does (a BEFORE ROW trigger changes or skips rows, and COPY's
//! count leaves skipped rows out; AFTER ROW and statement triggers run
//! at the end), TRUNCATE outside a transaction block fires its statement
//! triggers and an AFTER TRUNCATE trigger that fails brings the rows
//! back, and `\d` prints the "Triggers:" and "Disabled user triggers:"
//! sections as PostgreSQL's psql does.

use crate::harness::{psql_script, Mode, TestServer};
use crate::reference::Reference;

in_all_modes!(triggers_match_postgres);

/// psql's output for `script` on stdin, and its ERROR lines.
fn run(conn: &[String], script: &str) -> (String, Vec<String>) {
    let (stdout, stderr) = psql_script(conn, script);
    let errors = stderr
        .lines()
        .filter_map(|l| l.find("ERROR:").map(|i| l[i..].to_owned()))
        .collect();
    (stdout, errors)
}

const SCRIPT: &str = r#"create table items (id int primary key, name text, stamped text);
create table log (n serial, msg text);
create function stamp() returns trigger language plpgsql as $$
begin
  if new.name = 'skip' then return null; end if;
  new.stamped := upper(new.name);
  return new;
end $$;
create function note() returns trigger language plpgsql as $$
begin
  insert into log (msg) values (tg_name || ' ' || tg_level || ' ' || tg_op || coalesce(' ' || new.id, ''));
  return null;
end $$;
create trigger items_stamp before insert on items for each row execute function stamp();
create trigger items_after after insert on items for each row execute function note();
create trigger items_stmt after insert on items for each statement execute function note();
create trigger items_bstmt before insert on items for each statement execute function note();
copy items (id, name) from stdin;
1	one
2	skip
3	three
\.
copy items (id, name) from stdin (format csv);
4,four
5,skip
\.
\copy items (id, name) from stdin
6	six
\.
select * from items order by id;
select msg from log order by n;
create trigger items_trunc after truncate on items for each statement execute function note();
create function refuse() returns trigger language plpgsql as $$
begin
  raise exception 'no truncating %', tg_table_name;
end $$;
create trigger items_refuse after truncate on items for each statement execute function refuse();
truncate items;
select count(*) from items;
drop trigger items_refuse on items;
truncate items;
select count(*) from items;
select msg from log where msg like '%TRUNCATE%' order by n;
alter table items disable trigger items_stmt;
\d items
alter table items disable trigger all;
\d items
"#;

async fn triggers_match_postgres(mode: Mode) {
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
    assert_eq!(ours.0, theirs.0, "trigger output differs from PostgreSQL");
    assert_eq!(ours.1, theirs.1, "errors differ from PostgreSQL");
    assert!(ours.0.contains("  6 | six   | SIX"), "{}", ours.0);
    assert!(ours.0.contains("Disabled user triggers:"), "{}", ours.0);
    assert_eq!(ours.1.len(), 1, "{:?}", ours.1);
}
