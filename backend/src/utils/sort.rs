//! Sorting that a cancel request or statement_timeout can stop: ORDER BY's
//! sort and ordered aggregates (`agg(x ORDER BY k)`) sort with it, so the
//! comparison work of a big in-memory sort is interrupted as the loops that
//! read its rows are.
//!
//! `slice::sort_by` cannot be stopped from its comparator (a comparator
//! that gives up must still be a total order, or the sort may panic), so
//! the rows are cut into runs of [`RUN`] that `sort_by` sorts (well under
//! a millisecond each, with an interrupt check after each run), and the
//! runs are merged pairwise, with a [`Ticker`] counting the merge's
//! comparisons. The result is stable, as `sort_by`'s is.

#![forbid(unsafe_code)]

use std::cmp::Ordering;

use crate::error::PgResult;
use crate::interrupts::{check_for_interrupts_now, Ticker};

/// Rows per run sorted by `sort_by` between two interrupt checks: about
/// 2,000 comparisons.
pub const RUN: usize = 256;

/// Sorts `v` stably by `cmp`, checking for interrupts at least every
/// [`RUN`] elements sorted or [`crate::interrupts::TICK_INTERVAL`]
/// comparisons merged; fails with the interrupt's error (57014 on cancel
/// or statement_timeout).
pub fn sort_by_interruptible<T>(
    mut v: Vec<T>,
    mut cmp: impl FnMut(&T, &T) -> Ordering,
) -> PgResult<Vec<T>> {
    if v.len() <= RUN {
        v.sort_by(&mut cmp);
        return Ok(v);
    }
    let mut runs: Vec<Vec<T>> = Vec::with_capacity(v.len().div_ceil(RUN));
    let mut rest = v.into_iter();
    loop {
        let mut run: Vec<T> = rest.by_ref().take(RUN).collect();
        if run.is_empty() {
            break;
        }
        run.sort_by(&mut cmp);
        check_for_interrupts_now()?;
        runs.push(run);
    }
    let mut tick = Ticker::new();
    while runs.len() > 1 {
        let mut merged = Vec::with_capacity(runs.len().div_ceil(2));
        let mut it = runs.into_iter();
        while let Some(a) = it.next() {
            match it.next() {
                Some(b) => merged.push(merge(a, b, &mut cmp, &mut tick)?),
                None => merged.push(a),
            }
        }
        runs = merged;
    }
    Ok(runs.pop().unwrap_or_default())
}

/// Merges two sorted runs; on ties the left run's element comes first.
fn merge<T>(
    a: Vec<T>,
    b: Vec<T>,
    cmp: &mut impl FnMut(&T, &T) -> Ordering,
    tick: &mut Ticker,
) -> PgResult<Vec<T>> {
    let mut out = Vec::with_capacity(a.len() + b.len());
    let mut a = a.into_iter().peekable();
    let mut b = b.into_iter().peekable();
    while let (Some(x), Some(y)) = (a.peek(), b.peek()) {
        tick.tick()?;
        let next = if cmp(y, x) == Ordering::Less {
            b.next()
        } else {
            a.next()
        };
        out.extend(next);
    }
    out.extend(a);
    out.extend(b);
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sorts_stably_at_every_size() {
        for n in [
            0usize, 1, 2, 255, 256, 257, 511, 512, 513, 1000, 5000, 70_001,
        ] {
            // Keys with many ties; the index tells whether order was kept.
            let v: Vec<(u64, usize)> = (0..n)
                .map(|i| ((i as u64).wrapping_mul(2_654_435_761) % 97, i))
                .collect();
            let mut want = v.clone();
            want.sort_by_key(|a| a.0);
            let got = sort_by_interruptible(v, |a, b| a.0.cmp(&b.0)).unwrap();
            assert_eq!(got, want, "n = {n}");
        }
    }

    #[test]
    fn stops_at_an_expired_statement_timeout() {
        let past = std::time::Instant::now() - std::time::Duration::from_secs(1);
        crate::interrupts::set_statement_deadline(Some(past));
        let v: Vec<u32> = (0..100_000u32).rev().collect();
        let r = sort_by_interruptible(v, |a, b| a.cmp(b));
        crate::interrupts::set_statement_deadline(None);
        assert_eq!(r.unwrap_err().code, crate::error::sqlstate::QUERY_CANCELED);
    }
}
