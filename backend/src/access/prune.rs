//! Pruning and vacuuming heap pages (PostgreSQL's pruneheap.c and the
//! heap part of vacuumlazy.c).
//!
//! Pruning works on one page under its exclusive content lock, with a
//! horizon (the oldest xid any running transaction or snapshot may still
//! consider running): versions dead to all are removed. In a HOT chain,
//! dead heap-only members lose their line pointers (nothing else refers to
//! them: they become reusable); a dead root becomes a redirect to the
//! chain's first live member, or, if the whole chain is dead, a dead line
//! pointer, because index entries still point at it. Only VACUUM, after
//! deleting those index entries, turns dead line pointers into unused ones
//! ([`reclaim_dead`]).

use shmem::buffer::{BlockNumber, BufferPool, RelId};

use super::heap::{header_at, HeapTupleHeader};
use super::page::{self, Page, LP_DEAD, LP_NORMAL, LP_REDIRECT};
use super::visibility::{dead_to_all, HEAP_HOT_UPDATED, HEAP_ONLY_TUPLE, HEAP_XMAX_LOCK_ONLY};
use super::{AccessError, ItemPointer};
use shmem::xact::{Clog, XidStatus};

/// The members of the HOT chain starting at root `root` (after its
/// redirect if it is one): item numbers in chain order.
pub fn chain_members(clog: &Clog, p: &Page, root: u16) -> Vec<u16> {
    let mut out = Vec::new();
    let start = page::redirect_target(p, root);
    let mut off = start.unwrap_or(root);
    let mut prev: Option<HeapTupleHeader> = None;
    while out.len() <= page::max_offset(p) as usize {
        let Some(h) = header_at(p, off) else { break };
        let is_root = off == root;
        if let Some(pv) = prev {
            if pv.t_xmax != h.t_xmin {
                break;
            }
        }
        // Past the root (or a redirect's target), members are heap-only.
        if !is_root && prev.is_some() && h.t_infomask & HEAP_ONLY_TUPLE == 0 {
            break;
        }
        out.push(off);
        // An update that aborted ends the chain: its heap-only version is
        // garbage that no chain reaches.
        if h.t_infomask & HEAP_HOT_UPDATED == 0
            || h.t_ctid.offset == off
            || clog.status(h.t_xmax) == XidStatus::Aborted
        {
            break;
        }
        prev = Some(h);
        off = h.t_ctid.offset;
    }
    out
}

thread_local! {
    /// Versions removed by pruning on access, per relation, not yet
    /// reported to the table statistics.
    static PRUNED: std::cell::RefCell<Vec<(RelId, u64)>> = const { std::cell::RefCell::new(Vec::new()) };
}

/// Notes that pruning on access removed `n` versions of `rel`.
pub fn note_pruned(rel: RelId, n: usize) {
    if n == 0 {
        return;
    }
    PRUNED.with(|p| {
        let mut p = p.borrow_mut();
        match p.iter_mut().find(|(r, _)| *r == rel) {
            Some((_, c)) => *c += n as u64,
            None => p.push((rel, n as u64)),
        }
    });
}

/// Takes what [`note_pruned`] collected: (relation, versions removed).
pub fn take_pruned() -> Vec<(RelId, u64)> {
    PRUNED.with(|p| std::mem::take(&mut *p.borrow_mut()))
}

/// What pruning a page did.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct PruneStats {
    /// Versions removed.
    pub removed: usize,
    /// Line pointers now dead (waiting for VACUUM).
    pub now_dead: usize,
}

/// Whether line pointer `off` starts a chain: a redirect, or a normal
/// tuple that is not heap-only.
fn is_root(p: &Page, off: u16) -> bool {
    match page::item_id(p, off).flags {
        LP_REDIRECT => true,
        LP_NORMAL => header_at(p, off).is_some_and(|h| h.t_infomask & HEAP_ONLY_TUPLE == 0),
        _ => false,
    }
}

/// Prunes `p` (held exclusively) with `horizon`, the statuses in `clog`;
/// compacts it if anything was removed.
pub fn prune_page(clog: &Clog, p: &mut Page, horizon: u32) -> PruneStats {
    let mut stats = PruneStats::default();
    if page::is_new(p) {
        return stats;
    }
    let n = page::max_offset(p);
    let mut reached = vec![false; n as usize + 1];
    let dead =
        |p: &Page, off: u16| header_at(p, off).is_some_and(|h| dead_to_all(clog, &h, horizon));
    for root in 1..=n {
        if !is_root(p, root) {
            continue;
        }
        let members = chain_members(clog, p, root);
        for &m in &members {
            reached[m as usize] = true;
        }
        let ndead = members.iter().take_while(|&&m| dead(p, m)).count();
        let redirect = page::item_id(p, root).flags == LP_REDIRECT;
        if ndead == 0 && !(redirect && members.is_empty()) {
            continue;
        }
        // Heap-only dead members go away entirely.
        for &m in &members[..ndead] {
            if m != root {
                page::mark_unused(p, m);
            }
        }
        stats.removed += ndead;
        if ndead == members.len() {
            page::mark_dead(p, root);
            stats.now_dead += 1;
        } else if members[ndead] != root {
            page::set_redirect(p, root, members[ndead]);
        }
    }
    // Heap-only versions no chain reaches (left by aborted updates).
    for off in 1..=n {
        if !reached[off as usize]
            && page::item_id(p, off).flags == LP_NORMAL
            && header_at(p, off).is_some_and(|h| h.t_infomask & HEAP_ONLY_TUPLE != 0)
            && dead(p, off)
        {
            page::mark_unused(p, off);
            stats.removed += 1;
        }
    }
    if stats.removed > 0 {
        page::compact(p);
    }
    page::clear_flags(p, page::PD_PRUNABLE);
    stats
}

/// Counts on one page after pruning: versions stored, and those of them
/// not visible to new snapshots (deleted or in-flight).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct PageCounts {
    pub live: u64,
    pub dead: u64,
}

/// For VACUUM's counts, as PostgreSQL's lazy vacuum counts: Some(true)
/// for a live version (inserted by a committed transaction, not deleted
/// by one; a delete in progress still counts as live), Some(false) for a
/// dead one still stored (its inserter aborted, or its deleter
/// committed), None while its inserter is in progress.
fn version_state(clog: &Clog, h: &HeapTupleHeader) -> Option<bool> {
    match clog.status(h.t_xmin) {
        XidStatus::Aborted => return Some(false),
        XidStatus::InProgress => return None,
        XidStatus::Committed => {}
    }
    if h.t_xmax == 0 || h.t_infomask & HEAP_XMAX_LOCK_ONLY != 0 {
        return Some(true);
    }
    Some(clog.status(h.t_xmax) != XidStatus::Committed)
}

/// VACUUM's first pass over one block: prunes it and returns its dead
/// line pointers (to be removed from the indexes) and counts.
pub fn vacuum_block(
    pool: &BufferPool,
    rel: RelId,
    block: BlockNumber,
    horizon: u32,
) -> Result<(PruneStats, Vec<ItemPointer>, PageCounts), AccessError> {
    let buf = pool.read(rel, block)?;
    let mut g = buf.write_lock();
    if page::is_new(&g) {
        return Ok(Default::default());
    }
    let clog = pool.data_dir().clog();
    let stats = prune_page(clog, &mut g, horizon);
    let mut dead = Vec::new();
    let mut counts = PageCounts::default();
    for off in 1..=page::max_offset(&g) {
        match page::item_id(&g, off).flags {
            LP_DEAD => dead.push(ItemPointer::new(block, off)),
            LP_NORMAL => match header_at(&g, off).map(|h| version_state(clog, &h)) {
                Some(Some(true)) => counts.live += 1,
                Some(Some(false)) => counts.dead += 1,
                _ => {}
            },
            _ => {}
        }
    }
    Ok((stats, dead, counts))
}

/// VACUUM's last pass over one block: dead line pointers in `offs`, whose
/// index entries are gone, become unused.
pub fn reclaim_dead(
    pool: &BufferPool,
    rel: RelId,
    block: BlockNumber,
    offs: &[u16],
) -> Result<usize, AccessError> {
    let buf = pool.read(rel, block)?;
    let mut g = buf.write_lock();
    let mut n = 0;
    for &off in offs {
        if off <= page::max_offset(&g) && page::item_id(&g, off).flags == LP_DEAD {
            page::mark_unused(&mut g, off);
            n += 1;
        }
    }
    Ok(n)
}

/// For an index build: each chain of `block` that new snapshots may still
/// reach, as (root tid, data of its newest version not known dead).
pub fn live_chains(
    pool: &BufferPool,
    rel: RelId,
    block: BlockNumber,
    horizon: u32,
) -> Result<Vec<(ItemPointer, Vec<u8>)>, AccessError> {
    let buf = pool.read(rel, block)?;
    let mut g = buf.write_lock();
    if page::is_new(&g) {
        return Ok(Vec::new());
    }
    let clog = pool.data_dir().clog();
    prune_page(clog, &mut g, horizon);
    let mut out = Vec::new();
    for root in 1..=page::max_offset(&g) {
        if !is_root(&g, root) {
            continue;
        }
        let newest = chain_members(clog, &g, root).into_iter().rev().find(|&m| {
            // (xmin 0, a killed speculative insert, reads as aborted.)
            header_at(&g, m).is_some_and(|h| clog.status(h.t_xmin) != XidStatus::Aborted)
        });
        if let Some(m) = newest {
            if let Some(t) = page::get_item(&g, m) {
                let hoff = t[super::heap::HEAP_TUPLE_HEADER_SIZE - 4] as usize;
                out.push((ItemPointer::new(block, root), t[hoff..].to_vec()));
            }
        }
    }
    Ok(out)
}
