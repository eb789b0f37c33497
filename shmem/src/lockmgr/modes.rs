//! Lock modes, their conflict table, and lock tags: what PostgreSQL's
//! `lock.h` and `lockdefs.h` define for the default lock method.

use super::table::bit;

/// The database OID that lock tags print ("relation 16384 of database 1").
pub const LOCK_DATABASE_OID: u32 = 1;

/// PostgreSQL's table lock modes, numbered as in PostgreSQL (1..=8).
#[repr(u8)]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum LockMode {
    AccessShare = 1,
    RowShare,
    RowExclusive,
    ShareUpdateExclusive,
    Share,
    ShareRowExclusive,
    Exclusive,
    AccessExclusive,
}

const fn m(mode: LockMode) -> u32 {
    1 << mode as u32
}

/// PostgreSQL's LockConflicts[]: for each mode (by number), the bits of the
/// modes it conflicts with.
const CONFLICTS: [u32; 9] = {
    use LockMode::*;
    [
        0,
        m(AccessExclusive),
        m(Exclusive) | m(AccessExclusive),
        m(Share) | m(ShareRowExclusive) | m(Exclusive) | m(AccessExclusive),
        m(ShareUpdateExclusive)
            | m(Share)
            | m(ShareRowExclusive)
            | m(Exclusive)
            | m(AccessExclusive),
        m(RowExclusive)
            | m(ShareUpdateExclusive)
            | m(ShareRowExclusive)
            | m(Exclusive)
            | m(AccessExclusive),
        m(RowExclusive)
            | m(ShareUpdateExclusive)
            | m(Share)
            | m(ShareRowExclusive)
            | m(Exclusive)
            | m(AccessExclusive),
        m(RowShare)
            | m(RowExclusive)
            | m(ShareUpdateExclusive)
            | m(Share)
            | m(ShareRowExclusive)
            | m(Exclusive)
            | m(AccessExclusive),
        m(AccessShare)
            | m(RowShare)
            | m(RowExclusive)
            | m(ShareUpdateExclusive)
            | m(Share)
            | m(ShareRowExclusive)
            | m(Exclusive)
            | m(AccessExclusive),
    ]
};

impl LockMode {
    /// Every mode, weakest first.
    pub const ALL: [LockMode; 8] = [
        LockMode::AccessShare,
        LockMode::RowShare,
        LockMode::RowExclusive,
        LockMode::ShareUpdateExclusive,
        LockMode::Share,
        LockMode::ShareRowExclusive,
        LockMode::Exclusive,
        LockMode::AccessExclusive,
    ];

    /// Whether a lock in `self` cannot be granted while another backend
    /// holds `other` on the same object.
    pub fn conflicts_with(self, other: LockMode) -> bool {
        CONFLICTS[self as usize] & bit(other) != 0
    }

    /// The name PostgreSQL prints ("AccessShareLock", ...).
    pub fn name(self) -> &'static str {
        match self {
            LockMode::AccessShare => "AccessShareLock",
            LockMode::RowShare => "RowShareLock",
            LockMode::RowExclusive => "RowExclusiveLock",
            LockMode::ShareUpdateExclusive => "ShareUpdateExclusiveLock",
            LockMode::Share => "ShareLock",
            LockMode::ShareRowExclusive => "ShareRowExclusiveLock",
            LockMode::Exclusive => "ExclusiveLock",
            LockMode::AccessExclusive => "AccessExclusiveLock",
        }
    }

    /// The mode numbered `v` (1..=8).
    pub fn from_u8(v: u8) -> Option<LockMode> {
        LockMode::ALL.get((v as usize).wrapping_sub(1)).copied()
    }

    /// Bits (`1 << mode`) of the modes this one conflicts with.
    pub(super) fn conflict_mask(self) -> u32 {
        CONFLICTS[self as usize]
    }
}

/// What a lock is on.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum LockTag {
    /// A table or index, by OID.
    Relation(u32),
    /// A transaction id: each transaction holds Exclusive on its own xid
    /// until it ends; waiting for a transaction = acquiring Share on it.
    Transaction(u32),
    /// A tuple (relation, block, offset), for PostgreSQL's tuple lock (queue
    /// fairness among row waiters).
    Tuple(u32, u32, u16),
    /// A database object other than a relation (class OID, object OID), as
    /// PostgreSQL's "object" locks; a transaction changing the catalog holds
    /// Exclusive on (pg_class, 0) until it ends (see backend/src/catalog).
    Object(u32, u32),
    /// A user lock of pg_advisory_lock and its family: the key's two 32-bit
    /// halves (high and low half of a bigint key, or the two int keys) and
    /// 1 for a bigint key, 2 for a two-int key (PostgreSQL's objsubid).
    Advisory(u32, u32, u16),
}

impl LockTag {
    pub(super) fn encode(self) -> [u32; 4] {
        match self {
            LockTag::Relation(r) => [1, r, 0, 0],
            LockTag::Transaction(x) => [2, x, 0, 0],
            LockTag::Tuple(r, b, o) => [3, r, b, o as u32],
            LockTag::Object(c, o) => [4, c, o, 0],
            LockTag::Advisory(a, b, k) => [5, a, b, k as u32],
        }
    }

    pub(super) fn decode(w: [u32; 4]) -> LockTag {
        match w[0] {
            1 => LockTag::Relation(w[1]),
            2 => LockTag::Transaction(w[1]),
            4 => LockTag::Object(w[1], w[2]),
            5 => LockTag::Advisory(w[1], w[2], w[3] as u16),
            _ => LockTag::Tuple(w[1], w[2], w[3] as u16),
        }
    }
}

impl std::fmt::Display for LockTag {
    /// As PostgreSQL's DescribeLockTag.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match *self {
            LockTag::Relation(r) => write!(f, "relation {r} of database {LOCK_DATABASE_OID}"),
            LockTag::Transaction(x) => write!(f, "transaction {x}"),
            LockTag::Tuple(r, b, o) => write!(
                f,
                "tuple ({b},{o}) of relation {r} of database {LOCK_DATABASE_OID}"
            ),
            LockTag::Object(c, o) => {
                write!(f, "object {o} of class {c} of database {LOCK_DATABASE_OID}")
            }
            LockTag::Advisory(a, b, k) => {
                write!(f, "advisory lock [{LOCK_DATABASE_OID},{a},{b},{k}]")
            }
        }
    }
}
