//! CREATE TABLE AS and SELECT INTO: a table made from a query's result.
//!
//! As PostgreSQL's ExecCreateTableAs, in two steps of one statement: the
//! query is analysed at plan time for its columns (names, types, typmods;
//! an untyped literal is text), which become a plain CREATE TABLE run as
//! DDL of the statement's transaction; then, unless `WITH NO DATA`, an
//! INSERT of the query into the new table, planned once the table exists.
//! The command tag is PostgreSQL's: `SELECT n` (`CREATE TABLE AS` for
//! WITH NO DATA and for an existing table under IF NOT EXISTS).

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
        let (name, temporary, unlogged, if_not_exists, query, columns, with_data) =
            match stmt.ast.as_ref() {
                ast::Statement::CreateTable(ct) => {
                    let Some(q) = &ct.query else {
                        return Err(PgError::internal("CREATE TABLE AS without a query"));
                    };
                    let c = clauses(&text.sql);
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
        if plan.if_not_exists && self.relation_exists(&plan.name)? {
            self.notice(
                sink,
                crate::commands::ddl::notice(format!(
                    "relation \"{}\" already exists, skipping",
                    object_name(&plan.name).last().cloned().unwrap_or_default()
                )),
            );
            return Ok("CREATE TABLE AS".into());
        }
        let create = self.prepare_internal(&plan.create, &[])?;
        self.execute_inner(&create, &[], sink, None, stmt_start)?;
        let Some(insert) = &plan.insert else {
            return Ok("CREATE TABLE AS".into());
        };
        let types: Vec<Oid> = params.iter().map(|_| 0).collect();
        let insert = self.prepare_internal(insert, &types)?;
        let tag = self.execute_inner(&insert, params, sink, None, stmt_start)?;
        // "INSERT 0 n" → "SELECT n".
        let rows = tag.rsplit(' ').next().unwrap_or("0");
        Ok(format!("SELECT {rows}"))
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
