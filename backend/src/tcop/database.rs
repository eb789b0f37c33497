//! The session's side of databases: choosing the database at connection
//! (FATAL 3D000 for a missing one, as PostgreSQL's InitPostgres, and its
//! CONNECT privilege, ALLOW_CONNECTIONS and CONNECTION LIMIT, and the
//! role's CONNECTION LIMIT), and running
//! CREATE, DROP and ALTER DATABASE (`commands::database`) as catalog
//! changes of the session's transaction (CREATE and DROP outside a
//! transaction block).

use std::sync::Arc;
use std::time::{Duration, Instant};

use shmem::lockmgr::LockMode;

use super::Engine;
use crate::catalog::roles::{privs, ObjectKind, RoleDesc};
use crate::commands::database::{self as dbcmd, DbEnv};
use crate::error::{sqlstate, PgError, PgResult};
use crate::executor::dest::RowSink;
use crate::parser::database::DatabaseStmt;
use crate::parser::StmtText;

impl Engine {
    /// Connects the session to database `name`: its catalog from now on.
    /// A server without a data directory (unit tests) has any name.
    pub(super) fn connect_database(&mut self, name: &str, role: &Arc<RoleDesc>) -> PgResult<()> {
        if self.env.config.data_dir.as_os_str().is_empty() {
            return Ok(());
        }
        self.catalog.refresh()?;
        let cat = self.catalog.get().clone();
        let d = cat
            .database(name)
            .cloned()
            .ok_or_else(|| crate::catalog::database::undefined(name))?;
        if !d.allow_conn {
            return Err(PgError::new(
                sqlstate::OBJECT_NOT_IN_PREREQUISITE_STATE,
                format!("database \"{name}\" is not currently accepting connections"),
            ));
        }
        if !role.superuser
            && !cat.has_privilege(
                role.oid,
                d.oid,
                ObjectKind::Database,
                d.owner,
                privs::CONNECT,
            )
        {
            return Err(PgError::new(
                sqlstate::INSUFFICIENT_PRIVILEGE,
                format!("permission denied for database \"{name}\""),
            )
            .with_detail("User does not have CONNECT privilege."));
        }
        // Seen by DROP DATABASE from now on; then make sure the database
        // was not dropped meanwhile.
        self.env.slot.set_identity(&role.name, name, "");
        // The role's CONNECTION LIMIT first, as PostgreSQL checks it when
        // it sets the session user, before the database's.
        if role.connlimit >= 0 && !role.superuser {
            let env = self.db_env(0);
            if dbcmd::other_sessions_of_role(&env, &role.name).len() as i32 >= role.connlimit {
                return Err(PgError::new(
                    sqlstate::TOO_MANY_CONNECTIONS,
                    format!("too many connections for role \"{}\"", role.name),
                ));
            }
        }
        if d.conn_limit >= 0 && !role.superuser {
            let env = self.db_env(0);
            if dbcmd::other_sessions(&env, name).len() as i32 >= d.conn_limit {
                return Err(PgError::new(
                    sqlstate::TOO_MANY_CONNECTIONS,
                    format!("too many connections for database \"{name}\""),
                ));
            }
        }
        self.catalog.refresh()?;
        if self.catalog.get().database_by_oid(d.oid).is_none() {
            return Err(crate::catalog::database::undefined(name));
        }
        self.catalog.set_database(d.oid);
        self.catalog.refresh()?;
        Ok(())
    }

    fn db_env(&self, offset: usize) -> DbEnv<'_> {
        DbEnv {
            data_dir: &self.env.config.data_dir,
            segment: self.env.segment,
            my_slot: self.env.slot_index,
            current: self.catalog.database(),
            role: self.session.role,
            offset,
        }
    }

    /// CREATE, DROP or ALTER DATABASE.
    pub(super) fn run_database(
        &mut self,
        text: &StmtText,
        policy: &shmem::lockmgr::WaitPolicy,
        sink: &mut dyn RowSink,
    ) -> PgResult<String> {
        let stmt = crate::parser::database::parse(&text.sql)?;
        let (tag, transactional) = match &stmt {
            DatabaseStmt::Create { .. } => ("CREATE DATABASE", false),
            DatabaseStmt::Drop { .. } => ("DROP DATABASE", false),
            _ => ("ALTER DATABASE", true),
        };
        if !transactional && self.xact.in_block() {
            return Err(PgError::new(
                sqlstate::ACTIVE_SQL_TRANSACTION,
                format!("{tag} cannot run inside a transaction block"),
            ));
        }
        if self.env.config.data_dir.as_os_str().is_empty() {
            return Err(PgError::new(
                sqlstate::IO_ERROR,
                "the server has no data directory",
            ));
        }
        if !self.catalog.in_change() {
            self.mvcc.lock_object(
                crate::catalog::CATALOG_CHANGE_LOCK,
                LockMode::Exclusive,
                policy,
                &self.limits,
            )?;
            self.mvcc.top_xid()?;
            self.catalog.begin_change()?;
        }
        self.prepare_catalog_write()?;
        let offset = text
            .full
            .find(text.sql.as_str())
            .map_or(0, |b| text.full[..b].chars().count());
        let mut notices = Vec::new();
        self.catalog.refresh()?;
        let mut cat = (**self.catalog.get()).clone();
        let mut created = None;
        let env = self.db_env(offset);
        let r = match &stmt {
            DatabaseStmt::Create { name, options } => {
                dbcmd::create(&env, &mut cat, name, options, &mut notices).map(|made| {
                    created = made;
                    true
                })
            }
            DatabaseStmt::Drop {
                if_exists,
                name,
                force,
            } => dbcmd::drop(
                &env,
                &mut cat,
                *if_exists,
                name,
                *force,
                &|slots| terminate_and_wait(&env, name, slots),
                &mut notices,
            ),
            DatabaseStmt::Rename { name, new_name } => {
                dbcmd::rename(&env, &mut cat, name, new_name)
            }
            DatabaseStmt::Owner { name, owner } => dbcmd::owner(&env, &mut cat, name, owner),
            DatabaseStmt::Alter { name, options } => dbcmd::alter(&env, &mut cat, name, options),
        };
        let r = match (r, created) {
            (Ok(true), Some((oid, newcat))) => self
                .catalog
                .write_database_catalog(oid, newcat)
                .and_then(|()| self.catalog.commit(cat)),
            (r, _) => r.and_then(|changed| match changed {
                true => self.catalog.commit(cat),
                false => Ok(()),
            }),
        };
        for n in notices {
            self.notice(sink, n);
        }
        r.map(|()| tag.to_owned())
    }
}

/// Ends the sessions in `slots` (connected to database `name`) and waits
/// up to five seconds for them to go, as PostgreSQL's DROP DATABASE ...
/// WITH (FORCE).
fn terminate_and_wait(env: &DbEnv, name: &str, slots: &[usize]) {
    let table = env.segment.backend_table();
    let deadline = Instant::now() + Duration::from_secs(5);
    let mut left = slots.to_vec();
    let mut n = 0u32;
    while !left.is_empty() && Instant::now() < deadline {
        // Signalled again every 100 ms: a signal that arrives while the
        // backend is between its interrupt check and its wait for the
        // client would otherwise wait for the client's next message.
        if n.is_multiple_of(10) {
            for &i in &left {
                crate::interrupts::terminate_backend(table.slot(i));
            }
        }
        n += 1;
        std::thread::sleep(Duration::from_millis(10));
        left = dbcmd::other_sessions(env, name);
    }
}
