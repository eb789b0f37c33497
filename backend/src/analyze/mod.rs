//! Semantic analysis of queries (PostgreSQL's parse_analyze): turns a
//! parsed SELECT or VALUES into a [`Query`] with resolved names, typed
//! expressions, grouping and ordering, ready for the planner.

#![forbid(unsafe_code)]

pub mod expr;
pub mod from;
pub mod modify;
pub mod names;
mod regtypes;

use sqlparser::ast::{self, Spanned};

use crate::error::{sqlstate, PgError, PgResult};
use std::sync::Arc;

use crate::catalog::Catalog;
use crate::nodes::expr::{AggCall, Expr};
use crate::nodes::query::{Query, SortKey, Source};
use crate::nodes::Column;
use crate::parser::{ident, object_name, StmtText};
use crate::types::{oid, Oid, Value};
use crate::utils::adt::coerce;
use expr::Clause;
use names::figure_colname;

/// One column visible in a FROM scope.
#[derive(Clone, Debug)]
pub struct ScopeColumn {
    pub qualifier: Option<String>,
    pub name: String,
    pub ty: Oid,
    pub typmod: i32,
}

/// The columns FROM makes visible.
#[derive(Clone, Debug, Default)]
pub struct Scope {
    pub cols: Vec<ScopeColumn>,
}

impl Scope {
    /// Finds `[qualifier.]name`; Ok(None) when absent, an error when
    /// ambiguous.
    pub fn resolve(&self, names: &[String]) -> PgResult<Option<(usize, &ScopeColumn)>> {
        let (qual, name) = match names {
            [n] => (None, n),
            [.., q, n] => (Some(q), n),
            [] => return Ok(None),
        };
        let mut found = None;
        for (i, c) in self.cols.iter().enumerate() {
            if &c.name == name && (qual.is_none() || c.qualifier.as_ref() == qual) {
                if found.is_some() {
                    return Err(PgError::new(
                        sqlstate::AMBIGUOUS_COLUMN,
                        format!("column reference \"{name}\" is ambiguous"),
                    ));
                }
                found = Some((i, c));
            }
        }
        Ok(found)
    }

    pub fn has_qualifier(&self, q: &str) -> bool {
        self.cols.iter().any(|c| c.qualifier.as_deref() == Some(q))
    }
}

/// Analysis state for one statement.
pub struct Analyzer<'a> {
    /// Parameter types: declared by Parse or inferred (0 = not yet known).
    pub params: Vec<Oid>,
    pub text: &'a StmtText,
    in_aggregate: bool,
    /// The catalog the statement is analyzed against.
    pub catalog: Arc<Catalog>,
    /// Whether the statement refers to tables or sequences (and so must
    /// be re-planned when the catalog changes).
    pub uses_catalog: bool,
    /// OIDs of the tables the statement refers to (to lock them).
    pub relations: Vec<u32>,
    /// The statement calls a function that needs the transaction's xid
    /// (txid_current), so it gets one before it runs.
    pub needs_xid: bool,
    /// Scopes of the enclosing queries (innermost last), for correlated
    /// subqueries and LATERAL.
    pub(crate) outer: Vec<Scope>,
    /// Per enclosing level: whether the subquery entered there refers to
    /// an outer scope.
    pub(crate) correlated: Vec<bool>,
}

pub(crate) fn not_supported_yet(what: &str) -> PgError {
    PgError::new(
        sqlstate::FEATURE_NOT_SUPPORTED,
        format!("{what} is not supported yet"),
    )
}

impl<'a> Analyzer<'a> {
    pub fn new(text: &'a StmtText, params: &[Oid]) -> Analyzer<'a> {
        Analyzer {
            params: params.to_vec(),
            text,
            in_aggregate: false,
            catalog: Arc::new(Catalog::empty()),
            uses_catalog: false,
            relations: Vec::new(),
            needs_xid: false,
            outer: Vec::new(),
            correlated: Vec::new(),
        }
    }

    /// Analyzes against `catalog`.
    pub fn with_catalog(mut self, catalog: Arc<Catalog>) -> Self {
        self.catalog = catalog;
        self
    }

    /// Analyzes a subquery with `scope` as its enclosing scope; returns
    /// it and whether it refers to that scope (or one further out).
    pub fn subquery(&mut self, q: &ast::Query, scope: &Scope) -> PgResult<(Query, bool)> {
        self.outer.push(scope.clone());
        self.correlated.push(false);
        let saved = self.in_aggregate;
        self.in_aggregate = false;
        let r = self.query(q);
        self.in_aggregate = saved;
        self.outer.pop();
        let correlated = self.correlated.pop().unwrap_or(false);
        Ok((r?, correlated))
    }

    /// Analyzes a top-level query and settles every parameter's type
    /// (unknown → text, as PostgreSQL resolves 'unknown').
    pub fn analyze_top(&mut self, q: &ast::Query) -> PgResult<Query> {
        let mut query = self.query(q)?;
        for t in &mut self.params {
            if *t == 0 || *t == oid::UNKNOWN {
                *t = oid::TEXT;
            }
        }
        let params = self.params.clone();
        query.map_exprs(&mut |e| {
            e.map_bottom_up(&mut |n| {
                Ok(match n {
                    Expr::Param(i, oid::UNKNOWN) => Expr::Param(i, params[i]),
                    other => other,
                })
            })
        })?;
        Ok(query)
    }

    pub(crate) fn with_pos<T: Spanned>(&self, node: &T, e: PgError) -> PgError {
        match (e.position, self.text.position(node.span().start)) {
            (None, Some(p)) => e.with_position(p),
            _ => e,
        }
    }

    /// Analyzes a query (top level or in FROM).
    pub fn query(&mut self, q: &ast::Query) -> PgResult<Query> {
        crate::stack::check_stack_depth()?;
        if q.with.is_some() {
            return Err(not_supported_yet("WITH"));
        }
        if q.fetch.is_some() || !q.locks.is_empty() || q.for_clause.is_some() {
            return Err(not_supported_yet("FETCH FIRST, FOR UPDATE and FOR clauses"));
        }
        let mut query = match q.body.as_ref() {
            ast::SetExpr::Select(s) => self.select(s, q.order_by.as_ref())?,
            ast::SetExpr::Values(v) => {
                let mut query = self.values(v)?;
                self.order_by(&mut query, q.order_by.as_ref(), &Scope::default(), None)?;
                query
            }
            ast::SetExpr::Query(inner) if q.order_by.is_none() && q.limit_clause.is_none() => {
                return self.query(inner)
            }
            ast::SetExpr::SetOperation { .. } => {
                return Err(not_supported_yet("UNION, INTERSECT and EXCEPT"))
            }
            _ => return Err(not_supported_yet("this kind of query")),
        };
        if let Some(lc) = &q.limit_clause {
            let (limit, offset) = match lc {
                ast::LimitClause::LimitOffset {
                    limit,
                    offset,
                    limit_by,
                } => {
                    if !limit_by.is_empty() {
                        return Err(not_supported_yet("LIMIT BY"));
                    }
                    (limit.as_ref(), offset.as_ref().map(|o| &o.value))
                }
                ast::LimitClause::OffsetCommaLimit { offset, limit } => (Some(limit), Some(offset)),
            };
            query.limit = limit.map(|e| self.limit_expr(e, "LIMIT")).transpose()?;
            query.offset = offset.map(|e| self.limit_expr(e, "OFFSET")).transpose()?;
            // LIMIT ALL / LIMIT NULL: no limit.
            if matches!(query.limit, Some(Expr::Const(Value::Null, _))) {
                query.limit = None;
            }
        }
        Ok(query)
    }

    fn limit_expr(&mut self, e: &ast::Expr, what: &str) -> PgResult<Expr> {
        let x = self.expr(e, &Scope::default(), Clause::Limit)?;
        if x.contains_column() {
            return Err(PgError::new(
                sqlstate::INVALID_COLUMN_REFERENCE,
                format!("argument of {what} must not contain variables"),
            ));
        }
        self.coerce_arg(x, oid::INT8, what)
    }

    fn values(&mut self, v: &ast::Values) -> PgResult<Query> {
        let scope = Scope::default();
        let mut rows: Vec<Vec<Expr>> = Vec::with_capacity(v.rows.len());
        for r in &v.rows {
            let row = r
                .content
                .iter()
                .map(|e| self.expr(e, &scope, Clause::Values))
                .collect::<PgResult<Vec<_>>>()?;
            if let Some(first) = rows.first() {
                if first.len() != row.len() {
                    return Err(PgError::new(
                        sqlstate::SYNTAX_ERROR,
                        "VALUES lists must all be the same length",
                    ));
                }
            }
            rows.push(row);
        }
        let width = rows.first().map_or(0, Vec::len);
        let mut types = Vec::with_capacity(width);
        for c in 0..width {
            let col: Vec<Oid> = rows.iter().map(|r| r[c].ty()).collect();
            types.push(coerce::common_type(&col, "VALUES")?);
        }
        for row in &mut rows {
            let old = std::mem::take(row);
            *row = old
                .into_iter()
                .zip(&types)
                .map(|(e, t)| self.coerce(e, *t, false))
                .collect::<PgResult<_>>()?;
        }
        let columns: Vec<Column> = types
            .iter()
            .enumerate()
            .map(|(i, t)| Column::new(format!("column{}", i + 1), *t, -1))
            .collect();
        Ok(Query {
            source: Source::Values(rows),
            filter: None,
            group_keys: vec![],
            aggs: vec![],
            aggregated: false,
            having: None,
            targets: types
                .iter()
                .enumerate()
                .map(|(i, t)| Expr::Column(i, *t))
                .collect(),
            columns,
            distinct: false,
            sort: vec![],
            limit: None,
            offset: None,
        })
    }

    fn select(&mut self, s: &ast::Select, order_by: Option<&ast::OrderBy>) -> PgResult<Query> {
        if s.into.is_some() {
            return Err(not_supported_yet("SELECT INTO"));
        }
        if !s.named_window.is_empty() || s.qualify.is_some() || s.top.is_some() {
            return Err(not_supported_yet("this SELECT clause"));
        }
        let (source, scope) = self.from(&s.from)?;
        let filter = match &s.selection {
            Some(w) => {
                let e = self.expr(w, &scope, Clause::Where)?;
                Some(self.coerce_arg(e, oid::BOOL, "WHERE")?)
            }
            None => None,
        };
        // Targets.
        let mut targets = Vec::new();
        let mut columns = Vec::new();
        for item in &s.projection {
            match item {
                ast::SelectItem::UnnamedExpr(e) => {
                    let x = self.expr(e, &scope, Clause::Select)?;
                    columns.push(self.column_for(&x, figure_colname(e).0, &scope));
                    targets.push(x);
                }
                ast::SelectItem::ExprWithAlias { expr, alias } => {
                    let x = self.expr(expr, &scope, Clause::Select)?;
                    columns.push(self.column_for(&x, ident(alias), &scope));
                    targets.push(x);
                }
                ast::SelectItem::Wildcard(_) => {
                    if scope.cols.is_empty() {
                        return Err(PgError::new(
                            sqlstate::SYNTAX_ERROR,
                            "SELECT * with no tables specified is not valid",
                        ));
                    }
                    self.expand_star(&scope, None, &mut targets, &mut columns);
                }
                ast::SelectItem::QualifiedWildcard(
                    ast::SelectItemQualifiedWildcardKind::ObjectName(n),
                    _,
                ) => {
                    let q = object_name(n).pop().unwrap_or_default();
                    if !scope.has_qualifier(&q) {
                        return Err(self.with_pos(
                            n,
                            PgError::new(
                                sqlstate::UNDEFINED_TABLE,
                                format!("missing FROM-clause entry for table \"{q}\""),
                            ),
                        ));
                    }
                    self.expand_star(&scope, Some(&q), &mut targets, &mut columns);
                }
                _ => return Err(not_supported_yet("this select list item")),
            }
        }
        let distinct = match &s.distinct {
            None | Some(ast::Distinct::All) => false,
            Some(ast::Distinct::Distinct) => true,
            Some(ast::Distinct::On(_)) => return Err(not_supported_yet("DISTINCT ON")),
        };
        // GROUP BY.
        let mut group_keys = Vec::new();
        match &s.group_by {
            ast::GroupByExpr::Expressions(exprs, mods) => {
                if !mods.is_empty() {
                    return Err(not_supported_yet("GROUP BY modifiers"));
                }
                for g in exprs {
                    let key = self.group_key(g, &scope, &targets, &columns)?;
                    group_keys.push(key);
                }
            }
            ast::GroupByExpr::All(_) => return Err(not_supported_yet("GROUP BY ALL")),
        }
        let having = match &s.having {
            Some(h) => {
                let e = self.expr(h, &scope, Clause::Having)?;
                Some(self.coerce_arg(e, oid::BOOL, "HAVING")?)
            }
            None => None,
        };
        let visible = targets.len();
        let mut query = Query {
            source,
            filter,
            group_keys,
            aggs: vec![],
            aggregated: false,
            having,
            targets,
            columns,
            distinct,
            sort: vec![],
            limit: None,
            offset: None,
        };
        self.order_by(&mut query, order_by, &scope, Some(visible))?;
        if distinct && query.targets.len() > visible {
            return Err(PgError::new(
                sqlstate::INVALID_COLUMN_REFERENCE,
                "for SELECT DISTINCT, ORDER BY expressions must appear in select list",
            ));
        }
        // Aggregation: rewrite targets and HAVING over the Aggregate's
        // output (keys, then aggregate results).
        let has_aggs = query.targets.iter().any(Expr::contains_agg)
            || query.having.as_ref().is_some_and(Expr::contains_agg);
        if has_aggs || !query.group_keys.is_empty() || query.having.is_some() {
            query.aggregated = true;
            let keys = query.group_keys.clone();
            let mut aggs = Vec::new();
            let old = std::mem::take(&mut query.targets);
            query.targets = old
                .into_iter()
                .map(|t| rewrite_for_agg(t, &keys, &mut aggs, &scope))
                .collect::<PgResult<_>>()?;
            if let Some(h) = query.having.take() {
                query.having = Some(rewrite_for_agg(h, &keys, &mut aggs, &scope)?);
            }
            query.aggs = aggs;
        }
        // Unknown-typed outputs (bare literals, untyped parameters) are text.
        for i in 0..visible {
            if query.targets[i].ty() == oid::UNKNOWN {
                let t =
                    std::mem::replace(&mut query.targets[i], Expr::Const(Value::Null, oid::TEXT));
                query.targets[i] = self.coerce(t, oid::TEXT, false)?;
                query.columns[i].type_oid = oid::TEXT;
            }
        }
        Ok(query)
    }

    fn column_for(&self, x: &Expr, name: String, scope: &Scope) -> Column {
        let mut c = Column::new(name, x.ty(), x.typmod());
        if let Expr::Column(i, _) = x {
            c.type_modifier = scope.cols[*i].typmod;
        }
        c
    }

    fn expand_star(
        &self,
        scope: &Scope,
        qual: Option<&str>,
        targets: &mut Vec<Expr>,
        columns: &mut Vec<Column>,
    ) {
        for (i, c) in scope.cols.iter().enumerate() {
            if qual.is_none() || c.qualifier.as_deref() == qual {
                targets.push(Expr::Column(i, c.ty));
                columns.push(Column::new(c.name.clone(), c.ty, c.typmod));
            }
        }
    }

    /// A GROUP BY item: an output ordinal, an output column name that is
    /// not an input column, or an expression.
    fn group_key(
        &mut self,
        g: &ast::Expr,
        scope: &Scope,
        targets: &[Expr],
        columns: &[Column],
    ) -> PgResult<Expr> {
        if let Some(n) = ordinal(g) {
            let t = n
                .checked_sub(1)
                .and_then(|i| targets.get(i))
                .ok_or_else(|| {
                    self.with_pos(
                        g,
                        PgError::new(
                            sqlstate::INVALID_COLUMN_REFERENCE,
                            format!("GROUP BY position {n} is not in select list"),
                        ),
                    )
                })?;
            if t.contains_agg() {
                return Err(PgError::new(
                    sqlstate::GROUPING_ERROR,
                    "aggregate functions are not allowed in GROUP BY",
                ));
            }
            return Ok(t.clone());
        }
        if let ast::Expr::Identifier(i) = g {
            let name = ident(i);
            if scope.resolve(std::slice::from_ref(&name))?.is_none() {
                if let Some(pos) = columns.iter().position(|c| c.name == name) {
                    return Ok(targets[pos].clone());
                }
            }
        }
        self.expr(g, scope, Clause::GroupBy)
    }

    /// ORDER BY: ordinals and output names first, then expressions over
    /// the input (added as resjunk targets). `visible` is None for VALUES.
    fn order_by(
        &mut self,
        q: &mut Query,
        ob: Option<&ast::OrderBy>,
        scope: &Scope,
        visible: Option<usize>,
    ) -> PgResult<()> {
        let Some(ob) = ob else { return Ok(()) };
        let items = match &ob.kind {
            ast::OrderByKind::Expressions(v) => v,
            ast::OrderByKind::All(_) => return Err(not_supported_yet("ORDER BY ALL")),
        };
        let visible_n = visible.unwrap_or(q.targets.len());
        for item in items {
            if item.with_fill.is_some() {
                return Err(not_supported_yet("WITH FILL"));
            }
            let desc = match &item.options.sort {
                Some(ast::OrderBySort::Desc) => true,
                Some(ast::OrderBySort::Asc) | None => false,
                Some(ast::OrderBySort::Using(_)) => {
                    return Err(not_supported_yet("ORDER BY USING"))
                }
            };
            let nulls_first = item.options.nulls_first.unwrap_or(desc);
            let target = if let Some(n) = ordinal(&item.expr) {
                if n < 1 || n > visible_n {
                    return Err(self.with_pos(
                        &item.expr,
                        PgError::new(
                            sqlstate::INVALID_COLUMN_REFERENCE,
                            format!("ORDER BY position {n} is not in select list"),
                        ),
                    ));
                }
                n - 1
            } else if let Some(i) = self.output_name(&item.expr, &q.columns[..visible_n])? {
                i
            } else {
                if visible.is_none() {
                    // VALUES has no input scope beyond its own columns.
                    return Err(self.with_pos(
                        &item.expr,
                        PgError::new(
                            sqlstate::UNDEFINED_COLUMN,
                            format!("column \"{}\" does not exist", item.expr),
                        ),
                    ));
                }
                let x = self.expr(&item.expr, scope, Clause::OrderBy)?;
                match q.targets.iter().position(|t| *t == x) {
                    Some(i) => i,
                    None => {
                        q.targets.push(x);
                        q.targets.len() - 1
                    }
                }
            };
            q.sort.push(SortKey {
                target,
                desc,
                nulls_first,
            });
        }
        Ok(())
    }

    /// An unqualified name matching one output column.
    fn output_name(&self, e: &ast::Expr, columns: &[Column]) -> PgResult<Option<usize>> {
        let ast::Expr::Identifier(i) = e else {
            return Ok(None);
        };
        let name = ident(i);
        let mut hits = columns
            .iter()
            .enumerate()
            .filter(|(_, c)| c.name == name)
            .map(|(i, _)| i);
        let first = hits.next();
        if first.is_some() && hits.next().is_some() {
            return Err(self.with_pos(
                e,
                PgError::new(
                    sqlstate::AMBIGUOUS_COLUMN,
                    format!("ORDER BY \"{name}\" is ambiguous"),
                ),
            ));
        }
        Ok(first)
    }
}

/// `ORDER BY 2` / `GROUP BY 1`: an integer literal.
fn ordinal(e: &ast::Expr) -> Option<usize> {
    match e {
        ast::Expr::Value(v) => match &v.value {
            ast::Value::Number(n, _) => n.parse().ok(),
            _ => None,
        },
        _ => None,
    }
}

pub(crate) fn rename_columns(
    cols: &mut [ScopeColumn],
    alias: &ast::TableAlias,
    qualifier: &str,
) -> PgResult<()> {
    if alias.columns.len() > cols.len() {
        return Err(PgError::new(
            sqlstate::INVALID_COLUMN_REFERENCE,
            format!(
                "table \"{qualifier}\" has {} columns available but {} columns specified",
                cols.len(),
                alias.columns.len()
            ),
        ));
    }
    for (c, a) in cols.iter_mut().zip(&alias.columns) {
        c.name = ident(&a.name);
    }
    Ok(())
}

/// Replaces GROUP BY keys and aggregate calls by columns of the
/// Aggregate node's output; any other column reference is an error.
fn rewrite_for_agg(
    e: Expr,
    keys: &[Expr],
    aggs: &mut Vec<AggCall>,
    scope: &Scope,
) -> PgResult<Expr> {
    if let Some(i) = keys.iter().position(|k| *k == e) {
        return Ok(Expr::Column(i, e.ty()));
    }
    match e {
        Expr::Agg(a) => {
            let ty = a.ty;
            let idx = match aggs.iter().position(|x| *x == *a) {
                Some(i) => i,
                None => {
                    aggs.push(*a);
                    aggs.len() - 1
                }
            };
            Ok(Expr::Column(keys.len() + idx, ty))
        }
        Expr::Column(i, _) => {
            let c = &scope.cols[i];
            let shown = match &c.qualifier {
                Some(q) => format!("{q}.{}", c.name),
                None => c.name.clone(),
            };
            Err(PgError::new(
                sqlstate::GROUPING_ERROR,
                format!("column \"{shown}\" must appear in the GROUP BY clause or be used in an aggregate function"),
            ))
        }
        other => other.map_children(&mut |c| rewrite_for_agg(c, keys, aggs, scope)),
    }
}
