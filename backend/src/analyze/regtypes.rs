//! Casts to and from the OID alias types (regclass, regtype, regproc,
//! regprocedure, regnamespace, regrole), which need the catalog: a
//! literal name is resolved now (PostgreSQL folds such constants when it
//! parses them; regrole's, which names the session's user, when the
//! statement runs), other text through the type's input function, and
//! an alias value becomes text through its output function. Casts
//! between the alias types, OIDs and integers are plain casts.

use crate::fmgr::catalog::{reg_in, reg_input_func, reg_output_func, reg_param_func};
use crate::nodes::expr::Expr;
use crate::types::{is_reg_type, is_text_type, oid, Oid, Value};

use super::Analyzer;
use crate::error::PgResult;

impl Analyzer<'_> {
    /// The conversion of `e` to `t` when one side is an OID alias type
    /// and the other text (`explicit`: a cast, or an `io` coercion for
    /// concatenation; implicitly only text and varchar become regclass,
    /// as in pg_cast). Gives `e` back when no such conversion applies.
    pub(super) fn reg_conversion(
        &mut self,
        e: Expr,
        t: Oid,
        explicit: bool,
    ) -> PgResult<Result<Expr, Expr>> {
        let from = e.ty();
        if from == t {
            return Ok(Err(e));
        }
        if is_reg_type(t) && (is_text_type(from) || from == oid::UNKNOWN) {
            let implicit_ok = matches!(from, oid::UNKNOWN | oid::TEXT | oid::VARCHAR)
                && (t == oid::REGCLASS || from == oid::UNKNOWN);
            if !explicit && !implicit_ok {
                return Ok(Err(e));
            }
            return Ok(Ok(match e {
                Expr::Const(Value::Null, _) => Expr::Const(Value::Null, t),
                Expr::Const(Value::Text(s), _) if t != oid::REGROLE => {
                    self.uses_catalog |= t == oid::REGCLASS;
                    Expr::Const(Value::Oid(reg_in(&self.catalog, "", t, &s)?), t)
                }
                Expr::Param(i, oid::UNKNOWN) => {
                    self.params[i] = t;
                    match reg_param_func(t) {
                        Some(def) => Expr::Func(def, vec![Expr::Param(i, t)]),
                        None => Expr::Param(i, t),
                    }
                }
                e => {
                    let Some(def) = reg_input_func(t) else {
                        return Ok(Err(e));
                    };
                    let arg = if e.ty() == oid::TEXT {
                        e
                    } else {
                        Expr::Cast(Box::new(e), oid::TEXT, -1)
                    };
                    self.uses_catalog |= t == oid::REGCLASS;
                    Expr::Func(def, vec![arg])
                }
            }));
        }
        if is_reg_type(from) && is_text_type(t) && explicit {
            let Some(def) = reg_output_func(from) else {
                return Ok(Err(e));
            };
            let text = Expr::Func(def, vec![e]);
            return Ok(Ok(if t == oid::TEXT {
                text
            } else {
                Expr::Cast(Box::new(text), t, -1)
            }));
        }
        Ok(Err(e))
    }

    /// enum_first, enum_last, enum_range: every argument of one enum
    /// type (untyped ones take it), passed after that type as a constant
    /// (`fmgr::enums`), which is all the functions need of NULL arguments.
    pub(super) fn enum_call(&mut self, name: &str, args: Vec<Expr>) -> PgResult<Expr> {
        let types: Vec<Oid> = args.iter().map(Expr::ty).collect();
        let t = types.iter().copied().find(|t| *t != oid::UNKNOWN);
        let def = crate::fmgr::enums::lookup(name, args.len());
        let (Some(def), Some(t)) = (def, t) else {
            return Err(crate::fmgr::no_function(name, &types));
        };
        if !crate::types::enums::is_enum(t) || types.iter().any(|x| *x != oid::UNKNOWN && *x != t) {
            return Err(crate::fmgr::no_function(name, &types));
        }
        self.uses_catalog = true;
        let mut out = vec![Expr::Const(Value::Oid(t), t)];
        for a in args {
            out.push(self.coerce(a, t, false)?);
        }
        Ok(Expr::Func(def, out))
    }

    /// pg_typeof(x): x's type as a regtype constant; computed with `x`
    /// when that is (or holds) an aggregate or window function, so that
    /// the query stays an aggregate (`SELECT pg_typeof(count(*)) FROM t`
    /// is one row) or keeps its window.
    pub(super) fn pg_typeof(&mut self, args: Vec<Expr>) -> PgResult<Expr> {
        fn computed(e: &Expr) -> bool {
            matches!(e, Expr::Agg(_) | Expr::WindowFunc(_))
                || e.children().into_iter().any(computed)
        }
        match args.as_slice() {
            [a] if computed(a) => {
                let t = Expr::Const(Value::Oid(a.ty()), oid::REGTYPE);
                Ok(Expr::Case {
                    whens: vec![(Expr::IsNull(Box::new(a.clone()), false), t.clone())],
                    default: Some(Box::new(t)),
                    ty: oid::REGTYPE,
                })
            }
            [a] => Ok(Expr::Const(Value::Oid(a.ty()), oid::REGTYPE)),
            _ => Err(crate::fmgr::no_function(
                "pg_typeof",
                &args.iter().map(Expr::ty).collect::<Vec<_>>(),
            )),
        }
    }
}
