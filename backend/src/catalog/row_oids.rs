//! OIDs of catalog rows that pgfork keeps no descriptor of its own for:
//! each column default's pg_attrdef row (a view's too) and each view's `_RETURN` rule
//! (pg_rewrite). pg_dump identifies objects and their dependencies by
//! these OIDs (a serial column's default depends on its sequence; a view
//! on what its rule reads), so each gets one of its own, kept in the
//! catalog file. [`Catalog::settle_row_oids`] gives one to every default
//! and view lacking it and forgets those of objects gone; it runs on
//! every catalog a DDL statement writes and on every catalog read (a
//! catalog written before these OIDs existed gets the same ones in every
//! backend, since they are allocated in catalog order from its next_oid).

use super::{Catalog, Oid};

impl Catalog {
    pub fn settle_row_oids(&mut self) {
        let defaults: Vec<(Oid, i16)> = self
            .tables
            .iter()
            .flat_map(|t| {
                t.columns
                    .iter()
                    .enumerate()
                    .filter(|(_, c)| c.default.is_some())
                    .map(move |(i, _)| (t.oid, i as i16 + 1))
            })
            .chain(
                self.views
                    .iter()
                    .flat_map(|v| v.defaults.iter().map(move |(i, _)| (v.oid, *i as i16 + 1))),
            )
            .collect();
        self.attrdef_oids.retain(|k, _| defaults.contains(k));
        for k in defaults {
            if !self.attrdef_oids.contains_key(&k) {
                let o = self.alloc_oid();
                self.attrdef_oids.insert(k, o);
            }
        }
        // Views' and materialized views' `_RETURN` rules.
        let views: Vec<Oid> = self
            .views
            .iter()
            .map(|v| v.oid)
            .chain(self.matviews.iter().map(|m| m.oid))
            .collect();
        self.rule_oids.retain(|v, _| views.contains(v));
        for v in views {
            if !self.rule_oids.contains_key(&v) {
                let o = self.alloc_oid();
                self.rule_oids.insert(v, o);
            }
        }
    }

    /// The pg_attrdef OID of column `attnum`'s (1-based) default.
    pub fn attrdef_oid(&self, table: Oid, attnum: i16) -> Oid {
        self.attrdef_oids
            .get(&(table, attnum))
            .copied()
            .unwrap_or(0)
    }

    /// The OID of a view's `_RETURN` rule.
    pub fn rule_oid(&self, view: Oid) -> Oid {
        self.rule_oids.get(&view).copied().unwrap_or(0)
    }
}
