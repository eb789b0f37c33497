//! DDL: CREATE/DROP TABLE, TRUNCATE, ALTER TABLE (ADD PRIMARY KEY /
//! UNIQUE / COLUMN), CREATE/DROP INDEX. Each runs holding the catalog
//! lock exclusively: it reloads the catalog, changes a copy, creates or
//! drops relation files, and installs the new catalog (which bumps the
//! shared catalog version, so every backend re-plans).

use std::sync::Arc;

use shmem::buffer::BufferPool;
use shmem::lockmgr::LockMode;
use sqlparser::ast;

use crate::access::btree;
use crate::access::sequence;
use crate::access::table;
use crate::analyze::from::{no_relation, split_name};
use crate::analyze::names::resolve_type;
use crate::analyze::Analyzer;
use crate::catalog::{
    Catalog, CatalogCache, CatalogLock, ColumnDesc, IndexDesc, RelKind, SequenceDesc, TableDesc,
    ViewDesc,
};
use crate::commands::constraints;
use crate::error::{sqlstate, PgError, PgResult, Severity};
use crate::parser::{ident, object_name, StmtText};
use crate::types::{oid, Oid};

fn notice(msg: String) -> PgError {
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
        | S::CreateView(_) => true,
        S::Drop { object_type, .. } => matches!(
            object_type,
            ast::ObjectType::Table
                | ast::ObjectType::Index
                | ast::ObjectType::Sequence
                | ast::ObjectType::View
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
    let table = |n: &ast::ObjectName| {
        let parts = object_name(n);
        match split_name(&parts) {
            Ok((None | Some("public"), rel)) => cat.table(rel).map(|t| t.oid),
            _ => None,
        }
    };
    let mut out: Vec<(u32, LockMode)> = match stmt {
        S::CreateIndex(ci) => table(&ci.table_name)
            .map(|t| (t, LockMode::Share))
            .into_iter()
            .collect(),
        S::AlterTable(at) => table(&at.name)
            .map(|t| (t, LockMode::AccessExclusive))
            .into_iter()
            .collect(),
        S::Truncate(tr) => tr
            .table_names
            .iter()
            .filter_map(|t| table(&t.name))
            .map(|t| (t, LockMode::AccessExclusive))
            .collect(),
        S::Drop {
            object_type: ast::ObjectType::Table,
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
            .filter_map(|n| {
                let parts = object_name(n);
                let rel = parts.last()?;
                cat.index(rel).map(|i| (i.table, LockMode::AccessExclusive))
            })
            .collect(),
        _ => Vec::new(),
    };
    // A fixed order, so that two DDL statements lock alike.
    out.sort_by_key(|&(t, _)| t);
    out.dedup();
    out
}

/// Runs a DDL statement; returns its command tag. The caller holds
/// `lock` exclusively and the table locks of [`lock_targets`];
/// `horizon` is the oldest xid anyone may still consider running (index
/// builds skip versions dead to all).
pub fn execute(
    stmt: &ast::Statement,
    text: &StmtText,
    cache: &mut CatalogCache,
    lock: &CatalogLock,
    pool: &BufferPool,
    horizon: u32,
    notices: &mut Vec<PgError>,
) -> PgResult<String> {
    use ast::Statement as S;
    let mut cat: Catalog = (**cache.get()).clone();
    let mut ddl = Ddl {
        cat: &mut cat,
        pool,
        horizon,
        text,
        notices,
        changed: false,
        dropped: Vec::new(),
    };
    let tag = match stmt {
        S::CreateTable(ct) => ddl.create_table(ct)?,
        S::CreateIndex(ci) => ddl.create_index(ci)?,
        S::AlterTable(at) => ddl.alter_table(at)?,
        S::Truncate(t) => ddl.truncate(t)?,
        S::CreateView(cv) => ddl.create_view(cv)?,
        S::Drop {
            object_type,
            if_exists,
            names,
            cascade,
            ..
        } => ddl.drop(*object_type, *if_exists, names, *cascade)?,
        _ => return Err(PgError::internal("not a DDL statement")),
    };
    let (changed, dropped) = (ddl.changed, std::mem::take(&mut ddl.dropped));
    if changed {
        cache.commit(lock, cat)?;
    }
    // Files go only once the catalog no longer names them.
    for rel in dropped {
        pool.drop_relation(rel).map_err(PgError::from)?;
    }
    Ok(tag)
}

struct Ddl<'a> {
    cat: &'a mut Catalog,
    pool: &'a BufferPool,
    horizon: u32,
    text: &'a StmtText,
    notices: &'a mut Vec<PgError>,
    changed: bool,
    dropped: Vec<u32>,
}

/// The column positions named by an index or constraint column list.
fn index_columns(t: &TableDesc, cols: &[ast::IndexColumn]) -> PgResult<Vec<usize>> {
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
    Ok(out)
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

    fn existing_table(&self, name: &ast::ObjectName) -> PgResult<Arc<TableDesc>> {
        let n = self.table_name(name)?;
        self.cat.table(&n).cloned().ok_or_else(|| {
            use sqlparser::ast::Spanned;
            let e = no_relation(&n);
            match self.text.position(name.span().start) {
                Some(p) => e.with_position(p),
                None => e,
            }
        })
    }

    /// Validates a DEFAULT expression against the column type.
    fn check_default(&self, e: &ast::Expr, ty: Oid, typmod: i32) -> PgResult<String> {
        let text = e.to_string();
        let mut a = Analyzer::new(self.text, &[]).with_catalog(Arc::new(self.cat.clone()));
        let x = a.expr(e, &Default::default(), crate::analyze::expr::Clause::Values)?;
        crate::analyze::modify::assignment_cast(&mut a, x, ty, typmod, "DEFAULT")?;
        Ok(text)
    }

    /// Creates index `idx` (its relation and, over existing rows, its
    /// entries).
    fn add_index(&mut self, t: &TableDesc, idx: IndexDesc, build: bool) -> PgResult<()> {
        self.cat.check_free_name(&idx.name)?;
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
        let name = self.table_name(&ct.name)?;
        if self.cat.relkind(&name).is_some() {
            if ct.if_not_exists {
                self.notices.push(notice(format!(
                    "relation \"{name}\" already exists, skipping"
                )));
                return Ok(tag);
            }
            self.cat.check_free_name(&name)?;
        }
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
        let mut serials: Vec<(usize, i64)> = Vec::new();
        let mut pkey: Option<Vec<usize>> = None;
        let mut uniques: Vec<Vec<usize>> = Vec::new();
        let mut pending = Vec::new();
        for (i, cd) in ct.columns.iter().enumerate() {
            let cname = ident(&cd.name);
            if columns.iter().any(|c| c.name == cname) {
                return Err(PgError::new(
                    "42701",
                    format!("column \"{cname}\" specified more than once"),
                ));
            }
            let serial = match &cd.data_type {
                ast::DataType::Custom(n, m) if m.is_empty() => {
                    match object_name(n).last().map(String::as_str) {
                        Some("serial" | "serial4") => Some((oid::INT4, i32::MAX as i64)),
                        Some("bigserial" | "serial8") => Some((oid::INT8, i64::MAX)),
                        Some("smallserial" | "serial2") => Some((oid::INT2, i16::MAX as i64)),
                        _ => None,
                    }
                }
                _ => None,
            };
            let (ty, typmod) = match serial {
                Some((t, max)) => {
                    serials.push((i, max));
                    (t, -1)
                }
                None => resolve_type(&cd.data_type)?,
            };
            let mut col = ColumnDesc {
                name: cname.clone(),
                ty,
                typmod,
                not_null: serial.is_some(),
                default: None,
            };
            for o in &cd.options {
                match &o.option {
                    ast::ColumnOption::NotNull => col.not_null = true,
                    ast::ColumnOption::Null => {}
                    ast::ColumnOption::Default(e) => {
                        if serial.is_some() {
                            return Err(PgError::new(
                                sqlstate::SYNTAX_ERROR,
                                format!("multiple default values specified for column \"{cname}\" of table \"{name}\""),
                            ));
                        }
                        col.default = Some(self.check_default(e, ty, typmod)?);
                    }
                    ast::ColumnOption::PrimaryKey(_) => {
                        if pkey.is_some() {
                            return Err(multiple_pkeys(&name));
                        }
                        pkey = Some(vec![i]);
                    }
                    ast::ColumnOption::Unique(_) => uniques.push(vec![i]),
                    _ if constraints::column_option(o, i, &mut pending) => {}
                    _ => return Err(not_supported("this column constraint")),
                }
            }
            columns.push(col);
        }
        let mut table = TableDesc {
            oid: table_oid,
            name: name.clone(),
            columns,
            fillfactor,
        };
        for c in &ct.constraints {
            match c {
                ast::TableConstraint::PrimaryKey(pk) => {
                    if pkey.is_some() {
                        return Err(multiple_pkeys(&name));
                    }
                    pkey = Some(index_columns(&table, &pk.columns)?);
                }
                ast::TableConstraint::Unique(u) => uniques.push(index_columns(&table, &u.columns)?),
                _ if constraints::table_constraint(c, &mut pending) => {}
                _ => return Err(not_supported("this table constraint")),
            }
        }
        if let Some(pk) = &pkey {
            for &c in pk {
                table.columns[c].not_null = true;
            }
        }
        // Sequences for serial columns.
        let mut seqs = Vec::new();
        for (col, max) in serials {
            let cname = table.columns[col].name.clone();
            let sname = self.cat.choose_name(&format!("{name}_{cname}"), "seq");
            let soid = self.cat.alloc_oid();
            table.columns[col].default = Some(format!("nextval('{sname}'::regclass)"));
            seqs.push((
                SequenceDesc {
                    oid: soid,
                    name: sname,
                    table: table_oid,
                    column: col,
                },
                max,
            ));
        }
        self.pool
            .create_relation(table_oid)
            .map_err(PgError::from)?;
        let table = Arc::new(table);
        self.cat.tables.push(table.clone());
        self.changed = true;
        for (s, max) in seqs {
            self.cat.check_free_name(&s.name)?;
            sequence::create(self.pool, s.oid, max)?;
            self.cat.sequences.push(Arc::new(s));
        }
        if let Some(cols) = pkey {
            let idx = IndexDesc {
                oid: self.cat.alloc_oid(),
                name: self.cat.choose_name(&name, "pkey"),
                table: table_oid,
                columns: cols,
                unique: true,
                primary: true,
            };
            self.add_index(&table, idx, false)?;
        }
        for cols in uniques {
            let base = format!(
                "{name}_{}",
                cols.iter()
                    .map(|&c| table.columns[c].name.as_str())
                    .collect::<Vec<_>>()
                    .join("_")
            );
            let idx = IndexDesc {
                oid: self.cat.alloc_oid(),
                name: self.cat.choose_name(&base, "key"),
                table: table_oid,
                columns: cols,
                unique: true,
                primary: false,
            };
            self.add_index(&table, idx, false)?;
        }
        self.add_constraints(&table, pending)?;
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
                self.cat.choose_name(&base, "idx")
            }
        };
        if self.cat.relkind(&name).is_some() && ci.if_not_exists {
            self.notices.push(notice(format!(
                "relation \"{name}\" already exists, skipping"
            )));
            return Ok(tag);
        }
        self.cat.check_free_name(&name)?;
        let idx = IndexDesc {
            oid: self.cat.alloc_oid(),
            name,
            table: t.oid,
            columns: cols,
            unique: ci.unique,
            primary: false,
        };
        self.add_index(&t, idx, true)?;
        Ok(tag)
    }

    fn alter_table(&mut self, at: &ast::AlterTable) -> PgResult<String> {
        let name = self.table_name(&at.name)?;
        let Some(mut t) = self.cat.table(&name).cloned() else {
            if at.if_exists {
                self.notices.push(notice(format!(
                    "relation \"{name}\" does not exist, skipping"
                )));
                return Ok("ALTER TABLE".into());
            }
            return Err(no_relation(&name));
        };
        for op in &at.operations {
            match op {
                ast::AlterTableOperation::AddConstraint { constraint, .. } => {
                    let (cols, primary) = match constraint {
                        ast::TableConstraint::PrimaryKey(pk) => {
                            (index_columns(&t, &pk.columns)?, true)
                        }
                        ast::TableConstraint::Unique(u) => (index_columns(&t, &u.columns)?, false),
                        _ => return Err(not_supported("this constraint")),
                    };
                    if primary {
                        if self.cat.indexes_of(t.oid).any(|i| i.primary) {
                            return Err(multiple_pkeys(&name));
                        }
                        let mut nt = (*t).clone();
                        for &c in &cols {
                            if !nt.columns[c].not_null {
                                table::check_no_nulls(self.pool, &t, c, self.horizon)?;
                                nt.columns[c].not_null = true;
                            }
                        }
                        t = self.replace_table(nt);
                    }
                    let base = if primary {
                        name.clone()
                    } else {
                        format!(
                            "{name}_{}",
                            cols.iter()
                                .map(|&c| t.columns[c].name.as_str())
                                .collect::<Vec<_>>()
                                .join("_")
                        )
                    };
                    let idx = IndexDesc {
                        oid: self.cat.alloc_oid(),
                        name: self
                            .cat
                            .choose_name(&base, if primary { "pkey" } else { "key" }),
                        table: t.oid,
                        columns: cols,
                        unique: true,
                        primary,
                    };
                    self.add_index(&t, idx, true)?;
                }
                ast::AlterTableOperation::AddColumn {
                    column_def,
                    if_not_exists,
                    ..
                } => {
                    let cname = ident(&column_def.name);
                    if t.column_index(&cname).is_some() {
                        if *if_not_exists {
                            self.notices.push(notice(format!(
                                "column \"{cname}\" of relation \"{name}\" already exists, skipping"
                            )));
                            continue;
                        }
                        return Err(PgError::new(
                            "42701",
                            format!("column \"{cname}\" of relation \"{name}\" already exists"),
                        ));
                    }
                    let (ty, typmod) = resolve_type(&column_def.data_type)?;
                    let mut col = ColumnDesc {
                        name: cname,
                        ty,
                        typmod,
                        not_null: false,
                        default: None,
                    };
                    for o in &column_def.options {
                        match &o.option {
                            ast::ColumnOption::Null => {}
                            // Existing rows read the new column as NULL:
                            // only an empty table can take NOT NULL or a
                            // default for them.
                            ast::ColumnOption::NotNull | ast::ColumnOption::Default(_)
                                if self.pool.nblocks(t.rel()).map_err(PgError::from)? > 0 =>
                            {
                                return Err(not_supported(
                                    "ADD COLUMN with NOT NULL or DEFAULT on a non-empty table",
                                ))
                            }
                            ast::ColumnOption::NotNull => col.not_null = true,
                            ast::ColumnOption::Default(e) => {
                                col.default = Some(self.check_default(e, ty, typmod)?)
                            }
                            _ => return Err(not_supported("this column constraint")),
                        }
                    }
                    let mut nt = (*t).clone();
                    nt.columns.push(col);
                    t = self.replace_table(nt);
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
            tables.push(self.existing_table(&target.name)?);
        }
        if tr.cascade == Some(ast::CascadeOption::Cascade) {
            let mut notes = Vec::new();
            constraints::truncate_cascade(self.cat, &mut tables, &mut notes);
            self.notices.extend(notes.into_iter().map(notice));
        }
        constraints::check_truncate(self.cat, &tables)?;
        let restart = matches!(tr.identity, Some(ast::TruncateIdentityOption::Restart));
        for t in tables {
            self.pool
                .truncate_relation(t.rel())
                .map_err(PgError::from)?;
            self.pool.set_free_space_hint(t.rel(), None);
            let idxs: Vec<Arc<IndexDesc>> = self.cat.indexes_of(t.oid).cloned().collect();
            for i in idxs {
                self.pool.truncate_relation(i.oid).map_err(PgError::from)?;
                btree::create(self.pool, i.oid).map_err(PgError::from)?;
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
        Ok("TRUNCATE TABLE".into())
    }

    /// CREATE [OR REPLACE] VIEW: the query is analyzed now (so that a
    /// view over missing tables or columns is refused) and kept as text.
    fn create_view(&mut self, cv: &ast::CreateView) -> PgResult<String> {
        if cv.materialized {
            return Err(not_supported("materialized views"));
        }
        if cv.temporary {
            return Err(not_supported("temporary views"));
        }
        let name = self.table_name(&cv.name)?;
        let mut a = Analyzer::new(self.text, &[]).with_catalog(Arc::new(self.cat.clone()));
        let q = a.analyze_top(&cv.query)?;
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
            let parts = object_name(rel);
            if let Ok((None | Some("public"), n)) = split_name(&parts) {
                if let Some((kind, o)) = self.cat.relkind(n) {
                    if matches!(kind, RelKind::Table | RelKind::View) && !deps.contains(&o) {
                        deps.push(o);
                    }
                }
            }
            std::ops::ControlFlow::<()>::Continue(())
        });
        let sql = cv.query.to_string();
        match self.cat.relkind(&name) {
            Some((RelKind::View, o)) if cv.or_replace => {
                let old = self.cat.view(&name).cloned().expect("relkind found it");
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
                    oid: o,
                    name,
                    sql,
                    columns,
                    deps,
                };
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
                self.cat.views.push(Arc::new(ViewDesc {
                    oid,
                    name,
                    sql,
                    columns,
                    deps,
                }));
            }
        }
        self.changed = true;
        Ok("CREATE VIEW".into())
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
        if users.is_empty() {
            return Ok(());
        }
        if !cascade {
            let detail: Vec<String> = users
                .iter()
                .map(|v| format!("view {} depends on {kind} {name}", v.name))
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
            _ => ("sequence", "DROP SEQUENCE"),
        };
        // Check every name first: nothing is dropped if one is missing.
        let mut found = Vec::new();
        for n in names {
            let name = self.table_name(n)?;
            let oid = match kind {
                ast::ObjectType::Table => self.cat.table(&name).map(|t| t.oid),
                ast::ObjectType::Index => self.cat.index(&name).map(|i| i.oid),
                ast::ObjectType::View => self.cat.view(&name).map(|v| v.oid),
                _ => self.cat.sequence(&name).map(|s| s.oid),
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
            if matches!(kind, ast::ObjectType::Table | ast::ObjectType::View) {
                self.drop_dependent_views(o, what, &name, cascade)?;
            }
            match kind {
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
                    let idx: Vec<u32> = self.cat.indexes_of(o).map(|i| i.oid).collect();
                    let seqs: Vec<u32> = self
                        .cat
                        .sequences
                        .iter()
                        .filter(|s| s.table == o)
                        .map(|s| s.oid)
                        .collect();
                    self.cat.tables.retain(|t| t.oid != o);
                    self.cat.indexes.retain(|i| i.table != o);
                    self.cat.sequences.retain(|s| s.table != o);
                    self.dropped.push(o);
                    self.dropped.extend(idx);
                    self.dropped.extend(seqs);
                }
                ast::ObjectType::Index => {
                    let i = self.cat.index(&name).cloned();
                    if let Some(i) = i.filter(|i| i.primary || i.unique) {
                        let table = self.cat.table_by_oid(i.table).map_or("", |t| &t.name);
                        // Unique indexes made by CREATE UNIQUE INDEX carry
                        // no constraint; constraint-backed ones end in
                        // _pkey/_key.
                        if i.primary || i.name.ends_with("_key") {
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
                    self.dropped.push(o);
                }
                _ => {
                    self.cat.sequences.retain(|s| s.oid != o);
                    self.dropped.push(o);
                }
            }
            self.changed = true;
        }
        Ok(tag.into())
    }
}

fn multiple_pkeys(table: &str) -> PgError {
    PgError::new(
        "42P16",
        format!("multiple primary keys for table \"{table}\" are not allowed"),
    )
}
