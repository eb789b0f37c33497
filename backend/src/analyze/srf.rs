//! Set-returning functions in the select list (`SELECT unnest(a) FROM t`,
//! `SELECT generate_series(1, 3)`): PostgreSQL runs them in a ProjectSet
//! node; here the calls become the columns of a LATERAL function scan
//! joined after the FROM items, which gives the same rows: for each input
//! row, as many output rows as the longest call gives, all the calls
//! advancing in lockstep (those exhausted give NULLs, as `ROWS FROM` in
//! FROM), none when every call gives none. Grouped queries, nested calls
//! and subqueries in the arguments are refused.

use crate::error::{sqlstate, PgError, PgResult};
use crate::fmgr::arrays::is_set_returning;
use crate::nodes::expr::Expr;
use crate::nodes::query::{
    json_srf, FunctionSource, JoinKind, JoinSource, JsonSrf, LockstepPart, Query, SetFunction,
    Source,
};
use crate::types::Oid;

fn unsupported(what: &str) -> PgError {
    PgError::new(
        sqlstate::FEATURE_NOT_SUPPORTED,
        format!("{what} is not supported yet"),
    )
}

pub fn contains_srf(e: &Expr) -> bool {
    matches!(e, Expr::Func(d, _) if is_set_returning(d))
        || e.children().into_iter().any(contains_srf)
}

/// CASE and COALESCE evaluate their arguments conditionally, which a
/// set-returning call cannot be: PostgreSQL refuses it (0A000).
pub fn refuse_in_conditional<'a>(
    construct: &str,
    mut exprs: impl Iterator<Item = &'a Expr>,
) -> PgResult<()> {
    if exprs.any(contains_srf) {
        return Err(PgError::new(
            sqlstate::FEATURE_NOT_SUPPORTED,
            format!("set-returning functions are not allowed in {construct}"),
        )
        .with_hint(
            "You might be able to move the set-returning function into a LATERAL FROM item.",
        ));
    }
    Ok(())
}

/// An argument moved into the LATERAL function: the input row's columns
/// become references to the row one level out.
fn to_lateral(e: Expr) -> PgResult<Expr> {
    e.map_bottom_up(&mut |n| {
        Ok(match n {
            Expr::Column(i, t) => Expr::Outer(1, i, t),
            Expr::Outer(d, i, t) => Expr::Outer(d + 1, i, t),
            other => other,
        })
    })
}

/// Replaces the set-returning calls in the targets of `q` (whose FROM
/// row has `width` columns) by columns of a LATERAL function scan.
pub fn expand(q: &mut Query, width: usize) -> PgResult<()> {
    if !q.targets.iter().any(contains_srf) {
        return Ok(());
    }
    if q.aggregated
        || !q.group_keys.is_empty()
        || !q.grouping.sets.is_empty()
        || q.having.is_some()
        || q.targets.iter().any(Expr::contains_agg)
    {
        return Err(unsupported(
            "set-returning functions in the select list of a grouped query",
        ));
    }
    let mut calls: Vec<(&'static str, Vec<Expr>, Oid)> = Vec::new();
    let old = std::mem::take(&mut q.targets);
    let mut targets = Vec::with_capacity(old.len());
    for t in old {
        targets.push(t.map_bottom_up(&mut |n| match n {
            Expr::Func(d, args) if is_set_returning(d) => {
                if args.iter().any(|a| contains_srf(a) || a.contains_sublink()) {
                    return Err(unsupported(
                        "nested set-returning functions and subqueries in their arguments",
                    ));
                }
                let ty = Expr::Func(d, args.clone()).ty();
                calls.push((d.name, args, ty));
                Ok(Expr::Column(width + calls.len() - 1, ty))
            }
            other => Ok(other),
        })?);
    }
    q.targets = targets;
    let func = if calls.iter().all(|c| c.0 == "unnest") {
        // unnest(a, b, ...) in FROM already zips its arrays.
        let mut args = Vec::with_capacity(calls.len());
        for (_, a, _) in calls {
            args.extend(
                a.into_iter()
                    .map(to_lateral)
                    .collect::<PgResult<Vec<_>>>()?,
            );
        }
        FunctionSource {
            func: SetFunction::Unnest,
            ty: crate::types::oid::UNKNOWN,
            args,
            ordinality: false,
            parts: Vec::new(),
        }
    } else {
        let mut parts = Vec::with_capacity(calls.len());
        let mut args = Vec::new();
        for (name, a, ty) in calls {
            let func = match name {
                "unnest" => SetFunction::Unnest,
                "generate_subscripts" => SetFunction::GenerateSubscripts,
                "generate_series" => SetFunction::GenerateSeries,
                "pg_partition_ancestors" => SetFunction::PartitionAncestors,
                "_pg_expandarray" => SetFunction::ExpandArray,
                "pg_options_to_table" => {
                    return Err(unsupported(
                        "pg_options_to_table in a select list (a record)",
                    ))
                }
                _ => match json_srf(name) {
                    Some((JsonSrf::Each | JsonSrf::EachText, _)) => {
                        return Err(unsupported(&format!("{name} in a select list (a record)")))
                    }
                    Some((kind, jsonb)) => SetFunction::Json { kind, jsonb },
                    None => return Err(unsupported("this set-returning function")),
                },
            };
            parts.push(LockstepPart {
                func,
                ty,
                nargs: a.len(),
            });
            args.extend(
                a.into_iter()
                    .map(to_lateral)
                    .collect::<PgResult<Vec<_>>>()?,
            );
        }
        if parts.len() == 1 {
            FunctionSource {
                func: parts[0].func,
                ty: parts[0].ty,
                args,
                ordinality: false,
                parts: Vec::new(),
            }
        } else {
            FunctionSource {
                func: SetFunction::Lockstep,
                ty: crate::types::oid::UNKNOWN,
                args,
                ordinality: false,
                parts,
            }
        }
    };
    let left = std::mem::replace(&mut q.source, Source::One);
    q.source = Source::Join(Box::new(JoinSource {
        kind: JoinKind::Cross,
        left,
        right: Source::Function(func),
        on: None,
        left_width: width,
        lateral: true,
    }));
    Ok(())
}
