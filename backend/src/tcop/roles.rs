//! The session's roles: who may log in (FATAL 28000 for a role that does
//! not exist or has no LOGIN), current_user and session_user, SET ROLE,
//! SET SESSION AUTHORIZATION and their RESETs, and the privilege check
//! of a statement's relations before each execution (42501), as the
//! role current then.

use std::sync::Arc;

use super::{Engine, Prepared};
use crate::catalog::roles::{privs, PermCheck, RoleDesc};
use crate::error::{sqlstate, PgError, PgResult};
use crate::types::Oid;
use shmem::lockmgr::LockMode;

/// What a COPY needs: SELECT on what COPY TO reads, INSERT on COPY
/// FROM's table.
pub(super) fn copy_perms(rels: &[u32], mode: LockMode) -> Vec<PermCheck> {
    let mask = if mode == LockMode::AccessShare {
        privs::SELECT
    } else {
        privs::INSERT
    };
    rels.iter()
        .map(|&rel| PermCheck {
            rel,
            mask,
            as_role: None,
        })
        .collect()
}

/// SET ROLE and SET SESSION AUTHORIZATION are settings: an unknown role
/// is an invalid value (22023), as in PostgreSQL.
fn no_role(name: &str) -> PgError {
    PgError::new(
        sqlstate::INVALID_PARAMETER_VALUE,
        format!("role \"{name}\" does not exist"),
    )
}

impl Engine {
    /// The role a client logs in as: it must exist and have LOGIN
    /// (28000 otherwise, FATAL for the caller to send).
    pub(super) fn login_role(&mut self, user: &str) -> PgResult<Arc<RoleDesc>> {
        self.catalog.refresh()?;
        let denied = |msg: String| PgError::new(sqlstate::INVALID_AUTHORIZATION_SPECIFICATION, msg);
        let Some(role) = self.catalog.get().role_by_name(user) else {
            return Err(denied(format!("role \"{user}\" does not exist")));
        };
        if !role.login {
            return Err(denied(format!(
                "role \"{user}\" is not permitted to log in"
            )));
        }
        // PostgreSQL checks rolvaliduntil with the password: past it, the
        // password authentication fails (28P01), whatever was sent.
        if self.password_login && role.valid_until.is_some_and(|t| t < super::now_pg_usecs()) {
            tracing::warn!("password authentication failed for user \"{user}\": User \"{user}\" has an expired password.");
            return Err(PgError::new(
                sqlstate::INVALID_PASSWORD,
                format!("password authentication failed for user \"{user}\""),
            ));
        }
        Ok(role)
    }

    /// Records that the client logged in with a password (before
    /// [`Engine::startup`]): its role's VALID UNTIL then applies.
    pub fn set_password_login(&mut self, yes: bool) {
        self.password_login = yes;
    }

    /// Makes `session` the session user and `current` the current role.
    pub(super) fn set_session_roles(&mut self, session: &RoleDesc, current: &RoleDesc) {
        self.session.session_user = session.name.clone();
        self.session.session_role = session.oid;
        self.session.user = current.name.clone();
        self.session.role = current.oid;
        let settings = self.settings.get_mut();
        settings.set_session_user(&session.name);
        settings.set_superuser(current.superuser);
    }

    /// SET ROLE name, or NONE / RESET ROLE (None): the session user must
    /// be a member of the role.
    pub(super) fn set_role(&mut self, name: Option<&str>) -> PgResult<()> {
        self.catalog.refresh()?;
        let cat = self.catalog.get().clone();
        let session = cat
            .role(self.session.session_role)
            .ok_or_else(|| no_role(&self.session.session_user))?;
        let target = match name {
            None => session.clone(),
            Some(n) => {
                let r = cat.role_by_name(n).ok_or_else(|| no_role(n))?;
                if !cat.is_member_of_role(session.oid, r.oid) {
                    return Err(PgError::new(
                        sqlstate::INSUFFICIENT_PRIVILEGE,
                        format!("permission denied to set role \"{n}\""),
                    ));
                }
                r
            }
        };
        self.set_session_roles(&session, &target);
        Ok(())
    }

    /// SET SESSION AUTHORIZATION name, or DEFAULT (None): only a role
    /// that logged in as a superuser may change it (to anyone).
    pub(super) fn set_session_authorization(&mut self, name: Option<&str>) -> PgResult<()> {
        self.catalog.refresh()?;
        let cat = self.catalog.get().clone();
        let auth: Oid = self.session.authenticated_role;
        let target = match name {
            None => cat.role(auth),
            Some(n) => Some(cat.role_by_name(n).ok_or_else(|| no_role(n))?),
        }
        .ok_or_else(|| no_role(name.unwrap_or_default()))?;
        if target.oid != auth && !self.authenticated_superuser {
            return Err(PgError::new(
                sqlstate::INSUFFICIENT_PRIVILEGE,
                "permission denied to set session authorization",
            ));
        }
        self.set_session_roles(&target, &target);
        Ok(())
    }

    /// The current role and the session user as the catalog has them
    /// (42704 if another session dropped them).
    pub(super) fn session_role_descs(
        &self,
        cat: &crate::catalog::Catalog,
    ) -> PgResult<(RoleDesc, RoleDesc)> {
        let get = |oid: Oid| {
            cat.role(oid).map(|r| (*r).clone()).ok_or_else(|| {
                PgError::new(
                    sqlstate::UNDEFINED_OBJECT,
                    format!("role with OID {oid} does not exist"),
                )
            })
        };
        Ok((get(self.session.role)?, get(self.session.session_role)?))
    }

    /// The privilege check of a statement about to run (ExecCheckRTPerms).
    pub(super) fn check_privileges(&self, p: &Prepared) -> PgResult<()> {
        let planned = p.planned.lock().unwrap_or_else(|e| e.into_inner());
        if planned.perms.is_empty() {
            return Ok(());
        }
        self.catalog
            .get()
            .check_relation_privileges(self.session.role, &planned.perms)
    }
}
