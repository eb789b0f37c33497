//! A view's query deparsed as PostgreSQL 15's pg_get_viewdef prints it
//! (its ruleutils format): `SELECT *` expanded, every column qualified by
//! its range-table alias, literals labelled with their types, casts as
//! `::type`, one target per line, each clause on its own indented line.
//! A table column of a domain type given to an operator or function is
//! printed cast to the base type, as PostgreSQL shows that coercion.
//! Two forms are made at CREATE VIEW: the plain one (every operator
//! parenthesized: `pg_get_viewdef(v)`, pg_dump) and the pretty one
//! (`pg_get_viewdef(v, true)`, psql's `\d+`). A relation is written as a
//! marker holding its OID (`catalog::ViewDesc::render` names it), so the
//! text names it as the search path of whoever reads it shows it.
//!
//! The analyzer types each expression; the printer walks the analyzed
//! `Expr` with the FROM scope giving each column's alias and name.
//! Constructs it does not print yet are reported as an error, and the
//! view keeps its query as written.

use sqlparser::ast;

use super::expr::Clause;
use super::names::figure_colname;
use super::{not_supported_yet, Analyzer, Scope};
use crate::catalog::{format_type, RelKind};
use crate::error::PgResult;
use crate::nodes::expr::{Expr, SubLinkKind};
use crate::parser::{ident, object_name};
use crate::types::{oid, Oid, Value};
use crate::utils::adt::agg::AggKind;
use crate::utils::adt::ops::{self, BinOp};
use crate::utils::adt::quote::quote_ident;

/// Both forms of a view's definition, relations as markers.
#[derive(Clone, Debug, PartialEq)]
pub struct Deparsed {
    pub plain: String,
    pub pretty: String,
}

/// Appends a newline and `indent` spaces, dropping trailing spaces first
/// (as ruleutils does before each keyword on a new line).
fn newline(out: &mut String, indent: usize) {
    while out.ends_with(' ') {
        out.pop();
    }
    out.push('\n');
    out.extend(std::iter::repeat_n(' ', indent));
}

/// How an expression's parent uses it: decides whether the pretty form
/// needs parentheses around it.
#[derive(Clone, Copy, PartialEq)]
enum Parent {
    /// A clause, a target, a function argument or a list item.
    Top,
    /// An operator's operand: its symbol, and whether the left one.
    Op(&'static str, bool),
    /// AND (true) or OR (false); NOT counts as AND.
    Bool(bool),
    /// The operand of a cast.
    Cast,
}

/// Relation `oid` named as `schema.name`, each part quoted as needed.
pub fn qualified_relation_name(cat: &crate::catalog::Catalog, oid: Oid) -> String {
    format!(
        "{}.{}",
        quote_ident(cat.relation_schema_name(oid)),
        quote_ident(cat.relation_name(oid).unwrap_or_default())
    )
}

/// The query view `v` runs: its plain definition with every relation
/// named by its current qualified name, so that renaming a schema or
/// moving a table (SET SCHEMA) does not lose the view's relations, as
/// PostgreSQL's views hold OIDs, not names. A view the deparser could not
/// print keeps its query as written.
pub fn view_query(cat: &crate::catalog::Catalog, v: &crate::catalog::ViewDesc) -> String {
    match &v.def {
        Some(d) => crate::catalog::ViewDesc::render(&d.plain, &|o| qualified_relation_name(cat, o))
            .trim_end_matches(';')
            .to_owned(),
        None => v.sql.clone(),
    }
}

impl<'a> Analyzer<'a> {
    /// Deparses CREATE VIEW's query in both forms.
    pub fn deparse_view(&mut self, q: &ast::Query) -> PgResult<Deparsed> {
        self.deparse_view_renaming(q, None)
    }

    /// Deparses a view's query with column `attnum` of relation `rel`
    /// printed under a new name (ALTER TABLE ... RENAME COLUMN): the
    /// query is analyzed against the catalog before the rename.
    pub fn deparse_view_renaming(
        &mut self,
        q: &ast::Query,
        rename: Option<(Oid, i16, String)>,
    ) -> PgResult<Deparsed> {
        let mut quals = vec![];
        if let Some((rel, _, _)) = &rename {
            let mut v = TableRefs::default();
            let _ = ast::Visit::visit(q, &mut v);
            for (parts, alias) in v.found {
                if let Some((_, o)) = self.catalog.resolve_relation_parts(&parts) {
                    if o == *rel {
                        quals.push(
                            alias.unwrap_or_else(|| parts.last().cloned().unwrap_or_default()),
                        );
                    }
                }
            }
        }
        let plain = Printer {
            an: self,
            pretty: false,
            scopes: vec![],
            subs: vec![],
            in_sublink: false,
            rename: rename.clone(),
            rename_quals: quals.clone(),
        }
        .query(q, 0)?;
        let pretty = Printer {
            an: self,
            pretty: true,
            scopes: vec![],
            subs: vec![],
            in_sublink: false,
            rename: rename.clone(),
            rename_quals: quals.clone(),
        }
        .query(q, 0)?;
        Ok(Deparsed {
            plain: format!("{plain};"),
            pretty: format!("{pretty};"),
        })
    }
}

/// The relations a query names in FROM (anywhere), with their aliases.
#[derive(Default)]
struct TableRefs {
    found: Vec<(Vec<String>, Option<String>)>,
}

impl ast::Visitor for TableRefs {
    type Break = ();
    fn pre_visit_table_factor(&mut self, f: &ast::TableFactor) -> std::ops::ControlFlow<()> {
        if let ast::TableFactor::Table {
            name,
            alias,
            args: None,
            ..
        } = f
        {
            self.found
                .push((object_name(name), alias.as_ref().map(|a| ident(&a.name))));
        }
        std::ops::ControlFlow::Continue(())
    }
}

struct Printer<'x, 'a> {
    an: &'x mut Analyzer<'a>,
    pretty: bool,
    /// Scopes of the enclosing queries, innermost last (outer references).
    scopes: Vec<Scope>,
    /// The subqueries of the expression being printed, in order, with
    /// the indentation of the query holding them.
    subs: Vec<(ast::Query, usize)>,
    /// RENAME COLUMN: (relation, attribute number, new name), and the
    /// aliases under which the query reads that relation itself.
    rename: Option<(Oid, i16, String)>,
    rename_quals: Vec<String>,
    /// The next SELECT is a sublink's: an unnamed column gets no
    /// `AS "?column?"`.
    in_sublink: bool,
}

/// The subqueries directly inside `e` (not inside those), in order.
fn sublinks(e: &ast::Expr) -> Vec<ast::Query> {
    struct V {
        depth: usize,
        found: Vec<ast::Query>,
    }
    impl ast::Visitor for V {
        type Break = ();
        fn pre_visit_query(&mut self, _: &ast::Query) -> std::ops::ControlFlow<()> {
            self.depth += 1;
            std::ops::ControlFlow::Continue(())
        }
        fn post_visit_query(&mut self, _: &ast::Query) -> std::ops::ControlFlow<()> {
            self.depth -= 1;
            std::ops::ControlFlow::Continue(())
        }
        fn pre_visit_expr(&mut self, e: &ast::Expr) -> std::ops::ControlFlow<()> {
            if self.depth == 0 {
                match e {
                    ast::Expr::Subquery(q)
                    | ast::Expr::Exists { subquery: q, .. }
                    | ast::Expr::In {
                        target: ast::InTarget::Subquery(q),
                        ..
                    } => self.found.push((**q).clone()),
                    _ => {}
                }
            }
            std::ops::ControlFlow::Continue(())
        }
    }
    let mut v = V {
        depth: 0,
        found: vec![],
    };
    let _ = ast::Visit::visit(e, &mut v);
    v.found
}

impl Printer<'_, '_> {
    fn query(&mut self, q: &ast::Query, level: usize) -> PgResult<String> {
        crate::stack::check_stack_depth()?;
        if q.fetch.is_some() || !q.locks.is_empty() {
            return Err(not_supported_yet("deparsing this query"));
        }
        let mut out = String::new();
        let before = self.an.ctes.len();
        let r = self.query_with(q, level, &mut out);
        self.an.ctes.truncate(before);
        r?;
        Ok(out)
    }

    fn query_with(&mut self, q: &ast::Query, level: usize, out: &mut String) -> PgResult<()> {
        if let Some(with) = &q.with {
            if with.recursive {
                return Err(not_supported_yet("deparsing WITH RECURSIVE"));
            }
            for (i, cte) in with.cte_tables.iter().enumerate() {
                out.push_str(if i == 0 { " WITH " } else { ", " });
                out.push_str(&quote_ident(&ident(&cte.alias.name)));
                if !cte.alias.columns.is_empty() {
                    let cols: Vec<String> = cte
                        .alias
                        .columns
                        .iter()
                        .map(|c| quote_ident(&ident(&c.name)))
                        .collect();
                    out.push_str(&format!("({})", cols.join(", ")));
                }
                out.push_str(" AS (");
                newline(out, level + 8);
                let body = self.query(&cte.query, level + 8)?;
                out.push_str(&body);
                newline(out, level + 8);
                out.push(')');
                // Each WITH query sees the ones before it.
                let one = ast::With {
                    with_token: with.with_token.clone(),
                    recursive: false,
                    cte_tables: vec![cte.clone()],
                };
                self.an.push_ctes(&one, false)?;
            }
            // The SELECT's own leading space follows.
            newline(out, level);
        }
        let (body, order_by) = (&*q.body, q.order_by.as_ref());
        match body {
            ast::SetExpr::Select(s) => self.select(s, order_by, q, level, out),
            ast::SetExpr::SetOperation { .. } => {
                if order_by.is_some() || q.limit_clause.is_some() {
                    return Err(not_supported_yet("deparsing ORDER BY of a set operation"));
                }
                self.set_operation(body, level, out)
            }
            _ => Err(not_supported_yet("deparsing this query")),
        }
    }

    fn set_operation(&mut self, e: &ast::SetExpr, level: usize, out: &mut String) -> PgResult<()> {
        match e {
            ast::SetExpr::SetOperation {
                op,
                set_quantifier,
                left,
                right,
            } => {
                self.set_operand(left, level, out)?;
                newline(out, level);
                out.push_str(match op {
                    ast::SetOperator::Union => "UNION",
                    ast::SetOperator::Intersect => "INTERSECT",
                    ast::SetOperator::Except | ast::SetOperator::Minus => "EXCEPT",
                });
                match set_quantifier {
                    ast::SetQuantifier::All => out.push_str(" ALL"),
                    ast::SetQuantifier::None | ast::SetQuantifier::Distinct => {}
                    _ => return Err(not_supported_yet("deparsing this set operation")),
                }
                newline(out, level);
                self.set_operand(right, level, out)
            }
            _ => Err(not_supported_yet("deparsing this query")),
        }
    }

    fn set_operand(&mut self, e: &ast::SetExpr, level: usize, out: &mut String) -> PgResult<()> {
        match e {
            ast::SetExpr::Select(s) => {
                let q = ast::Query {
                    with: None,
                    body: Box::new(ast::SetExpr::Select(s.clone())),
                    order_by: None,
                    limit_clause: None,
                    fetch: None,
                    locks: vec![],
                    for_clause: None,
                    settings: None,
                    format_clause: None,
                    pipe_operators: vec![],
                };
                self.select(s, None, &q, level, out)
            }
            ast::SetExpr::Query(q) => {
                out.push('(');
                let inner = self.query(q, level)?;
                out.push_str(&inner);
                out.push(')');
                Ok(())
            }
            ast::SetExpr::SetOperation { .. } => self.set_operation(e, level, out),
            _ => Err(not_supported_yet("deparsing this set operation")),
        }
    }

    fn select(
        &mut self,
        s: &ast::Select,
        order_by: Option<&ast::OrderBy>,
        q: &ast::Query,
        level: usize,
        out: &mut String,
    ) -> PgResult<()> {
        if !s.named_window.is_empty() || s.qualify.is_some() || s.top.is_some() || s.into.is_some()
        {
            return Err(not_supported_yet("deparsing this SELECT"));
        }
        let in_sublink = std::mem::take(&mut self.in_sublink);
        let (_, scope) = self.an.from(&s.from)?;
        out.push_str(" SELECT");
        match &s.distinct {
            None | Some(ast::Distinct::All) => {}
            Some(ast::Distinct::Distinct) => out.push_str(" DISTINCT"),
            Some(ast::Distinct::On(_)) => return Err(not_supported_yet("deparsing DISTINCT ON")),
        }
        // Targets: (printed expression, analyzed expression).
        let mut targets: Vec<(String, Expr)> = Vec::new();
        let mut names: Vec<String> = Vec::new();
        let mut first = true;
        let rename = (&self.rename, &self.rename_quals);
        let rename = (rename.0.clone(), rename.1.clone());
        let rename = &rename;
        let mut push = |out: &mut String, text: String, x: Expr, name: String| {
            let natural = match &x {
                Expr::Column(i, _) => Some(col_name(rename, &scope.cols[*i]).to_owned()),
                _ => None,
            };
            if text.starts_with('\n') {
                // CASE starts on a line of its own.
                if !first {
                    out.push(',');
                }
            } else if first {
                out.push(' ');
            } else {
                out.push(',');
                newline(out, level + 4);
            }
            first = false;
            out.push_str(&text);
            let unnamed = in_sublink && name == "?column?";
            if natural.as_deref() != Some(name.as_str()) && !unnamed {
                out.push_str(&format!(" AS {}", quote_ident(&name)));
            }
            targets.push((text, x));
            names.push(name);
        };
        for item in &s.projection {
            match item {
                ast::SelectItem::UnnamedExpr(e)
                | ast::SelectItem::ExprWithAlias { expr: e, .. } => {
                    let name = match item {
                        ast::SelectItem::ExprWithAlias { alias, .. } => ident(alias),
                        _ => figure_colname(e).0,
                    };
                    let (text, x) = self.top_expr(e, &scope, Clause::Select, level)?;
                    push(out, text, x, name);
                }
                ast::SelectItem::Wildcard(_) | ast::SelectItem::QualifiedWildcard(..) => {
                    let q = match item {
                        ast::SelectItem::QualifiedWildcard(
                            ast::SelectItemQualifiedWildcardKind::ObjectName(n),
                            _,
                        ) => Some(object_name(n).pop().unwrap_or_default()),
                        ast::SelectItem::Wildcard(_) => None,
                        _ => return Err(not_supported_yet("deparsing this select list item")),
                    };
                    for (i, c) in scope.cols.iter().enumerate() {
                        let wanted = match &q {
                            None => !c.hidden && !c.system,
                            Some(q) => !c.system && c.qualifier.as_ref() == Some(q),
                        };
                        if wanted {
                            let text = self.column(&scope, i);
                            push(out, text, Expr::Column(i, c.ty), c.name.clone());
                        }
                    }
                }
                _ => return Err(not_supported_yet("deparsing this select list item")),
            }
        }
        if !s.from.is_empty() {
            newline(out, level + 3);
            out.push_str("FROM ");
            for (k, twj) in s.from.iter().enumerate() {
                if k > 0 {
                    out.push(',');
                    newline(out, level + 4);
                }
                let text = self.join_tree(&s.from[..k], twj, level)?;
                out.push_str(&text);
            }
        }
        if let Some(w) = &s.selection {
            newline(out, level + 2);
            out.push_str("WHERE ");
            let (text, _) = self.top_expr(w, &scope, Clause::Where, level)?;
            out.push_str(&text);
        }
        if let ast::GroupByExpr::Expressions(exprs, mods) = &s.group_by {
            if !mods.is_empty() {
                return Err(not_supported_yet("deparsing GROUP BY modifiers"));
            }
            if !exprs.is_empty() {
                newline(out, level + 2);
                out.push_str("GROUP BY ");
                let mut keys = vec![];
                for e in exprs {
                    keys.push(self.sort_item(
                        e,
                        &scope,
                        &targets,
                        &names,
                        Clause::GroupBy,
                        level,
                    )?);
                }
                out.push_str(&keys.join(", "));
            }
        } else {
            return Err(not_supported_yet("deparsing GROUP BY ALL"));
        }
        if let Some(h) = &s.having {
            newline(out, level + 1);
            out.push_str("HAVING ");
            let (text, _) = self.top_expr(h, &scope, Clause::Having, level)?;
            out.push_str(&text);
        }
        if let Some(ob) = order_by {
            let ast::OrderByKind::Expressions(items) = &ob.kind else {
                return Err(not_supported_yet("deparsing ORDER BY ALL"));
            };
            newline(out, level + 2);
            out.push_str("ORDER BY ");
            let mut keys = vec![];
            for it in items {
                let mut k =
                    self.sort_item(&it.expr, &scope, &targets, &names, Clause::OrderBy, level)?;
                let desc = matches!(it.options.sort, Some(ast::OrderBySort::Desc));
                if matches!(it.options.sort, Some(ast::OrderBySort::Using(_))) {
                    return Err(not_supported_yet("deparsing ORDER BY USING"));
                }
                if desc {
                    k.push_str(" DESC");
                }
                match it.options.nulls_first {
                    Some(true) if !desc => k.push_str(" NULLS FIRST"),
                    Some(false) if desc => k.push_str(" NULLS LAST"),
                    _ => {}
                }
                keys.push(k);
            }
            out.push_str(&keys.join(", "));
        }
        match &q.limit_clause {
            None => {}
            Some(ast::LimitClause::LimitOffset {
                limit,
                offset,
                limit_by,
            }) => {
                if !limit_by.is_empty() {
                    return Err(not_supported_yet("deparsing LIMIT BY"));
                }
                let empty = Scope::default();
                if let Some(o) = offset {
                    newline(out, level + 1);
                    out.push_str("OFFSET ");
                    let (t, _) = self.top_expr(&o.value, &empty, Clause::Limit, level)?;
                    out.push_str(&t);
                }
                if let Some(l) = limit {
                    newline(out, level + 1);
                    out.push_str("LIMIT ");
                    if matches!(l, ast::Expr::Value(v) if matches!(v.value, ast::Value::Null)) {
                        out.push_str("ALL");
                    } else {
                        let (t, _) = self.top_expr(l, &empty, Clause::Limit, level)?;
                        out.push_str(&t);
                    }
                }
            }
            Some(_) => return Err(not_supported_yet("deparsing this LIMIT")),
        }
        Ok(())
    }

    /// A GROUP BY or ORDER BY item: a position or an output name stands
    /// for that target's expression.
    fn sort_item(
        &mut self,
        e: &ast::Expr,
        scope: &Scope,
        targets: &[(String, Expr)],
        names: &[String],
        clause: Clause,
        level: usize,
    ) -> PgResult<String> {
        if let ast::Expr::Value(v) = e {
            if let ast::Value::Number(n, _) = &v.value {
                if let Ok(k) = n.parse::<usize>() {
                    if k >= 1 && k <= targets.len() {
                        return Ok(self.sort_key(&targets[k - 1].1, &targets[k - 1].0));
                    }
                }
            }
        }
        if let ast::Expr::Identifier(i) = e {
            let n = ident(i);
            let in_scope = scope
                .resolve(std::slice::from_ref(&n))
                .ok()
                .flatten()
                .is_some();
            if clause == Clause::OrderBy || !in_scope {
                if let Some(k) = names.iter().position(|x| *x == n) {
                    return Ok(self.sort_key(&targets[k].1, &targets[k].0));
                }
            }
        }
        let (text, x) = self.top_expr(e, scope, clause, level)?;
        Ok(self.sort_key(&x, &text))
    }

    /// An expression where it is a sort or grouping key: a column bare,
    /// anything else in parentheses in the pretty form (in the plain one,
    /// function calls and aggregates, which have none of their own).
    fn sort_key(&self, x: &Expr, text: &str) -> String {
        let text = text.trim_start_matches('\n').trim_start();
        let need = match x {
            Expr::Column(..) | Expr::Outer(..) => false,
            Expr::Func(..) | Expr::Agg(..) | Expr::WindowFunc(..) => true,
            Expr::Cast(..) => !text.starts_with('\''),
            _ => self.pretty,
        };
        if need {
            format!("({text})")
        } else {
            text.to_owned()
        }
    }

    fn join_tree(
        &mut self,
        before: &[ast::TableWithJoins],
        twj: &ast::TableWithJoins,
        level: usize,
    ) -> PgResult<String> {
        let mut text = self.table_factor(&twj.relation, level)?;
        for (k, j) in twj.joins.iter().enumerate() {
            use ast::JoinOperator as J;
            let (kw, c) = match &j.join_operator {
                J::Join(c) | J::Inner(c) => ("JOIN", Some(c)),
                J::Left(c) | J::LeftOuter(c) => ("LEFT JOIN", Some(c)),
                J::Right(c) | J::RightOuter(c) => ("RIGHT JOIN", Some(c)),
                J::FullOuter(c) => ("FULL JOIN", Some(c)),
                J::CrossJoin(_) => ("CROSS JOIN", None),
                _ => return Err(not_supported_yet("deparsing this join")),
            };
            let right = self.table_factor(&j.relation, level)?;
            let mut s = String::new();
            if !self.pretty {
                s.push('(');
            }
            s.push_str(&text);
            newline(&mut s, level + 5);
            s.push_str(kw);
            s.push(' ');
            s.push_str(&right);
            match c {
                Some(ast::JoinConstraint::On(e)) => {
                    // The condition sees the items joined so far.
                    let mut upto: Vec<ast::TableWithJoins> = before.to_vec();
                    let mut me = twj.clone();
                    me.joins.truncate(k + 1);
                    upto.push(me);
                    let (_, scope) = self.an.from(&upto)?;
                    let (t, x) = self.top_expr(e, &scope, Clause::Where, level)?;
                    s.push_str(" ON ");
                    let _ = x;
                    if !self.pretty {
                        s.push_str(&format!("({t})"));
                    } else {
                        s.push_str(&t);
                    }
                }
                Some(ast::JoinConstraint::Using(cols)) => {
                    let names: Vec<String> = cols
                        .iter()
                        .map(|c| quote_ident(&object_name(c).pop().unwrap_or_default()))
                        .collect();
                    s.push_str(&format!(" USING ({})", names.join(", ")));
                }
                Some(ast::JoinConstraint::None) | None => {}
                Some(_) => return Err(not_supported_yet("deparsing NATURAL JOIN")),
            }
            if !self.pretty {
                s.push(')');
            }
            text = s;
        }
        Ok(text)
    }

    fn table_factor(&mut self, f: &ast::TableFactor, level: usize) -> PgResult<String> {
        match f {
            ast::TableFactor::Table {
                name,
                alias,
                args: None,
                with_hints,
                ..
            } if with_hints.is_empty() => {
                let parts = object_name(name);
                let rel = parts.last().cloned().unwrap_or_default();
                let is_cte = parts.len() == 1 && self.an.ctes.iter().any(|c| c.name == rel);
                let mut s = if is_cte {
                    quote_ident(&rel)
                } else {
                    match self.an.catalog.resolve_relation_parts(&parts) {
                        Some((RelKind::Table | RelKind::View, o)) => {
                            crate::catalog::ViewDesc::relation_marker(o)
                        }
                        _ => parts
                            .iter()
                            .map(|p| quote_ident(p))
                            .collect::<Vec<_>>()
                            .join("."),
                    }
                };
                if let Some(a) = alias {
                    let an = ident(&a.name);
                    if an != rel || !a.columns.is_empty() {
                        s.push(' ');
                        s.push_str(&quote_ident(&an));
                    }
                    if !a.columns.is_empty() {
                        return Err(not_supported_yet("deparsing column aliases"));
                    }
                }
                Ok(s)
            }
            ast::TableFactor::Derived {
                lateral: false,
                subquery,
                alias,
                sample: None,
            } => {
                let inner = self.query(subquery, level + 8)?;
                let mut s = format!("({inner})");
                if let Some(a) = alias {
                    if !a.columns.is_empty() {
                        return Err(not_supported_yet("deparsing column aliases"));
                    }
                    s.push(' ');
                    s.push_str(&quote_ident(&ident(&a.name)));
                }
                Ok(s)
            }
            ast::TableFactor::NestedJoin {
                table_with_joins,
                alias: None,
            } => self.join_tree(&[], table_with_joins, level),
            _ => Err(not_supported_yet("deparsing this FROM item")),
        }
    }

    /// A clause's expression: analyzed in `scope`, then printed.
    fn top_expr(
        &mut self,
        e: &ast::Expr,
        scope: &Scope,
        clause: Clause,
        level: usize,
    ) -> PgResult<(String, Expr)> {
        let x = self.an.expr(e, scope, clause)?;
        let saved = std::mem::take(&mut self.subs);
        self.subs = sublinks(e).into_iter().map(|q| (q, level)).collect();
        self.scopes.push(scope.clone());
        // An explicit cast at the top stays visible.
        let explicit = matches!(e, ast::Expr::Cast { .. });
        let r = if explicit {
            self.expr(&x, Parent::Top, level, true)
        } else {
            self.expr(&x, Parent::Top, level, false)
        };
        self.scopes.pop();
        self.subs = saved;
        Ok((r?, x))
    }

    /// `alias.column` of scope column `i`.
    fn column(&self, scope: &Scope, i: usize) -> String {
        let c = &scope.cols[i];
        let rename = (self.rename.clone(), self.rename_quals.clone());
        let name = col_name(&rename, c);
        match &c.qualifier {
            Some(q) => format!("{}.{}", quote_ident(q), quote_ident(name)),
            None => quote_ident(name),
        }
    }

    fn paren_if(&self, need: bool, s: String) -> String {
        if need {
            format!("({s})")
        } else {
            s
        }
    }

    /// Prints `x`; `show_cast`: an implicit cast is shown (everywhere but
    /// at the top of a clause).
    fn expr(
        &mut self,
        x: &Expr,
        parent: Parent,
        level: usize,
        show_cast: bool,
    ) -> PgResult<String> {
        let pretty = self.pretty;
        Ok(match x {
            // An unknown-typed literal left as a column is text.
            Expr::Const(v, oid::UNKNOWN) => constant(v, oid::TEXT),
            Expr::Const(v, t) => constant(v, *t),
            Expr::Column(i, _) => {
                let scope = self
                    .scopes
                    .last()
                    .ok_or_else(|| not_supported_yet("deparsing a column here"))?;
                self.column(scope, *i)
            }
            Expr::Outer(depth, i, _) => {
                let n = self.scopes.len();
                if *depth >= n {
                    return Err(not_supported_yet("deparsing this outer reference"));
                }
                let scope = &self.scopes[n - 1 - depth];
                self.column(scope, *i)
            }
            Expr::Binary(op, a, b, _) => {
                let sym = op.symbol();
                let l = self.operand(a, Parent::Op(sym, true), level)?;
                let r = self.operand(b, Parent::Op(sym, false), level)?;
                let s = format!("{l} {sym} {r}");
                self.paren_if(!pretty, s)
            }
            Expr::Neg(a) => {
                if let Expr::Const(v, t) = &**a {
                    if let Some(s) = negative_constant(v, *t) {
                        return Ok(s);
                    }
                }
                let s = format!("- {}", self.operand(a, Parent::Op("-", false), level)?);
                self.paren_if(!pretty, s)
            }
            Expr::And(..) | Expr::Or(..) => {
                let and = matches!(x, Expr::And(..));
                let mut items = vec![];
                flatten(x, and, &mut items, true);
                let mut parts = vec![];
                for it in items {
                    parts.push(self.bool_arg(it, Parent::Bool(and), level)?);
                }
                let s = parts.join(if and { " AND " } else { " OR " });
                self.paren_if(!pretty, s)
            }
            Expr::Not(a) => {
                let s = format!("NOT {}", self.bool_arg(a, Parent::Bool(true), level)?);
                self.paren_if(!pretty, s)
            }
            Expr::IsNull(a, negated) => {
                let s = format!(
                    "{} IS {}NULL",
                    self.operand(a, Parent::Op("IS", true), level)?,
                    if *negated { "NOT " } else { "" }
                );
                self.paren_if(!pretty, s)
            }
            Expr::IsBool(a, v, negated) => {
                let s = format!(
                    "{} IS {}{}",
                    self.operand(a, Parent::Op("IS", true), level)?,
                    if *negated { "NOT " } else { "" },
                    if *v { "TRUE" } else { "FALSE" }
                );
                self.paren_if(!pretty, s)
            }
            Expr::Distinct(a, b, not) => {
                let l = self.operand(a, Parent::Op("IS", true), level)?;
                let r = self.operand(b, Parent::Op("IS", false), level)?;
                let s = format!("{l} IS DISTINCT FROM {r}");
                if *not {
                    format!("(NOT {})", self.paren_if(true, s))
                } else {
                    self.paren_if(!pretty, s)
                }
            }
            Expr::Cast(a, t, typmod) => {
                if !show_cast && *typmod < 0 && ops::can_coerce_implicitly(a.ty(), *t) {
                    return self.expr(a, parent, level, false);
                }
                if let Expr::Const(v, ct) = &**a {
                    if *ct == oid::UNKNOWN && !matches!(v, Value::Null) {
                        return Ok(format!(
                            "{}::{}",
                            quote_literal(&v.to_text()),
                            format_type(*t, *typmod)
                        ));
                    }
                }
                let inner = self.operand(a, Parent::Cast, level)?;
                let inner = if pretty { inner } else { format!("({inner})") };
                format!("{inner}::{}", format_type(*t, *typmod))
            }
            Expr::Case { whens, default, .. } => {
                let mut s = String::new();
                newline(&mut s, level + 8);
                s.push_str("CASE");
                for (c, r) in whens {
                    newline(&mut s, level + 12);
                    let c = self.expr(c, Parent::Top, level, false)?;
                    let r = self.expr(r, Parent::Top, level, true)?;
                    s.push_str(&format!("WHEN {c} THEN {r}"));
                }
                if let Some(d) = default {
                    newline(&mut s, level + 12);
                    let d = self.expr(d, Parent::Top, level, true)?;
                    s.push_str(&format!("ELSE {d}"));
                }
                newline(&mut s, level + 8);
                s.push_str("END");
                s
            }
            Expr::Coalesce(args, _) => format!("COALESCE({})", self.list(args, level)?),
            Expr::NullIf(a, b) => format!(
                "NULLIF({}, {})",
                self.expr(a, Parent::Top, level, true)?,
                self.expr(b, Parent::Top, level, true)?
            ),
            Expr::MinMax(greatest, args, _) => format!(
                "{}({})",
                if *greatest { "GREATEST" } else { "LEAST" },
                self.list(args, level)?
            ),
            Expr::InList {
                expr,
                list,
                negated,
            } => {
                let l = self.operand(expr, Parent::Op("=", true), level)?;
                let (op, q) = if *negated {
                    ("<>", "ALL")
                } else {
                    ("=", "ANY")
                };
                let s = format!("{l} {op} {q} (ARRAY[{}])", self.list(list, level)?);
                // Not one of the nodes printed bare under AND/OR.
                if pretty && parent == Parent::Top {
                    s
                } else {
                    format!("({s})")
                }
            }
            Expr::Like {
                expr,
                pattern,
                escape: None,
                case_insensitive,
                negated,
            } => {
                let op = like_operator(*negated, *case_insensitive);
                let l = self.operand(expr, Parent::Op(op, true), level)?;
                let r = self.operand(pattern, Parent::Op(op, false), level)?;
                self.paren_if(!pretty, format!("{l} {op} {r}"))
            }
            Expr::Func(f, args) => {
                if args.is_empty() {
                    if let Some(k) = keyword_function(f.name) {
                        return Ok(k.to_owned());
                    }
                }
                format!("{}({})", quote_ident(f.name), self.list(args, level)?)
            }
            Expr::Agg(a) => {
                let name = agg_name(a.kind)?;
                if !a.order.is_empty() {
                    return Err(not_supported_yet("deparsing ordered aggregates"));
                }
                let mut s = if a.kind == AggKind::CountStar {
                    "count(*)".to_owned()
                } else {
                    // count takes "any": a domain argument stays as it is.
                    let args = if a.kind == AggKind::Count {
                        let mut v = vec![];
                        for x in &a.args {
                            v.push(self.expr(x, Parent::Top, level, true)?);
                        }
                        v.join(", ")
                    } else {
                        self.list(&a.args, level)?
                    };
                    format!(
                        "{name}({}{args})",
                        if a.distinct { "DISTINCT " } else { "" },
                    )
                };
                if let Some(f) = &a.filter {
                    s.push_str(&format!(
                        " FILTER (WHERE {})",
                        self.expr(f, Parent::Top, level, false)?
                    ));
                }
                s
            }
            Expr::ArrayExpr { elems, .. } => format!("ARRAY[{}]", self.list(elems, level)?),
            Expr::ArrayOp(a) => {
                let sym = a.op.symbol();
                let l = self.operand(&a.left, Parent::Op(sym, true), level)?;
                let r = self.expr(&a.right, Parent::Top, level, true)?;
                let s = format!("{l} {sym} {} ({r})", if a.any { "ANY" } else { "ALL" });
                if pretty && parent == Parent::Top {
                    s
                } else {
                    format!("({s})")
                }
            }
            Expr::SubLink(s) => {
                let (q, qlevel) = if self.subs.is_empty() {
                    return Err(not_supported_yet("deparsing this subquery"));
                } else {
                    self.subs.remove(0)
                };
                let scopes = self.scopes.clone();
                let saved_subs = std::mem::take(&mut self.subs);
                let scope = scopes.last().cloned().unwrap_or_default();
                self.an.outer.push(scope);
                self.an.correlated.push(false);
                self.in_sublink = true;
                let r = self.query(&q, qlevel + 8);
                self.in_sublink = false;
                self.an.outer.pop();
                self.an.correlated.pop();
                self.subs = saved_subs;
                let inner = r?;
                match s.kind {
                    SubLinkKind::Exists => format!("(EXISTS ({inner}))"),
                    SubLinkKind::Scalar => format!("({inner})"),
                    SubLinkKind::Array => format!("ARRAY({inner})"),
                    SubLinkKind::In => {
                        let t = s
                            .test
                            .as_ref()
                            .ok_or_else(|| not_supported_yet("deparsing this subquery"))?;
                        let l = self.operand(t, Parent::Op("IN", true), level)?;
                        format!("({l} IN ({inner}))")
                    }
                }
            }
            _ => return Err(not_supported_yet("deparsing this expression")),
        })
    }

    fn list(&mut self, args: &[Expr], level: usize) -> PgResult<String> {
        let mut v = vec![];
        for a in args {
            match self.domain_column(a) {
                Some((col, base)) => v.push(self.as_base(col, base)),
                None => v.push(self.expr(a, Parent::Top, level, true)?),
            }
        }
        Ok(v.join(", "))
    }

    /// A reference to a table column declared with a domain: the column
    /// as printed and the domain's base type. An operator or function
    /// takes the base type, and PostgreSQL shows that coercion as a cast
    /// (`(o.qty)::integer > 1`).
    fn domain_column(&self, x: &Expr) -> Option<(String, Oid)> {
        let (scope, i) = match x {
            Expr::Column(i, _) => (self.scopes.last()?, *i),
            Expr::Outer(depth, i, _) => {
                let n = self.scopes.len();
                (self.scopes.get(n.checked_sub(1 + depth)?)?, *i)
            }
            _ => return None,
        };
        let (rel, attnum) = scope.cols.get(i)?.origin;
        if rel == 0 || attnum <= 0 {
            return None;
        }
        let d = self.an.catalog.column_domain(rel, attnum as usize)?;
        Some((self.column(scope, i), d.base))
    }

    /// `col` cast to `base`, parenthesized as the plain form does.
    fn as_base(&self, col: String, base: Oid) -> String {
        let col = if self.pretty { col } else { format!("({col})") };
        format!("{col}::{}", format_type(base, -1))
    }

    /// An operator's (or cast's) operand: parenthesized in the pretty
    /// form unless it binds tighter than its parent.
    fn operand(&mut self, x: &Expr, parent: Parent, level: usize) -> PgResult<String> {
        // A domain column as an operator's operand (not IS [NOT] NULL's,
        // which takes any type): coerced to its base type.
        if matches!(parent, Parent::Op(p, _) if p != "IS") {
            if let Some((col, base)) = self.domain_column(x) {
                return Ok(self.as_base(col, base));
            }
        }
        // PostgreSQL has operators between the integer types (and between
        // float4 and float8): no cast to print.
        if let (Expr::Cast(inner, t, -1), Parent::Op(..)) = (x, parent) {
            let family = |t: Oid| match t {
                oid::INT2 | oid::INT4 | oid::INT8 => 1,
                oid::FLOAT4 | oid::FLOAT8 => 2,
                _ => 0,
            };
            if family(*t) != 0 && family(*t) == family(inner.ty()) {
                return self.operand(inner, parent, level);
            }
        }
        let s = self.expr(x, parent, level, true)?;
        if !self.pretty {
            return Ok(s);
        }
        let simple = match x {
            Expr::Binary(op, ..) => match parent {
                Parent::Op(p, left) => {
                    let (lo, hi) = (is_lo(op.symbol()), is_hi(op.symbol()));
                    let (plo, phi) = (is_lo(p), is_hi(p));
                    if !(lo || hi) || !(plo || phi) {
                        false
                    } else if hi && plo {
                        true
                    } else if lo && phi {
                        false
                    } else {
                        left
                    }
                }
                _ => false,
            },
            Expr::Like { .. }
            | Expr::IsNull(..)
            | Expr::IsBool(..)
            | Expr::Distinct(..)
            | Expr::And(..)
            | Expr::Or(..)
            | Expr::Not(..)
            | Expr::Neg(..) => false,
            Expr::InList { .. } | Expr::SubLink(_) => true,
            _ => true,
        };
        Ok(self.paren_if(!simple && !s.starts_with('('), s))
    }

    /// An operand of AND, OR or NOT.
    fn bool_arg(&mut self, x: &Expr, parent: Parent, level: usize) -> PgResult<String> {
        let s = self.expr(x, parent, level, true)?;
        if !self.pretty {
            return Ok(s);
        }
        let simple = match (x, parent) {
            (Expr::Not(_) | Expr::And(..), Parent::Bool(_)) => true,
            (Expr::Or(..), Parent::Bool(and)) => !and,
            (Expr::InList { .. }, _) => true,
            _ => true,
        };
        Ok(self.paren_if(!simple && !s.starts_with('('), s))
    }
}

/// A scope column's name as printed: the new name of a renamed column of
/// the relation itself (not of a subquery over it).
fn col_name<'c>(
    rename: &'c (Option<(Oid, i16, String)>, Vec<String>),
    c: &'c super::ScopeColumn,
) -> &'c str {
    if let (Some((rel, att, new)), quals) = rename {
        if c.origin == (*rel, *att) && c.qualifier.as_ref().is_some_and(|q| quals.contains(q)) {
            return new;
        }
    }
    &c.name
}

fn is_lo(op: &str) -> bool {
    op == "+" || op == "-"
}

fn is_hi(op: &str) -> bool {
    op == "*" || op == "/" || op == "%"
}

/// `x >= lo AND x <= hi`: BETWEEN's own AND, which PostgreSQL does not
/// merge into the AND around it.
fn is_between(a: &Expr, b: &Expr) -> bool {
    matches!((a, b), (Expr::Binary(BinOp::Ge, x, _, _), Expr::Binary(BinOp::Le, y, _, _)) if x == y)
}

/// AND (or OR) chains as one list, as PostgreSQL's parser keeps them.
fn flatten<'e>(x: &'e Expr, and: bool, out: &mut Vec<&'e Expr>, root: bool) {
    match x {
        Expr::And(a, b) if and && (root || !is_between(a, b)) => {
            flatten(a, and, out, false);
            flatten(b, and, out, false);
        }
        Expr::Or(a, b) if !and => {
            flatten(a, and, out, false);
            flatten(b, and, out, false);
        }
        other => out.push(other),
    }
}

fn quote_literal(s: &str) -> String {
    format!("'{}'", s.replace('\'', "''"))
}

/// A constant as ruleutils prints it: a non-negative integer, a decimal
/// number or a boolean bare, anything else labelled with its type.
pub(crate) fn constant(v: &Value, t: Oid) -> String {
    let label = |text: String| format!("{}::{}", quote_literal(&text), format_type(t, -1));
    match (v, t) {
        (Value::Null, _) => format!("NULL::{}", format_type(t, -1)),
        (Value::Bool(b), _) => b.to_string(),
        (Value::Int4(i), _) if *i >= 0 => i.to_string(),
        (Value::Numeric(_), oid::NUMERIC) => {
            let s = v.to_text();
            if s.starts_with(|c: char| c.is_ascii_digit()) && s.contains(['.', 'e', 'E']) {
                s
            } else {
                label(s)
            }
        }
        _ => label(v.to_text()),
    }
}

/// `-constant`, folded as PostgreSQL's parser folds it.
pub(crate) fn negative_constant(v: &Value, t: Oid) -> Option<String> {
    match v {
        Value::Int4(i) => Some(constant(&Value::Int4(-i), t)),
        Value::Int8(_) | Value::Int2(_) | Value::Numeric(_) => Some(format!(
            "{}::{}",
            quote_literal(&format!("-{}", v.to_text())),
            format_type(t, -1)
        )),
        _ => None,
    }
}

/// The operator LIKE, ILIKE and their negations are shown as (`~~`,
/// `~~*`, `!~~`, `!~~*`), as ruleutils and EXPLAIN print them.
pub(crate) fn like_operator(negated: bool, case_insensitive: bool) -> &'static str {
    match (negated, case_insensitive) {
        (false, false) => "~~",
        (false, true) => "~~*",
        (true, false) => "!~~",
        (true, true) => "!~~*",
    }
}

/// The SQL-standard functions written without parentheses, as
/// PostgreSQL's SQLValueFunction prints them (also column defaults:
/// `commands::deparse`).
pub(crate) fn keyword_function(name: &str) -> Option<&'static str> {
    Some(match name {
        "current_timestamp" => "CURRENT_TIMESTAMP",
        "current_date" => "CURRENT_DATE",
        "localtimestamp" => "LOCALTIMESTAMP",
        "current_user" => "CURRENT_USER",
        "session_user" => "SESSION_USER",
        "current_role" => "CURRENT_ROLE",
        "user" => "USER",
        "current_schema" => "CURRENT_SCHEMA",
        "current_catalog" => "CURRENT_CATALOG",
        _ => return None,
    })
}

fn agg_name(k: AggKind) -> PgResult<&'static str> {
    match k {
        AggKind::OrderedSet(_) => Err(not_supported_yet("deparsing ordered-set aggregates")),
        k => Ok(k.name()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn newline_drops_trailing_spaces() {
        let mut s = "SELECT ".to_owned();
        newline(&mut s, 4);
        assert_eq!(s, "SELECT\n    ");
    }

    #[test]
    fn constants_are_labelled() {
        assert_eq!(constant(&Value::Int4(3), oid::INT4), "3");
        assert_eq!(
            constant(&Value::Text("a'b".into()), oid::TEXT),
            "'a''b'::text"
        );
        assert_eq!(constant(&Value::Null, oid::TEXT), "NULL::text");
        assert_eq!(
            negative_constant(&Value::Int4(1), oid::INT4).unwrap(),
            "'-1'::integer"
        );
    }
}
