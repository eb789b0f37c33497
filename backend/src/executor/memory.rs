//! A statement's memory budget: what its sorts, hash tables, aggregate
//! groups and buffered rows hold, bounded by `pgfork.statement_mem`, so
//! that a runaway statement fails with 53200 (out of memory) instead of
//! growing until the kernel kills the backend (and, in thread mode, the
//! whole server). Nothing spills to disk: the budget is a ceiling, not a
//! work_mem.

use std::cell::Cell;

use crate::error::{sqlstate, PgError, PgResult};
use crate::types::Value;

/// Bytes charged so far against a limit.
#[derive(Debug)]
pub struct MemBudget {
    used: Cell<usize>,
    limit: usize,
}

/// Bytes a value holds, by estimate: the enum itself plus what it owns.
pub fn value_bytes(v: &Value) -> usize {
    std::mem::size_of::<Value>()
        + match v {
            Value::Text(s) => s.capacity(),
            Value::Bytea(b) => b.capacity(),
            Value::Numeric(_) => 16,
            Value::Array(_, vs) => vs.iter().map(value_bytes).sum(),
            Value::MdArray(a) => 64 + a.items.iter().map(value_bytes).sum::<usize>(),
            _ => 0,
        }
}

/// Bytes a row holds, by estimate.
pub fn row_bytes(row: &[Value]) -> usize {
    std::mem::size_of::<Vec<Value>>() + row.iter().map(value_bytes).sum::<usize>()
}

impl MemBudget {
    /// A budget of `limit` bytes.
    pub fn new(limit: usize) -> MemBudget {
        MemBudget {
            used: Cell::new(0),
            limit,
        }
    }

    /// Charges `bytes`; 53200 when the statement would exceed its limit.
    pub fn charge(&self, bytes: usize) -> PgResult<()> {
        let used = self.used.get().saturating_add(bytes);
        self.used.set(used);
        if used > self.limit {
            return Err(PgError::new(sqlstate::OUT_OF_MEMORY, "out of memory")
                .with_detail(format!(
                    "The statement's sorts, hash tables and buffered rows need more than pgfork.statement_mem ({} kB).",
                    self.limit / 1024
                ))
                .with_hint("Raise pgfork.statement_mem, or make the statement hold fewer rows."));
        }
        Ok(())
    }

    /// Charges a row about to be held.
    pub fn charge_row(&self, row: &[Value]) -> PgResult<()> {
        self.charge(row_bytes(row))
    }

    /// Bytes charged so far.
    pub fn used(&self) -> usize {
        self.used.get()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn budget_fails_cleanly_past_its_limit() {
        let b = MemBudget::new(1000);
        let row = vec![Value::Int4(1), Value::Text("x".repeat(100))];
        let n = row_bytes(&row);
        assert!(n > 100);
        let mut charged = 0;
        while charged + n <= 1000 {
            b.charge_row(&row).unwrap();
            charged += n;
        }
        let e = b.charge_row(&row).unwrap_err();
        assert_eq!(e.code, "53200");
        assert!(b.used() > 1000);
    }
}
