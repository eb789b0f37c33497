//! Domains in the catalog (pg_type rows with typtype 'd', see
//! `types::domains`): their lines in the catalog's text form, lookups by name
//! through the search path, the columns declared with one and the CHECK
//! constraints each has (pg_constraint rows whose `table` is the domain's
//! OID: conrelid 0, contypid the domain, as PostgreSQL keeps them).

use std::sync::Arc;

use super::constraint::ConstraintDesc;
use super::{esc, unesc, Catalog};
use crate::types::domains::DomainType;
use crate::types::Oid;

impl Catalog {
    /// The domain with OID `oid`.
    pub fn domain_by_oid(&self, oid: Oid) -> Option<&Arc<DomainType>> {
        self.domains.iter().find(|d| d.oid == oid)
    }

    /// The domain named `name` in schema `nsp`.
    pub fn domain_in(&self, nsp: Oid, name: &str) -> Option<&Arc<DomainType>> {
        self.domains
            .iter()
            .find(|d| d.namespace == nsp && d.name == name)
    }

    /// A domain by possibly qualified name (the first schema of the
    /// search path holding one when unqualified).
    pub fn resolve_domain(&self, schema: Option<&str>, name: &str) -> Option<&Arc<DomainType>> {
        match schema {
            Some(s) => self.domain_in(self.namespace_oid(s)?, name),
            None => self
                .search_path()
                .into_iter()
                .find_map(|n| self.domain_in(n, name)),
        }
    }

    /// The CHECK constraints of domain `oid`, in PostgreSQL's checking
    /// order (by name).
    pub fn domain_checks(&self, oid: Oid) -> Vec<&ConstraintDesc> {
        let mut v: Vec<&ConstraintDesc> = self.constraints_of(oid).collect();
        v.sort_by(|a, b| a.name.cmp(&b.name));
        v
    }

    /// The domain column `attnum` (1-based) of `table` was declared with.
    pub fn column_domain(&self, table: Oid, attnum: usize) -> Option<&Arc<DomainType>> {
        let d = self.column_domains.get(&(table, attnum as i16))?;
        self.domain_by_oid(*d)
    }

    /// The columns (table, attnum) of live tables declared with domain
    /// `oid` (dropped columns left out).
    pub fn domain_columns(&self, oid: Oid) -> Vec<(Oid, usize)> {
        self.column_domains
            .iter()
            .filter(|(_, d)| **d == oid)
            .filter_map(|(&(t, n), _)| {
                let table = self.table_by_oid(t)?;
                let c = table.columns.get(n as usize - 1)?;
                (!c.dropped).then_some((t, n as usize))
            })
            .collect()
    }

    /// The catalog text form's lines of the domains and domain columns:
    /// `domain OID ARRAY NSP BASE TYPMOD NOTNULL NAME DEFAULT COLLATION`
    /// (`-` for none) and `coldomain TABLE ATTNUM DOMAIN`.
    pub(super) fn serialize_domains(&self) -> String {
        let opt = |o: &Option<String>| o.as_deref().map_or("-".to_owned(), esc);
        let mut s = String::new();
        for d in &self.domains {
            s += &format!(
                "domain {} {} {} {} {} {} {} {} {}\n",
                d.oid,
                d.array,
                d.namespace,
                d.base,
                d.typmod,
                u8::from(d.not_null),
                esc(&d.name),
                opt(&d.default),
                opt(&d.collation)
            );
        }
        for ((t, n), d) in &self.column_domains {
            if self.table_by_oid(*t).is_some() {
                s += &format!("coldomain {t} {n} {d}\n");
            }
        }
        s
    }

    /// Reads a `domain` or `coldomain` line (None if malformed).
    pub(super) fn parse_domain_line(&mut self, f: &[&str]) -> Option<()> {
        let num = |i: usize| f.get(i)?.parse::<i64>().ok();
        let opt = |i: usize| match *f.get(i)? {
            "-" => Some(None),
            v => Some(Some(unesc(v))),
        };
        match *f.first()? {
            "domain" => self.domains.push(Arc::new(DomainType {
                oid: num(1)? as Oid,
                array: num(2)? as Oid,
                namespace: num(3)? as Oid,
                base: num(4)? as Oid,
                typmod: num(5)? as i32,
                not_null: num(6)? != 0,
                name: unesc(f.get(7)?),
                default: opt(8)?,
                collation: opt(9)?,
            })),
            _ => {
                self.column_domains
                    .insert((num(1)? as Oid, num(2)? as i16), num(3)? as Oid);
            }
        }
        Some(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn domain_lines_round_trip() {
        let mut cat = Catalog::empty();
        cat.ensure_bootstrap_role();
        cat.domains.push(Arc::new(DomainType {
            oid: 16390,
            array: 16391,
            name: "my dom".into(),
            namespace: 2200,
            base: crate::types::oid::VARCHAR,
            typmod: 14,
            not_null: true,
            default: Some("'a b'::character varying".into()),
            collation: None,
        }));
        let back = Catalog::deserialize(&cat.serialize()).unwrap();
        assert_eq!(back, cat);
    }
}
