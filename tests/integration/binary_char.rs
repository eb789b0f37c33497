//! The `"char"` type in binary format, as PostgreSQL's charsend and
//! charrecv: one byte, the zero byte for `''` (what catalog columns such
//! as pg_attribute.attgenerated hold, and what SQLAlchemy over asyncpg
//! reads to tell a generated column from one with a default); in result
//! rows, arrays and parameters; a parameter of another length is refused
//! with 22P03.

use tokio_postgres::types::Type;

use crate::harness::{sqlstate, Mode, Raw, RawOut, TestServer};

in_all_modes!(char_in_binary);

async fn char_in_binary(mode: Mode) {
    let srv = TestServer::start(mode);
    let c = srv.connect().await;
    c.batch_execute("CREATE TABLE ch (id int PRIMARY KEY, k \"char\", v int DEFAULT 1)")
        .await
        .unwrap();

    // Results (tokio-postgres reads every column in binary).
    let r = c
        .query_one(
            "SELECT ''::\"char\", 'a'::\"char\", ARRAY['x', '']::\"char\"[], \
             (SELECT attgenerated FROM pg_attribute WHERE attrelid = 'ch'::regclass AND attname = 'v')",
            &[],
        )
        .await
        .unwrap();
    assert_eq!(r.get::<_, RawOut>(0).0, [0u8]);
    assert_eq!(r.get::<_, RawOut>(1).0, b"a");
    assert_eq!(r.get::<_, Vec<i8>>(2), [b'x' as i8, 0]);
    assert_eq!(r.get::<_, i8>(3), 0, "attgenerated of a plain column");

    // Parameters: the zero byte is '', another byte that character.
    let stmt = c
        .prepare_typed(
            "INSERT INTO ch (id, k) VALUES ($1, $2)",
            &[Type::INT4, Type::CHAR],
        )
        .await
        .unwrap();
    c.execute(&stmt, &[&1i32, &Raw(vec![0])]).await.unwrap();
    c.execute(&stmt, &[&2i32, &Raw(b"q".to_vec())])
        .await
        .unwrap();
    let rows = c
        .query("SELECT id, k::text, k = '' FROM ch ORDER BY id", &[])
        .await
        .unwrap();
    let got: Vec<(i32, String, bool)> = rows
        .iter()
        .map(|r| (r.get(0), r.get(1), r.get(2)))
        .collect();
    assert_eq!(got, [(1, String::new(), true), (2, "q".into(), false)]);
    let r = c
        .query_one("SELECT k FROM ch WHERE id = 2", &[])
        .await
        .unwrap();
    assert_eq!(r.get::<_, i8>(0), b'q' as i8);

    // A "char" is one byte: two, or none, is no "char".
    for bad in [b"ab".to_vec(), Vec::new()] {
        let e = c.execute(&stmt, &[&3i32, &Raw(bad)]).await.unwrap_err();
        assert_eq!(sqlstate(&e), "22P03");
    }
    let n: i64 = c
        .query_one("SELECT count(*) FROM ch", &[])
        .await
        .unwrap()
        .get(0);
    assert_eq!(n, 2);
}
