//! Table statistics (PostgreSQL's pg_statistic and pg_class.relpages /
//! reltuples): what ANALYZE found about a table and each of its columns,
//! kept in `DATADIR/global/statistic/<table oid>`, one file per table,
//! and what `ALTER TABLE ... ALTER COLUMN ... SET STATISTICS` set
//! (`<table oid>.target`).
//!
//! The files are written whole (temp file, fsync, rename), outside any
//! transaction, as PostgreSQL updates relpages/reltuples in place: an
//! ANALYZE's results stay when its transaction rolls back, and a crash
//! leaves either the old or the new file. A column's statistics carry
//! its type: statistics of a column whose type changed since (ALTER
//! TABLE ... TYPE) are ignored. Values are stored in their text form.

use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};

use crate::error::{sqlstate, PgError, PgResult};
use crate::types::{Oid, Value};

const MAGIC: &str = "pgfork-statistic 1";

/// One column's statistics (a pg_statistic row, for the slot kinds
/// STATISTIC_KIND_MCV, _HISTOGRAM and _CORRELATION).
#[derive(Clone, Debug, PartialEq)]
pub struct ColumnStats {
    /// Column position (0-based; attnum - 1).
    pub column: usize,
    /// The column's type when analyzed.
    pub ty: Oid,
    pub null_frac: f64,
    pub avg_width: i32,
    /// Distinct non-null values: > 0 a count, < 0 minus a fraction of
    /// the rows, 0 unknown (PostgreSQL's stadistinct).
    pub n_distinct: f64,
    /// Most common values with their frequencies, most common first.
    pub mcv: Vec<(Value, f64)>,
    /// Histogram bounds of the values other than the MCVs, ascending.
    pub histogram: Vec<Value>,
    pub correlation: Option<f64>,
}

/// One table's statistics.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct TableStats {
    pub relpages: u32,
    pub reltuples: f64,
    pub columns: Vec<ColumnStats>,
}

impl TableStats {
    /// The statistics of column `col` of type `ty`, if current.
    pub fn column(&self, col: usize, ty: Oid) -> Option<&ColumnStats> {
        self.columns.iter().find(|c| c.column == col && c.ty == ty)
    }
}

fn dir(data_dir: &Path) -> PathBuf {
    data_dir.join("global").join("statistic")
}

fn io_error(e: std::io::Error, what: &str) -> PgError {
    PgError::new(
        sqlstate::IO_ERROR,
        format!("could not write statistics file \"{what}\": {e}"),
    )
}

/// Escapes a value's text for one line of the file.
fn escape(s: &str) -> String {
    let mut o = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '\\' => o.push_str("\\\\"),
            '\n' => o.push_str("\\n"),
            '\r' => o.push_str("\\r"),
            '\t' => o.push_str("\\t"),
            c => o.push(c),
        }
    }
    o
}

fn unescape(s: &str) -> String {
    let mut o = String::with_capacity(s.len());
    let mut it = s.chars();
    while let Some(c) = it.next() {
        if c == '\\' {
            match it.next() {
                Some('n') => o.push('\n'),
                Some('r') => o.push('\r'),
                Some('t') => o.push('\t'),
                Some(c) => o.push(c),
                None => {}
            }
        } else {
            o.push(c);
        }
    }
    o
}

/// The file's text for `st`.
pub fn serialize(st: &TableStats) -> String {
    let mut o = format!("{MAGIC}\nrel\t{}\t{:e}\n", st.relpages, st.reltuples);
    for c in &st.columns {
        o.push_str(&format!(
            "col\t{}\t{}\t{:e}\t{}\t{:e}\t{}\n",
            c.column,
            c.ty,
            c.null_frac,
            c.avg_width,
            c.n_distinct,
            c.correlation.map_or("-".into(), |x| format!("{x:e}"))
        ));
        for (v, f) in &c.mcv {
            o.push_str(&format!("mcv\t{f:e}\t{}\n", escape(&v.to_text())));
        }
        for v in &c.histogram {
            o.push_str(&format!("hist\t{}\n", escape(&v.to_text())));
        }
    }
    o
}

/// Parses a statistics file; None when it is not one.
pub fn parse(text: &str) -> Option<TableStats> {
    let mut lines = text.lines();
    if lines.next()? != MAGIC {
        return None;
    }
    let mut st = TableStats::default();
    for line in lines {
        let mut f = line.splitn(7, '\t');
        match f.next()? {
            "rel" => {
                st.relpages = f.next()?.parse().ok()?;
                st.reltuples = f.next()?.parse().ok()?;
            }
            "col" => st.columns.push(ColumnStats {
                column: f.next()?.parse().ok()?,
                ty: f.next()?.parse().ok()?,
                null_frac: f.next()?.parse().ok()?,
                avg_width: f.next()?.parse().ok()?,
                n_distinct: f.next()?.parse().ok()?,
                correlation: match f.next()? {
                    "-" => None,
                    x => Some(x.parse().ok()?),
                },
                mcv: vec![],
                histogram: vec![],
            }),
            "mcv" => {
                let c = st.columns.last_mut()?;
                let freq = f.next()?.parse().ok()?;
                let v = Value::parse_text(c.ty, &unescape(f.next()?)).ok()?;
                c.mcv.push((v, freq));
            }
            "hist" => {
                let c = st.columns.last_mut()?;
                let v = Value::parse_text(c.ty, &unescape(f.next()?)).ok()?;
                c.histogram.push(v);
            }
            _ => return None,
        }
    }
    Some(st)
}

/// Writes `text` as file `name` of the statistics directory, atomically.
fn write_file(data_dir: &Path, name: &str, text: &str) -> PgResult<()> {
    let d = dir(data_dir);
    std::fs::create_dir_all(&d).map_err(|e| io_error(e, name))?;
    let path = d.join(name);
    // Unique per writer: two threads of one process (thread and pool
    // mode) may store the same table's statistics at once.
    static SEQ: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
    let seq = SEQ.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let tmp = d.join(format!("{name}.tmp.{}.{seq}", std::process::id()));
    let write = || -> std::io::Result<()> {
        let mut f = std::fs::File::create(&tmp)?;
        f.write_all(text.as_bytes())?;
        f.sync_all()?;
        std::fs::rename(&tmp, &path)?;
        std::fs::File::open(&d)?.sync_all()
    };
    write().map_err(|e| {
        let _ = std::fs::remove_file(&tmp);
        io_error(e, name)
    })
}

/// Stores the statistics of table `rel`, replacing any.
pub fn store(data_dir: &Path, rel: Oid, st: &TableStats) -> PgResult<()> {
    write_file(data_dir, &rel.to_string(), &serialize(st))
}

/// The statistics of table `rel`, if ANALYZE or VACUUM stored some.
pub fn load(data_dir: &Path, rel: Oid) -> Option<TableStats> {
    let text = std::fs::read_to_string(dir(data_dir).join(rel.to_string())).ok()?;
    parse(&text)
}

/// Copies the statistics (and targets) of table `from` to table `to`
/// (CREATE DATABASE's copy of a template's table).
pub fn copy(data_dir: &Path, from: Oid, to: Oid) -> PgResult<()> {
    if let Ok(text) = std::fs::read_to_string(dir(data_dir).join(from.to_string())) {
        write_file(data_dir, &to.to_string(), &text)?;
    }
    if let Ok(text) = std::fs::read_to_string(dir(data_dir).join(format!("{from}.target"))) {
        write_file(data_dir, &format!("{to}.target"), &text)?;
    }
    Ok(())
}

/// Removes the statistics of a dropped table.
pub fn remove(data_dir: &Path, rel: Oid) {
    let _ = std::fs::remove_file(dir(data_dir).join(rel.to_string()));
    let _ = std::fs::remove_file(dir(data_dir).join(format!("{rel}.target")));
}

/// Per-column statistics targets of table `rel` (attstattarget), by
/// column position; columns not listed use default_statistics_target.
pub fn load_targets(data_dir: &Path, rel: Oid) -> BTreeMap<usize, i32> {
    let Ok(text) = std::fs::read_to_string(dir(data_dir).join(format!("{rel}.target"))) else {
        return BTreeMap::new();
    };
    text.lines()
        .filter_map(|l| {
            let (c, t) = l.split_once('\t')?;
            Some((c.parse().ok()?, t.parse().ok()?))
        })
        .collect()
}

/// Sets column `col`'s statistics target (-1: back to the default).
pub fn set_target(data_dir: &Path, rel: Oid, col: usize, target: i32) -> PgResult<()> {
    let mut t = load_targets(data_dir, rel);
    if target < 0 {
        t.remove(&col);
    } else {
        t.insert(col, target);
    }
    let text: String = t.iter().map(|(c, v)| format!("{c}\t{v}\n")).collect();
    write_file(data_dir, &format!("{rel}.target"), &text)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::types::oid;

    #[test]
    fn round_trip() {
        let st = TableStats {
            relpages: 3,
            reltuples: 1000.0,
            columns: vec![
                ColumnStats {
                    column: 0,
                    ty: oid::INT4,
                    null_frac: 0.25,
                    avg_width: 4,
                    n_distinct: -0.5,
                    mcv: vec![(Value::Int4(7), 0.5), (Value::Int4(-1), 0.125)],
                    histogram: vec![Value::Int4(1), Value::Int4(9)],
                    correlation: Some(0.75),
                },
                ColumnStats {
                    column: 1,
                    ty: oid::TEXT,
                    null_frac: 1.0,
                    avg_width: 0,
                    n_distinct: 0.0,
                    mcv: vec![(Value::Text("a\tb\\c\nd".into()), 1.0)],
                    histogram: vec![],
                    correlation: None,
                },
            ],
        };
        assert_eq!(parse(&serialize(&st)), Some(st.clone()));
        assert_eq!(parse("garbage"), None);
        assert!(st.column(1, oid::TEXT).is_some());
        assert!(st.column(1, oid::INT4).is_none());
    }

    #[test]
    fn store_load_targets() {
        let d = std::env::temp_dir().join(format!("pgfork-stat-{}", std::process::id()));
        let st = TableStats {
            relpages: 1,
            reltuples: 2.0,
            columns: vec![],
        };
        store(&d, 16384, &st).unwrap();
        assert_eq!(load(&d, 16384), Some(st));
        set_target(&d, 16384, 2, 10).unwrap();
        assert_eq!(load_targets(&d, 16384).get(&2), Some(&10));
        set_target(&d, 16384, 2, -1).unwrap();
        assert!(load_targets(&d, 16384).is_empty());
        remove(&d, 16384);
        assert_eq!(load(&d, 16384), None);
        let _ = std::fs::remove_dir_all(&d);
    }
}
