//! ALTER TABLE subcommands that change a table's shape or its
//! constraints: ADD COLUMN (with a DEFAULT, NOT NULL and column
//! constraints), ADD CONSTRAINT (CHECK, FOREIGN KEY, UNIQUE, PRIMARY KEY,
//! NOT VALID), VALIDATE, DROP and RENAME CONSTRAINT, and the checks of
//! existing rows they make.
//!
//! ADD COLUMN with a DEFAULT does what PostgreSQL 11+ does: a
//! non-volatile default is evaluated once and kept as the column's
//! missing value (`ColumnDesc::missing`, attmissingval), which rows
//! stored before the column existed read for it (their tuples hold
//! fewer attributes: `access::tuple::deform`); nothing is rewritten. A
//! volatile default (nextval, random) rewrites the table: every row gets
//! a new version carrying its own value, as an UPDATE would write it
//! (so a ROLLBACK undoes it), and the table then has no missing values.

use std::sync::Arc;

use sqlparser::ast;

use super::{index_columns, multiple_pkeys, not_supported, notice, Ddl};
use crate::access::table::{self, TableAccess, TupleScan};
use crate::access::tuple;
use crate::analyze::names::resolve_type;
use crate::analyze::Analyzer;
use crate::catalog::constraint::{ConstraintDesc, ConstraintKind};
use crate::catalog::{ColumnDesc, IndexDesc, TableDesc};
use crate::commands::constraints::{self, Pending};
use crate::error::{sqlstate, PgError, PgResult};
use crate::executor::eval::{eval, EvalCtx};
use crate::executor::ri;
use crate::interrupts::check_for_interrupts;
use crate::nodes::expr::Expr;
use crate::parser::ident;
use crate::types::{Oid, Value};

/// A UNIQUE or PRIMARY KEY constraint to add: its name if given, its
/// columns, and whether it is the primary key.
struct KeyConstraint {
    name: Option<String>,
    columns: Vec<usize>,
    primary: bool,
    /// DEFERRABLE, INITIALLY DEFERRED.
    timing: (bool, bool),
}

fn no_constraint(name: &str, table: &str) -> PgError {
    PgError::new(
        sqlstate::UNDEFINED_OBJECT,
        format!("constraint \"{name}\" of relation \"{table}\" does not exist"),
    )
}

impl Ddl<'_> {
    pub(super) fn ctx(&self) -> PgResult<&EvalCtx<'_>> {
        self.eval
            .ok_or_else(|| PgError::internal("ALTER TABLE runs without a statement context"))
    }

    /// The rows of `t` as they now are, decoded with `t`'s columns: read
    /// as the next command would (PostgreSQL's CommandCounterIncrement),
    /// so that the versions a rewrite earlier in the statement wrote are
    /// seen in place of those it replaced.
    pub(super) fn for_each_row(
        &self,
        t: &TableDesc,
        f: &mut dyn FnMut(crate::access::ItemPointer, Vec<Value>) -> PgResult<()>,
    ) -> PgResult<()> {
        let ctx = self.ctx()?;
        let types: Vec<Oid> = t.columns.iter().map(|c| c.ty).collect();
        let missing = t.missing_values();
        let mut mvcc = ctx.xact.mvcc.clone();
        mvcc.cid += 1;
        let procs = ctx.xact.procs();
        let mut scan = TupleScan::Heap(crate::access::heap::scan(
            &ctx.pool,
            t.rel(),
            mvcc,
            Some(Box::new(move || procs.global_xmin())),
        ));
        while let Some((tid, data)) = scan.next()? {
            check_for_interrupts()?;
            f(tid, tuple::deform_all(&types, &missing, &data)?)?;
        }
        Ok(())
    }

    /// 23502 if a row of `t` holds NULL in column `col`. The rows are
    /// those the statement sees: after a rewrite in the same statement,
    /// the versions it replaced (which lack the new column) do not count.
    pub(super) fn check_no_nulls(&self, t: &TableDesc, col: usize) -> PgResult<()> {
        self.for_each_row(t, &mut |_, row| {
            if row[col].is_null() {
                return Err(PgError::new(
                    sqlstate::NOT_NULL_VIOLATION,
                    format!(
                        "column \"{}\" of relation \"{}\" contains null values",
                        t.columns[col].name, t.name
                    ),
                )
                .with_table(
                    &crate::catalog::namespace::schema_name(t.namespace),
                    &t.name,
                )
                .with_column(&t.columns[col].name));
            }
            Ok(())
        })
    }

    /// ALTER TABLE ADD [COLUMN] [IF NOT EXISTS]: returns the table as it
    /// now is.
    pub(super) fn add_column(
        &mut self,
        t: &Arc<TableDesc>,
        cd: &ast::ColumnDef,
        if_not_exists: bool,
    ) -> PgResult<Arc<TableDesc>> {
        let cname = ident(&cd.name);
        crate::catalog::system_columns::check_column_name(&cname)?;
        if t.column_index(&cname).is_some() {
            let msg = format!(
                "column \"{cname}\" of relation \"{}\" already exists",
                t.name
            );
            if if_not_exists {
                let mut n = notice(format!("{msg}, skipping"));
                n.code = "42701";
                self.notices.push(n);
                return Ok(t.clone());
            }
            return Err(PgError::new("42701", msg));
        }
        let (ty, typmod) = resolve_type(&cd.data_type)?;
        let pos = t.columns.len();
        if let Some(d) = crate::analyze::names::domain_of(&cd.data_type) {
            self.cat
                .column_domains
                .insert((t.oid, pos as i16 + 1), d.oid);
        }
        let mut col = ColumnDesc {
            name: cname,
            ty,
            typmod,
            not_null: false,
            default: None,
            missing: None,
            dropped: false,
        };
        let mut default: Option<&ast::Expr> = None;
        let mut pending = Vec::new();
        let mut keys = Vec::new();
        for o in &cd.options {
            match &o.option {
                ast::ColumnOption::Null => {}
                ast::ColumnOption::NotNull => col.not_null = true,
                ast::ColumnOption::Default(e) => {
                    col.default = self.check_default(e, ty, typmod)?;
                    default = Some(e);
                }
                ast::ColumnOption::PrimaryKey(pk) => keys.push(KeyConstraint {
                    name: o.name.as_ref().map(ident),
                    columns: vec![pos],
                    primary: true,
                    timing: constraints::timing(&pk.characteristics)?,
                }),
                ast::ColumnOption::Unique(u) => keys.push(KeyConstraint {
                    name: o.name.as_ref().map(ident),
                    columns: vec![pos],
                    primary: false,
                    timing: constraints::timing(&u.characteristics)?,
                }),
                _ if constraints::column_option(o, pos, &mut pending) => {}
                _ => return Err(not_supported("this column constraint")),
            }
        }
        let mut nt = (**t).clone();
        nt.columns.push(col);
        let mut rewrite = None;
        if let (Some(e), Some(_)) = (default, &nt.columns[pos].default) {
            // What existing rows get: the default evaluated once (kept as
            // the missing value), or per row when it is volatile.
            let x = self.analyze_default(e, ty, typmod)?;
            if x.is_row_independent() {
                let v = eval(&x, &[], self.ctx()?)?;
                let v = table::assign(v, ty, typmod)?;
                if !v.is_null() {
                    nt.columns[pos].missing = Some(v);
                }
            } else {
                rewrite = Some(x);
            }
        }
        let mut t = self.replace_table(nt);
        if let Some(x) = rewrite {
            // The rows this statement wrote would be updated again by the
            // same command, which the heap does not allow.
            if self.rewritten {
                return Err(not_supported(
                    "more than one volatile DEFAULT in one ALTER TABLE",
                ));
            }
            t = self.rewrite_with(&t, pos, &x)?;
            self.rewritten = true;
        }
        if t.columns[pos].not_null {
            self.check_no_nulls(&t, pos)?;
        }
        let t = self.add_pending(&t, pending, false)?;
        for k in keys {
            self.add_key(&t, k)?;
        }
        Ok(t)
    }

    /// A DEFAULT analyzed as an expression of the column's type.
    fn analyze_default(&self, e: &ast::Expr, ty: Oid, typmod: i32) -> PgResult<Expr> {
        let mut a = Analyzer::new(self.text, &[]).with_catalog(Arc::new(self.cat.clone()));
        let x = a.expr(e, &Default::default(), crate::analyze::expr::Clause::Values)?;
        crate::analyze::modify::assignment_cast(&mut a, x, ty, typmod, "DEFAULT")
    }

    /// Rewrites every row of `t` (whose last column, `pos`, was just
    /// added) with the column's value computed per row by `x`; the table
    /// then has no missing values.
    fn rewrite_with(
        &mut self,
        t: &Arc<TableDesc>,
        pos: usize,
        x: &Expr,
    ) -> PgResult<Arc<TableDesc>> {
        let mut nt = (**t).clone();
        for c in &mut nt.columns {
            c.missing = None;
        }
        let nt = self.replace_table(nt);
        let ctx = self.ctx()?;
        let indexes: Vec<Arc<IndexDesc>> = self.cat.indexes_of(t.oid).cloned().collect();
        let mut acc = TableAccess::new(ctx.pool, nt.clone(), indexes, ctx.xact);
        let mut rows = Vec::new();
        self.for_each_row(t, &mut |tid, row| {
            rows.push((tid, row));
            Ok(())
        })?;
        for (tid, old) in rows {
            check_for_interrupts()?;
            let mut new = old.clone();
            new[pos] = table::assign(eval(x, &[], ctx)?, t.columns[pos].ty, t.columns[pos].typmod)?;
            if acc.update(tid, &old, &new)?.is_err() {
                return Err(PgError::internal("a row changed under ALTER TABLE"));
            }
        }
        Ok(nt)
    }

    /// ALTER TABLE ADD [CONSTRAINT name] ... [NOT VALID].
    pub(super) fn add_table_constraint(
        &mut self,
        t: &Arc<TableDesc>,
        c: &ast::TableConstraint,
        not_valid: bool,
    ) -> PgResult<Arc<TableDesc>> {
        let key = match c {
            ast::TableConstraint::PrimaryKey(pk) => Some(KeyConstraint {
                name: pk.name.as_ref().map(ident),
                columns: index_columns(t, &pk.columns)?,
                primary: true,
                timing: constraints::timing(&pk.characteristics)?,
            }),
            ast::TableConstraint::Unique(u) => Some(KeyConstraint {
                name: u.name.as_ref().map(ident),
                columns: index_columns(t, &u.columns)?,
                primary: false,
                timing: constraints::timing(&u.characteristics)?,
            }),
            _ => None,
        };
        if let Some(k) = key {
            if not_valid {
                return Err(PgError::new(
                    sqlstate::FEATURE_NOT_SUPPORTED,
                    format!(
                        "{} constraints cannot be marked NOT VALID",
                        if k.primary { "PRIMARY KEY" } else { "UNIQUE" }
                    ),
                ));
            }
            return self.add_key(t, k);
        }
        let mut pending = Vec::new();
        if !constraints::table_constraint(c, &mut pending) {
            return Err(not_supported("this constraint"));
        }
        self.add_pending(t, pending, not_valid)
    }

    /// Defines CHECK and FOREIGN KEY constraints on `t`, checking the
    /// existing rows unless NOT VALID.
    fn add_pending(
        &mut self,
        t: &Arc<TableDesc>,
        pending: Vec<(Option<String>, Pending)>,
        not_valid: bool,
    ) -> PgResult<Arc<TableDesc>> {
        let mut taken = Vec::new();
        for (name, p) in &pending {
            let mut c = constraints::define(self.cat, self.text, t, name.clone(), p, &taken)?;
            taken.push(c.name.clone());
            if not_valid {
                c.validated = false;
            } else {
                self.validate(t, &c)?;
            }
            c.oid = self.cat.alloc_oid();
            self.cat.constraints.push(Arc::new(c));
            self.changed = true;
        }
        Ok(t.clone())
    }

    /// A UNIQUE or PRIMARY KEY constraint: its index, built over the
    /// existing rows (23505 on a duplicate); a primary key's columns
    /// become NOT NULL (23502 if one holds a NULL).
    fn add_key(&mut self, t: &Arc<TableDesc>, k: KeyConstraint) -> PgResult<Arc<TableDesc>> {
        // An index build reads every version not yet dead, both those a
        // rewrite replaced and their replacements.
        if self.rewritten {
            return Err(not_supported(
                "UNIQUE or PRIMARY KEY in the ALTER TABLE that adds a column with a volatile DEFAULT",
            ));
        }
        let mut t = t.clone();
        if k.primary {
            if self.cat.indexes_of(t.oid).any(|i| i.primary) {
                return Err(multiple_pkeys(&t.name));
            }
            let mut nt = (*t).clone();
            for &c in &k.columns {
                if !nt.columns[c].not_null {
                    self.check_no_nulls(&t, c)?;
                    nt.columns[c].not_null = true;
                }
            }
            t = self.replace_table(nt);
        }
        let name = match k.name {
            Some(n) => n,
            None => {
                let base = if k.primary {
                    t.name.clone()
                } else {
                    format!(
                        "{}_{}",
                        t.name,
                        k.columns
                            .iter()
                            .map(|&c| t.columns[c].name.as_str())
                            .collect::<Vec<_>>()
                            .join("_")
                    )
                };
                self.cat
                    .choose_name(t.namespace, &base, if k.primary { "pkey" } else { "key" })
            }
        };
        let idx = IndexDesc {
            namespace: t.namespace,
            oid: self.cat.alloc_oid(),
            name,
            table: t.oid,
            columns: k.columns,
            unique: true,
            primary: k.primary,
            constraint: true,
            relfilenode: 0,
            deferrable: k.timing.0,
            deferred: k.timing.1,
            options: vec![],
        };
        self.add_index(&t, idx, true)?;
        Ok(t)
    }

    /// The constraints `pick` chooses (foreign keys that depend on what is
    /// being dropped): their OIDs, names and tables' names.
    fn foreign_keys_where(
        &self,
        pick: impl Fn(&ConstraintDesc) -> bool,
    ) -> Vec<(Oid, String, String)> {
        self.cat
            .constraints
            .iter()
            .filter(|c| pick(c))
            .map(|c| {
                let table = self
                    .cat
                    .table_by_oid(c.table)
                    .map_or(String::new(), |x| x.name.clone());
                (c.oid, c.name.clone(), table)
            })
            .collect()
    }

    /// Foreign keys (`users`) that depend on `what` (dropped) through `on`:
    /// without CASCADE, 2BP01 with PostgreSQL's DETAIL and HINT; with it,
    /// PostgreSQL's "drop cascades to" NOTICE and the keys go.
    fn drop_dependent_keys(
        &mut self,
        users: &[(Oid, String, String)],
        cascade: bool,
        what: &str,
        on: &str,
    ) -> PgResult<()> {
        if users.is_empty() {
            return Ok(());
        }
        let lines: Vec<String> = users
            .iter()
            .map(|(_, c, tab)| format!("constraint {c} on table {tab}"))
            .collect();
        if !cascade {
            let detail: Vec<String> = lines
                .iter()
                .map(|l| format!("{l} depends on {on}"))
                .collect();
            return Err(PgError::new(
                "2BP01",
                format!("cannot drop {what} because other objects depend on it"),
            )
            .with_detail(detail.join("\n"))
            .with_hint("Use DROP ... CASCADE to drop the dependent objects too."));
        }
        self.notices.push(notice(if lines.len() == 1 {
            format!("drop cascades to {}", lines[0])
        } else {
            format!(
                "drop cascades to {} other objects\n{}",
                lines.len(),
                lines
                    .iter()
                    .map(|l| format!("drop cascades to {l}"))
                    .collect::<Vec<_>>()
                    .join("\n")
            )
        }));
        self.cat
            .constraints
            .retain(|c| !users.iter().any(|(o, _, _)| *o == c.oid));
        Ok(())
    }

    /// Checks the rows of `t` against a CHECK (23514) or FOREIGN KEY
    /// (23503) constraint, as PostgreSQL does when adding or validating
    /// one.
    pub(super) fn validate(&self, t: &TableDesc, c: &ConstraintDesc) -> PgResult<()> {
        match &c.kind {
            ConstraintKind::Check { src, .. } => {
                let e = crate::parser::parse_expr(src)?;
                let mut a = Analyzer::new(self.text, &[]).with_catalog(Arc::new(self.cat.clone()));
                let x = a.check_expr(t, &e)?;
                let ctx = self.ctx()?;
                self.for_each_row(t, &mut |_, row| {
                    if let Value::Bool(false) = eval(&x, &row, ctx)? {
                        return Err(PgError::new(
                            sqlstate::CHECK_VIOLATION,
                            format!(
                                "check constraint \"{}\" of relation \"{}\" is violated by some row",
                                c.name, t.name
                            ),
                        )
                        .with_table(&crate::catalog::namespace::schema_name(t.namespace), &t.name)
                        .with_constraint(&c.name));
                    }
                    Ok(())
                })
            }
            ConstraintKind::ForeignKey(f) => {
                let ctx = self.ctx()?;
                let parent = self
                    .cat
                    .table_by_oid(f.ref_table)
                    .cloned()
                    .ok_or_else(|| PgError::internal("referenced table is gone"))?;
                let indexes: Vec<Arc<IndexDesc>> =
                    self.cat.indexes_of(parent.oid).cloned().collect();
                self.for_each_row(t, &mut |_, row| {
                    if !ri::key_must_exist(t, c, &row)? {
                        return Ok(());
                    }
                    ri::require_referenced_row(ctx, t, c, &parent, &indexes, &row)
                })
            }
        }
    }

    /// ALTER TABLE ... ALTER CONSTRAINT name [[NOT] DEFERRABLE]
    /// [INITIALLY DEFERRED | IMMEDIATE]: of a foreign key only, as in
    /// PostgreSQL 15 (42809 for another kind of constraint).
    pub(super) fn alter_constraint(&mut self, t: &TableDesc) -> PgResult<()> {
        let a = crate::parser::constraint_cmds::parse_alter_constraint(&self.text.sql)?;
        let n = a.constraint;
        let found = self
            .cat
            .constraints_of(t.oid)
            .find(|c| c.name == n)
            .cloned();
        let is_key = self
            .cat
            .indexes_of(t.oid)
            .any(|i| i.constraint && i.name == n);
        let c = match found {
            Some(c) if c.fk().is_some() => c,
            None if !is_key => return Err(no_constraint(&n, &t.name)),
            _ => {
                return Err(PgError::new(
                    sqlstate::WRONG_OBJECT_TYPE,
                    format!(
                        "constraint \"{n}\" of relation \"{}\" is not a foreign key constraint",
                        t.name
                    ),
                ))
            }
        };
        let (deferrable, deferred) = a.timing;
        if c.deferrable == deferrable && c.deferred == deferred {
            return Ok(());
        }
        for slot in &mut self.cat.constraints {
            if slot.oid == c.oid {
                *slot = Arc::new(ConstraintDesc {
                    deferrable,
                    deferred,
                    ..c.clone()
                });
            }
        }
        self.changed = true;
        Ok(())
    }

    /// ALTER TABLE VALIDATE CONSTRAINT.
    pub(super) fn validate_constraint(&mut self, t: &TableDesc, name: &ast::Ident) -> PgResult<()> {
        let n = ident(name);
        let Some(c) = self
            .cat
            .constraints_of(t.oid)
            .find(|c| c.name == n)
            .cloned()
        else {
            return Err(no_constraint(&n, &t.name));
        };
        if c.validated {
            return Ok(());
        }
        self.validate(t, &c)?;
        for slot in &mut self.cat.constraints {
            if slot.oid == c.oid {
                *slot = Arc::new(ConstraintDesc {
                    validated: true,
                    ..c.clone()
                });
            }
        }
        self.changed = true;
        Ok(())
    }

    /// ALTER TABLE DROP CONSTRAINT [IF EXISTS] name [CASCADE | RESTRICT]:
    /// a CHECK or FOREIGN KEY goes from the catalog; a UNIQUE or PRIMARY
    /// KEY takes its index with it, refused (2BP01) while foreign keys
    /// use that index, unless CASCADE drops them too.
    pub(super) fn drop_constraint(
        &mut self,
        t: &TableDesc,
        if_exists: bool,
        name: &ast::Ident,
        cascade: bool,
    ) -> PgResult<()> {
        let n = ident(name);
        let found = self
            .cat
            .constraints_of(t.oid)
            .find(|c| c.name == n)
            .map(|c| c.oid);
        if let Some(oid) = found {
            self.cat.constraints.retain(|c| c.oid != oid);
            self.changed = true;
            return Ok(());
        }
        let idx = self
            .cat
            .indexes_of(t.oid)
            .find(|i| i.constraint && i.name == n)
            .cloned();
        let Some(idx) = idx else {
            if if_exists {
                self.notices.push(notice(format!(
                    "constraint \"{n}\" of relation \"{}\" does not exist, skipping",
                    t.name
                )));
                return Ok(());
            }
            return Err(no_constraint(&n, &t.name));
        };
        let users = self.foreign_keys_where(|c| c.fk().is_some_and(|f| f.index == idx.oid));
        self.drop_dependent_keys(
            &users,
            cascade,
            &format!("constraint {n} on table {}", t.name),
            &format!("index {}", idx.name),
        )?;
        self.cat.indexes.retain(|i| i.oid != idx.oid);
        self.changed = true;
        Ok(())
    }

    /// ALTER TABLE RENAME CONSTRAINT old TO new (a UNIQUE or PRIMARY KEY
    /// renames its index too).
    pub(super) fn rename_constraint(
        &mut self,
        t: &TableDesc,
        old: &ast::Ident,
        new: &ast::Ident,
    ) -> PgResult<()> {
        let (old, new) = (ident(old), ident(new));
        let found = self
            .cat
            .constraints_of(t.oid)
            .find(|c| c.name == old)
            .cloned();
        let idx = self
            .cat
            .indexes_of(t.oid)
            .find(|i| i.constraint && i.name == old)
            .cloned();
        if found.is_none() && idx.is_none() {
            return Err(PgError::new(
                sqlstate::UNDEFINED_OBJECT,
                format!(
                    "constraint \"{old}\" for table \"{}\" does not exist",
                    t.name
                ),
            ));
        }
        if self.cat.constraint_name_used(t.oid, &new) {
            return Err(PgError::new(
                sqlstate::DUPLICATE_OBJECT,
                format!(
                    "constraint \"{new}\" for relation \"{}\" already exists",
                    t.name
                ),
            ));
        }
        if let Some(c) = found {
            for slot in &mut self.cat.constraints {
                if slot.oid == c.oid {
                    *slot = Arc::new(ConstraintDesc {
                        name: new.clone(),
                        ..c.clone()
                    });
                }
            }
        } else if let Some(i) = idx {
            self.cat.check_free_name(i.namespace, &new)?;
            for slot in &mut self.cat.indexes {
                if slot.oid == i.oid {
                    *slot = Arc::new(IndexDesc {
                        name: new.clone(),
                        ..(*i).clone()
                    });
                }
            }
        }
        self.changed = true;
        Ok(())
    }
}

/// ALTER TABLE DROP COLUMN, as PostgreSQL does it: the column stays in
/// the row (attisdropped), renamed and seen by nothing.
impl Ddl<'_> {
    /// Drops column `name` of `t` (or with IF EXISTS, a NOTICE when
    /// absent); returns the table as it now is. Indexes, CHECK and
    /// FOREIGN KEY constraints of `t` using the column, and the sequence
    /// it owns, go with it; foreign keys of other tables that reference
    /// it refuse the drop (2BP01) unless CASCADE drops them too.
    pub(super) fn drop_column(
        &mut self,
        t: &Arc<TableDesc>,
        name: &ast::Ident,
        if_exists: bool,
        cascade: bool,
    ) -> PgResult<Arc<TableDesc>> {
        let n = ident(name);
        let Some(pos) = t.column_index(&n) else {
            let msg = format!("column \"{n}\" of relation \"{}\" does not exist", t.name);
            if if_exists {
                self.notices.push(notice(format!("{msg}, skipping")));
                return Ok(t.clone());
            }
            return Err(PgError::new(sqlstate::UNDEFINED_COLUMN, msg));
        };
        let readers = self.views_reading_column(t, pos)?;
        if !readers.is_empty() {
            let what = format!("column {n} of table {}", t.name);
            if !cascade {
                let detail: Vec<String> = readers
                    .iter()
                    .map(|v| format!("view {} depends on {what}", v.name))
                    .collect();
                return Err(PgError::new(
                    "2BP01",
                    format!("cannot drop {what} because other objects depend on it"),
                )
                .with_detail(detail.join("\n"))
                .with_hint("Use DROP ... CASCADE to drop the dependent objects too."));
            }
            let lines: Vec<String> = readers
                .iter()
                .map(|v| format!("drop cascades to view {}", v.name))
                .collect();
            for v in &readers {
                if self.cat.views.iter().any(|x| x.oid == v.oid) {
                    self.drop_dependent_views(v.oid, "view", &v.name, true)?;
                    self.cat.views.retain(|x| x.oid != v.oid);
                }
            }
            self.notices.push(if lines.len() == 1 {
                notice(lines[0].clone())
            } else {
                notice(format!("drop cascades to {} other objects", lines.len()))
                    .with_detail(lines.join("\n"))
            });
        }
        // Foreign keys of other tables referencing the column.
        let users = self.foreign_keys_where(|c| {
            c.table != t.oid
                && c.fk()
                    .is_some_and(|f| f.ref_table == t.oid && f.ref_columns.contains(&pos))
        });
        self.drop_dependent_keys(
            &users,
            cascade,
            &format!("column {n} of table {}", t.name),
            &format!("column {n} of table {}", t.name),
        )?;
        // The table's own constraints and indexes on the column.
        let mut gone: Vec<Oid> = Vec::new();
        for c in self.cat.constraints_of(t.oid) {
            let uses = match &c.kind {
                ConstraintKind::ForeignKey(f) => f.columns.contains(&pos),
                ConstraintKind::Check { src, .. } => {
                    let e = crate::parser::parse_expr(src)?;
                    let mut a =
                        Analyzer::new(self.text, &[]).with_catalog(Arc::new(self.cat.clone()));
                    let x = a.check_expr(t, &e)?;
                    let mut found = false;
                    x.visit_columns(&mut |i| found |= i == pos);
                    found
                }
            };
            if uses {
                gone.push(c.oid);
            }
        }
        self.cat.constraints.retain(|c| !gone.contains(&c.oid));
        let idx_gone: Vec<Oid> = self
            .cat
            .indexes_of(t.oid)
            .filter(|i| i.columns.contains(&pos))
            .map(|i| i.oid)
            .collect();
        // Foreign keys (of this table) through an index that goes.
        self.cat
            .constraints
            .retain(|c| c.fk().is_none_or(|f| !idx_gone.contains(&f.index)));
        self.cat.indexes.retain(|i| !idx_gone.contains(&i.oid));
        self.cat
            .sequences
            .retain(|s| !(s.table == t.oid && s.column == pos));
        let mut nt = (**t).clone();
        let c = &mut nt.columns[pos];
        c.name = format!("........pg.dropped.{}........", pos + 1);
        c.dropped = true;
        c.not_null = false;
        c.default = None;
        Ok(self.replace_table(nt))
    }
}
