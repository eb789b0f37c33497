//! CREATE TABLE AS and SELECT INTO: a table made from a query's result.
//!
//! As PostgreSQL's ExecCreateTableAs, in two steps of one statement: the
//! query is analysed at plan time for its columns (names, types, typmods;
//! an untyped literal is text), which become a plain CREATE TABLE run as
//! DDL of the statement's transaction; then, unless `WITH NO DATA`, an
//! INSERT of the query into the new table, planned once the table exists.
//! The command tag is PostgreSQL's: `SELECT n` (`CREATE TABLE AS` for
//! WITH NO DATA and for an existing table under IF NOT EXISTS).
//!
//! CREATE MATERIALIZED VIEW is the same two steps, then a third: the
//! statement itself run as DDL, which records the table as a
//! materialized view (`catalog::matview`) with its query and whether it
//! was populated. REFRESH MATERIALIZED VIEW deletes the rows and inserts
//! the query's again, then records it populated (or, WITH NO DATA, only
//! deletes and records it not populated). Those INSERTs and DELETEs are
//! analyzed with `Analyzer::fills_matview`, which no other statement has.
//! `AS EXECUTE name (args)` takes the query of a prepared statement, its
//! parameters replaced by the arguments cast to their types.

use std::sync::Arc;

use sqlparser::ast;

use super::{simple_parts, Action, Engine, PlanParts, Statement};
use crate::analyze::from::split_name;
use crate::catalog::builtin::format_type;
use crate::error::{sqlstate, PgError, PgResult};
use crate::executor::dest::RowSink;
use crate::parser::create_table_as::clauses;
use crate::parser::{object_name, StmtText};
use crate::types::{oid, Oid, Value};
use crate::utils::adt::quote::quote_ident;

/// A planned CREATE TABLE AS.
pub struct CtasPlan {
    /// The table's name as written, for IF NOT EXISTS.
    name: ast::ObjectName,
    if_not_exists: bool,
    /// CREATE TABLE with the query's columns.
    create: Statement,
    /// INSERT INTO the table of the query (None: WITH NO DATA).
    insert: Option<Statement>,
    /// CREATE MATERIALIZED VIEW: the statement, run last as DDL.
    matview: Option<Statement>,
    /// The query, for EXPLAIN.
    pub(super) query: Statement,
}

/// A REFRESH MATERIALIZED VIEW, checked and run when executed.
pub struct RefreshPlan {
    name: ast::ObjectName,
    concurrently: bool,
    with_data: bool,
}

/// The table a `SELECT ... INTO [TEMP] t` query creates, and the query
/// without its INTO.
fn select_into(q: &ast::Query) -> Option<(ast::SelectInto, ast::Query)> {
    let ast::SetExpr::Select(s) = q.body.as_ref() else {
        return None;
    };
    let into = s.into.clone()?;
    let mut plain = q.clone();
    if let ast::SetExpr::Select(s) = plain.body.as_mut() {
        s.into = None;
    }
    Some((into, plain))
}

/// Whether `q` is a SELECT INTO.
pub fn is_select_into(q: &ast::Query) -> bool {
    matches!(q.body.as_ref(), ast::SetExpr::Select(s) if s.into.is_some())
}

impl Engine {
    /// Plans CREATE TABLE AS (`ct` has a query) or SELECT INTO (`q`).
    pub(super) fn plan_create_table_as(
        &mut self,
        stmt: &Statement,
        param_types: &[Oid],
    ) -> PgResult<PlanParts> {
        let text = &stmt.text;
        let c = clauses(&text.sql);
        let mut matview = false;
        let (name, temporary, unlogged, if_not_exists, query, columns, with_data) =
            match stmt.ast.as_ref() {
                ast::Statement::CreateTable(ct) => {
                    let Some(q) = &ct.query else {
                        return Err(PgError::internal("CREATE TABLE AS without a query"));
                    };
                    (
                        ct.name.clone(),
                        ct.temporary,
                        ct.unlogged,
                        ct.if_not_exists,
                        (**q).clone(),
                        c.columns,
                        c.with_data,
                    )
                }
                ast::Statement::CreateView(cv) => {
                    matview = true;
                    (
                        cv.name.clone(),
                        false,
                        false,
                        cv.if_not_exists,
                        (*cv.query).clone(),
                        c.columns,
                        c.with_data,
                    )
                }
                ast::Statement::Query(q) => {
                    let Some((into, plain)) = select_into(q) else {
                        return Err(PgError::internal("SELECT INTO without INTO"));
                    };
                    let name = match into.targets.as_slice() {
                        [ast::Expr::Identifier(i)] => ast::ObjectName::from(vec![i.clone()]),
                        [ast::Expr::CompoundIdentifier(v)] => ast::ObjectName::from(v.clone()),
                        _ => {
                            return Err(PgError::new(
                                sqlstate::SYNTAX_ERROR,
                                "SELECT INTO takes one table name",
                            ))
                        }
                    };
                    (
                        name,
                        into.temporary,
                        into.unlogged,
                        false,
                        plain,
                        Vec::new(),
                        true,
                    )
                }
                _ => return Err(PgError::internal("not CREATE TABLE AS")),
            };
        let query = match &c.execute {
            Some(exec) => self.executed_query(exec)?,
            None => query,
        };
        let mut a = self.analyzer(text, param_types);
        let analysed = a.analyze_top(&query)?;
        if columns.len() > analysed.columns.len() {
            return Err(PgError::new(
                sqlstate::SYNTAX_ERROR,
                "too many column names were specified",
            ));
        }
        let defs: Vec<String> = analysed
            .columns
            .iter()
            .enumerate()
            .map(|(i, c)| {
                let cname = columns.get(i).unwrap_or(&c.name);
                let ty = if c.type_oid == oid::UNKNOWN {
                    format_type(oid::TEXT, Some(-1))
                } else {
                    format_type(c.type_oid, Some(c.type_modifier))
                };
                format!("{} {ty}", quote_ident(cname))
            })
            .collect();
        let create_sql = format!(
            "CREATE {}{}TABLE {}{} ({})",
            if temporary { "TEMPORARY " } else { "" },
            if unlogged { "UNLOGGED " } else { "" },
            if if_not_exists { "IF NOT EXISTS " } else { "" },
            name,
            defs.join(", ")
        );
        let create = self.internal_statement(&create_sql)?;
        let query_stmt = Statement {
            ast: Arc::new(ast::Statement::Query(Box::new(query.clone()))),
            text: text.clone(),
        };
        let insert = if with_data {
            let mut template = self.internal_statement("INSERT INTO t SELECT 1")?;
            let ast::Statement::Insert(ins) = Arc::make_mut(&mut template.ast) else {
                return Err(PgError::internal("INSERT template"));
            };
            ins.table = ast::TableObject::TableName(name.clone());
            ins.source = Some(Box::new(query));
            // Errors in the query point into the statement as written.
            template.text = text.clone();
            Some(template)
        } else {
            None
        };
        let plan = CtasPlan {
            name,
            if_not_exists,
            create,
            insert,
            matview: matview.then(|| stmt.clone()),
            query: query_stmt,
        };
        Ok(simple_parts(
            Action::CreateTableAs(Box::new(plan)),
            param_types,
            true,
        ))
    }

    /// One statement of SQL the server wrote itself.
    fn internal_statement(&self, sql: &str) -> PgResult<Statement> {
        let mut parsed = crate::parser::parse(sql)?;
        let p = parsed
            .pop()
            .ok_or_else(|| PgError::internal("empty internal statement"))?;
        Ok(Statement {
            ast: Arc::new(p.ast),
            text: StmtText {
                sql: sql.to_owned(),
                full: Arc::from(sql),
            },
        })
    }

    /// Runs a planned CREATE TABLE AS: the table, then its rows.
    pub(super) fn run_create_table_as(
        &mut self,
        plan: &CtasPlan,
        params: &[Value],
        sink: &mut dyn RowSink,
        stmt_start: i64,
    ) -> PgResult<String> {
        let empty_tag = if plan.matview.is_some() {
            "CREATE MATERIALIZED VIEW"
        } else {
            "CREATE TABLE AS"
        };
        if plan.if_not_exists && self.relation_exists(&plan.name)? {
            self.notice(
                sink,
                crate::commands::ddl::notice(format!(
                    "relation \"{}\" already exists, skipping",
                    object_name(&plan.name).last().cloned().unwrap_or_default()
                )),
            );
            return Ok(empty_tag.into());
        }
        let create = self.prepare_internal(&plan.create, &[])?;
        self.execute_inner(&create, &[], sink, None, stmt_start)?;
        let mut tag = empty_tag.to_owned();
        if let Some(insert) = &plan.insert {
            let types: Vec<Oid> = params.iter().map(|_| 0).collect();
            self.fills_matview = plan.matview.is_some();
            let insert = self.prepare_internal(insert, &types);
            self.fills_matview = false;
            let done = self.execute_inner(&*(insert?), params, sink, None, stmt_start)?;
            // "INSERT 0 n" → "SELECT n".
            let rows = done.rsplit(' ').next().unwrap_or("0");
            tag = format!("SELECT {rows}");
        }
        if let Some(m) = &plan.matview {
            self.run_internal_ddl(m, sink, stmt_start)?;
        }
        Ok(tag)
    }

    /// Runs `stmt` as DDL inside the statement running.
    fn run_internal_ddl(
        &mut self,
        stmt: &Statement,
        sink: &mut dyn RowSink,
        stmt_start: i64,
    ) -> PgResult<String> {
        self.catalog.refresh()?;
        let version = self.catalog.version();
        let parts = simple_parts(Action::Ddl, &[], true);
        let p = self.prepared_from(stmt, &[], parts, version);
        let policy = self
            .limits
            .wait_policy(crate::interrupts::statement_deadline());
        self.run_ddl(&p, &policy, sink, stmt_start)
    }

    /// The query of `EXECUTE name [(args)]` (the text [`clauses`] found):
    /// the prepared statement's, each `$n` replaced by argument n cast to
    /// the parameter's type.
    fn executed_query(&self, exec: &str) -> PgResult<ast::Query> {
        let parsed = crate::parser::parse(exec)?;
        let Some(ast::Statement::Execute {
            name, parameters, ..
        }) = parsed.into_iter().next().map(|p| p.ast)
        else {
            return Err(PgError::new(
                sqlstate::SYNTAX_ERROR,
                "syntax error at or near \"EXECUTE\"",
            ));
        };
        let prepared = self.sql_prepared_for(name.as_ref(), parameters.len())?;
        let ast::Statement::Query(q) = prepared.stmt.ast.as_ref() else {
            return Err(PgError::new(
                sqlstate::WRONG_OBJECT_TYPE,
                "prepared statement is not a SELECT",
            ));
        };
        let mut q = (**q).clone();
        let args: Vec<ast::Expr> = parameters
            .iter()
            .zip(&prepared.param_types)
            .map(|(e, &t)| {
                let ty = format_type(t, None);
                crate::parser::parse(&format!("SELECT CAST(({e}) AS {ty})"))
                    .ok()
                    .and_then(|p| p.into_iter().next())
                    .and_then(|p| match p.ast {
                        ast::Statement::Query(q) => match *q.body {
                            ast::SetExpr::Select(s) => match s.projection.into_iter().next() {
                                Some(ast::SelectItem::UnnamedExpr(x)) => Some(x),
                                _ => None,
                            },
                            _ => None,
                        },
                        _ => None,
                    })
                    .ok_or_else(|| PgError::internal("EXECUTE argument"))
            })
            .collect::<PgResult<_>>()?;
        let _ = ast::visit_expressions_mut(&mut q, |x: &mut ast::Expr| {
            if let ast::Expr::Value(v) = x {
                if let ast::Value::Placeholder(p) = &v.value {
                    if let Some(a) = p
                        .strip_prefix('$')
                        .and_then(|n| n.parse::<usize>().ok())
                        .and_then(|n| args.get(n.wrapping_sub(1)))
                    {
                        *x = a.clone();
                    }
                }
            }
            std::ops::ControlFlow::<()>::Continue(())
        });
        Ok(q)
    }

    /// Plans REFRESH MATERIALIZED VIEW (checked when it runs).
    pub(super) fn plan_refresh(
        &mut self,
        r: &ast::RefreshMaterializedView,
        param_types: &[Oid],
    ) -> PgResult<PlanParts> {
        let with_data = r.with_data.unwrap_or(true);
        if r.concurrently && !with_data {
            return Err(PgError::new(
                sqlstate::SYNTAX_ERROR,
                "CONCURRENTLY and WITH NO DATA options cannot be used together",
            ));
        }
        Ok(simple_parts(
            Action::Refresh(Box::new(RefreshPlan {
                name: r.name.clone(),
                concurrently: r.concurrently,
                with_data,
            })),
            param_types,
            true,
        ))
    }

    /// Runs REFRESH MATERIALIZED VIEW: the view's rows deleted, its
    /// query's inserted (unless WITH NO DATA), then the catalog's
    /// relispopulated set.
    pub(super) fn run_refresh(
        &mut self,
        plan: &RefreshPlan,
        sink: &mut dyn RowSink,
        stmt_start: i64,
    ) -> PgResult<String> {
        self.catalog.refresh()?;
        let cat = self.catalog.get().clone();
        let parts = object_name(&plan.name);
        let (schema, rel) = split_name(&parts)?;
        let Some((_, oid)) = cat.resolve_relation(schema, rel) else {
            return Err(crate::analyze::from::no_relation(&parts.join(".")));
        };
        let (Some(m), Some(t)) = (cat.matview(oid), cat.table_by_oid(oid)) else {
            return Err(PgError::new(
                // PostgreSQL's ExecRefreshMatView reports it as 0A000.
                sqlstate::FEATURE_NOT_SUPPORTED,
                format!("\"{rel}\" is not a materialized view"),
            ));
        };
        let qualified = format!(
            "{}.{}",
            quote_ident(cat.namespace_name(t.namespace).unwrap_or_default()),
            quote_ident(&t.name)
        );
        if plan.concurrently {
            if !m.populated {
                return Err(PgError::new(
                    sqlstate::FEATURE_NOT_SUPPORTED,
                    "CONCURRENTLY cannot be used when the materialized view is not populated",
                ));
            }
            if !cat.indexes_of(oid).any(|i| i.unique) {
                return Err(PgError::new(
                    sqlstate::OBJECT_NOT_IN_PREREQUISITE_STATE,
                    format!(
                        "cannot refresh materialized view \"{}.{}\" concurrently",
                        cat.namespace_name(t.namespace).unwrap_or_default(),
                        t.name
                    ),
                )
                .with_hint(
                    "Create a unique index with no WHERE clause on one or more columns of the materialized view.",
                ));
            }
        }
        let delete = self.internal_statement(&format!("DELETE FROM {qualified}"))?;
        let insert = if plan.with_data {
            Some(self.internal_statement(&format!("INSERT INTO {qualified} {}", m.sql))?)
        } else {
            None
        };
        let mark = self.internal_statement(&format!(
            "REFRESH MATERIALIZED VIEW {qualified}{}",
            if plan.with_data { "" } else { " WITH NO DATA" }
        ))?;
        self.fills_matview = true;
        let prepared = (|| -> PgResult<_> {
            let d = self.prepare_internal(&delete, &[])?;
            let i = match &insert {
                Some(i) => Some(self.prepare_internal(i, &[])?),
                None => None,
            };
            Ok((d, i))
        })();
        self.fills_matview = false;
        let (d, i) = prepared?;
        self.execute_inner(&d, &[], sink, None, stmt_start)?;
        if let Some(i) = i {
            self.execute_inner(&i, &[], sink, None, stmt_start)?;
        }
        self.run_internal_ddl(&mark, sink, stmt_start)?;
        Ok("REFRESH MATERIALIZED VIEW".into())
    }

    /// Whether the relation CREATE TABLE would make already exists where
    /// it would be made.
    fn relation_exists(&mut self, name: &ast::ObjectName) -> PgResult<bool> {
        self.catalog.refresh()?;
        let cat = self.catalog.get().clone();
        let parts = object_name(name);
        let (schema, rel) = split_name(&parts)?;
        let nsp = cat.relation_creation_namespace(schema, rel)?;
        Ok(cat.relation_in(nsp, rel).is_some())
    }

    /// Plans a statement inside one that is running: no new transaction
    /// start time, against the catalog as this transaction sees it.
    fn prepare_internal(
        &mut self,
        stmt: &Statement,
        param_types: &[Oid],
    ) -> PgResult<Arc<super::Prepared>> {
        self.catalog.refresh()?;
        let version = self.catalog.version();
        let parts = self.plan_statement(stmt, param_types)?;
        Ok(Arc::new(self.prepared_from(
            stmt,
            param_types,
            parts,
            version,
        )))
    }
}
