//! Process mode: a backend killed by a signal does not take the server or
//! the other sessions down.

use std::time::Duration;

use crate::harness::{Mode, TestServer};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kill_9_of_an_idle_backend_spares_the_others() {
    for mode in [Mode::Process, Mode::Prefork] {
        let srv = TestServer::start(mode);
        let victim = srv.connect().await;
        let other = srv.connect().await;
        let pid: i32 = victim
            .query_one("SELECT pg_backend_pid()", &[])
            .await
            .unwrap()
            .get(0);
        nix::sys::signal::kill(
            nix::unistd::Pid::from_raw(pid),
            nix::sys::signal::Signal::SIGKILL,
        )
        .unwrap();
        tokio::time::sleep(Duration::from_millis(200)).await;
        assert!(victim.query_one("SELECT 1", &[]).await.is_err());
        // The other session keeps working, and new ones are accepted.
        for i in 0..20i32 {
            let v: i32 = other
                .query_one("SELECT $1::int4", &[&i])
                .await
                .unwrap()
                .get(0);
            assert_eq!(v, i);
        }
        let n: i64 = other
            .query_one(
                "SELECT count(*) FROM pg_stat_activity WHERE pid = $1",
                &[&pid],
            )
            .await
            .unwrap()
            .get(0);
        assert_eq!(n, 0, "the dead backend's slot must be freed");
        srv.connect()
            .await
            .query_one("SELECT 1", &[])
            .await
            .unwrap();
        let log = srv.log();
        assert!(log.contains("terminated by signal 9"), "{log}");
    }
}
