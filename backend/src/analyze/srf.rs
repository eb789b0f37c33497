//! Set-returning functions in the select list (`SELECT unnest(a) FROM t`,
//! `SELECT generate_series(1, 3)`): PostgreSQL runs them in a ProjectSet
//! node; here the calls become the columns of a LATERAL function scan
//! joined after the FROM items, which gives the same rows: for each input
//! row, one output row per element, several unnest calls in lockstep (the
//! shorter padded with NULLs, as `unnest(a, b)` in FROM), none when every
//! array is empty or NULL. Grouped queries, nested calls and subqueries in
//! the arguments are refused.

use crate::error::{sqlstate, PgError, PgResult};
use crate::fmgr::arrays::is_set_returning;
use crate::nodes::expr::Expr;
use crate::nodes::query::{FunctionSource, JoinKind, JoinSource, Query, SetFunction, Source};
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
        }
    } else if calls.len() == 1 && crate::nodes::query::json_srf(calls[0].0).is_some() {
        let (name, args, ty) = calls.remove(0);
        let Some((kind, jsonb)) = crate::nodes::query::json_srf(name) else {
            return Err(unsupported("this set-returning function"));
        };
        if matches!(
            kind,
            crate::nodes::query::JsonSrf::Each | crate::nodes::query::JsonSrf::EachText
        ) {
            return Err(unsupported(&format!("{name} in a select list (a record)")));
        }
        FunctionSource {
            func: SetFunction::Json { kind, jsonb },
            ty,
            args: args.into_iter().map(to_lateral).collect::<PgResult<_>>()?,
            ordinality: false,
        }
    } else if calls.len() == 1 {
        let (name, args, ty) = calls.remove(0);
        FunctionSource {
            func: match name {
                "generate_subscripts" => SetFunction::GenerateSubscripts,
                "pg_partition_ancestors" => SetFunction::PartitionAncestors,
                _ => SetFunction::GenerateSeries,
            },
            ty,
            args: args.into_iter().map(to_lateral).collect::<PgResult<_>>()?,
            ordinality: false,
        }
    } else {
        return Err(unsupported(
            "generate_series with other set-returning functions in a select list",
        ));
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
