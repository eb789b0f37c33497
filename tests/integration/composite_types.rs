//! Composite types of CREATE TYPE ... AS through a driver, in every mode:
//! tokio-postgres describes a column of one by reading pg_type and the
//! type's pg_attribute rows (as it does for any type it does not know),
//! then values travel in record_send's binary form both ways: a result
//! and a parameter (record_recv), a composite array too; a binary value
//! whose field types or count differ from the type's is refused (42804).

use tokio_postgres::types::{Kind, Type};

use crate::harness::{sqlstate, Mode, Raw, RawOut, TestServer};

in_all_modes!(composite_values_in_binary);

/// record_send's form of `fields` (type OID, value bytes or NULL).
fn record(fields: &[(u32, Option<&[u8]>)]) -> Vec<u8> {
    let mut b = (fields.len() as i32).to_be_bytes().to_vec();
    for (t, v) in fields {
        b.extend_from_slice(&t.to_be_bytes());
        match v {
            None => b.extend_from_slice(&(-1i32).to_be_bytes()),
            Some(v) => {
                b.extend_from_slice(&(v.len() as i32).to_be_bytes());
                b.extend_from_slice(v);
            }
        }
    }
    b
}

async fn composite_values_in_binary(mode: Mode) {
    let srv = TestServer::start(mode);
    let c = srv.connect().await;
    c.batch_execute(
        "CREATE TYPE pair AS (a int4, b text);
         CREATE TABLE cp (id int, p pair, ps pair[]);
         INSERT INTO cp VALUES (1, '(1,x)', '{\"(2,\\\"y z\\\")\",\"(,)\"}')",
    )
    .await
    .unwrap();

    // The driver learns the type from the catalog.
    let stmt = c
        .prepare("SELECT p, ps FROM cp WHERE id = 1")
        .await
        .unwrap();
    let t = stmt.columns()[0].type_();
    assert_eq!(t.name(), "pair");
    match t.kind() {
        Kind::Composite(fields) => {
            let f: Vec<(&str, &Type)> = fields.iter().map(|f| (f.name(), f.type_())).collect();
            assert_eq!(f, vec![("a", &Type::INT4), ("b", &Type::TEXT)]);
        }
        k => panic!("pair described as {k:?}"),
    }
    assert_eq!(stmt.columns()[1].type_().name(), "_pair");

    // Results in binary: record_send's form.
    let r = c.query_one(&stmt, &[]).await.unwrap();
    let one = record(&[(23, Some(&1i32.to_be_bytes())), (25, Some(b"x"))]);
    assert_eq!(r.get::<_, RawOut>(0).0, one);
    let arr = r.get::<_, RawOut>(1).0;
    // One dimension of two elements of type pair, the second all NULLs.
    assert_eq!(&arr[0..4], &1i32.to_be_bytes());
    assert_eq!(u32::from_be_bytes(arr[8..12].try_into().unwrap()), t.oid());
    let second = record(&[(23, None), (25, None)]);
    assert!(arr.ends_with(&second), "{arr:?}");

    // A binary parameter: stored, and read back as text.
    let val = record(&[(23, Some(&7i32.to_be_bytes())), (25, Some(b"a \"q\""))]);
    c.execute("INSERT INTO cp (id, p) VALUES (2, $1)", &[&Raw(val)])
        .await
        .unwrap();
    let r = c
        .query_one("SELECT p::text, (p).a, (p).b FROM cp WHERE id = 2", &[])
        .await
        .unwrap();
    assert_eq!(r.get::<_, String>(0), r#"(7,"a ""q""")"#);
    assert_eq!(r.get::<_, i32>(1), 7);
    assert_eq!(r.get::<_, String>(2), "a \"q\"");
    // NULL fields.
    c.execute(
        "INSERT INTO cp (id, p) VALUES (3, $1)",
        &[&Raw(record(&[(23, None), (25, None)]))],
    )
    .await
    .unwrap();
    let r = c
        .query_one("SELECT p::text, p IS NULL FROM cp WHERE id = 3", &[])
        .await
        .unwrap();
    assert_eq!(r.get::<_, String>(0), "(,)");
    assert!(r.get::<_, bool>(1));

    // Wrong field type, wrong field count: 42804.
    for bad in [
        record(&[
            (23, Some(&1i32.to_be_bytes())),
            (23, Some(&2i32.to_be_bytes())),
        ]),
        record(&[(23, Some(&1i32.to_be_bytes()))]),
    ] {
        let e = c
            .execute("INSERT INTO cp (id, p) VALUES (4, $1)", &[&Raw(bad)])
            .await
            .unwrap_err();
        assert_eq!(sqlstate(&e), "42804");
    }
    assert_eq!(
        c.query_one("SELECT count(*) FROM cp", &[])
            .await
            .unwrap()
            .get::<_, i64>(0),
        3
    );
}
