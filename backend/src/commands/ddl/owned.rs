//! REASSIGN OWNED BY roles TO role and DROP OWNED BY roles [CASCADE |
//! RESTRICT], as PostgreSQL 15 runs them (`shdepReassignOwned`,
//! `shdepDropOwned`) over what pg_shdepend records (`catalog/shdepend.rs`):
//! - REASSIGN OWNED gives every object of the current database that a
//!   role owns, and every database it owns, to the new role (the ACL
//!   entries of the old owner become the new owner's, as ALTER ... OWNER
//!   TO does); privileges granted to the role stay.
//! - DROP OWNED revokes the privileges granted to the role on objects of
//!   the current database and on databases (and those it granted,
//!   which depended on them), then drops the objects of the current
//!   database it owns: views first, then tables, sequences, functions,
//!   types and schemas, each with the statement's CASCADE or RESTRICT.
//!   Databases it owns stay.
//!
//! Both require the privileges of each role named (42501 "permission
//! denied to reassign objects" / "to drop objects") and refuse the
//! bootstrap superuser and the predefined roles (2BP01).

use sqlparser::ast;

use super::Ddl;
use crate::catalog::roles::{RoleDesc, BOOTSTRAP_SUPERUSER, PREDEFINED_ROLES};
use crate::commands::owner::acl_new_owner;
use crate::error::{sqlstate, PgError, PgResult};
use crate::parser::owned::{OwnedStmt, RoleName};
use crate::types::Oid;

/// 2BP01: dependent_objects_still_exist.
const DEPENDENT_OBJECTS_STILL_EXIST: &str = "2BP01";

/// A name quoted for the statement text this module parses again.
fn quoted(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

impl Ddl<'_> {
    /// The OID of a role a statement names.
    fn owned_role(&self, r: &RoleName, me: &RoleDesc, session: &RoleDesc) -> PgResult<Oid> {
        match r {
            RoleName::CurrentUser => Ok(me.oid),
            RoleName::SessionUser => Ok(session.oid),
            RoleName::Name(n) => self.cat.role_by_name(n).map(|r| r.oid).ok_or_else(|| {
                PgError::new(
                    sqlstate::UNDEFINED_OBJECT,
                    format!("role \"{n}\" does not exist"),
                )
            }),
        }
    }

    /// Runs REASSIGN OWNED or DROP OWNED as `me`; returns the command tag.
    pub(super) fn owned_command(
        &mut self,
        st: &OwnedStmt,
        me: &RoleDesc,
        session: &RoleDesc,
        database: &str,
    ) -> PgResult<String> {
        self.changed = true;
        let (roles, verb) = match st {
            OwnedStmt::Reassign { roles, .. } => (roles, "reassign"),
            OwnedStmt::Drop { roles, .. } => (roles, "drop"),
        };
        let mut oids = Vec::new();
        for r in roles {
            let oid = self.owned_role(r, me, session)?;
            if !self.cat.has_privs_of_role(me.oid, oid) {
                return Err(PgError::new(
                    sqlstate::INSUFFICIENT_PRIVILEGE,
                    format!("permission denied to {verb} objects"),
                ));
            }
            oids.push(oid);
        }
        let new = match st {
            OwnedStmt::Reassign { to, .. } => {
                let new = self.owned_role(to, me, session)?;
                if !self.cat.has_privs_of_role(me.oid, new) {
                    return Err(PgError::new(
                        sqlstate::INSUFFICIENT_PRIVILEGE,
                        "permission denied to reassign objects",
                    ));
                }
                Some(new)
            }
            OwnedStmt::Drop { .. } => None,
        };
        for &oid in &oids {
            if oid == BOOTSTRAP_SUPERUSER || PREDEFINED_ROLES.iter().any(|p| p.0 == oid) {
                let what = if new.is_some() {
                    "reassign ownership of"
                } else {
                    "drop"
                };
                return Err(PgError::new(
                    DEPENDENT_OBJECTS_STILL_EXIST,
                    format!(
                        "cannot {what} objects owned by role {} because they are required by the database system",
                        self.cat.role_name(oid).unwrap_or_default()
                    ),
                ));
            }
        }
        match (st, new) {
            (_, Some(new)) => {
                for &old in &oids {
                    if !me.superuser {
                        self.check_reassign(old, new, me.oid, database)?;
                    }
                    self.reassign_owned(old, new);
                }
                Ok("REASSIGN OWNED".into())
            }
            (OwnedStmt::Drop { cascade, .. }, None) => {
                for &role in &oids {
                    self.revoke_privileges_of(role);
                }
                for &role in &oids {
                    self.drop_objects_of(role, *cascade)?;
                }
                Ok("DROP OWNED".into())
            }
            _ => Err(PgError::internal("REASSIGN OWNED without a new owner")),
        }
    }

    /// The checks ALTER ... OWNER TO makes of a role that is not a
    /// superuser, for each object `old` owns: CREATE on the database for
    /// a schema (as `me`), CREATE on its schema for the new owner of a
    /// relation, type or function, CREATEDB for a database (42501).
    fn check_reassign(&self, old: Oid, new: Oid, me: Oid, database: &str) -> PgResult<()> {
        use crate::catalog::roles::{privs, ObjectKind};
        let cat = &*self.cat;
        let denied = |m: String| PgError::new(sqlstate::INSUFFICIENT_PRIVILEGE, m);
        if old == new {
            return Ok(());
        }
        if cat.namespaces.iter().any(|n| n.owner == old) {
            let db = cat.database_oid(database).unwrap_or(0);
            let owner = cat.database_owner(db);
            if !cat.has_privilege(me, db, ObjectKind::Database, owner, privs::CREATE) {
                return Err(denied(format!("permission denied for database {database}")));
            }
        }
        for (&obj, _) in cat.owners.iter().filter(|(_, &o)| o == old) {
            let Some(nsp) = cat
                .object_namespace(obj)
                .or_else(|| cat.function_by_oid(obj).map(|f| f.namespace))
            else {
                continue;
            };
            let owner = cat.schema_owner(nsp);
            if !cat.has_privilege(new, nsp, ObjectKind::Schema, owner, privs::CREATE) {
                return Err(denied(format!(
                    "permission denied for schema {}",
                    cat.namespace_name(nsp).unwrap_or("?")
                )));
            }
        }
        if cat.databases.iter().any(|d| d.owner == old) && !cat.role(me).is_some_and(|r| r.createdb)
        {
            return Err(denied(
                "permission denied to change owner of database".to_owned(),
            ));
        }
        Ok(())
    }

    /// Gives everything `old` owns in this database, and its databases,
    /// to `new`.
    fn reassign_owned(&mut self, old: Oid, new: Oid) {
        if old == new {
            return;
        }
        let cat = &mut *self.cat;
        let owned: Vec<Oid> = cat
            .owners
            .iter()
            .filter(|(_, &o)| o == old)
            .map(|(&obj, _)| obj)
            .collect();
        for obj in owned {
            cat.set_owner(obj, new);
            if let Some(acl) = cat.acls.get_mut(&('r', obj)) {
                acl_new_owner(acl, old, new);
            }
        }
        for n in cat.namespaces.iter_mut() {
            if n.owner == old {
                std::sync::Arc::make_mut(n).owner = new;
                if let Some(acl) = cat.acls.get_mut(&('n', n.oid)) {
                    acl_new_owner(acl, old, new);
                }
            }
        }
        for d in cat.databases.iter_mut() {
            if d.owner == old {
                std::sync::Arc::make_mut(d).owner = new;
                if let Some(acl) = cat.acls.get_mut(&('d', d.oid)) {
                    acl_new_owner(acl, old, new);
                }
            }
        }
    }

    /// Revokes what was granted to `role` on objects of this database
    /// and on databases it does not own, and what it granted there
    /// (grants that depended on its grant options).
    fn revoke_privileges_of(&mut self, role: Oid) {
        let cat = &mut *self.cat;
        let keys: Vec<(char, Oid)> = cat.acls.keys().copied().collect();
        for (class, obj) in keys {
            let owner = match class {
                'd' => cat.database_owner(obj),
                'n' => cat.schema_owner(obj),
                _ => cat.owner_of(obj),
            };
            if owner == role {
                continue;
            }
            if let Some(acl) = cat.acls.get_mut(&(class, obj)) {
                acl.retain(|a| a.grantee != role && a.grantor != role);
            }
        }
    }

    /// Drops the objects of this database `role` owns, dependents first.
    fn drop_objects_of(&mut self, role: Oid, cascade: bool) -> PgResult<()> {
        let behavior = if cascade { " CASCADE" } else { "" };
        // Statements to run, each checked just before it runs (an earlier
        // one may have dropped its object by CASCADE).
        let mut steps: Vec<(Oid, String)> = Vec::new();
        {
            let cat = &*self.cat;
            let owns = |o: Oid| cat.owner_of(o) == role;
            let qual = |nsp: Oid, name: &str| {
                format!(
                    "{}.{}",
                    quoted(cat.namespace_name(nsp).unwrap_or("public")),
                    quoted(name)
                )
            };
            let mut views: Vec<_> = cat.views.iter().filter(|v| owns(v.oid)).collect();
            views.sort_by_key(|v| std::cmp::Reverse(v.oid));
            for v in views {
                steps.push((v.oid, format!("DROP VIEW {}", qual(v.namespace, &v.name))));
            }
            let mut tables: Vec<_> = cat.tables.iter().filter(|t| owns(t.oid)).collect();
            tables.sort_by_key(|t| std::cmp::Reverse(t.oid));
            for t in tables {
                let kind = if cat.matviews.iter().any(|m| m.oid == t.oid) {
                    "MATERIALIZED VIEW"
                } else {
                    "TABLE"
                };
                steps.push((t.oid, format!("DROP {kind} {}", qual(t.namespace, &t.name))));
            }
            for s in cat.sequences.iter().filter(|s| owns(s.oid)) {
                let owned_by_table = cat.table_by_oid(s.table).is_some_and(|t| !owns(t.oid));
                if s.table == 0 || !owned_by_table {
                    steps.push((
                        s.oid,
                        format!("DROP SEQUENCE {}", qual(s.namespace, &s.name)),
                    ));
                }
            }
            for f in cat.functions.iter().filter(|f| owns(f.oid)) {
                let args: Vec<String> = f
                    .input_types()
                    .iter()
                    .map(|&t| crate::catalog::format_type(t, -1))
                    .collect();
                let word = if f.kind == 'p' {
                    "PROCEDURE"
                } else {
                    "FUNCTION"
                };
                steps.push((
                    f.oid,
                    format!(
                        "DROP {word} {}.{}({})",
                        quoted(cat.function_schema_name(f)),
                        quoted(&f.name),
                        args.join(", ")
                    ),
                ));
            }
            for d in cat.domains.iter().filter(|d| owns(d.oid)) {
                steps.push((d.oid, format!("DROP DOMAIN {}", qual(d.namespace, &d.name))));
            }
            for e in cat.enums.iter().filter(|e| owns(e.oid)) {
                steps.push((e.oid, format!("DROP TYPE {}", qual(e.namespace, &e.name))));
            }
            for n in cat.namespaces.iter().filter(|n| n.owner == role) {
                steps.push((n.oid, format!("DROP SCHEMA {}", quoted(&n.name))));
            }
        }
        for (oid, sql) in steps {
            if !self.object_exists(oid) {
                continue;
            }
            self.run_drop(&format!("{sql}{behavior}"), role)
                .map_err(|e| match e.code {
                    DEPENDENT_OBJECTS_STILL_EXIST if !cascade => PgError {
                        message:
                            "cannot drop desired object(s) because other objects depend on them"
                                .into(),
                        ..e
                    },
                    _ => e,
                })?;
        }
        Ok(())
    }

    /// Whether an object (relation, function, type or schema) exists.
    fn object_exists(&self, oid: Oid) -> bool {
        let c = &*self.cat;
        c.relation_name(oid).is_some()
            || c.functions.iter().any(|f| f.oid == oid)
            || c.domains.iter().any(|d| d.oid == oid)
            || c.enums.iter().any(|e| e.oid == oid)
            || c.namespaces.iter().any(|n| n.oid == oid)
    }

    /// Runs one DROP statement this module wrote.
    fn run_drop(&mut self, sql: &str, role: Oid) -> PgResult<()> {
        use ast::Statement as S;
        if crate::parser::domain::is_domain_command(sql) {
            let d = crate::parser::domain::parse(sql)?;
            return self.domain_command(&d, role).map(|_| ());
        }
        let parsed = crate::parser::parse(sql)?;
        let Some(stmt) = parsed.first().map(|p| p.ast.clone()) else {
            return Err(PgError::internal("DROP OWNED: empty statement"));
        };
        match &stmt {
            S::Drop {
                object_type: ast::ObjectType::Schema,
                names,
                cascade,
                ..
            } => self.drop_schema(false, names, *cascade, role).map(|_| ()),
            S::Drop {
                object_type: ast::ObjectType::Type,
                names,
                cascade,
                ..
            } => self.drop_type(false, names, *cascade).map(|_| ()),
            S::Drop {
                object_type,
                names,
                cascade,
                ..
            } => self.drop(*object_type, false, names, *cascade).map(|_| ()),
            S::DropFunction(d) => crate::commands::functioncmds::drop(
                self.cat,
                false,
                false,
                &d.func_desc,
                self.notices,
            )
            .map(|_| ()),
            S::DropProcedure { proc_desc, .. } => {
                crate::commands::functioncmds::drop(self.cat, true, false, proc_desc, self.notices)
                    .map(|_| ())
            }
            _ => Err(PgError::internal("DROP OWNED: not a DROP")),
        }
    }
}
