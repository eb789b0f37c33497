//! Automatically updatable views (PostgreSQL's rewriteTargetView, done
//! here at analysis): an INSERT, UPDATE or DELETE naming a view writes its
//! base table. CREATE VIEW decides whether a view qualifies
//! ([`auto_update`], PostgreSQL's view_query_is_auto_updatable: one table
//! or view in FROM, no DISTINCT, GROUP BY, HAVING, set operations, WITH,
//! LIMIT/OFFSET, aggregates, window or set-returning functions) and
//! which of its columns are plain columns of that relation. A statement
//! writing through views sees the view's columns as expressions over the
//! base table's row ([`super::ScopeColumn::computed`]); its UPDATE and
//! DELETE read only the rows every view's WHERE selects; the columns it
//! assigns must be updatable at every level (0A000), the view itself
//! auto-updatable (55000); a view's column defaults come before the base
//! table's; WITH [LOCAL | CASCADED] CHECK OPTION becomes the
//! statement's `ViewCheck`s, in PostgreSQL's order (innermost first).

use std::sync::Arc;

use sqlparser::ast;

use super::expr::Clause;
use super::{Analyzer, Scope, ScopeColumn};
use crate::catalog::view_update::{AutoUpdate, CheckOption};
use crate::catalog::{Catalog, RelKind, ViewDesc};
use crate::error::{sqlstate, PgError, PgResult};
use crate::nodes::expr::Expr;
use crate::nodes::modify::ViewCheck;
use crate::nodes::query::{Query, Source, TableRef};
use crate::parser::{ident, object_name};
use crate::types::{oid, Oid};

const SINGLE_RELATION: &str =
    "Views that do not select from a single table or view are not automatically updatable.";
const NO_UPDATABLE_COLUMNS: &str =
    "Views that have no updatable columns are not automatically updatable.";
/// The qualifier of a written view's base columns: no name reaches them.
const HIDDEN: &str = "\u{0}base";

/// The command writing through a view.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Command {
    Insert,
    Update,
    Delete,
}

/// Whether a view's query makes it automatically updatable (`analyzed`
/// is the query as CREATE VIEW analyzed it).
pub fn auto_update(cat: &Catalog, q: &ast::Query, analyzed: &Query) -> AutoUpdate {
    match base_relation(cat, q, analyzed) {
        Err(detail) => AutoUpdate::No(detail.into()),
        Ok(base) => AutoUpdate::Yes {
            base,
            columns: column_map(analyzed),
        },
    }
}

/// The detail CREATE VIEW ... WITH CHECK OPTION refuses a view with (it
/// needs updatable columns too), None when it may have the option.
pub fn check_option_refused(u: &AutoUpdate) -> Option<String> {
    match u {
        AutoUpdate::No(d) => Some(d.clone()),
        AutoUpdate::Yes { columns, .. } if columns.iter().all(|a| *a <= 0) => {
            Some(NO_UPDATABLE_COLUMNS.into())
        }
        AutoUpdate::Yes { .. } => None,
    }
}

/// The one table or view the query reads, or why the view is not
/// automatically updatable (PostgreSQL's tests, in its order).
fn base_relation(cat: &Catalog, q: &ast::Query, analyzed: &Query) -> Result<Oid, &'static str> {
    let sel = match q.body.as_ref() {
        ast::SetExpr::Select(s) => Some(s),
        ast::SetExpr::SetOperation { .. } => {
            return Err(
                "Views containing UNION, INTERSECT, or EXCEPT are not automatically updatable.",
            )
        }
        _ => None,
    };
    if let Some(s) = sel {
        if s.distinct.is_some() {
            return Err("Views containing DISTINCT are not automatically updatable.");
        }
        let grouped = match &s.group_by {
            ast::GroupByExpr::All(_) => true,
            ast::GroupByExpr::Expressions(e, m) => !e.is_empty() || !m.is_empty(),
        };
        if grouped {
            return Err("Views containing GROUP BY are not automatically updatable.");
        }
        if s.having.is_some() {
            return Err("Views containing HAVING are not automatically updatable.");
        }
    }
    if q.with.is_some() {
        return Err("Views containing WITH are not automatically updatable.");
    }
    if q.limit_clause.is_some() || q.fetch.is_some() {
        return Err("Views containing LIMIT or OFFSET are not automatically updatable.");
    }
    if !analyzed.aggs.is_empty() {
        return Err("Views that return aggregate functions are not automatically updatable.");
    }
    if !analyzed.windows.is_empty() {
        return Err("Views that return window functions are not automatically updatable.");
    }
    if analyzed.targets.iter().any(Expr::contains_srf) {
        return Err("Views that return set-returning functions are not automatically updatable.");
    }
    let Some(s) = sel else {
        return Err(SINGLE_RELATION);
    };
    let [twj] = s.from.as_slice() else {
        return Err(SINGLE_RELATION);
    };
    if !twj.joins.is_empty() {
        return Err(SINGLE_RELATION);
    }
    let ast::TableFactor::Table {
        name, args: None, ..
    } = &twj.relation
    else {
        return Err(SINGLE_RELATION);
    };
    match (
        cat.resolve_relation_parts(&object_name(name)),
        &analyzed.source,
    ) {
        // A materialized view is not a base relation one can write.
        (Some((RelKind::Table, o)), Source::Table(_)) if !cat.is_matview(o) => Ok(o),
        (Some((RelKind::View, o)), Source::Subquery(_)) => Ok(o),
        _ => Err(SINGLE_RELATION),
    }
}

/// Each view column's attribute number in the base relation (> 0), a
/// system column's (< 0), or 0 for anything but a column.
fn column_map(analyzed: &Query) -> Vec<i16> {
    let width = analyzed.columns.len();
    analyzed.targets[..width.min(analyzed.targets.len())]
        .iter()
        .map(|x| match (x, &analyzed.source) {
            (Expr::Column(k, _), Source::Table(t)) if *k < t.table.columns.len() => *k as i16 + 1,
            (Expr::Column(..), Source::Table(_)) => -1,
            (Expr::Column(k, _), Source::Subquery(_)) => *k as i16 + 1,
            _ => 0,
        })
        .collect()
}

/// `x` (over a written view's base row) as seen from a subquery `depth`
/// levels inside the statement.
pub fn outer_reference(x: &Expr, depth: usize) -> PgResult<Expr> {
    if x.contains_sublink() {
        return Err(PgError::new(
            sqlstate::FEATURE_NOT_SUPPORTED,
            "a subquery referring to a view column computed by a subquery is not supported yet",
        ));
    }
    x.clone().map_bottom_up(&mut |e| {
        Ok(match e {
            Expr::Column(k, t) => Expr::Outer(depth, k, t),
            Expr::Outer(d, k, t) => Expr::Outer(d + depth, k, t),
            e => e,
        })
    })
}

/// One view a statement writes through.
pub struct ViewLevel {
    pub view: Arc<ViewDesc>,
    /// Each column's attribute number in the relation below (see
    /// [`AutoUpdate::Yes`]).
    columns: Vec<i16>,
    /// Its WHERE, over the base row.
    qual: Option<Expr>,
}

/// The relation an INSERT, UPDATE or DELETE names, resolved to the table
/// it writes.
pub struct WriteTarget {
    pub table: TableRef,
    /// The base table's columns: visible for a table; for a view hidden
    /// (its columns are `view_columns`).
    pub scope: Scope,
    /// A view's columns, computed from the base row; they go after any
    /// FROM/USING columns, as no row holds them.
    pub view_columns: Vec<ScopeColumn>,
    /// The views written through, the named one first.
    pub views: Vec<ViewLevel>,
}

impl WriteTarget {
    /// The relation's name as the statement named it.
    pub fn name(&self) -> &str {
        match self.views.first() {
            Some(v) => &v.view.name,
            None => &self.table.table.name,
        }
    }

    /// The index of the named relation's column `name`.
    pub fn column_index(&self, name: &str) -> Option<usize> {
        match self.views.first() {
            Some(v) => v.view.columns.iter().position(|c| c.0 == name),
            None => self.table.table.column_index(name),
        }
    }

    /// The named relation's columns a column-less INSERT fills, in order.
    pub fn insert_columns(&self) -> Vec<usize> {
        match self.views.first() {
            Some(v) => (0..v.view.columns.len()).collect(),
            None => self.table.table.live_columns(),
        }
    }

    /// The scope of the statement's clauses: `scope`, then `extra` (FROM
    /// or USING columns), then the view's columns.
    pub fn full_scope(&self, extra: Vec<ScopeColumn>) -> Scope {
        let mut cols = self.scope.cols.clone();
        cols.extend(extra);
        cols.extend(self.view_columns.iter().cloned());
        Scope { cols }
    }

    /// The base table columns behind the named relation's columns `cols`;
    /// 0A000 for one not updatable at some level, as PostgreSQL's
    /// rewriter reports it (the first in the view's column order).
    pub fn base_columns(&self, cols: &[usize], cmd: Command) -> PgResult<Vec<usize>> {
        let mut cur = cols.to_vec();
        for level in &self.views {
            for (i, a) in level.columns.iter().enumerate() {
                if let (true, Some(detail)) = (cur.contains(&i), AutoUpdate::column_detail(*a)) {
                    let what = if cmd == Command::Insert {
                        "insert into"
                    } else {
                        "update"
                    };
                    return Err(PgError::new(
                        sqlstate::FEATURE_NOT_SUPPORTED,
                        format!(
                            "cannot {what} column \"{}\" of view \"{}\"",
                            level.view.columns[i].0, level.view.name
                        ),
                    )
                    .with_detail(detail));
                }
            }
            cur = cur.iter().map(|&i| level.columns[i] as usize - 1).collect();
        }
        Ok(cur)
    }

    /// The default a view gives base column `base` (the outermost view's
    /// that has one for a column written to it): (text, column name).
    pub fn view_default(&self, base: usize) -> Option<(&str, &str)> {
        for (l, level) in self.views.iter().enumerate() {
            for (i, text) in &level.view.defaults {
                if self.base_of(l, *i) == Some(base) {
                    return Some((text, &level.view.columns[*i].0));
                }
            }
        }
        None
    }

    /// The base column behind column `i` of view level `l`.
    fn base_of(&self, l: usize, i: usize) -> Option<usize> {
        let mut j = i;
        for level in &self.views[l..] {
            let a = *level.columns.get(j)?;
            if a <= 0 {
                return None;
            }
            j = a as usize - 1;
        }
        Some(j)
    }

    /// `filter` restricted to the rows every view shows.
    pub fn restrict(&self, filter: Option<Expr>) -> Option<Expr> {
        self.views
            .iter()
            .filter_map(|l| l.qual.clone())
            .fold(filter, |acc, q| {
                Some(match acc {
                    Some(a) => Expr::And(Box::new(a), Box::new(q)),
                    None => q,
                })
            })
    }

    /// The WITH CHECK OPTION conditions new rows must meet: a view's own
    /// option, and a CASCADED one's for every view under it; the
    /// innermost view's first (PostgreSQL's order).
    pub fn checks(&self) -> Vec<ViewCheck> {
        let mut out = Vec::new();
        let mut cascade = false;
        for level in &self.views {
            let own = level.view.check_option;
            if own.is_none() && !cascade {
                continue;
            }
            cascade |= own == Some(CheckOption::Cascaded);
            if let Some(q) = &level.qual {
                out.insert(
                    0,
                    ViewCheck {
                        view: level.view.name.clone(),
                        qual: q.clone(),
                    },
                );
            }
        }
        out
    }
}

/// 55000 for a view that is not automatically updatable.
fn not_updatable(cmd: Command, view: &str, detail: &str) -> PgError {
    let (msg, hint) = match cmd {
        Command::Insert => (
            format!("cannot insert into view \"{view}\""),
            "To enable inserting into the view, provide an INSTEAD OF INSERT trigger or an unconditional ON INSERT DO INSTEAD rule.",
        ),
        Command::Update => (
            format!("cannot update view \"{view}\""),
            "To enable updating the view, provide an INSTEAD OF UPDATE trigger or an unconditional ON UPDATE DO INSTEAD rule.",
        ),
        Command::Delete => (
            format!("cannot delete from view \"{view}\""),
            "To enable deleting from the view, provide an INSTEAD OF DELETE trigger or an unconditional ON DELETE DO INSTEAD rule.",
        ),
    };
    PgError::new(sqlstate::OBJECT_NOT_IN_PREREQUISITE_STATE, msg)
        .with_detail(detail)
        .with_hint(hint)
}

impl Analyzer<'_> {
    /// Resolves the relation `oid` an INSERT, UPDATE or DELETE writes,
    /// under `qualifier`, needing `mask` (and SELECT when `reads`) on
    /// each base relation as the owner of the view above it.
    pub(super) fn write_target(
        &mut self,
        rel: Oid,
        qualifier: &str,
        cmd: Command,
        (mask, reads): (u32, bool),
    ) -> PgResult<WriteTarget> {
        if let Some(t) = self.catalog.table_by_oid(rel).cloned() {
            if self.catalog.is_matview(t.oid) && !self.fills_matview {
                return Err(PgError::new(
                    crate::error::sqlstate::WRONG_OBJECT_TYPE,
                    format!("cannot change materialized view \"{}\"", t.name),
                ));
            }
            if !self.relations.contains(&t.oid) {
                self.relations.push(t.oid);
            }
            let table = TableRef {
                indexes: self.catalog.indexes_of(t.oid).cloned().collect(),
                table: t,
            };
            let scope = super::modify::table_scope(&table, qualifier);
            return Ok(WriteTarget {
                table,
                scope,
                view_columns: vec![],
                views: vec![],
            });
        }
        let Some(view) = self.catalog.views.iter().find(|v| v.oid == rel).cloned() else {
            return Err(PgError::internal(format!(
                "relation {rel} to write is gone"
            )));
        };
        self.uses_catalog = true;
        let (base, columns) = match &view.auto_update {
            Some(AutoUpdate::Yes { base, columns }) => (*base, columns.clone()),
            Some(AutoUpdate::No(d)) => return Err(not_updatable(cmd, &view.name, d)),
            None => return Err(not_updatable(cmd, &view.name, SINGLE_RELATION)),
        };
        if cmd != Command::Delete && columns.iter().all(|a| *a <= 0) {
            return Err(not_updatable(cmd, &view.name, NO_UPDATABLE_COLUMNS));
        }
        let parsed = crate::parser::parse(&super::viewdef::view_query(&self.catalog, &view))?;
        let Some(ast::Statement::Query(q)) = parsed.first().map(|p| &p.ast) else {
            return Err(PgError::internal(format!(
                "view \"{}\" has no query",
                view.name
            )));
        };
        let ast::SetExpr::Select(sel) = q.body.as_ref() else {
            return Err(not_updatable(cmd, &view.name, SINGLE_RELATION));
        };
        let below_name = match sel.from.first().map(|f| &f.relation) {
            Some(ast::TableFactor::Table { name, alias, .. }) => match alias {
                Some(a) => ident(&a.name),
                None => object_name(name).pop().unwrap_or_default(),
            },
            _ => return Err(not_updatable(cmd, &view.name, SINGLE_RELATION)),
        };
        let outer_role = self.check_as.replace(self.catalog.owner_of(view.oid));
        self.require_target(base, mask, reads);
        let saved = std::mem::take(&mut self.ctes);
        let r = match self.catalog.view_paths.get(&view.oid).cloned() {
            Some(path) => {
                let setting = self.catalog.search_path_setting(&path);
                crate::catalog::namespace::with_search_path(&setting, || {
                    self.view_level(&view, sel, base, &below_name, cmd, (mask, reads))
                })
            }
            None => self.view_level(&view, sel, base, &below_name, cmd, (mask, reads)),
        };
        self.ctes = saved;
        self.check_as = outer_role;
        let (mut below, qual, exprs) = r?;
        let view_columns = view
            .columns
            .iter()
            .zip(exprs)
            .enumerate()
            .map(|(i, ((name, ty, typmod), x))| ScopeColumn {
                qualifier: Some(qualifier.to_owned()),
                name: name.clone(),
                ty: *ty,
                typmod: *typmod,
                hidden: false,
                system: false,
                origin: (view.oid, i as i16 + 1),
                record: None,
                computed: Some(Arc::new(x)),
            })
            .collect();
        for c in &mut below.scope.cols {
            c.hidden = true;
            c.system = false;
            c.qualifier = Some(HIDDEN.into());
        }
        below.views.insert(
            0,
            ViewLevel {
                view,
                columns,
                qual,
            },
        );
        Ok(WriteTarget {
            view_columns,
            ..below
        })
    }

    /// The relation under `view`, its WHERE and its columns, analyzed
    /// over that relation's base row.
    #[allow(clippy::type_complexity)]
    fn view_level(
        &mut self,
        view: &ViewDesc,
        sel: &ast::Select,
        base: Oid,
        below_name: &str,
        cmd: Command,
        need: (u32, bool),
    ) -> PgResult<(WriteTarget, Option<Expr>, Vec<Expr>)> {
        let below = self.write_target(base, below_name, cmd, need)?;
        let scope = below.full_scope(vec![]);
        let qual = match &sel.selection {
            Some(w) => {
                let x = self.expr(w, &scope, Clause::Where)?;
                Some(self.coerce_arg(x, oid::BOOL, "WHERE")?)
            }
            None => None,
        };
        let mut exprs = Vec::new();
        for item in &sel.projection {
            match item {
                ast::SelectItem::UnnamedExpr(e)
                | ast::SelectItem::ExprWithAlias { expr: e, .. } => {
                    exprs.push(self.expr(e, &scope, Clause::Select)?);
                }
                ast::SelectItem::Wildcard(_) | ast::SelectItem::QualifiedWildcard(..) => {
                    for (i, c) in scope.cols.iter().enumerate() {
                        if c.hidden || c.system {
                            continue;
                        }
                        exprs.push(match &c.computed {
                            Some(x) => (**x).clone(),
                            None => Expr::Column(i, c.ty),
                        });
                    }
                }
                _ => {
                    return Err(super::not_supported_yet(
                        "this select item in a view written through",
                    ))
                }
            }
        }
        if exprs.len() < view.columns.len() {
            return Err(PgError::internal(format!(
                "view \"{}\" has fewer columns than its definition",
                view.name
            )));
        }
        exprs.truncate(view.columns.len());
        Ok((below, qual, exprs))
    }
}
