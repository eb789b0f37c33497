//! numeric's binary form against PostgreSQL 15's own: for values small
//! and beyond 38 digits, NaN and ±Infinity, the bytes numeric_send
//! writes (base-10000 digits, weight, sign, display scale) must be
//! PostgreSQL's byte for byte, PostgreSQL's bytes sent back as a binary
//! parameter must read as the same value, and malformed ones fail with
//! 22P03 on both.

use tokio_postgres::types::Type;

use crate::harness::{sqlstate, Mode, Raw, RawOut, TestServer};
use crate::reference::Reference;

in_all_modes!(numeric_binary_matches_postgres);

const VALUES: &[&str] = &[
    "0",
    "0.00",
    "1.50",
    "-12345.6789",
    "10000",
    "0.0001",
    "99999999999999999999999999999999999999",
    "100000000000000000000000000000000000000",
    "-123456789012345678901234567890123456789012345678901234567890.123456789",
    "1e100",
    "1e-100",
    "12345678901234567890123456789.000000000000000000000000000001",
    "NaN",
    "Infinity",
    "-Infinity",
];

/// A binary numeric parameter as text.
async fn recv_text(c: &tokio_postgres::Client, bytes: &[u8]) -> String {
    let stmt = c
        .prepare_typed("SELECT $1::text", &[Type::NUMERIC])
        .await
        .unwrap();
    c.query_one(&stmt, &[&Raw(bytes.to_vec())])
        .await
        .unwrap()
        .get::<_, String>(0)
}

async fn numeric_binary_matches_postgres(mode: Mode) {
    let reference = Reference::start();
    let pg = reference.connect().await;
    let srv = TestServer::start(mode);
    let ours = srv.connect().await;
    for v in VALUES {
        let sql = format!("SELECT '{v}'::numeric");
        let want = pg.query_one(&sql, &[]).await.unwrap().get::<_, RawOut>(0).0;
        let got = ours
            .query_one(&sql, &[])
            .await
            .unwrap()
            .get::<_, RawOut>(0)
            .0;
        assert_eq!(got, want, "numeric_send of {v}");
        // PostgreSQL's bytes as a binary parameter.
        assert_eq!(
            recv_text(&ours, &want).await,
            recv_text(&pg, &want).await,
            "numeric_recv of {v}"
        );
    }
    // Malformed: a bad sign, a digit of 10000, a scale beyond 16383.
    for bad in [
        vec![0, 1, 0, 0, 0x12, 0x34, 0, 0, 0, 1],
        vec![0, 1, 0, 0, 0, 0, 0, 0, 0x27, 0x10],
        vec![0, 1, 0, 0, 0, 0, 0x40, 0, 0, 1],
    ] {
        let mut states = Vec::new();
        for c in [&ours, &pg] {
            let stmt = c
                .prepare_typed("SELECT $1::text", &[Type::NUMERIC])
                .await
                .unwrap();
            let e = c.query_one(&stmt, &[&Raw(bad.clone())]).await.unwrap_err();
            states.push(sqlstate(&e));
        }
        assert_eq!(states[0], states[1], "{bad:?}");
    }
}
