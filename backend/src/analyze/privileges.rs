//! What privileges a statement needs on the relations it names
//! (PostgreSQL's range table permission bits): SELECT on what it reads,
//! INSERT, UPDATE or DELETE on its target, SELECT on the target too when
//! it reads the target's columns (WHERE, RETURNING, SET a = a + 1).
//! Relations a view reads are checked as the view's owner. The checks
//! run before each execution (`tcop`), as the role current then.

use sqlparser::ast::{self, Visit, Visitor};

use super::Analyzer;
use crate::catalog::roles::{privs, PermCheck};
use crate::types::Oid;

impl Analyzer<'_> {
    /// Records that the statement needs `mask` on relation `rel`.
    pub(crate) fn require(&mut self, rel: Oid, mask: u32) {
        let as_role = self.check_as;
        if let Some(p) = self
            .perms
            .iter_mut()
            .find(|p| p.rel == rel && p.as_role == as_role)
        {
            p.mask |= mask;
            return;
        }
        self.perms.push(PermCheck { rel, mask, as_role });
    }

    /// Records what an INSERT, UPDATE or DELETE needs on its target.
    pub(crate) fn require_target(&mut self, rel: Oid, mask: u32, reads_columns: bool) {
        self.require(rel, mask | if reads_columns { privs::SELECT } else { 0 });
    }
}

/// Whether an expression names a column (an identifier).
pub(crate) fn names_columns<T: Visit>(node: &T) -> bool {
    struct Finder(bool);
    impl Visitor for Finder {
        type Break = ();
        fn pre_visit_expr(&mut self, e: &ast::Expr) -> std::ops::ControlFlow<()> {
            if matches!(
                e,
                ast::Expr::Identifier(_) | ast::Expr::CompoundIdentifier(_)
            ) {
                self.0 = true;
                return std::ops::ControlFlow::Break(());
            }
            std::ops::ControlFlow::Continue(())
        }
    }
    let mut f = Finder(false);
    let _ = node.visit(&mut f);
    f.0
}
