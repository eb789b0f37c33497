//! System columns through the real server, in every mode: tableoid, ctid,
//! xmin, xmax, cmin and cmax of tables (types, RowDescription, binary
//! form, values tied to the transactions and commands that wrote the row
//! versions), tableoid of the catalogs pg_dump reads, names that conflict
//! with them, and their absence from `*`.

use tokio_postgres::types::{FromSql, Type};

use crate::harness::{message, sqlstate, Mode, TestServer};

in_all_modes!(system_columns);

/// A value's bytes in the binary format, whatever its type.
struct Raw(Vec<u8>);

impl<'a> FromSql<'a> for Raw {
    fn from_sql(_: &Type, raw: &'a [u8]) -> Result<Self, Box<dyn std::error::Error + Sync + Send>> {
        Ok(Raw(raw.to_vec()))
    }

    fn accepts(_: &Type) -> bool {
        true
    }
}

async fn one(c: &tokio_postgres::Client, sql: &str) -> String {
    let rows = c
        .simple_query(sql)
        .await
        .unwrap_or_else(|e| panic!("{sql}: {e}"));
    rows.into_iter()
        .find_map(|m| match m {
            tokio_postgres::SimpleQueryMessage::Row(r) => r.get(0).map(str::to_owned),
            _ => None,
        })
        .unwrap_or_else(|| panic!("{sql}: no row"))
}

async fn system_columns(mode: Mode) {
    let srv = TestServer::start(mode);
    let c = srv.connect().await;
    c.batch_execute("CREATE TABLE sc (id int PRIMARY KEY, v text)")
        .await
        .unwrap();

    // xmin is the inserting transaction; cmin numbers its commands.
    c.batch_execute("BEGIN").await.unwrap();
    c.batch_execute("INSERT INTO sc VALUES (1, 'a')")
        .await
        .unwrap();
    c.batch_execute("INSERT INTO sc VALUES (2, 'b')")
        .await
        .unwrap();
    let xid = one(&c, "SELECT txid_current()").await;
    c.batch_execute("COMMIT").await.unwrap();
    let rows = c
        .query(
            "SELECT ctid, xmin, cmin, xmax, cmax, tableoid, id FROM sc ORDER BY id",
            &[],
        )
        .await
        .unwrap();
    let types: Vec<Type> = rows[0]
        .columns()
        .iter()
        .map(|c| c.type_().clone())
        .collect();
    assert_eq!(
        types,
        [
            Type::TID,
            Type::XID,
            Type::CID,
            Type::XID,
            Type::CID,
            Type::OID,
            Type::INT4
        ]
    );
    let table_oid: u32 = one(&c, "SELECT 'sc'::regclass::oid").await.parse().unwrap();
    assert_eq!(rows[0].columns()[0].table_oid(), Some(table_oid));
    // Binary forms: tid is 4-byte block then 2-byte line pointer.
    let raw = |i: usize, col: usize| rows[i].get::<_, Raw>(col).0;
    assert_eq!(raw(0, 0), [0, 0, 0, 0, 0, 1]);
    assert_eq!(raw(1, 0), [0, 0, 0, 0, 0, 2]);
    let xid: u32 = xid.parse().unwrap();
    assert_eq!(raw(0, 1), xid.to_be_bytes());
    assert_eq!(raw(1, 1), xid.to_be_bytes());
    assert_eq!(raw(0, 2), 0u32.to_be_bytes());
    assert_eq!(raw(1, 2), 1u32.to_be_bytes());
    assert_eq!(raw(0, 3), 0u32.to_be_bytes());
    assert_eq!(raw(0, 5), table_oid.to_be_bytes());
    assert_eq!(one(&c, "SELECT ctid FROM sc WHERE id = 2").await, "(0,2)");
    assert_eq!(one(&c, "SELECT id FROM sc WHERE ctid = '(0,2)'").await, "2");
    assert_eq!(
        one(&c, "SELECT tableoid::regclass FROM sc LIMIT 1").await,
        "sc"
    );

    // A version deleted by a transaction still in progress shows its
    // xmax to the others.
    let d = srv.connect().await;
    d.batch_execute("BEGIN; DELETE FROM sc WHERE id = 1")
        .await
        .unwrap();
    let deleter = one(&d, "SELECT txid_current()").await;
    assert_eq!(one(&c, "SELECT xmax FROM sc WHERE id = 1").await, deleter);
    assert_eq!(one(&c, "SELECT xmax FROM sc WHERE id = 2").await, "0");
    d.batch_execute("ROLLBACK").await.unwrap();

    // An UPDATE writes a new version elsewhere.
    c.batch_execute("UPDATE sc SET v = 'c' WHERE id = 2")
        .await
        .unwrap();
    assert_eq!(one(&c, "SELECT ctid FROM sc WHERE id = 2").await, "(0,3)");

    // Never part of *.
    let star = c.query("SELECT * FROM sc", &[]).await.unwrap();
    assert_eq!(star[0].columns().len(), 2);
    let star = c.query("SELECT s.* FROM sc s", &[]).await.unwrap();
    assert_eq!(star[0].columns().len(), 2);

    // Catalogs: tableoid is the catalog's pg_class OID.
    for (rel, oid) in [
        ("pg_class", "1259"),
        ("pg_type", "1247"),
        ("pg_proc", "1255"),
        ("pg_namespace", "2615"),
        ("pg_constraint", "2606"),
    ] {
        let sql =
            format!("SELECT DISTINCT x.tableoid FROM pg_catalog.{rel} x WHERE x.oid IS NOT NULL");
        let got = c.simple_query(&sql).await.unwrap();
        let vals: Vec<String> = got
            .into_iter()
            .filter_map(|m| match m {
                tokio_postgres::SimpleQueryMessage::Row(r) => r.get(0).map(str::to_owned),
                _ => None,
            })
            .collect();
        assert!(vals.is_empty() || vals == [oid], "{rel}: {vals:?}");
    }
    assert_eq!(
        one(
            &c,
            "SELECT tableoid::regclass FROM pg_class WHERE relname = 'sc'"
        )
        .await,
        "pg_class"
    );
    assert_eq!(
        one(
            &c,
            "SELECT string_agg(attname || ':' || attnum, ',' ORDER BY attnum) FROM pg_attribute \
             WHERE attrelid = 'sc'::regclass"
        )
        .await,
        "tableoid:-6,cmax:-5,xmax:-4,cmin:-3,xmin:-2,ctid:-1,id:1,v:2"
    );

    // Names a table column may not take.
    for sql in [
        "CREATE TABLE bad (xmin int)",
        "CREATE TABLE bad (a int, \"ctid\" text)",
        "ALTER TABLE sc ADD COLUMN tableoid int",
    ] {
        let e = c.batch_execute(sql).await.unwrap_err();
        assert_eq!(sqlstate(&e), "42701", "{sql}");
        assert!(
            message(&e).contains("conflicts with a system column name"),
            "{sql}: {}",
            message(&e)
        );
    }
    // The session goes on.
    assert_eq!(one(&c, "SELECT count(*) FROM sc").await, "2");
}
