//! Time zones, uuid, json and jsonb through the real server, in every
//! mode: the TimeZone of the startup packet (`options=-c TimeZone=...`,
//! libpq's PGTZ through psql) and of SET, reported with ParameterStatus
//! when it changes; timestamptz sent and received in binary under a
//! non-UTC session zone; uuid, json and jsonb as binary parameters and
//! results (uuid's 16 bytes, json's text, jsonb's version byte), stored
//! and read back; a bad binary value is refused with PostgreSQL's
//! SQLSTATE; macaddr and macaddr8 as binary parameters and results (6
//! and 8 bytes; macaddr8 also takes 6).

use std::io::{Read, Write};
use std::os::unix::net::UnixStream;
use std::process::Command;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use tokio_postgres::types::Type;

use crate::harness::{sqlstate, Mode, Raw, RawOut, TestServer};

in_all_modes!(
    timezones_through_the_protocol,
    uuid_and_json_in_binary,
    macaddr_in_binary
);

fn message(kind: u8, body: &[u8]) -> Vec<u8> {
    let mut m = vec![kind];
    m.extend_from_slice(&((body.len() + 4) as i32).to_be_bytes());
    m.extend_from_slice(body);
    m
}

/// Reads messages until ReadyForQuery; returns the ParameterStatus pairs
/// seen and panics on an error.
fn parameter_statuses(s: &mut UnixStream) -> Vec<(String, String)> {
    let mut out = Vec::new();
    loop {
        let mut hdr = [0u8; 5];
        s.read_exact(&mut hdr).unwrap();
        let len = i32::from_be_bytes([hdr[1], hdr[2], hdr[3], hdr[4]]) as usize;
        let mut body = vec![0u8; len - 4];
        s.read_exact(&mut body).unwrap();
        match hdr[0] {
            b'Z' => return out,
            b'E' => panic!("error: {}", String::from_utf8_lossy(&body)),
            b'S' => {
                let parts: Vec<String> = body
                    .split(|b| *b == 0)
                    .map(|p| String::from_utf8_lossy(p).into_owned())
                    .collect();
                out.push((parts[0].clone(), parts[1].clone()));
            }
            _ => {}
        }
    }
}

fn zone_of(statuses: &[(String, String)]) -> Option<&str> {
    statuses
        .iter()
        .rev()
        .find(|(k, _)| k == "TimeZone")
        .map(|(_, v)| v.as_str())
}

/// psql with libpq's PGTZ set: libpq sends it in the startup packet.
fn psql_with_pgtz(srv: &TestServer, tz: &str, sql: &str) -> String {
    let out = Command::new("psql")
        .args(["-X", "-A", "-t", "-h"])
        .arg(srv.socket_dir())
        .args(["-p", &srv.port.to_string(), "-U", "tester", "-d", "testdb"])
        .args(["-c", sql])
        .env_remove("PGOPTIONS")
        .env("PGTZ", tz)
        .output()
        .expect("run psql (PostgreSQL 15 client)");
    assert!(
        out.status.success(),
        "{sql}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

async fn timezones_through_the_protocol(mode: Mode) {
    let srv = TestServer::start(mode);

    // The startup packet's options set the zone; SET changes it and the
    // server reports the new value.
    let mut s = UnixStream::connect(srv.socket_path()).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(20))).unwrap();
    let mut body = 196608i32.to_be_bytes().to_vec();
    for (k, v) in [
        ("user", "tester"),
        ("database", "testdb"),
        ("options", "-c TimeZone=europe/paris"),
    ] {
        body.extend_from_slice(k.as_bytes());
        body.push(0);
        body.extend_from_slice(v.as_bytes());
        body.push(0);
    }
    body.push(0);
    let mut pkt = ((body.len() + 4) as i32).to_be_bytes().to_vec();
    pkt.extend(body);
    s.write_all(&pkt).unwrap();
    let startup = parameter_statuses(&mut s);
    assert_eq!(zone_of(&startup), Some("Europe/Paris"), "{startup:?}");
    s.write_all(&message(b'Q', b"SET TIME ZONE 'Asia/Tokyo'\0"))
        .unwrap();
    let after_set = parameter_statuses(&mut s);
    assert_eq!(zone_of(&after_set), Some("Asia/Tokyo"), "{after_set:?}");
    s.write_all(&message(b'Q', b"SELECT 1\0")).unwrap();
    assert_eq!(zone_of(&parameter_statuses(&mut s)), None, "reported again");
    s.write_all(&message(b'Q', b"RESET TimeZone\0")).unwrap();
    assert_eq!(zone_of(&parameter_statuses(&mut s)), Some("Europe/Paris"));

    // A zone the server does not know is a FATAL error at startup.
    let (client, _) = tokio_postgres::Config::new()
        .host_path(srv.socket_dir())
        .port(srv.port)
        .user("tester")
        .dbname("testdb")
        .options("-c TimeZone=Mars/Olympus_Mons")
        .connect(tokio_postgres::NoTls)
        .await
        .map(|(c, conn)| (Some(c), Some(conn)))
        .unwrap_or((None, None));
    assert!(client.is_none(), "an unknown zone must be refused");

    // tokio-postgres with the zone in its startup options: timestamptz
    // shown in Paris time, sent and received in binary as instants.
    let (c, conn) = tokio_postgres::Config::new()
        .host_path(srv.socket_dir())
        .port(srv.port)
        .user("tester")
        .dbname("testdb")
        .options("-c TimeZone=Europe/Paris")
        .connect(tokio_postgres::NoTls)
        .await
        .unwrap();
    tokio::spawn(conn);
    let spring = UNIX_EPOCH + Duration::from_secs(1_711_846_800); // 2024-03-31 01:00 UTC
    let r = c
        .query_one(
            "SELECT $1::timestamptz::text, $1::timestamptz + interval '1 day', \
             current_setting('TimeZone'), $1::timestamptz::timestamp::text",
            &[&spring],
        )
        .await
        .unwrap();
    assert_eq!(r.get::<_, String>(0), "2024-03-31 03:00:00+02");
    assert_eq!(
        r.get::<_, SystemTime>(1),
        spring + Duration::from_secs(86_400)
    );
    assert_eq!(r.get::<_, String>(2), "Europe/Paris");
    assert_eq!(r.get::<_, String>(3), "2024-03-31 03:00:00");
    // A day before the change is 23 hours in Paris.
    let r = c
        .query_one(
            "SELECT '2024-03-30 12:00:00'::timestamptz, \
             '2024-03-30 12:00:00'::timestamptz + interval '1 day'",
            &[],
        )
        .await
        .unwrap();
    let (a, b) = (r.get::<_, SystemTime>(0), r.get::<_, SystemTime>(1));
    assert_eq!(b.duration_since(a).unwrap(), Duration::from_secs(23 * 3600));
    assert_eq!(
        a.duration_since(UNIX_EPOCH).unwrap(),
        Duration::from_secs(1_711_796_400)
    );
    // Simple-query text in the session's zone, SET by the client.
    c.batch_execute("SET TimeZone = 'America/New_York'")
        .await
        .unwrap();
    let rows = c
        .simple_query("SELECT '2024-07-01 16:00:00+00'::timestamptz")
        .await
        .unwrap();
    let text = rows
        .iter()
        .find_map(|m| match m {
            tokio_postgres::SimpleQueryMessage::Row(r) => r.get(0).map(str::to_owned),
            _ => None,
        })
        .unwrap();
    assert_eq!(text, "2024-07-01 12:00:00-04");
    let e = c
        .batch_execute("SET TimeZone = 'Nowhere/Land'")
        .await
        .unwrap_err();
    assert_eq!(sqlstate(&e), "22023");

    // psql under PGTZ: libpq puts the zone in the startup packet.
    assert_eq!(
        psql_with_pgtz(
            &srv,
            "Europe/Paris",
            "SELECT '2024-03-31 01:00:00+00'::timestamptz, current_setting('TimeZone')"
        )
        .trim(),
        "2024-03-31 03:00:00+02|Europe/Paris"
    );
    assert_eq!(
        psql_with_pgtz(&srv, "Asia/Kolkata", "SHOW TimeZone").trim(),
        "Asia/Kolkata"
    );
}

async fn uuid_and_json_in_binary(mode: Mode) {
    let srv = TestServer::start(mode);
    let c = srv.connect().await;
    c.batch_execute(
        "CREATE TABLE docs (id uuid PRIMARY KEY, j jsonb, t json);
         INSERT INTO docs VALUES ('a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11', '{\"b\": 2, \"a\": [1, 2.50]}', '{\"b\":2,  \"a\":1}')",
    )
    .await
    .unwrap();

    // uuid: 16 bytes each way.
    let id: Vec<u8> = vec![
        0xa0, 0xee, 0xbc, 0x99, 0x9c, 0x0b, 0x4e, 0xf8, 0xbb, 0x6d, 0x6b, 0xb9, 0xbd, 0x38, 0x0a,
        0x11,
    ];
    let stmt = c
        .prepare_typed("SELECT id, j, t FROM docs WHERE id = $1", &[Type::UUID])
        .await
        .unwrap();
    assert_eq!(stmt.columns()[0].type_(), &Type::UUID);
    assert_eq!(stmt.columns()[1].type_(), &Type::JSONB);
    assert_eq!(stmt.columns()[2].type_(), &Type::JSON);
    let r = c.query_one(&stmt, &[&Raw(id.clone())]).await.unwrap();
    assert_eq!(r.get::<_, RawOut>(0).0, id);
    // jsonb: version byte 1, then the canonical text; json: its text.
    let jb = r.get::<_, RawOut>(1).0;
    assert_eq!(jb[0], 1);
    assert_eq!(&jb[1..], br#"{"a": [1, 2.50], "b": 2}"#);
    assert_eq!(r.get::<_, RawOut>(2).0, br#"{"b":2,  "a":1}"#);
    // serde_json values through tokio-postgres.
    let v: serde_json::Value = r.get(1);
    assert_eq!(v["b"], serde_json::json!(2));
    let t: serde_json::Value = r.get(2);
    assert_eq!(t["a"], serde_json::json!(1));

    // Binary parameters: a new row with a uuid and jsonb/json values.
    let new_id: Vec<u8> = (0u8..16).collect();
    let doc = serde_json::json!({"name": "x", "tags": ["a", "b"], "n": null});
    c.execute(
        "INSERT INTO docs VALUES ($1, $2, $3)",
        &[&Raw(new_id.clone()), &doc, &doc],
    )
    .await
    .unwrap();
    let r = c
        .query_one(
            "SELECT id::text, j, j ->> 'name', j -> 'tags' ->> 1, t::text FROM docs WHERE id = $1",
            &[&Raw(new_id)],
        )
        .await
        .unwrap();
    assert_eq!(
        r.get::<_, String>(0),
        "00010203-0405-0607-0809-0a0b0c0d0e0f"
    );
    assert_eq!(r.get::<_, serde_json::Value>(1), doc);
    assert_eq!(r.get::<_, String>(2), "x");
    assert_eq!(r.get::<_, String>(3), "b");
    let t: serde_json::Value = serde_json::from_str(&r.get::<_, String>(4)).unwrap();
    assert_eq!(t, doc);
    // The index finds rows by uuid; ordering is bytewise.
    let ids: Vec<String> = c
        .query("SELECT id::text FROM docs ORDER BY id", &[])
        .await
        .unwrap()
        .iter()
        .map(|r| r.get(0))
        .collect();
    assert_eq!(
        ids,
        [
            "00010203-0405-0607-0809-0a0b0c0d0e0f",
            "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11"
        ]
    );
    // A jsonb parameter of a containment test, in binary.
    let n: i64 = c
        .query_one(
            "SELECT count(*) FROM docs WHERE j @> $1",
            &[&serde_json::json!({"tags": ["b"]})],
        )
        .await
        .unwrap()
        .get(0);
    assert_eq!(n, 1);

    // Bad binary values: a uuid of 15 bytes, a jsonb of version 2,
    // invalid json text.
    let e = c
        .query_one("SELECT $1::uuid", &[&Raw(vec![0; 15])])
        .await
        .unwrap_err();
    assert_eq!(sqlstate(&e), "22P03");
    let stmt = c
        .prepare_typed("SELECT $1::jsonb", &[Type::JSONB])
        .await
        .unwrap();
    let e = c
        .query_one(&stmt, &[&Raw(b"\x02{}".to_vec())])
        .await
        .unwrap_err();
    assert_eq!(sqlstate(&e), "22P03");
    let stmt = c
        .prepare_typed("SELECT $1::json", &[Type::JSON])
        .await
        .unwrap();
    let e = c
        .query_one(&stmt, &[&Raw(b"{oops".to_vec())])
        .await
        .unwrap_err();
    assert_eq!(sqlstate(&e), "22P02");
    // gen_random_uuid() in binary: version 4, variant 1.
    let u = c
        .query_one("SELECT gen_random_uuid()", &[])
        .await
        .unwrap()
        .get::<_, RawOut>(0)
        .0;
    assert_eq!(u.len(), 16);
    assert_eq!(u[6] >> 4, 4);
    assert_eq!(u[8] >> 6, 2);

    // The values survive a restart.
    drop(c);
    let mut srv = srv;
    srv.stop_with(nix::sys::signal::Signal::SIGINT);
    srv.restart(&[]);
    let c = srv.connect().await;
    let r = c
        .query_one(
            "SELECT j::text, t::text FROM docs WHERE id = 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11'",
            &[],
        )
        .await
        .unwrap();
    assert_eq!(r.get::<_, String>(0), r#"{"a": [1, 2.50], "b": 2}"#);
    assert_eq!(r.get::<_, String>(1), r#"{"b":2,  "a":1}"#);
}

async fn macaddr_in_binary(mode: Mode) {
    let srv = TestServer::start(mode);
    let c = srv.connect().await;
    c.batch_execute(
        "CREATE TABLE nics (m macaddr PRIMARY KEY, m8 macaddr8);
         INSERT INTO nics VALUES ('08:00:2b:01:02:03', '08:00:2b:01:02:03:04:05')",
    )
    .await
    .unwrap();
    let mac: Vec<u8> = vec![0x08, 0x00, 0x2b, 0x01, 0x02, 0x03];
    let stmt = c
        .prepare_typed("SELECT m, m8 FROM nics WHERE m = $1", &[Type::MACADDR])
        .await
        .unwrap();
    assert_eq!(stmt.columns()[0].type_(), &Type::MACADDR);
    assert_eq!(stmt.columns()[1].type_(), &Type::MACADDR8);
    let r = c.query_one(&stmt, &[&Raw(mac.clone())]).await.unwrap();
    assert_eq!(r.get::<_, RawOut>(0).0, mac);
    assert_eq!(
        r.get::<_, RawOut>(1).0,
        vec![0x08, 0x00, 0x2b, 0x01, 0x02, 0x03, 0x04, 0x05]
    );
    // macaddr8 receives 6 bytes as the EUI-64 form.
    let stmt = c
        .prepare_typed("SELECT $1::text", &[Type::MACADDR8])
        .await
        .unwrap();
    let r = c.query_one(&stmt, &[&Raw(mac.clone())]).await.unwrap();
    assert_eq!(r.get::<_, String>(0), "08:00:2b:ff:fe:01:02:03");
    // Binary parameters stored and read back as text.
    c.execute(
        "INSERT INTO nics VALUES ($1, $2)",
        &[&Raw(vec![0xff; 6]), &Raw(vec![1, 2, 3, 4, 5, 6, 7, 8])],
    )
    .await
    .unwrap();
    let r = c
        .query_one(
            "SELECT m::text, m8::text FROM nics ORDER BY m DESC LIMIT 1",
            &[],
        )
        .await
        .unwrap();
    assert_eq!(r.get::<_, String>(0), "ff:ff:ff:ff:ff:ff");
    assert_eq!(r.get::<_, String>(1), "01:02:03:04:05:06:07:08");
    // Wrong lengths: 22P03.
    let stmt = c
        .prepare_typed("SELECT $1::text", &[Type::MACADDR])
        .await
        .unwrap();
    let e = c.query_one(&stmt, &[&Raw(vec![0; 7])]).await.unwrap_err();
    assert_eq!(sqlstate(&e), "22P03");
    let stmt = c
        .prepare_typed("SELECT $1::text", &[Type::MACADDR8])
        .await
        .unwrap();
    let e = c.query_one(&stmt, &[&Raw(vec![0; 7])]).await.unwrap_err();
    assert_eq!(sqlstate(&e), "22P03");
}
