//! The seed text's claimed ranges, and the verdict of a measured median
//! against them ("within", "below", "above", or "-" when the seed makes no
//! claim about that row).

/// Which of the seed's claims a row is checked against.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Claim {
    /// The seed says nothing about this operation.
    None,
    /// "In process thread communication costs 50 to 200 nanoseconds."
    Thread,
    /// "A round trip over a local Unix domain socket typically takes 10 to
    /// 100 microseconds."
    UnixSocket,
    /// "Shared memory IPC between processes can approach sub microsecond
    /// latencies."
    SharedMemory,
}

/// How a measured median compares with the claimed range.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Verdict {
    Within,
    Below,
    Above,
    NoClaim,
}

impl Claim {
    /// The text shown in the table's claim column.
    pub fn label(self) -> &'static str {
        match self {
            Claim::None => "-",
            Claim::Thread => "50-200 ns (seed: thread communication)",
            Claim::UnixSocket => "10-100 µs (seed: Unix socket round trip)",
            Claim::SharedMemory => "<1 µs (seed: shared-memory IPC)",
        }
    }

    /// Classifies a median (in ns). Ranges are inclusive at both ends except
    /// "<1 µs", which excludes 1000 ns itself.
    pub fn verdict(self, median_ns: u64) -> Verdict {
        match self {
            Claim::None => Verdict::NoClaim,
            Claim::Thread => classify(median_ns, 50, 200),
            Claim::UnixSocket => classify(median_ns, 10_000, 100_000),
            Claim::SharedMemory => classify(median_ns, 0, 999),
        }
    }
}

/// The seed's "PostgreSQL backend IPC: 20-50 microseconds per round trip",
/// in ns; no row measures a PostgreSQL backend, so the report compares it
/// with the nearest row, process-uds-roundtrip.
pub const PG_BACKEND_NS: (u64, u64) = (20_000, 50_000);

/// Where `median_ns` falls against the inclusive range `lo..=hi`.
pub fn classify(median_ns: u64, lo: u64, hi: u64) -> Verdict {
    if median_ns < lo {
        Verdict::Below
    } else if median_ns > hi {
        Verdict::Above
    } else {
        Verdict::Within
    }
}

impl Verdict {
    pub fn label(self) -> &'static str {
        match self {
            Verdict::Within => "within",
            Verdict::Below => "below",
            Verdict::Above => "above",
            Verdict::NoClaim => "-",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn thread_claim_boundaries() {
        assert_eq!(Claim::Thread.verdict(49), Verdict::Below);
        assert_eq!(Claim::Thread.verdict(50), Verdict::Within);
        assert_eq!(Claim::Thread.verdict(200), Verdict::Within);
        assert_eq!(Claim::Thread.verdict(201), Verdict::Above);
        assert_eq!(Claim::Thread.verdict(70_000), Verdict::Above);
    }

    #[test]
    fn socket_and_shm_claims() {
        assert_eq!(Claim::UnixSocket.verdict(9_999), Verdict::Below);
        assert_eq!(Claim::UnixSocket.verdict(65_000), Verdict::Within);
        assert_eq!(Claim::UnixSocket.verdict(100_001), Verdict::Above);
        assert_eq!(Claim::SharedMemory.verdict(120), Verdict::Within);
        assert_eq!(Claim::SharedMemory.verdict(1_000), Verdict::Above);
        assert_eq!(Claim::SharedMemory.verdict(70_000), Verdict::Above);
        assert_eq!(Claim::None.verdict(5), Verdict::NoClaim);
        assert_eq!(Verdict::NoClaim.label(), "-");
    }

    #[test]
    fn labels_match_the_brief() {
        assert_eq!(
            Claim::Thread.label(),
            "50-200 ns (seed: thread communication)"
        );
        assert_eq!(
            Claim::UnixSocket.label(),
            "10-100 µs (seed: Unix socket round trip)"
        );
        assert_eq!(
            Claim::SharedMemory.label(),
            "<1 µs (seed: shared-memory IPC)"
        );
        assert_eq!(Claim::None.label(), "-");
    }
}
