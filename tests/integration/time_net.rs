//! time, timetz, inet and cidr through the real server in binary, in
//! every mode: send/receive forms (time: int64 microseconds; timetz: then
//! int32 seconds west of UTC; inet/cidr: family, bits, is_cidr, length,
//! address), binary parameters stored and read back through an index,
//! arrays of them, tokio-postgres's own `IpAddr` adaptation of inet, and
//! bad binary values refused with PostgreSQL's SQLSTATE.

use std::net::IpAddr;

use tokio_postgres::types::Type;

use crate::harness::{sqlstate, Mode, Raw, RawOut, TestServer};

in_all_modes!(time_types_in_binary, network_types_in_binary);

const HOUR: i64 = 3_600_000_000;

fn timetz_bytes(us: i64, west: i32) -> Vec<u8> {
    let mut b = us.to_be_bytes().to_vec();
    b.extend_from_slice(&west.to_be_bytes());
    b
}

async fn time_types_in_binary(mode: Mode) {
    let srv = TestServer::start(mode);
    let c = srv.connect().await;
    c.batch_execute(
        "CREATE TABLE slots (id int PRIMARY KEY, t time, tz timetz(3));
         CREATE INDEX slots_t ON slots (t);
         INSERT INTO slots VALUES (1, '04:05:06.789', '04:05:06.7891+05:30')",
    )
    .await
    .unwrap();

    let stmt = c
        .prepare("SELECT t, tz, ARRAY[t, NULL] FROM slots WHERE id = 1")
        .await
        .unwrap();
    assert_eq!(stmt.columns()[0].type_(), &Type::TIME);
    assert_eq!(stmt.columns()[1].type_(), &Type::TIMETZ);
    assert_eq!(stmt.columns()[2].type_(), &Type::TIME_ARRAY);
    let r = c.query_one(&stmt, &[]).await.unwrap();
    let t = 4 * HOUR + 5 * 60_000_000 + 6_789_000;
    assert_eq!(r.get::<_, RawOut>(0).0, t.to_be_bytes());
    // timetz(3) rounded the fraction; +05:30 is 19800 seconds *west* negated.
    assert_eq!(r.get::<_, RawOut>(1).0, timetz_bytes(t, -19800));
    let arr = r.get::<_, RawOut>(2).0;
    // array_send: 1 dimension, has nulls, element type 1083.
    assert_eq!(&arr[..12], &[0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 4, 59]);

    // Binary parameters, stored, then found through the index.
    let ins = c
        .prepare_typed(
            "INSERT INTO slots VALUES ($1, $2, $3)",
            &[Type::INT4, Type::TIME, Type::TIMETZ],
        )
        .await
        .unwrap();
    for (id, h) in [(2, 23), (3, 0), (4, 12)] {
        c.execute(
            &ins,
            &[
                &id,
                &Raw((h * HOUR).to_be_bytes().to_vec()),
                &Raw(timetz_bytes(h * HOUR, 3600)),
            ],
        )
        .await
        .unwrap();
    }
    let rows = c
        .query(
            "SELECT id, t::text, tz::text FROM slots WHERE t >= $1 ORDER BY t",
            &[&Raw((4 * HOUR).to_be_bytes().to_vec())],
        )
        .await
        .unwrap();
    let got: Vec<(i32, String, String)> = rows
        .iter()
        .map(|r| (r.get(0), r.get(1), r.get(2)))
        .collect();
    assert_eq!(
        got,
        vec![
            (1, "04:05:06.789".into(), "04:05:06.789+05:30".into()),
            (4, "12:00:00".into(), "12:00:00-01".into()),
            (2, "23:00:00".into(), "23:00:00-01".into()),
        ]
    );
    // 24:00:00 is a time; more is not (22008), nor is a zone past 15:59.
    let e = c
        .query_one(
            "SELECT $1::time",
            &[&Raw((24 * HOUR + 1).to_be_bytes().to_vec())],
        )
        .await
        .unwrap_err();
    assert_eq!(sqlstate(&e), "22008");
    let e = c
        .query_one("SELECT $1::timetz", &[&Raw(timetz_bytes(0, 16 * 3600))])
        .await
        .unwrap_err();
    assert_eq!(sqlstate(&e), "22009");
    let e = c
        .query_one("SELECT $1::time", &[&Raw(vec![0, 1])])
        .await
        .unwrap_err();
    assert_eq!(sqlstate(&e), "22P03");
}

async fn network_types_in_binary(mode: Mode) {
    let srv = TestServer::start(mode);
    let c = srv.connect().await;
    c.batch_execute(
        "CREATE TABLE hosts (addr inet PRIMARY KEY, net cidr);
         INSERT INTO hosts VALUES ('192.168.1.5/24', '192.168.1.0/24'), ('::1', '::/0')",
    )
    .await
    .unwrap();
    let stmt = c
        .prepare("SELECT addr, net FROM hosts ORDER BY addr")
        .await
        .unwrap();
    assert_eq!(stmt.columns()[0].type_(), &Type::INET);
    assert_eq!(stmt.columns()[1].type_(), &Type::CIDR);
    let rows = c.query(&stmt, &[]).await.unwrap();
    assert_eq!(
        rows[0].get::<_, RawOut>(0).0,
        vec![2, 24, 0, 4, 192, 168, 1, 5]
    );
    assert_eq!(
        rows[0].get::<_, RawOut>(1).0,
        vec![2, 24, 1, 4, 192, 168, 1, 0]
    );
    let mut v6 = vec![3, 128, 0, 16];
    v6.extend_from_slice(&[0; 15]);
    v6.push(1);
    assert_eq!(rows[1].get::<_, RawOut>(0).0, v6);

    // tokio-postgres adapts IpAddr to inet, both ways.
    let ip: IpAddr = "10.0.0.7".parse().unwrap();
    c.execute("INSERT INTO hosts VALUES ($1, '10.0.0.0/8')", &[&ip])
        .await
        .unwrap();
    let r = c
        .query_one(
            "SELECT addr, host(addr), addr << net FROM hosts WHERE addr = $1",
            &[&ip],
        )
        .await
        .unwrap();
    assert_eq!(r.get::<_, IpAddr>(0), ip);
    assert_eq!(r.get::<_, String>(1), "10.0.0.7");
    assert!(r.get::<_, bool>(2));
    let v6: IpAddr = "2001:db8::1".parse().unwrap();
    let r = c.query_one("SELECT $1::inet", &[&v6]).await.unwrap();
    assert_eq!(r.get::<_, IpAddr>(0), v6);
    let ips: Vec<IpAddr> = c
        .query("SELECT addr FROM hosts ORDER BY addr", &[])
        .await
        .unwrap()
        .iter()
        .map(|r| r.get(0))
        .collect();
    assert_eq!(
        ips,
        ["10.0.0.7", "192.168.1.5", "::1"]
            .iter()
            .map(|s| s.parse::<IpAddr>().unwrap())
            .collect::<Vec<_>>()
    );

    // A cidr parameter with host bits set, a bad family and a bad length.
    let e = c
        .query_one("SELECT $1::cidr", &[&Raw(vec![2, 8, 1, 4, 10, 1, 0, 0])])
        .await
        .unwrap_err();
    assert_eq!(sqlstate(&e), "22P03");
    let e = c
        .query_one("SELECT $1::inet", &[&Raw(vec![9, 8, 0, 4, 10, 1, 0, 0])])
        .await
        .unwrap_err();
    assert_eq!(sqlstate(&e), "22P03");
    let e = c
        .query_one("SELECT $1::inet", &[&Raw(vec![2, 32, 0, 4, 10])])
        .await
        .unwrap_err();
    assert_eq!(sqlstate(&e), "22P03");
}
