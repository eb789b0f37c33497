//! ANALYZE [VERBOSE] [table [(column, ...)] [, ...]]: collects the
//! statistics the planner estimates with (`catalog::statistic`), as
//! PostgreSQL's analyze.c does.
//!
//! Sampling: 300 × the largest statistics target of the analyzed columns
//! rows (`default_statistics_target`, 100, unless `SET STATISTICS` gave
//! a column another). When the table has more blocks than that, that
//! many blocks are chosen at random (Knuth's Algorithm S); the live rows
//! of the chosen blocks go through a reservoir of the target size
//! (Algorithm R), and the sample is put back in physical order. A table
//! with no more rows than the target is read whole, so its statistics
//! are exact and deterministic. reltuples is the live rows per sampled
//! block times the table's blocks.
//!
//! Per column (compute_scalar_stats): null_frac, avg_width, n_distinct
//! (Haas and Stokes' Duj1 estimator n·d / (n − f1 + f1·n/N), with
//! PostgreSQL's rules: no repeated value → −(1 − null_frac); every value
//! repeated → the count seen; more than 10% of the rows → stored as
//! minus the fraction of rows), the most common values among those seen
//! more than once (all of them when the sample is the table, else those
//! significantly more common than the rest: analyze_mcv_list), a
//! histogram of equal-count bounds over the other values, and the
//! correlation of value order with physical order. json, which has no
//! equality, gets only null_frac and avg_width.

use std::collections::BTreeMap;
use std::path::Path;

use rand::Rng;
use sqlparser::dialect::PostgreSqlDialect;
use sqlparser::tokenizer::{Token, Tokenizer};

use shmem::buffer::BufferPool;

use crate::access::{heap, tuple, visibility};
use crate::catalog::statistic::{ColumnStats, TableStats};
use crate::catalog::TableDesc;
use crate::error::{sqlstate, PgError, PgResult};
use crate::interrupts::check_for_interrupts;
use crate::types::{oid, type_len, Oid, Value};
use crate::utils::adt::ops::compare;

/// Values wider than this (bytes) are left out of the MCVs and
/// histogram (PostgreSQL's WIDTH_THRESHOLD).
const WIDTH_THRESHOLD: usize = 1024;

/// One table an ANALYZE names, with the columns it names (all if none).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AnalyzeTarget {
    pub table: String,
    pub columns: Vec<String>,
}

/// A parsed ANALYZE statement.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AnalyzeStmt {
    pub verbose: bool,
    /// Empty: every table.
    pub targets: Vec<AnalyzeTarget>,
}

fn word(w: &sqlparser::tokenizer::Word) -> String {
    if w.quote_style.is_some() {
        w.value.clone()
    } else {
        w.value.to_lowercase()
    }
}

fn end_of_input() -> PgError {
    PgError::new(sqlstate::SYNTAX_ERROR, "syntax error at end of input")
}

/// After a list element: `,` continues the list (false), `)` ends it
/// (true); `i` moves past either. Anything else is a syntax error.
fn list_ends(toks: &[Token], i: &mut usize) -> PgResult<bool> {
    let ends = match toks.get(*i) {
        Some(Token::Comma) => false,
        Some(Token::RParen) => true,
        Some(t) => return Err(syntax_error(t)),
        None => return Err(end_of_input()),
    };
    *i += 1;
    Ok(ends)
}

fn syntax_error(t: &Token) -> PgError {
    PgError::new(
        sqlstate::SYNTAX_ERROR,
        format!("syntax error at or near \"{t}\""),
    )
}

/// Parses `ANALYZE [ (option [, ...]) ] [VERBOSE] [table [(col, ...)], ...]`
/// (also spelled ANALYSE). Table and column lists after VACUUM ... ANALYZE
/// are read by the same function (`skip_vacuum` words first).
pub fn parse_analyze(sql: &str) -> PgResult<AnalyzeStmt> {
    let tokens = Tokenizer::new(&PostgreSqlDialect {}, sql)
        .tokenize()
        .map_err(|e| PgError::new(sqlstate::SYNTAX_ERROR, e.to_string()))?;
    let toks: Vec<Token> = tokens
        .into_iter()
        .filter(|t| !matches!(t, Token::Whitespace(_) | Token::SemiColon))
        .collect();
    let mut i = 1; // ANALYZE
    let mut verbose = false;
    if matches!(toks.get(i), Some(Token::LParen)) {
        i += 1;
        loop {
            match toks.get(i) {
                Some(Token::Word(w)) => {
                    let opt = word(w);
                    i += 1;
                    let mut on = true;
                    if let Some(Token::Word(v)) = toks.get(i) {
                        let v = word(v);
                        on = !matches!(v.as_str(), "false" | "off");
                        i += 1;
                    } else if let Some(Token::Number(n, _)) = toks.get(i) {
                        on = n != "0";
                        i += 1;
                    }
                    match opt.as_str() {
                        "verbose" => verbose = on,
                        "skip_locked" => {}
                        _ => {
                            return Err(PgError::new(
                                sqlstate::SYNTAX_ERROR,
                                format!("unrecognized ANALYZE option \"{opt}\""),
                            ))
                        }
                    }
                }
                Some(t) => return Err(syntax_error(t)),
                None => return Err(end_of_input()),
            }
            if list_ends(&toks, &mut i)? {
                break;
            }
        }
    }
    if let Some(Token::Word(w)) = toks.get(i) {
        if w.quote_style.is_none() && w.value.eq_ignore_ascii_case("verbose") {
            verbose = true;
            i += 1;
        }
    }
    let targets = parse_targets(&toks[i.min(toks.len())..])?;
    Ok(AnalyzeStmt { verbose, targets })
}

/// Whether a statement the parser passed on as VACUUM is ANALYZE.
pub fn is_analyze(sql: &str) -> bool {
    let w = sql.trim_start();
    ["analyze", "analyse"].iter().any(|k| {
        w.get(..k.len()).is_some_and(|p| p.eq_ignore_ascii_case(k))
            && !w[k.len()..].starts_with(|c: char| c.is_alphanumeric() || c == '_')
    })
}

/// Whether a VACUUM statement also analyzes (`VACUUM ANALYZE`,
/// `VACUUM (ANALYZE) ...`), and the tables and columns it names.
pub fn vacuum_analyze_targets(sql: &str) -> PgResult<Option<Vec<AnalyzeTarget>>> {
    let tokens = Tokenizer::new(&PostgreSqlDialect {}, sql)
        .tokenize()
        .map_err(|e| PgError::new(sqlstate::SYNTAX_ERROR, e.to_string()))?;
    let toks: Vec<Token> = tokens
        .into_iter()
        .filter(|t| !matches!(t, Token::Whitespace(_) | Token::SemiColon))
        .collect();
    let mut i = 1;
    let mut analyze = false;
    let is_analyze = |w: &sqlparser::tokenizer::Word| {
        w.quote_style.is_none()
            && (w.value.eq_ignore_ascii_case("analyze") || w.value.eq_ignore_ascii_case("analyse"))
    };
    if matches!(toks.get(i), Some(Token::LParen)) {
        let mut depth = 0;
        while let Some(t) = toks.get(i) {
            i += 1;
            match t {
                Token::LParen => depth += 1,
                Token::RParen => {
                    depth -= 1;
                    if depth == 0 {
                        break;
                    }
                }
                Token::Word(w) if is_analyze(w) => analyze = true,
                _ => {}
            }
        }
    } else {
        while let Some(Token::Word(w)) = toks.get(i) {
            let v = w.value.to_lowercase();
            if w.quote_style.is_some()
                || !matches!(
                    v.as_str(),
                    "full" | "freeze" | "verbose" | "analyze" | "analyse"
                )
            {
                break;
            }
            analyze |= is_analyze(w);
            i += 1;
        }
    }
    if !analyze {
        return Ok(None);
    }
    parse_targets(&toks[i.min(toks.len())..]).map(Some)
}

/// `table [(col, ...)] [, ...]` (schema-qualified names keep the table).
pub fn parse_targets(toks: &[Token]) -> PgResult<Vec<AnalyzeTarget>> {
    let mut out: Vec<AnalyzeTarget> = Vec::new();
    let mut i = 0;
    while i < toks.len() {
        let Token::Word(w) = &toks[i] else {
            return Err(syntax_error(&toks[i]));
        };
        let mut name = word(w);
        i += 1;
        while matches!(toks.get(i), Some(Token::Period)) {
            match toks.get(i + 1) {
                Some(Token::Word(w)) => name = word(w),
                Some(t) => return Err(syntax_error(t)),
                None => return Err(end_of_input()),
            }
            i += 2;
        }
        let mut columns = Vec::new();
        if matches!(toks.get(i), Some(Token::LParen)) {
            i += 1;
            loop {
                match toks.get(i) {
                    Some(Token::Word(w)) => columns.push(word(w)),
                    Some(t) => return Err(syntax_error(t)),
                    None => return Err(end_of_input()),
                }
                i += 1;
                if list_ends(toks, &mut i)? {
                    break;
                }
            }
        }
        out.push(AnalyzeTarget {
            table: name,
            columns,
        });
        match toks.get(i) {
            None => break,
            Some(Token::Comma) => i += 1,
            Some(t) => return Err(syntax_error(t)),
        }
    }
    Ok(out)
}

/// The column positions an ANALYZE of `t` covers: the named ones
/// (42703 for an unknown one, as PostgreSQL), else every live column.
pub fn target_columns(t: &TableDesc, names: &[String]) -> PgResult<Vec<usize>> {
    if names.is_empty() {
        return Ok((0..t.columns.len())
            .filter(|&i| !t.columns[i].dropped)
            .collect());
    }
    let mut out = Vec::new();
    for n in names {
        let Some(i) = t.columns.iter().position(|c| !c.dropped && &c.name == n) else {
            return Err(PgError::new(
                sqlstate::UNDEFINED_COLUMN,
                format!("column \"{n}\" of relation \"{}\" does not exist", t.name),
            ));
        };
        if out.contains(&i) {
            return Err(PgError::new(
                sqlstate::DUPLICATE_COLUMN,
                format!(
                    "column \"{n}\" of relation \"{}\" appears more than once",
                    t.name
                ),
            ));
        }
        out.push(i);
    }
    Ok(out)
}

/// The rows a sample holds, in physical order, and what the sampling
/// saw of the table.
pub struct Sample {
    pub rows: Vec<Vec<Value>>,
    /// Estimated live rows of the whole table.
    pub totalrows: f64,
    /// Estimated dead row versions.
    pub totaldead: f64,
    pub relpages: u32,
    /// Blocks read, and the live and dead versions in them.
    pub scanned: u32,
    pub live_seen: u64,
    pub dead_seen: u64,
}

/// Knuth's Algorithm S: `k` of `0..n`, ascending, each set equally likely.
fn choose_blocks(n: u32, k: usize, rng: &mut impl Rng) -> Vec<u32> {
    if n as usize <= k {
        return (0..n).collect();
    }
    let mut out = Vec::with_capacity(k);
    for b in 0..n {
        let left = (n - b) as f64;
        let need = (k - out.len()) as f64;
        if rng.gen::<f64>() * left < need {
            out.push(b);
            if out.len() == k {
                break;
            }
        }
    }
    out
}

/// Samples up to `targrows` live rows of `t` as `mvcc` sees them.
pub fn sample_rows(
    pool: &BufferPool,
    t: &TableDesc,
    mvcc: &visibility::Mvcc,
    targrows: usize,
) -> PgResult<Sample> {
    let rel = t.rel();
    let nblocks = pool.nblocks(rel).map_err(PgError::from)?;
    let mut rng = rand::thread_rng();
    let blocks = choose_blocks(nblocks, targrows, &mut rng);
    let types: Vec<Oid> = t.columns.iter().map(|c| c.ty).collect();
    let missing = t.missing_values();
    let mut reservoir: Vec<((u32, u16), Vec<u8>)> = Vec::new();
    let (mut live, mut dead) = (0u64, 0u64);
    for &b in &blocks {
        check_for_interrupts()?;
        for (tid, h, data) in heap::block_versions(pool, rel, b).map_err(PgError::from)? {
            if !visibility::satisfies_mvcc(&h, mvcc) {
                dead += 1;
                continue;
            }
            live += 1;
            let key = (tid.block, tid.offset);
            if reservoir.len() < targrows {
                reservoir.push((key, data));
            } else {
                let j = rng.gen_range(0..live) as usize;
                if j < targrows {
                    reservoir[j] = (key, data);
                }
            }
        }
    }
    reservoir.sort_by_key(|(k, _)| *k);
    let mut rows = Vec::with_capacity(reservoir.len());
    for (_, data) in reservoir {
        rows.push(tuple::deform_all(&types, &missing, &data)?);
    }
    let scanned = blocks.len().max(1) as f64;
    let scale = nblocks as f64 / scanned;
    Ok(Sample {
        rows,
        totalrows: (live as f64 * scale + 0.5).floor(),
        totaldead: (dead as f64 * scale + 0.5).floor(),
        relpages: nblocks,
        scanned: blocks.len() as u32,
        live_seen: live,
        dead_seen: dead,
    })
}

/// Bytes a value takes in a heap tuple (a varlena's with its header: one
/// byte up to 126 bytes of data, else four).
pub fn stored_width(ty: Oid, v: &Value) -> usize {
    let n = type_len(ty);
    if n > 0 {
        return n as usize;
    }
    let data = match v {
        Value::Text(s) | Value::Json(s) => s.len(),
        Value::Bytea(b) => b.len(),
        Value::Numeric(_) => numeric_digits_width(&v.to_text()),
        other => other.to_text().len(),
    };
    data + if data < 127 { 1 } else { 4 }
}

/// A numeric's stored digits: 2 bytes of header and 2 per base-10000
/// digit (leading and trailing zero digits are not stored).
fn numeric_digits_width(text: &str) -> usize {
    let t = text.trim_start_matches('-');
    if t == "NaN" || t.contains("Infinity") {
        return 2;
    }
    let (int, frac) = t.split_once('.').unwrap_or((t, ""));
    let int = int.trim_start_matches('0');
    let frac = frac.trim_end_matches('0');
    if int.is_empty() && frac.is_empty() {
        return 2;
    }
    let mut groups: Vec<bool> = Vec::new(); // nonzero?
    let pad = (4 - int.len() % 4) % 4;
    let ip = format!("{}{int}", "0".repeat(pad));
    for c in ip.as_bytes().chunks(4) {
        groups.push(c.iter().any(|&b| b != b'0'));
    }
    let fp = format!("{frac}{}", "0".repeat((4 - frac.len() % 4) % 4));
    for c in fp.as_bytes().chunks(4) {
        groups.push(c.iter().any(|&b| b != b'0'));
    }
    let first = groups.iter().position(|&g| g).unwrap_or(0);
    let last = groups.iter().rposition(|&g| g).unwrap_or(0);
    2 + 2 * (last + 1 - first)
}

/// PostgreSQL's analyze_mcv_list: how many of the candidate MCVs (counts
/// in decreasing order) are significantly more common than the average
/// of the other values.
fn analyze_mcv_list(
    counts: &[usize],
    stadistinct: f64,
    nullfrac: f64,
    samplerows: usize,
    totalrows: f64,
) -> usize {
    let mut num_mcv = counts.len();
    if samplerows as f64 == totalrows || totalrows <= 1.0 {
        return num_mcv;
    }
    let ndistinct_table = if stadistinct < 0.0 {
        -stadistinct * totalrows
    } else {
        stadistinct
    };
    let mut sumcount: f64 = counts[..num_mcv.saturating_sub(1)]
        .iter()
        .map(|&c| c as f64)
        .sum();
    let n = samplerows as f64;
    let big_n = totalrows;
    while num_mcv > 0 {
        let mut selec = (1.0 - sumcount / n - nullfrac).clamp(0.0, 1.0);
        let otherdistinct = ndistinct_table - (num_mcv - 1) as f64;
        if otherdistinct > 1.0 {
            selec /= otherdistinct;
        }
        let c = counts[num_mcv - 1] as f64;
        let k = big_n * c / n;
        let variance = n * k * (big_n - k) * (big_n - n) / (big_n * big_n * (big_n - 1.0));
        let stddev = variance.sqrt();
        if c > selec * n + 2.0 * stddev + 0.5 {
            break;
        }
        num_mcv -= 1;
        if num_mcv == 0 {
            break;
        }
        sumcount -= counts[num_mcv - 1] as f64;
    }
    num_mcv
}

/// Statistics of one column from its values in sample order
/// (compute_scalar_stats); None when the sample is empty.
pub fn column_stats(
    column: usize,
    ty: Oid,
    values: &[Value],
    totalrows: f64,
    target: usize,
) -> Option<ColumnStats> {
    let samplerows = values.len();
    if samplerows == 0 {
        return None;
    }
    let varwidth = type_len(ty) <= 0;
    let mut null_cnt = 0usize;
    let mut total_width = 0f64;
    let mut toowide = 0usize;
    // (value, position among the kept values in sample order)
    let mut kept: Vec<(&Value, usize)> = Vec::new();
    for v in values {
        if v.is_null() {
            null_cnt += 1;
            continue;
        }
        let w = stored_width(ty, v);
        total_width += w as f64;
        if varwidth && w > WIDTH_THRESHOLD {
            toowide += 1;
            continue;
        }
        kept.push((v, kept.len()));
    }
    let nonnull = samplerows - null_cnt;
    let null_frac = null_cnt as f64 / samplerows as f64;
    let width = |nonnull: usize| -> i32 {
        if varwidth {
            if nonnull == 0 {
                0
            } else {
                (total_width / nonnull as f64) as i32
            }
        } else {
            type_len(ty) as i32
        }
    };
    let mut st = ColumnStats {
        column,
        ty,
        null_frac,
        avg_width: width(nonnull),
        n_distinct: 0.0,
        mcv: vec![],
        histogram: vec![],
        correlation: None,
    };
    if ty == oid::JSON {
        // No equality operator: compute_trivial_stats.
        return Some(st);
    }
    if kept.is_empty() {
        if nonnull > 0 {
            st.n_distinct = -(1.0 - null_frac);
        } else {
            st.null_frac = 1.0;
        }
        return Some(st);
    }
    kept.sort_by(|a, b| compare(a.0, b.0).then(a.1.cmp(&b.1)));
    let values_cnt = kept.len();
    // (count, first position in sorted order), most frequent first.
    let mut track: Vec<(usize, usize)> = Vec::new();
    let (mut ndistinct, mut nmultiple, mut dups) = (0usize, 0usize, 0usize);
    let mut corr_xysum = 0f64;
    for i in 0..values_cnt {
        corr_xysum += i as f64 * kept[i].1 as f64;
        dups += 1;
        let last = i + 1 == values_cnt || compare(kept[i].0, kept[i + 1].0).is_ne();
        if last {
            ndistinct += 1;
            if dups > 1 {
                nmultiple += 1;
                if track.len() < target || track.last().is_some_and(|t| dups > t.0) {
                    if track.len() < target {
                        track.push((0, 0));
                    }
                    let mut j = track.len() - 1;
                    while j > 0 && dups > track[j - 1].0 {
                        track[j] = track[j - 1];
                        j -= 1;
                    }
                    track[j] = (dups, i + 1 - dups);
                }
            }
            dups = 0;
        }
    }
    st.n_distinct = if nmultiple == 0 {
        -(1.0 - null_frac)
    } else if toowide == 0 && nmultiple == ndistinct {
        ndistinct as f64
    } else {
        let f1 = (ndistinct - nmultiple + toowide) as f64;
        let d = f1 + nmultiple as f64;
        let n = nonnull as f64;
        let big_n = totalrows * (1.0 - null_frac);
        let est = if big_n > 0.0 {
            (n * d) / ((n - f1) + f1 * n / big_n)
        } else {
            0.0
        };
        (est.max(d).min(big_n) + 0.5).floor()
    };
    if st.n_distinct > 0.1 * totalrows {
        st.n_distinct = -(st.n_distinct / totalrows);
    }
    let num_mcv =
        if track.len() == ndistinct && toowide == 0 && st.n_distinct > 0.0 && track.len() <= target
        {
            track.len()
        } else {
            let counts: Vec<usize> = track.iter().take(target).map(|t| t.0).collect();
            if counts.is_empty() {
                0
            } else {
                analyze_mcv_list(&counts, st.n_distinct, null_frac, samplerows, totalrows)
            }
        };
    track.truncate(num_mcv);
    st.mcv = track
        .iter()
        .map(|&(c, first)| (kept[first].0.clone(), c as f64 / samplerows as f64))
        .collect();
    let mut num_hist = ndistinct - num_mcv;
    if num_hist > target {
        num_hist = target + 1;
    }
    if num_hist >= 2 {
        let mut in_mcv = vec![false; values_cnt];
        for &(c, first) in &track {
            for f in in_mcv.iter_mut().skip(first).take(c) {
                *f = true;
            }
        }
        let rest: Vec<&Value> = kept
            .iter()
            .zip(&in_mcv)
            .filter(|(_, m)| !**m)
            .map(|(v, _)| v.0)
            .collect();
        let nvals = rest.len();
        let delta = (nvals - 1) / (num_hist - 1);
        let deltafrac = (nvals - 1) % (num_hist - 1);
        let (mut pos, mut posfrac) = (0usize, 0usize);
        for _ in 0..num_hist {
            st.histogram.push(rest[pos].clone());
            pos += delta;
            posfrac += deltafrac;
            if posfrac >= num_hist - 1 {
                pos += 1;
                posfrac -= num_hist - 1;
            }
        }
    }
    if values_cnt > 1 {
        let n = values_cnt as f64;
        let xsum = (n - 1.0) * n / 2.0;
        let x2sum = (n - 1.0) * n * (2.0 * n - 1.0) / 6.0;
        st.correlation = Some((n * corr_xysum - xsum * xsum) / (n * x2sum - xsum * xsum));
    }
    Some(st)
}

/// What ANALYZE of one table did.
pub struct Analyzed {
    pub stats: TableStats,
    pub sampled: usize,
    pub scanned: u32,
    pub live_seen: u64,
    pub dead_seen: u64,
}

/// Analyzes `columns` of `t` (statistics targets: `targets` per column,
/// else `default_target`) and stores the result, keeping the stored
/// statistics of columns not analyzed now.
pub fn analyze_table(
    data_dir: &Path,
    pool: &BufferPool,
    t: &TableDesc,
    columns: &[usize],
    mvcc: &visibility::Mvcc,
    default_target: usize,
) -> PgResult<Analyzed> {
    let targets: BTreeMap<usize, i32> = crate::catalog::statistic::load_targets(data_dir, t.oid);
    let target_of = |c: usize| targets.get(&c).map_or(default_target, |&x| x as usize);
    let cols: Vec<usize> = columns
        .iter()
        .copied()
        .filter(|&c| target_of(c) > 0)
        .collect();
    let max_target = cols
        .iter()
        .map(|&c| target_of(c))
        .max()
        .unwrap_or(default_target);
    let sample = sample_rows(pool, t, mvcc, 300 * max_target.max(1))?;
    let mut stats = crate::catalog::statistic::load(data_dir, t.oid).unwrap_or_default();
    stats.relpages = sample.relpages;
    stats.reltuples = sample.totalrows;
    if !sample.rows.is_empty() {
        for &c in &cols {
            check_for_interrupts()?;
            let vals: Vec<Value> = sample.rows.iter().map(|r| r[c].clone()).collect();
            stats.columns.retain(|s| s.column != c);
            if let Some(s) = column_stats(c, t.columns[c].ty, &vals, sample.totalrows, target_of(c))
            {
                stats.columns.push(s);
            }
        }
        stats.columns.sort_by_key(|s| s.column);
    }
    // Statistics of columns since dropped or retyped are of no use.
    stats.columns.retain(|s| {
        t.columns
            .get(s.column)
            .is_some_and(|c| !c.dropped && c.ty == s.ty)
    });
    crate::catalog::statistic::store(data_dir, t.oid, &stats)?;
    Ok(Analyzed {
        sampled: sample.rows.len(),
        scanned: sample.scanned,
        live_seen: sample.live_seen,
        dead_seen: sample.dead_seen,
        stats,
    })
}

/// ANALYZE VERBOSE's INFO line for a table, as PostgreSQL's.
pub fn verbose_message(t: &TableDesc, a: &Analyzed) -> String {
    format!(
        "\"{}\": scanned {} of {} pages, containing {:.0} live rows and {:.0} dead rows; {} rows in sample, {:.0} estimated total rows",
        t.name,
        a.scanned,
        a.stats.relpages,
        a.live_seen as f64,
        a.dead_seen as f64,
        a.sampled,
        a.stats.reltuples
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ints(v: &[Option<i32>]) -> Vec<Value> {
        v.iter()
            .map(|x| x.map_or(Value::Null, Value::Int4))
            .collect()
    }

    #[test]
    fn parse_forms() {
        let p = parse_analyze("analyze").unwrap();
        assert!(!p.verbose && p.targets.is_empty());
        let p = parse_analyze("ANALYZE VERBOSE t (a, \"B\"), public.u").unwrap();
        assert!(p.verbose);
        assert_eq!(p.targets[0].columns, vec!["a", "B"]);
        assert_eq!(p.targets[1].table, "u");
        let p = parse_analyze("analyse (verbose) t").unwrap();
        assert!(p.verbose);
        assert!(parse_analyze("analyze t u").is_err());
        assert!(parse_analyze("analyze (bogus) t").is_err());
    }

    #[test]
    fn vacuum_forms() {
        assert!(is_analyze("ANALYZE t") && is_analyze("analyse") && !is_analyze("analyzed"));
        assert_eq!(vacuum_analyze_targets("vacuum t").unwrap(), None);
        let t = vacuum_analyze_targets("vacuum full analyze t (a)")
            .unwrap()
            .unwrap();
        assert_eq!(t[0].columns, vec!["a"]);
        let t = vacuum_analyze_targets("vacuum (verbose, analyze) a, b")
            .unwrap()
            .unwrap();
        assert_eq!(t.len(), 2);
    }

    #[test]
    fn unique_column() {
        let v = ints(&[Some(3), Some(1), Some(2), None]);
        let s = column_stats(0, oid::INT4, &v, 4.0, 100).unwrap();
        assert_eq!(s.null_frac, 0.25);
        assert_eq!(s.n_distinct, -0.75);
        assert!(s.mcv.is_empty());
        assert_eq!(s.histogram, ints(&[Some(1), Some(2), Some(3)]));
        assert_eq!(s.avg_width, 4);
        // Positions 1, 2, 0 in value order: correlation -0.5.
        assert_eq!(s.correlation, Some(-0.5));
    }

    #[test]
    fn skewed_column() {
        // 1 ×5, 2 ×3, then 3..=12 once each: 18 rows.
        let mut v = vec![Some(1); 5];
        v.extend([Some(2); 3]);
        v.extend((3..=12).map(Some));
        let s = column_stats(0, oid::INT4, &ints(&v), 18.0, 100).unwrap();
        assert_eq!(
            s.mcv,
            vec![(Value::Int4(1), 5.0 / 18.0), (Value::Int4(2), 3.0 / 18.0)]
        );
        // Duj1 with n = N: d = 12, clamped to N = 18 at most; > 10% of the
        // rows: a fraction.
        assert_eq!(s.n_distinct, -(12.0 / 18.0));
        assert_eq!(s.histogram.len(), 10);
        assert_eq!(s.histogram[0], Value::Int4(3));
        assert_eq!(s.histogram[9], Value::Int4(12));
        // A smaller target: the histogram has target + 1 bounds.
        let s = column_stats(0, oid::INT4, &ints(&v), 18.0, 4).unwrap();
        assert_eq!(
            s.histogram,
            ints(&[Some(3), Some(5), Some(7), Some(9), Some(12)])
        );
    }

    #[test]
    fn all_repeated_and_all_null() {
        let v = ints(&[Some(1), Some(2), Some(1), Some(2)]);
        let s = column_stats(0, oid::INT4, &v, 1000.0, 100).unwrap();
        assert_eq!(s.n_distinct, 2.0);
        assert_eq!(s.mcv.len(), 2);
        let s = column_stats(0, oid::TEXT, &ints(&[None, None]), 2.0, 100).unwrap();
        assert_eq!((s.null_frac, s.avg_width, s.n_distinct), (1.0, 0, 0.0));
        assert!(column_stats(0, oid::INT4, &[], 0.0, 100).is_none());
    }

    #[test]
    fn widths() {
        assert_eq!(stored_width(oid::TEXT, &Value::Text("abc".into())), 4);
        assert_eq!(stored_width(oid::INT8, &Value::Int8(1)), 8);
        assert_eq!(numeric_digits_width("12345.5"), 2 + 2 * 3);
        assert_eq!(numeric_digits_width("0"), 2);
    }

    #[test]
    fn block_choice() {
        let mut rng = rand::thread_rng();
        assert_eq!(choose_blocks(3, 10, &mut rng), vec![0, 1, 2]);
        let c = choose_blocks(1000, 10, &mut rng);
        assert_eq!(c.len(), 10);
        assert!(c.windows(2).all(|w| w[0] < w[1]));
    }
}
