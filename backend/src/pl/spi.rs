//! SQL inside PL/pgSQL (PostgreSQL's SPI, in small): an expression or
//! statement of a body compiled through the ordinary analyzer and
//! planner, the function's variables becoming its parameters (by name
//! through `analyze::sqlfunc::FnScope`, and `$n` for arguments), then
//! run by the executor as a command of its own inside the calling
//! statement (`StmtXact::next_command`).

use std::sync::Arc;

use sqlparser::ast;

use crate::analyze::sqlfunc::FnScope;
use crate::analyze::Analyzer;
use crate::catalog::function::FunctionDesc;
use crate::catalog::Catalog;
use crate::error::{sqlstate, PgError, PgResult};
use crate::executor::eval::EvalCtx;
use crate::nodes::expr::Expr;
use crate::nodes::modify::Modify;
use crate::nodes::plan::Plan;
use crate::nodes::Column;
use crate::optimizer;
use crate::types::{Oid, Value};

/// The error for a transaction command other than COMMIT and ROLLBACK.
pub const UNSUPPORTED_XACT: &str = "unsupported transaction command in PL/pgSQL";

/// What a compiled statement runs.
pub enum Action {
    Query(Plan),
    Modify(Box<Modify>),
    /// CALL of a procedure, and for each of its OUT/INOUT arguments (its
    /// result columns, in order) the variable given for it, if any.
    Call(Expr, Vec<Option<String>>),
}

/// A compiled expression or statement, and what it was compiled for.
pub struct Compiled {
    /// The parameter types (the variables visible then).
    pub types: Vec<Oid>,
    /// The type its one column was converted to (assignments).
    pub want: Option<(Oid, i32)>,
    /// The catalog it was compiled against (held, so that its address
    /// identifies it).
    pub catalog: Arc<Catalog>,
    pub action: Action,
    pub columns: Vec<Column>,
}

impl std::fmt::Debug for Compiled {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Compiled")
            .field("types", &self.types)
            .finish()
    }
}

impl Compiled {
    /// Whether it can run with these parameter types against `catalog`.
    pub fn fits(&self, types: &[Oid], want: Option<(Oid, i32)>, catalog: &Arc<Catalog>) -> bool {
        self.types == types && self.want == want && Arc::ptr_eq(&self.catalog, catalog)
    }
}

/// Compiles `text` (one SQL statement) with `scope`'s names as
/// parameters; with `want`, its one column is converted to that type
/// as an assignment converts (an I/O conversion when no cast applies,
/// as PL/pgSQL's).
pub fn compile(
    text: &str,
    scope: &FnScope,
    catalog: &Arc<Catalog>,
    want: Option<(Oid, i32)>,
) -> PgResult<Compiled> {
    let types: Vec<Oid> = scope.args.iter().map(|a| a.1).collect();
    let stmts = crate::parser::parse(text)?;
    if stmts.len() != 1 {
        return Err(PgError::new(
            sqlstate::SYNTAX_ERROR,
            format!("query \"{text}\" is not a single statement"),
        ));
    }
    let st = &stmts[0];
    let mut a = Analyzer::new(&st.text, &types).with_catalog(catalog.clone());
    a.fn_scope = Some(scope.clone());
    let (action, columns) = match &st.ast {
        ast::Statement::Query(q) if q.locks.is_empty() && !Analyzer::is_modifying_query(q) => {
            let mut query = a.analyze_top(q)?;
            if let Some((t, typmod)) = want {
                if query.columns.len() == 1 && query.targets.len() == 1 {
                    let from = query.columns[0].type_oid;
                    if from != t || (typmod >= 0 && query.columns[0].type_modifier != typmod) {
                        let x = query.targets[0].clone();
                        match crate::analyze::modify::assignment_cast(&mut a, x, t, typmod, "") {
                            Ok(c) => {
                                query.targets[0] = c;
                                query.columns[0].type_oid = t;
                                query.columns[0].type_modifier = typmod;
                            }
                            Err(_) => {
                                // No assignment cast: convert through text.
                                let tn = crate::catalog::format_type(t, typmod);
                                let cast = format!("SELECT CAST(({}) AS {tn})", strip_select(text));
                                let mut c = compile(&cast, scope, catalog, None)?;
                                c.want = want;
                                return Ok(c);
                            }
                        }
                    }
                }
            }
            let cols = query.columns.clone();
            (Action::Query(optimizer::plan_query(&query)), cols)
        }
        ast::Statement::Query(_)
        | ast::Statement::Insert(_)
        | ast::Statement::Update(_)
        | ast::Statement::Delete(_) => {
            let mut m = optimizer::plan_modify(match &st.ast {
                ast::Statement::Query(q) => a.modifying_query(q)?,
                ast::Statement::Insert(i) => a.insert(i)?,
                ast::Statement::Update(u) => a.update(u)?,
                ast::Statement::Delete(d) => a.delete(d)?,
                _ => return Err(PgError::internal("DML")),
            });
            m.constraints = a.modify_constraints(m.table.table.oid)?;
            if !a.modifying_ctes.is_empty() {
                return Err(PgError::new(
                    sqlstate::FEATURE_NOT_SUPPORTED,
                    "data-modifying WITH in PL/pgSQL is not supported yet",
                ));
            }
            let cols = m.columns.clone();
            (Action::Modify(Box::new(m)), cols)
        }
        ast::Statement::Call(func) => {
            let (call, cols, f) = a.call_statement_of(func)?;
            optimizer::subselect::plan_sublinks(&call);
            (Action::Call(call, call_targets(func, &f)), cols)
        }
        ast::Statement::StartTransaction { .. }
        | ast::Statement::Savepoint { .. }
        | ast::Statement::ReleaseSavepoint { .. }
        | ast::Statement::Commit { .. }
        | ast::Statement::Rollback { .. } => {
            // As pl_exec.c's exec_stmt_execsql: COMMIT and ROLLBACK are
            // PL/pgSQL statements of their own; the rest are refused.
            return Err(PgError::new(
                sqlstate::FEATURE_NOT_SUPPORTED,
                UNSUPPORTED_XACT,
            ));
        }
        _ => {
            return Err(PgError::new(
                sqlstate::FEATURE_NOT_SUPPORTED,
                format!("this statement is not supported in PL/pgSQL yet: {text}"),
            ))
        }
    };
    Ok(Compiled {
        types,
        want,
        catalog: catalog.clone(),
        action,
        columns,
    })
}

/// The variables a CALL names for its procedure's output arguments, in
/// the order of its result columns: the argument given for each OUT or
/// INOUT parameter when it is a plain name (or `rec.field`).
fn call_targets(func: &ast::Function, f: &FunctionDesc) -> Vec<Option<String>> {
    let given: Vec<Option<String>> = match &func.args {
        ast::FunctionArguments::List(l) => l
            .args
            .iter()
            .map(|a| match a {
                ast::FunctionArg::Unnamed(ast::FunctionArgExpr::Expr(e)) => match e {
                    ast::Expr::Identifier(i) => Some(crate::parser::ident(i)),
                    ast::Expr::CompoundIdentifier(p) => Some(
                        p.iter()
                            .map(crate::parser::ident)
                            .collect::<Vec<_>>()
                            .join("."),
                    ),
                    _ => None,
                },
                _ => None,
            })
            .collect(),
        _ => Vec::new(),
    };
    f.call_args()
        .enumerate()
        .filter(|(_, a)| a.mode.is_output())
        .map(|(i, _)| given.get(i).cloned().flatten())
        .collect()
}

fn strip_select(text: &str) -> &str {
    text.strip_prefix("SELECT ").unwrap_or(text)
}

/// Runs a compiled statement with `params`; rows go to `emit`. Returns
/// the number of rows it returned or changed.
pub fn run(
    c: &Compiled,
    ctx: &EvalCtx,
    params: &[Value],
    emit: &mut dyn FnMut(&[Value]) -> PgResult<()>,
) -> PgResult<u64> {
    let cache = crate::executor::subplan::SubplanCache::default();
    let inner = EvalCtx {
        params,
        outer: &[],
        cache: &cache,
        ..*ctx
    };
    match &c.action {
        Action::Query(plan) => crate::executor::run(plan, &inner, emit),
        Action::Modify(m) => {
            if inner.xact.xid == 0 {
                return Err(PgError::new(
                    sqlstate::FEATURE_NOT_SUPPORTED,
                    format!(
                        "{} is not allowed in a non-volatile function",
                        match m.tag(0).split(' ').next() {
                            Some(t) => t.to_owned(),
                            None => "INSERT".into(),
                        }
                    ),
                ));
            }
            m.run(&inner, emit)
        }
        Action::Call(call, _) => {
            let Expr::SubLink(sl) = call else {
                return Err(PgError::internal("CALL of something else than a procedure"));
            };
            let mut n = 0;
            crate::executor::subplan::run_sql_function(sl, &[], &inner, &mut |r| {
                n += 1;
                emit(&r)?;
                Ok(true)
            })?;
            Ok(n)
        }
    }
}
