//! A PostgreSQL 15 dump restores into pgfork (issues 12 and 14): a schema
//! with serial and identity columns, foreign keys, CHECK and NOT NULL
//! constraints, arrays, jsonb, uuid, an enum, a domain, a composite type,
//! a view, a SQL function, a schema holding a function and a procedure,
//! an index and comments is made on PostgreSQL
//! 15 and dumped there by its pg_dump (plain format, with owners), the
//! dump is restored into a new pgfork with psql and ON_ERROR_STOP, the
//! rows come back, and pgfork's own pg_dump of the restored database is
//! PostgreSQL's dump line for line (the random `\restrict` key and the
//! server version in the header aside).

use std::process::Command;

use crate::harness::{Mode, TestServer};
use crate::reference::Reference;

const PG_BIN: &str = "/usr/lib/postgresql/15/bin";

const SCHEMA: &str = r#"
CREATE TYPE mood AS ENUM ('sad', 'ok', 'happy');
CREATE DOMAIN positive AS integer CHECK (VALUE > 0);
CREATE TYPE pair AS (a integer, b text);
CREATE TABLE customers (
    id serial PRIMARY KEY,
    name text NOT NULL UNIQUE,
    tags text[] DEFAULT '{}',
    profile jsonb,
    token uuid,
    mood mood DEFAULT 'ok',
    CHECK (length(name) > 0)
);
CREATE TABLE orders (
    id integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    customer integer NOT NULL REFERENCES customers (id) ON DELETE CASCADE,
    qty positive,
    amounts numeric(10,2)[],
    placed timestamptz DEFAULT '2024-01-01 00:00:00+00'
);
CREATE INDEX orders_customer ON orders (customer);
CREATE VIEW big_orders AS SELECT o.id, c.name, o.qty FROM orders o JOIN customers c ON c.id = o.customer WHERE o.id > 1 AND o.qty > 1;
CREATE FUNCTION double_it(integer) RETURNS integer LANGUAGE sql IMMUTABLE AS 'SELECT $1 * 2';
CREATE SCHEMA sales;
CREATE FUNCTION sales.tax(amount numeric, rate numeric DEFAULT 0.2) RETURNS numeric LANGUAGE sql STABLE AS 'SELECT amount * rate';
CREATE PROCEDURE sales.touch(INOUT n integer) LANGUAGE sql AS 'SELECT n + 1';
COMMENT ON FUNCTION sales.tax(numeric, numeric) IS 'sales tax';
COMMENT ON TABLE customers IS 'who orders';
COMMENT ON COLUMN orders.qty IS 'how many';
INSERT INTO customers (name, tags, profile, token, mood) VALUES
    ('ann', '{a,b}', '{"age": 30, "langs": ["en", "fr"]}', 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11', 'happy'),
    ('bob', '{}', NULL, NULL, DEFAULT);
INSERT INTO orders (customer, qty, amounts) VALUES (1, 2, '{1.50,2.25}'), (2, 1, NULL), (1, 5, '{}');
"#;

const ROWS: &str = "SELECT c.name, c.tags, c.profile, c.token, c.mood, o.id, o.qty, o.amounts \
     FROM customers c LEFT JOIN orders o ON o.customer = c.id ORDER BY c.id, o.id";

fn run(program: &str, args: &[&str], stdin: Option<&str>) -> String {
    use std::io::Write;
    let mut child = Command::new(program)
        .args(args)
        .env_remove("PGOPTIONS")
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("run {program}: {e}"));
    let input = stdin.unwrap_or("").to_owned();
    let mut pipe = child.stdin.take().unwrap();
    let writer = std::thread::spawn(move || pipe.write_all(input.as_bytes()));
    let out = child.wait_with_output().unwrap();
    writer.join().unwrap().unwrap();
    assert!(
        out.status.success(),
        "{program} {args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// Connection arguments for psql and pg_dump.
fn conn(dir: &std::path::Path, port: u16) -> Vec<String> {
    vec![
        "-h".into(),
        dir.display().to_string(),
        "-p".into(),
        port.to_string(),
        "-U".into(),
        "postgres".into(),
        "-d".into(),
        "postgres".into(),
    ]
}

fn psql(conn: &[String], script: &str) -> String {
    let mut args: Vec<&str> = vec!["-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1"];
    args.extend(conn.iter().map(String::as_str));
    run(&format!("{PG_BIN}/psql"), &args, Some(script))
}

fn pg_dump(conn: &[String]) -> String {
    let args: Vec<&str> = conn.iter().map(String::as_str).collect();
    let text = run(&format!("{PG_BIN}/pg_dump"), &args, None);
    text.lines()
        .filter(|l| {
            !l.starts_with("\\restrict")
                && !l.starts_with("\\unrestrict")
                && !l.starts_with("-- Dumped from database version")
        })
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn a_postgres_dump_restores_and_dumps_again_the_same() {
    let reference = Reference::start();
    let pg = conn(reference.dir.path(), reference.port);
    psql(&pg, SCHEMA);
    let dump = pg_dump(&pg);
    let rows = psql(&pg, ROWS);

    let srv = TestServer::start_with(Mode::Process, &["-U", "postgres"]);
    let ours = conn(srv.socket_dir(), srv.port);
    psql(&ours, &dump);
    assert_eq!(psql(&ours, ROWS), rows, "rows after restore");
    // The restored sequences and identity go on where PostgreSQL's were.
    assert_eq!(
        psql(
            &ours,
            "INSERT INTO customers (name) VALUES ('cy') RETURNING id;\
             INSERT INTO orders (customer, qty) VALUES (3, 1) RETURNING id;"
        ),
        "3\n4\n"
    );
    psql(&ours, "DELETE FROM orders WHERE id = 4; DELETE FROM customers WHERE id = 3; SELECT setval('customers_id_seq', 2); SELECT setval('orders_id_seq', 3);");
    let again = pg_dump(&ours);
    let (a, b): (Vec<&str>, Vec<&str>) = (dump.lines().collect(), again.lines().collect());
    if let Some(i) = (0..a.len().max(b.len())).find(|&i| a.get(i) != b.get(i)) {
        panic!(
            "pgfork's dump differs from PostgreSQL's at line {}:\n  PostgreSQL: {:?}\n  pgfork:     {:?}",
            i + 1,
            a.get(i),
            b.get(i)
        );
    }
}
