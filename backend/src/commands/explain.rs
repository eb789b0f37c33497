//! EXPLAIN: the plan tree as PostgreSQL prints it in text form, one line
//! per row ("Seq Scan on t", "Index Scan using t_pkey on t",
//! "  Index Cond: (id = 1)", "Hash Join", ...), each node with the
//! planner's estimate `(cost=startup..total rows=N width=W)`
//! (`optimizer::cost`), unless `EXPLAIN (COSTS OFF)`; with ANALYZE, what
//! the node did (`(actual time=S..T rows=N loops=L)`, rows removed by
//! its filters, with BUFFERS its shared buffer use) from the counters
//! of `executor::instrument`. Not shown, as pgfork does not measure
//! them: a Sort's method and memory, a Hash's buckets, batches and
//! memory, per-node WAL usage, trigger times.

use crate::commands::explain_format::{Detail, ENode, Prop};
use crate::error::{sqlstate, PgError, PgResult};
use crate::executor::instrument::{InstrOptions, NodeInstr, Registry};
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
        Expr::Distinct(a, b, false) => format!("({} IS DISTINCT FROM {})", d(a), d(b)),
        Expr::Distinct(a, b, true) => format!("(NOT ({} IS DISTINCT FROM {}))", d(a), d(b)),
        Expr::Cast(a, t, _) => format!("({})::{}", d(a), type_name(*t)),
        Expr::FieldSelect(a, _, _, name) => format!("({}).{name}", d(a)),
        Expr::Row(r) => format!(
            "ROW({})",
            r.args.iter().map(d).collect::<Vec<_>>().join(", ")
        ),
        Expr::DomainCheck(x) => format!("({})::{}", d(&x.arg), x.domain),
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
        Expr::Like {
            expr,
            pattern,
            escape: None,
            case_insensitive,
            negated,
        } => format!(
            "({} {} {})",
            d(expr),
            crate::analyze::viewdef::like_operator(*negated, *case_insensitive),
            d(pattern)
        ),
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

/// EXPLAIN's output formats.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ExplainFormat {
    Text,
    Json,
    Yaml,
    Xml,
}

/// EXPLAIN's options.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ExplainOptions {
    /// Run the statement and show what each node did.
    pub analyze: bool,
    pub costs: bool,
    /// Each node's time (ANALYZE only; on by default with it).
    pub timing: bool,
    /// Planning and execution times (on by default with ANALYZE).
    pub summary: bool,
    /// Each node's shared buffer hits, reads and writes (ANALYZE).
    pub buffers: bool,
    pub format: ExplainFormat,
}

impl Default for ExplainOptions {
    fn default() -> Self {
        ExplainOptions {
            analyze: false,
            costs: true,
            timing: false,
            summary: false,
            buffers: false,
            format: ExplainFormat::Text,
        }
    }
}

impl ExplainOptions {
    /// What the executor measures for EXPLAIN ANALYZE.
    pub fn instr(&self) -> InstrOptions {
        InstrOptions {
            timing: self.timing,
            buffers: self.buffers,
        }
    }
}

fn invalid(msg: String) -> PgError {
    PgError::new(sqlstate::INVALID_PARAMETER_VALUE, msg)
}

/// Reads EXPLAIN's options as PostgreSQL's ExplainQuery does: ANALYZE,
/// VERBOSE, COSTS, SETTINGS, BUFFERS, WAL, TIMING, SUMMARY [bool] and
/// FORMAT {TEXT | JSON | YAML | XML}, in any order, the last one of a
/// name winning; `analyze`/`verbose` are the unparenthesized keywords.
/// VERBOSE and SETTINGS are accepted and change nothing (pgfork has no
/// planner settings to list yet); WAL is refused with ANALYZE, which
/// would have to count each node's WAL records.
pub fn parse_options(opts: &[(String, Option<String>)], analyze: bool) -> PgResult<ExplainOptions> {
    let mut o = ExplainOptions {
        analyze,
        ..ExplainOptions::default()
    };
    let (mut timing, mut summary, mut wal) = (None, None, false);
    for (name, arg) in opts {
        let lower = arg.as_deref().map(str::to_lowercase);
        if name == "format" {
            o.format = match lower.as_deref() {
                Some("text") => ExplainFormat::Text,
                Some("json") => ExplainFormat::Json,
                Some("yaml") => ExplainFormat::Yaml,
                Some("xml") => ExplainFormat::Xml,
                Some(v) => {
                    return Err(invalid(format!(
                        "unrecognized value for EXPLAIN option \"format\": \"{v}\""
                    )))
                }
                None => {
                    return Err(PgError::new(
                        sqlstate::SYNTAX_ERROR,
                        "format requires a parameter",
                    ))
                }
            };
            continue;
        }
        let known = [
            "analyze", "verbose", "costs", "settings", "buffers", "wal", "timing", "summary",
        ];
        if !known.contains(&name.as_str()) {
            return Err(PgError::new(
                sqlstate::SYNTAX_ERROR,
                format!("unrecognized EXPLAIN option \"{name}\""),
            ));
        }
        let on = match lower.as_deref() {
            None | Some("true") | Some("on") | Some("1") => true,
            Some("false") | Some("off") | Some("0") => false,
            Some(_) => {
                return Err(PgError::new(
                    sqlstate::SYNTAX_ERROR,
                    format!("{name} requires a Boolean value"),
                ))
            }
        };
        match name.as_str() {
            "analyze" => o.analyze = on,
            "costs" => o.costs = on,
            "buffers" => o.buffers = on,
            "wal" => wal = on,
            "timing" => timing = Some(on),
            "summary" => summary = Some(on),
            _ => {}
        }
    }
    if wal && !o.analyze {
        return Err(invalid("EXPLAIN option WAL requires ANALYZE".into()));
    }
    o.timing = timing.unwrap_or(o.analyze);
    if o.timing && !o.analyze {
        return Err(invalid("EXPLAIN option TIMING requires ANALYZE".into()));
    }
    if wal {
        return Err(PgError::not_supported("EXPLAIN (ANALYZE, WAL)"));
    }
    o.summary = summary.unwrap_or(o.analyze);
    Ok(o)
}

struct Out<'r> {
    /// The nodes from the root to the one described last; a node is
    /// attached to its parent when a node at its depth or above starts.
    stack: Vec<ENode>,
    /// The estimate of the node the next `node` line prints (a filter or
    /// projection folded into the node below shows its own).
    pending: Option<Est>,
    /// EXPLAIN ANALYZE's counters, and (as `pending`) those of the node
    /// the next `node` line prints: Some(None) when it never ran.
    reg: Option<&'r Registry>,
    pending_actual: Option<Option<NodeInstr>>,
    costs: bool,
}

type Props<'a> = &'a [(&'static str, &'a str)];

impl<'r> Out<'r> {
    fn new(o: ExplainOptions, reg: Option<&'r Registry>) -> Out<'r> {
        Out {
            stack: Vec::new(),
            pending: None,
            reg: reg.filter(|_| o.analyze),
            pending_actual: None,
            costs: o.costs,
        }
    }

    /// Sets the counters the next node line shows, unless a node folded
    /// into it has.
    fn actual(&mut self, f: impl FnOnce(&Registry) -> Option<NodeInstr>) {
        if let (Some(reg), None) = (self.reg, &self.pending_actual) {
            self.pending_actual = Some(f(reg));
        }
    }

    /// Attaches the innermost node to its parent.
    fn pop(&mut self) {
        if self.stack.len() < 2 {
            return;
        }
        let Some(mut child) = self.stack.pop() else {
            return;
        };
        let Some(parent) = self.stack.last_mut() else {
            return;
        };
        if child.relationship.is_none() {
            let members = parent.head.first().is_some_and(|(_, t)| t == "Append");
            let plans = parent
                .children
                .iter()
                .filter(|c| c.subplan_name.is_none())
                .count();
            child.relationship = Some(match (members, plans) {
                (true, _) => "Member",
                (false, 0) => "Outer",
                _ => "Inner",
            });
        }
        parent.children.push(child);
    }

    /// Starts the node at `depth` (its text name `label`; `head` begins
    /// with its Node Type; `target` names what it reads).
    fn node_with(&mut self, depth: usize, label: &str, head: Props, target: Props) {
        while self.stack.len() > depth.max(1) {
            self.pop();
        }
        let owned = |p: Props| p.iter().map(|(k, v)| (*k, (*v).to_owned())).collect();
        self.stack.push(ENode {
            label: label.to_owned(),
            head: owned(head),
            target: owned(target),
            est: self.pending.take(),
            actual: self.pending_actual.take(),
            ..ENode::default()
        });
    }

    /// A node whose Node Type is its text name.
    fn node(&mut self, depth: usize, label: &str) {
        self.node_with(depth, label, &[("Node Type", label)], &[]);
    }

    fn detail_prop(&mut self, depth: usize, key: &str, val: Prop, in_text: bool) {
        if let Some(n) = self.stack.get_mut(depth) {
            n.details.push(Detail {
                key: key.to_owned(),
                val,
                in_text,
            });
        }
    }

    /// A "Key: value" detail of the node at `depth`.
    fn detail(&mut self, depth: usize, key: &str, val: String) {
        self.detail_prop(depth, key, Prop::Text(val), true);
    }

    /// "Rows Removed by Filter: N" (or Join Filter) under a filter line,
    /// with ANALYZE, per loop as PostgreSQL; TEXT shows it only when the
    /// node removed any.
    fn removed(
        &mut self,
        depth: usize,
        what: &str,
        instr: Option<&NodeInstr>,
        n: fn(&NodeInstr) -> u64,
    ) {
        if self.reg.is_none() {
            return;
        }
        let per_loop = instr
            .filter(|i| i.nloops > 0)
            .map_or(0.0, |i| n(i) as f64 / i.nloops as f64);
        self.detail_prop(
            depth,
            &format!("Rows Removed by {what}"),
            Prop::Num(format!("{per_loop:.0}")),
            per_loop > 0.0,
        );
    }

    fn finish(mut self) -> ENode {
        while self.stack.len() > 1 {
            self.pop();
        }
        self.stack.pop().unwrap_or_default()
    }
}

/// A scan's lines; `own` is its counters when it is a plan node of its
/// own (else those kept by the scan's address are used).
fn scan(
    out: &mut Out,
    s: &ScanPlan,
    depth: usize,
    join_key_names: Option<&[String]>,
    own: Option<Option<NodeInstr>>,
) {
    if out.pending.is_none() {
        out.pending = Some(cost::scan_est(s));
    }
    let own = match own {
        Some(i) => i,
        None => out.reg.and_then(|r| r.scan(s)),
    };
    let own_for_line = own.clone();
    out.actual(|_| own_for_line);
    let t = &s.table.table;
    let names = s.column_names();
    match &s.index {
        None if s.tid.is_some() => {
            out.node_with(
                depth,
                &format!("Tid Scan on {}", t.name),
                &[("Node Type", "Tid Scan")],
                &[("Relation Name", &t.name), ("Alias", &t.name)],
            );
            if let Some((_, c)) = &s.tid {
                out.detail(depth, "TID Cond", deparse(c, &names));
            }
        }
        Some(ix) => {
            let backward = if ix.backward { " Backward" } else { "" };
            out.node_with(
                depth,
                &format!("Index Scan{backward} using {} on {}", ix.index.name, t.name),
                &[("Node Type", "Index Scan")],
                &[
                    (
                        "Scan Direction",
                        if ix.backward { "Backward" } else { "Forward" },
                    ),
                    ("Index Name", &ix.index.name),
                    ("Relation Name", &t.name),
                    ("Alias", &t.name),
                ],
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
                out.detail(depth, "Index Cond", c);
                if out.reg.is_some() {
                    // B-tree conditions are exact: nothing is rechecked.
                    out.detail_prop(
                        depth,
                        "Rows Removed by Index Recheck",
                        Prop::Num("0".into()),
                        false,
                    );
                }
            }
        }
        None => out.node_with(
            depth,
            &format!("Seq Scan on {}", t.name),
            &[("Node Type", "Seq Scan")],
            &[("Relation Name", &t.name), ("Alias", &t.name)],
        ),
    }
    if let Some(f) = &s.filter {
        out.detail(depth, "Filter", deparse(f, &names));
        out.removed(depth, "Filter", own.as_ref(), |i| i.nfiltered1);
    }
}

fn walk(out: &mut Out, p: &Plan, depth: usize) {
    if out.pending.is_none() && out.costs {
        out.pending = Some(cost::estimate(p));
    }
    // A scan sets its line's counters itself (with its own filter's).
    if !matches!(p, Plan::Scan(_)) {
        out.actual(|r| r.plan(p));
    }
    match p {
        Plan::Result => out.node(depth, "Result"),
        Plan::Values(_) => out.node_with(
            depth,
            "Values Scan on \"*VALUES*\"",
            &[("Node Type", "Values Scan")],
            &[("Alias", "*VALUES*")],
        ),
        Plan::ViewScan(v) => function_scan(out, depth, v.name),
        Plan::Scan(s) => {
            let own = out.reg.map(|r| r.plan(p));
            scan(out, s, depth, None, own)
        }
        Plan::FunctionScan(f) => function_scan(out, depth, f.name()),
        Plan::Filter { input, predicate } => {
            // PostgreSQL folds a filter into the node below it.
            let names = output_names(input);
            let own = out.reg.and_then(|r| r.plan(p));
            walk(out, input, depth);
            out.detail(depth, "Filter", deparse(predicate, &names));
            out.removed(depth, "Filter", own.as_ref(), |i| i.nfiltered1);
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
            out.node_with(
                depth,
                "MixedAggregate",
                &[
                    ("Node Type", "Aggregate"),
                    ("Strategy", "Mixed"),
                    ("Partial Mode", "Simple"),
                ],
                &[],
            );
            for set in &grouping.sets {
                let k: Vec<String> = set.iter().map(|i| deparse(&keys[*i], &names)).collect();
                let k = if k.is_empty() {
                    "()".into()
                } else {
                    k.join(", ")
                };
                // The structured formats' "Grouping Sets" are not written.
                out.detail_prop(depth, "Group Key", Prop::Text(k), true);
            }
            walk(out, input, depth + 1);
        }
        Plan::Aggregate { input, keys, .. } => {
            let names = output_names(input);
            if keys.is_empty() {
                out.node_with(
                    depth,
                    "Aggregate",
                    &[
                        ("Node Type", "Aggregate"),
                        ("Strategy", "Plain"),
                        ("Partial Mode", "Simple"),
                    ],
                    &[],
                );
            } else {
                out.node_with(
                    depth,
                    "HashAggregate",
                    &[
                        ("Node Type", "Aggregate"),
                        ("Strategy", "Hashed"),
                        ("Partial Mode", "Simple"),
                    ],
                    &[],
                );
                let k: Vec<String> = keys.iter().map(|k| deparse(k, &names)).collect();
                out.detail_prop(depth, "Group Key", Prop::List(k), true);
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
            out.node_with(
                depth,
                &format!("HashSetOp {what}{all}"),
                &[("Node Type", "SetOp"), ("Strategy", "Hashed")],
                &[("Command", &format!("{what}{all}"))],
            );
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
                    // As PostgreSQL: the direction, and the NULLs' place
                    // where it is not the direction's default.
                    match (k.desc, k.nulls_first) {
                        (false, false) => n,
                        (false, true) => format!("{n} NULLS FIRST"),
                        (true, true) => format!("{n} DESC"),
                        (true, false) => format!("{n} DESC NULLS LAST"),
                    }
                })
                .collect();
            out.detail_prop(depth, "Sort Key", Prop::List(k), true);
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
            join_node(out, depth, "Nested Loop", nl_join_name(*kind), *kind);
            join_filter(out, p, cond.as_ref(), depth);
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
            join_node(
                out,
                depth,
                "Hash Join",
                &format!("Hash{} Join", join_name(*kind)),
                *kind,
            );
            let (ln, rn) = (output_names(left), output_names(right));
            let conds: Vec<String> = left_keys
                .iter()
                .zip(right_keys)
                .map(|(l, r)| format!("({} = {})", deparse(l, &ln), deparse(r, &rn)))
                .collect();
            out.detail(depth, "Hash Cond", conds.join(" AND "));
            join_filter(out, p, cond.as_ref(), depth);
            walk(out, left, depth + 1);
            if out.costs {
                // The Hash node costs what its input does.
                let e = cost::estimate(right);
                out.pending = Some(Est {
                    startup: e.total,
                    ..e
                });
            }
            out.actual(|r| r.hash(p));
            out.node(depth + 1, "Hash");
            walk(out, right, depth + 2);
        }
        Plan::IndexNestLoop {
            kind,
            left,
            right,
            cond,
        } => {
            join_node(out, depth, "Nested Loop", nl_join_name(*kind), *kind);
            join_filter(out, p, cond.as_ref(), depth);
            walk(out, left, depth + 1);
            scan(out, right, depth + 1, Some(&output_names(left)), None);
        }
    }
}

/// A join's "Join Filter" line, and with ANALYZE the rows it removed.
fn join_filter(out: &mut Out, p: &Plan, cond: Option<&Expr>, depth: usize) {
    if let Some(c) = cond {
        out.detail(depth, "Join Filter", deparse(c, &output_names(p)));
        let own = out.reg.and_then(|r| r.plan(p));
        out.removed(depth, "Join Filter", own.as_ref(), |i| i.nfiltered1);
    }
}

/// A Function Scan node.
fn function_scan(out: &mut Out, depth: usize, name: &str) {
    out.node_with(
        depth,
        &format!("Function Scan on {name}"),
        &[("Node Type", "Function Scan")],
        &[("Function Name", name), ("Alias", name)],
    );
}

/// A join node: `ty` its Node Type, `label` its text name (a bare
/// suffix such as " Left Join" is appended to `ty`).
fn join_node(out: &mut Out, depth: usize, ty: &str, label: &str, kind: JoinKind) {
    let label = if label.is_empty() || label.starts_with(' ') {
        format!("{ty}{label}")
    } else {
        label.to_owned()
    };
    let join_type = match kind {
        JoinKind::Left => "Left",
        JoinKind::Right => "Right",
        JoinKind::Full => "Full",
        JoinKind::Inner | JoinKind::Cross => "Inner",
    };
    out.node_with(
        depth,
        &label,
        &[("Node Type", ty)],
        &[("Join Type", join_type)],
    );
    // pgfork does not prove inner sides unique.
    out.detail_prop(depth, "Inner Unique", Prop::Bool(false), false);
}

/// EXPLAIN of a query plan as a tree of described nodes; with `reg`,
/// the counters of its EXPLAIN ANALYZE run.
pub fn explain_plan(p: &Plan, o: ExplainOptions, reg: Option<&Registry>) -> ENode {
    let mut out = Out::new(o, reg);
    walk(&mut out, p, 0);
    out.finish()
}

/// The key of a ModifyTable node's counters in EXPLAIN ANALYZE's
/// registry.
pub fn modify_key(m: &Modify) -> usize {
    m as *const Modify as usize
}

/// EXPLAIN of INSERT/UPDATE/DELETE.
pub fn explain_modify(m: &Modify, o: ExplainOptions, reg: Option<&Registry>) -> ENode {
    let mut out = Out::new(o, reg);
    out.actual(|r| r.other(modify_key(m)));
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
            out.node_with(
                0,
                &format!("Insert on {t}"),
                &[("Node Type", "ModifyTable"), ("Operation", "Insert")],
                &[("Relation Name", t), ("Alias", t)],
            );
            walk(&mut out, source, 1);
        }
        ModifyKind::Update { scan: s, .. } => {
            out.node_with(
                0,
                &format!("Update on {t}"),
                &[("Node Type", "ModifyTable"), ("Operation", "Update")],
                &[("Relation Name", t), ("Alias", t)],
            );
            scan(&mut out, s, 1, None, None);
        }
        ModifyKind::Delete { scan: s, .. } => {
            out.node_with(
                0,
                &format!("Delete on {t}"),
                &[("Node Type", "ModifyTable"), ("Operation", "Delete")],
                &[("Relation Name", t), ("Alias", t)],
            );
            scan(&mut out, s, 1, None, None);
        }
    }
    out.finish()
}
