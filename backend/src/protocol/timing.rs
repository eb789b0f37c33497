//! Per-query phase timing: where a query's time goes inside the backend.
//!
//! A query is one simple Query message, or one extended-protocol cycle up
//! to and including its Sync. Its phases, on CLOCK_MONOTONIC:
//! - `idle`: from the moment the previous response was written to the
//!   first byte of this query's first message (the client's think time
//!   plus the socket's one-way trip);
//! - `recv`: from that first byte until the message was decoded (summed
//!   over the messages of the query that needed a read of their own;
//!   messages pipelined behind another are already in the buffer);
//! - `parse`, `plan`, `execute`: summed over the query's statements;
//! - `send`: writing the response (the final write system call, plus any
//!   made while rows were streamed);
//! - `server_total`: first byte to the end of the final write.
//!
//! Reading the clock costs ~20 ns through the vDSO; a pipelined extended-
//! protocol query takes five or six readings. With `--stats off` no clock
//! is read.

use crate::BackendEnv;

/// The per-query phases are the first metrics of the latency histograms,
/// in this order; a query's durations are indexed by `Metric as usize`.
pub use shmem::latency::Metric as Phase;

/// The phases a query is split into (a prefix of `shmem::latency::METRICS`).
pub const PHASES: [Phase; 7] = [
    Phase::Idle,
    Phase::Recv,
    Phase::Parse,
    Phase::Plan,
    Phase::Execute,
    Phase::Send,
    Phase::ServerTotal,
];

/// One query's measured phases, in nanoseconds.
#[derive(Clone, Copy, Debug, Default)]
pub struct QueryPhases {
    pub ns: [u64; 7],
    /// Monotonic time each phase first began (0 if it did not occur);
    /// for traces. A phase that occurs several times in one query (two
    /// statements in one string) is drawn from its first start with the
    /// summed duration.
    pub began_ns: [u64; 7],
    /// Monotonic time of the query's first byte.
    pub start_ns: u64,
}

pub struct QueryTimer {
    enabled: bool,
    /// End of the previous response's write.
    last_sent_ns: u64,
    /// Whether a query is in progress (a message arrived since the last
    /// ReadyForQuery).
    in_query: bool,
    cur: QueryPhases,
    mark: u64,
    send_start: u64,
    sink: super::stats_sink::StatsSink,
}

#[inline]
fn now() -> u64 {
    shmem::time::monotonic_ns()
}

impl QueryTimer {
    pub fn new(env: &BackendEnv) -> QueryTimer {
        QueryTimer {
            enabled: env.config.stats,
            last_sent_ns: 0,
            in_query: false,
            cur: QueryPhases::default(),
            mark: 0,
            send_start: 0,
            sink: super::stats_sink::StatsSink::new(env),
        }
    }

    /// A message was decoded; `first_byte_ns` is when the read that
    /// brought its first byte returned (0 if it was already buffered).
    #[inline]
    pub fn message_received(&mut self, first_byte_ns: u64) {
        if !self.enabled || (first_byte_ns == 0 && self.in_query) {
            return;
        }
        let t = now();
        let first = if first_byte_ns != 0 && first_byte_ns <= t {
            first_byte_ns
        } else {
            t
        };
        if !self.in_query {
            self.in_query = true;
            self.cur = QueryPhases {
                start_ns: first,
                ..QueryPhases::default()
            };
            if self.last_sent_ns != 0 {
                self.cur.ns[Phase::Idle as usize] = first.saturating_sub(self.last_sent_ns);
                self.cur.began_ns[Phase::Idle as usize] = self.last_sent_ns;
            }
            self.cur.began_ns[Phase::Recv as usize] = first;
        }
        self.cur.ns[Phase::Recv as usize] += t.saturating_sub(first);
    }

    #[inline]
    fn begin(&mut self) {
        if self.enabled {
            self.mark = now();
        }
    }

    #[inline]
    fn end(&mut self, phase: Phase) {
        if self.enabled && self.mark != 0 {
            let i = phase as usize;
            self.cur.ns[i] += now().saturating_sub(self.mark);
            if self.cur.began_ns[i] == 0 {
                self.cur.began_ns[i] = self.mark;
            }
            self.mark = 0;
        }
    }

    pub fn begin_parse(&mut self) {
        self.begin();
    }
    pub fn end_parse(&mut self) {
        self.end(Phase::Parse);
    }
    pub fn begin_plan(&mut self) {
        self.begin();
    }
    pub fn end_plan(&mut self) {
        self.end(Phase::Plan);
    }
    pub fn begin_execute(&mut self) {
        self.begin();
        if self.enabled {
            self.sink.begin_execute();
        }
    }
    pub fn end_execute(&mut self) {
        self.end(Phase::Execute);
        if self.enabled {
            self.sink.end_execute();
        }
    }

    /// The final write of the response is about to start.
    pub fn mark_send_start(&mut self) {
        if self.enabled {
            self.send_start = now();
        }
    }

    /// The response (ending with ReadyForQuery) has been written.
    pub fn finish_query(&mut self) {
        if !self.enabled {
            return;
        }
        let t = now();
        self.last_sent_ns = t;
        if !self.in_query {
            return;
        }
        self.in_query = false;
        self.cur.ns[Phase::Send as usize] += t.saturating_sub(self.send_start);
        self.cur.began_ns[Phase::Send as usize] = self.send_start;
        self.cur.ns[Phase::ServerTotal as usize] = t.saturating_sub(self.cur.start_ns);
        self.cur.began_ns[Phase::ServerTotal as usize] = self.cur.start_ns;
        self.sink.record(&self.cur);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn phases_index_their_own_durations() {
        for (i, p) in PHASES.iter().enumerate() {
            assert_eq!(*p as usize, i, "{}", p.name());
        }
    }
}
