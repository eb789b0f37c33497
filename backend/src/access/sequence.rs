//! Sequences: each is a one-page relation `base/<oid>` holding its state
//! and the limits `nextval` obeys, changed under the buffer's exclusive
//! content lock, so `nextval` is atomic across every backend in every
//! mode. The buffer manager WAL-logs every page change (see
//! `shmem::wal::pagelog`), so a value handed out survives a crash once
//! any later commit flushed the WAL; like PostgreSQL's, the change is not
//! transactional (never rolled back).
//!
//! Page layout: the standard 24-byte page header (only its LSN is used:
//! the WAL sets it), then magic (8 bytes), last_value (i64), is_called
//! (u8), max_value (i64), min_value (i64), increment (i64), start (i64),
//! cycle (u8), log_cnt (i64); little-endian. Pages written before the
//! limits were added (magic `PGFSEQ02`) read as increment 1, minimum 1,
//! start 1, no cycle.

use shmem::buffer::BufferPool;

use crate::error::{sqlstate, PgError, PgResult};

const MAGIC: &[u8; 8] = b"PGFSEQ03";
const OLD_MAGIC: &[u8; 8] = b"PGFSEQ02";
/// The state follows the page header.
const OFF: usize = crate::access::page::HEADER_SIZE;
/// Values PostgreSQL logs ahead (SEQ_LOG_VALS): `log_cnt` counts down
/// from it, as PostgreSQL's column shows.
const LOG_VALS: i64 = 32;

/// The limits of a sequence (pg_sequence's columns that `nextval` needs).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SeqLimits {
    pub increment: i64,
    pub min: i64,
    pub max: i64,
    pub start: i64,
    pub cycle: bool,
}

/// The whole state of a sequence's page.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SeqState {
    pub last: i64,
    pub called: bool,
    pub log_cnt: i64,
    pub limits: SeqLimits,
}

fn i64_at(p: &[u8], at: usize) -> Option<i64> {
    Some(i64::from_le_bytes(p.get(at..at + 8)?.try_into().ok()?))
}

fn read_state(p: &[u8]) -> Option<SeqState> {
    let p = &p[OFF..];
    let last = i64_at(p, 8)?;
    let called = p[16] != 0;
    let max = i64_at(p, 17)?;
    if &p[0..8] == OLD_MAGIC {
        return Some(SeqState {
            last,
            called,
            log_cnt: 0,
            limits: SeqLimits {
                increment: 1,
                min: 1,
                max,
                start: 1,
                cycle: false,
            },
        });
    }
    if &p[0..8] != MAGIC {
        return None;
    }
    Some(SeqState {
        last,
        called,
        limits: SeqLimits {
            max,
            min: i64_at(p, 25)?,
            increment: i64_at(p, 33)?,
            start: i64_at(p, 41)?,
            cycle: p[49] != 0,
        },
        log_cnt: i64_at(p, 50)?,
    })
}

fn write_state(p: &mut [u8], s: &SeqState) {
    let p = &mut p[OFF..];
    p[0..8].copy_from_slice(MAGIC);
    p[8..16].copy_from_slice(&s.last.to_le_bytes());
    p[16] = u8::from(s.called);
    p[17..25].copy_from_slice(&s.limits.max.to_le_bytes());
    p[25..33].copy_from_slice(&s.limits.min.to_le_bytes());
    p[33..41].copy_from_slice(&s.limits.increment.to_le_bytes());
    p[41..49].copy_from_slice(&s.limits.start.to_le_bytes());
    p[49] = u8::from(s.limits.cycle);
    p[50..58].copy_from_slice(&s.log_cnt.to_le_bytes());
}

fn corrupt(name: &str) -> PgError {
    PgError::new(
        sqlstate::DATA_CORRUPTED,
        format!("bad magic number in sequence \"{name}\""),
    )
}

/// Runs `f` on the sequence's state under the page's exclusive lock,
/// writing back what it returns.
fn update<T>(
    pool: &BufferPool,
    rel: u32,
    name: &str,
    f: impl FnOnce(SeqState) -> PgResult<(SeqState, T)>,
) -> PgResult<T> {
    let buf = pool.read(rel, 0).map_err(PgError::from)?;
    let mut g = buf.write_lock();
    let s = read_state(&g[..]).ok_or_else(|| corrupt(name))?;
    let (new, out) = f(s)?;
    if new != s {
        write_state(&mut g[..], &new);
    }
    Ok(out)
}

/// Creates the sequence relation, positioned at its start value.
pub fn create(pool: &BufferPool, rel: u32, limits: SeqLimits) -> PgResult<()> {
    pool.create_relation(rel).map_err(PgError::from)?;
    let buf = pool.extend(rel).map_err(PgError::from)?;
    let mut g = buf.write_lock();
    write_state(
        &mut g[..],
        &SeqState {
            last: limits.start,
            called: false,
            log_cnt: 0,
            limits,
        },
    );
    Ok(())
}

/// Restarts the sequence at its start value (TRUNCATE ... RESTART
/// IDENTITY, ALTER SEQUENCE ... RESTART).
pub fn reset(pool: &BufferPool, rel: u32, name: &str) -> PgResult<()> {
    update(pool, rel, name, |s| {
        let last = s.limits.start;
        Ok((
            SeqState {
                last,
                called: false,
                log_cnt: 0,
                ..s
            },
            (),
        ))
    })
}

/// ALTER SEQUENCE: new limits, and a restart value if given.
pub fn alter(
    pool: &BufferPool,
    rel: u32,
    name: &str,
    limits: SeqLimits,
    restart: Option<i64>,
) -> PgResult<()> {
    update(pool, rel, name, |s| {
        let mut n = SeqState { limits, ..s };
        if let Some(r) = restart {
            n.last = r;
            n.called = false;
            n.log_cnt = 0;
        }
        Ok((n, ()))
    })
}

/// The value after `last`, or None when the sequence is exhausted.
fn advance(last: i64, l: &SeqLimits) -> Option<i64> {
    match last.checked_add(l.increment) {
        Some(n) if n >= l.min && n <= l.max => Some(n),
        _ if l.cycle => Some(if l.increment > 0 { l.min } else { l.max }),
        _ => None,
    }
}

/// nextval(): the next value, atomically.
pub fn nextval(pool: &BufferPool, rel: u32, name: &str) -> PgResult<i64> {
    update(pool, rel, name, |s| {
        let l = s.limits;
        let next = if s.called {
            advance(s.last, &l)
        } else {
            Some(s.last)
        };
        let Some(n) = next else {
            let msg = if l.increment > 0 {
                format!(
                    "nextval: reached maximum value of sequence \"{name}\" ({})",
                    l.max
                )
            } else {
                format!(
                    "nextval: reached minimum value of sequence \"{name}\" ({})",
                    l.min
                )
            };
            return Err(PgError::new("2200H", msg));
        };
        let log_cnt = if !s.called || s.log_cnt <= 0 {
            LOG_VALS
        } else {
            s.log_cnt - 1
        };
        Ok((
            SeqState {
                last: n,
                called: true,
                log_cnt,
                limits: l,
            },
            n,
        ))
    })
}

/// setval(seq, value, is_called).
pub fn setval(pool: &BufferPool, rel: u32, name: &str, value: i64, called: bool) -> PgResult<i64> {
    update(pool, rel, name, |s| {
        let l = s.limits;
        if value < l.min || value > l.max {
            return Err(PgError::new(
                sqlstate::NUMERIC_VALUE_OUT_OF_RANGE,
                format!(
                    "setval: value {value} is out of bounds for sequence \"{name}\" ({}..{})",
                    l.min, l.max
                ),
            ));
        }
        Ok((
            SeqState {
                last: value,
                called,
                log_cnt: 0,
                limits: l,
            },
            value,
        ))
    })
}

/// The sequence's state (SELECT * FROM seq, the catalog views).
pub fn state(pool: &BufferPool, rel: u32, name: &str) -> PgResult<SeqState> {
    let buf = pool.read(rel, 0).map_err(PgError::from)?;
    let g = buf.read_lock();
    read_state(&g[..]).ok_or_else(|| corrupt(name))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lim(increment: i64, min: i64, max: i64, cycle: bool) -> SeqLimits {
        SeqLimits {
            increment,
            min,
            max,
            start: min,
            cycle,
        }
    }

    #[test]
    fn advance_obeys_limits_and_cycle() {
        assert_eq!(advance(1, &lim(1, 1, 3, false)), Some(2));
        assert_eq!(advance(3, &lim(1, 1, 3, false)), None);
        assert_eq!(advance(3, &lim(1, 1, 3, true)), Some(1));
        assert_eq!(advance(-9, &lim(-5, -10, -1, true)), Some(-1));
        assert_eq!(advance(i64::MAX, &lim(1, 1, i64::MAX, false)), None);
        assert_eq!(advance(5, &lim(10, 1, 100, false)), Some(15));
    }

    #[test]
    fn state_round_trips() {
        let mut page = vec![0u8; 8192];
        let s = SeqState {
            last: -7,
            called: true,
            log_cnt: 31,
            limits: SeqLimits {
                increment: -2,
                min: -100,
                max: -1,
                start: -1,
                cycle: true,
            },
        };
        write_state(&mut page, &s);
        assert_eq!(read_state(&page), Some(s));
        page[OFF] = b'X';
        assert_eq!(read_state(&page), None);
    }
}
