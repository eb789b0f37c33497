//! A plan's run-time nodes kept alive between statements, for an open SQL
//! cursor: FETCH pulls the next rows from where the last FETCH stopped, so
//! a cursor over a big query computes only the rows asked for (PostgreSQL's
//! portal keeps its QueryDesc running the same way).
//!
//! The executor's nodes borrow their plan (`executor::build(&Plan)`), and
//! the plan lives in a shared, immutable allocation the cursor holds: this
//! module ties the two together, which takes the one `unsafe` lifetime
//! extension below.

use std::any::Any;
use std::sync::Arc;

use crate::error::PgResult;
use crate::executor::eval::EvalCtx;
use crate::executor::{build, Node, Row};
use crate::nodes::plan::Plan;

/// A running plan: its root node and what owns the plan it reads.
pub struct LiveQuery {
    // Declared before `_owner`: fields drop in declaration order, so the
    // nodes (which point into the plan) go before the plan's owner.
    root: Box<dyn Node + 'static>,
    _owner: Arc<dyn Any>,
}

impl LiveQuery {
    /// Starts running the plan that `plan_of` finds in `owner`.
    pub fn new<O: Any>(owner: Arc<O>, plan_of: fn(&O) -> &Plan) -> LiveQuery {
        let plan: &Plan = plan_of(&owner);
        let root: Box<dyn Node + '_> = build(plan);
        #[allow(unsafe_code)]
        // SAFETY: `root` borrows only `plan`, which lives inside the `Arc`
        // allocation of `owner`. That allocation never moves and is never
        // mutated through an `Arc` (shared access only), and it lives as
        // long as `_owner` does. `root` is dropped before `_owner` (field
        // order), and the 'static lifetime never escapes: `next` returns
        // owned rows and `root` is private.
        let root: Box<dyn Node + 'static> =
            unsafe { std::mem::transmute::<Box<dyn Node + '_>, Box<dyn Node + 'static>>(root) };
        LiveQuery {
            root,
            _owner: owner,
        }
    }

    /// The next row, or None once the plan is exhausted.
    pub fn next(&mut self, ctx: &EvalCtx) -> PgResult<Option<Row>> {
        self.root.next(ctx)
    }
}
