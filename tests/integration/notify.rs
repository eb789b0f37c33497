//! LISTEN/NOTIFY in every mode: notifications delivered at commit and
//! never after a rollback, folded within a transaction, in commit order
//! across notifiers, to an idle listener that must be woken from its
//! wait for the client, and to a pre-forked backend's next client only
//! if that client listens.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use tokio_postgres::{AsyncMessage, Client, NoTls};

use crate::harness::{sqlstate, Mode, TestServer};

in_all_modes!(
    delivery_at_commit_only,
    order_across_notifiers,
    idle_listener_is_woken,
    listen_after_reuse_and_discard,
    notify_errors,
);

type Inbox = Arc<Mutex<Vec<(i32, String, String)>>>;

/// A client whose connection's notifications are collected in an inbox
/// (the connection is polled for AsyncMessage::Notification).
async fn listener(srv: &TestServer) -> (Client, Inbox) {
    let (client, mut conn) = tokio_postgres::connect(&srv.conn_string(), NoTls)
        .await
        .unwrap();
    let inbox: Inbox = Arc::default();
    let sink = inbox.clone();
    tokio::spawn(async move {
        while let Some(m) = std::future::poll_fn(|cx| conn.poll_message(cx)).await {
            match m {
                Ok(AsyncMessage::Notification(n)) => sink.lock().unwrap().push((
                    n.process_id(),
                    n.channel().to_owned(),
                    n.payload().to_owned(),
                )),
                Ok(_) => {}
                Err(_) => break,
            }
        }
    });
    (client, inbox)
}

/// Waits until the inbox holds `n` notifications (at most 10 s), then
/// takes them.
async fn take(inbox: &Inbox, n: usize) -> Vec<(i32, String, String)> {
    let start = Instant::now();
    while inbox.lock().unwrap().len() < n && start.elapsed() < Duration::from_secs(10) {
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    std::mem::take(&mut *inbox.lock().unwrap())
}

fn payloads(v: &[(i32, String, String)]) -> Vec<&str> {
    v.iter().map(|(_, _, p)| p.as_str()).collect()
}

async fn pid(c: &Client) -> i32 {
    c.query_one("SELECT pg_backend_pid()", &[])
        .await
        .unwrap()
        .get(0)
}

async fn delivery_at_commit_only(mode: Mode) {
    let srv = TestServer::start(mode);
    let (l, inbox) = listener(&srv).await;
    l.batch_execute("LISTEN ch").await.unwrap();
    let n = srv.connect().await;
    let npid = pid(&n).await;
    n.batch_execute("BEGIN; NOTIFY ch, 'rolled back'; ROLLBACK")
        .await
        .unwrap();
    n.batch_execute("BEGIN; NOTIFY ch, 'a'; NOTIFY ch, 'a'; NOTIFY other, 'x'; SAVEPOINT s; NOTIFY ch, 'gone'; ROLLBACK TO s; SELECT pg_notify('ch', 'b'); NOTIFY ch")
        .await
        .unwrap();
    // Nothing before the commit.
    l.batch_execute("SELECT 1").await.unwrap();
    assert!(inbox.lock().unwrap().is_empty());
    n.batch_execute("COMMIT").await.unwrap();
    let got = take(&inbox, 3).await;
    assert_eq!(payloads(&got), vec!["a", "b", ""]);
    assert!(got.iter().all(|(p, c, _)| *p == npid && c == "ch"));
    // The sender gets its own, before ReadyForQuery; inside a block only
    // after it ends.
    l.batch_execute("NOTIFY ch, 'self'").await.unwrap();
    assert_eq!(payloads(&take(&inbox, 1).await), vec!["self"]);
    l.batch_execute("BEGIN").await.unwrap();
    n.batch_execute("NOTIFY ch, 'later'").await.unwrap();
    l.batch_execute("SELECT 1").await.unwrap();
    assert!(inbox.lock().unwrap().is_empty());
    l.batch_execute("COMMIT").await.unwrap();
    assert_eq!(payloads(&take(&inbox, 1).await), vec!["later"]);
    // UNLISTEN stops delivery; a LISTEN sees only what commits after it.
    l.batch_execute("UNLISTEN ch").await.unwrap();
    n.batch_execute("NOTIFY ch, 'unheard'").await.unwrap();
    l.batch_execute("LISTEN ch").await.unwrap();
    n.batch_execute("NOTIFY ch, 'heard'").await.unwrap();
    assert_eq!(payloads(&take(&inbox, 1).await), vec!["heard"]);
    let usage: f64 = l
        .query_one("SELECT pg_notification_queue_usage()", &[])
        .await
        .unwrap()
        .get(0);
    assert!((0.0..0.01).contains(&usage));
}

async fn order_across_notifiers(mode: Mode) {
    let srv = TestServer::start(mode);
    let (l, inbox) = listener(&srv).await;
    l.batch_execute("LISTEN q").await.unwrap();
    let a = srv.connect().await;
    let b = srv.connect().await;
    a.batch_execute("BEGIN; NOTIFY q, 'a1'").await.unwrap();
    b.batch_execute("BEGIN; NOTIFY q, 'b1'").await.unwrap();
    b.batch_execute("COMMIT").await.unwrap();
    a.batch_execute("COMMIT").await.unwrap();
    a.batch_execute("NOTIFY q, 'a2'").await.unwrap();
    assert_eq!(payloads(&take(&inbox, 3).await), vec!["b1", "a1", "a2"]);
    // Many concurrent notifiers: each one's own order is kept.
    let mut tasks = Vec::new();
    for w in 0..3 {
        let c = srv.connect().await;
        tasks.push(tokio::spawn(async move {
            for i in 0..50 {
                c.batch_execute(&format!("NOTIFY q, '{w}:{i}'"))
                    .await
                    .unwrap();
            }
        }));
    }
    for t in tasks {
        t.await.unwrap();
    }
    let got = take(&inbox, 150).await;
    assert_eq!(got.len(), 150);
    for w in 0..3 {
        let mine: Vec<String> = got
            .iter()
            .filter(|(_, _, p)| p.starts_with(&format!("{w}:")))
            .map(|(_, _, p)| p.clone())
            .collect();
        let want: Vec<String> = (0..50).map(|i| format!("{w}:{i}")).collect();
        assert_eq!(mine, want);
    }
}

async fn idle_listener_is_woken(mode: Mode) {
    let srv = TestServer::start(mode);
    let (l, inbox) = listener(&srv).await;
    l.batch_execute("LISTEN idle").await.unwrap();
    let n = srv.connect().await;
    for i in 0..5 {
        // The listener sends nothing: only a wake-up delivers it.
        n.batch_execute(&format!("NOTIFY idle, '{i}'"))
            .await
            .unwrap();
        assert_eq!(payloads(&take(&inbox, 1).await), vec![i.to_string()]);
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    drop(l);
}

async fn listen_after_reuse_and_discard(mode: Mode) {
    let srv = TestServer::start(mode);
    // A session that listens and leaves: its backend (pooled in prefork
    // mode) must not deliver to the next client, who listens anew.
    for round in 0..3 {
        let (l, inbox) = listener(&srv).await;
        if round > 0 {
            let n = srv.connect().await;
            n.batch_execute("NOTIFY r, 'before'").await.unwrap();
            l.batch_execute("SELECT 1").await.unwrap();
            assert!(inbox.lock().unwrap().is_empty());
        }
        l.batch_execute("LISTEN r").await.unwrap();
        let n = srv.connect().await;
        n.batch_execute(&format!("NOTIFY r, '{round}'"))
            .await
            .unwrap();
        assert_eq!(payloads(&take(&inbox, 1).await), vec![round.to_string()]);
    }
    // DISCARD ALL is UNLISTEN *.
    let (l, inbox) = listener(&srv).await;
    l.batch_execute("LISTEN d; DISCARD ALL").await.unwrap();
    let n = srv.connect().await;
    n.batch_execute("NOTIFY d, 'x'").await.unwrap();
    l.batch_execute("SELECT 1").await.unwrap();
    assert!(inbox.lock().unwrap().is_empty());
}

async fn notify_errors(mode: Mode) {
    let srv = TestServer::start(mode);
    let c = srv.connect().await;
    let long = "x".repeat(8000);
    let e = c
        .batch_execute(&format!("NOTIFY ch, '{long}'"))
        .await
        .unwrap_err();
    assert_eq!(sqlstate(&e), "22023");
    let e = c.query("SELECT pg_notify('', 'x')", &[]).await.unwrap_err();
    assert_eq!(sqlstate(&e), "22023");
    c.query("SELECT pg_notify('ch', $1)", &[&"x".repeat(7999)])
        .await
        .unwrap();
}
