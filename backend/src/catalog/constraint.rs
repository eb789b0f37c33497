//! CHECK and FOREIGN KEY constraints as the catalog keeps them
//! (pg_constraint rows with contype 'c' and 'f'), their lines in the
//! catalog's text form, and PostgreSQL's rules for naming them.

use super::{esc, Catalog};
use crate::types::Oid;

/// A referential action (pg_constraint.confupdtype/confdeltype codes).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FkAction {
    NoAction,
    Restrict,
    Cascade,
    SetNull,
    SetDefault,
}

impl FkAction {
    /// The pg_constraint code: 'a', 'r', 'c', 'n', 'd'.
    pub fn code(self) -> u8 {
        match self {
            FkAction::NoAction => b'a',
            FkAction::Restrict => b'r',
            FkAction::Cascade => b'c',
            FkAction::SetNull => b'n',
            FkAction::SetDefault => b'd',
        }
    }

    pub fn from_code(c: u8) -> Option<FkAction> {
        Some(match c {
            b'a' => FkAction::NoAction,
            b'r' => FkAction::Restrict,
            b'c' => FkAction::Cascade,
            b'n' => FkAction::SetNull,
            b'd' => FkAction::SetDefault,
            _ => return None,
        })
    }

    /// As pg_get_constraintdef writes it.
    pub fn sql(self) -> &'static str {
        match self {
            FkAction::NoAction => "NO ACTION",
            FkAction::Restrict => "RESTRICT",
            FkAction::Cascade => "CASCADE",
            FkAction::SetNull => "SET NULL",
            FkAction::SetDefault => "SET DEFAULT",
        }
    }
}

/// A FOREIGN KEY: columns of the referencing table and of the referenced
/// one (0-based), the unique index the referenced columns have, actions.
#[derive(Clone, Debug, PartialEq)]
pub struct ForeignKey {
    pub columns: Vec<usize>,
    pub ref_table: Oid,
    pub ref_columns: Vec<usize>,
    /// The referenced table's unique index (conindid).
    pub index: Oid,
    pub on_update: FkAction,
    pub on_delete: FkAction,
    /// 's' (MATCH SIMPLE) or 'f' (MATCH FULL).
    pub match_type: u8,
}

#[derive(Clone, Debug, PartialEq)]
pub enum ConstraintKind {
    /// The expression as written (SQL text over the table's columns), and
    /// as PostgreSQL deparses it (`(x > 0)`, for pg_get_constraintdef).
    /// `pretty` as pg_get_constraintdef(oid, true) shows it.
    Check {
        src: String,
        def: String,
        pretty: String,
    },
    ForeignKey(ForeignKey),
}

/// One CHECK or FOREIGN KEY constraint of a table.
#[derive(Clone, Debug, PartialEq)]
pub struct ConstraintDesc {
    pub oid: Oid,
    pub name: String,
    /// The constrained (for a foreign key, the referencing) table.
    pub table: Oid,
    pub kind: ConstraintKind,
    pub deferrable: bool,
    pub deferred: bool,
    /// False for NOT VALID until VALIDATE CONSTRAINT.
    pub validated: bool,
}

impl ConstraintDesc {
    pub fn fk(&self) -> Option<&ForeignKey> {
        match &self.kind {
            ConstraintKind::ForeignKey(f) => Some(f),
            ConstraintKind::Check { .. } => None,
        }
    }

    pub fn check(&self) -> Option<&str> {
        match &self.kind {
            ConstraintKind::Check { src, .. } => Some(src),
            ConstraintKind::ForeignKey(_) => None,
        }
    }

    /// pg_constraint.contype.
    pub fn contype(&self) -> u8 {
        match self.kind {
            ConstraintKind::Check { .. } => b'c',
            ConstraintKind::ForeignKey(_) => b'f',
        }
    }

    /// Its line in the catalog's text form (without the newline):
    /// `constraint OID TABLE FLAGS NAME c EXPR DEPARSED PRETTY` or
    /// `constraint OID TABLE FLAGS NAME f COLS REFTABLE REFCOLS INDEX UPD DEL MATCH`
    /// (FLAGS: deferrable, deferred, validated as 0/1 digits).
    pub fn serialize(&self) -> String {
        let flags = format!(
            "{}{}{}",
            u8::from(self.deferrable),
            u8::from(self.deferred),
            u8::from(self.validated)
        );
        let head = format!(
            "constraint {} {} {flags} {}",
            self.oid,
            self.table,
            esc(&self.name)
        );
        let list = |v: &[usize]| v.iter().map(usize::to_string).collect::<Vec<_>>().join(",");
        match &self.kind {
            ConstraintKind::Check { src, def, pretty } => {
                format!("{head} c {} {} {}", esc(src), esc(def), esc(pretty))
            }
            ConstraintKind::ForeignKey(f) => format!(
                "{head} f {} {} {} {} {} {} {}",
                list(&f.columns),
                f.ref_table,
                list(&f.ref_columns),
                f.index,
                f.on_update.code() as char,
                f.on_delete.code() as char,
                f.match_type as char
            ),
        }
    }

    /// Parses the fields of a `constraint` line (None if malformed).
    pub fn deserialize(f: &[&str], unesc: &dyn Fn(&str) -> String) -> Option<ConstraintDesc> {
        let num = |i: usize| f.get(i)?.parse::<u32>().ok();
        let flags = f.get(3)?.as_bytes();
        if flags.len() != 3 {
            return None;
        }
        let list = |i: usize| -> Option<Vec<usize>> {
            f.get(i)?.split(',').map(|c| c.parse().ok()).collect()
        };
        let code = |i: usize| f.get(i)?.bytes().next();
        let kind = match *f.get(5)? {
            "c" => ConstraintKind::Check {
                src: unesc(f.get(6)?),
                def: unesc(f.get(7)?),
                pretty: unesc(f.get(8)?),
            },
            "f" => ConstraintKind::ForeignKey(ForeignKey {
                columns: list(6)?,
                ref_table: num(7)?,
                ref_columns: list(8)?,
                index: num(9)?,
                on_update: FkAction::from_code(code(10)?)?,
                on_delete: FkAction::from_code(code(11)?)?,
                match_type: code(12)?,
            }),
            _ => return None,
        };
        Some(ConstraintDesc {
            oid: num(1)?,
            table: num(2)?,
            name: unesc(f.get(4)?),
            kind,
            deferrable: flags[0] == b'1',
            deferred: flags[1] == b'1',
            validated: flags[2] == b'1',
        })
    }
}

impl Catalog {
    /// The CHECK and FOREIGN KEY constraints of a table, in creation order.
    pub fn constraints_of(&self, table: Oid) -> impl Iterator<Item = &ConstraintDesc> {
        self.constraints
            .iter()
            .filter(move |c| c.table == table)
            .map(|c| &**c)
    }

    /// The foreign keys referencing table `table`.
    pub fn foreign_keys_to(&self, table: Oid) -> impl Iterator<Item = &ConstraintDesc> {
        self.constraints
            .iter()
            .filter(move |c| c.fk().is_some_and(|f| f.ref_table == table))
            .map(|c| &**c)
    }

    /// Whether a constraint of any kind is named `name` on `table`.
    pub fn constraint_name_used(&self, table: Oid, name: &str) -> bool {
        self.constraints_of(table).any(|c| c.name == name)
            || self
                .indexes_of(table)
                .any(|i| i.constraint && i.name == name)
    }

    /// PostgreSQL's ChooseConstraintName: `base_suffix`, then
    /// `base_suffix1`, ... until no constraint in the schema has the name
    /// (nor one in `taken`, chosen by the same statement).
    pub fn choose_constraint_name(&self, base: &str, suffix: &str, taken: &[String]) -> String {
        let used = |n: &str| {
            self.constraints.iter().any(|c| c.name == n)
                || self.relkind(n).is_some()
                || taken.iter().any(|t| t == n)
        };
        let first = format!("{base}_{suffix}");
        if !used(&first) {
            return first;
        }
        (1..)
            .map(|i| format!("{base}_{suffix}{i}"))
            .find(|n| !used(n))
            .unwrap_or(first)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_round_trip() {
        let mut cat = Catalog::empty();
        cat.ensure_bootstrap_role();
        cat.constraints.push(std::sync::Arc::new(ConstraintDesc {
            oid: 16390,
            name: "t x check".into(),
            table: 16384,
            kind: ConstraintKind::Check {
                src: "x > 0 AND y <> 'a b'".into(),
                def: "((x > 0) AND (y <> 'a b'::text))".into(),
                pretty: "x > 0 AND y <> 'a b'::text".into(),
            },
            deferrable: false,
            deferred: false,
            validated: true,
        }));
        cat.constraints.push(std::sync::Arc::new(ConstraintDesc {
            oid: 16391,
            name: "c_a_b_fkey".into(),
            table: 16385,
            kind: ConstraintKind::ForeignKey(ForeignKey {
                columns: vec![1, 2],
                ref_table: 16384,
                ref_columns: vec![0, 3],
                index: 16388,
                on_update: FkAction::Cascade,
                on_delete: FkAction::SetNull,
                match_type: b's',
            }),
            deferrable: true,
            deferred: true,
            validated: false,
        }));
        let back = Catalog::deserialize(&cat.serialize()).unwrap();
        assert_eq!(back, cat);
        assert_eq!(cat.choose_constraint_name("t x", "check", &[]), "t x_check");
        assert_eq!(
            cat.choose_constraint_name("t", "x check", &["t_x check".into()]),
            "t_x check1"
        );
    }
}
