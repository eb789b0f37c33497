//! SELECT DISTINCT ON (...) (PostgreSQL's transformDistinctOnClause): the
//! expressions become targets (output ordinals and names first, as in
//! ORDER BY), must match the leading ORDER BY items in any order (42P10
//! otherwise), and set the sort the Unique step runs over: the matching
//! ORDER BY items, then the other DISTINCT ON expressions, then the rest
//! of ORDER BY.

use sqlparser::ast;

use super::{Analyzer, Scope};
use crate::error::{sqlstate, PgError, PgResult};
use crate::nodes::query::{Query, SortKey};

fn mismatch() -> PgError {
    PgError::new(
        sqlstate::INVALID_COLUMN_REFERENCE,
        "SELECT DISTINCT ON expressions must match initial ORDER BY expressions",
    )
}

impl Analyzer<'_> {
    /// Resolves DISTINCT ON's expressions of `q` (whose ORDER BY is
    /// already analyzed) and orders the query for it.
    pub(super) fn distinct_on(
        &mut self,
        q: &mut Query,
        exprs: &[ast::Expr],
        scope: &Scope,
        visible: usize,
    ) -> PgResult<()> {
        let mut targets = Vec::with_capacity(exprs.len());
        for e in exprs {
            let t = self.sort_target(q, e, scope, Some(visible), "SELECT DISTINCT ON")?;
            if !targets.contains(&t) {
                targets.push(t);
            }
        }
        let mut sort: Vec<SortKey> = Vec::new();
        let mut skipped = false;
        for k in &q.sort {
            if targets.contains(&k.target) {
                if skipped {
                    return Err(self.with_pos(&exprs[0], mismatch()));
                }
                if !sort.iter().any(|s| s.target == k.target) {
                    sort.push(k.clone());
                }
            } else {
                skipped = true;
            }
        }
        let matched = sort.len();
        for &t in &targets {
            if sort[..matched].iter().any(|s| s.target == t) {
                continue;
            }
            if skipped {
                return Err(self.with_pos(&exprs[0], mismatch()));
            }
            sort.push(SortKey {
                target: t,
                desc: false,
                nulls_first: false,
            });
        }
        sort.extend(
            q.sort
                .iter()
                .filter(|k| !targets.contains(&k.target))
                .cloned(),
        );
        q.sort = sort;
        q.distinct_on = targets;
        Ok(())
    }
}
