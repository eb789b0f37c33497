//! End-to-end tests of the engine: statements in; rows, types, command
//! tags, notices and errors out, as PostgreSQL would give them.

use std::collections::BTreeMap;
use std::sync::atomic::Ordering;
use std::sync::Arc;

use shmem::segment::{SegmentConfig, SegmentOwner};
use shmem::{BackendState, ExecMode};

use super::*;
use crate::env::ServerConfig;
use crate::types::oid;

#[derive(Default)]
struct Sink {
    rows: Vec<Vec<Value>>,
    notices: Vec<PgError>,
    copy: Vec<u8>,
}

impl RowSink for Sink {
    fn row(&mut self, values: &[Value]) -> PgResult<()> {
        self.rows.push(values.to_vec());
        Ok(())
    }
    fn copy_out(&mut self, data: &[u8]) -> PgResult<()> {
        self.copy.extend_from_slice(data);
        Ok(())
    }
    fn notice(&mut self, n: PgError) {
        self.notices.push(n);
    }
}

/// Rows as text (None for NULL), the command tag, and what the sink got.
type Outcome = (Vec<Vec<Option<String>>>, String, Sink);

/// A session on its own segment (`port` must be unique per test).
struct Session {
    // The engine goes first: it touches the segment when dropped.
    engine: Engine,
    _owner: SegmentOwner,
    _dir: tempfile::TempDir,
}

impl Session {
    fn new(port: u16) -> Session {
        let (dir, dd) = crate::access::test_data_dir();
        let (owner, seg) = SegmentOwner::create(
            &SegmentConfig {
                port,
                max_backends: 4,
                shared_buffers: 0,
                mode: 0,
            },
            dd,
        )
        .unwrap();
        let table = seg.backend_table();
        let idx = table.alloc(ExecMode::Process).unwrap();
        let slot = table.slot(idx);
        slot.pid.store(std::process::id() as i32, Ordering::Relaxed);
        slot.set_identity("alice", "db1", "");
        slot.backend_start_us
            .store(shmem::time::wall_clock_us(), Ordering::Relaxed);
        slot.set_state(BackendState::Active, Some("select 1"));
        let env = BackendEnv {
            config: Arc::new(ServerConfig::for_tests(ExecMode::Process)),
            segment: seg,
            slot_index: idx,
            slot,
            exec_mode: ExecMode::Process,
        };
        let mut engine = Engine::new(env);
        // The catalog's bootstrap superuser: the OS user (no data
        // directory was created with another).
        let me = crate::catalog::roles::os_user_name();
        let params: BTreeMap<String, String> = [("user", me.as_str()), ("database", "db1")]
            .into_iter()
            .map(|(k, v)| (k.to_owned(), v.to_owned()))
            .collect();
        engine.startup(&params).unwrap();
        Session {
            _owner: owner,
            _dir: dir,
            engine,
        }
    }

    /// Runs every statement of `sql` like a simple query; the last
    /// statement's rows (as text) and tag, or the first error.
    fn run(&mut self, sql: &str) -> PgResult<Outcome> {
        let r = self.run_inner(sql);
        if r.is_err() {
            self.engine.on_error();
        }
        r
    }

    fn run_inner(&mut self, sql: &str) -> PgResult<Outcome> {
        let stmts = self.engine.parse(sql)?;
        let mut last = (vec![], String::new(), Sink::default());
        for s in &stmts {
            let p = self.engine.prepare(s, &[])?;
            let mut sink = Sink::default();
            let tag = self.engine.execute(&p, &[], &mut sink, None)?;
            let rows = sink
                .rows
                .iter()
                .map(|r| {
                    r.iter()
                        .map(|v| (!v.is_null()).then(|| v.to_text()))
                        .collect()
                })
                .collect();
            last = (rows, tag, sink);
        }
        Ok(last)
    }

    /// The single value of a one-row, one-column query.
    fn one(&mut self, sql: &str) -> Option<String> {
        let (rows, _, _) = self.run(sql).unwrap_or_else(|e| panic!("{sql}: {e}"));
        assert_eq!(rows.len(), 1, "{sql}");
        rows[0][0].clone()
    }

    fn err(&mut self, sql: &str) -> PgError {
        match self.run(sql) {
            Err(e) => e,
            Ok(_) => panic!("{sql} should fail"),
        }
    }

    fn prepare(&mut self, sql: &str, types: &[Oid]) -> Arc<Prepared> {
        let s = self.engine.parse(sql).unwrap().remove(0);
        self.engine.prepare(&s, types).unwrap()
    }
}

#[test]
fn literals_types_and_column_names() {
    let mut s = Session::new(63001);
    let p = s.prepare(
        "select 1, 1::int8 + 1, 1/2.0, 'a', 1.5::float8, 2147483648, true, null, now(), version(), cast(1 as integer) as x, case when true then 1 end, coalesce(null, 2)",
        &[],
    );
    let got: Vec<(&str, Oid)> = p
        .columns()
        .iter()
        .map(|c| (c.name.as_str(), c.type_oid))
        .collect();
    assert_eq!(
        got,
        vec![
            ("?column?", oid::INT4),
            ("?column?", oid::INT8),
            ("?column?", oid::NUMERIC),
            ("?column?", oid::TEXT),
            ("float8", oid::FLOAT8),
            ("?column?", oid::INT8),
            ("bool", oid::BOOL),
            ("?column?", oid::TEXT),
            ("now", oid::TIMESTAMPTZ),
            ("version", oid::TEXT),
            ("x", oid::INT4),
            ("case", oid::INT4),
            ("coalesce", oid::INT4),
        ]
    );
    let (rows, tag, _) = s.run("select 1/2.0, 1.50, 0.1::float8, 1e100::float8, '-0'::float8, 'NaN'::float8, 7/2, -7 % 3, 2^10").unwrap();
    assert_eq!(tag, "SELECT 1");
    let r: Vec<String> = rows[0].iter().map(|v| v.clone().unwrap()).collect();
    assert_eq!(
        r,
        [
            "0.50000000000000000000",
            "1.50",
            "0.1",
            "1e+100",
            "-0",
            "NaN",
            "3",
            "-1",
            "1024"
        ]
    );
    assert!(s
        .one("select version()")
        .unwrap()
        .starts_with("PostgreSQL 15.0"));
    assert_eq!(s.one("select -2147483648").unwrap(), "-2147483648");
}

#[test]
fn arithmetic_errors_have_sqlstates() {
    let mut s = Session::new(63002);
    let e = s.err("select 2147483647 + 1");
    assert_eq!(
        (e.code, e.message.as_str()),
        ("22003", "integer out of range")
    );
    let e = s.err("select 1/0");
    assert_eq!((e.code, e.message.as_str()), ("22012", "division by zero"));
    assert_eq!(s.err("select 1.0 % 0").code, "22012");
    assert_eq!(
        s.err("select 9223372036854775807::int8 * 2").message,
        "bigint out of range"
    );
    let e = s.err("select 'abc'::int");
    assert_eq!(
        (e.code, e.message.as_str()),
        ("22P02", "invalid input syntax for type integer: \"abc\"")
    );
    let e = s.err("select 1 + 'x'::text");
    assert_eq!(
        (e.code, e.message.as_str()),
        ("42883", "operator does not exist: integer + text")
    );
    assert_eq!(s.one("select '12'::int + 1").unwrap(), "13");
    assert_eq!(s.one("select cast(3.5 as integer)").unwrap(), "4");
    assert_eq!(s.one("select 1 + '2'").unwrap(), "3");
}

#[test]
fn three_valued_logic() {
    let mut s = Session::new(63003);
    let (rows, _, _) = s
        .run("select null and false, null or true, null and true, not null::bool, null = null, null is null, 1 is distinct from null, null is not distinct from null, 1 in (2, null), 1 in (1, null), 2 between 1 and 3, (null::int > 1) is unknown")
        .unwrap();
    let f = |v: &Option<String>| v.clone().unwrap_or_else(|| "NULL".into());
    let got: Vec<String> = rows[0].iter().map(f).collect();
    assert_eq!(
        got,
        ["f", "t", "NULL", "NULL", "NULL", "t", "t", "t", "NULL", "t", "t", "t"]
    );
}

#[test]
fn strings_and_functions() {
    let mut s = Session::new(63004);
    let (rows, _, _) = s
        .run("select 'a' || 'b' || 1, lower('ABC'), length('héllo'), substr('hello', 2, 3), position('l' in 'hello'), replace('aXa', 'X', '-'), trim('  x '), concat('a', null, 1), 'abc' like 'a%', 'ABC' ilike 'a_c', nullif(1, 1), greatest(1, 3, 2), least('b', 'a'), abs(-5), round(2.567, 2), ceil(1.2), floor(-1.2), mod(7, 3), sqrt(16), power(2, 3), upper(substring('hello' from 2 for 2))")
        .unwrap();
    let got: Vec<Option<String>> = rows[0].clone();
    let want: Vec<Option<&str>> = vec![
        Some("ab1"),
        Some("abc"),
        Some("5"),
        Some("ell"),
        Some("3"),
        Some("a-a"),
        Some("x"),
        Some("a1"),
        Some("t"),
        Some("t"),
        None,
        Some("3"),
        Some("a"),
        Some("5"),
        Some("2.57"),
        Some("2"),
        Some("-2"),
        Some("1"),
        Some("4"),
        Some("8"),
        Some("EL"),
    ];
    assert_eq!(
        got,
        want.into_iter()
            .map(|o| o.map(str::to_owned))
            .collect::<Vec<_>>()
    );
    assert_eq!(
        s.one("select current_user").unwrap(),
        crate::catalog::roles::os_user_name()
    );
    assert_eq!(s.one("select current_database()").unwrap(), "db1");
    assert_eq!(
        s.one("select pg_backend_pid()").unwrap(),
        std::process::id().to_string()
    );
    assert_eq!(s.one("select pg_sleep(0.01)").unwrap(), "");
    let r = s.one("select random() between 0 and 1").unwrap();
    assert_eq!(r, "t");
    let e = s.err("select nosuchfn(1)");
    assert_eq!(
        (e.code, e.message.as_str()),
        ("42883", "function nosuchfn(integer) does not exist")
    );
    assert_eq!(e.position, Some(8));
}

#[test]
fn parameters_are_inferred() {
    let mut s = Session::new(63005);
    let p = s.prepare("select $1 + 1, $2, $3::int8, $4 = 'x'", &[]);
    assert_eq!(
        p.param_types(),
        &[oid::INT4, oid::TEXT, oid::INT8, oid::TEXT]
    );
    assert_eq!(p.columns()[1].type_oid, oid::TEXT);
    let mut sink = Sink::default();
    let params = [
        Value::Int4(5),
        Value::Text("hi".into()),
        Value::Int8(7),
        Value::Text("x".into()),
    ];
    let tag = s.engine.execute(&p, &params, &mut sink, None).unwrap();
    assert_eq!(tag, "SELECT 1");
    assert_eq!(
        sink.rows[0],
        vec![
            Value::Int4(6),
            Value::Text("hi".into()),
            Value::Int8(7),
            Value::Bool(true)
        ]
    );
    let p = s.prepare("select $1", &[oid::INT8]);
    assert_eq!(p.param_types(), &[oid::INT8]);
    assert_eq!(p.columns()[0].type_oid, oid::INT8);
}

#[test]
fn set_show_and_reporting() {
    let mut s = Session::new(63006);
    assert!(s
        .engine
        .parameter_status()
        .iter()
        .any(|(k, v)| k == "server_version" && v == "15.0"));
    let (rows, tag, _) = s
        .run("set application_name = 'psql'; show application_name")
        .unwrap();
    assert_eq!(
        (rows[0][0].as_deref(), tag.as_str()),
        (Some("psql"), "SHOW")
    );
    assert_eq!(
        s.engine.take_parameter_changes(),
        vec![("application_name".to_owned(), "psql".to_owned())]
    );
    assert!(s.engine.take_parameter_changes().is_empty());
    let p = s.prepare("show datestyle", &[]);
    assert_eq!(p.columns()[0].name, "DateStyle");
    assert_eq!(s.one("show datestyle").unwrap(), "ISO, MDY");
    assert_eq!(s.one("show pgfork.mode").unwrap(), "process");
    assert_eq!(s.one("show shared_buffers").unwrap(), "128MB");
    assert_eq!(s.one("show server_version_num").unwrap(), "150000");
    assert_eq!(s.one("show search_path").unwrap(), "\"$user\", public");
    let e = s.err("set nope = 1");
    assert_eq!(
        (e.code, e.message.as_str()),
        ("42704", "unrecognized configuration parameter \"nope\"")
    );
    assert_eq!(s.err("show nope").code, "42704");
    s.run("set statement_timeout to 5000").unwrap();
    assert_eq!(
        s.one("select current_setting('statement_timeout')")
            .unwrap(),
        "5s"
    );
    assert_eq!(
        s.one("select set_config('work_mem', '8MB', false)")
            .unwrap(),
        "8MB"
    );
    s.run("reset all").unwrap();
    assert_eq!(s.one("show statement_timeout").unwrap(), "0");
    assert_eq!(s.one("show application_name").unwrap(), "");
    let (rows, _, _) = s.run("show all").unwrap();
    assert!(rows.len() > 20);
    s.run("set extra_float_digits = 0").unwrap();
    assert_eq!(s.one("select 0.1::float8 + 0.2::float8").unwrap(), "0.3");
    s.run("set extra_float_digits = 1").unwrap();
    assert_eq!(
        s.one("select 0.1::float8 + 0.2::float8").unwrap(),
        "0.30000000000000004"
    );
}

#[test]
fn transaction_blocks() {
    let mut s = Session::new(63007);
    assert_eq!(s.engine.transaction_status(), b'I');
    let (_, tag, sink) = s.run("commit").unwrap();
    assert_eq!((tag.as_str(), sink.notices[0].code), ("COMMIT", "25P01"));
    assert_eq!(s.run("begin").unwrap().1, "BEGIN");
    assert_eq!(s.engine.transaction_status(), b'T');
    assert_ne!(s.engine.env.slot.xact_start_us.load(Ordering::Relaxed), 0);
    let (_, _, sink) = s.run("begin").unwrap();
    assert_eq!(sink.notices[0].code, "25001");
    let now1 = s.one("select now()");
    assert_eq!(s.one("select now()"), now1);
    s.run("set application_name = 'inside'").unwrap();
    assert_eq!(s.err("select 1/0").code, "22012");
    assert_eq!(s.engine.transaction_status(), b'E');
    let e = s.err("select 1");
    assert_eq!(e.code, "25P02");
    assert_eq!(s.run("commit").unwrap().1, "ROLLBACK");
    assert_eq!(s.engine.transaction_status(), b'I');
    assert_eq!(s.engine.env.slot.xact_start_us.load(Ordering::Relaxed), 0);
    assert_eq!(s.one("show application_name").unwrap(), "");
    // Savepoints and SET LOCAL.
    s.run("start transaction isolation level serializable")
        .unwrap();
    assert_eq!(s.one("show transaction_isolation").unwrap(), "serializable");
    s.run("set local work_mem = '1MB'; savepoint a").unwrap();
    let _ = s.err("select 'x'::int");
    s.run("rollback to savepoint a").unwrap();
    assert_eq!(s.engine.transaction_status(), b'T');
    assert_eq!(s.one("show work_mem").unwrap(), "1MB");
    assert_eq!(s.run("release a; end").unwrap().1, "COMMIT");
    assert_eq!(s.one("show work_mem").unwrap(), "4MB");
    assert_eq!(
        s.one("show transaction_isolation").unwrap(),
        "read committed"
    );
    s.run("set transaction_isolation = 'serializable'").unwrap();
    assert_eq!(
        s.one("show transaction_isolation").unwrap(),
        "read committed"
    );
    assert_eq!(
        s.one("select set_config('work_mem', '2MB', true)").unwrap(),
        "2MB"
    );
    assert_eq!(s.one("show work_mem").unwrap(), "4MB");
    let (_, _, sink) = s.run("set local work_mem = '2MB'").unwrap();
    assert_eq!(sink.notices[0].severity, Severity::Warning);
    assert_eq!(s.err("savepoint x").code, "25P01");
    s.run("begin").unwrap();
    s.engine.reset_session();
    assert_eq!(s.engine.transaction_status(), b'I');
}

#[test]
fn pg_stat_activity_queries() {
    let mut s = Session::new(63008);
    let (rows, _, _) = s
        .run("select pid, usename, datname, state, backend_type, pgfork_mode, query from pg_catalog.pg_stat_activity where pid = pg_backend_pid()")
        .unwrap();
    let r: Vec<Option<&str>> = rows[0].iter().map(|v| v.as_deref()).collect();
    let pid = std::process::id().to_string();
    assert_eq!(
        r,
        vec![
            Some(pid.as_str()),
            Some("alice"),
            Some("db1"),
            Some("active"),
            Some("client backend"),
            Some("process"),
            Some("select 1")
        ]
    );
    assert_eq!(s.one("select count(*) from pg_stat_activity").unwrap(), "1");
    let p = s.prepare("select count(*) from pg_stat_activity", &[]);
    assert_eq!(
        (p.columns()[0].name.as_str(), p.columns()[0].type_oid),
        ("count", oid::INT8)
    );
    let (rows, _, _) = s
        .run("select state, count(*) as n from pg_stat_activity group by state having count(*) > 0 order by n desc, state limit 5")
        .unwrap();
    assert_eq!(
        rows,
        vec![vec![Some("active".to_owned()), Some("1".to_owned())]]
    );
    assert_eq!(
        s.one("select now() - backend_start >= interval '0' from pg_stat_activity")
            .unwrap(),
        "t"
    );
    let (rows, _, _) = s.run("select * from pg_stat_activity").unwrap();
    assert_eq!(rows[0].len(), 23);
    let e = s.err("select nosuch from pg_stat_activity");
    assert_eq!((e.code, e.position), ("42703", Some(8)));
    let e = s.err("select pid, count(*) from pg_stat_activity");
    assert_eq!(e.code, "42803");
    assert_eq!(e.message, "column \"pg_stat_activity.pid\" must appear in the GROUP BY clause or be used in an aggregate function");
    s.run("set application_name = 'app1'").unwrap();
    assert_eq!(
        s.one("select application_name from pg_stat_activity")
            .unwrap(),
        "app1"
    );
}

#[test]
fn relational_operators_over_values() {
    let mut s = Session::new(63009);
    let (rows, _, _) = s
        .run("select x % 2 as k, count(*), sum(x), avg(x), min(x), max(x) from (values (1), (2), (3), (4), (5)) t(x) group by k order by k")
        .unwrap();
    let txt = |r: &Vec<Option<String>>| {
        r.iter()
            .map(|v| v.clone().unwrap())
            .collect::<Vec<_>>()
            .join(",")
    };
    assert_eq!(txt(&rows[0]), "0,2,6,3.0000000000000000,2,4");
    assert_eq!(txt(&rows[1]), "1,3,9,3.0000000000000000,1,5");
    let (rows, _, _) = s.run("select distinct column1 from (values (2), (1), (2), (null)) v order by 1 desc limit 2 offset 1").unwrap();
    assert_eq!(
        rows,
        vec![vec![Some("2".to_owned())], vec![Some("1".to_owned())]]
    );
    let (rows, tag, _) = s.run("values (1, 'a'), (2, 'b')").unwrap();
    assert_eq!((rows.len(), tag.as_str()), (2, "SELECT 2"));
    assert_eq!(
        s.one("select count(distinct x) from (values (1), (1), (2)) t(x)")
            .unwrap(),
        "2"
    );
    assert_eq!(
        s.one("select sum(x) from (values (1)) t(x) where x > 5"),
        None
    );
    assert_eq!(s.err("select 1 limit -1").code, "2201W");
}

#[test]
fn errors_for_unsupported_and_syntax() {
    let mut s = Session::new(63010);
    let e = s.err("select * from nosuch");
    assert_eq!(
        (e.code, e.message.as_str(), e.position),
        ("42P01", "relation \"nosuch\" does not exist", Some(15))
    );
    // This engine has no data directory to keep tables in.
    let e = s.err("create table t (a int)");
    assert_eq!(
        (e.code, e.message.as_str()),
        ("58030", "the server has no data directory")
    );
    assert_eq!(s.err("insert into t values (1)").code, "42P01");
    let e = s.err("selec 1");
    assert_eq!(
        (e.code, e.message.as_str(), e.position),
        ("42601", "syntax error at or near \"selec\"", Some(1))
    );
    assert!(s.engine.parse("  ;  ").unwrap().is_empty());
    assert_eq!(
        s.engine.parse("select 1; select 2").unwrap()[1].sql(),
        "select 2"
    );
}

#[test]
fn copy_query_to_stdout() {
    let mut s = Session::new(63011);
    let p = s.prepare("copy (select 1, null, 'a\tb') to stdout", &[]);
    assert_eq!(
        p.copy_kind(),
        Some(CopyKind::Out {
            columns: 3,
            binary: false
        })
    );
    let (_, tag, sink) = s.run("copy (select 1, null, 'a\tb') to stdout").unwrap();
    assert_eq!(tag, "COPY 1");
    assert_eq!(sink.copy, b"1\t\\N\ta\\tb\n");
}

#[test]
fn startup_options() {
    let mut s = Session::new(63012);
    let me = crate::catalog::roles::os_user_name();
    let params: BTreeMap<String, String> = [
        ("user", me.as_str()),
        ("options", "-c statement_timeout=100 --work-mem=8MB"),
        ("DateStyle", "ISO"),
        ("application_name", "pgbench"),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v.to_owned()))
    .collect();
    s.engine.startup(&params).unwrap();
    assert_eq!(s.one("show statement_timeout").unwrap(), "100ms");
    assert_eq!(s.one("show work_mem").unwrap(), "8MB");
    assert_eq!(s.one("select session_user").unwrap(), me);
    let status = s.engine.parameter_status();
    assert!(status.contains(&("application_name".to_owned(), "pgbench".to_owned())));
    assert!(status.contains(&("session_authorization".to_owned(), me.clone())));
    let bad: BTreeMap<String, String> = [
        ("user".to_owned(), me.clone()),
        ("nope".to_owned(), "1".to_owned()),
    ]
    .into();
    let e = s.engine.startup(&bad).unwrap_err();
    assert_eq!((e.severity, e.code), (Severity::Fatal, "42704"));
    // A role that does not exist may not log in.
    let unknown: BTreeMap<String, String> = [("user".to_owned(), "x".to_owned())].into();
    let e = s.engine.startup(&unknown).unwrap_err();
    assert_eq!((e.severity, e.code), (Severity::Fatal, "28000"));
    assert_eq!(e.message, "role \"x\" does not exist");
}

#[test]
fn empty_describe_catalogs() {
    let mut s = Session::new(63013);
    assert_eq!(s.one("select count(*) from pg_collation").unwrap(), "3");
    for v in [
        "pg_policy",
        "pg_statistic_ext",
        "pg_publication",
        "pg_publication_namespace",
        "pg_publication_rel",
    ] {
        assert_eq!(
            s.one(&format!("select count(*) from pg_catalog.{v}"))
                .unwrap(),
            "0"
        );
    }
    assert_eq!(
        s.one("select count(polname) from pg_policy where polrelid = 1")
            .unwrap(),
        "0"
    );
}

#[test]
fn window_functions_and_outer_joins_plan_and_budget() {
    let mut s = Session::new(63014);
    // A WindowAgg over a Sort by the partition then the ordering keys;
    // a second window with the same keys shares the sort.
    let (rows, _, _) = s
        .run("explain (costs off) select id, row_number() over (partition by g order by id), sum(id) over (partition by g) from (select i as id, i % 3 as g from generate_series(1, 30) i) wt")
        .unwrap();
    let plan: Vec<String> = rows.iter().map(|r| r[0].clone().unwrap()).collect();
    assert_eq!(plan[0], "WindowAgg", "{plan:?}");
    assert_eq!(plan[1], "  ->  WindowAgg", "{plan:?}");
    assert_eq!(plan[2], "        ->  Sort", "{plan:?}");
    assert!(
        plan[3].contains("Sort Key: (generate_series % 3), generate_series"),
        "{plan:?}"
    );
    assert_eq!(
        s.one("select string_agg(r::text, ',') from (select rank() over (order by g) r from (select i % 3 as g from generate_series(1, 30) i) wt) x where r > 20 and r < 22"),
        Some("21,21,21,21,21,21,21,21,21,21".into())
    );
    let (rows, _, _) = s
        .run("explain (costs off) select * from (values (1), (2)) a(x) full join (values (2), (3)) b(y) on x = y")
        .unwrap();
    assert_eq!(rows[0][0].as_deref(), Some("Hash Full Join"));
    let (rows, _, _) = s
        .run("select x, y from (values (1), (2)) a(x) full join (values (2), (3)) b(y) on x = y order by x, y")
        .unwrap();
    assert_eq!(rows.len(), 3);
    assert_eq!(rows[2], vec![None, Some("3".into())]);
    // The partition's rows are charged to the statement's budget.
    s.run("set pgfork.statement_mem = '64kB'").unwrap();
    let e = s.err("select count(*) over (partition by i % 2) from generate_series(1, 100000) i");
    assert_eq!(e.code, "53200");
    s.run("reset pgfork.statement_mem").unwrap();
    assert_eq!(
        s.one("select max(c) from (select count(*) over (partition by i % 2) c from generate_series(1, 1000) i) x"),
        Some("500".into())
    );
}

#[test]
fn literal_normalized_plans_compare_by_shape() {
    use super::normalize::LiteralKind;
    use super::plancache::{literal_type, plan_shape};
    let mut s = Session::new(63021);
    // A filter: the generic plan with 5 for $1 is the custom plan.
    let custom = s.prepare("select x from generate_series(1, 10) x where x = 5", &[]);
    let generic = s.prepare(
        "select x from generate_series(1, 10) x where x = $1",
        &[literal_type(LiteralKind::Int4)],
    );
    let shape = plan_shape(&custom, &[]).unwrap();
    assert_eq!(
        plan_shape(&generic, &[Value::Int4(5)]).as_ref(),
        Some(&shape)
    );
    // Another value is another constant.
    assert_ne!(plan_shape(&generic, &[Value::Int4(6)]).unwrap(), shape);
    // A string literal's parameter is inferred from its context; alone
    // it is text, named ?column?, as the literal.
    let custom = s.prepare(
        "select 'a', x from generate_series(1, 2) x where x::text = 'x'",
        &[],
    );
    let generic = s.prepare(
        "select $1, x from generate_series(1, 2) x where x::text = $2",
        &[0, 0],
    );
    assert_eq!(generic.param_types(), &[oid::TEXT, oid::TEXT]);
    assert_eq!(
        plan_shape(&custom, &[]),
        plan_shape(
            &generic,
            &[Value::Text("a".into()), Value::Text("x".into())]
        )
    );
    // A string compared with an int4 reads as int4.
    let generic = s.prepare("select x from generate_series(1, 2) x where x = $1", &[0]);
    assert_eq!(generic.param_types(), &[oid::INT4]);
    // Utility statements have no shape.
    let p = s.prepare("show DateStyle", &[]);
    assert_eq!(plan_shape(&p, &[]), None);
}
