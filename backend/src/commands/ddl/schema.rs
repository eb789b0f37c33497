//! CREATE SCHEMA, ALTER SCHEMA (RENAME TO, OWNER TO), DROP SCHEMA
//! [CASCADE | RESTRICT] and ALTER TABLE/SEQUENCE/VIEW ... SET SCHEMA,
//! with PostgreSQL 15's messages. Schemas are rows of the catalog
//! (`catalog::namespace`), so they commit and roll back with the
//! transaction as any DDL; the built-in ones (pg_catalog, public,
//! information_schema) cannot be renamed or dropped here.

use std::sync::Arc;

use sqlparser::ast;

use super::{not_supported, notice, Ddl, DdlEnv};
use crate::catalog::namespace::NamespaceDesc;
use crate::catalog::roles::{privs, ObjectKind};
use crate::catalog::{builtin, RelKind, PG_CATALOG_NAMESPACE};
use crate::error::{sqlstate, PgError, PgResult};
use crate::parser::{ident, object_name};
use crate::types::Oid;

fn schema_exists(name: &str) -> PgError {
    PgError::new(
        sqlstate::DUPLICATE_SCHEMA,
        format!("schema \"{name}\" already exists"),
    )
}

fn single_name(n: &ast::ObjectName) -> PgResult<String> {
    match object_name(n).as_slice() {
        [s] => Ok(s.clone()),
        _ => Err(PgError::new(
            sqlstate::SYNTAX_ERROR,
            format!("syntax error at or near \"{}\"", n),
        )),
    }
}

/// 42939 for a name with the reserved `pg_` prefix.
fn check_name(name: &str) -> PgResult<()> {
    if name.starts_with("pg_") {
        return Err(
            PgError::new("42939", format!("unacceptable schema name \"{name}\""))
                .with_detail("The prefix \"pg_\" is reserved for system schemas."),
        );
    }
    Ok(())
}

fn denied(msg: String) -> PgError {
    PgError::new(sqlstate::INSUFFICIENT_PRIVILEGE, msg)
}

/// The role AUTHORIZATION / OWNER TO names: any existing role (42704
/// otherwise), CURRENT_USER or SESSION_USER.
fn named_role(
    cat: &crate::catalog::Catalog,
    owner: &ast::Owner,
    env: &DdlEnv<'_>,
) -> PgResult<Oid> {
    match owner {
        ast::Owner::Ident(i) => role_by_name(cat, &ident(i)),
        ast::Owner::SessionUser => Ok(env.session.oid),
        _ => Ok(env.role.oid),
    }
}

fn role_by_name(cat: &crate::catalog::Catalog, name: &str) -> PgResult<Oid> {
    cat.role_by_name(name).map(|r| r.oid).ok_or_else(|| {
        PgError::new(
            sqlstate::UNDEFINED_OBJECT,
            format!("role \"{name}\" does not exist"),
        )
    })
}

/// 42501 unless `role` may create schemas in the database (CREATE on
/// it).
fn check_create_in_database(
    cat: &crate::catalog::Catalog,
    role: Oid,
    database: &str,
) -> PgResult<()> {
    let db = cat
        .database_oid(database)
        .unwrap_or(crate::catalog::system_views::DATABASE_OID);
    if cat.has_privilege(
        role,
        db,
        ObjectKind::Database,
        cat.database_owner(db),
        privs::CREATE,
    ) {
        return Ok(());
    }
    Err(denied(format!("permission denied for database {database}")))
}

/// 42501 "must be member of role r" unless `role` may become `target`.
fn check_member(cat: &crate::catalog::Catalog, role: Oid, target: Oid) -> PgResult<()> {
    if cat.is_member_of_role(role, target) {
        return Ok(());
    }
    Err(denied(format!(
        "must be member of role \"{}\"",
        cat.role_name(target).unwrap_or_default()
    )))
}

/// 42501 "must be owner of schema s" unless `role` has the privileges
/// of the schema's owner.
fn check_schema_owner(cat: &crate::catalog::Catalog, role: Oid, n: &NamespaceDesc) -> PgResult<()> {
    if cat.has_privs_of_role(role, n.owner) {
        return Ok(());
    }
    Err(denied(format!("must be owner of schema {}", n.name)))
}

impl Ddl<'_> {
    /// CREATE SCHEMA [IF NOT EXISTS] name [AUTHORIZATION role].
    pub(super) fn create_schema(
        &mut self,
        schema: &ast::SchemaName,
        if_not_exists: bool,
        env: &DdlEnv<'_>,
    ) -> PgResult<String> {
        let tag = "CREATE SCHEMA".to_owned();
        let (name, role) = match schema {
            ast::SchemaName::Simple(n) => (single_name(n)?, None),
            ast::SchemaName::UnnamedAuthorization(r) => (ident(r), Some(ident(r))),
            ast::SchemaName::NamedAuthorization(n, r) => (single_name(n)?, Some(ident(r))),
        };
        let owner = match role {
            Some(r) => role_by_name(self.cat, &r)?,
            None => env.role.oid,
        };
        check_create_in_database(self.cat, env.role.oid, env.database)?;
        check_member(self.cat, env.role.oid, owner)?;
        check_name(&name)?;
        if self.cat.namespace_oid(&name).is_some() {
            if if_not_exists {
                self.notices.push(notice(format!(
                    "schema \"{name}\" already exists, skipping"
                )));
                return Ok(tag);
            }
            return Err(schema_exists(&name));
        }
        let oid = self.cat.alloc_oid();
        self.cat
            .namespaces
            .push(Arc::new(NamespaceDesc { oid, name, owner }));
        self.changed = true;
        Ok(tag)
    }

    /// The user schema named `name` (3F000 when none; 0A000 for the
    /// built-in ones, which pgfork keeps outside the catalog).
    fn user_schema(&self, name: &str, what: &str) -> PgResult<Arc<NamespaceDesc>> {
        if let Some(n) = self.cat.user_namespace(name) {
            return Ok(n.clone());
        }
        if builtin::namespace_by_name(name).is_some() {
            return Err(not_supported(&format!("{what} of schema \"{name}\"")));
        }
        Err(crate::catalog::namespace::undefined_schema(name))
    }

    /// ALTER SCHEMA name RENAME TO new | OWNER TO role.
    pub(super) fn alter_schema(
        &mut self,
        a: &ast::AlterSchema,
        env: &DdlEnv<'_>,
    ) -> PgResult<String> {
        let name = single_name(&a.name)?;
        let [op] = a.operations.as_slice() else {
            return Err(not_supported("this ALTER SCHEMA"));
        };
        match op {
            ast::AlterSchemaOperation::Rename { name: new } => {
                let n = self.user_schema(&name, "ALTER SCHEMA RENAME")?;
                let new = single_name(new)?;
                if self.cat.namespace_oid(&new).is_some() {
                    return Err(schema_exists(&new));
                }
                check_schema_owner(self.cat, env.role.oid, &n)?;
                check_create_in_database(self.cat, env.role.oid, env.database)?;
                check_name(&new)?;
                self.rewrite_defaults_for_schema(n.oid, &new);
                for slot in &mut self.cat.namespaces {
                    if slot.oid == n.oid {
                        Arc::make_mut(slot).name = new.clone();
                    }
                }
            }
            ast::AlterSchemaOperation::OwnerTo { owner } => {
                let owner = named_role(self.cat, owner, env)?;
                if self.cat.namespace_oid(&name).is_none() {
                    return Err(crate::catalog::namespace::undefined_schema(&name));
                }
                if let Some(n) = self.cat.user_namespace(&name).cloned() {
                    if n.owner == owner {
                        return Ok("ALTER SCHEMA".into());
                    }
                    check_schema_owner(self.cat, env.role.oid, &n)?;
                    check_member(self.cat, env.role.oid, owner)?;
                    check_create_in_database(self.cat, env.role.oid, env.database)?;
                    self.change_schema_owner(n.oid, n.owner, owner);
                    for slot in &mut self.cat.namespaces {
                        if slot.oid == n.oid {
                            Arc::make_mut(slot).owner = owner;
                        }
                    }
                }
            }
            _ => return Err(not_supported("this ALTER SCHEMA action")),
        }
        self.changed = true;
        Ok("ALTER SCHEMA".into())
    }

    /// The schema's ACL entries of its old owner become the new owner's
    /// (PostgreSQL's aclnewowner).
    fn change_schema_owner(&mut self, nsp: Oid, old: Oid, new: Oid) {
        if let Some(acl) = self.cat.acls.get_mut(&(ObjectKind::Schema.class(), nsp)) {
            for a in acl.iter_mut() {
                if a.grantee == old {
                    a.grantee = new;
                }
                if a.grantor == old {
                    a.grantor = new;
                }
            }
        }
    }

    /// Column defaults name sequences of schema `nsp` qualified
    /// (`'s.seq'::regclass`): they follow its new name.
    fn rewrite_defaults_for_schema(&mut self, nsp: Oid, new: &str) {
        let seqs: Vec<_> = self
            .cat
            .sequences
            .iter()
            .filter(|s| s.namespace == nsp)
            .cloned()
            .collect();
        for s in seqs {
            let from = super::super::sequence::regclass_literal_in(self.cat, nsp, &s.name);
            let quoted = format!(
                "{}.{}",
                crate::utils::adt::quote::quote_ident(new),
                crate::utils::adt::quote::quote_ident(&s.name)
            );
            let to = format!("'{}'::regclass", quoted.replace('\'', "''"));
            for t in &mut self.cat.tables {
                if t.columns
                    .iter()
                    .any(|c| c.default.as_deref().is_some_and(|d| d.contains(&from)))
                {
                    for c in &mut Arc::make_mut(t).columns {
                        if let Some(d) = &mut c.default {
                            *d = d.replace(&from, &to);
                        }
                    }
                }
            }
        }
    }

    /// DROP SCHEMA [IF EXISTS] names [CASCADE | RESTRICT].
    pub(super) fn drop_schema(
        &mut self,
        if_exists: bool,
        names: &[ast::ObjectName],
        cascade: bool,
        role: Oid,
    ) -> PgResult<String> {
        let mut found = Vec::new();
        for n in names {
            let name = single_name(n)?;
            if name == "pg_catalog" || name == "information_schema" {
                return Err(PgError::new(
                    sqlstate::DEPENDENT_OBJECTS_STILL_EXIST,
                    format!(
                        "cannot drop schema {name} because it is required by the database system"
                    ),
                ));
            }
            match self.cat.namespace_oid(&name) {
                Some(_) => found.push(self.user_schema(&name, "DROP SCHEMA")?),
                None if if_exists => self.notices.push(notice(format!(
                    "schema \"{name}\" does not exist, skipping"
                ))),
                None => return Err(crate::catalog::namespace::undefined_schema(&name)),
            }
        }
        for n in &found {
            check_schema_owner(self.cat, role, n)?;
        }
        let mut dropped: Vec<String> = Vec::new();
        for n in &found {
            // (object, what it depends on): the schema's members, and
            // after each routine the triggers elsewhere that call it.
            let mut members: Vec<(String, String)> = Vec::new();
            for (o, m) in self.cat.namespace_members(n.oid) {
                members.push((m.clone(), format!("schema {}", n.name)));
                for t in self.cat.triggers.iter().filter(|t| t.function == o) {
                    if self.cat.object_namespace(t.table) == Some(n.oid) {
                        continue;
                    }
                    let table = if self.cat.relation_is_visible(t.table) {
                        self.cat.relation_name(t.table).unwrap_or("?").to_owned()
                    } else {
                        format!(
                            "{}.{}",
                            self.cat.relation_schema_name(t.table),
                            self.cat.relation_name(t.table).unwrap_or("?")
                        )
                    };
                    members.push((format!("trigger {} on table {table}", t.name), m.clone()));
                }
            }
            if members.is_empty() {
                continue;
            }
            if !cascade {
                let detail: Vec<String> = members
                    .iter()
                    .map(|(m, on)| format!("{m} depends on {on}"))
                    .collect();
                return Err(PgError::new(
                    sqlstate::DEPENDENT_OBJECTS_STILL_EXIST,
                    format!(
                        "cannot drop schema {} because other objects depend on it",
                        n.name
                    ),
                )
                .with_detail(detail.join("\n"))
                .with_hint("Use DROP ... CASCADE to drop the dependent objects too."));
            }
            dropped.extend(members.into_iter().map(|(m, _)| m));
            self.drop_members(n.oid)?;
        }
        match dropped.as_slice() {
            [] => {}
            [one] => self.notices.push(notice(format!("drop cascades to {one}"))),
            many => self.notices.push(
                notice(format!("drop cascades to {} other objects", many.len())).with_detail(
                    many.iter()
                        .map(|m| format!("drop cascades to {m}"))
                        .collect::<Vec<_>>()
                        .join("\n"),
                ),
            ),
        }
        let gone: Vec<Oid> = found.iter().map(|n| n.oid).collect();
        if !gone.is_empty() {
            self.cat.namespaces.retain(|n| !gone.contains(&n.oid));
            self.changed = true;
        }
        Ok("DROP SCHEMA".into())
    }

    /// Drops everything in schema `nsp` (views, tables with their
    /// indexes and owned sequences, sequences, enum and composite types,
    /// routines), through the
    /// DROP of each kind with CASCADE; their notices are replaced by
    /// DROP SCHEMA's own.
    fn drop_members(&mut self, nsp: Oid) -> PgResult<()> {
        let schema = self.cat.namespace_name(nsp).unwrap_or_default().to_owned();
        let qualified = |n: &str| {
            ast::ObjectName::from(vec![
                ast::Ident::with_quote('"', schema.clone()),
                ast::Ident::with_quote('"', n.to_owned()),
            ])
        };
        let saved = std::mem::take(self.notices);
        let result = (|| -> PgResult<()> {
            let views: Vec<_> = self
                .cat
                .views
                .iter()
                .filter(|v| v.namespace == nsp)
                .map(|v| qualified(&v.name))
                .collect();
            for v in views {
                if self.cat.resolve_relation_parts(&object_name(&v)).is_some() {
                    self.drop(ast::ObjectType::View, true, &[v], true)?;
                }
            }
            let tables: Vec<_> = self
                .cat
                .tables
                .iter()
                .filter(|t| t.namespace == nsp)
                .map(|t| qualified(&t.name))
                .collect();
            if !tables.is_empty() {
                self.drop(ast::ObjectType::Table, true, &tables, true)?;
            }
            let seqs: Vec<_> = self
                .cat
                .sequences
                .iter()
                .filter(|s| s.namespace == nsp && s.identity == 0)
                .map(|s| qualified(&s.name))
                .collect();
            if !seqs.is_empty() {
                self.drop(ast::ObjectType::Sequence, true, &seqs, true)?;
            }
            let types: Vec<_> = self
                .cat
                .enums
                .iter()
                .filter(|e| e.namespace == nsp)
                .map(|e| qualified(&e.name))
                .chain(
                    self.cat
                        .composites
                        .iter()
                        .filter(|c| c.namespace == nsp)
                        .map(|c| qualified(&c.name)),
                )
                .collect();
            if !types.is_empty() {
                self.drop_type(true, &types, true)?;
            }
            // Routines go last (a type's CASCADE may have dropped some),
            // with the triggers on tables elsewhere that call them.
            let gone: Vec<Oid> = self
                .cat
                .functions_of_namespace(nsp)
                .map(|f| f.oid)
                .collect();
            self.cat.functions.retain(|f| f.namespace != nsp);
            self.cat.triggers.retain(|t| !gone.contains(&t.function));
            // Indexes of tables elsewhere cannot be here (an index lives
            // in its table's schema); nothing else remains.
            self.cat.indexes.retain(|i| i.namespace != nsp);
            Ok(())
        })();
        *self.notices = saved;
        self.changed = true;
        result
    }

    /// ALTER TABLE/SEQUENCE/VIEW name SET SCHEMA new: the relation moves
    /// with its indexes and owned sequences (PostgreSQL's
    /// AlterTableNamespace).
    pub(super) fn set_schema(
        &mut self,
        kind: RelKind,
        name: &ast::ObjectName,
        if_exists: bool,
        new_schema: &str,
    ) -> PgResult<String> {
        let tag = match kind {
            RelKind::Sequence => "ALTER SEQUENCE",
            RelKind::View => "ALTER VIEW",
            _ => "ALTER TABLE",
        };
        let (found, rel) = self.find(name)?;
        let Some((k, oid)) = found else {
            if if_exists {
                self.notices.push(notice(format!(
                    "relation \"{rel}\" does not exist, skipping"
                )));
                return Ok(tag.into());
            }
            return Err(crate::analyze::from::no_relation(&rel));
        };
        if k != kind && !(kind == RelKind::Table && k != RelKind::Index) {
            let what = match kind {
                RelKind::Sequence => "a sequence",
                RelKind::View => "a view",
                _ => "a table",
            };
            return Err(PgError::new("42809", format!("\"{rel}\" is not {what}")));
        }
        let to = self.cat.explicit_namespace(new_schema)?;
        let from = self.cat.object_namespace(oid).unwrap_or(to);
        if to == from {
            return Ok(tag.into());
        }
        if to == PG_CATALOG_NAMESPACE || from == PG_CATALOG_NAMESPACE {
            return Err(PgError::new(
                "42809",
                "cannot move objects into or out of system schemas",
            ));
        }
        // What moves: the relation, and a table's indexes and owned
        // sequences.
        let mut moving: Vec<(Oid, String)> = vec![(oid, rel.clone())];
        if k == RelKind::Table {
            moving.extend(self.cat.indexes_of(oid).map(|i| (i.oid, i.name.clone())));
            moving.extend(
                self.cat
                    .sequences
                    .iter()
                    .filter(|s| s.table == oid)
                    .map(|s| (s.oid, s.name.clone())),
            );
        }
        for (_, n) in &moving {
            if self.cat.relation_in(to, n).is_some() {
                return Err(PgError::new(
                    sqlstate::DUPLICATE_TABLE,
                    format!("relation \"{n}\" already exists in schema \"{new_schema}\""),
                ));
            }
        }
        let oids: Vec<Oid> = moving.iter().map(|m| m.0).collect();
        // Defaults naming a moving sequence follow it.
        let seqs: Vec<_> = self
            .cat
            .sequences
            .iter()
            .filter(|s| oids.contains(&s.oid))
            .cloned()
            .collect();
        for s in seqs {
            super::super::sequence::rename_in_defaults(self.cat, &s, to, &s.name);
        }
        for t in &mut self.cat.tables {
            if oids.contains(&t.oid) {
                Arc::make_mut(t).namespace = to;
            }
        }
        for i in &mut self.cat.indexes {
            if oids.contains(&i.oid) {
                Arc::make_mut(i).namespace = to;
            }
        }
        for v in &mut self.cat.views {
            if oids.contains(&v.oid) {
                Arc::make_mut(v).namespace = to;
            }
        }
        for s in &mut self.cat.sequences {
            if oids.contains(&s.oid) {
                Arc::make_mut(s).namespace = to;
            }
        }
        self.changed = true;
        Ok(tag.into())
    }
}
