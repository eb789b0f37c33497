//! Semantic analysis of queries (PostgreSQL's parse_analyze): turns a
//! parsed SELECT or VALUES into a [`Query`] with resolved names, typed
//! expressions, grouping and ordering, ready for the planner.

#![forbid(unsafe_code)]

pub mod array;
pub mod constraints;
mod distinct_on;
pub mod domain;
pub mod expr;
pub mod from;
mod grouping;
mod information_schema;
pub mod modify;
mod modifying_with;
pub mod names;
mod ordered_set;
mod privileges;
mod record_funcs;
mod regtypes;
mod rowexpr;
pub mod sqlfunc;
pub mod srf;
pub mod view_update;
pub mod viewdef;
pub mod window;

use sqlparser::ast::{self, Spanned};

use crate::error::{sqlstate, PgError, PgResult};
use std::sync::Arc;

use crate::catalog::Catalog;
use crate::nodes::expr::{AggCall, Expr};
use crate::nodes::query::{Query, RecursiveSource, SetOpKind, SetOpSource, SortKey, Source};
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
    /// A column a JOIN USING merged into one: reachable only qualified,
    /// and left out of `SELECT *` (not of `SELECT t.*`).
    pub hidden: bool,
    /// A system column (ctid, xmin, ..., tableoid): reachable by name,
    /// qualified or not, but never part of `*` or `t.*`.
    pub system: bool,
    /// The table (or view) column this is, as RowDescription reports it
    /// for a plain column reference: (relation OID, attribute number), or
    /// (0, 0) for anything computed.
    pub origin: (u32, i16),
    /// A `record` column's fields, when known: what `(col).field` selects.
    pub record: Option<std::sync::Arc<crate::types::record::RecordDesc>>,
    /// A column of a view INSERT, UPDATE or DELETE writes through: its
    /// value as an expression over the base table's row (which the
    /// scope's hidden columns are), used wherever the column is named.
    pub computed: Option<std::sync::Arc<Expr>>,
}

impl ScopeColumn {
    /// A computed column of a FROM item `qualifier` (a function's
    /// result column).
    pub fn computed(qualifier: &str, name: String, ty: Oid, typmod: i32) -> ScopeColumn {
        ScopeColumn {
            qualifier: Some(qualifier.to_owned()),
            name,
            ty,
            typmod,
            hidden: false,
            system: false,
            origin: (0, 0),
            record: None,
            computed: None,
        }
    }
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
            let qual_ok = match qual {
                None => !c.hidden,
                Some(q) => c.qualifier.as_ref() == Some(q),
            };
            if &c.name == name && qual_ok {
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
    /// Inside a window function call or window definition (nested calls
    /// are refused).
    in_window: bool,
    /// Inside a window function's arguments (where a set-returning call
    /// is refused; in its PARTITION BY and ORDER BY it is not).
    in_window_args: bool,
    /// The WINDOW clause of the SELECT being analyzed.
    named_windows: Vec<ast::NamedWindowDefinition>,
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
    /// The SELECT being analyzed is an operand of a set operation: its
    /// unknown-typed outputs stay unknown until the set operation picks
    /// the column's type (`SELECT 1 UNION SELECT '2'` is integer).
    set_operand: bool,
    /// The WITH queries visible here, innermost last.
    pub(crate) ctes: Vec<CteDef>,
    /// The next worktable id of this statement (WITH RECURSIVE's, and
    /// data-modifying WITH queries' RETURNING rows).
    next_worktable: usize,
    /// The next query analyzed is the statement's top level, where WITH
    /// may hold INSERT, UPDATE or DELETE (taken by that query).
    allow_modifying_with: bool,
    /// The data-modifying WITH queries of the statement, in order.
    pub modifying_ctes: Vec<crate::nodes::modify::ModifyingCte>,
    /// Analyzing a SQL function's body: its parameters.
    pub(crate) fn_scope: Option<sqlfunc::FnScope>,
    /// The privileges the statement needs on its relations, checked
    /// before each execution (`privileges.rs`).
    pub perms: Vec<crate::catalog::roles::PermCheck>,
    /// Inside a view's query: the view's owner, as whom its relations
    /// are checked.
    pub(crate) check_as: Option<crate::types::Oid>,
    /// The statement fills a materialized view (CREATE MATERIALIZED VIEW
    /// and REFRESH's own INSERT and DELETE), which any other refuses.
    pub fills_matview: bool,
}

/// A WITH query, kept as written: every reference analyzes it again as a
/// subquery, with the WITH queries that were visible where it was
/// defined (PostgreSQL inlines a non-recursive CTE this way; its rows are
/// the same whether inlined or materialized, since pgfork runs no
/// volatile CTEs differently). A data-modifying one (INSERT, UPDATE,
/// DELETE) is analyzed once where defined, and its references read the
/// worktable its RETURNING rows fill (`modifying_with`).
#[derive(Clone, Debug)]
pub(crate) struct CteDef {
    pub name: String,
    pub query: ast::Query,
    /// Column aliases: `WITH t(a, b) AS (...)`.
    pub columns: Vec<String>,
    /// Defined in WITH RECURSIVE and refers to itself.
    pub recursive: bool,
    /// Inside its own recursive term, or a data-modifying WITH query: a
    /// reference reads worktable (id, columns).
    pub worktable: Option<(usize, Vec<Column>)>,
    /// A data-modifying WITH query without RETURNING (no rows to read).
    pub no_returning: bool,
}

/// Whether `q` refers to a relation named `name` (unqualified) anywhere.
fn refers_to(q: &ast::Query, name: &str) -> bool {
    let mut found = false;
    let _ = ast::visit_relations(q, |rel: &ast::ObjectName| {
        if let [only] = object_name(rel).as_slice() {
            found |= only == name;
        }
        std::ops::ControlFlow::<()>::Continue(())
    });
    found
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
            in_window: false,
            in_window_args: false,
            named_windows: Vec::new(),
            catalog: Arc::new(Catalog::empty()),
            uses_catalog: false,
            relations: Vec::new(),
            needs_xid: false,
            outer: Vec::new(),
            correlated: Vec::new(),
            set_operand: false,
            ctes: Vec::new(),
            next_worktable: 0,
            allow_modifying_with: false,
            modifying_ctes: Vec::new(),
            fn_scope: None,
            perms: Vec::new(),
            check_as: None,
            fills_matview: false,
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
        let saved = (self.in_aggregate, self.in_window, self.in_window_args);
        self.in_aggregate = false;
        self.in_window = false;
        self.in_window_args = false;
        let r = self.query(q);
        (self.in_aggregate, self.in_window, self.in_window_args) = saved;
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
        let allow_modifying = std::mem::take(&mut self.allow_modifying_with);
        let Some(with) = &q.with else {
            return self.query_body(q);
        };
        let before = self.ctes.len();
        let out = self
            .push_ctes(with, allow_modifying)
            .and_then(|()| self.query_body(q));
        self.ctes.truncate(before);
        out
    }

    /// Brings the WITH queries of `with` into scope (the caller drops
    /// them after); `allow_modifying` at the statement's top level.
    fn push_ctes(&mut self, with: &ast::With, allow_modifying: bool) -> PgResult<()> {
        let before = self.ctes.len();
        for cte in &with.cte_tables {
            let name = ident(&cte.alias.name);
            if self.ctes[before..].iter().any(|c| c.name == name) {
                return Err(PgError::new(
                    "42712",
                    format!("WITH query name \"{name}\" specified more than once"),
                ));
            }
            if cte.from.is_some() {
                return Err(not_supported_yet("WITH ... FROM"));
            }
            let columns: Vec<String> = cte.alias.columns.iter().map(|c| ident(&c.name)).collect();
            if let Some(stmt) = modifying_with::data_modifying(&cte.query) {
                if !allow_modifying {
                    return Err(self.with_pos(cte, modifying_with::not_top_level()));
                }
                let def = self.modifying_cte(name, columns, stmt, cte)?;
                self.ctes.push(def);
                continue;
            }
            let recursive = with.recursive && refers_to(&cte.query, &name);
            self.ctes.push(CteDef {
                name,
                query: (*cte.query).clone(),
                columns,
                recursive,
                worktable: None,
                no_returning: false,
            });
        }
        Ok(())
    }

    /// The WITH query `name` visible here, analyzed as a subquery, if any.
    pub(crate) fn cte_reference(&mut self, name: &str) -> PgResult<Option<Query>> {
        let Some(k) = self.ctes.iter().rposition(|c| c.name == name) else {
            return Ok(None);
        };
        let def = self.ctes[k].clone();
        if def.no_returning {
            return Err(PgError::new(
                sqlstate::FEATURE_NOT_SUPPORTED,
                format!("WITH query \"{name}\" does not have a RETURNING clause"),
            ));
        }
        if let Some((id, columns)) = &def.worktable {
            return Ok(Some(result_query(
                Source::WorkTable(*id, columns.len()),
                columns,
            )));
        }
        if def.recursive {
            return self.recursive_cte(k, &def).map(Some);
        }
        // Its body sees the WITH queries defined before it, not after.
        let visible = self.ctes[..k].to_vec();
        let saved = std::mem::replace(&mut self.ctes, visible);
        let r = self.query(&def.query);
        self.ctes = saved;
        let mut q = r?;
        if def.columns.len() > q.columns.len() {
            return Err(PgError::new(
                sqlstate::INVALID_COLUMN_REFERENCE,
                format!(
                    "WITH query \"{name}\" has {} columns available but {} columns specified",
                    q.columns.len(),
                    def.columns.len()
                ),
            ));
        }
        for (c, n) in q.columns.iter_mut().zip(def.columns) {
            c.name = n;
        }
        Ok(Some(q))
    }

    /// A reference to the recursive WITH query `ctes[k]`: its
    /// non-recursive term, then its recursive term reading the previous
    /// round's rows (PostgreSQL's RecursiveUnion over a WorkTable scan).
    fn recursive_cte(&mut self, k: usize, def: &CteDef) -> PgResult<Query> {
        let name = &def.name;
        let (op, quantifier, left, right) = match def.query.body.as_ref() {
            ast::SetExpr::SetOperation {
                op: op @ ast::SetOperator::Union,
                set_quantifier,
                left,
                right,
            } if def.query.order_by.is_none() && def.query.limit_clause.is_none() => {
                (op, set_quantifier, left, right)
            }
            _ => {
                return Err(PgError::new(
                    "42P19",
                    format!(
                        "recursive query \"{name}\" does not have the form \
                         non-recursive-term UNION [ALL] recursive-term"
                    ),
                ))
            }
        };
        let _ = op;
        let distinct = !matches!(quantifier, ast::SetQuantifier::All);
        let visible = self.ctes[..k].to_vec();
        let saved = std::mem::replace(&mut self.ctes, visible);
        let r = self.recursive_terms(def, left, right, distinct);
        self.ctes = saved;
        r
    }

    fn recursive_terms(
        &mut self,
        def: &CteDef,
        left: &ast::SetExpr,
        right: &ast::SetExpr,
        distinct: bool,
    ) -> PgResult<Query> {
        let name = &def.name;
        let mut l = self.set_op_operand(left)?;
        for i in 0..l.columns.len() {
            if l.columns[i].type_oid == oid::UNKNOWN {
                let t = std::mem::replace(&mut l.targets[i], Expr::Const(Value::Null, oid::TEXT));
                l.targets[i] = self.coerce(t, oid::TEXT, false)?;
                l.columns[i].type_oid = oid::TEXT;
            }
        }
        if def.columns.len() > l.columns.len() {
            return Err(PgError::new(
                sqlstate::INVALID_COLUMN_REFERENCE,
                format!(
                    "WITH query \"{name}\" has {} columns available but {} columns specified",
                    l.columns.len(),
                    def.columns.len()
                ),
            ));
        }
        for (c, n) in l.columns.iter_mut().zip(&def.columns) {
            c.name = n.clone();
        }
        let id = self.next_worktable;
        self.next_worktable += 1;
        self.ctes.push(CteDef {
            worktable: Some((id, l.columns.clone())),
            recursive: false,
            ..def.clone()
        });
        let mut r = self.set_op_operand(right)?;
        if r.columns.len() != l.columns.len() {
            return Err(PgError::new(
                sqlstate::SYNTAX_ERROR,
                "each UNION query must have the same number of columns",
            ));
        }
        for i in 0..l.columns.len() {
            let (lt, rt) = (l.columns[i].type_oid, r.columns[i].type_oid);
            if lt == rt {
                continue;
            }
            let overall = coerce::common_type(&[lt, rt], "UNION")?;
            if overall != lt {
                return Err(PgError::new(
                    sqlstate::DATATYPE_MISMATCH,
                    format!(
                        "recursive query \"{name}\" column {} has type {} in non-recursive term but type {} overall",
                        i + 1,
                        crate::types::type_name(lt),
                        crate::types::type_name(overall)
                    ),
                )
                .with_hint("Cast the output of the non-recursive term to the correct type."));
            }
            let t = std::mem::replace(&mut r.targets[i], Expr::Const(Value::Null, lt));
            r.targets[i] = self.coerce(t, lt, false)?;
            r.columns[i].type_oid = lt;
        }
        let columns = l.columns.clone();
        Ok(result_query(
            Source::Recursive(Box::new(RecursiveSource {
                id,
                distinct,
                non_recursive: l,
                recursive: r,
            })),
            &columns,
        ))
    }

    /// The view `name`, if the catalog has one: its query analyzed as a
    /// subquery against the statement's catalog, outside any WITH of the
    /// statement, with the view's column names.
    pub(crate) fn view_reference(
        &mut self,
        schema: Option<&str>,
        name: &str,
    ) -> PgResult<Option<Query>> {
        let view = match self.catalog.resolve_relation(schema, name) {
            Some((crate::catalog::RelKind::View, o)) => {
                self.catalog.views.iter().find(|v| v.oid == o).cloned()
            }
            _ => None,
        };
        let Some(view) = view else {
            return Ok(None);
        };
        self.uses_catalog = true;
        let parsed = crate::parser::parse(&viewdef::view_query(&self.catalog, &view))?;
        let Some(ast::Statement::Query(q)) = parsed.first().map(|p| &p.ast) else {
            return Err(PgError::internal(format!("view \"{name}\" has no query")));
        };
        self.require(view.oid, crate::catalog::roles::privs::SELECT);
        let saved = std::mem::take(&mut self.ctes);
        let outer_role = self.check_as.replace(self.catalog.owner_of(view.oid));
        let r = match self.catalog.view_paths.get(&view.oid).cloned() {
            Some(path) => {
                let setting = self.catalog.search_path_setting(&path);
                crate::catalog::namespace::with_search_path(&setting, || self.query(q))
            }
            None => self.query(q),
        };
        self.check_as = outer_role;
        self.ctes = saved;
        let mut q = r?;
        // A view's columns are reported as the view's own, as
        // PostgreSQL does.
        for (i, (c, (n, _, _))) in q.columns.iter_mut().zip(&view.columns).enumerate() {
            c.name = n.clone();
            c.table_oid = view.oid;
            c.column_id = i as i16 + 1;
        }
        Ok(Some(q))
    }

    /// A sequence read as a relation (`SELECT * FROM seq`): one row of
    /// last_value, log_cnt and is_called, read from its page.
    pub(crate) fn sequence_reference(
        &mut self,
        schema: Option<&str>,
        name: &str,
    ) -> PgResult<Option<Query>> {
        let seq = match self.catalog.resolve_relation(schema, name) {
            Some((crate::catalog::RelKind::Sequence, o)) => {
                self.catalog.sequence_by_oid(o).cloned()
            }
            _ => None,
        };
        let Some(seq) = seq else {
            return Ok(None);
        };
        self.uses_catalog = true;
        self.require(seq.oid, crate::catalog::roles::privs::SELECT);
        let r = format!("{}::regclass", seq.oid);
        let sql = format!(
            "SELECT pgfork_sequence_state({r}, 1) AS last_value, \
             pgfork_sequence_state({r}, 2) AS log_cnt, \
             pgfork_sequence_called({r}, 3) AS is_called"
        );
        let parsed = crate::parser::parse(&sql)?;
        let Some(ast::Statement::Query(q)) = parsed.first().map(|p| &p.ast) else {
            return Err(PgError::internal("sequence query"));
        };
        let saved = std::mem::take(&mut self.ctes);
        let r = self.query(q);
        self.ctes = saved;
        let mut q = r?;
        for (i, c) in q.columns.iter_mut().enumerate() {
            c.table_oid = seq.oid;
            c.column_id = i as i16 + 1;
        }
        Ok(Some(q))
    }

    /// A query's body, ORDER BY and LIMIT (its WITH already in scope).
    fn query_body(&mut self, q: &ast::Query) -> PgResult<Query> {
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
            ast::SetExpr::Query(inner) => {
                // (query) ORDER BY ... LIMIT ...: over the query's result.
                let inner = self.query(inner)?;
                let shape = inner.columns.clone();
                let mut query = result_query(Source::Subquery(Box::new(inner)), &shape);
                self.order_by(&mut query, q.order_by.as_ref(), &Scope::default(), None)?;
                query
            }
            ast::SetExpr::SetOperation {
                op,
                set_quantifier,
                left,
                right,
            } => {
                let mut query = self.set_operation(op, set_quantifier, left, right)?;
                self.order_by(&mut query, q.order_by.as_ref(), &Scope::default(), None)?;
                query
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

    /// One operand of a set operation.
    fn set_op_operand(&mut self, e: &ast::SetExpr) -> PgResult<Query> {
        crate::stack::check_stack_depth()?;
        match e {
            ast::SetExpr::Select(s) => {
                self.set_operand = true;
                self.select(s, None)
            }
            ast::SetExpr::Values(v) => self.values(v),
            ast::SetExpr::Query(q) => self.query(q),
            ast::SetExpr::SetOperation {
                op,
                set_quantifier,
                left,
                right,
            } => self.set_operation(op, set_quantifier, left, right),
            _ => Err(not_supported_yet("this kind of set operation operand")),
        }
    }

    /// `left UNION|INTERSECT|EXCEPT [ALL|DISTINCT] right`: each output
    /// column gets the common type of the two sides (unknown literals
    /// become text), its name from the left side.
    fn set_operation(
        &mut self,
        op: &ast::SetOperator,
        quantifier: &ast::SetQuantifier,
        left: &ast::SetExpr,
        right: &ast::SetExpr,
    ) -> PgResult<Query> {
        let kind = match op {
            ast::SetOperator::Union => SetOpKind::Union,
            ast::SetOperator::Intersect => SetOpKind::Intersect,
            ast::SetOperator::Except => SetOpKind::Except,
            ast::SetOperator::Minus => return Err(not_supported_yet("MINUS")),
        };
        let all = match quantifier {
            ast::SetQuantifier::All => true,
            ast::SetQuantifier::Distinct | ast::SetQuantifier::None => false,
            _ => return Err(not_supported_yet("UNION BY NAME")),
        };
        let mut l = self.set_op_operand(left)?;
        let mut r = self.set_op_operand(right)?;
        if l.columns.len() != r.columns.len() {
            let e = PgError::new(
                sqlstate::SYNTAX_ERROR,
                format!(
                    "each {} query must have the same number of columns",
                    kind.name()
                ),
            );
            // PostgreSQL points at the right operand's first column.
            return Err(match right {
                ast::SetExpr::Select(s) if !s.projection.is_empty() => {
                    self.with_pos(&s.projection[0], e)
                }
                _ => self.with_pos(right, e),
            });
        }
        for i in 0..l.columns.len() {
            let (lt, rt) = (l.columns[i].type_oid, r.columns[i].type_oid);
            let ty = coerce::common_type(&[lt, rt], kind.name())?;
            let ty = if ty == oid::UNKNOWN { oid::TEXT } else { ty };
            let typmod = if lt == rt && l.columns[i].type_modifier == r.columns[i].type_modifier {
                l.columns[i].type_modifier
            } else {
                -1
            };
            for side in [&mut l, &mut r] {
                if side.columns[i].type_oid != ty {
                    let t = std::mem::replace(&mut side.targets[i], Expr::Const(Value::Null, ty));
                    side.targets[i] = self.coerce(t, ty, false)?;
                    side.columns[i].type_oid = ty;
                    side.columns[i].type_modifier = -1;
                }
            }
            l.columns[i].type_modifier = typmod;
        }
        let shape = l.columns.clone();
        Ok(result_query(
            Source::SetOp(Box::new(SetOpSource {
                kind,
                all,
                left: l,
                right: r,
            })),
            &shape,
        ))
    }

    fn limit_expr(&mut self, e: &ast::Expr, what: &str) -> PgResult<Expr> {
        let clause = if what == "OFFSET" {
            Clause::Offset
        } else {
            Clause::Limit
        };
        let x = self.expr(e, &Scope::default(), clause)?;
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
        Ok(result_query(Source::Values(rows), &columns))
    }

    fn select(&mut self, s: &ast::Select, order_by: Option<&ast::OrderBy>) -> PgResult<Query> {
        let saved = std::mem::replace(&mut self.named_windows, s.named_window.clone());
        let r = self.select_inner(s, order_by);
        self.named_windows = saved;
        r
    }

    fn select_inner(
        &mut self,
        s: &ast::Select,
        order_by: Option<&ast::OrderBy>,
    ) -> PgResult<Query> {
        // Taken now, so that subqueries inside this SELECT resolve theirs.
        let keep_unknown = std::mem::take(&mut self.set_operand);
        if s.into.is_some() {
            return Err(not_supported_yet("SELECT INTO"));
        }
        if s.qualify.is_some() || s.top.is_some() {
            return Err(not_supported_yet("this SELECT clause"));
        }
        let (source, scope) = self.from(&s.from)?;
        self.check_window_clause(&scope)?;
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
                ast::SelectItem::UnnamedExpr(e) if rowexpr::field_star(e).is_some() => {
                    let root = rowexpr::field_star(e).unwrap_or(e);
                    let x = self.expr(root, &scope, Clause::Select)?;
                    for (name, _) in self.expand_fields(&x, &scope)? {
                        let f = self.field_select(x.clone(), &name, &scope)?;
                        columns.push(self.column_for(&f, name, &scope));
                        targets.push(f);
                    }
                }
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
                // `(expr).*`: each field of a composite value.
                ast::SelectItem::QualifiedWildcard(
                    ast::SelectItemQualifiedWildcardKind::Expr(e),
                    _,
                ) => {
                    let x = self.expr(e, &scope, Clause::Select)?;
                    for (name, _) in self.expand_fields(&x, &scope)? {
                        let f = self.field_select(x.clone(), &name, &scope)?;
                        columns.push(self.column_for(&f, name, &scope));
                        targets.push(f);
                    }
                }
                _ => return Err(not_supported_yet("this select list item")),
            }
        }
        let (distinct, distinct_on) = match &s.distinct {
            None | Some(ast::Distinct::All) => (false, None),
            Some(ast::Distinct::Distinct) => (true, None),
            Some(ast::Distinct::On(exprs)) => (false, Some(exprs)),
        };
        // GROUP BY.
        let (group_keys, grouping_sets) = match &s.group_by {
            ast::GroupByExpr::Expressions(exprs, mods) => {
                if !mods.is_empty() {
                    return Err(not_supported_yet("GROUP BY modifiers"));
                }
                let list = grouping::SelectList {
                    targets: &targets,
                    columns: &columns,
                };
                let (exprs, distinct) = grouping::distinct_mark(exprs);
                let (keys, mut sets) = self.group_by(exprs, &scope, &list)?;
                if distinct {
                    grouping::remove_duplicate_sets(&mut sets);
                }
                (keys, sets)
            }
            // `GROUP BY ALL` with no item (`parser::group_by_distinct`
            // drops an ALL before one): PostgreSQL's grammar refuses it.
            ast::GroupByExpr::All(_) => {
                return Err(PgError::new(
                    sqlstate::SYNTAX_ERROR,
                    "syntax error at end of input",
                ))
            }
        };
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
            grouping: nodes_query_grouping(grouping_sets),
            aggs: vec![],
            aggregated: false,
            having,
            targets,
            columns,
            distinct,
            sort: vec![],
            limit: None,
            offset: None,
            windows: vec![],
            window_input: vec![],
            distinct_on: vec![],
        };
        self.order_by(&mut query, order_by, &scope, Some(visible))?;
        if let Some(exprs) = distinct_on {
            self.distinct_on(&mut query, exprs, &scope, visible)?;
        }
        if distinct && query.targets.len() > visible {
            return Err(PgError::new(
                sqlstate::INVALID_COLUMN_REFERENCE,
                "for SELECT DISTINCT, ORDER BY expressions must appear in select list",
            ));
        }
        let has_windows = query.targets.iter().any(Expr::contains_window);
        // unnest(...) and generate_series(...) in the select list (run by
        // ProjectSet nodes over the rows it reads).
        srf::check_select_list(&query.targets)?;
        // Aggregation: rewrite targets and HAVING over the Aggregate's
        // output (keys, then aggregate results).
        let grouped = |e: &Expr| e.contains_agg() || e.contains_grouping();
        let has_aggs =
            query.targets.iter().any(grouped) || query.having.as_ref().is_some_and(grouped);
        if has_aggs
            || !query.group_keys.is_empty()
            || !query.grouping.sets.is_empty()
            || query.having.is_some()
        {
            query.aggregated = true;
            let keys = query.group_keys.clone();
            query.grouping.calls =
                grouping::grouping_calls(query.targets.iter().chain(&query.having), &keys)?.calls;
            let mut rw = AggRewrite {
                keys: &keys,
                calls: &query.grouping.calls,
                aggs: Vec::new(),
                scope: &scope,
            };
            let old = std::mem::take(&mut query.targets);
            let targets = old
                .into_iter()
                .map(|t| rw.rewrite(t))
                .collect::<PgResult<_>>()?;
            let having = query.having.take().map(|h| rw.rewrite(h)).transpose()?;
            query.aggs = rw.aggs;
            query.targets = targets;
            query.having = having;
        }
        if has_windows {
            let input = if query.aggregated {
                query
                    .group_keys
                    .iter()
                    .map(Expr::ty)
                    .chain(query.grouping.calls.iter().map(|_| oid::INT4))
                    .chain(query.aggs.iter().map(|a| a.ty))
                    .collect()
            } else {
                scope.cols.iter().map(|c| c.ty).collect()
            };
            window::extract(&mut query, input)?;
        }
        // Unknown-typed outputs (bare literals, untyped parameters) are text,
        // unless a set operation resolves them.
        for i in 0..visible {
            if keep_unknown {
                break;
            }
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
        c.record = self.record_fields(x, scope).map(std::sync::Arc::new);
        if let Expr::Column(i, _) = x {
            c.type_modifier = scope.cols[*i].typmod;
            (c.table_oid, c.column_id) = scope.cols[*i].origin;
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
            if c.system {
                continue;
            }
            if (qual.is_none() && !c.hidden) || (qual.is_some() && c.qualifier.as_deref() == qual) {
                targets.push(Expr::Column(i, c.ty));
                let mut col = Column::new(c.name.clone(), c.ty, c.typmod);
                (col.table_oid, col.column_id) = c.origin;
                col.record = c.record.clone();
                columns.push(col);
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
            let n = n.map_err(|()| self.with_pos(g, non_integer_constant("GROUP BY")))?;
            let t = usize::try_from(n - 1)
                .ok()
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
            let target = self.sort_target(q, &item.expr, scope, visible, "ORDER BY")?;
            q.sort.push(SortKey {
                target,
                desc,
                nulls_first,
            });
        }
        Ok(())
    }

    /// The target an ORDER BY or DISTINCT ON item sorts by: an output
    /// ordinal, an output column name, or an expression over the input
    /// (added as a resjunk target unless an equal target exists).
    pub(crate) fn sort_target(
        &mut self,
        q: &mut Query,
        e: &ast::Expr,
        scope: &Scope,
        visible: Option<usize>,
        what: &str,
    ) -> PgResult<usize> {
        let visible_n = visible.unwrap_or(q.targets.len());
        let target = if let Some(n) = ordinal(e) {
            let n = n.map_err(|()| self.with_pos(e, non_integer_constant(what)))?;
            if n < 1 || n > visible_n as i64 {
                return Err(self.with_pos(
                    e,
                    PgError::new(
                        sqlstate::INVALID_COLUMN_REFERENCE,
                        format!("{what} position {n} is not in select list"),
                    ),
                ));
            }
            n as usize - 1
        } else if let Some(i) = self.output_name(e, &q.columns[..visible_n])? {
            i
        } else {
            if visible.is_none() {
                // VALUES has no input scope beyond its own columns.
                return Err(self.with_pos(
                    e,
                    PgError::new(
                        sqlstate::UNDEFINED_COLUMN,
                        format!("column \"{}\" does not exist", e),
                    ),
                ));
            }
            let x = self.expr(e, scope, Clause::OrderBy)?;
            match q.targets.iter().position(|t| *t == x) {
                Some(i) => i,
                None => {
                    q.targets.push(x);
                    q.targets.len() - 1
                }
            }
        };
        Ok(target)
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
/// An ORDER BY / GROUP BY / DISTINCT ON item that is a constant: an
/// integer is a position (PostgreSQL folds a minus sign into the
/// constant, so `-1` is position -1), any other constant (a number beyond
/// int4 or with a fraction, a string, NULL) is 42601 "non-integer
/// constant" (`Err`); None for anything else.
fn ordinal(e: &ast::Expr) -> Option<Result<i64, ()>> {
    match e {
        ast::Expr::Value(v) => match &v.value {
            ast::Value::Number(n, _) => Some(n.parse::<i32>().map(i64::from).map_err(|_| ())),
            ast::Value::Null
            | ast::Value::SingleQuotedString(_)
            | ast::Value::EscapedStringLiteral(_) => Some(Err(())),
            _ => None,
        },
        ast::Expr::UnaryOp {
            op: ast::UnaryOperator::Minus,
            expr,
        } => match expr.as_ref() {
            ast::Expr::Value(v) if matches!(v.value, ast::Value::Number(..)) => {
                ordinal(expr).map(|n| n.map(|n| -n))
            }
            _ => None,
        },
        _ => None,
    }
}

/// 42601 for a constant that is not a position.
fn non_integer_constant(what: &str) -> PgError {
    PgError::new(
        sqlstate::SYNTAX_ERROR,
        format!(
            "non-integer constant in {}",
            what.trim_start_matches("SELECT ")
        ),
    )
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

/// Replaces GROUP BY keys, GROUPING() calls and aggregate calls by
/// columns of the Aggregate node's output (keys, GROUPING() values, then
/// aggregates); any other column reference is an error.
struct AggRewrite<'a> {
    keys: &'a [Expr],
    calls: &'a [Vec<usize>],
    aggs: Vec<AggCall>,
    scope: &'a Scope,
}

impl AggRewrite<'_> {
    fn rewrite(&mut self, e: Expr) -> PgResult<Expr> {
        let keys = self.keys;
        if let Some(i) = keys.iter().position(|k| *k == e) {
            return Ok(Expr::Column(i, e.ty()));
        }
        match e {
            Expr::Grouping(args) => {
                let idx = grouping::grouping_args(&args, keys)?;
                let j = self
                    .calls
                    .iter()
                    .position(|c| *c == idx)
                    .ok_or_else(|| PgError::internal("GROUPING() call not collected"))?;
                Ok(Expr::Column(keys.len() + j, oid::INT4))
            }
            Expr::Agg(a) => {
                let ty = a.ty;
                let idx = match self.aggs.iter().position(|x| *x == *a) {
                    Some(i) => i,
                    None => {
                        self.aggs.push(*a);
                        self.aggs.len() - 1
                    }
                };
                Ok(Expr::Column(keys.len() + self.calls.len() + idx, ty))
            }
            Expr::Column(i, _) => {
                let c = &self.scope.cols[i];
                let shown = match &c.qualifier {
                    Some(q) => format!("{q}.{}", c.name),
                    None => c.name.clone(),
                };
                Err(PgError::new(
                    sqlstate::GROUPING_ERROR,
                    format!("column \"{shown}\" must appear in the GROUP BY clause or be used in an aggregate function"),
                ))
            }
            other => other.map_children(&mut |c| self.rewrite(c)),
        }
    }
}

/// A query's grouping sets, without GROUPING() calls yet.
fn nodes_query_grouping(sets: Vec<Vec<usize>>) -> crate::nodes::query::Grouping {
    crate::nodes::query::Grouping {
        sets,
        calls: vec![],
    }
}

/// A query computing `targets` (named `columns`) over each row of
/// `source`.
pub(crate) fn projection_query(source: Source, targets: Vec<Expr>, columns: Vec<Column>) -> Query {
    Query {
        source,
        filter: None,
        group_keys: vec![],
        grouping: Default::default(),
        aggs: vec![],
        aggregated: false,
        having: None,
        targets,
        columns,
        distinct: false,
        sort: vec![],
        limit: None,
        offset: None,
        windows: vec![],
        window_input: vec![],
        distinct_on: vec![],
    }
}

/// A query returning every column of `source`, which are `shape` (a set
/// operation's result, a parenthesized query's, a worktable's, VALUES').
fn result_query(source: Source, shape: &[Column]) -> Query {
    let mut columns: Vec<Column> = shape.to_vec();
    for c in &mut columns {
        c.table_oid = 0;
        c.column_id = 0;
    }
    Query {
        source,
        filter: None,
        group_keys: vec![],
        grouping: Default::default(),
        aggs: vec![],
        aggregated: false,
        having: None,
        targets: columns
            .iter()
            .enumerate()
            .map(|(i, c)| Expr::Column(i, c.type_oid))
            .collect(),
        columns,
        distinct: false,
        sort: vec![],
        limit: None,
        offset: None,
        windows: vec![],
        window_input: vec![],
        distinct_on: vec![],
    }
}
