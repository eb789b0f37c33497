//! Databases: each has its own relations; CREATE DATABASE copies its
//! template; DROP DATABASE with and without other sessions; FATAL 3D000
//! for a missing database; a kill -9 during or after CREATE DATABASE
//! leaves either the whole database or none; psql's `\l` as PostgreSQL's.

use std::time::Duration;

use crate::harness::{sqlstate, Mode, TestServer};

async fn connect_to(
    srv: &TestServer,
    db: &str,
) -> Result<tokio_postgres::Client, tokio_postgres::Error> {
    srv.try_connect_as("tester", db).await
}

async fn one(c: &tokio_postgres::Client, sql: &str) -> String {
    let rows = c.simple_query(sql).await.unwrap();
    rows.iter()
        .find_map(|m| match m {
            tokio_postgres::SimpleQueryMessage::Row(r) => Some(r.get(0).unwrap_or("").to_owned()),
            _ => None,
        })
        .unwrap_or_default()
}

in_all_modes!(two_databases_are_isolated, create_from_template_and_drop);

async fn two_databases_are_isolated(mode: Mode) {
    let srv = TestServer::start(mode);
    let admin = srv.connect().await;
    admin.batch_execute("CREATE DATABASE a").await.unwrap();
    admin.batch_execute("CREATE DATABASE b").await.unwrap();
    let a = connect_to(&srv, "a").await.unwrap();
    let b = connect_to(&srv, "b").await.unwrap();
    // The same name in both, different contents.
    a.batch_execute("CREATE TABLE t (x int PRIMARY KEY, s text); INSERT INTO t VALUES (1, 'a')")
        .await
        .unwrap();
    b.batch_execute(
        "CREATE TABLE t (y text); INSERT INTO t VALUES ('b1'), ('b2'); CREATE SEQUENCE only_b",
    )
    .await
    .unwrap();
    assert_eq!(one(&a, "SELECT s FROM t").await, "a");
    assert_eq!(
        one(&b, "SELECT string_agg(y, ',' ORDER BY y) FROM t").await,
        "b1,b2"
    );
    assert_eq!(
        one(&a, "SELECT count(*) FROM pg_class WHERE relname = 'only_b'").await,
        "0"
    );
    let e = a
        .simple_query("SELECT nextval('only_b')")
        .await
        .unwrap_err();
    assert_eq!(sqlstate(&e), "42P01");
    let e = admin.simple_query("SELECT * FROM t").await.unwrap_err();
    assert_eq!(sqlstate(&e), "42P01");
    assert_eq!(one(&a, "SELECT current_database()").await, "a");
    // pg_stat_activity names each session's database and its OID.
    let datid = one(&admin, "SELECT oid FROM pg_database WHERE datname = 'b'").await;
    assert_eq!(
        one(
            &admin,
            "SELECT string_agg(datname || ':' || datid, ',' ORDER BY datname) FROM pg_stat_activity WHERE datname IN ('a', 'b')"
        )
        .await,
        format!(
            "a:{},b:{datid}",
            one(&admin, "SELECT oid FROM pg_database WHERE datname = 'a'").await
        )
    );
    // DDL rolled back in one database leaves the other alone.
    b.batch_execute("BEGIN; DROP TABLE t; ROLLBACK")
        .await
        .unwrap();
    assert_eq!(one(&b, "SELECT count(*) FROM t").await, "2");
    // A missing database: FATAL 3D000.
    let e = connect_to(&srv, "nosuch").await.unwrap_err();
    assert_eq!(sqlstate(&e), "3D000");
    assert!(crate::harness::message(&e).contains("database \"nosuch\" does not exist"));
    // template0 does not accept connections.
    let e = connect_to(&srv, "template0").await.unwrap_err();
    assert_eq!(sqlstate(&e), "55000");
    // Sizes are real: a database with more rows is bigger.
    a.batch_execute("INSERT INTO t SELECT g, repeat('x', 100) FROM generate_series(2, 2000) g")
        .await
        .unwrap();
    let size = |n: &'static str| {
        let admin = &admin;
        async move {
            one(admin, &format!("SELECT pg_database_size('{n}')"))
                .await
                .parse::<i64>()
                .unwrap()
        }
    };
    assert!(size("a").await > size("b").await + 100_000);
}

async fn create_from_template_and_drop(mode: Mode) {
    let srv = TestServer::start(mode);
    let admin = srv.connect().await;
    admin.batch_execute("CREATE DATABASE tpl").await.unwrap();
    {
        let tpl = connect_to(&srv, "tpl").await.unwrap();
        tpl.batch_execute(
            "CREATE TABLE items (id serial PRIMARY KEY, name text UNIQUE, n int CHECK (n > 0));
             CREATE TABLE refs (item int REFERENCES items(id));
             CREATE INDEX items_n ON items (n);
             CREATE VIEW big AS SELECT * FROM items WHERE n > 5;
             INSERT INTO items (name, n) SELECT 'i' || g, g FROM generate_series(1, 500) g;
             INSERT INTO refs VALUES (3);",
        )
        .await
        .unwrap();
        // The template is in use: 55006.
        let e = admin
            .simple_query("CREATE DATABASE copy TEMPLATE tpl")
            .await
            .unwrap_err();
        assert_eq!(sqlstate(&e), "55006");
        assert_eq!(
            crate::harness::message(&e),
            "source database \"tpl\" is being accessed by other users"
        );
    }
    // The session ends asynchronously: retry until it is gone.
    let mut tries = 0;
    loop {
        match admin
            .simple_query("CREATE DATABASE copy TEMPLATE tpl")
            .await
        {
            Ok(_) => break,
            Err(e) if sqlstate(&e) == "55006" && tries < 200 => {
                tries += 1;
                tokio::time::sleep(Duration::from_millis(25)).await;
            }
            Err(e) => panic!("CREATE DATABASE copy: {e:?}"),
        }
    }
    let copy = connect_to(&srv, "copy").await.unwrap();
    assert_eq!(one(&copy, "SELECT count(*) FROM items").await, "500");
    let mut gone = Vec::new();
    for db in ["tpl", "copy"] {
        let oid = one(
            &admin,
            &format!("SELECT oid FROM pg_database WHERE datname = '{db}'"),
        )
        .await;
        gone.push((format!("the catalog of {db}"), oid.parse::<u32>().unwrap()));
    }
    for rel in ["items", "items_pkey", "refs", "items_id_seq"] {
        let oid = one(
            &copy,
            &format!("SELECT oid FROM pg_class WHERE relname = '{rel}'"),
        )
        .await;
        gone.push((format!("{rel} of copy"), oid.parse::<u32>().unwrap()));
    }
    assert_eq!(one(&copy, "SELECT count(*) FROM big").await, "495");
    assert_eq!(
        one(&copy, "SELECT n FROM items WHERE name = 'i42'").await,
        "42"
    );
    // The copy's objects are its own: sequence, constraints, indexes.
    copy.batch_execute("INSERT INTO items (name, n) VALUES ('new', 7)")
        .await
        .unwrap();
    assert_eq!(one(&copy, "SELECT max(id) FROM items").await, "501");
    let e = copy
        .simple_query("INSERT INTO items (name, n) VALUES ('i1', 1)")
        .await
        .unwrap_err();
    assert_eq!(sqlstate(&e), "23505");
    let e = copy
        .simple_query("INSERT INTO refs VALUES (9999)")
        .await
        .unwrap_err();
    assert_eq!(sqlstate(&e), "23503");
    let e = copy
        .simple_query("DELETE FROM items WHERE id = 3")
        .await
        .unwrap_err();
    assert_eq!(sqlstate(&e), "23503");
    {
        let tpl = connect_to(&srv, "tpl").await.unwrap();
        assert_eq!(one(&tpl, "SELECT count(*) FROM items").await, "500");
        assert_eq!(one(&tpl, "SELECT max(id) FROM items").await, "500");
        // DROP of a database in use: 55006; of the current one: 55006.
        let e = admin.simple_query("DROP DATABASE tpl").await.unwrap_err();
        assert_eq!(sqlstate(&e), "55006");
        let e = tpl.simple_query("DROP DATABASE tpl").await.unwrap_err();
        assert_eq!(sqlstate(&e), "55006");
        assert_eq!(
            crate::harness::message(&e),
            "cannot drop the currently open database"
        );
        // WITH (FORCE) ends the other session.
        admin
            .batch_execute("DROP DATABASE tpl WITH (FORCE)")
            .await
            .unwrap();
        let e = tpl.simple_query("SELECT 1").await.unwrap_err();
        assert!(tpl.is_closed() || !sqlstate(&e).is_empty(), "{e:?}");
    }
    let e = connect_to(&srv, "tpl").await.unwrap_err();
    assert_eq!(sqlstate(&e), "3D000");
    // The copy is untouched by the drop of its template.
    assert_eq!(one(&copy, "SELECT count(*) FROM items").await, "501");
    drop(copy);
    let mut tries = 0;
    loop {
        match admin.simple_query("DROP DATABASE copy").await {
            Ok(_) => break,
            Err(e) if sqlstate(&e) == "55006" && tries < 200 => {
                tries += 1;
                tokio::time::sleep(Duration::from_millis(25)).await;
            }
            Err(e) => panic!("DROP DATABASE copy: {e:?}"),
        }
    }
    assert_eq!(
        one(
            &admin,
            "SELECT string_agg(datname, ',' ORDER BY datname) FROM pg_database"
        )
        .await,
        "postgres,template0,template1,testdb"
    );
    // Nothing of the dropped databases is left on disk: neither their
    // catalog relations nor their relation files.
    for (what, oid) in gone {
        assert!(
            !srv.data_dir().join("base").join(oid.to_string()).exists(),
            "{what} (base/{oid}) is left"
        );
    }
}

/// kill -9 of the whole server while CREATE DATABASE copies a template,
/// and after it committed: at restart the database is either whole or
/// absent (no half database), and what was committed in it is there;
/// then right after DROP DATABASE: gone, with its files.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kill_9_during_and_after_create_database() {
    for mode in [Mode::Process, Mode::Thread] {
        let mut srv = TestServer::start(mode);
        let admin = srv.connect().await;
        admin.batch_execute("CREATE DATABASE tpl").await.unwrap();
        let tpl = connect_to(&srv, "tpl").await.unwrap();
        let mut ddl = String::new();
        for i in 0..40 {
            ddl += &format!(
                "CREATE TABLE t{i} (id int PRIMARY KEY, v text); INSERT INTO t{i} SELECT g, 'v' || g FROM generate_series(1, 300) g;"
            );
        }
        tpl.batch_execute(&ddl).await.unwrap();
        drop(tpl);
        tokio::time::sleep(Duration::from_millis(300)).await;
        // After: committed, then a row in it, then kill -9.
        admin
            .batch_execute("CREATE DATABASE done TEMPLATE tpl")
            .await
            .unwrap();
        let done = connect_to(&srv, "done").await.unwrap();
        done.batch_execute("INSERT INTO t0 VALUES (1000, 'after')")
            .await
            .unwrap();
        drop(done);
        // During: the copy runs while the server is killed.
        let files = |srv: &TestServer| {
            std::fs::read_dir(srv.data_dir().join("base"))
                .unwrap()
                .count()
        };
        let files_before_half = files(&srv);
        let conn = srv.conn_string();
        let task = tokio::spawn(async move {
            let (c, k) = tokio_postgres::connect(&conn, tokio_postgres::NoTls)
                .await
                .unwrap();
            tokio::spawn(k);
            c.batch_execute("CREATE DATABASE half TEMPLATE tpl")
                .await
                .is_ok()
        });
        tokio::time::sleep(Duration::from_millis(60)).await;
        srv.kill_9_all();
        let finished = task.await.unwrap();
        srv.restart(&[]);
        let admin = srv.connect().await;
        let done = connect_to(&srv, "done").await.unwrap();
        assert_eq!(
            one(&done, "SELECT v FROM t0 WHERE id = 1000").await,
            "after"
        );
        assert_eq!(one(&done, "SELECT count(*) FROM t39").await, "300");
        let half = one(
            &admin,
            "SELECT count(*) FROM pg_database WHERE datname = 'half'",
        )
        .await;
        if half == "1" {
            let h = connect_to(&srv, "half").await.unwrap();
            for i in [0, 20, 39] {
                assert_eq!(one(&h, &format!("SELECT count(*) FROM t{i}")).await, "300");
            }
        } else {
            assert!(!finished, "CREATE DATABASE reported success but is gone");
            let e = connect_to(&srv, "half").await.unwrap_err();
            assert_eq!(sqlstate(&e), "3D000");
            // No half database left: neither its catalog relation nor
            // its copies of the template's files.
            assert_eq!(files(&srv), files_before_half, "{mode:?}");
            admin
                .batch_execute("CREATE DATABASE half TEMPLATE tpl")
                .await
                .unwrap();
        }
        // kill -9 right after DROP DATABASE: gone at restart, with its
        // catalog relation and relation files.
        let before = files(&srv);
        drop(done);
        let mut tries = 0;
        loop {
            // The session just closed ends asynchronously.
            match admin.simple_query("DROP DATABASE done").await {
                Ok(_) => break,
                Err(e) if sqlstate(&e) == "55006" && tries < 200 => {
                    tries += 1;
                    tokio::time::sleep(Duration::from_millis(25)).await;
                }
                Err(e) => panic!("DROP DATABASE done: {e:?}"),
            }
        }
        srv.kill_9_all();
        srv.restart(&[]);
        let admin = srv.connect().await;
        let e = connect_to(&srv, "done").await.unwrap_err();
        assert_eq!(sqlstate(&e), "3D000");
        assert_eq!(
            one(
                &admin,
                "SELECT count(*) FROM pg_database WHERE datname = 'done'"
            )
            .await,
            "0"
        );
        assert!(
            files(&srv) < before,
            "{mode:?}: relation files of done left"
        );
        let h = connect_to(&srv, "half").await.unwrap();
        assert_eq!(one(&h, "SELECT count(*) FROM t39").await, "300");
    }
}
