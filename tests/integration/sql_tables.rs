//! Tables end to end, in every mode: DDL, DML with constraints and
//! RETURNING, typed results, index scans agreeing with sequential scans,
//! joins and subqueries, COPY through psql, concurrent writers through a
//! small buffer cache, persistence across a restart (also into the other
//! mode), and pgbench's initialization and select-only runs.

use std::io::Write;
use std::process::{Command, Stdio};

use nix::sys::signal::Signal;

use crate::harness::{message, sqlstate, Mode, TestServer};

in_all_modes!(
    ddl_dml_and_types,
    constraint_errors,
    index_scans_match_seq_scans,
    joins_subqueries_and_aggregates,
    copy_in_and_out_with_psql,
    restart_keeps_tables,
    pgbench_init_and_select_only,
    statement_memory_is_bounded,
);

/// Concurrency through a 1 MB cache is checked in process and thread mode.
mod concurrent_writers {
    use crate::harness::Mode;
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn process() {
        super::concurrent_writers(Mode::Process).await
    }
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn thread() {
        super::concurrent_writers(Mode::Thread).await
    }
}

async fn ddl_dml_and_types(mode: Mode) {
    let srv = TestServer::start(mode);
    let c = srv.connect().await;
    c.batch_execute(
        "create table t (id serial primary key, s smallint, i integer not null, b bigint, \
         r real, d double precision, n numeric(8,2) default 1.5, tx text, v varchar(5), \
         ch char(3), ok boolean, ts timestamp, dt date) with (fillfactor = 90)",
    )
    .await
    .unwrap();
    let rows = c
        .query(
            "insert into t (s, i, b, r, d, n, tx, v, ch, ok, ts, dt) values \
             (1, 10, 10000000000, 1.5, 2.25, 3.456, 'hello', 'abc', 'x', true, '2024-01-02 03:04:05', '2024-02-29'), \
             (null, 20, null, null, null, default, null, null, null, false, null, null) \
             returning id, n::text",
            &[],
        )
        .await
        .unwrap();
    assert_eq!(rows.len(), 2);
    assert_eq!(rows[0].get::<_, i32>(0), 1);
    assert_eq!(rows[0].get::<_, String>(1), "3.46");
    assert_eq!(rows[1].get::<_, String>(1), "1.50");
    let r = c
        .query_one("select * from t where id = 1", &[])
        .await
        .unwrap();
    assert_eq!(r.get::<_, i32>("id"), 1);
    assert_eq!(r.get::<_, i16>("s"), 1);
    assert_eq!(r.get::<_, i32>("i"), 10);
    assert_eq!(r.get::<_, i64>("b"), 10_000_000_000);
    assert_eq!(r.get::<_, f32>("r"), 1.5);
    assert_eq!(r.get::<_, f64>("d"), 2.25);
    assert_eq!(r.get::<_, String>("tx"), "hello");
    assert_eq!(r.get::<_, String>("v"), "abc");
    assert_eq!(r.get::<_, String>("ch"), "x  ");
    assert!(r.get::<_, bool>("ok"));
    let r = c
        .query_one(
            "select ts::text, dt::text, n::text from t where id = 1",
            &[],
        )
        .await
        .unwrap();
    assert_eq!(r.get::<_, String>(0), "2024-01-02 03:04:05");
    assert_eq!(r.get::<_, String>(1), "2024-02-29");
    assert_eq!(r.get::<_, String>(2), "3.46");
    let r = c
        .query_one("select * from t where id = 2", &[])
        .await
        .unwrap();
    assert_eq!(r.get::<_, Option<i16>>("s"), None);
    assert_eq!(r.get::<_, Option<String>>("tx"), None);
    assert!(!r.get::<_, bool>("ok"));
    // UPDATE with expressions and RETURNING; DELETE with RETURNING.
    let rows = c
        .query(
            "update t set i = i * 2 + 1, tx = coalesce(tx, 'none') || '!' where id >= 1 returning id, i, tx",
            &[],
        )
        .await
        .unwrap();
    let mut got: Vec<(i32, i32, String)> = rows
        .iter()
        .map(|r| (r.get(0), r.get(1), r.get(2)))
        .collect();
    got.sort();
    assert_eq!(got, vec![(1, 21, "hello!".into()), (2, 41, "none!".into())]);
    assert_eq!(
        c.execute("update t set b = 5 where id = 99", &[])
            .await
            .unwrap(),
        0
    );
    let n = c.execute("delete from t where id = 2", &[]).await.unwrap();
    assert_eq!(n, 1);
    // The sequence goes on; INSERT ... SELECT; ON CONFLICT.
    c.execute("insert into t (i) select i + 100 from t", &[])
        .await
        .unwrap();
    let r = c
        .query_one("select max(id), count(*) from t", &[])
        .await
        .unwrap();
    assert_eq!((r.get::<_, i32>(0), r.get::<_, i64>(1)), (3, 2));
    let n = c
        .execute(
            "insert into t (id, i) values (1, 0) on conflict (id) do nothing",
            &[],
        )
        .await
        .unwrap();
    assert_eq!(n, 0);
    let r = c
        .query_one(
            "insert into t (id, i) values (1, 7) on conflict (id) do update set i = t.i + excluded.i returning i",
            &[],
        )
        .await
        .unwrap();
    assert_eq!(r.get::<_, i32>(0), 28);
    // Extended protocol with typed parameters, re-run after DDL.
    let st = c.prepare("select i from t where id = $1").await.unwrap();
    assert_eq!(
        c.query_one(&st, &[&1i32]).await.unwrap().get::<_, i32>(0),
        28
    );
    c.batch_execute("create index t_i on t (i); alter table t add column extra int")
        .await
        .unwrap();
    assert_eq!(
        c.query_one(&st, &[&3i32]).await.unwrap().get::<_, i32>(0),
        121
    );
    // SQL-level PREPARE/EXECUTE, EXPLAIN, TRUNCATE, DROP.
    c.batch_execute("prepare q (int) as select i from t where id = $1")
        .await
        .unwrap();
    let rows = c.simple_query("execute q(3)").await.unwrap();
    let values: Vec<Option<&str>> = rows
        .iter()
        .filter_map(|m| match m {
            tokio_postgres::SimpleQueryMessage::Row(r) => Some(r.get(0)),
            _ => None,
        })
        .collect();
    assert_eq!(values, vec![Some("121")]);
    let plan: Vec<String> = c
        .query("explain (costs off) select * from t where id = 1", &[])
        .await
        .unwrap()
        .iter()
        .map(|r| r.get(0))
        .collect();
    assert_eq!(
        plan,
        vec!["Index Scan using t_pkey on t", "  Index Cond: (id = 1)"]
    );
    c.batch_execute("truncate t; vacuum analyze t")
        .await
        .unwrap();
    assert_eq!(
        c.query_one("select count(*) from t", &[])
            .await
            .unwrap()
            .get::<_, i64>(0),
        0
    );
    c.batch_execute("drop table t").await.unwrap();
    let e = c.query("select * from t", &[]).await.unwrap_err();
    assert_eq!(sqlstate(&e), "42P01");
}

async fn constraint_errors(mode: Mode) {
    let srv = TestServer::start(mode);
    let c = srv.connect().await;
    c.batch_execute(
        "create table u (id int primary key, name varchar(5) not null, code int unique, q int)",
    )
    .await
    .unwrap();
    c.execute("insert into u values (1, 'a', 10, 0)", &[])
        .await
        .unwrap();
    let e = c
        .execute("insert into u values (1, 'b', 11, 0)", &[])
        .await
        .unwrap_err();
    assert_eq!(sqlstate(&e), "23505");
    assert_eq!(
        message(&e),
        "duplicate key value violates unique constraint \"u_pkey\""
    );
    assert_eq!(
        e.as_db_error().unwrap().detail(),
        Some("Key (id)=(1) already exists.")
    );
    let e = c
        .execute("insert into u values (2, 'b', 10, 0)", &[])
        .await
        .unwrap_err();
    assert_eq!(sqlstate(&e), "23505");
    assert!(message(&e).contains("\"u_code_key\""), "{}", message(&e));
    let e = c
        .execute("insert into u values (3, null, 12, 0)", &[])
        .await
        .unwrap_err();
    assert_eq!(sqlstate(&e), "23502");
    assert_eq!(
        message(&e),
        "null value in column \"name\" of relation \"u\" violates not-null constraint"
    );
    let e = c
        .execute("insert into u values (4, 'toolong', 13, 0)", &[])
        .await
        .unwrap_err();
    assert_eq!(
        (sqlstate(&e), message(&e)),
        (
            "22001".into(),
            "value too long for type character varying(5)".into()
        )
    );
    let e = c
        .execute("insert into u values ('x', 'a', 14, 0)", &[])
        .await
        .unwrap_err();
    assert_eq!(sqlstate(&e), "22P02");
    let e = c
        .execute("insert into u values (5, 'a', 99999999999, 0)", &[])
        .await
        .unwrap_err();
    assert_eq!(sqlstate(&e), "22003");
    let e = c.execute("update u set q = 1 / q", &[]).await.unwrap_err();
    assert_eq!(sqlstate(&e), "22012");
    let e = c
        .execute("insert into u (nope) values (1)", &[])
        .await
        .unwrap_err();
    assert_eq!(sqlstate(&e), "42703");
    let e = c.query("select nope from u", &[]).await.unwrap_err();
    assert_eq!(sqlstate(&e), "42703");
    let e = c.batch_execute("create table u (a int)").await.unwrap_err();
    assert_eq!(
        (sqlstate(&e), message(&e)),
        ("42P07".into(), "relation \"u\" already exists".into())
    );
    let e = c.query("select * from nosuch", &[]).await.unwrap_err();
    assert_eq!(sqlstate(&e), "42P01");
    assert!(e.as_db_error().unwrap().position().is_some());
    let e = c.batch_execute("create tabel x (a int)").await.unwrap_err();
    assert_eq!(sqlstate(&e), "42601");
    // A failed update changed nothing; duplicates by UPDATE are refused.
    let e = c.execute("insert into u values (2, 'b', 20, 0)", &[]).await;
    assert!(e.is_ok());
    let e = c
        .execute("update u set id = 1 where id = 2", &[])
        .await
        .unwrap_err();
    assert_eq!(sqlstate(&e), "23505");
    let rows = c.query("select id from u order by id", &[]).await.unwrap();
    let ids: Vec<i32> = rows.iter().map(|r| r.get(0)).collect();
    assert_eq!(ids, vec![1, 2]);
    // A statement failing part way leaves nothing behind.
    let e = c
        .execute(
            "insert into u values (7, 'g', 70, 0), (8, 'h', 80, 0), (1, 'dup', 90, 0)",
            &[],
        )
        .await
        .unwrap_err();
    assert_eq!(sqlstate(&e), "23505");
    let e = c
        .execute("update u set id = id + 1", &[])
        .await
        .unwrap_err();
    assert_eq!(sqlstate(&e), "23505");
    let rows = c
        .query("select id, code from u order by id", &[])
        .await
        .unwrap();
    let got: Vec<(i32, i32)> = rows.iter().map(|r| (r.get(0), r.get(1))).collect();
    assert_eq!(got, vec![(1, 10), (2, 20)]);
    // ADD PRIMARY KEY over duplicates fails; DROP TABLE IF EXISTS notices.
    c.batch_execute("create table d (a int); insert into d values (1), (1)")
        .await
        .unwrap();
    let e = c
        .batch_execute("alter table d add primary key (a)")
        .await
        .unwrap_err();
    assert_eq!(sqlstate(&e), "23505");
    let out = srv.psql(&["-c", "drop table if exists nosuch, d"]);
    assert!(out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("NOTICE:  table \"nosuch\" does not exist, skipping"),
        "{err}"
    );
}

async fn index_scans_match_seq_scans(mode: Mode) {
    let srv = TestServer::start(mode);
    let c = srv.connect().await;
    c.batch_execute(
        "create table k (a int, b text, c bigint, f float8); \
         insert into k select g % 50, 'v' || (g % 7), g, g * 0.5 from generate_series(1, 2000) as s(g); \
         insert into k values (null, null, null, null), (-5, '', -1, -0.5)",
    )
    .await
    .unwrap();
    let preds = [
        "a = 7",
        "a > 45",
        "a >= 45 and a < 48",
        "a <= -1",
        "a is null",
        "b = 'v3' and a = 10",
        "b >= 'v5'",
        "c between 100 and 120",
        "c > 1995",
        "f < 1.0",
        "a = 7 and c > 1000",
    ];
    let mut seq = Vec::new();
    for p in preds {
        let q = format!("select a, b, c, f from k where {p} order by c nulls last");
        seq.push(c.query(&q, &[]).await.unwrap());
    }
    c.batch_execute(
        "create index k_a on k (a); create index k_ba on k (b, a); create unique index k_c on k (c); \
         create index k_f on k (f)",
    )
    .await
    .unwrap();
    for (p, before) in preds.iter().zip(&seq) {
        let q = format!("select a, b, c, f from k where {p} order by c nulls last");
        let plan: Vec<String> = c
            .query(&format!("explain (costs off) {q}"), &[])
            .await
            .unwrap()
            .iter()
            .map(|r| r.get(0))
            .collect();
        if *p != "a is null" {
            assert!(
                plan.iter().any(|l| l.contains("Index Scan")),
                "{p}: {plan:?}"
            );
        }
        let after = c.query(&q, &[]).await.unwrap();
        assert_eq!(after.len(), before.len(), "{p}");
        for (x, y) in after.iter().zip(before) {
            assert_eq!(
                x.get::<_, Option<i64>>(2),
                y.get::<_, Option<i64>>(2),
                "{p}"
            );
            assert_eq!(
                x.get::<_, Option<String>>(1),
                y.get::<_, Option<String>>(1),
                "{p}"
            );
        }
    }
    // ORDER BY ... LIMIT read in index order, without a sort.
    let plan: Vec<String> = c
        .query(
            "explain (costs off) select c from k where b = 'v3' order by a limit 5",
            &[],
        )
        .await
        .unwrap()
        .iter()
        .map(|r| r.get(0))
        .collect();
    assert!(!plan.iter().any(|l| l.contains("Sort")), "{plan:?}");
    let plan: Vec<String> = c
        .query(
            "explain (costs off) select c from k order by c limit 3",
            &[],
        )
        .await
        .unwrap()
        .iter()
        .map(|r| r.get(0))
        .collect();
    assert_eq!(plan, vec!["Limit", "  ->  Index Scan using k_c on k"]);
    let rows = c
        .query("select c from k order by c limit 3", &[])
        .await
        .unwrap();
    let got: Vec<i64> = rows.iter().map(|r| r.get(0)).collect();
    assert_eq!(got, vec![-1, 1, 2]);
    let rows = c
        .query("select c from k where b = 'v3' order by a, c limit 4", &[])
        .await
        .unwrap();
    let got: Vec<i64> = rows.iter().map(|r| r.get(0)).collect();
    assert_eq!(got, vec![150, 500, 850, 1200]);
    // Parameters in index conditions; updates keep the index right.
    let st = c
        .prepare("select count(*) from k where a = $1")
        .await
        .unwrap();
    let n: i64 = c.query_one(&st, &[&7i32]).await.unwrap().get(0);
    assert_eq!(n, 40);
    c.execute("update k set a = 1000 where a = 7", &[])
        .await
        .unwrap();
    assert_eq!(
        c.query_one(&st, &[&7i32]).await.unwrap().get::<_, i64>(0),
        0
    );
    assert_eq!(
        c.query_one(&st, &[&1000i32])
            .await
            .unwrap()
            .get::<_, i64>(0),
        40
    );
    let e = c
        .execute("update k set c = 5 where c = 6", &[])
        .await
        .unwrap_err();
    assert_eq!(sqlstate(&e), "23505");
    c.execute("delete from k where a = 1000", &[])
        .await
        .unwrap();
    assert_eq!(
        c.query_one(&st, &[&1000i32])
            .await
            .unwrap()
            .get::<_, i64>(0),
        0
    );
}

async fn joins_subqueries_and_aggregates(mode: Mode) {
    let srv = TestServer::start(mode);
    let c = srv.connect().await;
    c.batch_execute(
        "create table dept (id int primary key, name text); \
         create table emp (id int primary key, dept int, salary int, boss int); \
         insert into dept values (1, 'eng'), (2, 'ops'), (3, 'empty'); \
         insert into emp values (1, 1, 100, null), (2, 1, 80, 1), (3, 2, 70, 1), (4, 2, null, 3), (5, null, 50, 1)",
    )
    .await
    .unwrap();
    let q = |sql: &'static str| {
        let c = &c;
        async move {
            c.query(sql, &[])
                .await
                .unwrap_or_else(|e| panic!("{sql}: {e}"))
                .iter()
                .map(|r| {
                    (0..r.len())
                        .map(|i| {
                            r.get::<_, Option<String>>(i)
                                .unwrap_or_else(|| "NULL".into())
                        })
                        .collect::<Vec<_>>()
                        .join("|")
                })
                .collect::<Vec<_>>()
        }
    };
    assert_eq!(
        q("select e.id::text, d.name from emp e join dept d on d.id = e.dept order by e.id").await,
        vec!["1|eng", "2|eng", "3|ops", "4|ops"]
    );
    assert_eq!(
        q("select d.name, count(e.id)::text from dept d left join emp e on e.dept = d.id group by d.name order by 1").await,
        vec!["empty|0", "eng|2", "ops|2"]
    );
    assert_eq!(
        q("select e.id::text, b.id::text from emp e left join emp b on e.boss = b.id and b.salary > 90 order by 1").await,
        vec!["1|NULL", "2|1", "3|1", "4|NULL", "5|1"]
    );
    assert_eq!(q("select count(*)::text from emp, dept").await, vec!["15"]);
    assert_eq!(
        q("select name from dept where id in (select dept from emp where salary >= 80)").await,
        vec!["eng"]
    );
    assert_eq!(
        q("select name from dept d where not exists (select 1 from emp e where e.dept = d.id) order by 1").await,
        vec!["empty"]
    );
    assert_eq!(
        q("select id::text from emp where dept not in (select id from dept where name = 'ops') order by 1").await,
        vec!["1", "2"]
    );
    assert_eq!(
        q("select id::text, (select name from dept where dept.id = emp.dept) from emp order by id desc limit 2 offset 1").await,
        vec!["4|ops", "3|ops"]
    );
    assert_eq!(
        q("select dept::text, sum(salary)::text, count(*) filter (where salary > 60)::text, count(distinct boss)::text \
           from emp group by dept having count(*) > 1 order by dept nulls first").await,
        vec!["1|180|2|1", "2|70|1|2"]
    );
    assert_eq!(
        q("select distinct dept::text from emp order by 1 desc nulls first").await,
        vec!["NULL", "2", "1"]
    );
    assert_eq!(
        q("select g::text, s.n::text from generate_series(1, 3) as g cross join lateral (select g * 10 as n) s").await,
        vec!["1|10", "2|20", "3|30"]
    );
    assert_eq!(
        q("select sum(x)::text from generate_series(10, 1, -3) as t(x)").await,
        vec!["22"]
    );
}

fn psql_with_stdin(srv: &TestServer, args: &[&str], input: &str) -> std::process::Output {
    let mut child = Command::new("psql")
        .arg("-X")
        .arg("-h")
        .arg(srv.socket_dir())
        .args(["-p", &srv.port.to_string(), "-U", "tester", "-d", "testdb"])
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(input.as_bytes())
        .unwrap();
    child.wait_with_output().unwrap()
}

async fn copy_in_and_out_with_psql(mode: Mode) {
    let srv = TestServer::start(mode);
    let c = srv.connect().await;
    c.batch_execute("create table cp (id serial, a int, b text, n numeric(6,2))")
        .await
        .unwrap();
    let data = "1\tone\t1.5\n2\t\\N\t\\N\n3\ttab\\there\t-2\n";
    let out = psql_with_stdin(
        &srv,
        &["-c", "copy cp (a, b, n) from stdin with (freeze on)"],
        data,
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(String::from_utf8_lossy(&out.stdout).trim(), "COPY 3");
    let out = psql_with_stdin(&srv, &["-c", "\\copy cp (a, b) from stdin"], "4\tfour\n");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let out = srv.psql(&["-c", "copy cp to stdout"]);
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        "1\t1\tone\t1.50\n2\t2\t\\N\t\\N\n3\t3\ttab\\there\t-2.00\n4\t4\tfour\t\\N\n"
    );
    // A bad row fails the COPY with the value's error.
    let out = psql_with_stdin(&srv, &["-c", "copy cp (a) from stdin"], "x\n");
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("invalid input syntax for type integer"));
    assert_eq!(
        c.query_one("select count(*) from cp", &[])
            .await
            .unwrap()
            .get::<_, i64>(0),
        4
    );
}

async fn restart_keeps_tables(mode: Mode) {
    let mut srv = TestServer::start(mode);
    {
        let c = srv.connect().await;
        c.batch_execute(
            "create table p (id bigserial primary key, v text); \
             insert into p (v) select 'row ' || g from generate_series(1, 500) as s(g)",
        )
        .await
        .unwrap();
    }
    srv.stop_with(Signal::SIGINT);
    srv.spawn(&[]);
    let check = |c: tokio_postgres::Client| async move {
        let r = c
            .query_one("select count(*), max(id) from p", &[])
            .await
            .unwrap();
        assert_eq!((r.get::<_, i64>(0), r.get::<_, i64>(1)), (500, 500));
        let r = c
            .query_one("select v from p where id = 250", &[])
            .await
            .unwrap();
        assert_eq!(r.get::<_, String>(0), "row 250");
        // The sequence continues past the rows already there.
        let r = c
            .query_one("insert into p (v) values ('new') returning id", &[])
            .await
            .unwrap();
        assert!(r.get::<_, i64>(0) > 500);
    };
    check(srv.connect().await).await;
    // A data directory written in one mode opens in the other.
    srv.stop_with(Signal::SIGINT);
    srv.mode = if mode == Mode::Thread {
        Mode::Process
    } else {
        Mode::Thread
    };
    srv.spawn(&[]);
    let c = srv.connect().await;
    let r = c.query_one("select count(*) from p", &[]).await.unwrap();
    assert_eq!(r.get::<_, i64>(0), 501);
}

async fn concurrent_writers(mode: Mode) {
    let srv = TestServer::start_with(mode, &["--shared-buffers", "1MB"]);
    let c = srv.connect().await;
    c.batch_execute("create table w (id int primary key, writer int, filler text)")
        .await
        .unwrap();
    let writers = 4;
    let per_writer = 2500;
    let mut tasks = Vec::new();
    for w in 0..writers {
        let c = srv.connect().await;
        tasks.push(tokio::spawn(async move {
            let st = c
                .prepare("insert into w values ($1, $2, repeat('x', 2000))")
                .await
                .unwrap();
            for i in 0..per_writer {
                c.execute(&st, &[&(i * writers + w), &w]).await.unwrap();
            }
        }));
    }
    for t in tasks {
        t.await.unwrap();
    }
    let r = c
        .query_one(
            "select count(*), count(distinct id), sum(length(filler)) from w",
            &[],
        )
        .await
        .unwrap();
    let n = (writers * per_writer) as i64;
    assert_eq!(r.get::<_, i64>(0), n);
    assert_eq!(r.get::<_, i64>(1), n);
    assert_eq!(r.get::<_, i64>(2), n * 2000);
    let rows = c
        .query(
            "select writer, count(*) from w group by writer order by 1",
            &[],
        )
        .await
        .unwrap();
    for (w, r) in rows.iter().enumerate() {
        assert_eq!(
            (r.get::<_, i32>(0), r.get::<_, i64>(1)),
            (w as i32, per_writer as i64)
        );
    }
    // Every row is reachable through the index too.
    let st = c
        .prepare("select writer from w where id = $1")
        .await
        .unwrap();
    for id in (0..n as i32).step_by(97) {
        let r = c.query_one(&st, &[&id]).await.unwrap();
        assert_eq!(r.get::<_, i32>(0), id % writers);
    }
}

async fn pgbench_init_and_select_only(mode: Mode) {
    let srv = TestServer::start(mode);
    srv.pgbench(&["-i", "-s", "2", "-q"]);
    let c = srv.connect().await;
    let r = c
        .query_one("select count(*), sum(abalance) from pgbench_accounts", &[])
        .await
        .unwrap();
    assert_eq!(
        (r.get::<_, i64>(0), r.get::<_, Option<i64>>(1)),
        (200_000, Some(0))
    );
    let plan: Vec<String> = c
        .query(
            "explain (costs off) select abalance from pgbench_accounts where aid = 5",
            &[],
        )
        .await
        .unwrap()
        .iter()
        .map(|r| r.get(0))
        .collect();
    assert_eq!(
        plan[0],
        "Index Scan using pgbench_accounts_pkey on pgbench_accounts"
    );
    for protocol in ["simple", "extended", "prepared"] {
        let text = srv.pgbench(&["-S", "-n", "-t", "200", "-c", "4", "-M", protocol]);
        assert!(
            text.contains("number of transactions actually processed: 800/800"),
            "{text}"
        );
    }
    // The TPC-B-like script runs too (see transactions.rs for its checks).
    let text = srv.pgbench(&["-n", "-t", "50", "-c", "2"]);
    assert!(text.contains("actually processed: 100/100"), "{text}");
    let r = c
        .query_one(
            "select (select sum(delta) from pgbench_history), (select sum(bbalance) from pgbench_branches), \
             (select sum(abalance) from pgbench_accounts)",
            &[],
        )
        .await
        .unwrap();
    let h: i64 = r.get(0);
    assert_eq!(r.get::<_, i64>(1), h);
    assert_eq!(r.get::<_, i64>(2), h);
}

/// A statement whose sorts, hash tables or buffered rows outgrow
/// pgfork.statement_mem fails with 53200; the session and server go on.
async fn statement_memory_is_bounded(mode: Mode) {
    let srv = TestServer::start(mode);
    let c = srv.connect().await;
    c.batch_execute("SET pgfork.statement_mem = '1MB'")
        .await
        .unwrap();
    for sql in [
        "SELECT g FROM generate_series(1, 200000) g ORDER BY g DESC",
        "SELECT count(*) FROM generate_series(1, 50000) a JOIN generate_series(1, 50000) b ON a = b",
        "SELECT g, count(*) FROM generate_series(1, 100000) g GROUP BY g",
    ] {
        let e = c.batch_execute(sql).await.unwrap_err();
        assert_eq!(crate::harness::sqlstate(&e), "53200", "{sql}");
    }
    let n: i64 = c
        .query_one("SELECT count(*) FROM generate_series(1, 1000) g", &[])
        .await
        .unwrap()
        .get(0);
    assert_eq!(n, 1000);
    c.batch_execute("RESET pgfork.statement_mem").await.unwrap();
    let r = c
        .query_one(
            "SELECT max(g) FROM (SELECT g FROM generate_series(1, 200000) g ORDER BY g) s",
            &[],
        )
        .await
        .unwrap();
    assert_eq!(r.get::<_, i32>(0), 200000);
}
