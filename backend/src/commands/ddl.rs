//! DDL: CREATE/DROP TABLE, TRUNCATE, ALTER TABLE (ADD PRIMARY KEY /
//! UNIQUE / COLUMN), CREATE/DROP INDEX. Each runs in its transaction's
//! catalog change (`catalog/xact.rs`): it changes a copy of the catalog,
//! creates relation files, and installs the copy as the transaction's
//! catalog (other backends re-plan once the transaction commits).

use std::sync::Arc;

use shmem::buffer::BufferPool;
use shmem::lockmgr::LockMode;
use sqlparser::ast;

use crate::access::btree;
use crate::access::sequence;
use crate::access::table::{self, TableAccess, TupleScan};
use crate::access::xact::StmtXact;
use crate::analyze::from::{no_relation, split_name};
use crate::analyze::names::resolve_type;
use crate::analyze::Analyzer;
use crate::catalog::{
    Catalog, CatalogCache, ColumnDesc, IndexDesc, RelKind, SequenceDesc, TableDesc, ViewDesc,
};
use crate::commands::constraints;
use crate::error::{sqlstate, PgError, PgResult, Severity};
use crate::executor::eval::EvalCtx;
use crate::executor::trigger::Triggers;
use crate::parser::{ident, object_name, StmtText};
use crate::types::{oid, Oid};

mod alter;
mod alter_type;
mod domain;
mod drop_type;
mod identity;
mod like;
mod matview;
mod owned;
mod schema;

pub(crate) fn notice(msg: String) -> PgError {
    PgError {
        severity: Severity::Notice,
        ..PgError::new(sqlstate::SUCCESSFUL_COMPLETION, msg)
    }
}

fn not_supported(what: &str) -> PgError {
    PgError::new(
        sqlstate::FEATURE_NOT_SUPPORTED,
        format!("{what} is not supported yet"),
    )
}

/// Whether a statement is DDL run by [`execute`].
pub fn is_ddl(stmt: &ast::Statement) -> bool {
    use ast::Statement as S;
    match stmt {
        S::CreateTable(_)
        | S::CreateIndex(_)
        | S::AlterTable(_)
        | S::Truncate(_)
        | S::CreateView(_)
        | S::RefreshMaterializedView(_)
        | S::CreateSequence { .. }
        | S::AlterType(_)
        | S::CreateType {
            representation:
                Some(
                    ast::UserDefinedTypeRepresentation::Enum { .. }
                    | ast::UserDefinedTypeRepresentation::Composite { .. },
                ),
            ..
        }
        | S::AlterIndex { .. }
        | S::DropFunction(_)
        | S::CreateTrigger(_)
        | S::DropTrigger(_)
        | S::DropProcedure { .. }
        | S::CreateSchema { .. }
        | S::AlterSchema(_)
        | S::Comment { .. }
        | S::CreateRole(_)
        | S::AlterRole { .. }
        | S::Grant(_)
        | S::Revoke(_)
        | S::GrantRole(_)
        | S::RevokeRole(_) => true,
        S::AlterView(_) => crate::parser::set_schema::is_placeholder(stmt),
        S::CreateFunction(_) => crate::parser::create_function::is_placeholder(stmt),
        S::Drop { object_type, .. } => matches!(
            object_type,
            ast::ObjectType::Table
                | ast::ObjectType::Index
                | ast::ObjectType::Sequence
                | ast::ObjectType::View
                | ast::ObjectType::MaterializedView
                | ast::ObjectType::Type
                | ast::ObjectType::Schema
                | ast::ObjectType::Role
                | ast::ObjectType::User
                | ast::ObjectType::Group
        ),
        _ => false,
    }
}

/// The tables a DDL statement changes, with the lock each needs
/// (PostgreSQL's: CREATE INDEX blocks writers with a Share lock; ALTER,
/// TRUNCATE and DROP take AccessExclusive). Names not found are left out
/// (the statement reports them when it runs).
pub fn lock_targets(stmt: &ast::Statement, cat: &Catalog) -> Vec<(u32, LockMode)> {
    use ast::Statement as S;
    let table = |n: &ast::ObjectName| match cat.resolve_relation_parts(&object_name(n)) {
        Some((RelKind::Table, o)) => Some(o),
        _ => None,
    };
    let mut out: Vec<(u32, LockMode)> = match stmt {
        S::CreateTrigger(ct) => table(&ct.table_name)
            .map(|t| (t, LockMode::ShareRowExclusive))
            .into_iter()
            .collect(),
        S::DropTrigger(d) => d
            .table_name
            .as_ref()
            .and_then(table)
            .map(|t| (t, LockMode::AccessExclusive))
            .into_iter()
            .collect(),
        S::CreateIndex(ci) => table(&ci.table_name)
            .map(|t| (t, LockMode::Share))
            .into_iter()
            .collect(),
        S::AlterTable(at) => {
            let mut v: Vec<(u32, LockMode)> = table(&at.name)
                .map(|t| (t, LockMode::AccessExclusive))
                .into_iter()
                .collect();
            // A foreign key being added blocks changes to the table it
            // references (PostgreSQL's ShareRowExclusive).
            for op in &at.operations {
                let mut refs: Vec<&ast::ObjectName> = Vec::new();
                match op {
                    ast::AlterTableOperation::AddConstraint {
                        constraint: ast::TableConstraint::ForeignKey(fk),
                        ..
                    } => refs.push(&fk.foreign_table),
                    ast::AlterTableOperation::AddColumn { column_def, .. } => {
                        for o in &column_def.options {
                            if let ast::ColumnOption::ForeignKey(fk) = &o.option {
                                refs.push(&fk.foreign_table);
                            }
                        }
                    }
                    _ => {}
                }
                for r in refs {
                    if let Some(o) = table(r) {
                        if !v.iter().any(|&(x, _)| x == o) {
                            v.push((o, LockMode::ShareRowExclusive));
                        }
                    }
                }
            }
            v
        }
        S::Truncate(tr) => tr
            .table_names
            .iter()
            .filter_map(|t| table(&t.name))
            .map(|t| (t, LockMode::AccessExclusive))
            .collect(),
        S::Drop {
            object_type: ast::ObjectType::Table | ast::ObjectType::MaterializedView,
            names,
            ..
        } => names
            .iter()
            .filter_map(table)
            .map(|t| (t, LockMode::AccessExclusive))
            .collect(),
        S::Drop {
            object_type: ast::ObjectType::Index,
            names,
            ..
        } => names
            .iter()
            .filter_map(|n| match cat.resolve_relation_parts(&object_name(n)) {
                Some((RelKind::Index, o)) => cat
                    .indexes
                    .iter()
                    .find(|i| i.oid == o)
                    .map(|i| (i.table, LockMode::AccessExclusive)),
                _ => None,
            })
            .collect(),
        _ => Vec::new(),
    };
    // A fixed order, so that two DDL statements lock alike.
    out.sort_by_key(|&(t, _)| t);
    out.dedup();
    out
}

/// Runs a DDL statement; returns its command tag. The caller holds the
/// table locks of [`lock_targets`] and, unless it is a TRUNCATE in a
/// block (which changes no catalog), has begun its transaction's catalog
/// change ([`CatalogCache::begin_change`]).
pub fn execute(
    stmt: &ast::Statement,
    text: &StmtText,
    cache: &mut CatalogCache,
    env: DdlEnv<'_>,
    notices: &mut Vec<PgError>,
) -> PgResult<String> {
    use ast::Statement as S;
    let pool = env.pool;
    super::ddl_acl::check(stmt, cache.get(), env.role.oid)?;
    let mut cat: Catalog = (**cache.get()).clone();
    let actor = super::role::Actor {
        role: env.role.oid,
        session_role: env.session.oid,
    };
    let mut ddl = Ddl {
        cat: &mut cat,
        pool,
        horizon: env.horizon,
        text,
        block: env.block,
        eval: env.eval,
        notices,
        changed: false,
        rewritten: false,
        created_files: Vec::new(),
    };
    let result = match stmt {
        S::Vacuum(_) if crate::parser::alter_trigger::is_alter_trigger(&text.sql) => {
            crate::parser::alter_trigger::parse(&text.sql)
                .and_then(|a| super::trigger::rename(ddl.cat, &a))
                .inspect(|_| ddl.changed = true)
        }
        S::Vacuum(_) if crate::parser::comment::is_command(&text.sql) => {
            ddl.changed = true;
            crate::parser::comment::parse(&text.sql)
                .and_then(|st| super::comment::comment_stmt(ddl.cat, &st))
        }
        S::Vacuum(_) if crate::parser::role_setting::is_command(&text.sql) => {
            ddl.changed = true;
            crate::parser::role_setting::parse(&text.sql).and_then(|st| {
                let current = |n: &str| env.settings.borrow().get(n);
                super::role_setting::execute(ddl.cat, &st, &actor, &current).map(String::from)
            })
        }
        S::Vacuum(_) if crate::parser::alter_routine::is_command(&text.sql) => {
            crate::parser::alter_routine::parse(&text.sql)
                .and_then(|st| super::functioncmds::alter(ddl.cat, &st, env.role.oid))
                .inspect(|_| ddl.changed = true)
        }
        S::Vacuum(_) if crate::parser::alter_owner::is_command(&text.sql) => {
            ddl.changed = true;
            crate::parser::alter_owner::parse(&text.sql).and_then(|st| {
                super::owner::alter_object_owner(ddl.cat, &st, env.role, env.session, ddl.notices)
            })
        }
        S::Vacuum(_) if crate::parser::owned::is_command(&text.sql) => {
            crate::parser::owned::parse(&text.sql)
                .and_then(|st| ddl.owned_command(&st, env.role, env.session, env.database))
        }
        S::Vacuum(_) if crate::parser::domain::is_domain_command(&text.sql) => {
            crate::parser::domain::parse(&text.sql)
                .and_then(|d| ddl.domain_command(&d, env.role.oid))
        }
        S::CreateTable(ct) => ddl.create_table(ct),
        S::CreateIndex(ci) => ddl.create_index(ci),
        S::AlterTable(at) if super::owner::is_owner_to(at) => {
            ddl.changed = true;
            super::owner::alter_owner(ddl.cat, at, env.role, env.session, ddl.notices)
        }
        S::CreateRole(cr) => {
            ddl.changed = true;
            super::role::create_role(ddl.cat, cr, &actor, ddl.notices)
                .map(|()| "CREATE ROLE".into())
        }
        S::AlterRole { name, operation } => {
            ddl.changed = true;
            super::role::alter_role(ddl.cat, name, operation, &actor).map(String::from)
        }
        S::Drop {
            object_type: ast::ObjectType::Role | ast::ObjectType::User | ast::ObjectType::Group,
            if_exists,
            names,
            ..
        } => {
            ddl.changed = true;
            let (me, seg) = (cache.database(), cache.segment());
            let cluster = |c: &Catalog| c.cluster_shared_dependencies(me, &seg);
            super::role::drop_roles(ddl.cat, names, *if_exists, &actor, &cluster, ddl.notices)
                .map(|()| "DROP ROLE".into())
        }
        S::GrantRole(g) => {
            ddl.changed = true;
            super::role::grant_role(ddl.cat, g, &actor, ddl.notices).map(|()| "GRANT ROLE".into())
        }
        S::RevokeRole(r) => {
            ddl.changed = true;
            super::role::revoke_role(ddl.cat, r, &actor, ddl.notices).map(|()| "REVOKE ROLE".into())
        }
        S::Grant(g) => {
            ddl.changed = true;
            super::grant::GrantStmt::grant(g).and_then(|st| {
                super::grant::execute(ddl.cat, &st, env.role.oid, env.database, ddl.notices)
                    .map(|()| "GRANT".into())
            })
        }
        S::Revoke(r) => {
            ddl.changed = true;
            super::grant::GrantStmt::revoke(r).and_then(|st| {
                super::grant::execute(ddl.cat, &st, env.role.oid, env.database, ddl.notices)
                    .map(|()| "REVOKE".into())
            })
        }
        S::AlterTable(at) => ddl.alter_table(at),
        S::Truncate(t) => ddl.truncate(t),
        S::CreateView(cv) if cv.materialized => ddl.register_matview(cv),
        S::CreateView(cv) => ddl.create_view(cv),
        S::RefreshMaterializedView(r) => ddl.mark_matview(r),
        S::CreateSequence { .. } if crate::parser::alter_sequence::is_placeholder(stmt) => {
            (|| -> PgResult<String> {
                let a = crate::parser::alter_sequence::parse(&text.sql)?;
                if let crate::parser::alter_sequence::AlterSequenceAction::OwnerTo(to) = &a.action {
                    let Some(seq) = super::sequence::target(ddl.cat, ddl.notices, &a)? else {
                        return Ok("ALTER SEQUENCE".into());
                    };
                    ddl.changed = true;
                    super::owner::alter_sequence_owner(ddl.cat, seq, to, env.role, env.session)?;
                    return Ok("ALTER SEQUENCE".into());
                }
                ddl.changed |= super::sequence::alter(ddl.cat, pool, ddl.notices, &a)?;
                Ok("ALTER SEQUENCE".into())
            })()
        }
        S::CreateSequence { .. } => {
            super::sequence::create(ddl.cat, pool, ddl.notices, stmt).map(|changed| {
                ddl.changed |= changed;
                "CREATE SEQUENCE".into()
            })
        }
        S::AlterIndex { name, operation } => ddl.alter_index(name, operation),
        S::CreateFunction(_) => {
            let setting = env.settings.borrow().get("check_function_bodies");
            let check =
                !matches!(setting, Ok(Some(ref v)) if matches!(v.as_str(), "off" | "false" | "0"));
            super::functioncmds::create(ddl.cat, text, &env.role.name, check).inspect(|_| {
                ddl.changed = true;
            })
        }
        S::CreateTrigger(ct) => super::trigger::create(ddl.cat, ct, text).inspect(|_| {
            ddl.changed = true;
        }),
        S::DropTrigger(d) => super::trigger::drop(ddl.cat, d, ddl.notices).map(|changed| {
            ddl.changed |= changed;
            "DROP TRIGGER".into()
        }),
        S::DropFunction(d) => {
            super::functioncmds::drop(ddl.cat, false, d.if_exists, &d.func_desc, ddl.notices).map(
                |changed| {
                    ddl.changed |= changed;
                    "DROP FUNCTION".into()
                },
            )
        }
        S::DropProcedure {
            if_exists,
            proc_desc,
            ..
        } => super::functioncmds::drop(ddl.cat, true, *if_exists, proc_desc, ddl.notices).map(
            |changed| {
                ddl.changed |= changed;
                "DROP PROCEDURE".into()
            },
        ),
        S::CreateSchema {
            schema_name,
            if_not_exists,
            ..
        } => ddl.create_schema(schema_name, *if_not_exists, &env),
        S::AlterSchema(a) => ddl.alter_schema(a, &env),
        S::AlterView(_) if crate::parser::set_schema::is_placeholder(stmt) => {
            (|| -> PgResult<String> {
                use crate::parser::set_schema::{parse, SetSchemaKind};
                let a = parse(&text.sql)?;
                let kind = match a.kind {
                    SetSchemaKind::Table => RelKind::Table,
                    SetSchemaKind::Sequence => RelKind::Sequence,
                    SetSchemaKind::View => RelKind::View,
                };
                ddl.set_schema(kind, &a.name, a.if_exists, &ident(&a.schema))
            })()
        }
        S::Drop {
            object_type: ast::ObjectType::Schema,
            if_exists,
            names,
            cascade,
            ..
        } => ddl.drop_schema(*if_exists, names, *cascade, env.role.oid),
        S::CreateType {
            name,
            representation: Some(ast::UserDefinedTypeRepresentation::Enum { labels }),
        } => super::typecmds::create_enum(ddl.cat, name, labels).map(|()| {
            ddl.changed = true;
            "CREATE TYPE".into()
        }),
        S::CreateType {
            name,
            representation: Some(ast::UserDefinedTypeRepresentation::Composite { attributes }),
        } => super::typecmds::create_composite(ddl.cat, name, attributes).map(|()| {
            ddl.changed = true;
            "CREATE TYPE".into()
        }),
        S::AlterType(at) => super::typecmds::alter(ddl.cat, at, ddl.notices).map(|changed| {
            ddl.changed |= changed;
            "ALTER TYPE".into()
        }),
        S::Drop {
            object_type: ast::ObjectType::Type,
            if_exists,
            names,
            cascade,
            ..
        } => ddl
            .drop_type(*if_exists, names, *cascade)
            .map(|_| "DROP TYPE".into()),
        S::Comment {
            object_type,
            object_name,
            comment,
            ..
        } => {
            ddl.changed = true;
            super::comment::comment(
                ddl.cat,
                object_type,
                object_name,
                comment.as_deref(),
                env.role.oid,
                ddl.notices,
            )
        }
        S::Drop {
            object_type,
            if_exists,
            names,
            cascade,
            ..
        } => ddl.drop(*object_type, *if_exists, names, *cascade),
        _ => return Err(PgError::internal("not a DDL statement")),
    };
    let changed = ddl.changed;
    let created_files = std::mem::take(&mut ddl.created_files);
    let tag = match result {
        Ok(tag) => tag,
        Err(e) => {
            // Files this statement created for relations it had already
            // entered in its (now discarded) catalog, and those a rewrite
            // made.
            let before = cache.get().relation_files();
            for rel in cat.relation_files().difference(&before) {
                let _ = pool.drop_relation(*rel);
            }
            for rel in created_files.iter().filter(|r| !before.contains(r)) {
                let _ = pool.drop_relation(*rel);
            }
            return Err(e);
        }
    };
    // A file a rewrite made and a later rewrite of the same statement
    // replaced: no catalog names it.
    let now = cat.relation_files();
    for rel in created_files.iter().filter(|r| !now.contains(r)) {
        let _ = pool.drop_relation(*rel);
    }
    if changed {
        super::comment::prune(&mut cat);
        cat.prune_db_role_settings();
        cat.prune_shared_comments();
        super::ddl_acl::settle_owners(&mut cat, cache.get(), env.role.oid);
        cat.settle_row_oids();
        cache.commit(cat)?;
    }
    // The files of dropped relations go when the transaction commits
    // (catalog/xact.rs).
    Ok(tag)
}

/// What a DDL statement runs with besides the catalog.
pub struct DdlEnv<'a> {
    pub pool: &'a BufferPool,
    /// The oldest xid anyone may still consider running.
    pub horizon: u32,
    /// Inside a transaction block: the statement's transaction, for what
    /// must be undone by a ROLLBACK (TRUNCATE).
    pub block: Option<&'a StmtXact>,
    /// ALTER TABLE: the statement's evaluation context (its transaction,
    /// snapshot and session), to evaluate defaults and constraints over
    /// existing rows and to rewrite them.
    pub eval: Option<&'a EvalCtx<'a>>,
    /// The current role and the session user, who run the statement.
    pub role: &'a crate::catalog::roles::RoleDesc,
    pub session: &'a crate::catalog::roles::RoleDesc,
    /// The session's database (GRANT ... ON DATABASE).
    pub database: &'a str,
    /// The session's settings (ALTER ROLE ... SET name FROM CURRENT).
    pub settings: &'a std::cell::RefCell<crate::utils::settings::Settings>,
}

struct Ddl<'a> {
    cat: &'a mut Catalog,
    pool: &'a BufferPool,
    horizon: u32,
    text: &'a StmtText,
    /// Inside a transaction block: the statement's transaction, for what
    /// must be undone by a ROLLBACK (TRUNCATE).
    block: Option<&'a StmtXact>,
    eval: Option<&'a EvalCtx<'a>>,
    notices: &'a mut Vec<PgError>,
    changed: bool,
    /// ALTER TABLE wrote new versions of the table's rows (a volatile
    /// DEFAULT) in this statement.
    rewritten: bool,
    /// Relation files ALTER COLUMN TYPE's rewrites created in this
    /// statement (removed if the statement fails, or if a later rewrite
    /// of the statement replaced them).
    created_files: Vec<u32>,
}

/// Deletes every row of `t` visible to `x`.
fn delete_all_rows(pool: &BufferPool, t: &Arc<TableDesc>, x: &StmtXact) -> PgResult<()> {
    let mut access = TableAccess::new(*pool, t.clone(), Vec::new(), x);
    let mut scan = TupleScan::heap(pool, t.rel(), x);
    while let Some((tid, _)) = scan.next()? {
        crate::interrupts::check_for_interrupts()?;
        access.delete(tid)?;
    }
    Ok(())
}

/// The column positions named by an index or constraint column list.
fn index_columns(t: &TableDesc, cols: &[ast::IndexColumn]) -> PgResult<Vec<usize>> {
    check_index_keys(cols.len())?;
    let mut out = Vec::new();
    for c in cols {
        let name = match &c.column.expr {
            ast::Expr::Identifier(i) => ident(i),
            _ => return Err(not_supported("indexes on expressions")),
        };
        let i = t.column_index(&name).ok_or_else(|| {
            PgError::new(
                sqlstate::UNDEFINED_COLUMN,
                format!("column \"{name}\" does not exist"),
            )
        })?;
        out.push(i);
    }
    check_indexable(t, &out)?;
    Ok(out)
}

/// pg_index.indoption of an index's columns: INDOPTION_DESC (1) and
/// INDOPTION_NULLS_FIRST (2), NULLS FIRST being DESC's default; empty
/// when every column is ASC NULLS LAST.
fn index_options(cols: &[ast::IndexColumn]) -> Vec<u8> {
    let opts: Vec<u8> = cols
        .iter()
        .map(|c| {
            let desc = matches!(c.column.options.sort, Some(ast::OrderBySort::Desc));
            let nulls_first = c.column.options.nulls_first.unwrap_or(desc);
            u8::from(desc) | (u8::from(nulls_first) << 1)
        })
        .collect();
    if opts.iter().all(|&o| o == 0) {
        Vec::new()
    } else {
        opts
    }
}

/// PostgreSQL's INDEX_MAX_KEYS, shown as the setting max_index_keys.
pub const INDEX_MAX_KEYS: usize = 32;

/// 54011 too_many_columns.
const TOO_MANY_COLUMNS: &str = "54011";

/// An index (or a key constraint's) has at most INDEX_MAX_KEYS columns.
fn check_index_keys(n: usize) -> PgResult<()> {
    if n > INDEX_MAX_KEYS {
        return Err(PgError::new(
            TOO_MANY_COLUMNS,
            format!("cannot use more than {INDEX_MAX_KEYS} columns in an index"),
        ));
    }
    Ok(())
}

/// A B-tree indexes only columns whose type has a default operator class
/// (pg_opclass): not json, xid, ... (as PostgreSQL).
fn check_indexable(t: &TableDesc, cols: &[usize]) -> PgResult<()> {
    for &i in cols {
        let ty = t.columns[i].ty;
        if crate::catalog::opclass::default_btree_opclass(ty) == 0 {
            return Err(PgError::new(
                sqlstate::UNDEFINED_OBJECT,
                format!(
                    "data type {} has no default operator class for access method \"btree\"",
                    crate::types::type_name(ty)
                ),
            )
            .with_hint("You must specify an operator class for the index or define a default operator class for the data type."));
        }
    }
    Ok(())
}

impl Ddl<'_> {
    fn table_name(&self, name: &ast::ObjectName) -> PgResult<String> {
        let parts = object_name(name);
        match split_name(&parts)? {
            (None | Some("public"), n) => Ok(n.to_owned()),
            (Some(s), _) => Err(PgError::new(
                "3F000",
                format!("schema \"{s}\" does not exist"),
            )),
        }
    }

    /// A relation named in a DDL statement: its schema when qualified
    /// (3F000 when that does not exist) and its name.
    fn qualified(&self, name: &ast::ObjectName) -> PgResult<(Option<Oid>, String)> {
        let parts = object_name(name);
        let (schema, rel) = split_name(&parts)?;
        let nsp = match schema {
            Some(s) => Some(self.cat.explicit_namespace(s)?),
            None => None,
        };
        Ok((nsp, rel.to_owned()))
    }

    /// What a name in a DDL statement finds (in its schema, or through
    /// the search path), and the name.
    fn find(&self, name: &ast::ObjectName) -> PgResult<(Option<(RelKind, Oid)>, String)> {
        let (nsp, rel) = self.qualified(name)?;
        let found = match nsp {
            Some(n) => self.cat.relation_in(n, &rel),
            None => self.cat.relkind(&rel),
        };
        Ok((found, rel))
    }

    /// The schema a relation created under `name` goes in.
    fn creation_namespace(&self, name: &ast::ObjectName) -> PgResult<(Oid, String)> {
        let parts = object_name(name);
        let (schema, rel) = split_name(&parts)?;
        let nsp = self
            .cat
            .relation_creation_namespace(schema, rel)
            .map_err(|e| {
                use sqlparser::ast::Spanned;
                match self.text.position(name.span().start) {
                    Some(p) if e.code == sqlstate::INVALID_SCHEMA_NAME => e.with_position(p),
                    _ => e,
                }
            })?;
        Ok((nsp, rel.to_owned()))
    }

    fn existing_table(&self, name: &ast::ObjectName) -> PgResult<Arc<TableDesc>> {
        let (found, n) = self.find(name)?;
        let found = match found {
            Some((RelKind::Table, o)) => self.cat.table_by_oid(o),
            _ => None,
        };
        found.cloned().ok_or_else(|| {
            use sqlparser::ast::Spanned;
            let e = no_relation(&n);
            match self.text.position(name.span().start) {
                Some(p) => e.with_position(p),
                None => e,
            }
        })
    }

    /// Validates a DEFAULT expression against the column type; returns
    /// the text to store: PostgreSQL's deparsed form (`deparse`) when it
    /// reads back to the same form, else the text as written;
    /// None for a NULL constant, which PostgreSQL does not store.
    fn check_default(&self, e: &ast::Expr, ty: Oid, typmod: i32) -> PgResult<Option<String>> {
        let cat = Arc::new(self.cat.clone());
        let analyze = |e: &ast::Expr, text: &StmtText| -> PgResult<crate::nodes::expr::Expr> {
            let mut a = Analyzer::new(text, &[]).with_catalog(cat.clone());
            let x = a.expr(e, &Default::default(), crate::analyze::expr::Clause::Values)?;
            crate::analyze::modify::assignment_cast(&mut a, x, ty, typmod, "DEFAULT")
        };
        let x = analyze(e, self.text)?;
        if matches!(
            x,
            crate::nodes::expr::Expr::Const(crate::types::Value::Null, _)
        ) {
            return Ok(None);
        }
        // The cast an assignment adds (nextval()'s bigint to integer) is
        // not shown, as PostgreSQL hides an implicit coercion.
        let hidden_cast = |x: &crate::nodes::expr::Expr| -> crate::nodes::expr::Expr {
            match x {
                crate::nodes::expr::Expr::Cast(inner, t, -1)
                    if *t == ty
                        && inner.ty() != ty
                        && !crate::utils::adt::ops::can_coerce_implicitly(inner.ty(), ty) =>
                {
                    (**inner).clone()
                }
                other => other.clone(),
            }
        };
        let shown = super::deparse::deparse(&hidden_cast(&x), self.cat);
        let same = crate::parser::parse_expr(&shown).ok().and_then(|pe| {
            let t = StmtText {
                sql: shown.clone(),
                full: shown.as_str().into(),
            };
            // The deparsed text names public's relations unqualified
            // (`sequence::regclass_literal_in`): it reads back with public
            // on the path, whatever the session's (pg_dump restores
            // under an empty one).
            crate::catalog::namespace::with_search_path("public", || analyze(&pe, &t).ok())
        });
        // Stored deparsed only if it reads back as an expression of the
        // same type that deparses the same (a fixed point).
        let stable = same.is_some_and(|y| {
            y.ty() == x.ty() && super::deparse::deparse(&hidden_cast(&y), self.cat) == shown
        });
        Ok(Some(if stable { shown } else { e.to_string() }))
    }

    /// Creates index `idx` (its relation and, over existing rows, its
    /// entries).
    fn add_index(&mut self, t: &TableDesc, idx: IndexDesc, build: bool) -> PgResult<()> {
        self.cat.check_free_name(idx.namespace, &idx.name)?;
        if build {
            if let Err(e) = table::build_index(self.pool, t, &idx, self.horizon) {
                let _ = self.pool.drop_relation(idx.oid);
                return Err(e);
            }
        } else {
            btree::create(self.pool, idx.oid).map_err(PgError::from)?;
        }
        self.cat.indexes.push(Arc::new(idx));
        self.changed = true;
        Ok(())
    }

    fn create_table(&mut self, ct: &ast::CreateTable) -> PgResult<String> {
        let tag = "CREATE TABLE".to_owned();
        if ct.query.is_some() || ct.like.is_some() || ct.clone.is_some() {
            return Err(not_supported("CREATE TABLE AS, LIKE and CLONE"));
        }
        let (nsp, name) = self.creation_namespace(&ct.name)?;
        if self.cat.relation_in(nsp, &name).is_some() {
            if ct.if_not_exists {
                self.notices.push(notice(format!(
                    "relation \"{name}\" already exists, skipping"
                )));
                return Ok(tag);
            }
            self.cat.check_free_name(nsp, &name)?;
        }
        super::typecmds::check_rowtype_name(self.cat, nsp, &name)?;
        let expanded;
        let (ct, after_like) = match self.expand_like(ct)? {
            Some((e, after)) => {
                expanded = e;
                (&expanded, Some(after))
            }
            None => (ct, None),
        };
        let mut fillfactor = 100u8;
        if let ast::CreateTableOptions::With(opts) = &ct.table_options {
            for o in opts {
                match o {
                    ast::SqlOption::KeyValue { key, value } => {
                        let k = object_name(key).join(".");
                        if k != "fillfactor" {
                            return Err(PgError::new(
                                sqlstate::INVALID_PARAMETER_VALUE,
                                format!("unrecognized parameter \"{k}\""),
                            ));
                        }
                        let v: i64 =
                            value.to_string().trim_matches('\'').parse().map_err(|_| {
                                PgError::new(
                                    sqlstate::INVALID_PARAMETER_VALUE,
                                    format!(
                                        "invalid value for integer option \"fillfactor\": {value}"
                                    ),
                                )
                            })?;
                        if !(10..=100).contains(&v) {
                            return Err(PgError::new(
                                sqlstate::INVALID_PARAMETER_VALUE,
                                format!("value {v} out of bounds for option \"fillfactor\""),
                            )
                            .with_detail("Valid values are between \"10\" and \"100\"."));
                        }
                        fillfactor = v as u8;
                    }
                    _ => return Err(not_supported("this table option")),
                }
            }
        }
        let table_oid = self.cat.alloc_oid();
        let mut columns: Vec<ColumnDesc> = Vec::new();
        let mut serials: Vec<usize> = Vec::new();
        // Identity columns: position, b'a'/b'd', sequence options.
        let mut identities: Vec<(usize, u8, Vec<ast::SequenceOptions>)> = Vec::new();
        // PRIMARY KEY and UNIQUE: (the name given, the columns).
        // Name, columns, (DEFERRABLE, INITIALLY DEFERRED).
        type Key = (Option<String>, Vec<usize>, (bool, bool));
        let mut pkey: Option<Key> = None;
        let mut uniques: Vec<Key> = Vec::new();
        let mut pending = Vec::new();
        for (i, cd) in ct.columns.iter().enumerate() {
            let cname = ident(&cd.name);
            crate::catalog::system_columns::check_column_name(&cname)?;
            if columns.iter().any(|c| c.name == cname) {
                return Err(PgError::new(
                    "42701",
                    format!("column \"{cname}\" specified more than once"),
                ));
            }
            let serial = match &cd.data_type {
                ast::DataType::Custom(n, m) if m.is_empty() => {
                    match object_name(n).last().map(String::as_str) {
                        Some("serial" | "serial4") => Some(oid::INT4),
                        Some("bigserial" | "serial8") => Some(oid::INT8),
                        Some("smallserial" | "serial2") => Some(oid::INT2),
                        _ => None,
                    }
                }
                _ => None,
            };
            let (ty, typmod) = match serial {
                Some(t) => {
                    serials.push(i);
                    (t, -1)
                }
                None => resolve_type(&cd.data_type)?,
            };
            if let Some(d) = crate::analyze::names::domain_of(&cd.data_type) {
                self.cat
                    .column_domains
                    .insert((table_oid, i as i16 + 1), d.oid);
            }
            let mut col = ColumnDesc {
                name: cname.clone(),
                ty,
                typmod,
                not_null: serial.is_some(),
                default: None,
                missing: None,
                dropped: false,
            };
            for o in &cd.options {
                match &o.option {
                    ast::ColumnOption::NotNull => col.not_null = true,
                    ast::ColumnOption::Null => {}
                    ast::ColumnOption::Generated {
                        generated_as: g @ (ast::GeneratedAs::Always | ast::GeneratedAs::ByDefault),
                        sequence_options,
                        generation_expr: None,
                        ..
                    } => {
                        if identities.iter().any(|x| x.0 == i) {
                            return Err(PgError::new(
                                sqlstate::SYNTAX_ERROR,
                                format!("multiple identity specifications for column \"{cname}\" of table \"{name}\""),
                            ));
                        }
                        if serial.is_some() || col.default.is_some() {
                            return Err(both_default_and_identity(&cname, &name));
                        }
                        if !matches!(ty, oid::INT2 | oid::INT4 | oid::INT8) {
                            return Err(PgError::new(
                                sqlstate::INVALID_PARAMETER_VALUE,
                                "identity column type must be smallint, integer, or bigint",
                            ));
                        }
                        let kind = if matches!(g, ast::GeneratedAs::Always) {
                            b'a'
                        } else {
                            b'd'
                        };
                        identities.push((i, kind, sequence_options.clone().unwrap_or_default()));
                        col.not_null = true;
                    }
                    ast::ColumnOption::Default(_) if identities.iter().any(|x| x.0 == i) => {
                        return Err(both_default_and_identity(&cname, &name));
                    }
                    ast::ColumnOption::Default(e) => {
                        if serial.is_some() {
                            return Err(PgError::new(
                                sqlstate::SYNTAX_ERROR,
                                format!("multiple default values specified for column \"{cname}\" of table \"{name}\""),
                            ));
                        }
                        col.default = self.check_default(e, ty, typmod)?;
                    }
                    ast::ColumnOption::PrimaryKey(pk) => {
                        if pkey.is_some() {
                            return Err(multiple_pkeys(&name));
                        }
                        pkey = Some((
                            o.name.as_ref().or(pk.name.as_ref()).map(ident),
                            vec![i],
                            constraints::timing(&pk.characteristics)?,
                        ));
                    }
                    ast::ColumnOption::Unique(u) => uniques.push((
                        o.name.as_ref().or(u.name.as_ref()).map(ident),
                        vec![i],
                        constraints::timing(&u.characteristics)?,
                    )),
                    _ if constraints::column_option(o, i, &mut pending) => {}
                    _ => return Err(not_supported("this column constraint")),
                }
            }
            columns.push(col);
        }
        let mut table = TableDesc {
            namespace: nsp,
            oid: table_oid,
            name: name.clone(),
            columns,
            fillfactor,
            relfilenode: 0,
        };
        for c in &ct.constraints {
            match c {
                ast::TableConstraint::PrimaryKey(pk) => {
                    if pkey.is_some() {
                        return Err(multiple_pkeys(&name));
                    }
                    pkey = Some((
                        pk.name.as_ref().map(ident),
                        index_columns(&table, &pk.columns)?,
                        constraints::timing(&pk.characteristics)?,
                    ));
                }
                ast::TableConstraint::Unique(u) => uniques.push((
                    u.name.as_ref().map(ident),
                    index_columns(&table, &u.columns)?,
                    constraints::timing(&u.characteristics)?,
                )),
                _ if constraints::table_constraint(c, &mut pending) => {}
                _ => return Err(not_supported("this table constraint")),
            }
        }
        if let Some((_, pk, _)) = &pkey {
            for &c in pk {
                table.columns[c].not_null = true;
            }
        }
        // Sequences for serial columns.
        let mut seqs = Vec::new();
        for col in serials {
            let cname = table.columns[col].name.clone();
            let sname = self.cat.choose_name(nsp, &format!("{name}_{cname}"), "seq");
            let soid = self.cat.alloc_oid();
            table.columns[col].default = Some(format!(
                "nextval({})",
                super::sequence::regclass_literal_in(self.cat, nsp, &sname)
            ));
            let mut s = SequenceDesc::with_defaults(soid, nsp, sname, table.columns[col].ty);
            s.table = table_oid;
            s.column = col;
            seqs.push(s);
        }
        // Sequences for identity columns, owned by their column.
        for (col, kind, opts) in identities {
            let cname = table.columns[col].name.clone();
            let sname = self.cat.choose_name(nsp, &format!("{name}_{cname}"), "seq");
            let mut s = SequenceDesc::with_defaults(0, nsp, sname, table.columns[col].ty);
            super::sequence::apply(self.cat, &mut s, &opts, &[], true, None)?;
            s.oid = self.cat.alloc_oid();
            s.table = table_oid;
            s.column = col;
            s.identity = kind;
            seqs.push(s);
        }
        self.pool
            .create_relation(table_oid)
            .map_err(PgError::from)?;
        let table = Arc::new(table);
        self.cat.tables.push(table.clone());
        self.changed = true;
        for s in seqs {
            self.cat.check_free_name(s.namespace, &s.name)?;
            sequence::create(self.pool, s.oid, super::sequence::limits(&s))?;
            self.cat.sequences.push(Arc::new(s));
        }
        // As PostgreSQL, a UNIQUE on the same columns as the primary key or
        // an earlier UNIQUE makes no second index; its name goes to the
        // earlier one if that has none.
        let mut kept: Vec<Key> = Vec::new();
        for (cname, cols, timing) in pkey.iter_mut().chain(uniques.iter_mut()) {
            check_indexable(&table, cols)?;
            match kept.iter_mut().find(|(_, c, _)| *c == *cols) {
                Some(prior) => {
                    if prior.0.is_none() {
                        prior.0 = cname.take();
                    }
                }
                None => kept.push((cname.take(), std::mem::take(cols), *timing)),
            }
        }
        let mut kept = kept.into_iter();
        let pkey = pkey.map(|_| kept.next().expect("the primary key is kept"));
        let uniques = kept;
        // A constraint named in the statement gives its name to its index,
        // as in PostgreSQL; the others get ChooseRelationName's.
        if let Some((cname, cols, timing)) = pkey {
            let idx = IndexDesc {
                namespace: nsp,
                oid: self.cat.alloc_oid(),
                name: cname.unwrap_or_else(|| self.cat.choose_name(nsp, &name, "pkey")),
                table: table_oid,
                columns: cols,
                unique: true,
                primary: true,
                constraint: true,
                relfilenode: 0,
                deferrable: timing.0,
                deferred: timing.1,
                options: vec![],
            };
            self.add_index(&table, idx, false)?;
        }
        for (cname, cols, timing) in uniques {
            let base = format!(
                "{name}_{}",
                cols.iter()
                    .map(|&c| table.columns[c].name.as_str())
                    .collect::<Vec<_>>()
                    .join("_")
            );
            let idx = IndexDesc {
                namespace: nsp,
                oid: self.cat.alloc_oid(),
                name: cname.unwrap_or_else(|| self.cat.choose_name(nsp, &base, "key")),
                table: table_oid,
                columns: cols,
                unique: true,
                primary: false,
                constraint: true,
                relfilenode: 0,
                deferrable: timing.0,
                deferred: timing.1,
                options: vec![],
            };
            self.add_index(&table, idx, false)?;
        }
        self.add_constraints(&table, pending)?;
        if let Some(after) = after_like {
            self.finish_like(&table, after)?;
        }
        Ok(tag)
    }

    /// Defines CHECK and FOREIGN KEY constraints of a table (in the
    /// catalog already) and adds them to the catalog.
    fn add_constraints(
        &mut self,
        table: &TableDesc,
        pending: Vec<(Option<String>, constraints::Pending)>,
    ) -> PgResult<()> {
        let mut taken = Vec::new();
        let mut defined = Vec::new();
        for (name, p) in &pending {
            let mut c = constraints::define(self.cat, self.text, table, name.clone(), p, &taken)?;
            taken.push(c.name.clone());
            c.oid = self.cat.alloc_oid();
            defined.push(Arc::new(c));
        }
        if !defined.is_empty() {
            self.cat.constraints.extend(defined);
            self.changed = true;
        }
        Ok(())
    }

    fn create_index(&mut self, ci: &ast::CreateIndex) -> PgResult<String> {
        let tag = "CREATE INDEX".to_owned();
        if ci.predicate.is_some() || !ci.include.is_empty() {
            return Err(not_supported("partial indexes and INCLUDE"));
        }
        if let Some(u) = &ci.using {
            if !u.to_string().eq_ignore_ascii_case("btree") {
                return Err(not_supported("index methods other than btree"));
            }
        }
        let t = self.existing_table(&ci.table_name)?;
        let cols = index_columns(&t, &ci.columns)?;
        let name = match &ci.name {
            Some(n) => self.table_name(n)?,
            None => {
                let base = format!(
                    "{}_{}",
                    t.name,
                    cols.iter()
                        .map(|&c| t.columns[c].name.as_str())
                        .collect::<Vec<_>>()
                        .join("_")
                );
                self.cat.choose_name(t.namespace, &base, "idx")
            }
        };
        if self.cat.relation_in(t.namespace, &name).is_some() && ci.if_not_exists {
            self.notices.push(notice(format!(
                "relation \"{name}\" already exists, skipping"
            )));
            return Ok(tag);
        }
        self.cat.check_free_name(t.namespace, &name)?;
        let idx = IndexDesc {
            namespace: t.namespace,
            oid: self.cat.alloc_oid(),
            name,
            table: t.oid,
            columns: cols,
            unique: ci.unique,
            primary: false,
            constraint: false,
            relfilenode: 0,
            deferrable: false,
            deferred: false,
            options: index_options(&ci.columns),
        };
        self.add_index(&t, idx, true)?;
        Ok(tag)
    }

    fn alter_table(&mut self, at: &ast::AlterTable) -> PgResult<String> {
        let (found, name) = self.find(&at.name)?;
        if let Some((RelKind::View, o)) = found {
            return self.alter_view_columns(o, at);
        }
        let found = match found {
            Some((RelKind::Table, o)) => self.cat.table_by_oid(o).cloned(),
            _ => None,
        };
        let Some(mut t) = found else {
            if at.if_exists {
                self.notices.push(notice(format!(
                    "relation \"{name}\" does not exist, skipping"
                )));
                return Ok("ALTER TABLE".into());
            }
            return Err(no_relation(&name));
        };
        if crate::parser::constraint_cmds::is_alter_placeholder_table(at) {
            // ALTER CONSTRAINT or an identity action: the text says which.
            match crate::parser::alter_identity::parse(&self.text.sql) {
                Ok(a) => self.alter_identity(&t, &a)?,
                Err(_) => self.alter_constraint(&t)?,
            }
            return Ok("ALTER TABLE".into());
        }
        alter_type::check_requests(&t, &at.operations)?;
        let mut ops = at.operations.iter().peekable();
        while let Some(op) = ops.next() {
            // A run of ALTER COLUMN TYPE: one rewrite.
            if let Some(first) = alter_type::request(op) {
                let mut reqs = vec![first];
                while let Some(next) = ops.peek().and_then(|o| alter_type::request(o)) {
                    reqs.push(next);
                    ops.next();
                }
                t = self.alter_column_types(&t, &reqs)?;
                continue;
            }
            match op {
                ast::AlterTableOperation::AddConstraint {
                    constraint,
                    not_valid,
                } => {
                    t = self.add_table_constraint(&t, constraint, *not_valid)?;
                }
                ast::AlterTableOperation::AddColumn {
                    column_def,
                    if_not_exists,
                    ..
                } => {
                    t = self.add_column(&t, column_def, *if_not_exists)?;
                }
                ast::AlterTableOperation::DropColumn {
                    column_names,
                    if_exists,
                    drop_behavior,
                    ..
                } => {
                    let cascade = matches!(drop_behavior, Some(ast::DropBehavior::Cascade));
                    for c in column_names {
                        t = self.drop_column(&t, c, *if_exists, cascade)?;
                    }
                }
                ast::AlterTableOperation::ValidateConstraint { name } => {
                    self.validate_constraint(&t, name)?;
                }
                ast::AlterTableOperation::DropConstraint {
                    if_exists,
                    name,
                    drop_behavior,
                } => {
                    let cascade = matches!(drop_behavior, Some(ast::DropBehavior::Cascade));
                    self.drop_constraint(&t, *if_exists, name, cascade)?;
                }
                ast::AlterTableOperation::RenameConstraint { old_name, new_name } => {
                    self.rename_constraint(&t, old_name, new_name)?;
                }
                ast::AlterTableOperation::AlterColumn { column_name, op } => {
                    t = self.alter_column(&t, column_name, op)?;
                }
                ast::AlterTableOperation::RenameColumn {
                    old_column_name,
                    new_column_name,
                } => {
                    t = self.rename_column(&t, old_column_name, new_column_name)?;
                }
                ast::AlterTableOperation::RenameTable { table_name } => {
                    let (ast::RenameTableNameKind::To(n) | ast::RenameTableNameKind::As(n)) =
                        table_name;
                    let new = self.table_name(n)?;
                    t = self.rename_table(&t, new)?;
                }
                ast::AlterTableOperation::EnableTrigger { name } => {
                    self.changed |= super::trigger::set_enabled(self.cat, &t, name, 'O')?;
                }
                ast::AlterTableOperation::EnableAlwaysTrigger { name } => {
                    self.changed |= super::trigger::set_enabled(self.cat, &t, name, 'A')?;
                }
                ast::AlterTableOperation::EnableReplicaTrigger { name } => {
                    self.changed |= super::trigger::set_enabled(self.cat, &t, name, 'R')?;
                }
                ast::AlterTableOperation::DisableTrigger { name } => {
                    self.changed |= super::trigger::set_enabled(self.cat, &t, name, 'D')?;
                }
                _ => return Err(not_supported("this ALTER TABLE action")),
            }
        }
        Ok("ALTER TABLE".into())
    }

    fn replace_table(&mut self, t: TableDesc) -> Arc<TableDesc> {
        let t = Arc::new(t);
        for slot in &mut self.cat.tables {
            if slot.oid == t.oid {
                *slot = t.clone();
            }
        }
        self.changed = true;
        t
    }

    fn truncate(&mut self, tr: &ast::Truncate) -> PgResult<String> {
        let mut tables: Vec<Arc<TableDesc>> = Vec::new();
        for target in &tr.table_names {
            let t = self.existing_table(&target.name)?;
            if self.cat.is_matview(t.oid) {
                return Err(PgError::new(
                    sqlstate::WRONG_OBJECT_TYPE,
                    format!("\"{}\" is not a table", t.name),
                ));
            }
            tables.push(t);
        }
        if tr.cascade == Some(ast::CascadeOption::Cascade) {
            let mut notes = Vec::new();
            constraints::truncate_cascade(self.cat, &mut tables, &mut notes);
            self.notices.extend(notes.into_iter().map(notice));
        }
        constraints::check_truncate(self.cat, &tables)?;
        let restart = matches!(tr.identity, Some(ast::TruncateIdentityOption::Restart));
        // TRUNCATE's statement triggers: every table's BEFORE triggers
        // first, the AFTER ones once all are emptied (ExecuteTruncateGuts).
        let trigs: Vec<Triggers> = match self.eval {
            Some(ctx) => tables
                .iter()
                .filter_map(|t| Triggers::for_table(ctx, t))
                .collect(),
            None => Vec::new(),
        };
        if let Some(ctx) = self.eval {
            for t in &trigs {
                t.before_statement(crate::catalog::trigger::TRUNCATE, ctx)?;
            }
        }
        // With triggers, the rows are deleted in the statement's
        // transaction, so that a failing AFTER trigger brings them back.
        let xact = self
            .block
            .or_else(|| self.eval.filter(|_| !trigs.is_empty()).map(|c| c.xact));
        for t in tables {
            if let Some(x) = xact {
                // A ROLLBACK must bring the rows back: they are deleted as
                // DELETE would (the table is locked AccessExclusive, so no
                // one else sees the difference); VACUUM reclaims them.
                delete_all_rows(self.pool, &t, x)?;
            } else {
                self.pool
                    .truncate_relation(t.rel())
                    .map_err(PgError::from)?;
                self.pool.set_free_space_hint(t.rel(), None);
                let idxs: Vec<Arc<IndexDesc>> = self.cat.indexes_of(t.oid).cloned().collect();
                for i in idxs {
                    self.pool
                        .truncate_relation(i.rel())
                        .map_err(PgError::from)?;
                    btree::create(self.pool, i.rel()).map_err(PgError::from)?;
                }
            }
            if restart {
                let seqs: Vec<Arc<SequenceDesc>> = self
                    .cat
                    .sequences
                    .iter()
                    .filter(|s| s.table == t.oid)
                    .cloned()
                    .collect();
                for s in seqs {
                    sequence::reset(self.pool, s.oid, &s.name)?;
                }
            }
        }
        if let Some(ctx) = self.eval {
            for t in &trigs {
                t.after_statement(&[crate::catalog::trigger::TRUNCATE], ctx)?;
            }
        }
        Ok("TRUNCATE TABLE".into())
    }

    /// ALTER VIEW (or ALTER TABLE) ... ALTER COLUMN ... SET DEFAULT / DROP
    /// DEFAULT of view `o`: defaults an INSERT or UPDATE through the view
    /// uses (`analyze::view_update`).
    fn alter_view_columns(&mut self, o: Oid, at: &ast::AlterTable) -> PgResult<String> {
        let Some(mut v) = self
            .cat
            .views
            .iter()
            .find(|v| v.oid == o)
            .map(|v| (**v).clone())
        else {
            return Err(PgError::internal("view disappeared"));
        };
        for op in &at.operations {
            let ast::AlterTableOperation::AlterColumn { column_name, op } = op else {
                return Err(not_supported("this ALTER TABLE action on a view"));
            };
            let col = ident(column_name);
            let Some(i) = v.columns.iter().position(|c| c.0 == col) else {
                return Err(PgError::new(
                    sqlstate::UNDEFINED_COLUMN,
                    format!("column \"{col}\" of relation \"{}\" does not exist", v.name),
                ));
            };
            v.defaults.retain(|(c, _)| *c != i);
            match op {
                ast::AlterColumnOperation::SetDefault { value } => {
                    let (ty, typmod) = (v.columns[i].1, v.columns[i].2);
                    if let Some(text) = self.check_default(value, ty, typmod)? {
                        v.defaults.push((i, text));
                    }
                }
                ast::AlterColumnOperation::DropDefault => {}
                _ => return Err(not_supported("this ALTER COLUMN action on a view")),
            }
        }
        v.defaults.sort_by_key(|d| d.0);
        for slot in self.cat.views.iter_mut().filter(|x| x.oid == o) {
            *slot = Arc::new(v.clone());
        }
        self.changed = true;
        let words: Vec<String> = self
            .text
            .sql
            .split_whitespace()
            .take(2)
            .map(str::to_ascii_uppercase)
            .collect();
        Ok(words.join(" "))
    }

    /// CREATE [OR REPLACE] VIEW: the query is analyzed now (so that a
    /// view over missing tables or columns is refused) and kept as its
    /// deparsed text (`bind_view_query`).
    fn create_view(&mut self, cv: &ast::CreateView) -> PgResult<String> {
        if cv.materialized {
            return Err(not_supported("materialized views"));
        }
        if cv.temporary {
            return Err(not_supported("temporary views"));
        }
        let (nsp, name) = self.creation_namespace(&cv.name)?;
        let mut a = Analyzer::new(self.text, &[]).with_catalog(Arc::new(self.cat.clone()));
        a.allow_modifying_with();
        let q = a.analyze_top(&cv.query)?;
        if !a.modifying_ctes.is_empty() {
            return Err(PgError::new(
                sqlstate::FEATURE_NOT_SUPPORTED,
                "views must not contain data-modifying statements in WITH",
            ));
        }
        if !a.params.is_empty() {
            return Err(PgError::new(
                sqlstate::UNDEFINED_PARAMETER,
                "there is no parameter $1",
            ));
        }
        let mut columns: Vec<(String, Oid, i32)> = q
            .columns
            .iter()
            .map(|c| (c.name.clone(), c.type_oid, c.type_modifier))
            .collect();
        if cv.columns.len() > columns.len() {
            return Err(PgError::new(
                "42601",
                "CREATE VIEW specifies more column names than columns",
            ));
        }
        for (c, d) in columns.iter_mut().zip(&cv.columns) {
            c.0 = ident(&d.name);
        }
        for (i, (n, _, _)) in columns.iter().enumerate() {
            if columns[..i].iter().any(|(m, _, _)| m == n) {
                return Err(PgError::new(
                    "42701",
                    format!("column \"{n}\" specified more than once"),
                ));
            }
        }
        // The relations it reads, by name as written (CTE names and
        // system views are not dependencies).
        let mut deps = Vec::new();
        let _ = ast::visit_relations(&*cv.query, |rel: &ast::ObjectName| {
            if let Some((kind, o)) = self.cat.resolve_relation_parts(&object_name(rel)) {
                if matches!(kind, RelKind::Table | RelKind::View) && !deps.contains(&o) {
                    deps.push(o);
                }
            }
            std::ops::ControlFlow::<()>::Continue(())
        });
        let (sql, def) = self.bind_view_query(&cv.query, &q);
        let check_option = view_check_option(&cv.options)?;
        let auto_update = crate::analyze::view_update::auto_update(self.cat, &cv.query, &q);
        if check_option.is_some() {
            if let Some(why) = crate::analyze::view_update::check_option_refused(&auto_update) {
                return Err(PgError::new(
                    sqlstate::FEATURE_NOT_SUPPORTED,
                    "WITH CHECK OPTION is supported only on automatically updatable views",
                )
                .with_hint(why));
            }
        }
        let path = self.cat.search_path_oids_text();
        match self.cat.relation_in(nsp, &name) {
            Some((RelKind::View, o)) if cv.or_replace => {
                let old = self
                    .cat
                    .views
                    .iter()
                    .find(|v| v.oid == o)
                    .cloned()
                    .expect("relation_in found it");
                // PostgreSQL's rule: a replacement keeps every column, by
                // name and type, and may only add columns at the end.
                if columns.len() < old.columns.len() {
                    return Err(PgError::new("42P16", "cannot drop columns from view"));
                }
                for (new, old) in columns.iter().zip(&old.columns) {
                    if new.0 != old.0 {
                        return Err(PgError::new(
                            "42P16",
                            format!(
                                "cannot change name of view column \"{}\" to \"{}\"",
                                old.0, new.0
                            ),
                        ));
                    }
                    if new.1 != old.1 {
                        return Err(PgError::new(
                            "42P16",
                            format!(
                                "cannot change data type of view column \"{}\" from {} to {}",
                                old.0,
                                crate::types::type_name(old.1),
                                crate::types::type_name(new.1)
                            ),
                        ));
                    }
                }
                if deps.contains(&o) {
                    return Err(PgError::new(
                        "42P17",
                        format!("infinite recursion detected in rules for relation \"{name}\""),
                    ));
                }
                let v = ViewDesc {
                    namespace: nsp,
                    oid: o,
                    name,
                    sql,
                    columns,
                    deps,
                    def,
                    auto_update: Some(auto_update),
                    check_option,
                    // CREATE OR REPLACE keeps the columns' defaults.
                    defaults: old.defaults.clone(),
                };
                self.cat.view_paths.insert(o, path);
                for slot in self.cat.views.iter_mut().filter(|x| x.oid == o) {
                    *slot = Arc::new(v.clone());
                }
            }
            Some(_) => {
                return Err(PgError::new(
                    sqlstate::DUPLICATE_TABLE,
                    format!("relation \"{name}\" already exists"),
                ))
            }
            None => {
                let oid = self.cat.alloc_oid();
                self.cat.view_paths.insert(oid, path);
                self.cat.views.push(Arc::new(ViewDesc {
                    namespace: nsp,
                    oid,
                    name,
                    sql,
                    columns,
                    deps,
                    def,
                    auto_update: Some(auto_update),
                    check_option,
                    defaults: vec![],
                }));
            }
        }
        self.changed = true;
        Ok("CREATE VIEW".into())
    }

    /// What a view keeps of its query: its deparsed form (`analyze::viewdef`)
    /// with every relation schema-qualified, so that its columns are bound
    /// now as PostgreSQL binds them (`SELECT *` does not grow with the
    /// table), and pg_get_viewdef's text. The query as written is kept
    /// when the deparser cannot print it, or when the deparsed text does
    /// not analyze back to the same columns.
    fn bind_view_query(
        &self,
        query: &ast::Query,
        analyzed: &crate::nodes::query::Query,
    ) -> (String, Option<crate::catalog::ViewDef>) {
        let written = query.to_string();
        let cat = Arc::new(self.cat.clone());
        let mut a = Analyzer::new(self.text, &[]).with_catalog(cat.clone());
        let Ok(d) = a.deparse_view(query) else {
            return (written, None);
        };
        let qualified = |o: Oid| crate::analyze::viewdef::qualified_relation_name(&cat, o);
        let bound = ViewDesc::render(&d.plain, &qualified);
        let bound = bound.trim_end_matches(';').to_owned();
        let same = crate::parser::parse(&bound).ok().and_then(|p| {
            let Some(ast::Statement::Query(bq)) = p.into_iter().next().map(|p| p.ast) else {
                return None;
            };
            let mut b = Analyzer::new(self.text, &[]).with_catalog(cat.clone());
            let again = b.analyze_top(&bq).ok()?;
            let types = |q: &crate::nodes::query::Query| -> Vec<(Oid, i32)> {
                q.columns
                    .iter()
                    .map(|c| (c.type_oid, c.type_modifier))
                    .collect()
            };
            Some(types(&again) == types(analyzed))
        });
        if same != Some(true) {
            return (written, None);
        }
        (
            bound,
            Some(crate::catalog::ViewDef {
                plain: d.plain,
                pretty: d.pretty,
            }),
        )
    }

    /// View `v`'s definition deparsed again with column `attnum` of
    /// relation `rel` printed as `new` (None for a view kept as written).
    fn redeparse_view(
        &self,
        v: &ViewDesc,
        rel: Oid,
        attnum: i16,
        new: &str,
    ) -> PgResult<Option<crate::catalog::ViewDef>> {
        if v.def.is_none() {
            return Ok(None);
        }
        let parsed = crate::parser::parse(&crate::analyze::viewdef::view_query(self.cat, v))?;
        let Some(ast::Statement::Query(q)) = parsed.into_iter().next().map(|p| p.ast) else {
            return Ok(None);
        };
        let cat = Arc::new(self.cat.clone());
        let mut a = Analyzer::new(self.text, &[]).with_catalog(cat.clone());
        let mut run = || a.deparse_view_renaming(&q, Some((rel, attnum, new.to_owned())));
        let d = match cat.view_paths.get(&v.oid) {
            Some(path) => {
                let setting = cat.search_path_setting(path);
                crate::catalog::namespace::with_search_path(&setting, run)
            }
            None => run(),
        }?;
        Ok(Some(crate::catalog::ViewDef {
            plain: d.plain,
            pretty: d.pretty,
        }))
    }

    /// The views reading column `c` of table `t` (found by deparsing each
    /// view with the column renamed to a name no query can hold); an
    /// error for a view kept as written, whose columns are not known.
    fn views_reading_column(&self, t: &TableDesc, c: usize) -> PgResult<Vec<Arc<ViewDesc>>> {
        const MARK: &str = "\u{3}dropped\u{3}";
        let mut out = vec![];
        for v in self.cat.views_using(t.oid) {
            match self.redeparse_view(v, t.oid, c as i16 + 1, MARK)? {
                Some(d) if d.plain.contains(MARK) => out.push(v.clone()),
                Some(_) => {}
                None => {
                    return Err(not_supported(
                        "DROP COLUMN of a table that a view made from an undeparsed query uses",
                    ))
                }
            }
        }
        Ok(out)
    }

    /// RENAME COLUMN under views: each view reading the table gets its
    /// definition with the column's new name (as PostgreSQL's, whose
    /// views hold the column by number); its own column keeps its name.
    fn rename_column_in_views(
        &self,
        t: &TableDesc,
        c: usize,
        new: &str,
    ) -> PgResult<Vec<(Oid, crate::catalog::ViewDef)>> {
        let users: Vec<Arc<ViewDesc>> = self.cat.views_using(t.oid).cloned().collect();
        let mut redone = vec![];
        for v in &users {
            match self.redeparse_view(v, t.oid, c as i16 + 1, new)? {
                Some(d) => redone.push((v.oid, d)),
                None => {
                    return Err(not_supported(
                        "RENAME COLUMN of a table that a view made from an undeparsed query uses",
                    ))
                }
            }
        }
        Ok(redone)
    }

    /// After RENAME COLUMN: the redone definitions stored, each view's
    /// bound query rendered from the renamed catalog.
    fn store_view_defs(&mut self, redone: Vec<(Oid, crate::catalog::ViewDef)>) {
        for (o, d) in redone {
            let cat = &*self.cat;
            let qualified = |r: Oid| crate::analyze::viewdef::qualified_relation_name(cat, r);
            let sql = ViewDesc::render(&d.plain, &qualified)
                .trim_end_matches(';')
                .to_owned();
            for slot in self.cat.views.iter_mut().filter(|x| x.oid == o) {
                let v = Arc::make_mut(slot);
                v.sql = sql.clone();
                v.def = Some(d.clone());
            }
        }
    }

    /// Refuses to drop relation `oid` while views read it (2BP01), or with
    /// CASCADE drops those views (and theirs) first, with a NOTICE each.
    fn drop_dependent_views(
        &mut self,
        oid: Oid,
        kind: &str,
        name: &str,
        cascade: bool,
    ) -> PgResult<()> {
        let users: Vec<Arc<ViewDesc>> = self.cat.views_using(oid).cloned().collect();
        let matviews: Vec<(Oid, String)> = self
            .cat
            .matviews_using(oid)
            .filter_map(|m| Some((m.oid, self.cat.table_by_oid(m.oid)?.name.clone())))
            .collect();
        if users.is_empty() && matviews.is_empty() {
            return Ok(());
        }
        if !cascade {
            let detail: Vec<String> = users
                .iter()
                .map(|v| format!("view {} depends on {kind} {name}", v.name))
                .chain(
                    matviews
                        .iter()
                        .map(|(_, m)| format!("materialized view {m} depends on {kind} {name}")),
                )
                .collect();
            return Err(PgError::new(
                "2BP01",
                format!("cannot drop {kind} {name} because other objects depend on it"),
            )
            .with_detail(detail.join("\n"))
            .with_hint("Use DROP ... CASCADE to drop the dependent objects too."));
        }
        for v in users {
            if !self.cat.views.iter().any(|x| x.oid == v.oid) {
                continue;
            }
            self.drop_dependent_views(v.oid, "view", &v.name, true)?;
            self.notices
                .push(notice(format!("drop cascades to view {}", v.name)));
            self.cat.views.retain(|x| x.oid != v.oid);
        }
        for (m, mname) in matviews {
            if !self.cat.is_matview(m) {
                continue;
            }
            self.drop_dependent_views(m, "materialized view", &mname, true)?;
            self.notices.push(notice(format!(
                "drop cascades to materialized view {mname}"
            )));
            self.cat.remove_matview(m);
        }
        Ok(())
    }

    /// The column defaults calling sequence `name`: 2BP01 unless
    /// CASCADE, which drops them (with PostgreSQL's notices).
    fn drop_sequence_dependents(&mut self, seq: Oid, name: &str, cascade: bool) -> PgResult<()> {
        let deps = super::sequence::defaults_using(self.cat, seq);
        if deps.is_empty() {
            return Ok(());
        }
        let lines: Vec<String> = deps
            .iter()
            .filter_map(|&(t, c)| {
                let t = self.cat.table_by_oid(t)?;
                Some(format!(
                    "default value for column {} of table {}",
                    t.columns[c].name, t.name
                ))
            })
            .collect();
        if !cascade {
            return Err(PgError::new(
                "2BP01",
                format!("cannot drop sequence {name} because other objects depend on it"),
            )
            .with_detail(
                lines
                    .iter()
                    .map(|l| format!("{l} depends on sequence {name}"))
                    .collect::<Vec<_>>()
                    .join("\n"),
            )
            .with_hint("Use DROP ... CASCADE to drop the dependent objects too."));
        }
        if lines.len() == 1 {
            self.notices
                .push(notice(format!("drop cascades to {}", lines[0])));
        } else {
            let mut n = notice(format!("drop cascades to {} other objects", lines.len()));
            n = n.with_detail(
                lines
                    .iter()
                    .map(|l| format!("drop cascades to {l}"))
                    .collect::<Vec<_>>()
                    .join("\n"),
            );
            self.notices.push(n);
        }
        for (t, c) in deps {
            if let Some(mut nt) = self.cat.table_by_oid(t).map(|t| (**t).clone()) {
                nt.columns[c].default = None;
                self.replace_table(nt);
            }
        }
        Ok(())
    }

    fn drop(
        &mut self,
        kind: ast::ObjectType,
        if_exists: bool,
        names: &[ast::ObjectName],
        cascade: bool,
    ) -> PgResult<String> {
        let (what, tag) = match kind {
            ast::ObjectType::Table => ("table", "DROP TABLE"),
            ast::ObjectType::Index => ("index", "DROP INDEX"),
            ast::ObjectType::View => ("view", "DROP VIEW"),
            ast::ObjectType::MaterializedView => ("materialized view", "DROP MATERIALIZED VIEW"),
            _ => ("sequence", "DROP SEQUENCE"),
        };
        let matview = ast::ObjectType::MaterializedView;
        // Check every name first: nothing is dropped if one is missing.
        let mut found = Vec::new();
        for n in names {
            let (rel, name) = match self.find(n) {
                Ok(f) => f,
                Err(e) if if_exists && e.code == sqlstate::INVALID_SCHEMA_NAME => {
                    self.notices
                        .push(notice(format!("{}, skipping", e.message)));
                    continue;
                }
                Err(e) => return Err(e),
            };
            matview::check_drop_kind(self.cat, kind, rel, &name)?;
            let oid = match (kind, rel) {
                (k, Some((RelKind::Table, o))) if k == matview => Some(o),
                (ast::ObjectType::Table, Some((RelKind::Table, o)))
                | (ast::ObjectType::Index, Some((RelKind::Index, o)))
                | (ast::ObjectType::View, Some((RelKind::View, o))) => Some(o),
                (
                    ast::ObjectType::Table
                    | ast::ObjectType::Index
                    | ast::ObjectType::View
                    | ast::ObjectType::MaterializedView,
                    _,
                ) => None,
                (_, Some((RelKind::Sequence, o))) => Some(o),
                _ => None,
            };
            match oid {
                Some(o) => found.push((name, o)),
                None if if_exists => self.notices.push(notice(format!(
                    "{what} \"{name}\" does not exist, skipping"
                ))),
                None => {
                    return Err(PgError::new(
                        sqlstate::UNDEFINED_TABLE,
                        format!("{what} \"{name}\" does not exist"),
                    ))
                }
            }
        }
        let all: Vec<Oid> = found.iter().map(|f| f.1).collect();
        for (name, o) in found {
            if matches!(
                kind,
                ast::ObjectType::Table | ast::ObjectType::View | ast::ObjectType::MaterializedView
            ) {
                self.drop_dependent_views(o, what, &name, cascade)?;
            }
            match kind {
                ast::ObjectType::MaterializedView => self.cat.remove_matview(o),
                ast::ObjectType::View => {
                    self.cat.views.retain(|v| v.oid != o);
                }
                ast::ObjectType::Table => {
                    if let Some(t) = self.cat.table_by_oid(o).cloned() {
                        let several = all.len() > 1;
                        constraints::drop_referencing(
                            self.cat,
                            &t,
                            &all,
                            cascade,
                            several,
                            self.notices,
                        )?;
                    }
                    self.cat.constraints.retain(|c| c.table != o);
                    self.cat.triggers.retain(|t| t.table != o);
                    self.cat.tables.retain(|t| t.oid != o);
                    self.cat.indexes.retain(|i| i.table != o);
                    self.cat.sequences.retain(|s| s.table != o);
                }
                ast::ObjectType::Index => {
                    let i = self.cat.indexes.iter().find(|i| i.oid == o).cloned();
                    if let Some(i) = i.filter(|i| i.constraint) {
                        let table = self.cat.table_by_oid(i.table).map_or("", |t| &t.name);
                        {
                            return Err(PgError::new(
                                "2BP01",
                                format!(
                                    "cannot drop index {name} because constraint {name} on table {table} requires it"
                                ),
                            )
                            .with_hint(format!(
                                "You can drop constraint {name} on table {table} instead."
                            )));
                        }
                    }
                    self.cat.indexes.retain(|i| i.oid != o);
                }
                _ => {
                    // An identity column's sequence goes only with it.
                    if let Some(q) = self.cat.sequence_by_oid(o).filter(|q| q.identity != 0) {
                        let t = self.cat.table_by_oid(q.table);
                        let t_name = t.map_or("", |t| t.name.as_str());
                        let c_name = t
                            .and_then(|t| t.columns.get(q.column))
                            .map_or("", |c| c.name.as_str());
                        return Err(PgError::new(
                            "2BP01",
                            format!("cannot drop sequence {name} because column {c_name} of table {t_name} requires it"),
                        )
                        .with_hint(format!("You can drop column {c_name} of table {t_name} instead.")));
                    }
                    self.drop_sequence_dependents(o, &name, cascade)?;
                    self.cat.sequences.retain(|s| s.oid != o);
                }
            }
            self.changed = true;
        }
        Ok(tag.into())
    }
}

/// ALTER TABLE actions on columns and names (kept apart from the
/// constraint actions).
impl Ddl<'_> {
    fn column_of(&self, t: &TableDesc, name: &ast::Ident) -> PgResult<usize> {
        let n = ident(name);
        t.column_index(&n).ok_or_else(|| {
            PgError::new(
                sqlstate::UNDEFINED_COLUMN,
                format!("column \"{n}\" of relation \"{}\" does not exist", t.name),
            )
        })
    }

    /// Views keep their query as text: a rename under one would break it.
    fn refuse_if_views_use(&self, t: &TableDesc, what: &str) -> PgResult<()> {
        if self.cat.views_using(t.oid).next().is_some() {
            return Err(not_supported(&format!(
                "{what} of a table that a view uses"
            )));
        }
        Ok(())
    }

    /// ALTER COLUMN SET/DROP DEFAULT, SET/DROP NOT NULL.
    fn alter_column(
        &mut self,
        t: &Arc<TableDesc>,
        name: &ast::Ident,
        op: &ast::AlterColumnOperation,
    ) -> PgResult<Arc<TableDesc>> {
        use ast::AlterColumnOperation as Op;
        let c = self.column_of(t, name)?;
        let mut nt = (**t).clone();
        match op {
            Op::SetDefault { value } => {
                let (ty, typmod) = (nt.columns[c].ty, nt.columns[c].typmod);
                nt.columns[c].default = self.check_default(value, ty, typmod)?;
            }
            Op::DropDefault => nt.columns[c].default = None,
            Op::SetNotNull => {
                if !nt.columns[c].not_null {
                    table::check_no_nulls(self.pool, t, c, self.horizon)?;
                    nt.columns[c].not_null = true;
                }
            }
            Op::DropNotNull => {
                let in_pkey = self
                    .cat
                    .indexes_of(t.oid)
                    .any(|i| i.primary && i.columns.contains(&c));
                if in_pkey {
                    return Err(PgError::new(
                        "42P16",
                        format!("column \"{}\" is in a primary key", nt.columns[c].name),
                    ));
                }
                nt.columns[c].not_null = false;
            }
            _ => return Err(not_supported("this ALTER COLUMN action")),
        }
        Ok(self.replace_table(nt))
    }

    fn rename_column(
        &mut self,
        t: &Arc<TableDesc>,
        old: &ast::Ident,
        new: &ast::Ident,
    ) -> PgResult<Arc<TableDesc>> {
        let c = self.column_of(t, old)?;
        let new = ident(new);
        if t.column_index(&new).is_some() {
            return Err(PgError::new(
                "42701",
                format!("column \"{new}\" of relation \"{}\" already exists", t.name),
            ));
        }
        let redone = self.rename_column_in_views(t, c, &new)?;
        let mut nt = (**t).clone();
        nt.columns[c].name = new;
        let r = self.replace_table(nt);
        self.store_view_defs(redone);
        Ok(r)
    }

    fn rename_table(&mut self, t: &Arc<TableDesc>, new: String) -> PgResult<Arc<TableDesc>> {
        self.cat.check_free_name(t.namespace, &new)?;
        self.refuse_if_views_use(t, "RENAME TO")?;
        let mut nt = (**t).clone();
        nt.name = new;
        Ok(self.replace_table(nt))
    }

    /// ALTER INDEX [IF EXISTS] name RENAME TO new.
    fn alter_index(
        &mut self,
        name: &ast::ObjectName,
        op: &ast::AlterIndexOperation,
    ) -> PgResult<String> {
        let ast::AlterIndexOperation::RenameIndex { index_name } = op;
        let (found, old) = self.find(name)?;
        let new = self.table_name(index_name)?;
        let found = match found {
            Some((RelKind::Index, o)) => self.cat.indexes.iter().find(|i| i.oid == o).cloned(),
            _ => None,
        };
        let Some(i) = found else {
            return Err(no_relation(&old));
        };
        self.cat.check_free_name(i.namespace, &new)?;
        let mut ni = (*i).clone();
        ni.name = new;
        let ni = Arc::new(ni);
        for slot in &mut self.cat.indexes {
            if slot.oid == ni.oid {
                *slot = ni.clone();
            }
        }
        self.changed = true;
        Ok("ALTER INDEX".into())
    }
}

fn both_default_and_identity(column: &str, table: &str) -> PgError {
    PgError::new(
        sqlstate::SYNTAX_ERROR,
        format!("both default and identity specified for column \"{column}\" of table \"{table}\""),
    )
}

fn multiple_pkeys(table: &str) -> PgError {
    PgError::new(
        "42P16",
        format!("multiple primary keys for table \"{table}\" are not allowed"),
    )
}

/// CREATE VIEW's `check_option` storage parameter (from WITH (...) or a
/// WITH ... CHECK OPTION clause); 22023 for another value. Other storage
/// parameters are accepted and not kept.
fn view_check_option(
    options: &ast::CreateTableOptions,
) -> PgResult<Option<crate::catalog::view_update::CheckOption>> {
    let ast::CreateTableOptions::With(opts) = options else {
        return Ok(None);
    };
    let mut found = None;
    for o in opts {
        let ast::SqlOption::KeyValue { key, value } = o else {
            continue;
        };
        if object_name(key).join(".") != "check_option" {
            continue;
        }
        let text = match value {
            ast::Expr::Identifier(i) => ident(i),
            ast::Expr::Value(v) => match &v.value {
                ast::Value::SingleQuotedString(s) => s.clone(),
                other => other.to_string(),
            },
            other => other.to_string(),
        };
        found = Some(
            crate::catalog::view_update::CheckOption::parse(&text).ok_or_else(|| {
                PgError::new(
                    sqlstate::INVALID_PARAMETER_VALUE,
                    format!("invalid value for enum option \"check_option\": {text}"),
                )
                .with_detail("Valid values are \"local\" and \"cascaded\".")
            })?,
        );
    }
    Ok(found)
}
