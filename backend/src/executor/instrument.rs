//! Per-node instrumentation for EXPLAIN ANALYZE (PostgreSQL's
//! instrument.c): each plan node's actual rows and loops, with TIMING its
//! startup and total time, with BUFFERS the shared buffer hits, reads and
//! writes of its calls (children included, as PostgreSQL counts them),
//! and the rows its filters removed.
//!
//! Nothing here runs unless an EXPLAIN ANALYZE is executing on this
//! thread (a session: a backend process, or one thread in thread mode):
//! [`begin`] installs a registry, and [`wrap`] — called for every node
//! `executor::build` makes — wraps the node in an [`Instrumented`] one
//! only then; otherwise it costs one thread-local flag read per node
//! built, and nothing per row.
//!
//! A node's counters are keyed by the address of its plan node (plans
//! are immutable and outlive their execution), so the run-time nodes a
//! plan node gets over an execution (a LATERAL inner side rebuilt per
//! outer row, a recursive term per round) all count into one entry, one
//! loop each, as PostgreSQL counts rescans. A loop ends when its node is
//! dropped. Nodes that run a scan without a plan node of their own (the
//! inner index scan of an index nested loop, the scan of UPDATE and
//! DELETE) key it by the `ScanPlan`'s address; a hash join's Hash node by
//! its join's address with the low bit set.

use std::cell::{Cell, RefCell};
use std::collections::HashMap;
use std::rc::Rc;

use shmem::time::monotonic_ns;
use shmem::waitstats::{self, Counters};

use crate::error::PgResult;
use crate::executor::eval::EvalCtx;
use crate::nodes::plan::{Plan, ScanPlan};

use super::{Node, Row};

/// What EXPLAIN ANALYZE measures besides rows and loops.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct InstrOptions {
    pub timing: bool,
    pub buffers: bool,
}

/// Shared buffer usage of a node (PostgreSQL's BufferUsage, shared part).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct BufferUsage {
    pub hit: u64,
    pub read: u64,
    pub written: u64,
}

impl BufferUsage {
    fn between(a: &Counters, b: &Counters) -> BufferUsage {
        let d = b.sub(a);
        BufferUsage {
            hit: d.buf_hits,
            read: d.buf_reads,
            written: d.buf_writes,
        }
    }

    fn add(&mut self, o: BufferUsage) {
        self.hit += o.hit;
        self.read += o.read;
        self.written += o.written;
    }

    pub fn is_zero(&self) -> bool {
        *self == BufferUsage::default()
    }
}

/// One node's counters: the loop running now, and totals over the loops
/// ended (PostgreSQL's Instrumentation).
#[derive(Clone, Debug, Default)]
pub struct NodeInstr {
    /// The current loop returned from a call at least once.
    running: bool,
    /// Time to the end of the current loop's first call, and in its
    /// calls so far (ns).
    first_ns: u64,
    counter_ns: u64,
    tuplecount: u64,
    /// Loops ended, and their sums.
    pub nloops: u64,
    pub ntuples: u64,
    pub startup_ns: u64,
    pub total_ns: u64,
    /// Rows removed by the node's join filter (nfiltered1 of a join) or
    /// filter (nfiltered1 of a scan, nfiltered2 of a join).
    pub nfiltered1: u64,
    pub nfiltered2: u64,
    pub buffers: BufferUsage,
}

impl NodeInstr {
    /// Records one call that took `ns` and returned `rows` rows.
    pub fn stop(&mut self, ns: u64, rows: u64, buffers: Option<BufferUsage>) {
        self.tuplecount += rows;
        self.counter_ns += ns;
        if let Some(b) = buffers {
            self.buffers.add(b);
        }
        if !self.running {
            self.running = true;
            self.first_ns = self.counter_ns;
        }
    }

    /// Ends the current loop (PostgreSQL's InstrEndLoop): nothing if no
    /// call returned in it.
    pub fn end_loop(&mut self) {
        if !self.running {
            return;
        }
        self.startup_ns += self.first_ns;
        self.total_ns += self.counter_ns;
        self.ntuples += self.tuplecount;
        self.nloops += 1;
        self.running = false;
        self.first_ns = 0;
        self.counter_ns = 0;
        self.tuplecount = 0;
    }
}

/// What a running node adds to its counters when its loop ends (the
/// `Node::report` hook fills it).
#[derive(Clone, Copy, Debug, Default)]
pub struct NodeReport {
    pub nfiltered1: u64,
    pub nfiltered2: u64,
}

/// The counters of one EXPLAIN ANALYZE's execution.
#[derive(Debug, Default)]
pub struct Registry {
    pub opts: InstrOptions,
    nodes: RefCell<HashMap<usize, Rc<RefCell<NodeInstr>>>>,
}

impl Registry {
    fn entry(&self, key: usize) -> Rc<RefCell<NodeInstr>> {
        self.nodes.borrow_mut().entry(key).or_default().clone()
    }

    fn get(&self, key: usize) -> Option<NodeInstr> {
        self.nodes.borrow().get(&key).map(|i| i.borrow().clone())
    }

    /// The counters of a plan node (None: it was never built).
    pub fn plan(&self, p: &Plan) -> Option<NodeInstr> {
        self.get(plan_key(p))
    }

    /// The counters of a scan run without a plan node of its own.
    pub fn scan(&self, s: &ScanPlan) -> Option<NodeInstr> {
        self.get(scan_key(s))
    }

    /// The counters of a hash join's Hash node.
    pub fn hash(&self, join: &Plan) -> Option<NodeInstr> {
        self.get(plan_key(join) | 1)
    }

    /// Counters kept by the caller under `key` (a ModifyTable node's).
    pub fn other(&self, key: usize) -> Option<NodeInstr> {
        self.get(key)
    }

    /// Records one whole loop of a node the caller times itself.
    pub fn record(&self, key: usize, ns: u64, rows: u64, buffers: Option<BufferUsage>) {
        let e = self.entry(key);
        let mut i = e.borrow_mut();
        i.stop(ns, rows, buffers);
        i.end_loop();
    }
}

fn plan_key(p: &Plan) -> usize {
    p as *const Plan as usize
}

fn scan_key(s: &ScanPlan) -> usize {
    s as *const ScanPlan as usize
}

thread_local! {
    /// Whether an EXPLAIN ANALYZE runs on this thread (the fast check).
    static ACTIVE: Cell<bool> = const { Cell::new(false) };
    static REGISTRY: RefCell<Option<Rc<Registry>>> = const { RefCell::new(None) };
}

/// An EXPLAIN ANALYZE's instrumentation, installed until dropped.
pub struct Session {
    registry: Rc<Registry>,
    /// What was installed before (an EXPLAIN ANALYZE inside a function
    /// called by another one's query).
    previous: Option<Rc<Registry>>,
}

impl Session {
    pub fn registry(&self) -> &Registry {
        &self.registry
    }
}

impl Drop for Session {
    fn drop(&mut self) {
        let prev = self.previous.take();
        ACTIVE.with(|a| a.set(prev.is_some()));
        REGISTRY.with(|r| *r.borrow_mut() = prev);
    }
}

/// Starts instrumenting the nodes this thread builds.
pub fn begin(opts: InstrOptions) -> Session {
    let registry = Rc::new(Registry {
        opts,
        ..Registry::default()
    });
    let previous = REGISTRY.with(|r| r.borrow_mut().replace(registry.clone()));
    ACTIVE.with(|a| a.set(true));
    Session { registry, previous }
}

fn current() -> Option<Rc<Registry>> {
    if !ACTIVE.with(Cell::get) {
        return None;
    }
    REGISTRY.with(|r| r.borrow().clone())
}

/// Buffer counters now, when BUFFERS is on.
fn buffers_now(opts: InstrOptions) -> Option<Counters> {
    opts.buffers.then(waitstats::local)
}

/// Times one call (or a loop's opening) of a node timed by its caller.
pub struct CallTimer {
    t0: u64,
    b0: Option<Counters>,
}

impl CallTimer {
    fn start(opts: InstrOptions) -> CallTimer {
        CallTimer {
            t0: if opts.timing { monotonic_ns() } else { 0 },
            b0: buffers_now(opts),
        }
    }

    fn stop(self, opts: InstrOptions, instr: &mut NodeInstr, rows: u64) {
        let ns = if opts.timing {
            monotonic_ns().saturating_sub(self.t0)
        } else {
            0
        };
        let b = self
            .b0
            .map(|b0| BufferUsage::between(&b0, &waitstats::local()));
        instr.stop(ns, rows, b);
    }
}

/// A node counted by the node that runs it: the inner index scan of an
/// index nested loop, the scan of UPDATE/DELETE, a hash join's Hash.
pub struct Counted {
    opts: InstrOptions,
    instr: Rc<RefCell<NodeInstr>>,
}

impl Counted {
    /// Counters for the scan `s`, when EXPLAIN ANALYZE runs.
    pub fn for_scan(s: &ScanPlan) -> Option<Counted> {
        let reg = current()?;
        Some(Counted {
            opts: reg.opts,
            instr: reg.entry(scan_key(s)),
        })
    }

    /// Counters kept under `key` (a ModifyTable node's).
    pub fn for_key(key: usize) -> Option<Counted> {
        let reg = current()?;
        Some(Counted {
            opts: reg.opts,
            instr: reg.entry(key),
        })
    }

    /// Counters for the Hash node of the hash join `join`.
    pub fn for_hash(join: &Plan) -> Option<Counted> {
        let reg = current()?;
        Some(Counted {
            opts: reg.opts,
            instr: reg.entry(plan_key(join) | 1),
        })
    }

    pub fn start(&self) -> CallTimer {
        CallTimer::start(self.opts)
    }

    /// Ends a call started with `start` that returned `rows` rows.
    pub fn stop(&self, t: CallTimer, rows: u64) {
        t.stop(self.opts, &mut self.instr.borrow_mut(), rows);
    }

    /// Ends the loop, adding rows its filter removed.
    pub fn end_loop(&self, filtered: u64) {
        let mut i = self.instr.borrow_mut();
        i.nfiltered1 += filtered;
        i.end_loop();
    }
}

/// Wraps a node built for `plan` in an instrumented one when EXPLAIN
/// ANALYZE runs on this thread; else returns it as it is.
#[inline]
pub fn wrap<'p>(plan: &'p Plan, node: Box<dyn Node + 'p>) -> Box<dyn Node + 'p> {
    match current() {
        None => node,
        Some(reg) => Box::new(Instrumented {
            inner: node,
            opts: reg.opts,
            instr: reg.entry(plan_key(plan)),
        }),
    }
}

/// A node with its counters.
struct Instrumented<'p> {
    inner: Box<dyn Node + 'p>,
    opts: InstrOptions,
    instr: Rc<RefCell<NodeInstr>>,
}

impl Node for Instrumented<'_> {
    fn next(&mut self, ctx: &EvalCtx) -> PgResult<Option<Row>> {
        let t = CallTimer::start(self.opts);
        let r = self.inner.next(ctx);
        let rows = u64::from(matches!(r, Ok(Some(_))));
        t.stop(self.opts, &mut self.instr.borrow_mut(), rows);
        r
    }
}

impl Drop for Instrumented<'_> {
    fn drop(&mut self) {
        let mut rep = NodeReport::default();
        self.inner.report(&mut rep);
        let mut i = self.instr.borrow_mut();
        i.nfiltered1 += rep.nfiltered1;
        i.nfiltered2 += rep.nfiltered2;
        i.end_loop();
    }
}

/// Times a whole piece of work (a ModifyTable node, the execution).
pub struct Stopwatch(CallTimer);

impl Stopwatch {
    pub fn start(opts: InstrOptions) -> Stopwatch {
        Stopwatch(CallTimer::start(opts))
    }

    /// Records the work as one loop of the node keyed `key`.
    pub fn record(self, reg: &Registry, key: usize, rows: u64) {
        let e = reg.entry(key);
        let mut i = e.borrow_mut();
        self.0.stop(reg.opts, &mut i, rows);
        i.end_loop();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn loops_average_and_never_run_loops_do_not_count() {
        let mut i = NodeInstr::default();
        i.stop(10, 1, None);
        i.stop(5, 1, None);
        i.stop(5, 0, None);
        i.end_loop();
        // A loop whose node was never called does not count.
        i.end_loop();
        i.stop(7, 0, None);
        i.end_loop();
        assert_eq!((i.nloops, i.ntuples), (2, 2));
        assert_eq!((i.startup_ns, i.total_ns), (10 + 7, 20 + 7));
    }

    #[test]
    fn wrap_is_identity_without_a_session() {
        assert!(current().is_none());
        let s = begin(InstrOptions::default());
        assert!(current().is_some());
        {
            let inner = begin(InstrOptions {
                timing: true,
                buffers: false,
            });
            assert!(current().is_some_and(|r| r.opts.timing));
            drop(inner);
        }
        assert!(current().is_some_and(|r| !r.opts.timing));
        drop(s);
        assert!(current().is_none());
    }
}
