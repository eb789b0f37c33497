//! Integration tests: each starts the real `pgfork` binary on a temporary
//! socket directory and a unique port, in every mode, and talks to it with
//! tokio-postgres, psql and pgbench as users do.

mod harness;

/// Defines one test per mode (process, prefork, thread, pool) from an
/// async function taking the mode.
macro_rules! in_all_modes {
    ($($name:ident),* $(,)?) => {
        $(
            mod $name {
                use crate::harness::Mode;
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn process() {
                    super::$name(Mode::Process).await
                }
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn prefork() {
                    super::$name(Mode::Prefork).await
                }
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn thread() {
                    super::$name(Mode::Thread).await
                }
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn pool() {
                    super::$name(Mode::Pool).await
                }
            }
        )*
    };
}

mod access;
mod advisory_locks;
mod alter_column_type;
mod alter_table;
mod arrays;
mod binary_char;
mod blast_radius;
mod catalog;
/// The client acceptance suite (drivers, an ORM, pg_dump): tests/clients.
#[path = "../clients/mod.rs"]
mod clients;
mod composite_types;
mod constraints;
mod copy_csv;
mod copy_errors;
mod core_protocol;
mod core_server;
mod cpu_loops;
mod crash;
mod cursors;
mod databases;
mod dump_restore;
mod durability;
mod explain_analyze;
mod faults;
mod functions;
mod fuzz;
mod grouping_with;
mod instrumentation;
mod many_connections;
mod notify;
mod numeric_binary;
mod owned;
mod plan_cache;
mod planner;
mod plpgsql_transactions;
mod pool;
mod pool_processes;
mod reference;
mod regexes;
mod role_settings;
mod roles;
mod schema_objects;
mod schemas;
mod sql_files;
mod sql_tables;
mod statistics;
mod system_columns;
mod time_net;
mod transactional_ddl;
mod transactions;
mod triggers;
mod types;
mod valid_until;
mod wal;
mod wire_io;
