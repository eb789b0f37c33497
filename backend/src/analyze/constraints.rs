//! Analysis of CHECK constraints (when they are created, and from their
//! stored text when a statement must keep them) and of the constraints an
//! INSERT, UPDATE, DELETE or COPY must keep: its table's CHECKs and the
//! foreign keys of every table its changes can reach.

use std::sync::Arc;

use sqlparser::ast;

use crate::analyze::expr::Clause;
use crate::analyze::modify::column_default;
use crate::analyze::{Analyzer, Scope, ScopeColumn};
use crate::catalog::constraint::FkAction;
use crate::catalog::TableDesc;
use crate::error::{sqlstate, PgError, PgResult};
use crate::nodes::constraints::{Constraints, RelConstraints};
use crate::nodes::expr::Expr;
use crate::nodes::query::TableRef;
use crate::types::{oid, Oid, Value};

/// The columns of `table`, as a CHECK expression sees them.
pub fn table_scope(table: &TableDesc) -> Scope {
    Scope {
        cols: table
            .columns
            .iter()
            .enumerate()
            .map(|(i, c)| ScopeColumn {
                qualifier: Some(table.name.clone()),
                name: c.name.clone(),
                ty: c.ty,
                typmod: c.typmod,
                hidden: false,
                system: false,
                origin: (table.oid, i as i16 + 1),
                record: None,
                computed: None,
            })
            .collect(),
    }
}

impl Analyzer<'_> {
    /// A CHECK expression over `table`'s row: boolean, without
    /// subqueries, aggregates or window functions.
    pub fn check_expr(&mut self, table: &TableDesc, e: &ast::Expr) -> PgResult<Expr> {
        use sqlparser::ast::Spanned;
        let x = self.row_expr(table, e, "check constraint", "check constraints")?;
        let span = e.span();
        self.coerce_arg(x, oid::BOOL, "CHECK")
            .map_err(|err| match self.text.position(span.start) {
                Some(p) if err.position.is_none() => err.with_position(p),
                _ => err,
            })
    }

    /// ALTER COLUMN TYPE's USING expression (PostgreSQL's "transform
    /// expression") over `table`'s row as it was: of any type, without
    /// subqueries, aggregates or window functions.
    pub fn transform_expr(&mut self, table: &TableDesc, e: &ast::Expr) -> PgResult<Expr> {
        self.row_expr(table, e, "transform expression", "transform expressions")
    }

    /// A trigger's WHEN condition over `table`'s NEW and OLD rows: the
    /// columns of NEW are 0..n, those of OLD n..2n (`Expr::Column`).
    pub fn trigger_when_expr(&mut self, table: &TableDesc, e: &ast::Expr) -> PgResult<Expr> {
        use sqlparser::ast::Spanned;
        let mut scope = table_scope(table);
        let mut old = table_scope(table);
        for c in &mut scope.cols {
            c.qualifier = Some("new".into());
        }
        for c in &mut old.cols {
            c.qualifier = Some("old".into());
        }
        scope.cols.extend(old.cols);
        let mut subquery = false;
        let _ = ast::visit_expressions(e, |x: &ast::Expr| {
            subquery |= matches!(
                x,
                ast::Expr::Subquery(_)
                    | ast::Expr::Exists { .. }
                    | ast::Expr::In {
                        target: ast::InTarget::Subquery(_),
                        ..
                    }
            );
            std::ops::ControlFlow::<()>::Continue(())
        });
        if subquery {
            return Err(PgError::new(
                sqlstate::FEATURE_NOT_SUPPORTED,
                "cannot use subquery in trigger WHEN condition",
            ));
        }
        let x = self.expr(e, &scope, Clause::Where).map_err(|mut err| {
            if err.message.ends_with("not allowed in WHERE") {
                err.message = err
                    .message
                    .replace("in WHERE", "in trigger WHEN conditions");
            }
            err
        })?;
        let span = e.span();
        self.coerce_arg(x, oid::BOOL, "WHEN")
            .map_err(|err| match self.text.position(span.start) {
                Some(p) if err.position.is_none() => err.with_position(p),
                _ => err,
            })
    }

    /// An expression over one row of `table` where subqueries (0A000
    /// "cannot use subquery in {one}"), aggregates and window functions
    /// ("... not allowed in {many}") are refused.
    fn row_expr(
        &mut self,
        table: &TableDesc,
        e: &ast::Expr,
        one: &str,
        many: &str,
    ) -> PgResult<Expr> {
        use sqlparser::ast::Spanned;
        let mut subquery = None;
        let _ = ast::visit_expressions(e, |x: &ast::Expr| {
            let found = matches!(
                x,
                ast::Expr::Subquery(_)
                    | ast::Expr::Exists { .. }
                    | ast::Expr::In {
                        target: ast::InTarget::Subquery(_),
                        ..
                    }
            );
            if found && subquery.is_none() {
                subquery = Some(match x {
                    ast::Expr::Subquery(q) => q.span(),
                    _ => x.span(),
                });
            }
            std::ops::ControlFlow::<()>::Continue(())
        });
        let at =
            |err: PgError, span: sqlparser::tokenizer::Span| match self.text.position(span.start) {
                Some(p) if err.position.is_none() => err.with_position(p),
                _ => err,
            };
        if let Some(span) = subquery {
            // PostgreSQL points at the subquery's opening parenthesis.
            let span = sqlparser::tokenizer::Span::new(
                sqlparser::tokenizer::Location::new(
                    span.start.line,
                    span.start.column.saturating_sub(1),
                ),
                span.end,
            );
            return Err(at(
                PgError::new(
                    sqlstate::FEATURE_NOT_SUPPORTED,
                    format!("cannot use subquery in {one}"),
                ),
                span,
            ));
        }
        self.expr(e, &table_scope(table), Clause::Where)
            .map_err(|mut err| {
                if err.message.ends_with("not allowed in WHERE") {
                    err.message = err.message.replace("in WHERE", &format!("in {many}"));
                }
                err
            })
    }

    /// A stored CHECK's expression (its positions would point into the
    /// stored text, not the statement's: they are dropped).
    fn stored_check(&mut self, table: &TableDesc, text: &str) -> PgResult<Expr> {
        let strip = |e: PgError| PgError {
            position: None,
            ..e
        };
        let e = crate::parser::parse_expr(text).map_err(strip)?;
        self.check_expr(table, &e).map_err(strip)
    }

    /// The constraints a change of `target` must keep: the tables linked
    /// to it by foreign keys (transitively: a cascaded change goes on),
    /// each with its indexes, CHECKs and (for SET DEFAULT) defaults.
    /// Every such table is added to the statement's relations.
    pub fn modify_constraints(&mut self, target: Oid) -> PgResult<Arc<Constraints>> {
        let cat = self.catalog.clone();
        let mut tables = vec![target];
        let mut fks: Vec<Arc<crate::catalog::constraint::ConstraintDesc>> = Vec::new();
        let mut i = 0;
        while i < tables.len() {
            let t = tables[i];
            for c in &cat.constraints {
                let Some(f) = c.fk() else { continue };
                if c.table != t && f.ref_table != t {
                    continue;
                }
                if !fks.iter().any(|x| x.oid == c.oid) {
                    fks.push(c.clone());
                }
                for o in [c.table, f.ref_table] {
                    if !tables.contains(&o) {
                        tables.push(o);
                    }
                }
            }
            i += 1;
        }
        let mut out = Constraints {
            rels: Vec::new(),
            fks,
        };
        for t in tables {
            let Some(table) = cat.table_by_oid(t).cloned() else {
                continue;
            };
            let mut checks = Vec::new();
            for c in cat.constraints_of(t) {
                if let Some(text) = c.check() {
                    checks.push((c.name.clone(), self.stored_check(&table, text)?));
                }
            }
            let tr = TableRef {
                table: table.clone(),
                indexes: cat.indexes_of(t).cloned().collect(),
            };
            let set_default = out.fks.iter().any(|c| {
                c.table == t
                    && c.fk().is_some_and(|f| {
                        f.on_delete == FkAction::SetDefault || f.on_update == FkAction::SetDefault
                    })
            });
            let mut defaults = Vec::new();
            for (i, col) in table.columns.iter().enumerate() {
                defaults.push(if set_default {
                    column_default(self, &tr, i)?
                } else {
                    Expr::Const(Value::Null, col.ty)
                });
            }
            if t != target && !self.relations.contains(&t) {
                self.relations.push(t);
            }
            let mut domains = Vec::new();
            for (i, col) in table.columns.iter().enumerate() {
                if col.dropped {
                    continue;
                }
                let Some(d) = cat.column_domain(t, i + 1).cloned() else {
                    continue;
                };
                if let Expr::DomainCheck(dc) =
                    self.coerce_to_domain(&d, Expr::Const(Value::Null, col.ty))?
                {
                    domains.push((i, *dc));
                }
            }
            out.rels.push(RelConstraints {
                table,
                indexes: tr.indexes,
                checks,
                defaults,
                domains,
            });
        }
        Ok(Arc::new(out))
    }
}
