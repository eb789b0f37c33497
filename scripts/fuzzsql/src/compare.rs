//! Comparing one server's outcome with PostgreSQL's: results as multisets
//! of text rows (float8 columns within a relative tolerance, everything
//! else exactly, numeric included), errors by SQLSTATE class.

use std::cmp::Ordering;

use crate::schema::Ty;
use crate::target::{Outcome, Row};

/// How a server's outcome relates to PostgreSQL's.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Kind {
    /// The connection ended (FATAL, PANIC, reset).
    Crash,
    /// No answer within the timeout.
    Hang,
    /// The server was unreachable (gave up reconnecting).
    Down,
    /// pgfork failed where PostgreSQL returned rows.
    PgforkErrorOnly,
    /// pgfork failed where PostgreSQL returned no rows (often an error in
    /// an expression PostgreSQL never evaluated).
    PgforkErrorVsEmpty,
    /// pgfork returned rows where PostgreSQL failed.
    PostgresErrorOnly,
    /// pgfork returned no rows where PostgreSQL failed (often an error
    /// PostgreSQL raised while folding a constant at plan time).
    PostgresErrorVsEmpty,
    /// Both failed, with SQLSTATEs of different classes.
    ErrorClass,
    /// Both returned rows, and they differ.
    Values,
    /// pgfork refused with 0A000 (not a failure).
    Unsupported,
}

impl Kind {
    pub fn title(&self) -> &'static str {
        match self {
            Kind::Crash => "crashes (connection lost, FATAL or PANIC)",
            Kind::Hang => "hangs (no answer within the timeout)",
            Kind::Down => "server unreachable",
            Kind::PgforkErrorOnly => "pgfork fails where PostgreSQL returns rows",
            Kind::PostgresErrorOnly => "pgfork returns rows where PostgreSQL fails",
            Kind::PgforkErrorVsEmpty => {
                "pgfork fails where PostgreSQL returns no rows (PostgreSQL never evaluated the failing expression: \
                 short-circuit, or a strict function folded to NULL at plan time)"
            }
            Kind::PostgresErrorVsEmpty => {
                "pgfork returns no rows where PostgreSQL fails (PostgreSQL evaluated a constant expression at plan \
                 time; pgfork, with no row to evaluate it on, never did)"
            }
            Kind::ErrorClass => "both fail, with SQLSTATEs of different classes",
            Kind::Values => "different results",
            Kind::Unsupported => "unsupported in pgfork (0A000), by message",
        }
    }
}

/// The verdict on one server's outcome.
pub enum Verdict {
    Identical,
    /// Both failed in the same SQLSTATE class.
    BothError,
    /// PostgreSQL itself gave no usable answer (timeout, crash): skipped.
    ReferenceUnusable,
    Differs {
        kind: Kind,
        signature: String,
    },
}

pub fn judge(reference: &Outcome, other: &Outcome, types: &[Ty]) -> Verdict {
    use Outcome::*;
    match other {
        Crash(m) => {
            return Verdict::Differs {
                kind: Kind::Crash,
                signature: template(m),
            }
        }
        // Slow on PostgreSQL too: not a hang of pgfork's.
        Hang { .. } if matches!(reference, Hang { .. }) => return Verdict::ReferenceUnusable,
        Hang { cancelled } => {
            return Verdict::Differs {
                kind: Kind::Hang,
                signature: if *cancelled {
                    "answered the cancel request".into()
                } else {
                    "ignored the cancel request".into()
                },
            }
        }
        Down => {
            return Verdict::Differs {
                kind: Kind::Down,
                signature: String::new(),
            }
        }
        Error { code, message }
            if code == "0A000" && !matches!(reference, Error { code: c, .. } if c == "0A000") =>
        {
            return Verdict::Differs {
                kind: Kind::Unsupported,
                signature: template(message),
            }
        }
        _ => {}
    }
    match (reference, other) {
        (Crash(_) | Hang { .. } | Down, _) => Verdict::ReferenceUnusable,
        (Error { code: a, .. }, Error { code: b, message }) => {
            if a[..2] == b[..2] {
                Verdict::BothError
            } else {
                Verdict::Differs {
                    kind: Kind::ErrorClass,
                    signature: format!("PostgreSQL {a}, pgfork {b}: {}", template(message)),
                }
            }
        }
        (Rows(r), Error { code, message }) => Verdict::Differs {
            kind: if r.is_empty() {
                Kind::PgforkErrorVsEmpty
            } else {
                Kind::PgforkErrorOnly
            },
            signature: format!("{code}: {}", template(message)),
        },
        (Error { code, message }, Rows(r)) => Verdict::Differs {
            kind: if r.is_empty() {
                Kind::PostgresErrorVsEmpty
            } else {
                Kind::PostgresErrorOnly
            },
            signature: format!("PostgreSQL {code}: {}", template(message)),
        },
        (Rows(a), Rows(b)) => match compare_rows(a, b, types) {
            None => Verdict::Identical,
            Some(sig) => Verdict::Differs {
                kind: Kind::Values,
                signature: sig,
            },
        },
        (Rows(_) | Error { .. }, _) => unreachable!("handled above"),
    }
}

/// A row's comparison key: float8 values rounded to 12 significant digits.
fn canonical(row: &Row, types: &[Ty]) -> Row {
    row.iter()
        .enumerate()
        .map(|(i, v)| match (v, types.get(i)) {
            (Some(s), Some(t)) if t.is_float() => Some(canon_float(s)),
            _ => v.clone(),
        })
        .collect()
}

fn parse_float(s: &str) -> Option<f64> {
    match s {
        "NaN" => Some(f64::NAN),
        "Infinity" => Some(f64::INFINITY),
        "-Infinity" => Some(f64::NEG_INFINITY),
        _ => s.parse().ok(),
    }
}

fn canon_float(s: &str) -> String {
    match parse_float(s) {
        Some(v) if v.is_finite() && v != 0.0 => format!("{v:.11e}"),
        Some(0.0) => "0".to_string(),
        Some(_) => s.to_string(),
        None => s.to_string(),
    }
}

fn float_close(a: &str, b: &str) -> bool {
    if a == b {
        return true;
    }
    match (parse_float(a), parse_float(b)) {
        (Some(x), Some(y)) => {
            if x.is_nan() || y.is_nan() || x.is_infinite() || y.is_infinite() {
                return x.is_nan() && y.is_nan() || x == y;
            }
            let scale = x.abs().max(y.abs());
            (x - y).abs() <= 1e-9 * scale || (x - y).abs() < 1e-300
        }
        _ => false,
    }
}

/// None when the two results are the same multiset; otherwise a short
/// signature of the first difference (digits and letters folded, so that
/// the same kind of difference on other values gives the same signature).
pub fn compare_rows(a: &[Row], b: &[Row], types: &[Ty]) -> Option<String> {
    let width_a = a.first().map(|r| r.len());
    let width_b = b.first().map(|r| r.len());
    if let (Some(x), Some(y)) = (width_a, width_b) {
        if x != y {
            return Some(format!("{x} columns vs {y}"));
        }
    }
    let mut ka: Vec<(Row, &Row)> = a.iter().map(|r| (canonical(r, types), r)).collect();
    let mut kb: Vec<(Row, &Row)> = b.iter().map(|r| (canonical(r, types), r)).collect();
    ka.sort_by(|x, y| cmp_rows(&x.0, &y.0));
    kb.sort_by(|x, y| cmp_rows(&x.0, &y.0));
    if ka.len() == kb.len() {
        let mut diff = None;
        for ((_, ra), (_, rb)) in ka.iter().zip(&kb) {
            for (i, (va, vb)) in ra.iter().zip(rb.iter()).enumerate() {
                let ty = types.get(i).copied();
                let same = match (va, vb) {
                    (Some(x), Some(y)) => {
                        if ty.is_some_and(|t| t.is_float()) {
                            float_close(x, y)
                        } else {
                            x == y
                        }
                    }
                    (None, None) => true,
                    _ => false,
                };
                if !same && ty == Some(Ty::Numeric) {
                    diff = Some(numeric_difference(va.as_deref(), vb.as_deref()));
                    break;
                }
                if !same {
                    diff = Some(format!(
                        "{}: {} vs {}",
                        ty.map(|t| t.sql()).unwrap_or("?"),
                        shape(va.as_deref()),
                        shape(vb.as_deref())
                    ));
                    break;
                }
            }
            if diff.is_some() {
                break;
            }
        }
        return diff;
    }
    Some(format!(
        "row count {} vs {}",
        bucket(a.len()),
        bucket(b.len())
    ))
}

/// A numeric difference: the same value at another scale, or another
/// value.
fn numeric_difference(a: Option<&str>, b: Option<&str>) -> String {
    let decimals = |s: &str| s.split_once('.').map(|(_, f)| f.len()).unwrap_or(0);
    match (a, b) {
        (Some(x), Some(y)) => match (x.parse::<f64>(), y.parse::<f64>()) {
            (Ok(p), Ok(q)) if p == q => format!(
                "numeric: same value, different scale ({} vs {} decimals)",
                decimals(x).min(20),
                decimals(y).min(20)
            ),
            (Ok(p), Ok(q))
                if p.is_finite()
                    && q.is_finite()
                    && (p - q).abs() <= 1e-12 * p.abs().max(q.abs()) =>
            {
                "numeric: value differs in the last digits".to_string()
            }
            _ => format!("numeric: {} vs {}", shape(Some(x)), shape(Some(y))),
        },
        _ => format!("numeric: {} vs {}", shape(a), shape(b)),
    }
}

fn bucket(n: usize) -> &'static str {
    match n {
        0 => "0",
        1 => "1",
        2..=9 => "few",
        _ => "many",
    }
}

fn cmp_rows(a: &Row, b: &Row) -> Ordering {
    a.cmp(b)
}

/// A value's shape for signatures: digits become 9, letters a/A, other
/// characters kept; long values shortened.
fn shape(v: Option<&str>) -> String {
    match v {
        None => "NULL".to_string(),
        Some(s) => {
            let mut chars: Vec<char> = s
                .chars()
                .map(|c| {
                    if c.is_ascii_digit() {
                        '9'
                    } else if c.is_lowercase() {
                        'a'
                    } else if c.is_uppercase() {
                        'A'
                    } else {
                        c
                    }
                })
                .collect();
            // Runs of the same class collapse, so lengths do not matter.
            chars.dedup();
            let mut out: String = chars.into_iter().collect();
            if out.len() > 40 {
                out.truncate(40);
                out.push('…');
            }
            format!("'{out}'")
        }
    }
}

/// A message with its numbers and quoted parts replaced: the template
/// PostgreSQL's message catalog would have.
pub fn template(msg: &str) -> String {
    let mut out = String::new();
    let mut chars = msg.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '"' {
            out.push_str("\"…\"");
            for d in chars.by_ref() {
                if d == '"' {
                    break;
                }
            }
        } else if c.is_ascii_digit() {
            out.push('N');
            while chars
                .peek()
                .is_some_and(|d| d.is_ascii_digit() || *d == '.')
            {
                chars.next();
            }
        } else {
            out.push(c);
        }
    }
    if out.len() > 120 {
        let mut end = 120;
        while !out.is_char_boundary(end) {
            end -= 1;
        }
        out.truncate(end);
        out.push('…');
    }
    out
}

/// A result for the report: its first rows, or the error.
pub fn display(o: &Outcome, types: &[Ty], max_rows: usize) -> String {
    match o {
        Outcome::Rows(rows) => {
            let mut sorted: Vec<(Row, &Row)> =
                rows.iter().map(|r| (canonical(r, types), r)).collect();
            sorted.sort_by(|x, y| cmp_rows(&x.0, &y.0));
            let mut s = format!(
                "{} row{}",
                rows.len(),
                if rows.len() == 1 { "" } else { "s" }
            );
            for (_, r) in sorted.iter().take(max_rows) {
                let vals: Vec<String> = r
                    .iter()
                    .map(|v| match v {
                        None => "NULL".to_string(),
                        Some(x) => format!("{x:?}"),
                    })
                    .collect();
                s.push_str(&format!(" ({})", vals.join(", ")));
            }
            if rows.len() > max_rows {
                s.push_str(" …");
            }
            s
        }
        Outcome::Error { code, message } => format!("ERROR {code}: {message}"),
        Outcome::Crash(m) => format!("CRASH: {m}"),
        Outcome::Hang { cancelled } => format!(
            "HANG ({})",
            if *cancelled {
                "answered the cancel request"
            } else {
                "ignored the cancel request"
            }
        ),
        Outcome::Down => "server unreachable".to_string(),
    }
}

/// For a value difference: the first row each side has that the other
/// lacks (after sorting), for the report.
pub fn first_difference(a: &Outcome, b: &Outcome, types: &[Ty]) -> Option<(String, String)> {
    let (Outcome::Rows(ra), Outcome::Rows(rb)) = (a, b) else {
        return None;
    };
    let mut ka: Vec<Row> = ra.iter().map(|r| canonical(r, types)).collect();
    let mut kb: Vec<Row> = rb.iter().map(|r| canonical(r, types)).collect();
    ka.sort();
    kb.sort();
    // The multiset differences, by a merge of the sorted rows.
    let (mut only_a, mut only_b): (Vec<&Row>, Vec<&Row>) = (Vec::new(), Vec::new());
    let (mut i, mut j) = (0, 0);
    while i < ka.len() || j < kb.len() {
        match (ka.get(i), kb.get(j)) {
            (Some(x), Some(y)) if x == y => {
                i += 1;
                j += 1;
            }
            (Some(x), Some(y)) if x < y => {
                only_a.push(x);
                i += 1;
            }
            (Some(_), Some(y)) => {
                only_b.push(y);
                j += 1;
            }
            (Some(x), None) => {
                only_a.push(x);
                i += 1;
            }
            (None, Some(y)) => {
                only_b.push(y);
                j += 1;
            }
            (None, None) => break,
        }
    }
    let fmt = |rs: &[&Row]| -> String {
        if rs.is_empty() {
            return "(none)".to_string();
        }
        let mut s: Vec<String> = rs
            .iter()
            .take(3)
            .map(|r| {
                let v: Vec<String> = r
                    .iter()
                    .map(|v| match v {
                        None => "NULL".to_string(),
                        Some(x) => format!("{x:?}"),
                    })
                    .collect();
                format!("({})", v.join(", "))
            })
            .collect();
        if rs.len() > 3 {
            s.push(format!("… {} in all", rs.len()));
        }
        s.join(" ")
    };
    Some((fmt(&only_a), fmt(&only_b)))
}
