//! CPU pinning: which cores the two parties of a ping-pong run on.
//!
//! Cross-core rows put the parties on two distinct CPUs; `-samecore` rows put
//! both on one CPU, so every hand-off needs the scheduler to switch tasks.

use std::io;

use nix::sched::{sched_getaffinity, sched_setaffinity, CpuSet};
use nix::unistd::Pid;

/// Where a row's parties run.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Placement {
    /// One party (or a loop on one thread), pinned to the first CPU.
    Single,
    /// Two parties on two distinct CPUs.
    Cross,
    /// Two parties both pinned to the first CPU.
    SameCore,
    /// Nothing pinned (creation/teardown rows: the scheduler decides).
    Unpinned,
}

/// The CPUs this run uses.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CorePair {
    pub a: usize,
    pub b: usize,
}

/// The concrete CPUs of one row: the measuring party's and its peer's.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Cores {
    pub main: Option<usize>,
    pub peer: Option<usize>,
}

impl CorePair {
    /// Picks the first two CPUs this process may run on (the same one twice
    /// when only one is allowed).
    pub fn detect() -> io::Result<CorePair> {
        let cpus = allowed_cpus()?;
        let a = *cpus
            .first()
            .ok_or_else(|| io::Error::other("empty CPU affinity mask"))?;
        let b = cpus.get(1).copied().unwrap_or(a);
        Ok(CorePair { a, b })
    }

    pub fn resolve(self, placement: Placement) -> Cores {
        let (main, peer) = match placement {
            Placement::Single => (Some(self.a), None),
            Placement::Cross => (Some(self.a), Some(self.b)),
            Placement::SameCore => (Some(self.a), Some(self.a)),
            Placement::Unpinned => (None, None),
        };
        Cores { main, peer }
    }
}

impl Cores {
    /// "0,1" for two parties, "0" for one, "any" when unpinned.
    pub fn label(self) -> String {
        match (self.main, self.peer) {
            (Some(m), Some(p)) => format!("{m},{p}"),
            (Some(m), None) => m.to_string(),
            _ => "any".to_string(),
        }
    }
}

/// The CPUs in this process's affinity mask, ascending.
pub fn allowed_cpus() -> io::Result<Vec<usize>> {
    let set = sched_getaffinity(Pid::from_raw(0))?;
    Ok((0..CpuSet::count())
        .filter(|&c| set.is_set(c).unwrap_or(false))
        .collect())
}

/// Pins the calling thread to `cpu`.
pub fn pin_current(cpu: usize) -> io::Result<()> {
    let mut set = CpuSet::new();
    set.set(cpu)?;
    sched_setaffinity(Pid::from_raw(0), &set)?;
    Ok(())
}

/// Restores the calling thread's previous affinity mask when dropped.
pub struct PinGuard {
    saved: Option<CpuSet>,
}

/// Pins the calling thread to `cpu` (if given) until the guard is dropped.
pub fn pin_scoped(cpu: Option<usize>) -> io::Result<PinGuard> {
    let Some(cpu) = cpu else {
        return Ok(PinGuard { saved: None });
    };
    let saved = sched_getaffinity(Pid::from_raw(0))?;
    pin_current(cpu)?;
    Ok(PinGuard { saved: Some(saved) })
}

impl Drop for PinGuard {
    fn drop(&mut self) {
        if let Some(saved) = &self.saved {
            let _ = sched_setaffinity(Pid::from_raw(0), saved);
        }
    }
}
