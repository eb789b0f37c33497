//! pg_db_role_setting: the settings ALTER ROLE ... SET and ALTER DATABASE
//! ... SET store for a session to start with. Cluster-wide, as in
//! PostgreSQL (a shared catalog): kept in the shared catalog file as
//! `dbrolesetting <database> <role> <name=value>...` lines, keyed by
//! (setdatabase, setrole), 0 standing for "any" (ALTER ROLE ALL, or no
//! IN DATABASE). Each entry is PostgreSQL's `name=value` text, the name
//! canonical (`TimeZone`), the value as written, in the order set.
//!
//! A new session applies them in PostgreSQL's order of precedence
//! (lowest first): every role in every database (0, 0), the database
//! (db, 0), the role (0, role), the role in the database (db, role); a
//! value from the startup packet wins over all of them
//! (`tcop::Engine::startup`).

use super::{esc, unesc, Catalog};
use crate::types::Oid;

impl Catalog {
    /// The `dbrolesetting` lines of the shared catalog file.
    pub(super) fn serialize_db_role_settings(&self) -> String {
        let mut s = String::new();
        for ((db, role), items) in &self.db_role_settings {
            if items.is_empty() {
                continue;
            }
            s += &format!("dbrolesetting {db} {role}");
            for i in items {
                s.push(' ');
                s += &esc(i);
            }
            s.push('\n');
        }
        s
    }

    /// Parses a `dbrolesetting` line (split at spaces).
    pub(super) fn parse_db_role_setting(&mut self, f: &[&str]) -> Option<()> {
        let db = f.get(1)?.parse().ok()?;
        let role = f.get(2)?.parse().ok()?;
        let items = f[3..].iter().map(|i| unesc(i)).collect();
        self.db_role_settings.insert((db, role), items);
        Some(())
    }

    /// The `name=value` entries a session of `role` in database `db`
    /// starts with, lowest precedence first (a later one for the same
    /// name wins).
    pub fn session_settings(&self, db: Oid, role: Oid) -> Vec<(String, String)> {
        let mut out = Vec::new();
        for key in [(0, 0), (db, 0), (0, role), (db, role)] {
            for item in self.db_role_settings.get(&key).into_iter().flatten() {
                if let Some((n, v)) = item.split_once('=') {
                    out.push((n.to_owned(), v.to_owned()));
                }
            }
        }
        out
    }

    /// Sets `name` to `value` in entry (db, role), replacing an earlier
    /// value of the same name (names compare case-insensitively) in its
    /// place, or appending it.
    pub fn put_db_role_setting(&mut self, db: Oid, role: Oid, name: &str, value: &str) {
        let items = self.db_role_settings.entry((db, role)).or_default();
        let item = format!("{name}={value}");
        match items
            .iter()
            .position(|i| setting_name(i).eq_ignore_ascii_case(name))
        {
            Some(p) => items[p] = item,
            None => items.push(item),
        }
    }

    /// Removes `name` (None: every setting) from entry (db, role); the
    /// entry goes when it is left empty.
    pub fn remove_db_role_setting(&mut self, db: Oid, role: Oid, name: Option<&str>) {
        if let Some(items) = self.db_role_settings.get_mut(&(db, role)) {
            match name {
                Some(n) => items.retain(|i| !setting_name(i).eq_ignore_ascii_case(n)),
                None => items.clear(),
            }
            if items.is_empty() {
                self.db_role_settings.remove(&(db, role));
            }
        }
    }

    /// Drops the entries of a database or role that no longer exists, as
    /// PostgreSQL's DROP DATABASE and DROP ROLE delete them.
    pub fn prune_db_role_settings(&mut self) {
        let dbs: Vec<Oid> = self.databases.iter().map(|d| d.oid).collect();
        let roles: Vec<Oid> = self
            .roles
            .iter()
            .map(|r| r.oid)
            .chain(super::roles::PREDEFINED_ROLES.iter().map(|p| p.0))
            .collect();
        self.db_role_settings.retain(|&(db, role), _| {
            (db == 0 || dbs.is_empty() || dbs.contains(&db)) && (role == 0 || roles.contains(&role))
        });
    }
}

/// The name of a `name=value` entry.
fn setting_name(item: &str) -> &str {
    item.split_once('=').map_or(item, |x| x.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn settings_order_and_round_trip() {
        let mut c = Catalog::empty();
        c.put_db_role_setting(0, 0, "work_mem", "1MB");
        c.put_db_role_setting(5, 0, "work_mem", "2MB");
        c.put_db_role_setting(0, 77, "search_path", "a, b");
        c.put_db_role_setting(5, 77, "work_mem", "4MB");
        c.put_db_role_setting(0, 0, "work_mem", "3MB");
        assert_eq!(c.db_role_settings[&(0, 0)], vec!["work_mem=3MB"]);
        let s = c.session_settings(5, 77);
        assert_eq!(s.last().unwrap(), &("work_mem".into(), "4MB".into()));
        assert_eq!(s.len(), 4);
        let text = c.serialize_db_role_settings();
        let mut d = Catalog::empty();
        for line in text.lines() {
            let f: Vec<&str> = line.split(' ').collect();
            d.parse_db_role_setting(&f).unwrap();
        }
        assert_eq!(d.db_role_settings, c.db_role_settings);
        c.remove_db_role_setting(0, 77, Some("SEARCH_PATH"));
        assert!(!c.db_role_settings.contains_key(&(0, 77)));
        c.remove_db_role_setting(5, 0, None);
        assert!(!c.db_role_settings.contains_key(&(5, 0)));
    }
}
