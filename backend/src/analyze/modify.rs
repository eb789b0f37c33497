//! Analysis of INSERT, UPDATE, DELETE and SELECT ... FOR UPDATE (PostgreSQL's
//! transformInsertStmt and friends): target columns, defaults, assignment
//! casts, ON CONFLICT, RETURNING and the WHERE that selects the rows. The
//! optimizer plans the result (`optimizer::plan_modify`).

use sqlparser::ast;

use crate::analyze::expr::Clause;
use crate::analyze::names::figure_colname;
use crate::analyze::view_update::{Command, WriteTarget};
use crate::analyze::{not_supported_yet, Analyzer, Scope, ScopeColumn};
use crate::error::{sqlstate, PgError, PgResult};
use crate::nodes::expr::Expr;
use crate::nodes::modify::{
    ConflictAction, InsertSource, LockRowsStmt, ModifyStmt, ModifyStmtKind, OnConflict,
};
use crate::nodes::query::{Query, TableRef};
use crate::nodes::Column;
use crate::parser::{ident, object_name};
use crate::types::{oid, type_name, Oid, Value};
use crate::utils::adt::coerce::category;
use crate::utils::adt::ops;

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
    if from == oid::UNKNOWN
        || ops::can_coerce_implicitly(from, ty)
        || (from == oid::RECORD && crate::types::composite::by_oid(ty).is_some())
    {
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

pub(super) fn table_scope(t: &TableRef, qualifier: &str) -> Scope {
    Scope {
        cols: t
            .table
            .columns
            .iter()
            .enumerate()
            .map(|(i, c)| ScopeColumn {
                qualifier: Some(qualifier.to_owned()),
                name: c.name.clone(),
                ty: c.ty,
                typmod: c.typmod,
                hidden: c.dropped,
                system: c.dropped,
                origin: (t.table.oid, i as i16 + 1),
                record: None,
                computed: None,
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
    // An identity column's value comes from its sequence.
    let identity = a
        .catalog
        .identity(t.table.oid, i)
        .map(|s| format!("nextval({}::oid::regclass)", s.oid));
    // A column without a DEFAULT takes its domain's.
    let domain_default = a
        .catalog
        .column_domain(t.table.oid, i + 1)
        .and_then(|d| d.default.clone());
    match identity
        .as_ref()
        .or(c.default.as_ref())
        .or(domain_default.as_ref())
    {
        None => Ok(Expr::Const(Value::Null, c.ty)),
        Some(text) => {
            // Positions would point into the default's text, not the
            // statement's.
            let strip = |e: PgError| PgError {
                position: None,
                ..e
            };
            let e = crate::parser::parse_expr(text).map_err(strip)?;
            let x = a
                .expr(&e, &Scope::default(), Clause::Values)
                .map_err(strip)?;
            assignment_cast(a, x, c.ty, c.typmod, &c.name)
        }
    }
}

/// The DEFAULT of base column `i` of a statement's target: a view's
/// default for it when it has one, else the table's.
fn target_default(a: &mut Analyzer, target: &WriteTarget, i: usize) -> PgResult<Expr> {
    let Some((text, name)) = target.view_default(i) else {
        return column_default(a, &target.table, i);
    };
    let strip = |e: PgError| PgError {
        position: None,
        ..e
    };
    let e = crate::parser::parse_expr(text).map_err(strip)?;
    let x = a
        .expr(&e, &Scope::default(), Clause::Values)
        .map_err(strip)?;
    let c = &target.table.table.columns[i];
    let name = name.to_owned();
    assignment_cast(a, x, c.ty, c.typmod, &name)
}

/// Whether column `i` is an identity column GENERATED ALWAYS.
fn generated_always(a: &Analyzer, t: &TableRef, i: usize) -> bool {
    a.catalog
        .identity(t.table.oid, i)
        .is_some_and(|s| s.identity == b'a')
}

/// 428C9 for a value given to a GENERATED ALWAYS identity column
/// (`update`: in UPDATE ... SET).
fn generated_always_error(col: &str, update: bool) -> PgError {
    let e = PgError::new(
        "428C9",
        if update {
            format!("column \"{col}\" can only be updated to DEFAULT")
        } else {
            format!("cannot insert a non-DEFAULT value into column \"{col}\"")
        },
    )
    .with_detail(format!(
        "Column \"{col}\" is an identity column defined as GENERATED ALWAYS."
    ));
    if update {
        e
    } else {
        e.with_hint("Use OVERRIDING SYSTEM VALUE to override.")
    }
}

/// How INSERT treats a value given to column `i`: `Ok(true)` to use it,
/// `Ok(false)` to use the column's default instead (OVERRIDING USER VALUE
/// of an identity column), 428C9 for a GENERATED ALWAYS column without
/// OVERRIDING SYSTEM VALUE.
fn insert_value_used(
    a: &Analyzer,
    t: &TableRef,
    i: usize,
    overriding: Option<&ast::InsertOverriding>,
) -> PgResult<bool> {
    if a.catalog.identity(t.table.oid, i).is_none() {
        return Ok(true);
    }
    match overriding {
        Some(ast::InsertOverriding::User) => Ok(false),
        Some(ast::InsertOverriding::System) => Ok(true),
        None if generated_always(a, t, i) => {
            Err(generated_always_error(&t.table.columns[i].name, false))
        }
        None => Ok(true),
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
                let x = a.expr(e, scope, Clause::Returning)?;
                cols.push(returning_column(figure_colname(e).0, &x, scope));
                exprs.push(x);
            }
            ast::SelectItem::ExprWithAlias { expr, alias } => {
                let x = a.expr(expr, scope, Clause::Returning)?;
                cols.push(returning_column(ident(alias), &x, scope));
                exprs.push(x);
            }
            ast::SelectItem::Wildcard(_) | ast::SelectItem::QualifiedWildcard(..) => {
                // `t.*`: the columns of t (with FROM/USING, there are
                // other tables'); `*`: all but USING-merged duplicates.
                let qual = match item {
                    ast::SelectItem::QualifiedWildcard(
                        ast::SelectItemQualifiedWildcardKind::ObjectName(n),
                        _,
                    ) => {
                        let q = object_name(n).pop().unwrap_or_default();
                        if !scope.has_qualifier(&q) {
                            return Err(PgError::new(
                                sqlstate::UNDEFINED_TABLE,
                                format!("missing FROM-clause entry for table \"{q}\""),
                            ));
                        }
                        Some(q)
                    }
                    _ => None,
                };
                for (i, c) in scope.cols.iter().enumerate() {
                    // System columns are never part of `*` or `t.*`.
                    let wanted = !c.system
                        && match &qual {
                            Some(q) => c.qualifier.as_ref() == Some(q),
                            None => !c.hidden,
                        };
                    if !wanted {
                        continue;
                    }
                    exprs.push(match &c.computed {
                        Some(x) => (**x).clone(),
                        None => Expr::Column(i, c.ty),
                    });
                    let mut col = Column::new(c.name.clone(), c.ty, c.typmod);
                    (col.table_oid, col.column_id) = c.origin;
                    cols.push(col);
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
    target: &WriteTarget,
    list: &[ast::Assignment],
    scope: &Scope,
) -> PgResult<Vec<(usize, Expr)>> {
    let t = &target.table;
    let mut named: Vec<usize> = Vec::new();
    for asg in list {
        let ast::AssignmentTarget::ColumnName(n) = &asg.target else {
            return Err(not_supported_yet("multiple-column assignment"));
        };
        let name = object_name(n).pop().unwrap_or_default();
        let col = target
            .column_index(&name)
            .ok_or_else(|| a.with_pos(n, no_column(&name, target.name())))?;
        if named.contains(&col) {
            return Err(PgError::new(
                "42601",
                format!("multiple assignments to same column \"{name}\""),
            ));
        }
        named.push(col);
    }
    let base = target.base_columns(&named, Command::Update)?;
    let mut sets: Vec<(usize, Expr)> = Vec::new();
    for (asg, col) in list.iter().zip(base) {
        let c = &t.table.columns[col];
        let name = match &asg.target {
            ast::AssignmentTarget::ColumnName(n) => object_name(n).pop().unwrap_or_default(),
            _ => c.name.clone(),
        };
        let x = if is_default_keyword(&asg.value) {
            target_default(a, target, col)?
        } else if generated_always(a, t, col) {
            return Err(generated_always_error(&c.name, true));
        } else {
            let x = a.expr(&asg.value, scope, Clause::UpdateSet)?;
            assignment_cast(a, x, c.ty, c.typmod, &name)?
        };
        sets.push((col, x));
    }
    Ok(sets)
}

impl Analyzer<'_> {
    pub fn insert(&mut self, ins: &ast::Insert) -> PgResult<ModifyStmt> {
        let ast::TableObject::TableName(name) = &ins.table else {
            return Err(not_supported_yet("INSERT into a table function"));
        };
        let rel = self.target_relation(name)?;
        let upsert = matches!(
            &ins.on,
            Some(ast::OnInsert::OnConflict(ast::OnConflict {
                action: ast::OnConflictAction::DoUpdate(_),
                ..
            }))
        );
        let need = {
            use crate::catalog::roles::privs;
            let mask = privs::INSERT | if upsert { privs::UPDATE } else { 0 };
            (mask, ins.returning.is_some() || upsert)
        };
        self.require_target(rel, need.0, need.1);
        let qualifier = match &ins.table_alias {
            Some(a) => ident(&a.alias),
            None => object_name(name).pop().unwrap_or_default(),
        };
        let target = self.write_target(rel, &qualifier, Command::Insert, need)?;
        let t = target.table.clone();
        let tname = target.name().to_owned();
        let width = t.table.columns.len();
        // Target columns, of the named relation.
        let named: Vec<usize> = if ins.columns.is_empty() {
            target.insert_columns()
        } else {
            let mut v = Vec::new();
            for c in &ins.columns {
                let n = object_name(c).pop().unwrap_or_default();
                let i = target
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
        // The columns a source of `n` values per row writes: with a column
        // list, the list; without one, the relation's first `n` (as
        // PostgreSQL's transformInsertStmt), so a short VALUES row leaves
        // the trailing columns to their defaults.
        let targets_for = |n: usize| -> PgResult<Vec<usize>> {
            let cols = if ins.columns.is_empty() {
                &named[..n.min(named.len())]
            } else {
                &named[..]
            };
            if target.views.is_empty() {
                Ok(cols.to_vec())
            } else {
                target.base_columns(cols, Command::Insert)
            }
        };
        // More values than target columns is an error either way; fewer
        // only with a column list.
        let check_width = |n: usize| -> PgResult<()> {
            if n > named.len() {
                return Err(PgError::new(
                    sqlstate::SYNTAX_ERROR,
                    "INSERT has more expressions than target columns",
                ));
            }
            if n < named.len() && !ins.columns.is_empty() {
                return Err(PgError::new(
                    sqlstate::SYNTAX_ERROR,
                    "INSERT has more target columns than expressions",
                ));
            }
            Ok(())
        };
        let (source, exprs) = match ins.source.as_deref() {
            None => {
                let row = (0..width)
                    .map(|i| target_default(self, &target, i))
                    .collect::<PgResult<Vec<_>>>()?;
                (InsertSource::Values(vec![row]), identity(&t))
            }
            Some(q)
                if matches!(q.body.as_ref(), ast::SetExpr::Values(_))
                    && q.order_by.is_none()
                    && q.limit_clause.is_none() =>
            {
                let ast::SetExpr::Values(v) = q.body.as_ref() else {
                    return Err(PgError::internal("VALUES"));
                };
                let n = v.rows.first().map_or(0, |r| r.content.len());
                if v.rows.iter().any(|r| r.content.len() != n) {
                    return Err(PgError::new(
                        sqlstate::SYNTAX_ERROR,
                        "VALUES lists must all be the same length",
                    ));
                }
                check_width(n)?;
                let targets = targets_for(n)?;
                let mut rows = Vec::with_capacity(v.rows.len());
                for r in &v.rows {
                    let mut row: Vec<Option<Expr>> = vec![None; width];
                    for (e, &col) in r.content.iter().zip(&targets) {
                        let c = &t.table.columns[col];
                        // DEFAULT, or a value OVERRIDING USER VALUE ignores
                        // (a GENERATED ALWAYS column's is refused).
                        let default = is_default_keyword(e)
                            || !insert_value_used(self, &t, col, ins.overriding.as_ref())?;
                        row[col] = Some(if default {
                            target_default(self, &target, col)?
                        } else {
                            let x = self.expr(e, &Scope::default(), Clause::Values)?;
                            assignment_cast(self, x, c.ty, c.typmod, &c.name)?
                        });
                    }
                    let mut full = Vec::with_capacity(width);
                    for (i, x) in row.into_iter().enumerate() {
                        full.push(match x {
                            Some(x) => x,
                            None => target_default(self, &target, i)?,
                        });
                    }
                    rows.push(full);
                }
                (InsertSource::Values(rows), identity(&t))
            }
            Some(q) => {
                let query = self.query(q)?;
                check_width(query.columns.len())?;
                let targets = targets_for(query.columns.len())?;
                let mut exprs = Vec::with_capacity(width);
                for i in 0..width {
                    let given = targets.iter().position(|&c| c == i);
                    let given = match given {
                        Some(k) if insert_value_used(self, &t, i, ins.overriding.as_ref())? => {
                            Some(k)
                        }
                        _ => None,
                    };
                    exprs.push(match given {
                        Some(k) => {
                            let c = &t.table.columns[i];
                            let src = Expr::Column(k, query.columns[k].type_oid);
                            assignment_cast(self, src, c.ty, c.typmod, &c.name)?
                        }
                        None => target_default(self, &target, i)?,
                    });
                }
                (InsertSource::Query(Box::new(query)), exprs)
            }
        };
        let on_conflict = match &ins.on {
            None => None,
            Some(ast::OnInsert::OnConflict(_)) if !target.views.is_empty() => {
                return Err(not_supported_yet("ON CONFLICT through a view"))
            }
            Some(ast::OnInsert::OnConflict(oc)) => Some(self.on_conflict(&target, oc, &qualifier)?),
            Some(_) => return Err(not_supported_yet("ON DUPLICATE KEY UPDATE")),
        };
        let scope = target.full_scope(vec![]);
        let (returning, columns) = returning(self, &ins.returning, &scope)?;
        let view_checks = target.checks();
        Ok(ModifyStmt {
            view_checks,
            kind: ModifyStmtKind::Insert {
                source,
                exprs,
                on_conflict,
            },
            join: None,
            table: t,
            returning,
            columns,
        })
    }

    fn on_conflict(
        &mut self,
        target: &WriteTarget,
        oc: &ast::OnConflict,
        qualifier: &str,
    ) -> PgResult<OnConflict> {
        let t = &target.table;
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
                        .find(|i| i.name == name && i.constraint)
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
                let sets = assignments(self, target, &du.assignments, &scope)?;
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

    /// The target table and scope of SELECT ... FOR UPDATE.
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

    /// The table or view an INSERT, UPDATE or DELETE names (42P01 for
    /// anything else, as for a missing table).
    fn target_relation(&mut self, name: &ast::ObjectName) -> PgResult<crate::types::Oid> {
        let parts = object_name(name);
        if let Ok((schema, rel)) = super::from::split_name(&parts) {
            if let Some((crate::catalog::RelKind::View, o)) =
                self.catalog.resolve_relation(schema, rel)
            {
                self.uses_catalog = true;
                return Ok(o);
            }
        }
        Ok(self.lookup_table(name)?.table.oid)
    }

    /// The target of UPDATE/DELETE, resolved through views.
    fn write_target_of(
        &mut self,
        twj: &ast::TableWithJoins,
        cmd: Command,
        need: (u32, bool),
    ) -> PgResult<WriteTarget> {
        if !twj.joins.is_empty() {
            return Err(not_supported_yet("joins in UPDATE and DELETE"));
        }
        let ast::TableFactor::Table { name, alias, .. } = &twj.relation else {
            return Err(not_supported_yet("this UPDATE/DELETE target"));
        };
        let rel = self.target_relation(name)?;
        self.require_target(rel, need.0, need.1);
        let q = match alias {
            Some(a) => ident(&a.name),
            None => object_name(name).pop().unwrap_or_default(),
        };
        self.write_target(rel, &q, cmd, need)
    }

    /// The WHERE clause selecting the rows to change.
    fn where_clause(&mut self, sel: &Option<ast::Expr>, scope: &Scope) -> PgResult<Option<Expr>> {
        Ok(match sel {
            Some(w) => {
                let x = self.expr(w, scope, Clause::Where)?;
                Some(self.coerce_arg(x, oid::BOOL, "WHERE")?)
            }
            None => None,
        })
    }

    /// The row-locking step of a SELECT with FOR UPDATE / FOR SHARE.
    pub fn lock_rows(&mut self, q: &ast::Query) -> PgResult<LockRowsStmt> {
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
        let filter = self.where_clause(&sel.selection, &scope)?;
        Ok(LockRowsStmt {
            table,
            filter,
            nowait,
        })
    }

    /// UPDATE ... FROM / DELETE ... USING: the other tables as a query
    /// returning all their columns, and the scope of the target's columns
    /// followed by theirs.
    fn join_items(
        &mut self,
        items: Option<&[ast::TableWithJoins]>,
        target: &WriteTarget,
    ) -> PgResult<(Option<Box<Query>>, Scope)> {
        let Some(items) = items.filter(|i| !i.is_empty()) else {
            return Ok((None, target.full_scope(vec![])));
        };
        let (source, other) = self.from(items)?;
        let targets = other
            .cols
            .iter()
            .enumerate()
            .map(|(i, c)| Expr::Column(i, c.ty))
            .collect();
        let columns = other
            .cols
            .iter()
            .map(|c| Column::new(c.name.clone(), c.ty, c.typmod))
            .collect();
        let q = crate::analyze::projection_query(source, targets, columns);
        Ok((Some(Box::new(q)), target.full_scope(other.cols)))
    }

    pub fn update(&mut self, u: &ast::Update) -> PgResult<ModifyStmt> {
        let reads = u.selection.is_some()
            || u.returning.is_some()
            || u.assignments
                .iter()
                .any(|a| super::privileges::names_columns(&a.value));
        let need = (crate::catalog::roles::privs::UPDATE, reads);
        let target = self.write_target_of(&u.table, Command::Update, need)?;
        let t = target.table.clone();
        let from = match &u.from {
            Some(
                ast::UpdateTableFromKind::BeforeSet(f) | ast::UpdateTableFromKind::AfterSet(f),
            ) => Some(f.as_slice()),
            None => None,
        };
        let (join, scope) = self.join_items(from, &target)?;
        let sets = assignments(self, &target, &u.assignments, &scope)?;
        let filter = self.where_clause(&u.selection, &scope)?;
        let filter = target.restrict(filter);
        let (returning, columns) = returning(self, &u.returning, &scope)?;
        let view_checks = target.checks();
        Ok(ModifyStmt {
            view_checks,
            kind: ModifyStmtKind::Update { filter, sets },
            join,
            table: t,
            returning,
            columns,
        })
    }

    pub fn delete(&mut self, d: &ast::Delete) -> PgResult<ModifyStmt> {
        if !d.tables.is_empty() {
            return Err(not_supported_yet("DELETE of several tables"));
        }
        let from = match &d.from {
            ast::FromTable::WithFromKeyword(f) | ast::FromTable::WithoutKeyword(f) => f,
        };
        let [twj] = from.as_slice() else {
            return Err(not_supported_yet("DELETE from several tables"));
        };
        let need = (
            crate::catalog::roles::privs::DELETE,
            d.selection.is_some() || d.returning.is_some(),
        );
        let target = self.write_target_of(twj, Command::Delete, need)?;
        let t = target.table.clone();
        let (join, scope) = self.join_items(d.using.as_deref(), &target)?;
        let filter = self.where_clause(&d.selection, &scope)?;
        let filter = target.restrict(filter);
        let (returning, columns) = returning(self, &d.returning, &scope)?;
        Ok(ModifyStmt {
            view_checks: vec![],
            kind: ModifyStmtKind::Delete { filter },
            join,
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

/// A RETURNING column: a plain column of the table is reported with its
/// table and attribute number, as PostgreSQL's markTargetListOrigins does.
fn returning_column(name: String, x: &Expr, scope: &Scope) -> Column {
    let mut c = Column::new(name, x.ty(), x.typmod());
    if let Expr::Column(i, _) = x {
        (c.table_oid, c.column_id) = scope.cols[*i].origin;
    }
    c
}
