//! Triggers (pg_trigger rows): when they fire (tgtype's bits, as
//! PostgreSQL's), the function they run with its arguments, and their
//! line form in the catalog file.

use crate::error::{sqlstate, PgError, PgResult};
use crate::types::Oid;

use super::{esc, unesc};

/// tgtype bits (PostgreSQL's TRIGGER_TYPE_*).
pub const ROW: i16 = 1;
pub const BEFORE: i16 = 2;
pub const INSERT: i16 = 4;
pub const DELETE: i16 = 8;
pub const UPDATE: i16 = 16;
pub const TRUNCATE: i16 = 32;
pub const INSTEAD: i16 = 64;

/// pg_trigger's class OID (pg_class of pg_trigger).
pub const PG_TRIGGER_CLASS: Oid = 2620;

/// One trigger.
#[derive(Clone, Debug, PartialEq)]
pub struct TriggerDesc {
    pub oid: Oid,
    pub name: String,
    /// The table it is on.
    pub table: Oid,
    /// The trigger function's OID.
    pub function: Oid,
    pub tgtype: i16,
    /// 'O' (enabled), 'D' (disabled), as tgenabled.
    pub enabled: char,
    /// The arguments (TG_ARGV), as strings.
    pub args: Vec<String>,
    /// UPDATE OF these columns (attnums), empty for any.
    pub columns: Vec<i16>,
    /// The WHEN condition as SQL text (as written: what the trigger
    /// evaluates).
    pub when: Option<String>,
    /// The WHEN condition as pg_get_triggerdef prints it: its ruleutils
    /// form, and the pretty one (empty when none).
    pub when_def: String,
    pub when_pretty: String,
}

impl TriggerDesc {
    pub fn fires_on(&self, event: i16) -> bool {
        self.tgtype & event != 0
    }

    pub fn is_row(&self) -> bool {
        self.tgtype & ROW != 0
    }

    pub fn is_before(&self) -> bool {
        self.tgtype & BEFORE != 0
    }

    pub fn is_instead(&self) -> bool {
        self.tgtype & INSTEAD != 0
    }

    /// Whether it fires with session_replication_role = origin (tgenabled
    /// 'O' or 'A'; 'R' fires only on a replica, 'D' never).
    pub fn fires_in_origin(&self) -> bool {
        matches!(self.enabled, 'O' | 'A')
    }

    /// pg_trigger.tgargs: each argument followed by a zero byte.
    pub fn tgargs(&self) -> Vec<u8> {
        let mut b = Vec::new();
        for a in &self.args {
            b.extend_from_slice(a.as_bytes());
            b.push(0);
        }
        b
    }

    /// The catalog-file line.
    pub fn serialize(&self) -> String {
        let cols: Vec<String> = self.columns.iter().map(|c| c.to_string()).collect();
        let mut s = format!(
            "trigger {} {} {} {} {} {} {} {} {}",
            self.oid,
            esc(&self.name),
            self.table,
            self.function,
            self.tgtype,
            self.enabled,
            esc(&cols.join(",")),
            self.when.as_deref().map_or("\\N".to_owned(), esc),
            self.args.len()
        );
        for a in &self.args {
            s.push(' ');
            s += &esc(a);
        }
        s.push(' ');
        s += &esc(&self.when_def);
        s.push(' ');
        s += &esc(&self.when_pretty);
        s.push('\n');
        s
    }

    /// Parses a `trigger` line's fields.
    pub fn parse(f: &[&str]) -> PgResult<TriggerDesc> {
        let bad = || {
            PgError::new(
                sqlstate::DATA_CORRUPTED,
                format!("invalid catalog line: \"{}\"", f.join(" ")),
            )
        };
        if f.len() < 10 {
            return Err(bad());
        }
        let num = |i: usize| f[i].parse::<i64>().map_err(|_| bad());
        let nargs = num(9)? as usize;
        if f.len() < 10 + nargs {
            return Err(bad());
        }
        let cols = unesc(f[7]);
        Ok(TriggerDesc {
            oid: num(1)? as Oid,
            name: unesc(f[2]),
            table: num(3)? as Oid,
            function: num(4)? as Oid,
            tgtype: num(5)? as i16,
            enabled: f[6].chars().next().ok_or_else(bad)?,
            columns: if cols.is_empty() {
                Vec::new()
            } else {
                cols.split(',')
                    .map(|c| c.parse().map_err(|_| bad()))
                    .collect::<PgResult<_>>()?
            },
            when: (f[8] != "\\N").then(|| unesc(f[8])),
            args: f[10..10 + nargs].iter().map(|a| unesc(a)).collect(),
            when_def: f.get(10 + nargs).map_or_else(String::new, |x| unesc(x)),
            when_pretty: f.get(11 + nargs).map_or_else(String::new, |x| unesc(x)),
        })
    }

    /// pg_get_triggerdef: `table` and `function` as the caller names
    /// them (qualified or not), `column_names` those of UPDATE OF, quoted.
    pub fn definition(
        &self,
        table: &str,
        function: &str,
        column_names: &[String],
        pretty: bool,
    ) -> String {
        let when = if self.is_before() {
            "BEFORE"
        } else if self.is_instead() {
            "INSTEAD OF"
        } else {
            "AFTER"
        };
        let mut events = Vec::new();
        if self.fires_on(INSERT) {
            events.push("INSERT".to_owned());
        }
        if self.fires_on(DELETE) {
            events.push("DELETE".to_owned());
        }
        if self.fires_on(UPDATE) {
            if self.columns.is_empty() {
                events.push("UPDATE".to_owned());
            } else {
                events.push(format!("UPDATE OF {}", column_names.join(", ")));
            }
        }
        if self.fires_on(TRUNCATE) {
            events.push("TRUNCATE".to_owned());
        }
        let mut s = format!(
            "CREATE TRIGGER {} {when} {} ON {table} FOR EACH {}",
            crate::utils::adt::quote::quote_ident(&self.name),
            events.join(" OR "),
            if self.is_row() { "ROW" } else { "STATEMENT" }
        );
        if self.when.is_some() {
            let w = if pretty {
                &self.when_pretty
            } else {
                &self.when_def
            };
            s += &format!(" WHEN ({w})");
        }
        let args: Vec<String> = self
            .args
            .iter()
            .map(|a| format!("'{}'", a.replace('\'', "''")))
            .collect();
        s += &format!(" EXECUTE FUNCTION {function}({})", args.join(", "));
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_through_its_line() {
        let t = TriggerDesc {
            oid: 16500,
            name: "set stamp".into(),
            table: 16400,
            function: 16401,
            tgtype: ROW | BEFORE | INSERT | UPDATE,
            enabled: 'O',
            args: vec!["a b".into(), String::new()],
            columns: vec![2, 3],
            when: Some("new.x > 1".into()),
            when_def: "(new.x > 1)".into(),
            when_pretty: "new.x > 1".into(),
        };
        let line = t.serialize();
        let f: Vec<&str> = line.trim_end().split(' ').collect();
        assert_eq!(TriggerDesc::parse(&f).unwrap(), t);
    }
}
