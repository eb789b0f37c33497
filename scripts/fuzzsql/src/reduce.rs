//! Shrinking a query that shows a difference, so that the report can show
//! something a person can read: greedy, text-level reductions (drop a
//! clause, drop a select-list item, replace a parenthesized group or a
//! function call by one of its operands or by NULL), each kept only if
//! the reduced query still shows the same difference (same kind and
//! signature) between PostgreSQL and the server where it was found.

use crate::schema::Ty;

/// A candidate query and the types of its output columns.
#[derive(Clone, Debug)]
pub struct Candidate {
    pub sql: String,
    pub types: Vec<Ty>,
}

/// Byte offsets of the characters outside string literals, with their
/// parenthesis depth (None inside a literal).
fn depths(sql: &str) -> Vec<Option<u32>> {
    let b = sql.as_bytes();
    let mut out = vec![None; b.len()];
    let mut depth = 0u32;
    let mut in_str = false;
    let mut i = 0;
    while i < b.len() {
        let c = b[i];
        if in_str {
            if c == b'\'' {
                if i + 1 < b.len() && b[i + 1] == b'\'' {
                    i += 2;
                    continue;
                }
                in_str = false;
            }
            i += 1;
            continue;
        }
        match c {
            b'\'' => in_str = true,
            b'(' => {
                out[i] = Some(depth);
                depth += 1;
                i += 1;
                continue;
            }
            b')' => {
                depth = depth.saturating_sub(1);
            }
            _ => {}
        }
        out[i] = Some(depth);
        i += 1;
    }
    out
}

/// Matching parenthesis pairs (open, close).
fn paren_pairs(sql: &str, d: &[Option<u32>]) -> Vec<(usize, usize)> {
    let b = sql.as_bytes();
    let mut stack = Vec::new();
    let mut pairs = Vec::new();
    for i in 0..b.len() {
        if d[i].is_none() {
            continue;
        }
        if b[i] == b'(' {
            stack.push(i);
        } else if b[i] == b')' {
            if let Some(o) = stack.pop() {
                pairs.push((o, i));
            }
        }
    }
    pairs
}

/// Positions where `word` starts at depth `depth`, outside literals.
fn find_at_depth(
    sql: &str,
    d: &[Option<u32>],
    word: &str,
    depth: u32,
    from: usize,
    to: usize,
) -> Vec<usize> {
    let mut v = Vec::new();
    let mut start = from;
    while let Some(p) = sql[start..to].find(word) {
        let i = start + p;
        if d[i] == Some(depth) && d[i + word.len() - 1] == Some(depth) {
            v.push(i);
        }
        start = i + 1;
        if start >= to {
            break;
        }
    }
    v
}

const CLAUSES: &[&str] = &[
    " WHERE ",
    " GROUP BY ",
    " HAVING ",
    " ORDER BY ",
    " LIMIT ",
    " OFFSET ",
];

/// Splits `sql[from..to]` at the separators found at `depth`.
fn split_at_depth(
    sql: &str,
    d: &[Option<u32>],
    depth: u32,
    from: usize,
    to: usize,
    seps: &[&str],
) -> Vec<String> {
    let mut cuts: Vec<(usize, usize)> = Vec::new();
    for s in seps {
        for p in find_at_depth(sql, d, s, depth, from, to) {
            cuts.push((p, p + s.len()));
        }
    }
    cuts.sort();
    let mut parts = Vec::new();
    let mut last = from;
    for (a, b) in cuts {
        if a < last {
            continue;
        }
        parts.push(sql[last..a].to_string());
        last = b;
    }
    parts.push(sql[last..to].to_string());
    parts
}

const OPERATORS: &[&str] = &[
    ", ",
    " + ",
    " - ",
    " * ",
    " / ",
    " % ",
    " || ",
    " AND ",
    " OR ",
    " = ",
    " <> ",
    " != ",
    " < ",
    " <= ",
    " > ",
    " >= ",
    " IS ",
    " NOT IN ",
    " IN ",
    " LIKE ",
    " ILIKE ",
    " NOT LIKE ",
    " BETWEEN ",
    " THEN ",
    " ELSE ",
    " WHEN ",
    " END",
    "CASE ",
    " FROM ",
    " FOR ",
];

/// Every one-step reduction of `c`, shortest first.
pub fn candidates(c: &Candidate) -> Vec<Candidate> {
    let sql = &c.sql;
    let d = depths(sql);
    let b = sql.as_bytes();
    let mut out: Vec<Candidate> = Vec::new();
    let same = |s: String| Candidate {
        sql: s,
        types: c.types.clone(),
    };

    // The query levels: the whole statement (depth 0) and every
    // parenthesized SELECT.
    let mut levels: Vec<(u32, usize, usize)> = vec![(0, 0, sql.len())];
    let pairs = paren_pairs(sql, &d);
    for &(o, cl) in &pairs {
        if sql[o + 1..].starts_with("SELECT ") {
            levels.push((d[o].unwrap() + 1, o + 1, cl));
        }
    }
    for &(depth, from, to) in &levels {
        // Drop a clause: it runs to the next clause of its level.
        let mut marks: Vec<usize> = Vec::new();
        for cl in CLAUSES {
            marks.extend(find_at_depth(sql, &d, cl, depth, from, to));
        }
        marks.sort();
        for (k, &m) in marks.iter().enumerate() {
            let end = marks.get(k + 1).copied().unwrap_or(to);
            out.push(same(format!("{}{}", &sql[..m], &sql[end..])));
            // ORDER BY goes with LIMIT/OFFSET: drop from here to the end.
            if end != to {
                out.push(same(format!("{}{}", &sql[..m], &sql[to..])));
            }
        }
        // Drop a select-list item (and, for the top level, its type).
        if sql[from..].starts_with("SELECT ") {
            let list_start = from
                + if sql[from..].starts_with("SELECT DISTINCT ") {
                    16
                } else {
                    7
                };
            if let Some(&fr) = find_at_depth(sql, &d, " FROM ", depth, list_start, to).first() {
                let items = split_at_depth(sql, &d, depth, list_start, fr, &[", "]);
                if items.len() > 1 {
                    for i in 0..items.len() {
                        let rest: Vec<&str> = items
                            .iter()
                            .enumerate()
                            .filter(|(j, _)| *j != i)
                            .map(|(_, s)| s.as_str())
                            .collect();
                        let list = rest.join(", ");
                        let body = format!("{}{list}{}", &sql[..list_start], &sql[fr..]);
                        let mut types = c.types.clone();
                        if depth == 0 {
                            if i >= types.len() {
                                continue;
                            }
                            types.remove(i);
                        }
                        // Positions in ORDER BY may now be out of range:
                        // also try without ORDER BY and what follows it.
                        let order = marks
                            .iter()
                            .find(|&&m| m > fr && sql[m..].starts_with(" ORDER BY "));
                        if let Some(&m) = order {
                            out.push(Candidate {
                                sql: format!(
                                    "{}{list}{}{}",
                                    &sql[..list_start],
                                    &sql[fr..m],
                                    &sql[to..]
                                ),
                                types: types.clone(),
                            });
                        }
                        out.push(Candidate { sql: body, types });
                    }
                }
            }
        }
    }

    // Replace a parenthesized group (with its function name, if any) by
    // one of its operands, or by NULL.
    for &(o, cl) in &pairs {
        let mut start = o;
        while start > 0 && (b[start - 1].is_ascii_alphanumeric() || b[start - 1] == b'_') {
            start -= 1;
        }
        let depth = d[o].unwrap() + 1;
        if sql[o + 1..].starts_with("SELECT ") {
            out.push(same(format!("{}NULL{}", &sql[..start], &sql[cl + 1..])));
            continue;
        }
        for p in split_at_depth(sql, &d, depth, o + 1, cl, OPERATORS) {
            let p = p.trim();
            if p.is_empty() || p.len() + 2 >= cl + 1 - start {
                continue;
            }
            out.push(same(format!("{}({p}){}", &sql[..start], &sql[cl + 1..])));
        }
        if start == o {
            out.push(same(format!("{}NULL{}", &sql[..start], &sql[cl + 1..])));
        }
    }
    out.retain(|x| x.sql.len() < sql.len());
    out.sort_by_key(|x| x.sql.len());
    out.dedup_by(|a, b| a.sql == b.sql);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reductions_are_shorter_and_keep_literals() {
        let c = Candidate {
            sql: "SELECT abs((a1.x + 1)) AS x0, 'a(b' AS x1 FROM t0 AS a1 WHERE (a1.x > 2) ORDER BY 1, 2 LIMIT 3"
                .to_string(),
            types: vec![Ty::Int4, Ty::Text],
        };
        let cands = candidates(&c);
        assert!(cands.iter().all(|x| x.sql.len() < c.sql.len()));
        let sqls: Vec<&str> = cands.iter().map(|x| x.sql.as_str()).collect();
        assert!(sqls.contains(
            &"SELECT abs((a1.x + 1)) AS x0, 'a(b' AS x1 FROM t0 AS a1 ORDER BY 1, 2 LIMIT 3"
        ));
        assert!(sqls
            .contains(&"SELECT abs((a1.x + 1)) AS x0, 'a(b' AS x1 FROM t0 AS a1 WHERE (a1.x > 2)"));
        assert!(sqls.contains(&"SELECT ((a1.x + 1)) AS x0, 'a(b' AS x1 FROM t0 AS a1 WHERE (a1.x > 2) ORDER BY 1, 2 LIMIT 3"));
        assert!(sqls.contains(&"SELECT 'a(b' AS x1 FROM t0 AS a1 WHERE (a1.x > 2)"));
        assert!(sqls.contains(&"SELECT abs((a1.x)) AS x0, 'a(b' AS x1 FROM t0 AS a1 WHERE (a1.x > 2) ORDER BY 1, 2 LIMIT 3"));
        let dropped = cands
            .iter()
            .find(|x| x.sql.starts_with("SELECT 'a(b' AS x1 FROM"))
            .unwrap();
        assert_eq!(dropped.types, vec![Ty::Text]);
    }
}
