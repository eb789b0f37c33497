//! Calls of user-defined LANGUAGE sql functions (PostgreSQL's
//! ParseFuncOrColumn for pg_proc rows of users, and functions.c's
//! checks of a body): choosing among overloads by positional, named
//! (`a => 1`) and defaulted arguments; analyzing the body, whose `$n`
//! and parameter names become `Expr::Param`s; and the body's final
//! query checked and converted to the declared result type.
//!
//! A call becomes an `Expr::SubLink` carrying a `SqlFuncCall`: the
//! executor evaluates the arguments in the caller's row and runs the
//! body's plan with them as its parameters (`executor::subplan`).
//! PostgreSQL inlines simple scalar functions into the calling query
//! instead; the results are the same, errors inside the body add a
//! CONTEXT line that PostgreSQL's inlined form would not.

use std::sync::{Arc, OnceLock};

use sqlparser::ast;

use crate::catalog::function::{ArgMode, BodyKind, FunctionDesc};
use crate::catalog::Catalog;
use crate::error::{sqlstate, PgError, PgResult};
use crate::fmgr;
use crate::nodes::expr::{Expr, SqlFuncCall, SubLink, SubLinkKind, SubPlan};
use crate::nodes::query::Query;
use crate::nodes::Column;
use crate::parser::{ident, StmtText};
use crate::types::{composite, oid, type_name, Oid};

use super::expr::Clause;
use super::Analyzer;
use super::Scope;

const WRONG_OBJECT_TYPE: &str = "42809";

/// The parameters visible in a function body: by `$n` and by name
/// (`name` or `function.name`).
#[derive(Clone, Debug)]
pub struct FnScope {
    pub function: String,
    /// Input arguments' names ("" when unnamed) and types.
    pub args: Vec<(String, Oid)>,
}

impl FnScope {
    /// The parameter a column reference names, if any.
    /// A PL/pgSQL record's fields are parameters named `rec.field`.
    pub(crate) fn resolve(&self, names: &[String]) -> Option<Expr> {
        let find = |n: &str| {
            self.args
                .iter()
                .rposition(|(a, _)| !a.is_empty() && a == n)
                .map(|i| Expr::Param(i, self.args[i].1))
        };
        match names {
            [n] => find(n),
            [f, n] => find(&format!("{f}.{n}"))
                .or_else(|| if *f == self.function { find(n) } else { None })
                .or_else(|| field_of(find(f)?, n)),
            _ => None,
        }
    }
}

/// `p.field` of a parameter `p` of a row type.
fn field_of(p: Expr, field: &str) -> Option<Expr> {
    let c = composite::by_oid(p.ty())?;
    let i = c.names.iter().position(|n| n == field)?;
    Some(Expr::FieldSelect(
        Box::new(p),
        i,
        c.types[i],
        field.to_owned(),
    ))
}

pub(super) fn return_mismatch(f: &FunctionDesc, detail: String) -> PgError {
    PgError::new(
        "42P13",
        format!(
            "return type mismatch in function declared to return {}",
            type_name(f.ret)
        ),
    )
    .with_detail(detail)
    .with_context(format!("SQL function \"{}\"", f.name))
}

/// The result columns a function's final query must give: its OUT or
/// TABLE arguments, or its one return type.
fn result_types(f: &FunctionDesc) -> Vec<Oid> {
    let outs: Vec<Oid> = f.output_args().map(|a| a.ty).collect();
    if outs.is_empty() {
        vec![f.ret]
    } else {
        outs
    }
}

/// A LANGUAGE sql body analyzed against a catalog.
pub struct AnalyzedBody {
    /// The last statement's query, its columns converted to the
    /// declared result types; for a body that modifies data, an empty
    /// query that the call replaces (its statements run one by one).
    pub query: Query,
    /// The tables its statements read or write.
    pub relations: Vec<u32>,
    pub needs_xid: bool,
    /// Whether a statement is an INSERT, UPDATE or DELETE: the body then
    /// runs statement by statement, each a command of its own
    /// (`pl::sqlfunc`).
    pub modifies: bool,
}

/// An empty query (no column, no row): the stand-in body of a call that
/// runs otherwise.
pub(crate) fn empty_query(catalog: &Arc<Catalog>) -> PgResult<Query> {
    let st = crate::parser::parse("SELECT WHERE false")?;
    let ast::Statement::Query(q) = &st[0].ast else {
        return Err(PgError::internal("not a query"));
    };
    Analyzer::new(&st[0].text, &[])
        .with_catalog(catalog.clone())
        .analyze_top(q)
}

/// The text of `f`'s body as statements.
pub fn body_text(f: &FunctionDesc) -> String {
    match f.body_kind {
        BodyKind::Text => f.body.clone(),
        BodyKind::Return => format!("SELECT {}", f.body),
    }
}

/// The parameter scope of `f`'s body.
pub fn body_scope(f: &FunctionDesc) -> FnScope {
    FnScope {
        function: f.name.clone(),
        args: f.input_args().map(|a| (a.name.clone(), a.ty)).collect(),
    }
}

/// Checks that a final statement's column types `have` convert to the
/// result types of `f` (check_sql_fn_retval, with assignment casts).
fn check_result_columns(catalog: &Arc<Catalog>, f: &FunctionDesc, have: &[Oid]) -> PgResult<()> {
    let want = match row_result(f, have) {
        // Any columns make a record.
        Some(None) => return Ok(()),
        Some(Some(fields)) => fields,
        None => result_types(f),
    };
    if want.len() == 1 && have.len() != 1 && f.ret != oid::RECORD {
        return Err(return_mismatch(
            f,
            "Final statement must return exactly one column.".into(),
        ));
    }
    if want.len() != have.len() {
        return Err(return_mismatch(
            f,
            if have.len() > want.len() {
                "Final statement returns too many columns.".into()
            } else {
                "Final statement returns too few columns.".into()
            },
        ));
    }
    let stmt = StmtText {
        sql: String::new(),
        full: Arc::from(""),
    };
    let mut a = Analyzer::new(&stmt, &[]).with_catalog(catalog.clone());
    for (i, (&t, &from)) in want.iter().zip(have).enumerate() {
        if from == t {
            continue;
        }
        super::modify::assignment_cast(&mut a, Expr::Param(0, from), t, -1, "").map_err(|_| {
            return_mismatch(
                f,
                if want.len() == 1 {
                    format!("Actual return type is {}.", type_name(from))
                } else {
                    format!(
                        "Final statement returns {} instead of {} at column {}.",
                        type_name(from),
                        type_name(t),
                        i + 1
                    )
                },
            )
        })?;
    }
    Ok(())
}

/// A function returning a composite type (no OUT arguments) whose final
/// query gives the row's columns rather than one composite value
/// (PostgreSQL's check_sql_fn_retval accepts both): Some(the row type's
/// field types), or Some(None) for `record`, whose row any columns make.
fn row_result(f: &FunctionDesc, have: &[Oid]) -> Option<Option<Vec<Oid>>> {
    if f.output_args().next().is_some() {
        return None;
    }
    let one_value = |t: Oid| t == f.ret || (f.ret == oid::RECORD && composite::is_composite(t));
    if matches!(have, [t] if one_value(*t)) {
        return None;
    }
    if f.ret == oid::RECORD {
        return Some(None);
    }
    composite::by_oid(f.ret).map(|c| Some(c.types.clone()))
}

/// The result types a call of `f` gives, in order.
pub fn call_result_types(f: &FunctionDesc) -> Vec<Oid> {
    result_types(f)
}

/// Analyzes the body of `f` against `catalog`: every statement is
/// checked; the last one's query is returned, its columns converted to
/// the declared result types (PostgreSQL's check_sql_fn_retval, with
/// assignment casts). Positions in errors are relative to the body.
pub fn analyze_body(catalog: &Arc<Catalog>, f: &FunctionDesc) -> PgResult<AnalyzedBody> {
    analyze_body_for(catalog, f, false)
}

/// The tag of a transaction-control statement, which a SQL function's
/// body may hold (CREATE accepts it) but not run.
fn transaction_tag(st: &ast::Statement) -> Option<&'static str> {
    Some(match st {
        ast::Statement::StartTransaction { begin: true, .. } => "BEGIN",
        ast::Statement::StartTransaction { .. } => "START TRANSACTION",
        ast::Statement::Commit { .. } => "COMMIT",
        ast::Statement::Rollback { .. } => "ROLLBACK",
        ast::Statement::Savepoint { .. } => "SAVEPOINT",
        ast::Statement::ReleaseSavepoint { .. } => "RELEASE",
        _ => return None,
    })
}

/// [`analyze_body`]; `validating` (CREATE FUNCTION, as PostgreSQL's
/// fmgr_sql_validator) lets transaction-control statements pass, which a
/// call refuses (0A000, as init_execution_state).
pub fn analyze_body_for(
    catalog: &Arc<Catalog>,
    f: &FunctionDesc,
    validating: bool,
) -> PgResult<AnalyzedBody> {
    let text = body_text(f);
    let stmts = crate::parser::parse(&text)?;
    let scope = body_scope(f);
    let types: Vec<Oid> = scope.args.iter().map(|a| a.1).collect();
    let mut last: Option<Query> = None;
    // The last statement's result column types when it modifies data
    // (None: no RETURNING).
    let mut last_dml: Option<Option<Vec<Oid>>> = None;
    let mut relations = Vec::new();
    let mut needs_xid = false;
    let mut modifies = false;
    for st in &stmts {
        if let Some(tag) = transaction_tag(&st.ast) {
            if validating {
                continue;
            }
            return Err(PgError::new(
                sqlstate::FEATURE_NOT_SUPPORTED,
                format!("{tag} is not allowed in an SQL function"),
            )
            .with_context(format!("SQL function \"{}\" during startup", f.name)));
        }
        let mut a = Analyzer::new(&st.text, &types).with_catalog(catalog.clone());
        a.fn_scope = Some(scope.clone());
        let m = match &st.ast {
            ast::Statement::Query(q) if !Analyzer::is_modifying_query(q) => {
                last = Some(a.analyze_top(q)?);
                last_dml = None;
                None
            }
            ast::Statement::Query(q) => Some(a.modifying_query(q)?),
            ast::Statement::Insert(i) => Some(a.insert(i)?),
            ast::Statement::Update(u) => Some(a.update(u)?),
            ast::Statement::Delete(d) => Some(a.delete(d)?),
            _ => {
                return Err(PgError::new(
                    sqlstate::FEATURE_NOT_SUPPORTED,
                    "statements other than SELECT, INSERT, UPDATE and DELETE in SQL function bodies are not supported yet",
                ));
            }
        };
        if let Some(m) = m {
            modifies = true;
            last = None;
            last_dml = Some(
                m.returning
                    .is_some()
                    .then(|| m.columns.iter().map(|c| c.type_oid).collect()),
            );
        }
        relations.extend(a.relations.iter().copied());
        needs_xid |= a.needs_xid;
    }
    if modifies {
        if f.ret != oid::VOID {
            match &last_dml {
                Some(None) => return Err(return_mismatch(
                    f,
                    "Function's final statement must be SELECT or INSERT/UPDATE/DELETE RETURNING."
                        .into(),
                )),
                Some(Some(cols)) => check_result_columns(catalog, f, cols)?,
                None => {
                    let q = last
                        .as_ref()
                        .ok_or_else(|| PgError::internal("no last query"))?;
                    let cols: Vec<Oid> = q.columns.iter().map(|c| c.type_oid).collect();
                    check_result_columns(catalog, f, &cols)?;
                }
            }
        }
        return Ok(AnalyzedBody {
            query: empty_query(catalog)?,
            relations,
            needs_xid: true,
            modifies,
        });
    }
    let Some(mut q) = last else {
        if f.ret == oid::VOID {
            // An empty body of a void function: a query giving no row.
            return Ok(AnalyzedBody {
                query: empty_query(catalog)?,
                relations,
                needs_xid,
                modifies,
            });
        }
        return Err(return_mismatch(
            f,
            "Function's final statement must be SELECT or INSERT/UPDATE/DELETE RETURNING.".into(),
        ));
    };
    if f.ret == oid::VOID {
        return Ok(AnalyzedBody {
            query: q,
            relations,
            needs_xid,
            modifies,
        });
    }
    let cols: Vec<Oid> = q.columns.iter().map(|c| c.type_oid).collect();
    check_result_columns(catalog, f, &cols)?;
    let row = row_result(f, &cols);
    let want = match &row {
        Some(None) => cols.clone(),
        Some(Some(fields)) => fields.clone(),
        None => result_types(f),
    };
    if q.targets.len() < q.columns.len() {
        return Err(PgError::new(
            sqlstate::FEATURE_NOT_SUPPORTED,
            "this form of final statement in a SQL function body is not supported yet",
        ));
    }
    let stmt = StmtText {
        sql: String::new(),
        full: Arc::from(""),
    };
    let mut a = Analyzer::new(&stmt, &types).with_catalog(catalog.clone());
    for (i, &t) in want.iter().enumerate() {
        let from = q.columns[i].type_oid;
        if from == t {
            continue;
        }
        let x = q.targets[i].clone();
        let cast = super::modify::assignment_cast(&mut a, x, t, -1, "")?;
        q.targets[i] = cast;
        q.columns[i].type_oid = t;
        q.columns[i].type_modifier = -1;
    }
    if row.is_some() {
        row_value(f, &mut q);
    }
    Ok(AnalyzedBody {
        query: q,
        relations,
        needs_xid,
        modifies,
    })
}

/// A routine's name as a call writes it: with its schema or not.
#[derive(Clone, Copy, Debug)]
pub(super) struct RoutineName<'a> {
    pub schema: Option<&'a str>,
    pub name: &'a str,
}

impl std::fmt::Display for RoutineName<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.schema {
            Some(s) => write!(f, "{s}.{}", self.name),
            None => f.write_str(self.name),
        }
    }
}

impl Analyzer<'_> {
    /// A call of a user function named `name` (in schema `schema`, or
    /// found through the search path), or None when no user function
    /// has that name (or none fits and a built-in one does).
    pub(super) fn user_function_call(
        &mut self,
        schema: Option<&str>,
        name: &str,
        list: &[ast::FunctionArg],
        scope: &Scope,
        clause: Clause,
    ) -> PgResult<Option<Expr>> {
        // Procedures are candidates too: choosing one is an error.
        let cands = self.catalog.routine_candidates(schema, name)?;
        if cands.is_empty() {
            return Ok(None);
        }
        let routine = RoutineName { schema, name };
        let Some((f, args)) = self.choose_function(routine, &cands, list, scope, clause, false)?
        else {
            return Ok(None);
        };
        if f.kind == 'p' {
            let types: Vec<&str> = f.input_args().map(|a| type_name(a.ty)).collect();
            return Err(PgError::new(
                WRONG_OBJECT_TYPE,
                format!("{routine}({}) is a procedure", types.join(", ")),
            )
            .with_hint("To call a procedure, use CALL."));
        }
        // A LANGUAGE sql function's row becomes one record value
        // (`row_value`); OUT arguments' and PL/pgSQL's rows do not yet.
        if f.ret == oid::RECORD && (f.output_args().next().is_some() || f.language != "sql") {
            return Err(PgError::new(
                sqlstate::FEATURE_NOT_SUPPORTED,
                "SQL functions returning record in expressions are not supported yet (call them in FROM)",
            ));
        }
        if f.retset {
            // A set-returning call outside FROM: run by a ProjectSet.
            self.check_srf_placement(clause)?;
            let mut call = self.sql_function_expr(&f, args, true)?;
            if let Expr::SubLink(s) = &mut call {
                if let Some(c) = s.call.as_mut() {
                    c.project_set = true;
                }
            }
            return Ok(Some(call));
        }
        self.sql_function_expr(&f, args, false).map(Some)
    }

    /// CALL name(args): the procedure's call (run by the executor as a
    /// function call) and the columns of the row it returns (its INOUT
    /// and OUT arguments; none without them).
    pub fn call_statement(&mut self, func: &ast::Function) -> PgResult<(Expr, Vec<Column>)> {
        self.call_statement_of(func).map(|(e, c, _)| (e, c))
    }

    /// [`Self::call_statement`], with the procedure chosen (PL/pgSQL's
    /// CALL assigns its output arguments to the variables given).
    pub fn call_statement_of(
        &mut self,
        func: &ast::Function,
    ) -> PgResult<(Expr, Vec<Column>, Arc<FunctionDesc>)> {
        let parts = crate::parser::object_name(&func.name);
        let (schema, name) = super::from::split_name(&parts)?;
        let routine = RoutineName { schema, name };
        let list: Vec<ast::FunctionArg> = match &func.args {
            ast::FunctionArguments::None => Vec::new(),
            ast::FunctionArguments::List(l) => l.args.clone(),
            ast::FunctionArguments::Subquery(_) => {
                return Err(PgError::new(
                    sqlstate::SYNTAX_ERROR,
                    "syntax error at or near \"SELECT\"",
                ))
            }
        };
        let cands = self.catalog.routine_candidates(schema, name)?;
        let chosen = self.choose_function(
            routine,
            &cands,
            &list,
            &Scope::default(),
            Clause::Values,
            true,
        )?;
        let not_procedure = |types: Vec<Oid>| {
            let t: Vec<&str> = types.iter().map(|t| type_name(*t)).collect();
            PgError::new(
                WRONG_OBJECT_TYPE,
                format!("{routine}({}) is not a procedure", t.join(", ")),
            )
            .with_hint("To call a function, use SELECT.")
        };
        let Some((f, args)) = chosen else {
            // Only a built-in function fits.
            let mut types = Vec::new();
            for a in &list {
                if let ast::FunctionArg::Unnamed(ast::FunctionArgExpr::Expr(e)) = a {
                    types.push(self.expr(e, &Scope::default(), Clause::Values)?.ty());
                }
            }
            return Err(not_procedure(types));
        };
        if f.kind != 'p' {
            return Err(not_procedure(f.input_types()));
        }
        // The placeholders given for OUT arguments are not passed.
        let inputs: Vec<Expr> = f
            .call_args()
            .zip(args)
            .filter(|(a, _)| a.mode.is_input())
            .map(|(_, x)| x)
            .collect();
        let call = self.sql_function_expr(&f, inputs, false)?;
        self.needs_xid = true;
        let columns = f
            .output_args()
            .map(|a| Column::new(a.name.clone(), a.ty, -1))
            .collect();
        Ok((call, columns, f))
    }

    /// The call of `f` with its (converted) input arguments.
    pub(super) fn sql_function_expr(
        &mut self,
        f: &FunctionDesc,
        args: Vec<Expr>,
        set: bool,
    ) -> PgResult<Expr> {
        if f.ret == oid::TRIGGER {
            return Err(PgError::new(
                sqlstate::FEATURE_NOT_SUPPORTED,
                "trigger functions can only be called as triggers",
            ));
        }
        if f.language == "plpgsql" {
            // Run by the PL/pgSQL interpreter (`pl`) at each call; its
            // statements may write, so the statement gets an xid.
            self.uses_catalog = true;
            self.needs_xid |= f.volatility == 'v';
            let stmts = crate::parser::parse("SELECT WHERE false")?;
            let ast::Statement::Query(q) = &stmts[0].ast else {
                return Err(PgError::internal("not a query"));
            };
            let query = Analyzer::new(&stmts[0].text, &[])
                .with_catalog(self.catalog.clone())
                .analyze_top(q)?;
            let pl = Some(Arc::new(f.clone()));
            return Ok(function_call(f, query, args, set, pl));
        }
        let body = analyze_body(&self.catalog, f)?;
        self.uses_catalog = true;
        self.needs_xid |= body.needs_xid && (f.volatility == 'v' || !body.modifies);
        for r in body.relations {
            if !self.relations.contains(&r) {
                self.relations.push(r);
            }
        }
        // A body that modifies data runs statement by statement through
        // the procedural-language handler (`pl::sqlfunc`).
        let run_by = body.modifies.then(|| Arc::new(f.clone()));
        Ok(function_call(f, body.query, args, set, run_by))
    }

    /// PostgreSQL's func_get_detail over the user functions `cands`:
    /// the one the arguments fit best (positional, then named, then
    /// defaults), its arguments converted. None when none fits and a
    /// built-in function of that name exists (it is tried next).
    pub(super) fn choose_function(
        &mut self,
        routine: RoutineName<'_>,
        cands: &[Arc<FunctionDesc>],
        list: &[ast::FunctionArg],
        scope: &Scope,
        clause: Clause,
        procedure: bool,
    ) -> PgResult<Option<(Arc<FunctionDesc>, Vec<Expr>)>> {
        let what = if procedure { "procedure" } else { "function" };
        let name = routine.name;
        // Built-in routines (pg_catalog's) are candidates unless another
        // schema is named.
        let builtins = routine.schema.is_none_or(|s| s == "pg_catalog");
        let mut positional = Vec::new();
        let mut named: Vec<(String, Expr)> = Vec::new();
        // `VARIADIC arr` (the parser's marker): the array itself, last.
        let mut variadic_given = false;
        for a in list {
            if let ast::FunctionArg::ExprNamed {
                name: ast::Expr::Identifier(n),
                arg: ast::FunctionArgExpr::Expr(e),
                ..
            } = a
            {
                if n.value == crate::parser::VARIADIC_MARKER {
                    positional.push(self.expr(e, scope, clause)?);
                    variadic_given = true;
                    continue;
                }
            }
            if variadic_given {
                return Err(PgError::new(
                    sqlstate::SYNTAX_ERROR,
                    "VARIADIC argument must be the last argument",
                ));
            }
            match a {
                ast::FunctionArg::Unnamed(ast::FunctionArgExpr::Expr(e)) => {
                    if !named.is_empty() {
                        return Err(PgError::new(
                            sqlstate::SYNTAX_ERROR,
                            "positional argument cannot follow named argument",
                        ));
                    }
                    positional.push(self.expr(e, scope, clause)?);
                }
                // `t.*` as an argument is the whole row `t`.
                ast::FunctionArg::Unnamed(ast::FunctionArgExpr::QualifiedWildcard(t))
                    if named.is_empty() =>
                {
                    let parts: Vec<ast::Ident> =
                        t.0.iter().filter_map(|p| p.as_ident().cloned()).collect();
                    let e = match parts.as_slice() {
                        [one] => ast::Expr::Identifier(one.clone()),
                        _ => ast::Expr::CompoundIdentifier(parts),
                    };
                    positional.push(self.expr(&e, scope, clause)?);
                }
                ast::FunctionArg::Named {
                    name: n,
                    arg: ast::FunctionArgExpr::Expr(e),
                    ..
                }
                | ast::FunctionArg::ExprNamed {
                    name: ast::Expr::Identifier(n),
                    arg: ast::FunctionArgExpr::Expr(e),
                    ..
                } => {
                    let n = ident(n);
                    if named.iter().any(|(m, _)| *m == n) {
                        return Err(PgError::new(
                            sqlstate::SYNTAX_ERROR,
                            format!("argument name \"{n}\" used more than once"),
                        ));
                    }
                    let x = self.expr(e, scope, clause)?;
                    named.push((n, x));
                }
                _ => {
                    return Err(PgError::new(
                        sqlstate::FEATURE_NOT_SUPPORTED,
                        "this form of function argument is not supported yet",
                    ))
                }
            }
        }
        // (cost, candidate, for each input argument: Some(index into the
        // given arguments: positional then named) or None for its default,
        // the index of the VARIADIC argument when the call's trailing
        // positional arguments are its elements)
        type Fit = (u32, Arc<FunctionDesc>, Vec<Option<usize>>, Option<usize>);
        let mut fits: Vec<Fit> = Vec::new();
        'cand: for f in cands {
            let inputs: Vec<_> = f.call_args().collect();
            // VARIADIC: the arguments from its position on are elements
            // of its array (at least one), unless the call says VARIADIC.
            if let Some(vt) = f.variadic_type() {
                let k = inputs.len() - 1;
                if !variadic_given && named.is_empty() && positional.len() > k {
                    let elem = crate::types::array::array_element(vt);
                    let mut cost = 0;
                    for (i, given) in positional.iter().enumerate() {
                        let want = if i < k { inputs[i].ty } else { elem };
                        match fmgr::arg_cost(given.ty(), want) {
                            Some(c) => cost += c,
                            None => continue 'cand,
                        }
                    }
                    let slots = (0..k).map(Some).collect();
                    fits.push((cost, f.clone(), slots, Some(k)));
                }
                if !variadic_given {
                    continue;
                }
            } else if variadic_given {
                continue;
            }
            if positional.len() > inputs.len() {
                continue;
            }
            let mut slots: Vec<Option<usize>> = (0..inputs.len())
                .map(|i| (i < positional.len()).then_some(i))
                .collect();
            for (k, (n, _)) in named.iter().enumerate() {
                let Some(i) = inputs.iter().position(|a| a.name == *n) else {
                    continue 'cand;
                };
                if slots[i].is_some() {
                    continue 'cand;
                }
                slots[i] = Some(positional.len() + k);
            }
            if slots
                .iter()
                .zip(&inputs)
                .any(|(s, a)| s.is_none() && a.default.is_none())
            {
                continue;
            }
            let mut cost = 0;
            for (s, a) in slots.iter().zip(&inputs) {
                if let Some(k) = s {
                    let given = if *k < positional.len() {
                        &positional[*k]
                    } else {
                        &named[*k - positional.len()].1
                    };
                    match fmgr::arg_cost(given.ty(), a.ty) {
                        Some(c) => cost += c,
                        None => continue 'cand,
                    }
                }
            }
            fits.push((cost, f.clone(), slots, None));
        }
        let shown = || {
            let mut v: Vec<String> = positional
                .iter()
                .map(|e| type_name(e.ty()).to_owned())
                .collect();
            v.extend(
                named
                    .iter()
                    .map(|(n, e)| format!("{n} => {}", type_name(e.ty()))),
            );
            format!("{routine}({})", v.join(", "))
        };
        let Some(best) = fits.iter().map(|f| f.0).min() else {
            if builtins && named.is_empty() && fmgr::exists(name) {
                return Ok(None);
            }
            return Err(PgError::new(
                sqlstate::UNDEFINED_FUNCTION,
                format!("{what} {} does not exist", shown()),
            )
            .with_hint(format!(
                "No {what} matches the given name and argument types. You might need to add explicit type casts."
            )));
        };
        // A built-in function of the name that fits better wins (both
        // kinds are candidates of one choice in PostgreSQL).
        // One of the same input types hides the user ones in schemas
        // after pg_catalog on the search path.
        if builtins && named.is_empty() {
            let types: Vec<Oid> = positional.iter().map(Expr::ty).collect();
            if let Ok((_, params)) = fmgr::resolve_call(name, &types) {
                let builtin: Option<u32> = types
                    .iter()
                    .zip(&params)
                    .map(|(a, p)| fmgr::arg_cost(*a, *p))
                    .sum();
                let path = self.catalog.search_path();
                let at = |n: Oid| path.iter().position(|&p| p == n);
                let catalog_at = at(crate::catalog::PG_CATALOG_NAMESPACE);
                let hidden = fits
                    .iter()
                    .filter(|f| f.0 == best)
                    .all(|f| f.1.input_types() == params && catalog_at < at(f.1.namespace));
                if builtin.is_some_and(|b| b < best || (b == best && hidden)) {
                    return Ok(None);
                }
            }
        }
        let mut best_fits = fits.into_iter().filter(|f| f.0 == best);
        let (_, f, slots, expanded) = best_fits.next().expect("a best fit");
        if best_fits.next().is_some() {
            return Err(PgError::new(
                "42725",
                format!("{what} {} is not unique", shown()),
            )
            .with_hint(format!(
                "Could not choose a best candidate {what}. You might need to add explicit type casts."
            )));
        }
        let mut given: Vec<Option<Expr>> = positional
            .into_iter()
            .chain(named.into_iter().map(|(_, e)| e))
            .map(Some)
            .collect();
        let mut args = Vec::new();
        let inputs: Vec<_> = f.call_args().cloned().collect();
        if let Some(k) = expanded {
            // The trailing arguments become the VARIADIC argument's array.
            let ty = inputs[k].ty;
            let elem = crate::types::array::array_element(ty);
            let mut elems = Vec::new();
            for x in given.drain(k..).flatten() {
                elems.push(self.coerce(x, elem, false)?);
            }
            for (s, a) in slots.iter().zip(&inputs) {
                let x = s
                    .and_then(|k| given[k].take())
                    .unwrap_or(Expr::Const(crate::types::Value::Null, a.ty));
                args.push(self.coerce(x, a.ty, false)?);
            }
            args.push(Expr::ArrayExpr {
                elems,
                ty,
                multidims: false,
            });
            return Ok(Some((f, args)));
        }
        for (s, a) in slots.iter().zip(&inputs) {
            let x = match s {
                Some(k) => given[*k]
                    .take()
                    .unwrap_or(Expr::Const(crate::types::Value::Null, a.ty)),
                None => {
                    let text = a.default.as_deref().unwrap_or("NULL");
                    self.default_expr(text)?
                }
            };
            args.push(self.coerce(x, a.ty, false)?);
        }
        Ok(Some((f, args)))
    }

    /// An argument's DEFAULT expression, analyzed where it is used.
    fn default_expr(&mut self, text: &str) -> PgResult<Expr> {
        let stmts = crate::parser::parse(&format!("SELECT {text}"))?;
        let Some(ast::Statement::Query(q)) = stmts.first().map(|s| &s.ast) else {
            return Err(PgError::internal("a default that is not an expression"));
        };
        let ast::SetExpr::Select(s) = q.body.as_ref() else {
            return Err(PgError::internal("a default that is not an expression"));
        };
        match s.projection.first() {
            Some(ast::SelectItem::UnnamedExpr(e)) => {
                self.expr(e, &Scope::default(), Clause::Select)
            }
            _ => Err(PgError::internal("a default that is not an expression")),
        }
    }
}

/// Whether `f`'s mode list allows it where a function (not a
/// procedure) is called.
pub fn is_function(f: &FunctionDesc) -> bool {
    f.kind == 'f' && f.args.iter().all(|a| a.mode != ArgMode::Table || f.retset)
}

/// The call of user function `f`: a scalar sublink running `query` (the
/// body of a LANGUAGE sql function; for PL/pgSQL, `pl`, an empty query
/// that the call replaces) with `args` bound.
fn function_call(
    f: &FunctionDesc,
    query: Query,
    args: Vec<Expr>,
    set: bool,
    pl: Option<Arc<FunctionDesc>>,
) -> Expr {
    Expr::SubLink(Box::new(SubLink {
        kind: SubLinkKind::Scalar,
        test: None,
        sub: Arc::new(SubPlan {
            query,
            plan: OnceLock::new(),
            correlated: false,
        }),
        ty: f.ret,
        call: Some(Box::new(SqlFuncCall {
            name: f.name.clone(),
            args,
            strict: f.strict,
            set,
            project_set: false,
            pl,
        })),
    }))
}

/// Makes the columns of `q` (those of its select list, not the sort keys
/// after them) one composite value of the function's result type: the
/// row of a function returning a composite type or `record`.
fn row_value(f: &FunctionDesc, q: &mut Query) {
    let n = q.columns.len();
    let names: Vec<String> = match composite::by_oid(f.ret) {
        Some(c) => c.names.to_vec(),
        None => q.columns.iter().map(|c| c.name.clone()).collect(),
    };
    let rest = q.targets.split_off(n.min(q.targets.len()));
    let fields = std::mem::take(&mut q.targets);
    q.targets = std::iter::once(Expr::Row(Box::new(crate::nodes::expr::RowExpr {
        args: fields,
        constructor: false,
        ty: f.ret,
        names: Arc::new(names),
    })))
    .chain(rest)
    .collect();
    q.columns = vec![Column::new(f.name.clone(), f.ret, -1)];
}
