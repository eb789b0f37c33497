//! References to the information_schema views (`catalog::information_schema`):
//! a view's SQL is analyzed where it is named, as a user view's is.

use sqlparser::ast;

use super::Analyzer;
use crate::catalog::information_schema;
use crate::error::{PgError, PgResult};

impl Analyzer<'_> {
    /// `information_schema.name` as the analyzed query of its view, or
    /// None when information_schema has no such view.
    pub(crate) fn information_schema_reference(
        &mut self,
        name: &str,
    ) -> PgResult<Option<crate::nodes::query::Query>> {
        let Some(view) = information_schema::lookup(name) else {
            return Ok(None);
        };
        self.uses_catalog = true;
        let parsed = crate::parser::parse(view.sql)?;
        let Some(ast::Statement::Query(q)) = parsed.first().map(|p| &p.ast) else {
            return Err(PgError::internal(format!(
                "information_schema.{name} has no query"
            )));
        };
        // The view's text sees none of the referencing query's WITH
        // items, and reports its columns as the view's.
        let saved = std::mem::take(&mut self.ctes);
        let r = self.query(q);
        self.ctes = saved;
        let mut q = r?;
        for (i, c) in q.columns.iter_mut().enumerate() {
            c.table_oid = view.oid;
            c.column_id = i as i16 + 1;
        }
        Ok(Some(q))
    }
}
