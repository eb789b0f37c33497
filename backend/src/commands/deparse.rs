//! Column defaults as PostgreSQL's ruleutils prints them
//! (`pg_get_expr(adbin, adrelid)`): implicit coercions hidden, a literal
//! labelled with its type unless it is a non-negative integer, a decimal
//! number or a boolean (`'FR'::character varying`, `'-1'::integer`,
//! `1.5`), operators parenthesized (`(1 + 2)`), SQL-standard keyword
//! functions in capitals (`CURRENT_TIMESTAMP`), a sequence named by
//! `'seq'::regclass`. The catalog keeps the default in this form, which
//! parses back to the same expression.

use crate::analyze::viewdef::{self, keyword_function};
use crate::catalog::{format_type, Catalog};
use crate::nodes::expr::Expr;
use crate::types::{oid, Value};
use crate::utils::adt::ops;

/// A constant (ruleutils' get_const_expr): as a view definition prints
/// it, except that a regclass names its relation (a sequence in
/// `nextval('s'::regclass)`).
fn constant(v: &Value, t: u32, cat: &Catalog) -> String {
    if let (Value::Oid(o), oid::REGCLASS) = (v, t) {
        if let Some(n) = cat.relation_name(*o) {
            return super::sequence::regclass_literal_in(
                cat,
                cat.object_namespace(*o)
                    .unwrap_or(crate::catalog::PUBLIC_NAMESPACE),
                n,
            );
        }
    }
    viewdef::constant(v, t)
}

/// `e` as PostgreSQL prints a stored default.
pub fn deparse(e: &Expr, cat: &Catalog) -> String {
    let d = |x: &Expr| deparse(x, cat);
    match e {
        Expr::Const(v, t) => constant(v, *t, cat),
        Expr::Neg(a) => match a.as_ref() {
            Expr::Const(v, t) => {
                viewdef::negative_constant(v, *t).unwrap_or_else(|| format!("(- {})", d(a)))
            }
            other => format!("(- {})", d(other)),
        },
        Expr::Cast(a, t, typmod) => {
            if *typmod < 0 && ops::can_coerce_implicitly(a.ty(), *t) {
                d(a)
            } else {
                format!("({})::{}", d(a), format_type(*t, *typmod))
            }
        }
        Expr::Func(f, args) if args.is_empty() && keyword_function(f.name).is_some() => {
            keyword_function(f.name).unwrap_or_default().to_owned()
        }
        Expr::Func(f, args) => format!(
            "{}({})",
            f.name,
            args.iter().map(d).collect::<Vec<_>>().join(", ")
        ),
        Expr::Binary(op, a, b, _) => format!("({} {} {})", d(a), op.symbol(), d(b)),
        Expr::Not(a) => format!("(NOT {})", d(a)),
        Expr::And(a, b) => format!("({} AND {})", d(a), d(b)),
        Expr::Or(a, b) => format!("({} OR {})", d(a), d(b)),
        Expr::Coalesce(args, _) => format!(
            "COALESCE({})",
            args.iter().map(d).collect::<Vec<_>>().join(", ")
        ),
        Expr::ArrayExpr { elems, .. } => format!(
            "ARRAY[{}]",
            elems.iter().map(d).collect::<Vec<_>>().join(", ")
        ),
        other => super::explain::deparse(other, &[]),
    }
}
