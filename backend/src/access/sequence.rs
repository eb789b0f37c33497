//! Sequences (for serial and bigserial columns): each is a one-page
//! relation `base/<oid>` holding its state, changed under the buffer's
//! exclusive content lock, so `nextval` is atomic across every backend
//! in every mode, and the value reaches disk with the page at the next
//! checkpoint.
//!
//! Page layout: the standard 24-byte page header (only its LSN is used:
//! the WAL sets it), then magic (8 bytes), last_value (i64), is_called
//! (u8), max_value (i64); little-endian.

use shmem::buffer::BufferPool;

use crate::error::{sqlstate, PgError, PgResult};

const MAGIC: &[u8; 8] = b"PGFSEQ02";
/// The state follows the page header.
const OFF: usize = crate::access::page::HEADER_SIZE;

fn read_state(p: &[u8]) -> Option<(i64, bool, i64)> {
    let p = &p[OFF..];
    if &p[0..8] != MAGIC {
        return None;
    }
    let last = i64::from_le_bytes(p[8..16].try_into().ok()?);
    let called = p[16] != 0;
    let max = i64::from_le_bytes(p[17..25].try_into().ok()?);
    Some((last, called, max))
}

fn write_state(p: &mut [u8], last: i64, called: bool, max: i64) {
    let p = &mut p[OFF..];
    p[0..8].copy_from_slice(MAGIC);
    p[8..16].copy_from_slice(&last.to_le_bytes());
    p[16] = u8::from(called);
    p[17..25].copy_from_slice(&max.to_le_bytes());
}

fn corrupt(name: &str) -> PgError {
    PgError::new(
        sqlstate::DATA_CORRUPTED,
        format!("bad magic number in sequence \"{name}\""),
    )
}

/// Creates the sequence relation, starting at 1 with the given maximum.
pub fn create(pool: &BufferPool, rel: u32, max: i64) -> PgResult<()> {
    pool.create_relation(rel).map_err(PgError::from)?;
    let buf = pool.extend(rel).map_err(PgError::from)?;
    let mut g = buf.write_lock();
    write_state(&mut g[..], 1, false, max);
    Ok(())
}

/// Restarts the sequence at 1 (TRUNCATE ... RESTART IDENTITY).
pub fn reset(pool: &BufferPool, rel: u32, name: &str) -> PgResult<()> {
    let buf = pool.read(rel, 0).map_err(PgError::from)?;
    let mut g = buf.write_lock();
    let (_, _, max) = read_state(&g[..]).ok_or_else(|| corrupt(name))?;
    write_state(&mut g[..], 1, false, max);
    Ok(())
}

/// nextval(): the next value, atomically.
pub fn nextval(pool: &BufferPool, rel: u32, name: &str) -> PgResult<i64> {
    let buf = pool.read(rel, 0).map_err(PgError::from)?;
    let mut g = buf.write_lock();
    let (last, called, max) = read_state(&g[..]).ok_or_else(|| corrupt(name))?;
    let next = if called {
        last.checked_add(1)
    } else {
        Some(last)
    };
    match next {
        Some(n) if n <= max => {
            write_state(&mut g[..], n, true, max);
            Ok(n)
        }
        _ => Err(PgError::new(
            "2200H",
            format!("nextval: reached maximum value of sequence \"{name}\" ({max})"),
        )),
    }
}

/// setval(seq, value, is_called).
pub fn setval(pool: &BufferPool, rel: u32, name: &str, value: i64, called: bool) -> PgResult<i64> {
    let buf = pool.read(rel, 0).map_err(PgError::from)?;
    let mut g = buf.write_lock();
    let (_, _, max) = read_state(&g[..]).ok_or_else(|| corrupt(name))?;
    if value < 1 || value > max {
        return Err(PgError::new(
            sqlstate::NUMERIC_VALUE_OUT_OF_RANGE,
            format!("setval: value {value} is out of bounds for sequence \"{name}\" (1..{max})"),
        ));
    }
    write_state(&mut g[..], value, called, max);
    Ok(value)
}

/// The sequence's state for the catalog views: (last_value, is_called,
/// max_value).
pub fn state(pool: &BufferPool, rel: u32, name: &str) -> PgResult<(i64, bool, i64)> {
    let buf = pool.read(rel, 0).map_err(PgError::from)?;
    let g = buf.read_lock();
    read_state(&g[..]).ok_or_else(|| corrupt(name))
}
