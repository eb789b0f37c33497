//! The catalog side of materialized views (`catalog::matview`): recording
//! a table CREATE MATERIALIZED VIEW just made and filled as one,
//! REFRESH's relispopulated, and DROP's PostgreSQL errors when the kind
//! named is not the relation's. The rows are written by the traffic cop
//! (`tcop::create_table_as`), which runs these as the last step.

use std::sync::Arc;

use sqlparser::ast;

use super::Ddl;
use crate::analyze::Analyzer;
use crate::catalog::matview::MatviewDesc;
use crate::catalog::{Catalog, RelKind};
use crate::error::{sqlstate, PgError, PgResult};
use crate::parser::create_table_as::clauses;
use crate::parser::object_name;
use crate::types::Oid;

/// 42809 when DROP names a relation of another kind than its own, as
/// PostgreSQL's DropErrorMsgWrongType, where a materialized view is one
/// of the two.
pub(super) fn check_drop_kind(
    cat: &Catalog,
    kind: ast::ObjectType,
    rel: Option<(RelKind, Oid)>,
    name: &str,
) -> PgResult<()> {
    let Some((rk, o)) = rel else {
        return Ok(());
    };
    let is_mv = rk == RelKind::Table && cat.is_matview(o);
    let wanted = match kind {
        ast::ObjectType::MaterializedView if !is_mv => "a materialized view",
        ast::ObjectType::Table if is_mv => "a table",
        ast::ObjectType::View if is_mv => "a view",
        ast::ObjectType::Index | ast::ObjectType::Sequence if is_mv => {
            if kind == ast::ObjectType::Index {
                "an index"
            } else {
                "a sequence"
            }
        }
        _ => return Ok(()),
    };
    let hint = if is_mv {
        "Use DROP MATERIALIZED VIEW to remove a materialized view."
    } else {
        match rk {
            RelKind::Table => "Use DROP TABLE to remove a table.",
            RelKind::View => "Use DROP VIEW to remove a view.",
            RelKind::Index => "Use DROP INDEX to remove an index.",
            RelKind::Sequence => "Use DROP SEQUENCE to remove a sequence.",
        }
    };
    Err(PgError::new(
        sqlstate::WRONG_OBJECT_TYPE,
        format!("\"{name}\" is not {wanted}"),
    )
    .with_hint(hint))
}

/// The column names given before AS (`CREATE MATERIALIZED VIEW m (a, b)
/// AS ...`) as aliases of the query's output columns, so that its
/// definition names them as PostgreSQL's does; left as written when the
/// query is not a plain SELECT list (a `*`, VALUES, a set operation).
fn alias_columns(q: &mut ast::Query, names: &[String]) {
    let ast::SetExpr::Select(s) = q.body.as_mut() else {
        return;
    };
    if names.is_empty()
        || s.projection.iter().any(|i| {
            !matches!(
                i,
                ast::SelectItem::UnnamedExpr(_) | ast::SelectItem::ExprWithAlias { .. }
            )
        })
    {
        return;
    }
    for (item, name) in s.projection.iter_mut().zip(names) {
        let alias = ast::Ident::with_quote('"', name.as_str());
        let expr = match item {
            ast::SelectItem::UnnamedExpr(e) | ast::SelectItem::ExprWithAlias { expr: e, .. } => {
                e.clone()
            }
            _ => return,
        };
        *item = ast::SelectItem::ExprWithAlias { expr, alias };
    }
}

impl Ddl<'_> {
    /// CREATE MATERIALIZED VIEW's last step: the table named was made and
    /// filled by this statement; it becomes a materialized view.
    pub(super) fn register_matview(&mut self, cv: &ast::CreateView) -> PgResult<String> {
        let (nsp, name) = self.creation_namespace(&cv.name)?;
        let Some((RelKind::Table, oid)) = self.cat.relation_in(nsp, &name) else {
            return Err(PgError::internal("materialized view's table is gone"));
        };
        let c = clauses(&self.text.sql);
        let mut query = (*cv.query).clone();
        alias_columns(&mut query, &c.columns);
        let mut a = Analyzer::new(self.text, &[]).with_catalog(Arc::new(self.cat.clone()));
        let q = a.analyze_top(&query)?;
        let mut deps = Vec::new();
        let _ = ast::visit_relations(&*cv.query, |rel: &ast::ObjectName| {
            if let Some((kind, o)) = self.cat.resolve_relation_parts(&object_name(rel)) {
                if matches!(kind, RelKind::Table | RelKind::View) && !deps.contains(&o) {
                    deps.push(o);
                }
            }
            std::ops::ControlFlow::<()>::Continue(())
        });
        let (sql, def) = self.bind_view_query(&query, &q);
        let path = self.cat.search_path_oids_text();
        self.cat.view_paths.insert(oid, path);
        self.cat.matviews.retain(|m| m.oid != oid);
        self.cat.matviews.push(Arc::new(MatviewDesc {
            oid,
            sql,
            def,
            deps,
            populated: c.with_data,
        }));
        self.changed = true;
        Ok("CREATE MATERIALIZED VIEW".into())
    }

    /// REFRESH MATERIALIZED VIEW's last step: relispopulated.
    pub(super) fn mark_matview(&mut self, r: &ast::RefreshMaterializedView) -> PgResult<String> {
        let (found, name) = self.find(&r.name)?;
        let oid = match found {
            Some((RelKind::Table, o)) if self.cat.is_matview(o) => o,
            _ => {
                return Err(PgError::new(
                    sqlstate::FEATURE_NOT_SUPPORTED,
                    format!("\"{name}\" is not a materialized view"),
                ))
            }
        };
        let populated = r.with_data.unwrap_or(true);
        for m in self.cat.matviews.iter_mut().filter(|m| m.oid == oid) {
            Arc::make_mut(m).populated = populated;
        }
        self.changed = true;
        Ok("REFRESH MATERIALIZED VIEW".into())
    }
}
