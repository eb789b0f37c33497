//! A role's VALID UNTIL at a password login, in every mode: before it
//! (or with none) the password works; after it, password authentication
//! fails with FATAL 28P01 as in PostgreSQL, whatever password was sent;
//! ALTER ROLE ... VALID UNTIL 'infinity' lets the role in again. A
//! login over the Unix socket (trust) is not checked, as PostgreSQL
//! checks it only with a password.

use std::os::unix::fs::PermissionsExt;

use crate::harness::{message, sqlstate, Mode, TestServer};

in_all_modes!(valid_until_ends_password_logins);

const PASSWORD: &str = "Val1d-Unt1l";

async fn tcp_connect(
    srv: &TestServer,
    user: &str,
) -> Result<tokio_postgres::Client, tokio_postgres::Error> {
    let (client, conn) = tokio_postgres::connect(
        &format!(
            "host=127.0.0.1 port={} user={user} dbname=testdb password={PASSWORD}",
            srv.port
        ),
        tokio_postgres::NoTls,
    )
    .await?;
    tokio::spawn(async move {
        let _ = conn.await;
    });
    Ok(client)
}

async fn valid_until_ends_password_logins(mode: Mode) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("passwords");
    std::fs::write(&path, format!("{PASSWORD}\n")).unwrap();
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600)).unwrap();
    let path = path.to_str().unwrap().to_owned();
    let srv = TestServer::start_in(
        dir,
        mode,
        &["--listen", "127.0.0.1", "--password-file", &path],
    );
    let admin = srv.connect().await;
    admin
        .batch_execute(
            "CREATE ROLE vu_later LOGIN VALID UNTIL '2999-01-01 00:00:00+00';
             CREATE ROLE vu_past LOGIN VALID UNTIL '2001-01-01 00:00:00+00';
             CREATE ROLE vu_none LOGIN",
        )
        .await
        .unwrap();
    for ok in ["vu_later", "vu_none"] {
        let c = tcp_connect(&srv, ok).await.unwrap();
        c.simple_query("SELECT 1").await.unwrap();
    }
    let e = tcp_connect(&srv, "vu_past").await.unwrap_err();
    assert_eq!(sqlstate(&e), "28P01", "{e}");
    assert_eq!(
        message(&e),
        "password authentication failed for user \"vu_past\""
    );
    // Over the Unix socket no password is asked, and none expires.
    srv.try_connect_as("vu_past", "testdb")
        .await
        .unwrap()
        .simple_query("SELECT 1")
        .await
        .unwrap();
    admin
        .batch_execute("ALTER ROLE vu_past VALID UNTIL 'infinity'")
        .await
        .unwrap();
    tcp_connect(&srv, "vu_past").await.unwrap();
    admin
        .batch_execute("ALTER ROLE vu_later VALID UNTIL '2001-01-01'")
        .await
        .unwrap();
    let e = tcp_connect(&srv, "vu_later").await.unwrap_err();
    assert_eq!(sqlstate(&e), "28P01", "{e}");
}
