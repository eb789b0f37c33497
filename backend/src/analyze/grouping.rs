//! GROUP BY with grouping sets (PostgreSQL's transformGroupClause for
//! ROLLUP, CUBE, GROUPING SETS and `()`): the clause expanded into one
//! list of distinct keys and the grouping sets over them, and the
//! GROUPING() calls, which the aggregate rewrite turns into columns of
//! the Aggregate node.

use sqlparser::ast;

use crate::error::{sqlstate, PgError, PgResult};
use crate::nodes::expr::Expr;
use crate::nodes::query::Grouping;
use crate::nodes::Column;
use crate::parser::object_name;

use super::expr::Clause;
use super::{Analyzer, Scope};

/// PostgreSQL's limit on the grouping sets of one query level.
const MAX_GROUPING_SETS: usize = 4096;
/// PostgreSQL's limit on the elements of one CUBE.
const MAX_CUBE_ELEMENTS: usize = 12;
/// 54011 too_many_columns.
const TOO_MANY_COLUMNS: &str = "54011";
/// 54023 too_many_arguments.
const TOO_MANY_ARGUMENTS: &str = "54023";
/// GROUPING()'s result is an int4 bit mask.
const MAX_GROUPING_ARGS: usize = 31;

/// The SELECT's select list, which GROUP BY items may name by position
/// or output name.
pub(super) struct SelectList<'a> {
    pub targets: &'a [Expr],
    pub columns: &'a [Column],
}

/// GROUP BY's items without the mark of `GROUP BY DISTINCT`, and whether
/// it was there (`parser::group_by_distinct`).
pub(super) fn distinct_mark(items: &[ast::Expr]) -> (&[ast::Expr], bool) {
    match items {
        [ast::Expr::Identifier(id), rest @ ..]
            if id.quote_style == Some('"')
                && id.value == crate::parser::group_by_distinct::DISTINCT_MARK =>
        {
            (rest, true)
        }
        _ => (items, false),
    }
}

/// GROUP BY DISTINCT: each grouping set once (the first of equal sets
/// kept; a set's keys are already sorted).
pub(super) fn remove_duplicate_sets(sets: &mut Vec<Vec<usize>>) {
    let mut seen = std::collections::BTreeSet::new();
    sets.retain(|s| seen.insert(s.clone()));
}

impl Analyzer<'_> {
    /// GROUP BY's items: the distinct keys, and the grouping sets when the
    /// clause uses ROLLUP, CUBE, GROUPING SETS or `()` (a plain GROUP BY
    /// leaves them empty: one set of every key). The sets of the items
    /// combine as a cross product, as in PostgreSQL: `a, ROLLUP(b, c)` is
    /// (a, b, c), (a, b), (a).
    pub(super) fn group_by(
        &mut self,
        items: &[ast::Expr],
        scope: &Scope,
        list: &SelectList<'_>,
    ) -> PgResult<(Vec<Expr>, Vec<Vec<usize>>)> {
        let mut keys = Vec::new();
        let mut sets: Vec<Vec<usize>> = vec![vec![]];
        let mut uses_sets = false;
        for g in items {
            let alternatives = match g {
                ast::Expr::Rollup(_) | ast::Expr::Cube(_) | ast::Expr::GroupingSets(_) => {
                    uses_sets = true;
                    self.set_element(g, scope, list, &mut keys)?
                }
                ast::Expr::Tuple(v) if v.is_empty() => {
                    uses_sets = true;
                    vec![vec![]]
                }
                _ => vec![vec![self.key_index(g, scope, list, &mut keys)?]],
            };
            let mut next = Vec::with_capacity(sets.len() * alternatives.len());
            for s in &sets {
                for a in &alternatives {
                    next.push(s.iter().chain(a).copied().collect());
                }
            }
            sets = next;
            if sets.len() > MAX_GROUPING_SETS {
                return Err(self.with_pos(g, too_many_sets()));
            }
        }
        if !uses_sets {
            return Ok((keys, vec![]));
        }
        for s in &mut sets {
            s.sort_unstable();
            s.dedup();
        }
        Ok((keys, sets))
    }

    /// The grouping sets of one ROLLUP, CUBE or GROUPING SETS item.
    fn set_element(
        &mut self,
        g: &ast::Expr,
        scope: &Scope,
        list: &SelectList<'_>,
        keys: &mut Vec<Expr>,
    ) -> PgResult<Vec<Vec<usize>>> {
        crate::stack::check_stack_depth()?;
        match g {
            ast::Expr::Rollup(items) => {
                let parts = self.key_lists(items, scope, list, keys)?;
                // (e1, ..., en), (e1, ..., en-1), ..., ().
                Ok((0..=parts.len())
                    .rev()
                    .map(|n| parts[..n].concat())
                    .collect())
            }
            ast::Expr::Cube(items) => {
                if items.len() > MAX_CUBE_ELEMENTS {
                    return Err(self.with_pos(
                        g,
                        PgError::new(TOO_MANY_COLUMNS, "CUBE is limited to 12 elements"),
                    ));
                }
                let parts = self.key_lists(items, scope, list, keys)?;
                let n = parts.len();
                // Every subset, the whole first and () last.
                Ok((0..1usize << n)
                    .rev()
                    .map(|mask| {
                        (0..n)
                            .filter(|i| mask & (1 << (n - 1 - i)) != 0)
                            .flat_map(|i| parts[i].iter().copied())
                            .collect()
                    })
                    .collect())
            }
            ast::Expr::GroupingSets(items) => {
                let mut out = Vec::new();
                for item in items {
                    match item.as_slice() {
                        [one] if nested_set(one).is_some() => {
                            let nested = nested_set(one).unwrap_or_else(|| one.clone());
                            out.extend(self.set_element(&nested, scope, list, keys)?);
                        }
                        exprs => {
                            let mut set = Vec::with_capacity(exprs.len());
                            for e in exprs {
                                set.push(self.key_index(e, scope, list, keys)?);
                            }
                            out.push(set);
                        }
                    }
                    if out.len() > MAX_GROUPING_SETS {
                        return Err(self.with_pos(g, too_many_sets()));
                    }
                }
                Ok(out)
            }
            _ => Ok(vec![vec![self.key_index(g, scope, list, keys)?]]),
        }
    }

    /// The keys of each element of a ROLLUP or CUBE (an element is one
    /// expression or a parenthesized list of them).
    fn key_lists(
        &mut self,
        items: &[Vec<ast::Expr>],
        scope: &Scope,
        list: &SelectList<'_>,
        keys: &mut Vec<Expr>,
    ) -> PgResult<Vec<Vec<usize>>> {
        items
            .iter()
            .map(|item| {
                item.iter()
                    .map(|e| self.key_index(e, scope, list, keys))
                    .collect()
            })
            .collect()
    }

    /// The index among `keys` of the grouping expression `e`, added when
    /// new.
    fn key_index(
        &mut self,
        e: &ast::Expr,
        scope: &Scope,
        list: &SelectList<'_>,
        keys: &mut Vec<Expr>,
    ) -> PgResult<usize> {
        let key = self.group_key(e, scope, list.targets, list.columns)?;
        Ok(match keys.iter().position(|k| *k == key) {
            Some(i) => i,
            None => {
                keys.push(key);
                keys.len() - 1
            }
        })
    }

    /// `GROUPING(a, b, ...)`: its arguments are analyzed as an aggregate's
    /// (no aggregate inside); whether they are grouping expressions is
    /// checked by the aggregate rewrite.
    pub(super) fn grouping_call(
        &mut self,
        args: &[ast::FunctionArg],
        scope: &Scope,
        clause: Clause,
    ) -> PgResult<Expr> {
        self.check_aggregate_place(clause, "grouping operations")?;
        if args.len() > MAX_GROUPING_ARGS {
            return Err(PgError::new(
                TOO_MANY_ARGUMENTS,
                "GROUPING must have fewer than 32 arguments",
            ));
        }
        self.in_aggregate = true;
        let r = self.args(args, scope, clause);
        self.in_aggregate = false;
        Ok(Expr::Grouping(r?))
    }
}

/// `rollup(...)` or `cube(...)` inside GROUPING SETS (where the parser
/// reads them as function calls), as the grouping item it stands for.
fn nested_set(e: &ast::Expr) -> Option<ast::Expr> {
    let ast::Expr::Function(f) = e else {
        return None;
    };
    let name = object_name(&f.name);
    let [name] = name.as_slice() else {
        return None;
    };
    if f.over.is_some() || f.filter.is_some() || !f.within_group.is_empty() {
        return None;
    }
    let ast::FunctionArguments::List(l) = &f.args else {
        return None;
    };
    if l.duplicate_treatment.is_some() || !l.clauses.is_empty() {
        return None;
    }
    let mut items = Vec::with_capacity(l.args.len());
    for a in &l.args {
        match a {
            ast::FunctionArg::Unnamed(ast::FunctionArgExpr::Expr(ast::Expr::Tuple(v))) => {
                items.push(v.clone())
            }
            ast::FunctionArg::Unnamed(ast::FunctionArgExpr::Expr(ast::Expr::Nested(x))) => {
                items.push(vec![(**x).clone()])
            }
            ast::FunctionArg::Unnamed(ast::FunctionArgExpr::Expr(x)) => items.push(vec![x.clone()]),
            _ => return None,
        }
    }
    match name.as_str() {
        "rollup" => Some(ast::Expr::Rollup(items)),
        "cube" => Some(ast::Expr::Cube(items)),
        _ => None,
    }
}

fn too_many_sets() -> PgError {
    PgError::new(
        sqlstate::STATEMENT_TOO_COMPLEX,
        format!("too many grouping sets present (maximum {MAX_GROUPING_SETS})"),
    )
}

/// The GROUPING() calls of `exprs` (outside subqueries), each as the
/// indexes of its arguments among `keys`, without repeats; an argument
/// that is not a grouping expression is an error.
pub(super) fn grouping_calls<'e>(
    exprs: impl Iterator<Item = &'e Expr>,
    keys: &[Expr],
) -> PgResult<Grouping> {
    let mut calls = Vec::new();
    let mut err = None;
    for e in exprs {
        visit_groupings(e, &mut |args| match grouping_args(args, keys) {
            Ok(idx) => {
                if !calls.contains(&idx) {
                    calls.push(idx);
                }
            }
            Err(e) => {
                err.get_or_insert(e);
            }
        });
    }
    match err {
        Some(e) => Err(e),
        None => Ok(Grouping {
            sets: vec![],
            calls,
        }),
    }
}

fn visit_groupings(e: &Expr, f: &mut dyn FnMut(&[Expr])) {
    if let Expr::Grouping(args) = e {
        f(args);
        return;
    }
    for c in e.children() {
        visit_groupings(c, f);
    }
}

/// The indexes among `keys` of a GROUPING() call's arguments.
pub(super) fn grouping_args(args: &[Expr], keys: &[Expr]) -> PgResult<Vec<usize>> {
    args.iter()
        .map(|a| {
            keys.iter().position(|k| k == a).ok_or_else(|| {
                PgError::new(
                    sqlstate::GROUPING_ERROR,
                    "arguments to GROUPING must be grouping expressions of the associated query level",
                )
            })
        })
        .collect()
}
