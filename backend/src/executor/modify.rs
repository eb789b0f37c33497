//! INSERT, UPDATE and DELETE (PostgreSQL's ModifyTable): analysis
//! (target columns, defaults, assignment casts, ON CONFLICT, RETURNING),
//! planning (the rows to change come from a table scan chosen like a
//! query's) and execution through [`TableAccess`], which keeps indexes
//! and constraints. UPDATE and DELETE collect their target rows before
//! changing any (and a statement never sees its own changes), so a row
//! moved or re-keyed by the statement is not seen twice. A row another
//! transaction changed first is handled by [`change_row`].

use std::sync::Arc;

use sqlparser::ast;

use crate::access::table::{TableAccess, UpdateFailure};
use crate::access::visibility::TmResult;
use crate::access::ItemPointer;
use crate::analyze::expr::Clause;
use crate::analyze::names::figure_colname;
use crate::parser::{ident, object_name};
use crate::analyze::{not_supported_yet, Analyzer, Scope, ScopeColumn};
use crate::nodes::query::TableRef;
use crate::catalog::IndexDesc;
use crate::commands::ddl::parse_default;
use crate::error::{sqlstate, PgError, PgResult};
use crate::executor::build;
use crate::executor::scan::TableCursor;
use crate::interrupts::check_for_interrupts;
use crate::nodes::expr::Expr;
use crate::executor::eval::{eval, eval_predicate, EvalCtx};
use crate::nodes::Column;
use crate::optimizer::scan::{conjuncts, plan_scan};
use crate::nodes::plan::ScanPlan;
use crate::optimizer;
use crate::nodes::plan::Plan;
use crate::types::{oid, type_name, Oid, Value};
use crate::utils::adt::coerce::category;
use crate::utils::adt::ops;

/// What to do on a unique conflict.
#[derive(Debug)]
pub enum ConflictAction {
    Nothing,
    /// SET column = expression over (existing row ++ excluded row), with
    /// an optional WHERE over the same.
    Update {
        sets: Vec<(usize, Expr)>,
        filter: Option<Expr>,
    },
}

#[derive(Debug)]
pub struct OnConflict {
    /// The arbiter index (None: any unique index).
    pub index: Option<Arc<IndexDesc>>,
    pub action: ConflictAction,
}

#[derive(Debug)]
pub enum ModifyKind {
    Insert {
        source: Plan,
        /// One expression per table column, over the source row.
        exprs: Vec<Expr>,
        /// The source is VALUES (no need to read it all first).
        values: bool,
        on_conflict: Option<OnConflict>,
    },
    Update {
        scan: ScanPlan,
        /// The whole WHERE, checked again on the row's current version.
        recheck: Option<Expr>,
        sets: Vec<(usize, Expr)>,
    },
    Delete {
        scan: ScanPlan,
        recheck: Option<Expr>,
    },
}

/// SELECT ... FOR UPDATE / FOR SHARE over one table: the rows the WHERE
/// selects are locked first (both strengths take the exclusive row lock
/// here), following concurrent updates as UPDATE does; then the query
/// runs (under READ COMMITTED with a new snapshot, so it returns the
/// versions it locked).
#[derive(Debug)]
pub struct LockRows {
    pub table: TableRef,
    pub scan: ScanPlan,
    pub recheck: Option<Expr>,
    /// NOWAIT: fail instead of waiting for a row.
    pub nowait: bool,
}

/// A planned INSERT, UPDATE or DELETE.
#[derive(Debug)]
pub struct Modify {
    pub kind: ModifyKind,
    pub table: TableRef,
    /// RETURNING expressions over the table row.
    pub returning: Option<Vec<Expr>>,
    pub columns: Vec<Column>,
}

/// Assignment conversion of `x` to a column type (PostgreSQL's
/// assignment casts: implicit ones, numeric narrowing, anything to a
/// string type).
pub fn assignment_cast(
    a: &mut Analyzer,
    x: Expr,
    ty: Oid,
    _typmod: i32,
    column: &str,
) -> PgResult<Expr> {
    let from = x.ty();
    if from == ty {
        return Ok(x);
    }
    if from == oid::UNKNOWN || ops::can_coerce_implicitly(from, ty) {
        return a.coerce(x, ty, false);
    }
    let allowed =
        ops::cast_exists(from, ty) && (category(from) == category(ty) || category(ty) == 'S');
    if allowed {
        return Ok(Expr::Cast(Box::new(x), ty, -1));
    }
    Err(PgError::new(
        sqlstate::DATATYPE_MISMATCH,
        format!(
            "column \"{column}\" is of type {} but expression is of type {}",
            type_name(ty),
            type_name(from)
        ),
    )
    .with_hint("You will need to rewrite or cast the expression."))
}

fn table_scope(t: &TableRef, qualifier: &str) -> Scope {
    Scope {
        cols: t
            .table
            .columns
            .iter()
            .map(|c| ScopeColumn {
                qualifier: Some(qualifier.to_owned()),
                name: c.name.clone(),
                ty: c.ty,
                typmod: c.typmod,
            })
            .collect(),
    }
}

fn no_column(col: &str, table: &str) -> PgError {
    PgError::new(
        sqlstate::UNDEFINED_COLUMN,
        format!("column \"{col}\" of relation \"{table}\" does not exist"),
    )
}

/// The DEFAULT of column `i` (NULL when it has none), analyzed.
pub fn column_default(a: &mut Analyzer, t: &TableRef, i: usize) -> PgResult<Expr> {
    let c = &t.table.columns[i];
    match &c.default {
        None => Ok(Expr::Const(Value::Null, c.ty)),
        Some(text) => {
            // Positions would point into the default's text, not the
            // statement's.
            let strip = |e: PgError| PgError {
                position: None,
                ..e
            };
            let e = parse_default(text).map_err(strip)?;
            let x = a
                .expr(&e, &Scope::default(), Clause::Values)
                .map_err(strip)?;
            assignment_cast(a, x, c.ty, c.typmod, &c.name)
        }
    }
}

fn is_default_keyword(e: &ast::Expr) -> bool {
    matches!(e, ast::Expr::Identifier(i) if i.quote_style.is_none() && i.value.eq_ignore_ascii_case("default"))
}

/// RETURNING items over `scope`: (expressions, result columns).
fn returning(
    a: &mut Analyzer,
    items: &Option<Vec<ast::SelectItem>>,
    scope: &Scope,
) -> PgResult<(Option<Vec<Expr>>, Vec<Column>)> {
    let Some(items) = items else {
        return Ok((None, vec![]));
    };
    let mut exprs = Vec::new();
    let mut cols = Vec::new();
    for item in items {
        match item {
            ast::SelectItem::UnnamedExpr(e) => {
                let x = a.expr(e, scope, Clause::Select)?;
                cols.push(Column::new(figure_colname(e).0, x.ty(), x.typmod()));
                exprs.push(x);
            }
            ast::SelectItem::ExprWithAlias { expr, alias } => {
                let x = a.expr(expr, scope, Clause::Select)?;
                cols.push(Column::new(ident(alias), x.ty(), x.typmod()));
                exprs.push(x);
            }
            ast::SelectItem::Wildcard(_) | ast::SelectItem::QualifiedWildcard(..) => {
                for (i, c) in scope.cols.iter().enumerate() {
                    exprs.push(Expr::Column(i, c.ty));
                    cols.push(Column::new(c.name.clone(), c.ty, c.typmod));
                }
            }
            _ => return Err(not_supported_yet("this RETURNING item")),
        }
    }
    for (x, c) in exprs.iter_mut().zip(&mut cols) {
        if x.ty() == oid::UNKNOWN {
            let t = std::mem::replace(x, Expr::Const(Value::Null, oid::TEXT));
            *x = a.coerce(t, oid::TEXT, false)?;
            c.type_oid = oid::TEXT;
        }
    }
    Ok((Some(exprs), cols))
}

/// SET assignments: (column, value over `scope`).
fn assignments(
    a: &mut Analyzer,
    t: &TableRef,
    list: &[ast::Assignment],
    scope: &Scope,
) -> PgResult<Vec<(usize, Expr)>> {
    let mut sets: Vec<(usize, Expr)> = Vec::new();
    for asg in list {
        let ast::AssignmentTarget::ColumnName(n) = &asg.target else {
            return Err(not_supported_yet("multiple-column assignment"));
        };
        let name = object_name(n).pop().unwrap_or_default();
        let col = t
            .table
            .column_index(&name)
            .ok_or_else(|| no_column(&name, &t.table.name))?;
        if sets.iter().any(|(c, _)| *c == col) {
            return Err(PgError::new(
                "42601",
                format!("multiple assignments to same column \"{name}\""),
            ));
        }
        let c = &t.table.columns[col];
        let x = if is_default_keyword(&asg.value) {
            column_default(a, t, col)?
        } else {
            let x = a.expr(&asg.value, scope, Clause::Select)?;
            assignment_cast(a, x, c.ty, c.typmod, &c.name)?
        };
        sets.push((col, x));
    }
    Ok(sets)
}

fn all_wanted(t: &TableRef) -> Vec<bool> {
    vec![true; t.table.columns.len()]
}

impl Analyzer<'_> {
    pub fn insert(&mut self, ins: &ast::Insert) -> PgResult<Modify> {
        let ast::TableObject::TableName(name) = &ins.table else {
            return Err(not_supported_yet("INSERT into a table function"));
        };
        let t = self.lookup_table(name)?;
        let tname = t.table.name.clone();
        let qualifier = ins
            .table_alias
            .as_ref()
            .map_or(tname.clone(), |a| ident(&a.alias));
        let width = t.table.columns.len();
        // Target columns.
        let targets: Vec<usize> = if ins.columns.is_empty() {
            (0..width).collect()
        } else {
            let mut v = Vec::new();
            for c in &ins.columns {
                let n = object_name(c).pop().unwrap_or_default();
                let i = t
                    .table
                    .column_index(&n)
                    .ok_or_else(|| self.with_pos(c, no_column(&n, &tname)))?;
                if v.contains(&i) {
                    return Err(PgError::new(
                        "42701",
                        format!("column \"{n}\" specified more than once"),
                    ));
                }
                v.push(i);
            }
            v
        };
        let too_many = || {
            PgError::new(
                sqlstate::SYNTAX_ERROR,
                "INSERT has more expressions than target columns",
            )
        };
        let too_few = || {
            PgError::new(
                sqlstate::SYNTAX_ERROR,
                "INSERT has more target columns than expressions",
            )
        };
        let (source, exprs, values) = match ins.source.as_deref() {
            None => {
                let row = (0..width)
                    .map(|i| column_default(self, &t, i))
                    .collect::<PgResult<Vec<_>>>()?;
                (Plan::Values(vec![row]), identity(&t), true)
            }
            Some(q)
                if matches!(q.body.as_ref(), ast::SetExpr::Values(_))
                    && q.order_by.is_none()
                    && q.limit_clause.is_none() =>
            {
                let ast::SetExpr::Values(v) = q.body.as_ref() else {
                    return Err(PgError::internal("VALUES"));
                };
                let mut rows = Vec::with_capacity(v.rows.len());
                for r in &v.rows {
                    if r.content.len() > targets.len() {
                        return Err(too_many());
                    }
                    if r.content.len() < targets.len() {
                        return Err(too_few());
                    }
                    let mut row: Vec<Option<Expr>> = vec![None; width];
                    for (e, &col) in r.content.iter().zip(&targets) {
                        let c = &t.table.columns[col];
                        row[col] = Some(if is_default_keyword(e) {
                            column_default(self, &t, col)?
                        } else {
                            let x = self.expr(e, &Scope::default(), Clause::Values)?;
                            assignment_cast(self, x, c.ty, c.typmod, &c.name)?
                        });
                    }
                    let mut full = Vec::with_capacity(width);
                    for (i, x) in row.into_iter().enumerate() {
                        full.push(match x {
                            Some(x) => x,
                            None => column_default(self, &t, i)?,
                        });
                    }
                    rows.push(full);
                }
                (Plan::Values(rows), identity(&t), true)
            }
            Some(q) => {
                let query = self.query(q)?;
                if query.columns.len() > targets.len() {
                    return Err(too_many());
                }
                if query.columns.len() < targets.len() {
                    return Err(too_few());
                }
                let mut exprs = Vec::with_capacity(width);
                for i in 0..width {
                    exprs.push(match targets.iter().position(|&c| c == i) {
                        Some(k) => {
                            let c = &t.table.columns[i];
                            let src = Expr::Column(k, query.columns[k].type_oid);
                            assignment_cast(self, src, c.ty, c.typmod, &c.name)?
                        }
                        None => column_default(self, &t, i)?,
                    });
                }
                (optimizer::plan_query(&query), exprs, false)
            }
        };
        let on_conflict = match &ins.on {
            None => None,
            Some(ast::OnInsert::OnConflict(oc)) => Some(self.on_conflict(&t, oc, &qualifier)?),
            Some(_) => return Err(not_supported_yet("ON DUPLICATE KEY UPDATE")),
        };
        let scope = table_scope(&t, &qualifier);
        let (returning, columns) = returning(self, &ins.returning, &scope)?;
        Ok(Modify {
            kind: ModifyKind::Insert {
                source,
                exprs,
                values,
                on_conflict,
            },
            table: t,
            returning,
            columns,
        })
    }

    fn on_conflict(
        &mut self,
        t: &TableRef,
        oc: &ast::OnConflict,
        qualifier: &str,
    ) -> PgResult<OnConflict> {
        let index = match &oc.conflict_target {
            None => None,
            Some(ast::ConflictTarget::Columns { columns, .. }) => {
                let mut cols = Vec::new();
                for c in columns {
                    let n = ident(c);
                    cols.push(
                        t.table
                            .column_index(&n)
                            .ok_or_else(|| no_column(&n, &t.table.name))?,
                    );
                }
                cols.sort_unstable();
                let found = t.indexes.iter().find(|i| {
                    let mut ic = i.columns.clone();
                    ic.sort_unstable();
                    i.unique && ic == cols
                });
                Some(found.cloned().ok_or_else(|| {
                    PgError::new(
                        sqlstate::INVALID_COLUMN_REFERENCE,
                        "there is no unique or exclusion constraint matching the ON CONFLICT specification",
                    )
                })?)
            }
            Some(ast::ConflictTarget::OnConstraint(n)) => {
                let name = object_name(n).pop().unwrap_or_default();
                Some(
                    t.indexes
                        .iter()
                        .find(|i| i.name == name && i.unique)
                        .cloned()
                        .ok_or_else(|| {
                            PgError::new(
                                sqlstate::UNDEFINED_OBJECT,
                                format!(
                                    "constraint \"{name}\" for table \"{}\" does not exist",
                                    t.table.name
                                ),
                            )
                        })?,
                )
            }
        };
        let action = match &oc.action {
            ast::OnConflictAction::DoNothing => ConflictAction::Nothing,
            ast::OnConflictAction::DoUpdate(du) => {
                if index.is_none() {
                    return Err(PgError::new(
                        sqlstate::SYNTAX_ERROR,
                        "ON CONFLICT DO UPDATE requires inference specification or constraint name",
                    )
                    .with_hint("For example, ON CONFLICT (column_name)."));
                }
                let mut scope = table_scope(t, qualifier);
                scope.cols.extend(table_scope(t, "excluded").cols);
                let sets = assignments(self, t, &du.assignments, &scope)?;
                let filter = match &du.selection {
                    Some(w) => {
                        let x = self.expr(w, &scope, Clause::Where)?;
                        Some(self.coerce_arg(x, oid::BOOL, "WHERE")?)
                    }
                    None => None,
                };
                ConflictAction::Update { sets, filter }
            }
        };
        Ok(OnConflict { index, action })
    }

    /// The target table and scope of UPDATE/DELETE.
    fn target(&mut self, twj: &ast::TableWithJoins) -> PgResult<(TableRef, Scope)> {
        if !twj.joins.is_empty() {
            return Err(not_supported_yet("joins in UPDATE and DELETE"));
        }
        let ast::TableFactor::Table { name, alias, .. } = &twj.relation else {
            return Err(not_supported_yet("this UPDATE/DELETE target"));
        };
        let t = self.lookup_table(name)?;
        let q = alias
            .as_ref()
            .map_or(t.table.name.clone(), |a| ident(&a.name));
        let scope = table_scope(&t, &q);
        Ok((t, scope))
    }

    /// The scan finding the rows to change, and the WHERE to check again.
    fn where_scan(
        &mut self,
        t: &TableRef,
        sel: &Option<ast::Expr>,
        scope: &Scope,
    ) -> PgResult<(ScanPlan, Option<Expr>)> {
        let filter = match sel {
            Some(w) => {
                let x = self.expr(w, scope, Clause::Where)?;
                Some(self.coerce_arg(x, oid::BOOL, "WHERE")?)
            }
            None => None,
        };
        Ok((
            plan_scan(t.clone(), conjuncts(filter.clone()), all_wanted(t)),
            filter,
        ))
    }

    /// The row-locking step of a SELECT with FOR UPDATE / FOR SHARE.
    pub fn lock_rows(&mut self, q: &ast::Query) -> PgResult<LockRows> {
        let ast::SetExpr::Select(sel) = q.body.as_ref() else {
            return Err(not_supported_yet("FOR UPDATE on this kind of query"));
        };
        let nowait = match q.locks.iter().find_map(|l| l.nonblock.as_ref()) {
            None => false,
            Some(ast::NonBlock::Nowait) => true,
            Some(ast::NonBlock::SkipLocked) => return Err(not_supported_yet("SKIP LOCKED")),
        };
        if q.locks.iter().any(|l| l.of.is_some()) {
            return Err(not_supported_yet("FOR UPDATE OF"));
        }
        let refuse = |what: &str| {
            PgError::new(
                sqlstate::FEATURE_NOT_SUPPORTED,
                format!("FOR UPDATE is not allowed with {what}"),
            )
        };
        if sel.distinct.is_some() {
            return Err(refuse("DISTINCT clause"));
        }
        if !matches!(&sel.group_by, ast::GroupByExpr::Expressions(e, _) if e.is_empty()) {
            return Err(refuse("GROUP BY clause"));
        }
        if sel.having.is_some() {
            return Err(refuse("HAVING clause"));
        }
        let [twj] = sel.from.as_slice() else {
            return Err(not_supported_yet("FOR UPDATE over several tables"));
        };
        let (table, scope) = self.target(twj)?;
        let (scan, recheck) = self.where_scan(&table, &sel.selection, &scope)?;
        Ok(LockRows {
            table,
            scan,
            recheck,
            nowait,
        })
    }

    pub fn update(&mut self, u: &ast::Update) -> PgResult<Modify> {
        if u.from.is_some() {
            return Err(not_supported_yet("UPDATE ... FROM"));
        }
        let (t, scope) = self.target(&u.table)?;
        let sets = assignments(self, &t, &u.assignments, &scope)?;
        let (scan, recheck) = self.where_scan(&t, &u.selection, &scope)?;
        let (returning, columns) = returning(self, &u.returning, &scope)?;
        Ok(Modify {
            kind: ModifyKind::Update {
                scan,
                recheck,
                sets,
            },
            table: t,
            returning,
            columns,
        })
    }

    pub fn delete(&mut self, d: &ast::Delete) -> PgResult<Modify> {
        if d.using.is_some() || !d.tables.is_empty() {
            return Err(not_supported_yet("DELETE ... USING"));
        }
        let from = match &d.from {
            ast::FromTable::WithFromKeyword(f) | ast::FromTable::WithoutKeyword(f) => f,
        };
        let [twj] = from.as_slice() else {
            return Err(not_supported_yet("DELETE from several tables"));
        };
        let (t, scope) = self.target(twj)?;
        let (scan, recheck) = self.where_scan(&t, &d.selection, &scope)?;
        let (returning, columns) = returning(self, &d.returning, &scope)?;
        Ok(Modify {
            kind: ModifyKind::Delete { scan, recheck },
            table: t,
            returning,
            columns,
        })
    }
}

fn identity(t: &TableRef) -> Vec<Expr> {
    t.table
        .columns
        .iter()
        .enumerate()
        .map(|(i, c)| Expr::Column(i, c.ty))
        .collect()
}

impl Modify {
    /// The command tag for `n` rows.
    pub fn tag(&self, n: u64) -> String {
        match self.kind {
            ModifyKind::Insert { .. } => format!("INSERT 0 {n}"),
            ModifyKind::Update { .. } => format!("UPDATE {n}"),
            ModifyKind::Delete { .. } => format!("DELETE {n}"),
        }
    }

    /// Runs the statement; RETURNING rows go to `emit`. Returns the
    /// number of rows inserted, updated or deleted. A statement that
    /// fails leaves nothing visible: its transaction aborts.
    pub fn run(
        &self,
        ctx: &EvalCtx,
        emit: &mut dyn FnMut(&[Value]) -> PgResult<()>,
    ) -> PgResult<u64> {
        let mut acc = TableAccess::new(
            ctx.pool,
            self.table.table.clone(),
            self.table.indexes.clone(),
            ctx.xact,
        );
        let mut ret = |row: &[Value]| -> PgResult<()> {
            if let Some(r) = &self.returning {
                let out: Vec<Value> = r
                    .iter()
                    .map(|e| eval(e, row, ctx))
                    .collect::<PgResult<_>>()?;
                emit(&out)?;
            }
            Ok(())
        };
        let mut n = 0u64;
        match &self.kind {
            ModifyKind::Insert {
                source,
                exprs,
                values,
                on_conflict,
            } => {
                let mut node = build(source);
                let mut pending = Vec::new();
                if !*values {
                    while let Some(src) = node.next(ctx)? {
                        check_for_interrupts()?;
                        ctx.mem.charge_row(&src)?;
                        pending.push(src);
                    }
                }
                let mut pending = pending.into_iter();
                loop {
                    let src = if *values {
                        node.next(ctx)?
                    } else {
                        pending.next()
                    };
                    let Some(src) = src else { break };
                    check_for_interrupts()?;
                    let mut row: Vec<Value> = exprs
                        .iter()
                        .map(|e| eval(e, &src, ctx))
                        .collect::<PgResult<_>>()?;
                    acc.check_row(&mut row)?;
                    if let Some(changed) =
                        insert_one(&mut acc, row, on_conflict.as_ref(), ctx, &mut ret)?
                    {
                        n += u64::from(changed);
                    }
                }
            }
            ModifyKind::Update {
                scan,
                recheck,
                sets,
            } => {
                for (tid, row) in collect(scan, ctx)? {
                    check_for_interrupts()?;
                    let done = change_row(
                        &mut acc,
                        tid,
                        row,
                        recheck.as_ref(),
                        ctx,
                        &mut |acc, tid, old| {
                            let mut new = old.to_vec();
                            for (c, e) in sets {
                                new[*c] = eval(e, old, ctx)?;
                            }
                            acc.check_row(&mut new)?;
                            Ok(match acc.update(tid, old, &new)? {
                                Ok(_) => Ok(new),
                                Err(UpdateFailure::Tm(r)) => Err(r),
                                Err(UpdateFailure::Conflict(c)) => return Err(acc.unique_error(&c)),
                            })
                        },
                    )?;
                    if let Some(new) = done {
                        n += 1;
                        ret(&new)?;
                    }
                }
            }
            ModifyKind::Delete { scan, recheck } => {
                for (tid, row) in collect(scan, ctx)? {
                    check_for_interrupts()?;
                    let done = change_row(
                        &mut acc,
                        tid,
                        row,
                        recheck.as_ref(),
                        ctx,
                        &mut |acc, tid, old| {
                            Ok(match acc.delete(tid)? {
                                TmResult::Ok => Ok(old.to_vec()),
                                r => Err(r),
                            })
                        },
                    )?;
                    if let Some(old) = done {
                        n += 1;
                        ret(&old)?;
                    }
                }
            }
        }
        Ok(n)
    }
}

impl LockRows {
    /// Locks every row the WHERE selects.
    pub fn run(&self, ctx: &EvalCtx) -> PgResult<()> {
        let mut acc = TableAccess::new(ctx.pool, self.table.table.clone(), Vec::new(), ctx.xact);
        for (tid, row) in collect(&self.scan, ctx)? {
            check_for_interrupts()?;
            change_row(
                &mut acc,
                tid,
                row,
                self.recheck.as_ref(),
                ctx,
                &mut |acc, tid, cur| {
                    Ok(match acc.lock_row(tid)? {
                        TmResult::Ok => Ok(cur.to_vec()),
                        TmResult::BeingModified(_) if self.nowait => {
                            return Err(PgError::new(
                                sqlstate::LOCK_NOT_AVAILABLE,
                                format!(
                                    "could not obtain lock on row in relation \"{}\"",
                                    acc.table.name
                                ),
                            ))
                        }
                        r => Err(r),
                    })
                },
            )?;
        }
        Ok(())
    }
}

/// What a change attempt on one row version returns: the row to report,
/// or why the version may not be changed.
type Attempt = PgResult<Result<Vec<Value>, TmResult>>;

/// 40001 for REPEATABLE READ when the row changed under the snapshot.
fn serialization_failure(deleted: bool) -> PgError {
    PgError::new(
        sqlstate::SERIALIZATION_FAILURE,
        if deleted {
            "could not serialize access due to concurrent delete"
        } else {
            "could not serialize access due to concurrent update"
        },
    )
}

/// Applies `attempt` to the row version at `tid` (whose values are
/// `row`), following PostgreSQL's rules when another transaction got
/// there first: wait for a writer still in progress; under READ COMMITTED
/// move on to the newest version if it still satisfies `recheck` (an
/// update chain: EvalPlanQual), under REPEATABLE READ fail with 40001.
/// Returns what `attempt` reported, None if the row is gone or no longer
/// qualifies.
pub fn change_row(
    acc: &mut TableAccess,
    mut tid: ItemPointer,
    mut row: Vec<Value>,
    recheck: Option<&Expr>,
    ctx: &EvalCtx,
    attempt: &mut dyn FnMut(&mut TableAccess, ItemPointer, &[Value]) -> Attempt,
) -> PgResult<Option<Vec<Value>>> {
    loop {
        let r = match attempt(acc, tid, &row)? {
            Ok(out) => return Ok(Some(out)),
            Err(r) => r,
        };
        match r {
            TmResult::Ok | TmResult::Invisible | TmResult::SelfModified => return Ok(None),
            TmResult::BeingModified(x) => {
                ctx.xact.wait_for(x)?;
                // The version is unchanged (versions are immutable): try
                // it again now that the other transaction ended.
            }
            TmResult::Deleted if ctx.xact.repeatable_read => {
                return Err(serialization_failure(true))
            }
            TmResult::Deleted => return Ok(None),
            TmResult::Updated(_) if ctx.xact.repeatable_read => {
                return Err(serialization_failure(false))
            }
            TmResult::Updated(next) => {
                let Some((old, _)) = acc.fetch_version(tid)? else {
                    return Ok(None);
                };
                let Some((h, newer)) = acc.fetch_version(next)? else {
                    return Ok(None);
                };
                // A pruned chain whose line pointer was reused: the row is
                // gone.
                if h.t_xmin != old.t_xmax {
                    return Ok(None);
                }
                if let Some(f) = recheck {
                    if !eval_predicate(f, &newer, ctx)? {
                        return Ok(None);
                    }
                }
                tid = next;
                row = newer;
            }
        }
    }
}

/// The rows a scan finds, read completely before any is changed.
fn collect(
    scan: &ScanPlan,
    ctx: &EvalCtx,
) -> PgResult<Vec<(crate::access::ItemPointer, Vec<Value>)>> {
    let mut cursor = TableCursor::open(scan, &[], ctx)?;
    let mut out = Vec::new();
    while let Some(r) = cursor.next(ctx)? {
        ctx.mem.charge_row(&r.1)?;
        out.push(r);
    }
    Ok(out)
}

/// Inserts one checked row, applying ON CONFLICT. Returns whether a row
/// was inserted or updated (Some(false): skipped by DO NOTHING/WHERE).
fn insert_one(
    acc: &mut TableAccess,
    row: Vec<Value>,
    on_conflict: Option<&OnConflict>,
    ctx: &EvalCtx,
    ret: &mut dyn FnMut(&[Value]) -> PgResult<()>,
) -> PgResult<Option<bool>> {
    // A conflicting row that disappears before we reach it: try again.
    for _ in 0..100 {
        let conflict = match acc.insert(&row)? {
            Ok(_) => {
                ret(&row)?;
                return Ok(Some(true));
            }
            Err(c) => c,
        };
        let Some(oc) = on_conflict else {
            return Err(acc.unique_error(&conflict));
        };
        if oc
            .index
            .as_ref()
            .is_some_and(|i| i.oid != conflict.index.oid)
        {
            return Err(acc.unique_error(&conflict));
        }
        let (sets, filter) = match &oc.action {
            ConflictAction::Nothing => return Ok(Some(false)),
            ConflictAction::Update { sets, filter } => (sets, filter),
        };
        let Some((_, existing)) = acc.fetch_version(conflict.existing)? else {
            continue;
        };
        // Update the conflicting row as it is now (even if our snapshot
        // does not see it), as PostgreSQL's ON CONFLICT DO UPDATE does;
        // a row changed meanwhile sends us around again.
        let mut skipped = false;
        let done = {
            let mut attempt = |acc: &mut TableAccess, tid: ItemPointer, cur: &[Value]| -> Attempt {
                let mut both = cur.to_vec();
                both.extend(row.iter().cloned());
                if let Some(f) = filter {
                    if !eval_predicate(f, &both, ctx)? {
                        skipped = true;
                        return Ok(Ok(cur.to_vec()));
                    }
                }
                let mut new = cur.to_vec();
                for (c, e) in sets {
                    new[*c] = eval(e, &both, ctx)?;
                }
                acc.check_row(&mut new)?;
                Ok(match acc.update(tid, cur, &new)? {
                    Ok(_) => Ok(new),
                    Err(UpdateFailure::Tm(r)) => Err(r),
                    Err(UpdateFailure::Conflict(c)) => return Err(acc.unique_error(&c)),
                })
            };
            match attempt(acc, conflict.existing, &existing)? {
                Ok(new) => Some(new),
                Err(TmResult::BeingModified(x)) => {
                    ctx.xact.wait_for(x)?;
                    None
                }
                Err(TmResult::Updated(_) | TmResult::Deleted) if ctx.xact.repeatable_read => {
                    return Err(serialization_failure(false))
                }
                Err(_) => None,
            }
        };
        match done {
            Some(_) if skipped => return Ok(Some(false)),
            Some(new) => {
                ret(&new)?;
                return Ok(Some(true));
            }
            None => continue,
        }
    }
    Err(PgError::internal("ON CONFLICT retried too often"))
}
