//! EXPLAIN: the plan tree as PostgreSQL prints it in text form, one line
//! per row ("Seq Scan on t", "Index Scan using t_pkey on t",
//! "  Index Cond: (id = 1)", "Hash Join", ...), each node with the
//! planner's estimate `(cost=startup..total rows=N width=W)`
//! (`optimizer::cost`), unless `EXPLAIN (COSTS OFF)`.

use crate::error::{sqlstate, PgError, PgResult};
use crate::nodes::expr::{Expr, SubLinkKind};
use crate::nodes::modify::{Modify, ModifyKind};
use crate::nodes::plan::{Plan, ScanPlan};
use crate::nodes::query::{JoinKind, SetOpKind};
use crate::optimizer::cost::{self, Est};
use crate::types::{type_name, Value};

/// Column names of a node's output (for printing expressions above it).
fn output_names(p: &Plan) -> Vec<String> {
    match p {
        Plan::Scan(s) => s.column_names(),
        Plan::ViewScan(v) => {
            let mut names: Vec<String> = v.columns().iter().map(|(n, _)| (*n).to_owned()).collect();
            if v.table_oid().is_some() {
                names.push("tableoid".into());
            }
            names
        }
        Plan::FunctionScan(f) => vec![f.name().into(); f.width()],
        Plan::Filter { input, .. }
        | Plan::Distinct { input }
        | Plan::Unique { input, .. }
        | Plan::Sort { input, .. }
        | Plan::Limit { input, .. } => output_names(input),
        Plan::Project { input, exprs } => {
            let names = output_names(input);
            exprs.iter().map(|e| deparse(e, &names)).collect()
        }
        Plan::ProjectSet { input, calls } => {
            let names = output_names(input);
            let mut v = names.clone();
            v.extend(calls.iter().map(|c| {
                let args: Vec<String> = c.args.iter().map(|a| deparse(a, &names)).collect();
                format!("{}({})", c.func.name(), args.join(", "))
            }));
            v
        }
        Plan::Aggregate {
            input,
            keys,
            aggs,
            grouping,
        } => {
            let names = output_names(input);
            let mut v: Vec<String> = keys.iter().map(|k| deparse(k, &names)).collect();
            let calls = grouping.calls.iter().map(|args| {
                let a: Vec<&str> = args.iter().map(|k| v[*k].as_str()).collect();
                format!("GROUPING({})", a.join(", "))
            });
            let calls: Vec<String> = calls.collect();
            v.extend(calls);
            v.extend(aggs.iter().map(|a| format!("{:?}", a.kind).to_lowercase()));
            v
        }
        Plan::NestLoop { left, right, .. } | Plan::HashJoin { left, right, .. } => {
            let mut v = output_names(left);
            v.extend(output_names(right));
            v
        }
        Plan::IndexNestLoop { left, right, .. } => {
            let mut v = output_names(left);
            v.extend(right.column_names());
            v
        }
        Plan::WindowAgg { input, window } => {
            let names = output_names(input);
            let mut v: Vec<String> = names[..window.pass.min(names.len())].to_vec();
            v.extend(window.funcs.iter().map(|f| {
                let args: Vec<String> = f.args.iter().map(|a| deparse(a, &names)).collect();
                format!("{}({})", f.kind.name(), args.join(", "))
            }));
            v
        }
        Plan::Append(inputs) => inputs.first().map(output_names).unwrap_or_default(),
        Plan::SetOp { left, .. } => output_names(left),
        Plan::RecursiveUnion { non_recursive, .. } => output_names(non_recursive),
        Plan::WorkTableScan { .. } => vec![],
        Plan::Values(rows) => (1..=rows.first().map_or(0, Vec::len))
            .map(|i| format!("column{i}"))
            .collect(),
        Plan::Result => vec![],
    }
}

/// An expression in PostgreSQL's EXPLAIN style.
pub fn deparse(e: &Expr, names: &[String]) -> String {
    let d = |x: &Expr| deparse(x, names);
    match e {
        Expr::Const(Value::Null, _) => "NULL".into(),
        Expr::Const(v, t) => match v {
            Value::Int2(_) | Value::Int4(_) | Value::Int8(_) | Value::Numeric(_) => v.to_text(),
            Value::Bool(b) => b.to_string(),
            _ => format!("'{}'::{}", v.to_text().replace('\'', "''"), type_name(*t)),
        },
        Expr::Param(i, _) => format!("${}", i + 1),
        Expr::Column(i, _) => names.get(*i).cloned().unwrap_or_else(|| format!("${i}")),
        Expr::Outer(_, i, _) => format!("outer.{i}"),
        Expr::Binary(op, a, b, _) => format!("({} {} {})", d(a), op.symbol(), d(b)),
        Expr::Neg(a) => format!("(- {})", d(a)),
        Expr::Not(a) => format!("(NOT {})", d(a)),
        Expr::And(a, b) => format!("({} AND {})", d(a), d(b)),
        Expr::Or(a, b) => format!("({} OR {})", d(a), d(b)),
        Expr::IsNull(a, neg) => format!("({} IS {}NULL)", d(a), if *neg { "NOT " } else { "" }),
        Expr::Cast(a, t, _) => format!("({})::{}", d(a), type_name(*t)),
        Expr::FieldSelect(a, _, _, name) => format!("({}).{name}", d(a)),
        Expr::Func(f, args) if args.len() == 2 && array_operator(f.name).is_some() => format!(
            "({} {} {})",
            d(&args[0]),
            array_operator(f.name).unwrap_or_default(),
            d(&args[1])
        ),
        Expr::Func(f, args) => format!(
            "{}({})",
            f.name,
            args.iter().map(d).collect::<Vec<_>>().join(", ")
        ),
        Expr::SubLink(s) => match s.kind {
            SubLinkKind::Exists => "(EXISTS (SubPlan))".into(),
            SubLinkKind::Scalar => "(SubPlan)".into(),
            SubLinkKind::In => format!(
                "(hashed SubPlan with {})",
                s.test.as_ref().map(d).unwrap_or_default()
            ),
            SubLinkKind::Array => "ARRAY(SubPlan)".into(),
        },
        Expr::ArrayExpr { elems, .. } => format!(
            "ARRAY[{}]",
            elems.iter().map(d).collect::<Vec<_>>().join(", ")
        ),
        Expr::Subscript(s) => {
            let subs: String = s
                .subs
                .iter()
                .map(|x| {
                    let b = |e: &Option<Expr>| e.as_ref().map(d).unwrap_or_default();
                    if x.slice {
                        format!("[{}:{}]", b(&x.lower), b(&x.upper))
                    } else {
                        format!("[{}]", b(&x.upper))
                    }
                })
                .collect();
            format!("{}{subs}", d(&s.array))
        }
        Expr::ArrayOp(a) => format!(
            "({} {} {} ({}))",
            d(&a.left),
            a.op.symbol(),
            if a.any { "ANY" } else { "ALL" },
            d(&a.right)
        ),
        other => {
            let kids: Vec<String> = other.children().into_iter().map(d).collect();
            format!("({})", kids.join(", "))
        }
    }
}

/// The operator an array function stands for (`a @> b` is arraycontains).
fn array_operator(func: &str) -> Option<&'static str> {
    match func {
        "arraycontains" => Some("@>"),
        "arraycontained" => Some("<@"),
        "arrayoverlap" => Some("&&"),
        _ => None,
    }
}

fn join_name(kind: JoinKind) -> &'static str {
    match kind {
        JoinKind::Left => " Left",
        JoinKind::Right => " Right",
        JoinKind::Full => " Full",
        _ => "",
    }
}

fn nl_join_name(kind: JoinKind) -> &'static str {
    match kind {
        JoinKind::Left => " Left Join",
        JoinKind::Right => " Right Join",
        JoinKind::Full => " Full Join",
        _ => "",
    }
}

/// EXPLAIN's options (those that change its text form).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ExplainOptions {
    pub costs: bool,
}

impl Default for ExplainOptions {
    fn default() -> Self {
        ExplainOptions { costs: true }
    }
}

/// Reads EXPLAIN's parenthesized options: COSTS [bool]; VERBOSE,
/// SUMMARY, BUFFERS, SETTINGS, WAL and FORMAT TEXT are accepted and
/// change nothing here; ANALYZE, TIMING and other formats are refused.
pub fn parse_options(opts: &[(String, Option<String>)]) -> PgResult<ExplainOptions> {
    let mut o = ExplainOptions::default();
    for (name, arg) in opts {
        let on = match arg.as_deref().map(str::to_lowercase).as_deref() {
            None | Some("true") | Some("on") | Some("1") => true,
            Some("false") | Some("off") | Some("0") => false,
            Some(v) if name == "format" => {
                if v != "text" {
                    return Err(PgError::not_supported(format!(
                        "EXPLAIN (FORMAT {})",
                        v.to_uppercase()
                    )));
                }
                true
            }
            Some(_) => {
                return Err(PgError::new(
                    sqlstate::SYNTAX_ERROR,
                    format!("{name} requires a Boolean value"),
                ))
            }
        };
        match name.as_str() {
            "costs" => o.costs = on,
            "verbose" | "summary" | "buffers" | "settings" | "wal" | "format" => {}
            "analyze" | "timing" if !on => {}
            "analyze" | "timing" => return Err(PgError::not_supported("EXPLAIN ANALYZE")),
            _ => {
                return Err(PgError::new(
                    sqlstate::SYNTAX_ERROR,
                    format!("unrecognized EXPLAIN option \"{name}\""),
                ))
            }
        }
    }
    Ok(o)
}

struct Out {
    lines: Vec<String>,
    costs: bool,
    /// The estimate of the node the next `node` line prints (a filter or
    /// projection folded into the node below shows its own).
    pending: Option<Est>,
}

impl Out {
    fn new(o: ExplainOptions) -> Out {
        Out {
            lines: Vec::new(),
            costs: o.costs,
            pending: None,
        }
    }

    fn node(&mut self, depth: usize, text: &str) {
        let est = self.pending.take();
        let text = match est {
            Some(e) if self.costs => format!(
                "{text}  (cost={:.2}..{:.2} rows={:.0} width={:.0})",
                e.startup, e.total, e.rows, e.width
            ),
            _ => text.to_owned(),
        };
        if depth == 0 {
            self.lines.push(text);
        } else {
            self.lines
                .push(format!("{}->  {text}", " ".repeat(depth * 6 - 4)));
        }
    }

    fn detail(&mut self, depth: usize, text: &str) {
        let indent = if depth == 0 { 2 } else { depth * 6 + 2 };
        self.lines.push(format!("{}{text}", " ".repeat(indent)));
    }
}

fn scan(out: &mut Out, s: &ScanPlan, depth: usize, join_key_names: Option<&[String]>) {
    if out.pending.is_none() {
        out.pending = Some(cost::scan_est(s));
    }
    let t = &s.table.table;
    let names = s.column_names();
    match &s.index {
        Some(ix) => {
            out.node(
                depth,
                &format!("Index Scan using {} on {}", ix.index.name, t.name),
            );
            let mut conds: Vec<String> = ix.conds.iter().map(|c| deparse(c, &names)).collect();
            if let Some(outer) = join_key_names {
                for (k, e) in ix.eq.iter().enumerate() {
                    let col = &t.columns[ix.index.columns[k]].name;
                    conds.push(format!("({col} = {})", deparse(e, outer)));
                }
            }
            if !conds.is_empty() {
                let c = if conds.len() == 1 {
                    conds.remove(0)
                } else {
                    format!("({})", conds.join(" AND "))
                };
                out.detail(depth, &format!("Index Cond: {c}"));
            }
        }
        None => out.node(depth, &format!("Seq Scan on {}", t.name)),
    }
    if let Some(f) = &s.filter {
        out.detail(depth, &format!("Filter: {}", deparse(f, &names)));
    }
}

fn walk(out: &mut Out, p: &Plan, depth: usize) {
    if out.pending.is_none() && out.costs {
        out.pending = Some(cost::estimate(p));
    }
    match p {
        Plan::Result => out.node(depth, "Result"),
        Plan::Values(rows) => out.node(
            depth,
            &format!("Values Scan on \"*VALUES*\" ({} rows)", rows.len()),
        ),
        Plan::ViewScan(v) => out.node(depth, &format!("Function Scan on {}", v.name)),
        Plan::Scan(s) => scan(out, s, depth, None),
        Plan::FunctionScan(f) => out.node(depth, &format!("Function Scan on {}", f.name())),
        Plan::Filter { input, predicate } => {
            // PostgreSQL folds a filter into the node below it.
            let names = output_names(input);
            walk(out, input, depth);
            out.detail(depth, &format!("Filter: {}", deparse(predicate, &names)));
        }
        Plan::Project { input, .. } => walk(out, input, depth),
        Plan::Aggregate {
            input,
            keys,
            grouping,
            ..
        } if !grouping.sets.is_empty() => {
            // Grouping sets: one hash table per set, as PostgreSQL's
            // MixedAggregate with one Group Key line per set.
            let names = output_names(input);
            out.node(depth, "MixedAggregate");
            for set in &grouping.sets {
                let k: Vec<String> = set.iter().map(|i| deparse(&keys[*i], &names)).collect();
                let k = if k.is_empty() {
                    "()".into()
                } else {
                    k.join(", ")
                };
                out.detail(depth, &format!("Group Key: {k}"));
            }
            walk(out, input, depth + 1);
        }
        Plan::Aggregate { input, keys, .. } => {
            let names = output_names(input);
            if keys.is_empty() {
                out.node(depth, "Aggregate");
            } else {
                out.node(depth, "HashAggregate");
                let k: Vec<String> = keys.iter().map(|k| deparse(k, &names)).collect();
                out.detail(depth, &format!("Group Key: {}", k.join(", ")));
            }
            walk(out, input, depth + 1);
        }
        Plan::WindowAgg { input, .. } => {
            out.node(depth, "WindowAgg");
            walk(out, input, depth + 1);
        }
        Plan::ProjectSet { input, .. } => {
            out.node(depth, "ProjectSet");
            walk(out, input, depth + 1);
        }
        Plan::Append(inputs) => {
            out.node(depth, "Append");
            for i in inputs {
                walk(out, i, depth + 1);
            }
        }
        Plan::SetOp {
            kind,
            all,
            left,
            right,
        } => {
            let what = if *kind == SetOpKind::Intersect {
                "Intersect"
            } else {
                "Except"
            };
            let all = if *all { " All" } else { "" };
            out.node(depth, &format!("HashSetOp {what}{all}"));
            walk(out, left, depth + 1);
            walk(out, right, depth + 1);
        }
        Plan::RecursiveUnion {
            non_recursive,
            recursive,
            ..
        } => {
            out.node(depth, "Recursive Union");
            walk(out, non_recursive, depth + 1);
            walk(out, recursive, depth + 1);
        }
        Plan::WorkTableScan { .. } => out.node(depth, "WorkTable Scan"),
        Plan::Distinct { input } | Plan::Unique { input, .. } => {
            out.node(depth, "Unique");
            walk(out, input, depth + 1);
        }
        Plan::Sort { input, keys } => {
            out.node(depth, "Sort");
            let names = output_names(input);
            let k: Vec<String> = keys
                .iter()
                .map(|k| {
                    let n = names.get(k.target).cloned().unwrap_or_default();
                    if k.desc {
                        format!("{n} DESC")
                    } else {
                        n
                    }
                })
                .collect();
            out.detail(depth, &format!("Sort Key: {}", k.join(", ")));
            walk(out, input, depth + 1);
        }
        Plan::Limit { input, .. } => {
            out.node(depth, "Limit");
            walk(out, input, depth + 1);
        }
        Plan::NestLoop {
            kind,
            left,
            right,
            cond,
            ..
        } => {
            out.node(depth, &format!("Nested Loop{}", nl_join_name(*kind)));
            if let Some(c) = cond {
                out.detail(
                    depth,
                    &format!("Join Filter: {}", deparse(c, &output_names(p))),
                );
            }
            walk(out, left, depth + 1);
            walk(out, right, depth + 1);
        }
        Plan::HashJoin {
            kind,
            left,
            right,
            left_keys,
            right_keys,
            cond,
            ..
        } => {
            out.node(depth, &format!("Hash{} Join", join_name(*kind)));
            let (ln, rn) = (output_names(left), output_names(right));
            let conds: Vec<String> = left_keys
                .iter()
                .zip(right_keys)
                .map(|(l, r)| format!("({} = {})", deparse(l, &ln), deparse(r, &rn)))
                .collect();
            out.detail(depth, &format!("Hash Cond: {}", conds.join(" AND ")));
            if let Some(c) = cond {
                out.detail(
                    depth,
                    &format!("Join Filter: {}", deparse(c, &output_names(p))),
                );
            }
            walk(out, left, depth + 1);
            if out.costs {
                // The Hash node costs what its input does.
                let e = cost::estimate(right);
                out.pending = Some(Est {
                    startup: e.total,
                    ..e
                });
            }
            out.node(depth + 1, "Hash");
            walk(out, right, depth + 2);
        }
        Plan::IndexNestLoop {
            kind,
            left,
            right,
            cond,
        } => {
            out.node(depth, &format!("Nested Loop{}", nl_join_name(*kind)));
            if let Some(c) = cond {
                out.detail(
                    depth,
                    &format!("Join Filter: {}", deparse(c, &output_names(p))),
                );
            }
            walk(out, left, depth + 1);
            scan(out, right, depth + 1, Some(&output_names(left)));
        }
    }
}

/// EXPLAIN of a query plan, one string per line.
pub fn explain_plan(p: &Plan, o: ExplainOptions) -> Vec<String> {
    let mut out = Out::new(o);
    walk(&mut out, p, 0);
    out.lines
}

/// EXPLAIN of INSERT/UPDATE/DELETE.
pub fn explain_modify(m: &Modify, o: ExplainOptions) -> Vec<String> {
    let mut out = Out::new(o);
    let t = &m.table.table.name;
    // ModifyTable returns no rows (without RETURNING) and costs what its
    // input does.
    let input = match &m.kind {
        ModifyKind::Insert { source, .. } => cost::estimate(source),
        ModifyKind::Update { scan: s, .. } | ModifyKind::Delete { scan: s, .. } => {
            cost::scan_est(s)
        }
    };
    out.pending = Some(Est {
        rows: 0.0,
        width: 0.0,
        ..input
    });
    match &m.kind {
        ModifyKind::Insert { source, .. } => {
            out.node(0, &format!("Insert on {t}"));
            walk(&mut out, source, 1);
        }
        ModifyKind::Update { scan: s, .. } => {
            out.node(0, &format!("Update on {t}"));
            scan(&mut out, s, 1, None);
        }
        ModifyKind::Delete { scan: s, .. } => {
            out.node(0, &format!("Delete on {t}"));
            scan(&mut out, s, 1, None);
        }
    }
    out.lines
}
