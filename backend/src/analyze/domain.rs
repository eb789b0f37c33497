//! Values becoming a domain's (`types::domains`): a cast to a domain, a
//! column declared with one. The domain's CHECK constraints are analyzed
//! over a one-column row, PostgreSQL's VALUE, and kept in an
//! [`Expr::DomainCheck`] around the value.

use std::sync::Arc;

use sqlparser::ast;

use crate::analyze::Analyzer;
use crate::catalog::{ColumnDesc, TableDesc};
use crate::error::PgResult;
use crate::nodes::expr::{DomainCheck, Expr};
use crate::types::domains::DomainType;

/// The one-column row a domain's CHECK expressions read: `value`, of
/// the base type.
pub fn value_row(d: &DomainType) -> TableDesc {
    TableDesc {
        oid: d.oid,
        name: d.name.clone(),
        namespace: d.namespace,
        columns: vec![ColumnDesc {
            name: "value".into(),
            ty: d.base,
            typmod: d.typmod,
            not_null: false,
            default: None,
            missing: None,
            dropped: false,
        }],
        fillfactor: 100,
        relfilenode: 0,
    }
}

impl Analyzer<'_> {
    /// A domain's CHECK expression (`VALUE > 0`) over its value.
    pub fn domain_check_expr(&mut self, d: &DomainType, e: &ast::Expr) -> PgResult<Expr> {
        self.check_expr(&value_row(d), e)
    }

    /// `arg` (already of the domain's base type) checked against domain
    /// `d`'s constraints.
    pub fn coerce_to_domain(&mut self, d: &DomainType, arg: Expr) -> PgResult<Expr> {
        let cat = self.catalog.clone();
        let mut checks = Vec::new();
        for c in cat.domain_checks(d.oid) {
            let Some(src) = c.check() else { continue };
            let e = crate::parser::parse_expr(src)?;
            let text = self.text;
            let mut a = Analyzer::new(text, &[]).with_catalog(Arc::clone(&cat));
            checks.push((c.name.clone(), a.domain_check_expr(d, &e)?));
        }
        if !d.not_null && checks.is_empty() {
            return Ok(arg);
        }
        Ok(Expr::DomainCheck(Box::new(DomainCheck {
            arg,
            domain: d.name.clone(),
            schema: crate::catalog::namespace::schema_name(d.namespace),
            not_null: d.not_null,
            checks,
        })))
    }
}
