//! The PL/pgSQL interpreter (PostgreSQL's pl_exec.c, in small): runs a
//! parsed body over a frame of variables. Each expression and SQL
//! statement runs through `spi` as a command of its own (the next
//! command id, a new snapshot under READ COMMITTED); a block with an
//! EXCEPTION clause runs as a subtransaction, undone when a handler
//! catches its error.

use crate::access::xact::StmtXact;
use crate::analyze::sqlfunc::FnScope;
use crate::error::{sqlstate, PgError, PgResult, Severity};
use crate::executor::eval::EvalCtx;
use crate::fmgr::FnCtx;
use crate::interrupts::check_for_interrupts;
use crate::types::{oid, Oid, Value};

use super::conditions;
use super::parse::{Block, Cond, RowSource, SqlText, Stmt, StmtKind, TypeSpec};
use super::spi::{self, Compiled};

/// A record or %ROWTYPE variable's fields, once known.
#[derive(Clone, Debug)]
pub struct RowVal {
    pub cols: Vec<(String, Oid)>,
    pub vals: Vec<Value>,
}

/// One variable of the frame.
#[derive(Clone, Debug)]
pub struct Var {
    pub name: String,
    pub ty: Oid,
    pub typmod: i32,
    pub value: Value,
    pub constant: bool,
    pub not_null: bool,
    /// Some for record and row variables (vals empty: not assigned yet).
    pub row: Option<RowVal>,
    pub is_row: bool,
}

impl Var {
    pub fn scalar(name: &str, ty: Oid, value: Value) -> Var {
        Var {
            name: name.to_owned(),
            ty,
            typmod: -1,
            value,
            constant: false,
            not_null: false,
            row: None,
            is_row: false,
        }
    }

    pub fn record(name: &str, row: Option<RowVal>) -> Var {
        Var {
            name: name.to_owned(),
            ty: oid::RECORD,
            typmod: -1,
            value: Value::Null,
            constant: false,
            not_null: false,
            row,
            is_row: true,
        }
    }
}

/// Where a statement's rows go, with its columns.
type RowEmit<'e> = dyn FnMut(&[Value], &[crate::nodes::Column]) -> PgResult<()> + 'e;

/// How a statement list ended.
pub enum Flow {
    Normal,
    Exit(Option<String>),
    Continue(Option<String>),
    Return,
}

/// A running function or DO block.
pub struct Interp<'a, 'c> {
    pub ctx: &'a EvalCtx<'c>,
    /// `PL/pgSQL function f(integer)` for CONTEXT lines.
    pub context: String,
    /// The function's name (qualifies its arguments: `f.a`).
    pub fname: String,
    pub vars: Vec<Var>,
    /// Indices of the variables in scope, outermost first.
    pub visible: Vec<usize>,
    /// The current command's transaction (a subtransaction's in an
    /// EXCEPTION block).
    pub xact: StmtXact,
    pub row_count: u64,
    pub found: usize,
    pub ret_type: Oid,
    pub retset: bool,
    pub result: Value,
    /// RETURN NEXT / RETURN QUERY rows go here; false: the caller wants
    /// no more.
    pub each: &'a mut dyn FnMut(Vec<Value>) -> PgResult<bool>,
    /// Names of OUT arguments (their variables are returned).
    pub out_vars: Vec<usize>,
    /// Errors being handled, innermost last (SQLSTATE, SQLERRM).
    pub handling: Vec<usize>,
    /// The errors themselves (GET STACKED DIAGNOSTICS), innermost last.
    pub caught: Vec<PgError>,
    /// The error on its way out already names the statement it came from.
    pub annotated: bool,
    /// Transaction control, for a procedure or DO block run outside a
    /// transaction block (None: COMMIT and ROLLBACK are 2D000).
    pub xctl: Option<&'a mut dyn super::XactControl>,
    /// How many blocks with an EXCEPTION clause (subtransactions) are
    /// running their bodies.
    pub subxacts: usize,
    /// The start of the transaction a COMMIT or ROLLBACK began (now()).
    pub xact_start: Option<i64>,
}

fn ctx_with<'x>(ctx: &EvalCtx<'x>, xact: &'x StmtXact, start: Option<i64>) -> EvalCtx<'x> {
    EvalCtx {
        fcx: FnCtx {
            xact,
            xact_start: start.unwrap_or(ctx.fcx.xact_start),
            ..ctx.fcx
        },
        ..*ctx
    }
}

/// The value of a boolean condition (NULL is false).
fn truthy(v: &Value) -> bool {
    matches!(v, Value::Bool(true))
}

impl<'a, 'c> Interp<'a, 'c> {
    fn scope(&self) -> (FnScope, Vec<Value>) {
        let mut args = Vec::new();
        let mut vals = Vec::new();
        for &i in &self.visible {
            let v = &self.vars[i];
            if v.is_row {
                if let Some(r) = &v.row {
                    if !r.vals.is_empty() || !r.cols.is_empty() {
                        for (k, (c, t)) in r.cols.iter().enumerate() {
                            args.push((format!("{}.{c}", v.name), *t));
                            vals.push(r.vals.get(k).cloned().unwrap_or(Value::Null));
                        }
                    }
                }
                continue;
            }
            args.push((v.name.clone(), v.ty));
            vals.push(v.value.clone());
        }
        (
            FnScope {
                function: self.fname.clone(),
                args,
            },
            vals,
        )
    }

    /// Compiles (or takes from the cache) and runs `sql`.
    fn run_sql(
        &mut self,
        sql: &SqlText,
        text: &str,
        want: Option<(Oid, i32)>,
        emit: &mut RowEmit,
    ) -> PgResult<u64> {
        let (scope, vals) = self.scope();
        let types: Vec<Oid> = scope.args.iter().map(|a| a.1).collect();
        let catalog = self.ctx.catalog;
        let cached = sql
            .cache
            .borrow()
            .as_ref()
            .filter(|c| c.fits(&types, want, catalog))
            .cloned();
        let c: std::rc::Rc<Compiled> = match cached {
            Some(c) => c,
            None => {
                let c = std::rc::Rc::new(spi::compile(text, &scope, catalog, want)?);
                *sql.cache.borrow_mut() = Some(c.clone());
                c
            }
        };
        let sx = self.xact.next_command()?;
        let ctx = ctx_with(self.ctx, &sx, self.xact_start);
        let cols = c.columns.clone();
        if let Some(n) = self.call_nonatomic(&c, &ctx, &vals, &mut |row| emit(row, &cols))? {
            return Ok(n);
        }
        spi::run(&c, &ctx, &vals, &mut |row| emit(row, &cols))
    }

    /// After CALL: the procedure's OUT and INOUT values go to the
    /// variables given for them (42601 when one is not a variable).
    fn call_outputs(
        &mut self,
        targets: &[Option<String>],
        row: Option<&[Value]>,
        cols: &[crate::nodes::Column],
    ) -> PgResult<Flow> {
        let Some(row) = row else {
            return Ok(Flow::Normal);
        };
        for (i, t) in targets.iter().enumerate() {
            let writable = |t: &String| {
                self.lookup(t).is_some()
                    || t.split_once('.')
                        .is_some_and(|(r, _)| self.lookup(r).is_some_and(|i| self.vars[i].is_row))
            };
            let Some(t) = t.as_ref().filter(|t| writable(t)) else {
                let name = cols.get(i).map(|c| c.name.clone()).unwrap_or_default();
                return Err(PgError::new(
                    sqlstate::SYNTAX_ERROR,
                    format!(
                        "procedure parameter \"{name}\" is an output parameter but corresponding argument is not writable"
                    ),
                ));
            };
            let v = row.get(i).cloned().unwrap_or(Value::Null);
            let from = cols.get(i).map_or(oid::UNKNOWN, |c| c.type_oid);
            self.assign_value(t, v, from)?;
        }
        Ok(Flow::Normal)
    }

    /// A CALL of a plpgsql procedure from a procedure that may end its
    /// transaction: the callee may too (None: not such a CALL). If it
    /// did, this body goes on in the transaction it left.
    fn call_nonatomic(
        &mut self,
        c: &Compiled,
        ctx: &EvalCtx,
        vals: &[Value],
        emit: &mut dyn FnMut(&[Value]) -> PgResult<()>,
    ) -> PgResult<Option<u64>> {
        let spi::Action::Call(crate::nodes::expr::Expr::SubLink(sl), _) = &c.action else {
            return Ok(None);
        };
        let Some((call, f)) = sl
            .call
            .as_ref()
            .and_then(|call| call.pl.as_ref().map(|f| (call, f)))
            .filter(|(_, f)| f.language == "plpgsql")
        else {
            return Ok(None);
        };
        let subxacts = self.subxacts;
        let Some(xctl) = self.xctl.as_deref_mut() else {
            return Ok(None);
        };
        let cache = crate::executor::subplan::SubplanCache::default();
        let inner = EvalCtx {
            params: vals,
            outer: &[],
            cache: &cache,
            ..*ctx
        };
        let args = call
            .args
            .iter()
            .map(|a| crate::executor::eval::eval(a, &[], &inner))
            .collect::<PgResult<Vec<Value>>>()?;
        let before = xctl.generation();
        let mut n = 0;
        if !(call.strict && args.iter().any(Value::is_null)) {
            super::call_plpgsql(
                f,
                args,
                &inner,
                &mut |r| {
                    n += 1;
                    emit(&r)?;
                    Ok(true)
                },
                Some(&mut *xctl),
                subxacts,
            )?;
        }
        if xctl.generation() != before {
            let (sx, start) = xctl.resume()?;
            self.xact = sx;
            self.xact_start = Some(start);
        }
        Ok(Some(n))
    }

    /// Evaluates an expression to one value (and its type).
    pub fn eval(&mut self, e: &SqlText, want: Option<(Oid, i32)>) -> PgResult<(Value, Oid)> {
        let text = format!("SELECT {}", e.text);
        let mut out: Option<(Value, Oid)> = None;
        let mut n = 0;
        let mut ncols = 1;
        self.run_sql(e, &text, want, &mut |row, cols| {
            n += 1;
            ncols = cols.len();
            if out.is_none() {
                out = Some((
                    row.first().cloned().unwrap_or(Value::Null),
                    cols.first().map_or(oid::UNKNOWN, |c| c.type_oid),
                ));
            }
            Ok(())
        })
        .map_err(|err| {
            if err
                .extra
                .as_ref()
                .and_then(|x| x.context.as_ref())
                .is_none()
            {
                let mut err = err;
                err.position = None;
                err.with_context(format!("PL/pgSQL expression \"{}\"", e.text))
            } else {
                err
            }
        })?;
        if ncols != 1 {
            return Err(PgError::new(
                sqlstate::SYNTAX_ERROR,
                format!("query \"{text}\" returned {ncols} columns"),
            ));
        }
        if n > 1 {
            return Err(PgError::new(
                sqlstate::CARDINALITY_VIOLATION,
                format!("query \"{text}\" returned more than one row"),
            ));
        }
        Ok(out.unwrap_or((Value::Null, oid::UNKNOWN)))
    }

    fn eval_bool(&mut self, e: &SqlText) -> PgResult<bool> {
        Ok(truthy(&self.eval(e, Some((oid::BOOL, -1)))?.0))
    }

    fn lookup(&self, name: &str) -> Option<usize> {
        self.visible
            .iter()
            .rev()
            .copied()
            .find(|&i| self.vars[i].name == name)
    }

    /// Assigns `v` (of type `from`) to the variable or field `target`.
    fn assign_value(&mut self, target: &str, v: Value, from: Oid) -> PgResult<()> {
        if let Some(i) = self.lookup(target) {
            let var = &self.vars[i];
            if var.constant {
                return Err(PgError::new(
                    "22005",
                    format!("variable \"{target}\" is declared CONSTANT"),
                ));
            }
            if var.is_row {
                return match v {
                    Value::Null => {
                        if let Some(r) = &mut self.vars[i].row {
                            r.vals.clear();
                        }
                        Ok(())
                    }
                    Value::Record(fields) => {
                        let old = self.vars[i].row.take();
                        let cols = match old {
                            Some(r) if r.cols.len() == fields.len() => r.cols,
                            _ => fields
                                .iter()
                                .enumerate()
                                .map(|(k, (t, _))| (format!("f{}", k + 1), *t))
                                .collect(),
                        };
                        self.vars[i].row = Some(RowVal {
                            cols,
                            vals: fields.iter().map(|(_, v)| v.clone()).collect(),
                        });
                        Ok(())
                    }
                    _ => Err(PgError::new(
                        sqlstate::DATATYPE_MISMATCH,
                        "cannot assign non-composite value to a record variable",
                    )),
                };
            }
            let v = self.convert(v, from, var.ty, var.typmod)?;
            if v.is_null() && self.vars[i].not_null {
                return Err(PgError::new(
                    sqlstate::NULL_VALUE_NOT_ALLOWED,
                    format!(
                        "null value cannot be assigned to variable \"{target}\" declared NOT NULL"
                    ),
                ));
            }
            self.vars[i].value = v;
            return Ok(());
        }
        if let Some((r, f)) = target.split_once('.') {
            if let Some(i) = self.lookup(r) {
                if let Some(row) = &self.vars[i].row {
                    if let Some(k) = row.cols.iter().position(|c| c.0 == f) {
                        let to = row.cols[k].1;
                        let v = self.convert(v, from, to, -1)?;
                        let row = self.vars[i].row.as_mut().expect("a row");
                        if row.vals.is_empty() {
                            row.vals = vec![Value::Null; row.cols.len()];
                        }
                        row.vals[k] = v;
                        return Ok(());
                    }
                    return Err(PgError::new(
                        sqlstate::UNDEFINED_COLUMN,
                        format!("record \"{r}\" has no field \"{f}\""),
                    ));
                }
                return Err(
                    PgError::new("55000", format!("record \"{r}\" is not assigned yet"))
                        .with_detail(
                            "The tuple structure of a not-yet-assigned record is indeterminate.",
                        ),
                );
            }
        }
        Err(PgError::new(
            sqlstate::SYNTAX_ERROR,
            format!("\"{target}\" is not a known variable"),
        ))
    }

    /// Converts a value to a variable's type as an assignment does.
    fn convert(&mut self, v: Value, from: Oid, to: Oid, typmod: i32) -> PgResult<Value> {
        if v.is_null() || (from == to && typmod < 0) {
            return Ok(v);
        }
        // Through a one-parameter query: $1 of type `from` to `to`.
        let key = format!("{from}:{to}:{typmod}");
        let scope = FnScope {
            function: String::new(),
            args: vec![(String::new(), from)],
        };
        let c = CONVERSIONS.with(|m| m.borrow().get(&key).cloned());
        let c = match c.filter(|c| c.fits(&[from], Some((to, typmod)), self.ctx.catalog)) {
            Some(c) => c,
            None => {
                let c = std::rc::Rc::new(spi::compile(
                    "SELECT $1",
                    &scope,
                    self.ctx.catalog,
                    Some((to, typmod)),
                )?);
                CONVERSIONS.with(|m| m.borrow_mut().insert(key, c.clone()));
                c
            }
        };
        let mut out = Value::Null;
        spi::run(&c, self.ctx, &[v], &mut |r| {
            out = r.first().cloned().unwrap_or(Value::Null);
            Ok(())
        })?;
        Ok(out)
    }

    /// Assigns a row of a query to INTO/FOR targets.
    fn assign_row(
        &mut self,
        targets: &[String],
        row: Option<&[Value]>,
        cols: &[crate::nodes::Column],
    ) -> PgResult<()> {
        if targets.len() == 1 {
            if let Some(i) = self.lookup(&targets[0]) {
                if self.vars[i].is_row {
                    let decl = self.vars[i].row.clone();
                    let rv = match (decl, row) {
                        // A %ROWTYPE variable keeps its columns.
                        (Some(r), Some(vals)) if self.vars[i].ty != oid::RECORD => {
                            let mut out = Vec::new();
                            for (k, (_, t)) in r.cols.iter().enumerate() {
                                let v = vals.get(k).cloned().unwrap_or(Value::Null);
                                let from = cols.get(k).map_or(*t, |c| c.type_oid);
                                out.push(self.convert(v, from, *t, -1)?);
                            }
                            RowVal {
                                cols: r.cols,
                                vals: out,
                            }
                        }
                        (_, Some(vals)) => RowVal {
                            cols: cols.iter().map(|c| (c.name.clone(), c.type_oid)).collect(),
                            vals: vals.to_vec(),
                        },
                        (Some(r), None) if self.vars[i].ty != oid::RECORD => RowVal {
                            vals: vec![Value::Null; r.cols.len()],
                            cols: r.cols,
                        },
                        (_, None) => RowVal {
                            cols: cols.iter().map(|c| (c.name.clone(), c.type_oid)).collect(),
                            vals: vec![Value::Null; cols.len()],
                        },
                    };
                    self.vars[i].row = Some(rv);
                    return Ok(());
                }
            }
        }
        for (k, t) in targets.iter().enumerate() {
            let v = row.and_then(|r| r.get(k).cloned()).unwrap_or(Value::Null);
            let from = cols.get(k).map_or(oid::UNKNOWN, |c| c.type_oid);
            self.assign_value(t, v, from)?;
        }
        Ok(())
    }

    fn set_found(&mut self, b: bool) {
        let f = self.found;
        self.vars[f].value = Value::Bool(b);
    }

    /// Declares a block's variables (in scope from here).
    fn declare(&mut self, b: &Block) -> PgResult<()> {
        for d in &b.decls {
            let (ty, typmod, row) = match &d.ty {
                TypeSpec::Record => (oid::RECORD, -1, None),
                TypeSpec::Named(t) => {
                    let text = SqlText {
                        text: format!("NULL::{t}"),
                        cache: Default::default(),
                    };
                    let c = spi::compile(
                        &format!("SELECT {}", text.text),
                        &FnScope {
                            function: String::new(),
                            args: vec![],
                        },
                        self.ctx.catalog,
                        None,
                    )
                    .map_err(|e| {
                        if e.code == sqlstate::UNDEFINED_OBJECT || e.message.starts_with("type") {
                            PgError::new(e.code, format!("type \"{t}\" does not exist"))
                        } else {
                            e
                        }
                    })?;
                    let col = &c.columns[0];
                    (col.type_oid, col.type_modifier, None)
                }
                TypeSpec::RowType(t) => {
                    let c = spi::compile(
                        &format!("SELECT * FROM {t} WHERE false"),
                        &FnScope {
                            function: String::new(),
                            args: vec![],
                        },
                        self.ctx.catalog,
                        None,
                    )?;
                    let cols = c
                        .columns
                        .iter()
                        .map(|c| (c.name.clone(), c.type_oid))
                        .collect();
                    (
                        oid::RECORD + 1,
                        -1,
                        Some(RowVal {
                            cols,
                            vals: Vec::new(),
                        }),
                    )
                }
                TypeSpec::TypeOf(n) => match self.lookup(n) {
                    Some(i) => (
                        self.vars[i].ty,
                        self.vars[i].typmod,
                        self.vars[i].row.clone(),
                    ),
                    None => {
                        let (tab, col) = n.split_once('.').ok_or_else(|| {
                            PgError::new(
                                sqlstate::UNDEFINED_OBJECT,
                                format!("variable \"{n}\" does not exist"),
                            )
                        })?;
                        let c = spi::compile(
                            &format!("SELECT {col} FROM {tab} WHERE false"),
                            &FnScope {
                                function: String::new(),
                                args: vec![],
                            },
                            self.ctx.catalog,
                            None,
                        )?;
                        (c.columns[0].type_oid, c.columns[0].type_modifier, None)
                    }
                },
            };
            let is_row = row.is_some() || ty == oid::RECORD;
            let mut var = if is_row {
                let mut v = Var::record(&d.name, row);
                v.ty = ty;
                v
            } else {
                Var::scalar(&d.name, ty, Value::Null)
            };
            var.typmod = typmod;
            let idx = self.vars.len();
            self.vars.push(var);
            if let Some(e) = &d.default {
                let (v, from) = self.eval(e, if is_row { None } else { Some((ty, typmod)) })?;
                self.visible.push(idx);
                self.assign_value(&d.name, v, from)?;
                self.visible.pop();
            }
            if d.not_null && self.vars[idx].value.is_null() {
                return Err(PgError::new(
                    sqlstate::NULL_VALUE_NOT_ALLOWED,
                    format!(
                        "null value cannot be assigned to variable \"{}\" declared NOT NULL",
                        d.name
                    ),
                ));
            }
            self.vars[idx].constant = d.constant;
            self.vars[idx].not_null = d.not_null;
            self.visible.push(idx);
        }
        Ok(())
    }

    /// Runs a block.
    pub fn block(&mut self, b: &Block) -> PgResult<Flow> {
        let depth = self.visible.len();
        let nvars = self.vars.len();
        let r = self.block_inner(b);
        self.visible.truncate(depth);
        self.vars.truncate(nvars);
        match r {
            Ok(Flow::Exit(Some(l))) if b.label.as_deref() == Some(l.as_str()) => Ok(Flow::Normal),
            other => other,
        }
    }

    fn block_inner(&mut self, b: &Block) -> PgResult<Flow> {
        let Some(handlers) = &b.handlers else {
            self.declare(b)?;
            return self.stmts(&b.body);
        };
        // A subtransaction when the statement writes; otherwise nothing
        // the block did can need undoing.
        let parent = self.xact.next_command()?;
        let sub = if parent.xid != 0 {
            Some(parent.begin_subtransaction()?)
        } else {
            None
        };
        if let Some(s) = &sub {
            self.xact = s.next_command()?;
        }
        // An error in the declarations is not this block's to catch; the
        // handlers see the block's variables as they were at the error.
        if let Err(e) = self.declare(b) {
            if let Some(s) = &sub {
                parent.abort_subtransaction(s);
            }
            self.xact = parent.next_command()?;
            return Err(e);
        }
        let depth = self.visible.len();
        let saved_vars = self.vars.len();
        self.subxacts += 1;
        let r = self.stmts(&b.body);
        self.subxacts -= 1;
        match r {
            Ok(flow) => {
                if let Some(s) = &sub {
                    let cur = std::mem::replace(&mut self.xact, parent.next_command()?);
                    self.xact = parent.commit_subtransaction(&cur);
                    let _ = s;
                }
                Ok(flow)
            }
            Err(e) => {
                if e.severity == Severity::Fatal {
                    return Err(e);
                }
                self.annotated = false;
                let Some(h) = handlers
                    .iter()
                    .find(|h| h.conds.iter().any(|c| conditions::matches(c, e.code)))
                else {
                    return Err(e);
                };
                if let Some(s) = &sub {
                    parent.abort_subtransaction(s);
                    // And any subtransaction committed inside it.
                    parent.abort_subtransaction(&self.xact);
                }
                self.xact = parent.next_command()?;
                self.visible.truncate(depth);
                self.vars.truncate(saved_vars);
                // SQLSTATE and SQLERRM, in scope in the handler.
                let i = self.vars.len();
                self.vars.push(Var::scalar(
                    "sqlstate",
                    oid::TEXT,
                    Value::Text(e.code.to_owned()),
                ));
                self.vars.push(Var::scalar(
                    "sqlerrm",
                    oid::TEXT,
                    Value::Text(e.message.clone()),
                ));
                self.visible.push(i);
                self.visible.push(i + 1);
                self.handling.push(i);
                self.caught.push(e);
                let r = self.stmts(&h.body);
                self.caught.pop();
                self.handling.pop();
                r
            }
        }
    }

    fn stmts(&mut self, list: &[Stmt]) -> PgResult<Flow> {
        for s in list {
            check_for_interrupts()?;
            let r = self.stmt(s);
            let r = match r {
                Err(e) if !self.annotated => {
                    self.annotated = true;
                    Err(self.add_context(e, s))
                }
                other => other,
            };
            match r? {
                Flow::Normal => {}
                other => return Ok(other),
            }
        }
        Ok(Flow::Normal)
    }

    fn add_context(&self, e: PgError, s: &Stmt) -> PgError {
        if matches!(s.kind, StmtKind::Block(_)) || e.severity == Severity::Fatal {
            return e;
        }
        if e.extra
            .as_ref()
            .and_then(|x| x.context.as_ref())
            .is_some_and(|c| {
                c.contains("PL/pgSQL function")
                    && c.ends_with(&format!(" at {}", s.name()))
                    && c.contains(&self.context)
            })
        {
            return e;
        }
        let line = format!("{} line {} at {}", self.context, s.line, s.name());
        let ctx = match e.extra.as_ref().and_then(|x| x.context.clone()) {
            Some(c) => format!("{c}\n{line}"),
            None => line,
        };
        let mut e = e;
        e.position = None;
        e.with_context(ctx)
    }

    /// A loop body's outcome: None to go on, Some(flow) to leave.
    fn loop_flow(flow: Flow, label: &Option<String>) -> Option<Flow> {
        match flow {
            Flow::Normal => None,
            Flow::Continue(None) => None,
            Flow::Continue(Some(l)) if label.as_deref() == Some(l.as_str()) => None,
            Flow::Exit(None) => Some(Flow::Normal),
            Flow::Exit(Some(l)) if label.as_deref() == Some(l.as_str()) => Some(Flow::Normal),
            other => Some(other),
        }
    }

    fn stmt(&mut self, s: &Stmt) -> PgResult<Flow> {
        match &s.kind {
            StmtKind::Block(b) => self.block(b),
            StmtKind::Null => Ok(Flow::Normal),
            StmtKind::Assign { target, expr } => {
                let want = self
                    .lookup(target)
                    .filter(|&i| !self.vars[i].is_row)
                    .map(|i| (self.vars[i].ty, self.vars[i].typmod));
                let (v, t) = self.eval(expr, want)?;
                self.assign_value(target, v, t)?;
                Ok(Flow::Normal)
            }
            StmtKind::If { arms, otherwise } => {
                for (c, body) in arms {
                    if self.eval_bool(c)? {
                        return self.stmts(body);
                    }
                }
                match otherwise {
                    Some(b) => self.stmts(b),
                    None => Ok(Flow::Normal),
                }
            }
            StmtKind::Case {
                subject,
                arms,
                otherwise,
            } => {
                let subj = match subject {
                    Some(e) => Some(self.eval(e, None)?),
                    None => None,
                };
                for (c, body) in arms {
                    let hit = match &subj {
                        None => self.eval_bool(c)?,
                        Some((v, t)) => {
                            // `subject IN (list)` through a query.
                            let i = self.vars.len();
                            self.vars.push(Var::scalar("__case_subject", *t, v.clone()));
                            self.visible.push(i);
                            let t2 = SqlText {
                                text: format!("__case_subject IN ({})", c.text),
                                cache: Default::default(),
                            };
                            let r = self.eval_bool(&t2);
                            self.visible.pop();
                            self.vars.pop();
                            r?
                        }
                    };
                    if hit {
                        return self.stmts(body);
                    }
                }
                match otherwise {
                    Some(b) => self.stmts(b),
                    None => Err(PgError::new("20000", "case not found")
                        .with_hint("CASE statement is missing ELSE part.")),
                }
            }
            StmtKind::Loop { label, body } => loop {
                check_for_interrupts()?;
                let f = self.stmts(body)?;
                if let Some(f) = Self::loop_flow(f, label) {
                    return Ok(f);
                }
            },
            StmtKind::While { label, cond, body } => {
                while self.eval_bool(cond)? {
                    check_for_interrupts()?;
                    let f = self.stmts(body)?;
                    if let Some(f) = Self::loop_flow(f, label) {
                        return Ok(f);
                    }
                }
                Ok(Flow::Normal)
            }
            StmtKind::ForInt {
                label,
                var,
                reverse,
                lo,
                hi,
                by,
                body,
            } => {
                let int = |v: Value, what: &str| -> PgResult<i64> {
                    match v {
                        Value::Int4(i) => Ok(i as i64),
                        Value::Null => Err(PgError::new(
                            sqlstate::NULL_VALUE_NOT_ALLOWED,
                            format!("{what} of FOR loop cannot be null"),
                        )),
                        _ => Err(PgError::internal("FOR bound is not an integer")),
                    }
                };
                let a = int(self.eval(lo, Some((oid::INT4, -1)))?.0, "lower bound")?;
                let b = int(self.eval(hi, Some((oid::INT4, -1)))?.0, "upper bound")?;
                let step = match by {
                    Some(e) => int(self.eval(e, Some((oid::INT4, -1)))?.0, "BY value")?,
                    None => 1,
                };
                if step <= 0 {
                    return Err(PgError::new(
                        sqlstate::INVALID_PARAMETER_VALUE,
                        "BY value of FOR loop must be greater than zero",
                    ));
                }
                let depth = self.visible.len();
                let idx = self.vars.len();
                self.vars.push(Var::scalar(var, oid::INT4, Value::Null));
                self.visible.push(idx);
                let mut i = a;
                let mut result = Flow::Normal;
                let mut any = false;
                while if *reverse { i >= b } else { i <= b } {
                    check_for_interrupts()?;
                    any = true;
                    self.vars[idx].value = Value::Int4(i as i32);
                    let f = self.stmts(body)?;
                    if let Some(f) = Self::loop_flow(f, label) {
                        result = f;
                        break;
                    }
                    i = if *reverse { i - step } else { i + step };
                }
                self.visible.truncate(depth);
                self.vars.truncate(idx);
                self.set_found(any);
                Ok(result)
            }
            StmtKind::Foreach {
                label,
                var,
                array,
                body,
            } => {
                let (v, _) = self.eval(array, None)?;
                let elems = match v {
                    Value::Array(_, e) => e,
                    Value::MdArray(a) => a.items,
                    Value::Null => {
                        return Err(PgError::new(
                            sqlstate::NULL_VALUE_NOT_ALLOWED,
                            "FOREACH expression must not be null",
                        ))
                    }
                    _ => {
                        return Err(PgError::new(
                            sqlstate::DATATYPE_MISMATCH,
                            "FOREACH expression must yield an array",
                        ))
                    }
                };
                let (_, at) = self.eval(array, None)?;
                let et = crate::types::array::array_element(at);
                for e in elems.into_iter().flat_map(flatten) {
                    check_for_interrupts()?;
                    self.assign_value(var, e, et)?;
                    let f = self.stmts(body)?;
                    if let Some(f) = Self::loop_flow(f, label) {
                        return Ok(f);
                    }
                }
                Ok(Flow::Normal)
            }
            StmtKind::ForRows {
                label,
                targets,
                source,
                body,
            } => {
                let (rows, cols) = self.rows_of(source)?;
                let mut any = false;
                let mut result = Flow::Normal;
                for r in rows {
                    check_for_interrupts()?;
                    any = true;
                    self.assign_row(targets, Some(&r), &cols)?;
                    let f = self.stmts(body)?;
                    if let Some(f) = Self::loop_flow(f, label) {
                        result = f;
                        break;
                    }
                }
                self.set_found(any);
                Ok(result)
            }
            StmtKind::Commit { rollback, chain } => {
                self.end_transaction(*rollback, *chain)?;
                Ok(Flow::Normal)
            }
            StmtKind::Exit {
                is_continue,
                label,
                when,
            } => {
                if let Some(w) = when {
                    if !self.eval_bool(w)? {
                        return Ok(Flow::Normal);
                    }
                }
                Ok(if *is_continue {
                    Flow::Continue(label.clone())
                } else {
                    Flow::Exit(label.clone())
                })
            }
            StmtKind::Return(e) => {
                if self.retset {
                    if e.is_some() {
                        return Err(PgError::new(
                            sqlstate::SYNTAX_ERROR,
                            "RETURN cannot have a parameter in function returning set",
                        )
                        .with_hint("Use RETURN NEXT or RETURN QUERY."));
                    }
                    return Ok(Flow::Return);
                }
                if let Some(e) = e {
                    if self.ret_type == oid::VOID {
                        return Err(PgError::new(
                            sqlstate::SYNTAX_ERROR,
                            "RETURN cannot have a parameter in function returning void",
                        ));
                    }
                    if let Some(i) = self
                        .lookup(&fold(e.text.trim()))
                        .filter(|&i| self.vars[i].is_row)
                    {
                        self.result = self.row_value(i);
                    } else {
                        let want = (self.ret_type != oid::RECORD && self.ret_type != oid::TRIGGER)
                            .then_some((self.ret_type, -1));
                        self.result = self.eval(e, want)?.0;
                    }
                }
                Ok(Flow::Return)
            }
            StmtKind::ReturnNext(e) => {
                if !self.retset {
                    return Err(PgError::new(
                        sqlstate::SYNTAX_ERROR,
                        "cannot use RETURN NEXT in a non-SETOF function",
                    ));
                }
                let row = match e {
                    Some(e) => {
                        if let Some(i) = self
                            .lookup(&fold(e.text.trim()))
                            .filter(|&i| self.vars[i].is_row)
                        {
                            match self.row_value(i) {
                                Value::Record(f) => f.iter().map(|x| x.1.clone()).collect(),
                                _ => vec![],
                            }
                        } else {
                            let want =
                                (self.ret_type != oid::RECORD).then_some((self.ret_type, -1));
                            vec![self.eval(e, want)?.0]
                        }
                    }
                    None => self
                        .out_vars
                        .clone()
                        .iter()
                        .map(|&i| self.vars[i].value.clone())
                        .collect(),
                };
                (self.each)(row)?;
                Ok(Flow::Normal)
            }
            StmtKind::ReturnQuery(src) => {
                if !self.retset {
                    return Err(PgError::new(
                        sqlstate::SYNTAX_ERROR,
                        "cannot use RETURN QUERY in a non-SETOF function",
                    ));
                }
                let (rows, _) = self.rows_of(src)?;
                let n = rows.len() as u64;
                for r in rows {
                    (self.each)(r)?;
                }
                self.row_count = n;
                self.set_found(n > 0);
                Ok(Flow::Normal)
            }
            StmtKind::Sql { sql, into, perform } => {
                let mut first: Option<Vec<Value>> = None;
                let mut cols_seen = Vec::new();
                let mut n = 0u64;
                let text = sql.text.clone();
                let strict = into.as_ref().is_some_and(|i| i.1);
                let r = self.run_sql(sql, &text, None, &mut |row, cols| {
                    if first.is_none() {
                        first = Some(row.to_vec());
                        cols_seen = cols.to_vec();
                    } else if strict {
                        return Err(PgError::new("P0003", "query returned more than one row")
                            .with_hint(
                                "Make sure the query returns a single row, or use LIMIT 1.",
                            ));
                    }
                    n += 1;
                    Ok(())
                });
                let count = match r {
                    Ok(c) => c,
                    Err(e) => {
                        let mut e = e;
                        e.position = None;
                        // exec_stmt_execsql refuses transaction commands
                        // itself, outside the statement.
                        if e.code == "P0003" || e.message == spi::UNSUPPORTED_XACT {
                            return Err(e);
                        }
                        let c = format!("SQL statement \"{}\"", sql.text);
                        let ctx = match e.extra.as_ref().and_then(|x| x.context.clone()) {
                            Some(x) => format!("{x}\n{c}"),
                            None => c,
                        };
                        return Err(e.with_context(ctx));
                    }
                };
                self.row_count = count;
                let call_targets = match sql.cache.borrow().as_ref().map(|c| &c.action) {
                    Some(spi::Action::Call(_, t)) => Some(t.clone()),
                    _ => None,
                };
                if let Some(targets) = call_targets {
                    return self.call_outputs(&targets, first.as_deref(), &cols_seen);
                }
                if *perform {
                    self.set_found(n > 0);
                    return Ok(Flow::Normal);
                }
                match into {
                    Some((targets, strict)) => {
                        if first.is_none() && *strict {
                            return Err(PgError::new("P0002", "query returned no rows"));
                        }
                        if cols_seen.is_empty() {
                            cols_seen = self.columns_of(sql)?;
                        }
                        self.assign_row(targets, first.as_deref(), &cols_seen)?;
                        self.set_found(first.is_some());
                    }
                    None => {
                        let is_select = text.trim_start().to_lowercase().starts_with("select")
                            && matches!(
                                sql.cache.borrow().as_ref().map(|c| &c.action),
                                Some(spi::Action::Query(_))
                            );
                        if is_select {
                            return Err(PgError::new(
                                "42601",
                                "query has no destination for result data",
                            )
                            .with_hint("If you want to discard the results of a SELECT, use PERFORM instead."));
                        }
                        self.set_found(count > 0);
                    }
                }
                Ok(Flow::Normal)
            }
            StmtKind::Execute { query, into, using } => {
                let (q, _) = self.eval(query, Some((oid::TEXT, -1)))?;
                let Value::Text(q) = q else {
                    return Err(PgError::new(
                        sqlstate::NULL_VALUE_NOT_ALLOWED,
                        "query string argument of EXECUTE is null",
                    ));
                };
                let (rows, cols, count) = self.execute_dynamic(&q, using)?;
                self.row_count = count;
                if let Some((targets, strict)) = into {
                    if *strict && rows.is_empty() {
                        return Err(PgError::new("P0002", "query returned no rows"));
                    }
                    if *strict && rows.len() > 1 {
                        return Err(PgError::new("P0003", "query returned more than one row")
                            .with_hint(
                                "Make sure the query returns a single row, or use LIMIT 1.",
                            ));
                    }
                    self.assign_row(targets, rows.first().map(|r| r.as_slice()), &cols)?;
                    self.set_found(!rows.is_empty());
                } else {
                    self.set_found(count > 0);
                }
                Ok(Flow::Normal)
            }
            StmtKind::GetDiag(items, stacked) => {
                let caught = if *stacked {
                    let Some(e) = self.caught.last() else {
                        return Err(PgError::new(
                            "0Z002",
                            "GET STACKED DIAGNOSTICS cannot be used outside an exception handler",
                        ));
                    };
                    Some(e.clone())
                } else {
                    None
                };
                for (v, item) in items {
                    let (val, t) = match (item.as_str(), &caught) {
                        ("row_count", _) => (Value::Int8(self.row_count as i64), oid::INT8),
                        (item, Some(e)) if item != "pg_context" => {
                            (Value::Text(stacked_item(e, item)), oid::TEXT)
                        }
                        _ => (Value::Text(self.context.clone()), oid::TEXT),
                    };
                    self.assign_value(v, val, t)?;
                }
                Ok(Flow::Normal)
            }
            StmtKind::Raise {
                level,
                cond,
                format,
                args,
                options,
            } => self.raise(level, cond, format, args, options),
            StmtKind::Assert { cond, message } => {
                if crate::utils::settings::Settings::get(
                    &self.ctx.settings.borrow(),
                    "plpgsql.check_asserts",
                )
                .ok()
                .flatten()
                .is_some_and(|v| v == "off")
                {
                    return Ok(Flow::Normal);
                }
                if self.eval(cond, Some((oid::BOOL, -1)))?.0 == Value::Bool(true) {
                    return Ok(Flow::Normal);
                }
                let msg = match message {
                    Some(m) => match self.eval(m, Some((oid::TEXT, -1)))?.0 {
                        Value::Null => "assertion failed".to_owned(),
                        v => v.to_text(),
                    },
                    None => "assertion failed".to_owned(),
                };
                Err(PgError::new("P0004", msg))
            }
        }
    }

    /// A row variable as a record value.
    fn row_value(&self, i: usize) -> Value {
        match &self.vars[i].row {
            Some(r) if !r.vals.is_empty() => {
                Value::Record(crate::types::record::RecordValue::anonymous(
                    r.cols
                        .iter()
                        .zip(&r.vals)
                        .map(|((_, t), v)| (*t, v.clone()))
                        .collect(),
                ))
            }
            _ => Value::Null,
        }
    }

    fn columns_of(&self, sql: &SqlText) -> PgResult<Vec<crate::nodes::Column>> {
        Ok(sql
            .cache
            .borrow()
            .as_ref()
            .map(|c| c.columns.clone())
            .unwrap_or_default())
    }

    /// The rows of a FOR or RETURN QUERY source (all of them first: the
    /// loop body's commands come after the query's).
    fn rows_of(
        &mut self,
        src: &RowSource,
    ) -> PgResult<(Vec<Vec<Value>>, Vec<crate::nodes::Column>)> {
        match src {
            RowSource::Query(q) => {
                let mut rows = Vec::new();
                let mut cols = Vec::new();
                let text = q.text.clone();
                self.run_sql(q, &text, None, &mut |r, c| {
                    if cols.is_empty() {
                        cols = c.to_vec();
                    }
                    rows.push(r.to_vec());
                    Ok(())
                })?;
                if cols.is_empty() {
                    cols = self.columns_of(q)?;
                }
                Ok((rows, cols))
            }
            RowSource::Execute(q, using) => {
                let (q, _) = self.eval(q, Some((oid::TEXT, -1)))?;
                let Value::Text(q) = q else {
                    return Err(PgError::new(
                        sqlstate::NULL_VALUE_NOT_ALLOWED,
                        "query string argument of EXECUTE is null",
                    ));
                };
                let (rows, cols, _) = self.execute_dynamic(&q, using)?;
                Ok((rows, cols))
            }
        }
    }

    /// COMMIT or ROLLBACK [AND CHAIN]: ends the transaction and goes on
    /// in a new one, as PostgreSQL's SPI_commit/SPI_rollback; only in a
    /// procedure or DO block called outside a transaction block and
    /// outside any function (2D000 elsewhere).
    fn end_transaction(&mut self, rollback: bool, chain: bool) -> PgResult<()> {
        let Some(ctl) = self.xctl.as_deref_mut() else {
            return Err(PgError::new(
                sqlstate::INVALID_TRANSACTION_TERMINATION,
                "invalid transaction termination",
            ));
        };
        if self.subxacts > 0 {
            return Err(PgError::new(
                sqlstate::INVALID_TRANSACTION_TERMINATION,
                if rollback {
                    "cannot roll back while a subtransaction is active"
                } else {
                    "cannot commit while a subtransaction is active"
                },
            ));
        }
        let (sx, start) = ctl.end_and_begin(!rollback, chain)?;
        self.xact = sx;
        self.xact_start = Some(start);
        Ok(())
    }

    /// EXECUTE: the string compiled now, USING values as $1, $2, ...
    fn execute_dynamic(
        &mut self,
        q: &str,
        using: &[SqlText],
    ) -> PgResult<(Vec<Vec<Value>>, Vec<crate::nodes::Column>, u64)> {
        let mut args = Vec::new();
        let mut vals = Vec::new();
        for u in using {
            let (v, t) = self.eval(u, None)?;
            args.push((String::new(), if t == oid::UNKNOWN { oid::TEXT } else { t }));
            vals.push(v);
        }
        let scope = FnScope {
            function: String::new(),
            args,
        };
        let c = spi::compile(q, &scope, self.ctx.catalog, None)?;
        let sx = self.xact.next_command()?;
        let ctx = ctx_with(self.ctx, &sx, self.xact_start);
        let mut rows = Vec::new();
        let n = spi::run(&c, &ctx, &vals, &mut |r| {
            rows.push(r.to_vec());
            Ok(())
        })?;
        Ok((rows, c.columns.clone(), n))
    }

    fn raise(
        &mut self,
        level: &str,
        cond: &Option<Cond>,
        format: &Option<String>,
        args: &[SqlText],
        options: &[super::parse::RaiseOpt],
    ) -> PgResult<Flow> {
        let mut code: Option<&'static str> = None;
        let mut message: Option<String> = None;
        match cond {
            Some(Cond::State(s)) => code = Some(conditions::intern(s)),
            Some(Cond::Name(n)) => {
                code = Some(conditions::code_of(n).ok_or_else(|| {
                    PgError::new(
                        sqlstate::UNDEFINED_OBJECT,
                        format!("unrecognized exception condition \"{n}\""),
                    )
                })?);
                message = Some(n.clone());
            }
            Some(Cond::Others) | None => {}
        }
        if cond.is_none() && format.is_none() && options.is_empty() {
            // RAISE; re-throws the error being handled.
            let Some(&i) = self.handling.last() else {
                return Err(PgError::new(
                    "0Z002",
                    "RAISE without parameters cannot be used outside an exception handler",
                ));
            };
            let state = self.vars[i].value.to_text();
            let msg = self.vars[i + 1].value.to_text();
            return Err(PgError::new(conditions::intern(&state), msg));
        }
        if let Some(f) = format {
            let mut vals = Vec::new();
            for a in args {
                let (v, _) = self.eval(a, None)?;
                vals.push(v);
            }
            let mut out = String::new();
            let mut it = f.chars().peekable();
            let mut k = 0;
            while let Some(c) = it.next() {
                if c == '%' {
                    if it.peek() == Some(&'%') {
                        it.next();
                        out.push('%');
                    } else {
                        match vals.get(k) {
                            Some(Value::Null) => out += "<NULL>",
                            Some(v) => out += &v.to_text(),
                            None => {}
                        }
                        k += 1;
                    }
                } else {
                    out.push(c);
                }
            }
            message = Some(out);
        }
        let mut detail = None;
        let mut hint = None;
        for o in options {
            let (v, _) = self.eval(&o.expr, Some((oid::TEXT, -1)))?;
            let s = match v {
                Value::Null => {
                    return Err(PgError::new(
                        sqlstate::NULL_VALUE_NOT_ALLOWED,
                        String::from("RAISE statement option cannot be null"),
                    ))
                }
                v => v.to_text(),
            };
            match o.name.as_str() {
                "errcode" => {
                    code = Some(
                        if s.len() == 5 && s.chars().all(|c| c.is_ascii_alphanumeric()) {
                            conditions::intern(&s.to_uppercase())
                        } else {
                            conditions::code_of(&s).ok_or_else(|| {
                                PgError::new(
                                    sqlstate::UNDEFINED_OBJECT,
                                    format!("unrecognized exception condition \"{s}\""),
                                )
                            })?
                        },
                    )
                }
                "message" => {
                    if format.is_some() {
                        return Err(PgError::new(
                            sqlstate::SYNTAX_ERROR,
                            "RAISE option already specified: MESSAGE",
                        ));
                    }
                    message = Some(s)
                }
                "detail" => detail = Some(s),
                "hint" => hint = Some(s),
                "column" | "constraint" | "datatype" | "table" | "schema" => {}
                other => {
                    return Err(PgError::new(
                        sqlstate::SYNTAX_ERROR,
                        format!("unrecognized RAISE statement option \"{other}\""),
                    ))
                }
            }
        }
        let code = code.unwrap_or(if level == "exception" {
            "P0001"
        } else {
            "00000"
        });
        let message = message.unwrap_or_else(|| code.to_owned());
        let mut e = PgError::new(code, message);
        e.detail = detail;
        e.hint = hint;
        match level {
            "exception" => Err(e),
            "debug" | "log" => Ok(Flow::Normal),
            _ => {
                e.severity = match level {
                    "warning" => Severity::Warning,
                    "info" => Severity::Info,
                    _ => Severity::Notice,
                };
                super::push_notice(e);
                Ok(Flow::Normal)
            }
        }
    }
}

/// A multidimensional array's elements in order.
/// An item of GET STACKED DIAGNOSTICS about the error `e` ('' when it
/// does not have it, as in PostgreSQL).
fn stacked_item(e: &PgError, item: &str) -> String {
    let x = e.extra.as_deref();
    let field = |f: fn(&crate::error::ErrorExtra) -> &Option<String>| {
        x.and_then(|x| f(x).clone()).unwrap_or_default()
    };
    match item {
        "returned_sqlstate" => e.code.to_owned(),
        "message_text" => e.message.clone(),
        "pg_exception_detail" => e.detail.clone().unwrap_or_default(),
        "pg_exception_hint" => e.hint.clone().unwrap_or_default(),
        "pg_exception_context" => field(|x| &x.context),
        "column_name" => field(|x| &x.column),
        "constraint_name" => field(|x| &x.constraint),
        "pg_datatype_name" => field(|x| &x.datatype),
        "table_name" => field(|x| &x.table),
        "schema_name" => field(|x| &x.schema),
        _ => String::new(),
    }
}

fn flatten(v: Value) -> Vec<Value> {
    match v {
        Value::Array(_, e) => e.into_iter().flat_map(flatten).collect(),
        other => vec![other],
    }
}

thread_local! {
    /// Compiled conversions between types (`from:to:typmod`).
    static CONVERSIONS: std::cell::RefCell<std::collections::HashMap<String, std::rc::Rc<Compiled>>> =
        Default::default();
}

/// An identifier as written: lower-cased unless double-quoted.
fn fold(s: &str) -> String {
    match s.strip_prefix('"').and_then(|x| x.strip_suffix('"')) {
        Some(q) => q.replace("\"\"", "\""),
        None => s.to_lowercase(),
    }
}
