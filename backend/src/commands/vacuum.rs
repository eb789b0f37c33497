//! VACUUM [FULL] [FREEZE] [VERBOSE] [ANALYZE] [(options)] [table [, ...]]
//! (PostgreSQL's lazy vacuum, whatever the options): every page of the
//! table is pruned (versions no snapshot can see are removed), index
//! entries pointing at the dead line pointers left behind are deleted,
//! and then those line pointers are freed for reuse.

use sqlparser::dialect::PostgreSqlDialect;
use sqlparser::tokenizer::{Token, Tokenizer};

use std::collections::{HashMap, HashSet};

use shmem::buffer::BufferPool;

use crate::access::{btree, prune, ItemPointer};
use crate::analyze::from::no_relation;
use crate::catalog::{Catalog, IndexDesc, TableDesc};
use crate::error::{sqlstate, PgError, PgResult};
use crate::interrupts::check_for_interrupts;

const OPTIONS: &[&str] = &["full", "freeze", "verbose", "analyze", "analyse"];

/// The tables a VACUUM statement names (empty: all).
pub fn parse_vacuum(sql: &str) -> PgResult<Vec<String>> {
    let tokens = Tokenizer::new(&PostgreSqlDialect {}, sql)
        .tokenize()
        .map_err(|e| PgError::new(sqlstate::SYNTAX_ERROR, e.to_string()))?;
    let mut words = tokens
        .into_iter()
        .filter(|t| !matches!(t, Token::Whitespace(_)))
        .peekable();
    words.next(); // VACUUM
    let mut tables = Vec::new();
    let mut depth = 0;
    let mut expect_name = true;
    for t in words {
        match t {
            Token::LParen => depth += 1,
            Token::RParen => depth -= 1,
            _ if depth > 0 => {}
            Token::Comma => expect_name = true,
            Token::Word(w) if expect_name => {
                let v = if w.quote_style.is_some() {
                    w.value.clone()
                } else {
                    w.value.to_lowercase()
                };
                if w.quote_style.is_none() && tables.is_empty() && OPTIONS.contains(&v.as_str()) {
                    continue;
                }
                tables.push(v);
                expect_name = false;
            }
            Token::Period => {
                // schema.table: keep the table part.
                tables.pop();
                expect_name = true;
            }
            other => {
                return Err(PgError::new(
                    sqlstate::SYNTAX_ERROR,
                    format!("syntax error at or near \"{other}\""),
                ))
            }
        }
    }
    Ok(tables)
}

/// Checks VACUUM's tables against the catalog.
pub fn check_tables(cat: &Catalog, tables: &[String]) -> PgResult<()> {
    for t in tables {
        if cat.table(t).is_none() {
            return Err(no_relation(t));
        }
    }
    Ok(())
}

/// What vacuuming one table did and found.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct VacuumStats {
    pub pages: u64,
    /// Row versions removed.
    pub removed: u64,
    /// Index entries deleted.
    pub index_entries_removed: u64,
    /// Line pointers freed.
    pub freed: u64,
    /// Versions left: live, and deleted but still visible to someone.
    pub live: u64,
    pub dead: u64,
}

/// Vacuums `table` with `horizon` (the oldest xid anyone may still
/// consider running). The caller holds a lock that keeps other VACUUMs
/// and DDL away (ShareUpdateExclusive).
pub fn vacuum_table(
    pool: &BufferPool,
    table: &TableDesc,
    indexes: &[&IndexDesc],
    horizon: u32,
) -> PgResult<VacuumStats> {
    let rel = table.rel();
    let mut st = VacuumStats::default();
    let n = pool.nblocks(rel).map_err(PgError::from)?;
    let mut dead: HashMap<u32, Vec<u16>> = HashMap::new();
    let mut dead_set: HashSet<ItemPointer> = HashSet::new();
    let mut first_free = None;
    for block in 0..n {
        check_for_interrupts()?;
        let (ps, tids, counts) =
            prune::vacuum_block(pool, rel, block, horizon).map_err(PgError::from)?;
        if first_free.is_none() && (ps.removed > 0 || !tids.is_empty()) {
            first_free = Some(block);
        }
        st.pages += 1;
        st.removed += ps.removed as u64;
        st.live += counts.live;
        st.dead += counts.dead;
        for t in tids {
            dead.entry(t.block).or_default().push(t.offset);
            dead_set.insert(t);
        }
    }
    // Inserts reuse the freed space from the first page that has some.
    if first_free.is_some() {
        pool.set_free_space_hint(rel, first_free);
    }
    if dead_set.is_empty() {
        return Ok(st);
    }
    for idx in indexes {
        let mut doomed = Vec::new();
        let mut scan = btree::scan(
            pool,
            idx.rel(),
            std::ops::Bound::Unbounded,
            std::ops::Bound::Unbounded,
        );
        while let Some((k, tid)) = scan.next().map_err(PgError::from)? {
            if dead_set.contains(&tid) {
                doomed.push((k, tid));
            }
        }
        for (k, tid) in doomed {
            check_for_interrupts()?;
            if btree::delete(pool, idx.rel(), &k, tid).map_err(PgError::from)? {
                st.index_entries_removed += 1;
            }
        }
    }
    for (block, offs) in dead {
        st.freed += prune::reclaim_dead(pool, rel, block, &offs).map_err(PgError::from)? as u64;
    }
    Ok(st)
}

/// Whether a statement the parser passed on as VACUUM is CHECKPOINT.
pub fn is_checkpoint(sql: &str) -> bool {
    sql.trim_start()
        .get(..10)
        .is_some_and(|w| w.eq_ignore_ascii_case("checkpoint"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn vacuum_forms() {
        assert_eq!(parse_vacuum("vacuum").unwrap(), Vec::<String>::new());
        assert_eq!(parse_vacuum("vacuum analyze t").unwrap(), vec!["t"]);
        assert_eq!(
            parse_vacuum("VACUUM (VERBOSE, ANALYZE) a, public.B").unwrap(),
            vec!["a", "b"]
        );
        assert_eq!(parse_vacuum("vacuum full freeze t").unwrap(), vec!["t"]);
        assert!(parse_vacuum("vacuum t u").is_err());
    }
}
