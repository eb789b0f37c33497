//! The constraints an INSERT, UPDATE, DELETE or COPY must keep beyond
//! NOT NULL and UNIQUE (which table access keeps): CHECK expressions
//! analyzed over the table row, and the foreign keys of every table the
//! statement's changes can reach (through cascaded actions), with what
//! their actions need (the tables' indexes, CHECKs and defaults).

use std::sync::Arc;

use crate::catalog::constraint::ConstraintDesc;
use crate::catalog::{IndexDesc, TableDesc};
use crate::nodes::expr::Expr;

/// One table a statement may change or look into for its constraints.
#[derive(Debug)]
pub struct RelConstraints {
    pub table: Arc<TableDesc>,
    pub indexes: Vec<Arc<IndexDesc>>,
    /// (constraint name, boolean expression over the row) of each CHECK
    /// that is validated or NOT VALID (new rows are checked either way).
    pub checks: Vec<(String, Expr)>,
    /// Per column, its DEFAULT (NULL when none): for ON ... SET DEFAULT.
    pub defaults: Vec<Expr>,
    /// (column, its domain's constraints) of each column declared with
    /// a domain that has any: checked on every new row.
    pub domains: Vec<(usize, crate::nodes::expr::DomainCheck)>,
}

/// What a data-changing statement checks; empty for a table with no
/// CHECK and no foreign key on either side.
#[derive(Debug, Default)]
pub struct Constraints {
    pub rels: Vec<RelConstraints>,
    /// Foreign keys whose referencing or referenced table is in `rels`.
    pub fks: Vec<Arc<ConstraintDesc>>,
}

impl Constraints {
    pub fn rel(&self, table: u32) -> Option<&RelConstraints> {
        self.rels.iter().find(|r| r.table.oid == table)
    }

    /// The tables a referential action may change (cascades, SET NULL,
    /// SET DEFAULT): they are locked as written.
    pub fn action_targets(&self) -> Vec<u32> {
        use crate::catalog::constraint::FkAction::{NoAction, Restrict};
        self.fks
            .iter()
            .filter(|c| {
                c.fk().is_some_and(|f| {
                    !matches!(f.on_delete, NoAction | Restrict)
                        || !matches!(f.on_update, NoAction | Restrict)
                })
            })
            .map(|c| c.table)
            .collect()
    }

    pub fn is_empty(&self) -> bool {
        self.fks.is_empty()
            && self
                .rels
                .iter()
                .all(|r| r.checks.is_empty() && r.domains.is_empty())
    }
}
