//! Regular expressions through the real server, in every mode: a pattern
//! that backtracking matchers take exponential time on answers at once and
//! correctly, a match over a long text stops at statement_timeout, a
//! back-reference is refused with 2201B (never a wrong answer), and the
//! session goes on.

use std::time::{Duration, Instant};

use crate::harness::{message, sqlstate, Mode, TestServer};

in_all_modes!(regex_is_linear_and_refuses_backrefs);

async fn regex_is_linear_and_refuses_backrefs(mode: Mode) {
    let srv = TestServer::start(mode);
    let c = srv.connect().await;
    let t = Instant::now();
    let row = c
        .query_one("SELECT repeat('a', 100000) ~ '(a|aa)*c'", &[])
        .await
        .unwrap();
    assert!(!row.get::<_, bool>(0));
    let row = c
        .query_one(
            "SELECT repeat('a', 100000) ~ '^(a|aa)*$', 'ABC' ~* 'b', 'ABC' !~ 'b'",
            &[],
        )
        .await
        .unwrap();
    assert!(row.get::<_, bool>(0));
    assert!(row.get::<_, bool>(1));
    assert!(row.get::<_, bool>(2));
    assert!(
        t.elapsed() < Duration::from_secs(5),
        "took {:?}",
        t.elapsed()
    );

    // A long match stops at statement_timeout (57014), and the session
    // goes on.
    c.batch_execute("SET statement_timeout = '20ms'")
        .await
        .unwrap();
    let e = c
        .query("SELECT repeat('ab', 25000000) ~ '(a|ab)*c'", &[])
        .await
        .unwrap_err();
    assert_eq!(sqlstate(&e), "57014", "{}", message(&e));
    c.batch_execute("SET statement_timeout = 0").await.unwrap();

    let e = c.query("SELECT 'aa' ~ '(a)\\1'", &[]).await.unwrap_err();
    assert_eq!(sqlstate(&e), "2201B");
    assert!(
        message(&e).starts_with("invalid regular expression: back-references"),
        "{}",
        message(&e)
    );
    let e = c.query("SELECT 'a' ~ '(a'", &[]).await.unwrap_err();
    assert_eq!(sqlstate(&e), "2201B");
    assert_eq!(
        message(&e),
        "invalid regular expression: parentheses () not balanced"
    );

    let row = c
        .query_one(
            "SELECT regexp_replace('foobarbaz', 'b(..)', 'X\\1Y', 'g'), \
             regexp_match('abc01234xyz', '(.*?)(\\d+)(.*)'), \
             substring('XY1234Z' from 'Y*([0-9]{1,3})')",
            &[],
        )
        .await
        .unwrap();
    assert_eq!(row.get::<_, String>(0), "fooXarYXazY");
    assert_eq!(
        row.get::<_, Vec<String>>(1),
        vec!["abc".to_string(), "0".into(), "".into()]
    );
    assert_eq!(row.get::<_, String>(2), "123");
}
