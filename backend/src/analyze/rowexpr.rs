//! Row values in expressions (PostgreSQL's RowExpr, RowCompareExpr and
//! record_ops): `ROW(a, b)` and `(a, b)` constructors, whole-row
//! references (`t`, and `t.*` as a function argument) typed with the
//! relation's row type, the fields of a composite expression (what
//! `(expr).field` and `(expr).*` select), and comparisons of row values.

use std::sync::Arc;

use sqlparser::ast;

use super::expr::Clause;
use super::{Analyzer, Scope};
use crate::error::{sqlstate, PgError, PgResult};
use crate::nodes::expr::{Expr, RowExpr};
use crate::parser::object_name;
use crate::types::record::RecordDesc;
use crate::types::{composite, oid, Oid};
use crate::utils::adt::ops::BinOp;

impl Analyzer<'_> {
    /// `ROW(...)`: its arguments, `t.*` among them expanded to t's
    /// columns.
    pub(super) fn row_call(
        &mut self,
        list: &[ast::FunctionArg],
        scope: &Scope,
        clause: Clause,
    ) -> PgResult<Expr> {
        let mut args = Vec::with_capacity(list.len());
        for a in list {
            match a {
                ast::FunctionArg::Unnamed(ast::FunctionArgExpr::Expr(e)) => {
                    args.push(self.expr(e, scope, clause)?)
                }
                ast::FunctionArg::Unnamed(ast::FunctionArgExpr::QualifiedWildcard(n)) => {
                    match self.whole_row_arg(n, scope)? {
                        Expr::Row(r) => args.extend(r.args),
                        e => args.push(e),
                    }
                }
                _ => {
                    return Err(PgError::new(
                        sqlstate::SYNTAX_ERROR,
                        "syntax error at or near \"*\"",
                    ))
                }
            }
        }
        self.make_row(args)
    }

    /// `(a, b, ...)`: a row constructor without ROW.
    pub(super) fn row_constructor(
        &mut self,
        items: &[ast::Expr],
        scope: &Scope,
        clause: Clause,
    ) -> PgResult<Expr> {
        let args = items
            .iter()
            .map(|e| self.expr(e, scope, clause))
            .collect::<PgResult<Vec<_>>>()?;
        self.make_row(args)
    }

    /// An anonymous record of `args` (unknown literals are text fields), its
    /// fields named f1, f2, ...
    fn make_row(&mut self, args: Vec<Expr>) -> PgResult<Expr> {
        if args.len() > 1664 {
            return Err(PgError::new(
                "54011",
                "target lists can have at most 1664 entries",
            ));
        }
        let names = (1..=args.len()).map(|i| format!("f{i}")).collect();
        Ok(Expr::Row(Box::new(RowExpr {
            args,
            constructor: true,
            ty: oid::RECORD,
            names: Arc::new(names),
        })))
    }

    /// coerce_record_to_complex: a row constructor (a `record`) converted
    /// to row type `t`, each field to its attribute's type (by `::` rules
    /// when `explicit`, else by assignment rules) and named as the
    /// attributes. `Err(e)` gives `e` back when it is no such conversion.
    pub(super) fn record_to_composite(
        &mut self,
        e: Expr,
        t: Oid,
        explicit: bool,
    ) -> PgResult<Result<Expr, Expr>> {
        let Some(c) = composite::by_oid(t) else {
            return Ok(Err(e));
        };
        let r = match e {
            Expr::Row(r) if r.ty == oid::RECORD => r,
            e => return Ok(Err(e)),
        };
        let cannot = |detail: String| {
            PgError::new(
                "42846",
                format!("cannot cast type record to {}", crate::types::type_name(t)),
            )
            .with_detail(detail)
        };
        if r.args.len() < c.types.len() {
            return Err(cannot("Input has too few columns.".into()));
        }
        if r.args.len() > c.types.len() {
            return Err(cannot("Input has too many columns.".into()));
        }
        let mut args = Vec::with_capacity(r.args.len());
        for (i, (a, (&ty, &typmod))) in r
            .args
            .into_iter()
            .zip(c.types.iter().zip(&c.typmods))
            .enumerate()
        {
            let from = a.ty();
            let converted = if explicit {
                self.explicit_cast(a, ty, typmod)
            } else {
                super::modify::assignment_cast(self, a, ty, typmod, &c.names[i])
            };
            match converted {
                Ok(x) => args.push(x),
                Err(e) if e.code == sqlstate::DATATYPE_MISMATCH || e.code == "42846" => {
                    return Err(cannot(format!(
                        "Cannot cast type {} to {} in column {}.",
                        crate::types::type_name(from),
                        crate::types::type_name(ty),
                        i + 1
                    )))
                }
                Err(e) => return Err(e),
            }
        }
        Ok(Ok(Expr::Row(Box::new(RowExpr {
            args,
            constructor: r.constructor,
            ty: t,
            names: Arc::clone(&c.names),
        }))))
    }

    /// `t.*` as a function argument: t's whole row, or 42P01.
    pub(super) fn whole_row_arg(&mut self, n: &ast::ObjectName, scope: &Scope) -> PgResult<Expr> {
        let q = object_name(n).pop().unwrap_or_default();
        self.whole_row(&q, scope).ok_or_else(|| {
            PgError::new(
                sqlstate::UNDEFINED_TABLE,
                format!("missing FROM-clause entry for table \"{q}\""),
            )
        })
    }

    /// The whole row of the FROM item named `q`, in this query or an
    /// enclosing one (then correlated): a value of the relation's row
    /// type, or a `record` for a subquery, function or join.
    pub(super) fn whole_row(&mut self, q: &str, scope: &Scope) -> Option<Expr> {
        if let Some(r) = row_of(scope, q, 0) {
            return Some(r);
        }
        for level in (0..self.outer.len()).rev() {
            let depth = self.outer.len() - level;
            if let Some(r) = row_of(&self.outer[level], q, depth) {
                for f in &mut self.correlated[level..] {
                    *f = true;
                }
                return Some(r);
            }
        }
        None
    }

    /// The fields of a composite expression, where analysis knows them.
    pub(super) fn composite_fields(&self, e: &Expr, scope: &Scope) -> Option<RecordDesc> {
        if let Expr::Row(r) = e {
            return Some(
                r.names
                    .iter()
                    .cloned()
                    .zip(r.args.iter().map(Expr::ty))
                    .collect(),
            );
        }
        if let Some(c) = composite::by_oid(e.ty()) {
            return Some(
                c.names
                    .iter()
                    .cloned()
                    .zip(c.types.iter().copied())
                    .collect(),
            );
        }
        self.record_fields(e, scope)
    }

    /// The fields `(x).*` expands to: 42809 when `x` is not composite or
    /// its fields are unknown.
    pub(super) fn expand_fields(&self, x: &Expr, scope: &Scope) -> PgResult<RecordDesc> {
        if !composite::is_composite(x.ty()) {
            return Err(PgError::new(
                "42809",
                format!("type {} is not composite", crate::types::type_name(x.ty())),
            ));
        }
        self.composite_fields(x, scope)
            .ok_or_else(|| PgError::new("42809", "record type has not been registered"))
    }

    /// A comparison of two row values: of two row constructors, pairwise
    /// (RowCompareExpr: `=` all fields equal, `<>` any differs, `<` ...
    /// decided by the first pair that differs, NULL where a NULL decides);
    /// of two composite values, record_ops' ordering. None when `a` and
    /// `b` are not both rows.
    pub(super) fn row_compare(&mut self, op: BinOp, a: &Expr, b: &Expr) -> PgResult<Option<Expr>> {
        let is_row = |e: &Expr| composite::is_composite(e.ty());
        if !is_row(a) || !is_row(b) {
            return Ok(None);
        }
        if !op.is_comparison() {
            return Ok(None);
        }
        if let (Expr::Row(l), Expr::Row(r)) = (a, b) {
            if !l.constructor || !r.constructor {
                return Ok(Some(Expr::Binary(
                    op,
                    Box::new(a.clone()),
                    Box::new(b.clone()),
                    oid::BOOL,
                )));
            }
            if l.args.len() != r.args.len() {
                return Err(PgError::new(
                    sqlstate::SYNTAX_ERROR,
                    "unequal number of entries in row expressions",
                ));
            }
            if l.args.is_empty() {
                return Err(PgError::new(
                    sqlstate::FEATURE_NOT_SUPPORTED,
                    "cannot compare rows of zero length",
                ));
            }
            let pairs: Vec<(Expr, Expr)> =
                l.args.iter().cloned().zip(r.args.iter().cloned()).collect();
            return self.pairwise(op, pairs).map(Some);
        }
        Ok(Some(Expr::Binary(
            op,
            Box::new(a.clone()),
            Box::new(b.clone()),
            oid::BOOL,
        )))
    }

    fn pairwise(&mut self, op: BinOp, mut pairs: Vec<(Expr, Expr)>) -> PgResult<Expr> {
        match op {
            BinOp::Eq | BinOp::Ne => {
                let mut out: Option<Expr> = None;
                for (x, y) in pairs {
                    let c = self.operator(op, x, y)?;
                    out = Some(match out {
                        None => c,
                        Some(o) if op == BinOp::Eq => Expr::And(Box::new(o), Box::new(c)),
                        Some(o) => Expr::Or(Box::new(o), Box::new(c)),
                    });
                }
                out.ok_or_else(|| PgError::internal("empty row comparison"))
            }
            _ => {
                // a1 op' b1 OR (a1 = b1 AND (rest)), op' the strict form;
                // the last pair takes op itself.
                let (x, y) = pairs.remove(0);
                if pairs.is_empty() {
                    return self.operator(op, x, y);
                }
                let strict = match op {
                    BinOp::Le => BinOp::Lt,
                    BinOp::Ge => BinOp::Gt,
                    o => o,
                };
                let first = self.operator(strict, x.clone(), y.clone())?;
                let eq = self.operator(BinOp::Eq, x, y)?;
                let rest = self.pairwise(op, pairs)?;
                Ok(Expr::Or(
                    Box::new(first),
                    Box::new(Expr::And(Box::new(eq), Box::new(rest))),
                ))
            }
        }
    }
}

/// The whole row of FROM item `q` of `scope`, its columns read at
/// `depth` (0: this query).
fn row_of(scope: &Scope, q: &str, depth: usize) -> Option<Expr> {
    let cols: Vec<(usize, &super::ScopeColumn)> = scope
        .cols
        .iter()
        .enumerate()
        .filter(|(_, c)| c.qualifier.as_deref() == Some(q) && !c.system)
        .collect();
    if cols.is_empty() {
        return None;
    }
    let args: Vec<Expr> = cols
        .iter()
        .map(|(i, c)| match (&c.computed, depth) {
            (Some(x), 0) => (**x).clone(),
            (_, 0) => Expr::Column(*i, c.ty),
            _ => Expr::Outer(depth, *i, c.ty),
        })
        .collect();
    let names: Vec<String> = cols.iter().map(|(_, c)| c.name.clone()).collect();
    // A table's or view's row: its row type, when the columns are all of
    // that relation's, in its order.
    let rel = cols[0].1.origin.0;
    let ty = composite::of_relation(rel)
        .filter(|t| rel != 0 && *t.names == names && cols.iter().all(|(_, c)| c.origin.0 == rel))
        .map_or(oid::RECORD, |t| t.oid);
    Some(Expr::Row(Box::new(RowExpr {
        args,
        constructor: false,
        ty,
        names: Arc::new(names),
    })))
}

/// `(root).*` (as the parser leaves it, `crate::parser::FIELD_STAR`): its
/// root.
pub(super) fn field_star(e: &ast::Expr) -> Option<&ast::Expr> {
    match e {
        ast::Expr::CompoundFieldAccess { root, access_chain } => match access_chain.as_slice() {
            [ast::AccessExpr::Dot(ast::Expr::Identifier(i))]
                if i.value == crate::parser::FIELD_STAR && i.quote_style == Some('"') =>
            {
                Some(root)
            }
            _ => None,
        },
        _ => None,
    }
}
