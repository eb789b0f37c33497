//! EXPLAIN's output: the plan as a tree of described nodes (`ENode`,
//! built by `commands::explain`) written in PostgreSQL 15's formats —
//! TEXT (one line per row: "->  Seq Scan on t  (cost=...)", details
//! indented under it), and JSON, YAML and XML (one value holding the
//! whole document, with PostgreSQL's property names and nesting: "Plan",
//! "Node Type", "Parent Relationship", "Startup Cost", "Actual Rows",
//! "Plans", ..., then "Planning Time", "Triggers", "Execution Time").

use crate::executor::instrument::NodeInstr;
use crate::optimizer::cost::Est;

use super::explain::ExplainFormat;

/// A property's value.
#[derive(Clone, Debug)]
pub enum Prop {
    Text(String),
    /// A number, already formatted.
    Num(String),
    Bool(bool),
    /// A list of expressions ("Sort Key", "Group Key").
    List(Vec<String>),
}

/// A node property shown after the estimates and actuals ("Filter",
/// "Rows Removed by Filter", "Hash Cond", ...).
#[derive(Clone, Debug)]
pub struct Detail {
    pub key: String,
    pub val: Prop,
    /// Shown in the TEXT format (PostgreSQL leaves out there what the
    /// structured formats always have: zero rows removed, Inner Unique).
    pub in_text: bool,
}

/// One plan node as EXPLAIN describes it.
#[derive(Clone, Debug, Default)]
pub struct ENode {
    /// The TEXT format's name for it ("Hash Left Join", "Seq Scan on t").
    pub label: String,
    /// "Node Type" and what PostgreSQL puts right after it (Strategy,
    /// Partial Mode, Operation).
    pub head: Vec<(&'static str, String)>,
    /// What it reads (Scan Direction, Index Name, Relation Name, Alias,
    /// Function Name, Join Type, Command).
    pub target: Vec<(&'static str, String)>,
    pub est: Option<Est>,
    /// With ANALYZE: its counters (None: never executed).
    pub actual: Option<Option<NodeInstr>>,
    pub details: Vec<Detail>,
    /// "Outer", "Inner", "Member", "InitPlan" (set by the parent).
    pub relationship: Option<&'static str>,
    /// A subplan's name ("CTE d").
    pub subplan_name: Option<String>,
    /// Subplans (CTEs) first, then the children, as PostgreSQL lists them.
    pub children: Vec<ENode>,
}

/// What the whole document shows besides the plan.
#[derive(Clone, Copy, Debug, Default)]
pub struct Summary {
    pub analyze: bool,
    pub costs: bool,
    pub timing: bool,
    pub buffers: bool,
    pub planning_ns: Option<u64>,
    pub execution_ns: Option<u64>,
}

fn ms(ns: u64) -> String {
    format!("{:.3}", ns as f64 / 1e6)
}

/// (startup ms, total ms, rows, loops) per loop, as PostgreSQL averages.
fn per_loop(i: &NodeInstr) -> (f64, f64, f64, f64) {
    let loops = i.nloops as f64;
    (
        i.startup_ns as f64 / 1e6 / loops,
        i.total_ns as f64 / 1e6 / loops,
        i.ntuples as f64 / loops,
        loops,
    )
}

/// The document in `format`: TEXT as one string per line, the others
/// as one string.
pub fn render(root: &ENode, s: &Summary, format: ExplainFormat) -> Vec<String> {
    match format {
        ExplainFormat::Text => {
            let mut lines = Vec::new();
            text_node(root, -4, s, &mut lines);
            if let Some(p) = s.planning_ns {
                lines.push(format!("Planning Time: {} ms", ms(p)));
            }
            if let Some(e) = s.execution_ns {
                lines.push(format!("Execution Time: {} ms", ms(e)));
            }
            lines
        }
        _ => vec![structured(root, s, format)],
    }
}

fn spaces(n: isize) -> String {
    " ".repeat(n.max(0) as usize)
}

/// A node in TEXT form, its line indented `indent` spaces before "->  "
/// (the root: -4, no arrow).
fn text_node(n: &ENode, indent: isize, s: &Summary, out: &mut Vec<String>) {
    let mut line = n.label.clone();
    if let (Some(e), true) = (&n.est, s.costs) {
        line.push_str(&format!(
            "  (cost={:.2}..{:.2} rows={:.0} width={:.0})",
            e.startup, e.total, e.rows, e.width
        ));
    }
    let mut buffers = None;
    if let Some(actual) = &n.actual {
        match actual.as_ref().filter(|i| i.nloops > 0) {
            Some(i) => {
                let (st, tot, rows, loops) = per_loop(i);
                if s.timing {
                    line.push_str(&format!(
                        " (actual time={st:.3}..{tot:.3} rows={rows:.0} loops={loops:.0})"
                    ));
                } else {
                    line.push_str(&format!(" (actual rows={rows:.0} loops={loops:.0})"));
                }
                let b = i.buffers;
                if s.buffers && !b.is_zero() {
                    let parts: Vec<String> =
                        [("hit", b.hit), ("read", b.read), ("written", b.written)]
                            .iter()
                            .filter(|(_, v)| *v > 0)
                            .map(|(k, v)| format!("{k}={v}"))
                            .collect();
                    buffers = Some(format!("Buffers: shared {}", parts.join(" ")));
                }
            }
            None => line.push_str(" (never executed)"),
        }
    }
    if indent < 0 {
        out.push(line);
    } else {
        out.push(format!("{}->  {line}", spaces(indent)));
    }
    let detail = spaces(indent + 6);
    for d in n.details.iter().filter(|d| d.in_text) {
        let v = match &d.val {
            Prop::Text(t) | Prop::Num(t) => t.clone(),
            Prop::Bool(b) => b.to_string(),
            Prop::List(l) => l.join(", "),
        };
        out.push(format!("{detail}{}: {v}", d.key));
    }
    if let Some(b) = buffers {
        out.push(format!("{detail}{b}"));
    }
    for c in &n.children {
        match &c.subplan_name {
            Some(name) => {
                out.push(format!("{detail}{name}"));
                text_node(c, indent + 8, s, out);
            }
            None => text_node(c, indent + 6, s, out),
        }
    }
}

/// Writes the structured formats: each group and property through one
/// writer, as PostgreSQL's ExplainOpenGroup/ExplainProperty do.
struct W {
    format: ExplainFormat,
    buf: String,
    indent: usize,
    /// Per open group: whether it has a member yet (JSON commas, YAML's
    /// "- " on a list's first property).
    first: Vec<bool>,
}

fn escape_json(s: &str) -> String {
    let mut o = String::with_capacity(s.len() + 2);
    o.push('"');
    for c in s.chars() {
        match c {
            '"' => o.push_str("\\\""),
            '\\' => o.push_str("\\\\"),
            '\n' => o.push_str("\\n"),
            '\r' => o.push_str("\\r"),
            '\t' => o.push_str("\\t"),
            '\u{8}' => o.push_str("\\b"),
            '\u{c}' => o.push_str("\\f"),
            c if (c as u32) < 0x20 => o.push_str(&format!("\\u{:04x}", c as u32)),
            c => o.push(c),
        }
    }
    o.push('"');
    o
}

fn escape_xml(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

fn xml_tag(key: &str) -> String {
    key.replace(' ', "-")
}

impl W {
    fn pad(&mut self) {
        let n = self.indent * 2;
        self.buf.push_str(&" ".repeat(n));
    }

    /// Starts a member of the current group on a new line.
    fn line_start(&mut self) {
        match self.format {
            ExplainFormat::Json => {
                if let Some(f) = self.first.last_mut() {
                    if !*f {
                        self.buf.push(',');
                    }
                    *f = false;
                }
                self.buf.push('\n');
                self.pad();
            }
            ExplainFormat::Yaml => {
                // The first property of a list element follows its "- ".
                if let Some(f) = self.first.last_mut() {
                    if *f {
                        *f = false;
                        return;
                    }
                }
                self.buf.push('\n');
                self.pad();
            }
            _ => {
                self.buf.push('\n');
                self.pad();
            }
        }
    }

    fn prop(&mut self, key: &str, val: &Prop) {
        self.line_start();
        match self.format {
            ExplainFormat::Json => {
                let v = match val {
                    Prop::Text(t) => escape_json(t),
                    Prop::Num(n) => n.clone(),
                    Prop::Bool(b) => b.to_string(),
                    Prop::List(l) => format!(
                        "[{}]",
                        l.iter()
                            .map(|x| escape_json(x))
                            .collect::<Vec<_>>()
                            .join(", ")
                    ),
                };
                self.buf.push_str(&format!("{}: {v}", escape_json(key)));
            }
            ExplainFormat::Yaml => match val {
                Prop::List(l) => {
                    self.buf.push_str(&format!("{key}: "));
                    for x in l {
                        self.buf.push('\n');
                        self.pad();
                        self.buf.push_str(&format!("  - {}", escape_json(x)));
                    }
                }
                Prop::Text(t) => self.buf.push_str(&format!("{key}: {}", escape_json(t))),
                Prop::Num(n) => self.buf.push_str(&format!("{key}: {n}")),
                Prop::Bool(b) => self.buf.push_str(&format!("{key}: {b}")),
            },
            _ => {
                let tag = xml_tag(key);
                match val {
                    Prop::List(l) => {
                        self.buf.push_str(&format!("<{tag}>"));
                        for x in l {
                            self.buf.push('\n');
                            self.pad();
                            self.buf
                                .push_str(&format!("  <Item>{}</Item>", escape_xml(x)));
                        }
                        self.buf.push('\n');
                        self.pad();
                        self.buf.push_str(&format!("</{tag}>"));
                    }
                    Prop::Text(t) | Prop::Num(t) => self
                        .buf
                        .push_str(&format!("<{tag}>{}</{tag}>", escape_xml(t))),
                    Prop::Bool(b) => self.buf.push_str(&format!("<{tag}>{b}</{tag}>")),
                }
            }
        }
    }

    fn text(&mut self, key: &str, v: &str) {
        self.prop(key, &Prop::Text(v.to_owned()));
    }

    fn num(&mut self, key: &str, v: String) {
        self.prop(key, &Prop::Num(v));
    }

    /// Opens a labelled group: an object (`labelled`) or an array.
    /// XML names it by `xml_name` (the label, or "Plan" for a plan in
    /// "Plans").
    fn open(&mut self, label: Option<&str>, object: bool, xml_name: Option<&str>) {
        match self.format {
            ExplainFormat::Json => {
                self.line_start();
                if let Some(l) = label {
                    self.buf.push_str(&format!("{}: ", escape_json(l)));
                }
                self.buf.push(if object { '{' } else { '[' });
            }
            ExplainFormat::Yaml => {
                self.line_start();
                match label {
                    Some(l) => self.buf.push_str(&format!("{l}: ")),
                    // An unlabelled object: a list element.
                    None => {
                        self.buf.push_str("- ");
                    }
                }
            }
            _ => {
                if let Some(n) = xml_name.or(label) {
                    self.buf.push('\n');
                    self.pad();
                    self.buf.push_str(&format!("<{}>", xml_tag(n)));
                }
            }
        }
        self.indent += 1;
        self.first.push(true);
        if self.format == ExplainFormat::Yaml && label.is_some() {
            // A labelled group's members go on their own lines.
            if let Some(f) = self.first.last_mut() {
                *f = false;
            }
        }
    }

    fn close(&mut self, label: Option<&str>, object: bool, xml_name: Option<&str>) {
        self.indent -= 1;
        self.first.pop();
        match self.format {
            ExplainFormat::Json => {
                self.buf.push('\n');
                self.pad();
                self.buf.push(if object { '}' } else { ']' });
            }
            ExplainFormat::Yaml => {}
            _ => {
                if let Some(n) = xml_name.or(label) {
                    self.buf.push('\n');
                    self.pad();
                    self.buf.push_str(&format!("</{}>", xml_tag(n)));
                }
            }
        }
    }

    fn node(&mut self, n: &ENode, s: &Summary) {
        for (k, v) in &n.head {
            self.text(k, v);
        }
        if let Some(r) = n.relationship {
            self.text("Parent Relationship", r);
        }
        if let Some(name) = &n.subplan_name {
            self.text("Subplan Name", name);
        }
        self.prop("Parallel Aware", &Prop::Bool(false));
        self.prop("Async Capable", &Prop::Bool(false));
        for (k, v) in &n.target {
            self.text(k, v);
        }
        if let (Some(e), true) = (&n.est, s.costs) {
            self.num("Startup Cost", format!("{:.2}", e.startup));
            self.num("Total Cost", format!("{:.2}", e.total));
            self.num("Plan Rows", format!("{:.0}", e.rows));
            self.num("Plan Width", format!("{:.0}", e.width));
        }
        let mut instr = None;
        if let Some(actual) = &n.actual {
            let i = actual.as_ref().filter(|i| i.nloops > 0);
            let (st, tot, rows, loops) = i.map(per_loop).unwrap_or_default();
            if s.timing {
                self.num("Actual Startup Time", format!("{st:.3}"));
                self.num("Actual Total Time", format!("{tot:.3}"));
            }
            self.num("Actual Rows", format!("{rows:.0}"));
            self.num("Actual Loops", format!("{loops:.0}"));
            instr = i;
        }
        for d in &n.details {
            self.prop(&d.key, &d.val);
        }
        if s.buffers && n.actual.is_some() {
            let b = instr.map(|i| i.buffers).unwrap_or_default();
            // pgfork has no local or temporary buffers; it does not
            // count the pages a node dirties, so that one is left out.
            self.num("Shared Hit Blocks", b.hit.to_string());
            self.num("Shared Read Blocks", b.read.to_string());
            self.num("Shared Written Blocks", b.written.to_string());
            for k in [
                "Local Hit Blocks",
                "Local Read Blocks",
                "Local Dirtied Blocks",
                "Local Written Blocks",
                "Temp Read Blocks",
                "Temp Written Blocks",
            ] {
                self.num(k, "0".into());
            }
        }
        if !n.children.is_empty() {
            self.open(Some("Plans"), false, None);
            for c in &n.children {
                self.open(None, true, Some("Plan"));
                self.node(c, s);
                self.close(None, true, Some("Plan"));
            }
            self.close(Some("Plans"), false, None);
        }
    }
}

fn structured(root: &ENode, s: &Summary, format: ExplainFormat) -> String {
    let mut w = W {
        format,
        buf: String::new(),
        indent: 0,
        first: Vec::new(),
    };
    match format {
        ExplainFormat::Json => {
            w.buf.push('[');
            w.indent = 1;
            w.first.push(true);
            w.open(None, true, None);
        }
        ExplainFormat::Yaml => {
            w.first.push(true);
            w.open(None, true, None);
        }
        _ => {
            w.buf
                .push_str("<explain xmlns=\"http://www.postgresql.org/2009/explain\">");
            w.indent = 1;
            w.open(Some("Query"), true, None);
        }
    }
    w.open(Some("Plan"), true, None);
    w.node(root, s);
    w.close(Some("Plan"), true, None);
    if let Some(p) = s.planning_ns {
        w.num("Planning Time", ms(p));
    }
    if s.analyze {
        // pgfork runs no triggers (its foreign keys are checked inside
        // the statement), so the list is empty.
        w.open(Some("Triggers"), false, None);
        if format == ExplainFormat::Xml {
            w.buf.push('\n');
            w.buf.push_str(&" ".repeat((w.indent - 1) * 2));
        }
        w.close_empty_triggers();
    }
    if let Some(e) = s.execution_ns {
        w.num("Execution Time", ms(e));
    }
    match format {
        ExplainFormat::Json => {
            w.close(None, true, None);
            w.buf.push_str("\n]");
        }
        ExplainFormat::Yaml => {}
        _ => {
            w.close(Some("Query"), true, None);
            w.buf.push_str("\n</explain>");
        }
    }
    w.buf
}

impl W {
    /// Closes the empty "Triggers" list as PostgreSQL writes it: `[` and
    /// `]` on lines of their own in JSON, the bare label in YAML.
    fn close_empty_triggers(&mut self) {
        self.indent -= 1;
        self.first.pop();
        match self.format {
            ExplainFormat::Json => {
                self.buf.push('\n');
                self.pad();
                self.buf.push(']');
            }
            ExplainFormat::Yaml => {}
            _ => {
                self.buf.push_str("</Triggers>");
            }
        }
    }
}
