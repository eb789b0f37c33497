//! jsonpath's output (PostgreSQL's printJsonPathItem): `strict ` when
//! strict, keys and strings quoted, variables as `$"name"`, an operand
//! in parentheses when its operator binds no tighter than the one it is
//! under (so `a - b - c` prints `((a - b) - c)`), the whole expression in
//! parentheses when it is an operator, a numeric literal in parentheses
//! when accessors follow it.

use super::{BinOp, Expr, JsonPath, Step, ANY_LAST};
use crate::types::json::escape;

pub fn print(p: &JsonPath) -> String {
    let mut out = String::new();
    if !p.lax {
        out.push_str("strict ");
    }
    item(&p.expr, true, false, &mut out);
    out
}

/// PostgreSQL's operationPriority.
fn priority(e: &Expr) -> u8 {
    match e {
        Expr::Binary(op, ..) => match op {
            BinOp::Or => 0,
            BinOp::And => 1,
            BinOp::Eq
            | BinOp::Ne
            | BinOp::Lt
            | BinOp::Le
            | BinOp::Gt
            | BinOp::Ge
            | BinOp::StartsWith => 2,
            BinOp::Add | BinOp::Sub => 3,
            BinOp::Mul | BinOp::Div | BinOp::Mod => 4,
        },
        Expr::Unary(..) => 5,
        _ => 6,
    }
}

fn operand(e: &Expr, parent: &Expr, out: &mut String) {
    item(e, priority(e) <= priority(parent), false, out);
}

/// Prints `e`; `brackets` puts an operator in parentheses; `has_next`
/// says accessors follow.
fn item(e: &Expr, brackets: bool, has_next: bool, out: &mut String) {
    match e {
        Expr::Root => out.push('$'),
        Expr::Current => out.push('@'),
        Expr::Last => out.push_str("last"),
        Expr::Var(v) => {
            out.push('$');
            escape(v, out);
        }
        Expr::Null => out.push_str("null"),
        Expr::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Expr::Str(s) => escape(s, out),
        Expr::Num(n) => {
            if has_next {
                out.push('(');
            }
            out.push_str(&n.to_string());
            if has_next {
                out.push(')');
            }
        }
        Expr::Path(head, steps) => {
            item(head, brackets, true, out);
            for s in steps {
                step(s, out);
            }
        }
        Expr::Binary(op, a, b) => {
            if brackets {
                out.push('(');
            }
            operand(a, e, out);
            out.push(' ');
            out.push_str(op.name());
            out.push(' ');
            operand(b, e, out);
            if brackets {
                out.push(')');
            }
        }
        Expr::Unary(neg, a) => {
            if brackets {
                out.push('(');
            }
            out.push(if *neg { '-' } else { '+' });
            operand(a, e, out);
            if brackets {
                out.push(')');
            }
        }
        Expr::LikeRegex(a, pattern, flags) => {
            if brackets {
                out.push('(');
            }
            operand(a, e, out);
            out.push_str(" like_regex ");
            escape(pattern, out);
            if !flags.is_empty() {
                out.push_str(" flag \"");
                out.push_str(flags);
                out.push('"');
            }
            if brackets {
                out.push(')');
            }
        }
        Expr::Not(a) => {
            out.push_str("!(");
            item(a, false, false, out);
            out.push(')');
        }
        Expr::IsUnknown(a) => {
            out.push('(');
            item(a, false, false, out);
            out.push_str(") is unknown");
        }
        Expr::Exists(a) => {
            out.push_str("exists (");
            item(a, false, false, out);
            out.push(')');
        }
    }
}

fn step(s: &Step, out: &mut String) {
    match s {
        Step::Key(k) => {
            out.push('.');
            escape(k, out);
        }
        Step::AnyKey => out.push_str(".*"),
        Step::AnyArray => out.push_str("[*]"),
        Step::Index(subs) => {
            out.push('[');
            for (i, (a, b)) in subs.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                item(a, false, false, out);
                if let Some(b) = b {
                    out.push_str(" to ");
                    item(b, false, false, out);
                }
            }
            out.push(']');
        }
        Step::Any(first, last) => {
            out.push_str(".**");
            let level = |l: u32| {
                if l == ANY_LAST {
                    "last".to_owned()
                } else {
                    l.to_string()
                }
            };
            if (*first, *last) == (0, ANY_LAST) {
            } else if first == last {
                out.push_str(&format!("{{{}}}", level(*first)));
            } else {
                out.push_str(&format!("{{{} to {}}}", level(*first), level(*last)));
            }
        }
        Step::Filter(p) => {
            out.push_str("?(");
            item(p, false, false, out);
            out.push(')');
        }
        Step::Method(m) => {
            out.push('.');
            out.push_str(m.name());
            out.push_str("()");
        }
        Step::Datetime(t) => {
            out.push_str(".datetime(");
            if let Some(t) = t {
                escape(t, out);
            }
            out.push(')');
        }
    }
}
