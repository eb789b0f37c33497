//! Planning statements with data-modifying WITH queries (`WITH d AS
//! (DELETE ... RETURNING *) INSERT INTO ... SELECT * FROM d`): the
//! analyzer's WITH INSERT/UPDATE/DELETE planned as ModifyTables that run
//! before the statement's main query, their tables locked ROW EXCLUSIVE.

use crate::analyze::Analyzer;
use crate::error::PgResult;
use crate::nodes::modify::ModifyingCtePlan;
use crate::optimizer;

use super::{Action, PlanParts};
use shmem::lockmgr::LockMode;

/// The data-modifying WITH queries `a` analyzed, planned with their
/// constraints; and the tables they write (their targets and those
/// their foreign keys' actions change).
pub(super) fn plan_modifying_ctes(a: &mut Analyzer) -> PgResult<(Vec<ModifyingCtePlan>, Vec<u32>)> {
    let mut plans = Vec::new();
    let mut writes = Vec::new();
    for cte in std::mem::take(&mut a.modifying_ctes) {
        let mut modify = optimizer::plan_modify(cte.stmt);
        modify.constraints = a.modify_constraints(modify.table.table.oid)?;
        writes.push(modify.table.table.oid);
        writes.extend(modify.constraints.action_targets());
        plans.push(ModifyingCtePlan {
            name: cte.name,
            id: cte.id,
            modify,
        });
    }
    Ok((plans, writes))
}

/// Wraps `parts`' action so that `ctes` run first, and locks the tables
/// they write ROW EXCLUSIVE.
pub(super) fn with_modifying_ctes(
    mut parts: PlanParts,
    ctes: Vec<ModifyingCtePlan>,
    writes: &[u32],
) -> PlanParts {
    if ctes.is_empty() {
        return parts;
    }
    for (r, mode) in &mut parts.relations {
        if writes.contains(r) {
            *mode = LockMode::RowExclusive;
        }
    }
    for w in writes {
        if !parts.relations.iter().any(|(r, _)| r == w) {
            parts.relations.push((*w, LockMode::RowExclusive));
        }
    }
    parts.uses_catalog = true;
    let main = std::mem::replace(&mut parts.action, Action::Checkpoint);
    parts.action = Action::ModifyingWith {
        ctes,
        main: Box::new(main),
    };
    parts
}
