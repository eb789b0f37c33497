//! CREATE SEQUENCE and ALTER SEQUENCE: options checked as PostgreSQL's
//! `init_params` checks them (same defaults, order of checks, messages
//! and SQLSTATEs), OWNED BY, RESTART, RENAME TO; and the dependency of
//! column defaults on a sequence, for DROP SEQUENCE.

use std::sync::Arc;

use shmem::buffer::BufferPool;
use sqlparser::ast::{self, SequenceOptions};

use crate::access::sequence::{self, SeqLimits};
use crate::analyze::names::resolve_type;
use crate::catalog::{format_type, sequence_type_max, sequence_type_min, Catalog, SequenceDesc};
use crate::error::{sqlstate, PgError, PgResult};
use crate::parser::alter_sequence::{AlterSequence, AlterSequenceAction};
use crate::parser::{ident, object_name};
use crate::types::{oid, Oid};

fn invalid(msg: String) -> PgError {
    PgError::new(sqlstate::INVALID_PARAMETER_VALUE, msg)
}

/// The limits `nextval` enforces, from the catalog entry.
pub fn limits(s: &SequenceDesc) -> SeqLimits {
    SeqLimits {
        increment: s.increment,
        min: s.min,
        max: s.max,
        start: s.start,
        cycle: s.cycle,
    }
}

/// An option's number (NumericOnly in PostgreSQL's grammar) as a bigint.
fn number(e: &ast::Expr) -> PgResult<i64> {
    let (neg, v) = match e {
        ast::Expr::UnaryOp {
            op: ast::UnaryOperator::Minus,
            expr,
        } => (true, expr.as_ref()),
        ast::Expr::UnaryOp {
            op: ast::UnaryOperator::Plus,
            expr,
        } => (false, expr.as_ref()),
        other => (false, other),
    };
    let text = match v {
        ast::Expr::Value(v) => match &v.value {
            ast::Value::Number(n, _) => n.clone(),
            other => other.to_string(),
        },
        other => other.to_string(),
    };
    let full = if neg {
        format!("-{text}")
    } else {
        text.clone()
    };
    if !text.bytes().all(|b| b.is_ascii_digit()) {
        return Err(PgError::new(
            sqlstate::INVALID_TEXT_REPRESENTATION,
            format!("invalid input syntax for type bigint: \"{full}\""),
        ));
    }
    full.parse().map_err(|_| {
        PgError::new(
            sqlstate::NUMERIC_VALUE_OUT_OF_RANGE,
            format!("value \"{full}\" is out of range for type bigint"),
        )
    })
}

/// The owner named by OWNED BY: (table, column), or (0, 0) for NONE.
fn owner(cat: &Catalog, name: Option<&ast::ObjectName>) -> PgResult<(Oid, usize)> {
    let Some(n) = name else {
        return Ok((0, 0));
    };
    let parts = object_name(n);
    let (schema, table, column) = match parts.as_slice() {
        [t, c] => (None, t.as_str(), c.as_str()),
        [s, t, c] => (Some(s.as_str()), t.as_str(), c.as_str()),
        _ => {
            return Err(
                PgError::new(sqlstate::SYNTAX_ERROR, "invalid OWNED BY option")
                    .with_hint("Specify OWNED BY table.column or OWNED BY NONE."),
            )
        }
    };
    if let Some(s) = schema {
        cat.explicit_namespace(s)?;
    }
    let t = match cat.resolve_relation(schema, table) {
        Some((crate::catalog::RelKind::Table, o)) => cat.table_by_oid(o),
        _ => None,
    }
    .ok_or_else(|| crate::analyze::from::no_relation(table))?;
    let c = t.column_index(column).ok_or_else(|| {
        PgError::new(
            sqlstate::UNDEFINED_COLUMN,
            format!("column \"{column}\" of relation \"{table}\" does not exist"),
        )
    })?;
    Ok((t.oid, c))
}

/// What applying options to a sequence asks besides new catalog values.
pub(crate) struct Applied {
    owned_by: Option<(Oid, usize)>,
    pub(crate) restart: Option<i64>,
}

/// Applies `opts` (and RESTART values) to `s` as PostgreSQL's
/// init_params: `create` gives unset limits their defaults, ALTER keeps
/// them. `current` is the sequence's last value (ALTER), checked
/// against new limits.
pub(crate) fn apply(
    cat: &Catalog,
    s: &mut SequenceDesc,
    opts: &[SequenceOptions],
    restarts: &[Option<ast::Expr>],
    create: bool,
    current: Option<i64>,
) -> PgResult<Applied> {
    let redundant = || PgError::new(sqlstate::SYNTAX_ERROR, "conflicting or redundant options");
    let mut seen = [false; 8];
    let mut once = |k: usize| {
        if std::mem::replace(&mut seen[k], true) {
            Err(redundant())
        } else {
            Ok(())
        }
    };
    let (mut as_type, mut increment, mut min, mut max, mut start, mut cache, mut cycle, mut owned) =
        (None, None, None, None, None, None, None, None);
    for o in opts {
        match o {
            SequenceOptions::DataType(dt) => {
                once(0)?;
                as_type = Some(dt);
            }
            SequenceOptions::IncrementBy(e, _) => {
                once(1)?;
                increment = Some(number(e)?);
            }
            SequenceOptions::MinValue(e) => {
                once(2)?;
                min = Some(e.as_ref().map(number).transpose()?);
            }
            SequenceOptions::MaxValue(e) => {
                once(3)?;
                max = Some(e.as_ref().map(number).transpose()?);
            }
            SequenceOptions::StartWith(e, _) => {
                once(4)?;
                start = Some(number(e)?);
            }
            SequenceOptions::Cache(e) => {
                once(5)?;
                cache = Some(number(e)?);
            }
            // sqlparser's Cycle(true) is NO CYCLE.
            SequenceOptions::Cycle(no) => {
                once(6)?;
                cycle = Some(!no);
            }
            SequenceOptions::OwnedBy(n) => {
                once(7)?;
                owned = Some(n.as_ref());
            }
        }
    }
    if restarts.len() > 1 {
        return Err(redundant());
    }
    let old_ty = s.ty;
    let mut reset_max = false;
    let mut reset_min = false;
    if let Some(dt) = as_type {
        let (ty, _) = resolve_type(dt)?;
        if !matches!(ty, oid::INT2 | oid::INT4 | oid::INT8) {
            return Err(invalid(
                "sequence type must be smallint, integer, or bigint".into(),
            ));
        }
        if !create && ty != old_ty {
            // Limits that were the old type's bounds follow the type.
            reset_max = s.max == sequence_type_max(old_ty) || s.max == -1 && s.increment < 0;
            reset_min = s.min == sequence_type_min(old_ty) || s.min == 1 && s.increment > 0;
        }
        s.ty = ty;
    }
    if let Some(i) = increment {
        if i == 0 {
            return Err(invalid("INCREMENT must not be zero".into()));
        }
        s.increment = i;
    } else if create {
        s.increment = 1;
    }
    if let Some(c) = cycle {
        s.cycle = c;
    } else if create {
        s.cycle = false;
    }
    let type_name = format_type(s.ty, -1);
    match max {
        Some(Some(m)) => s.max = m,
        Some(None) => reset_max = true,
        None if create => reset_max = true,
        None => {}
    }
    if reset_max {
        s.max = if s.increment > 0 {
            sequence_type_max(s.ty)
        } else {
            -1
        };
    }
    if s.max < sequence_type_min(s.ty) || s.max > sequence_type_max(s.ty) {
        return Err(invalid(format!(
            "MAXVALUE ({}) is out of range for sequence data type {type_name}",
            s.max
        )));
    }
    match min {
        Some(Some(m)) => s.min = m,
        Some(None) => reset_min = true,
        None if create => reset_min = true,
        None => {}
    }
    if reset_min {
        s.min = if s.increment > 0 {
            1
        } else {
            sequence_type_min(s.ty)
        };
    }
    if s.min < sequence_type_min(s.ty) || s.min > sequence_type_max(s.ty) {
        return Err(invalid(format!(
            "MINVALUE ({}) is out of range for sequence data type {type_name}",
            s.min
        )));
    }
    if s.min >= s.max {
        return Err(invalid(format!(
            "MINVALUE ({}) must be less than MAXVALUE ({})",
            s.min, s.max
        )));
    }
    if let Some(v) = start {
        s.start = v;
    } else if create {
        s.start = if s.increment > 0 { s.min } else { s.max };
    }
    if s.start < s.min {
        return Err(invalid(format!(
            "START value ({}) cannot be less than MINVALUE ({})",
            s.start, s.min
        )));
    }
    if s.start > s.max {
        return Err(invalid(format!(
            "START value ({}) cannot be greater than MAXVALUE ({})",
            s.start, s.max
        )));
    }
    let restart = match restarts.first() {
        Some(Some(e)) => Some(number(e)?),
        Some(None) => Some(s.start),
        None => None,
    };
    if let Some(v) = restart.or(current) {
        if v < s.min {
            return Err(invalid(format!(
                "RESTART value ({v}) cannot be less than MINVALUE ({})",
                s.min
            )));
        }
        if v > s.max {
            return Err(invalid(format!(
                "RESTART value ({v}) cannot be greater than MAXVALUE ({})",
                s.max
            )));
        }
    }
    if let Some(c) = cache {
        if c <= 0 {
            return Err(invalid(format!("CACHE ({c}) must be greater than zero")));
        }
        s.cache = c;
    } else if create {
        s.cache = 1;
    }
    let owned_by = owned.map(|n| owner(cat, n)).transpose()?;
    Ok(Applied { owned_by, restart })
}

/// The schema named by a sequence statement (3F000 when it does not
/// exist; None when unqualified) and the sequence's name.
fn plain_name(cat: &Catalog, n: &ast::ObjectName) -> PgResult<(Option<Oid>, String)> {
    let parts = object_name(n);
    let (schema, r) = crate::analyze::from::split_name(&parts)?;
    let nsp = match schema {
        Some(s) => Some(cat.explicit_namespace(s)?),
        None => None,
    };
    Ok((nsp, r.to_owned()))
}

/// CREATE SEQUENCE: false when IF NOT EXISTS skipped it (a notice in
/// `notices`).
pub fn create(
    cat: &mut Catalog,
    pool: &BufferPool,
    notices: &mut Vec<PgError>,
    stmt: &ast::Statement,
) -> PgResult<bool> {
    let ast::Statement::CreateSequence {
        temporary,
        if_not_exists,
        name,
        sequence_options,
    } = stmt
    else {
        return Err(PgError::internal("not CREATE SEQUENCE"));
    };
    if *temporary {
        return Err(PgError::new(
            sqlstate::FEATURE_NOT_SUPPORTED,
            "temporary sequences are not supported yet",
        ));
    }
    let parts = object_name(name);
    let (schema, rel) = crate::analyze::from::split_name(&parts)?;
    let nsp = cat.relation_creation_namespace(schema, rel)?;
    let name = rel.to_owned();
    if cat.relation_in(nsp, &name).is_some() {
        if *if_not_exists {
            notices.push(super::ddl::notice(format!(
                "relation \"{name}\" already exists, skipping"
            )));
            return Ok(false);
        }
        cat.check_free_name(nsp, &name)?;
    }
    let mut s = SequenceDesc::with_defaults(0, nsp, name, oid::INT8);
    let a = apply(cat, &mut s, sequence_options, &[], true, None)?;
    if let Some((t, c)) = a.owned_by {
        s.table = t;
        s.column = c;
    }
    s.oid = cat.alloc_oid();
    sequence::create(pool, s.oid, limits(&s))?;
    cat.sequences.push(Arc::new(s));
    Ok(true)
}

/// ALTER SEQUENCE: whether the catalog changed.
pub fn alter(
    cat: &mut Catalog,
    pool: &BufferPool,
    notices: &mut Vec<PgError>,
    a: &AlterSequence,
) -> PgResult<bool> {
    let Some(oid) = target(cat, notices, a)? else {
        return Ok(false);
    };
    let old = cat
        .sequence_by_oid(oid)
        .cloned()
        .ok_or_else(|| PgError::internal("sequence vanished"))?;
    let mut s = (*old).clone();
    match &a.action {
        AlterSequenceAction::Rename(new) => {
            let new = ident(new);
            cat.check_free_name(old.namespace, &new)?;
            rename_in_defaults(cat, &old, old.namespace, &new);
            s.name = new;
        }
        AlterSequenceAction::OwnerTo(_) => {
            return Err(PgError::internal(
                "ALTER SEQUENCE ... OWNER TO is run by commands::owner",
            ))
        }
        AlterSequenceAction::Options { options, restart } => {
            let state = sequence::state(pool, old.oid, &old.name)?;
            let ap = apply(cat, &mut s, options, restart, false, Some(state.last))?;
            if let Some((t, c)) = ap.owned_by {
                s.table = t;
                s.column = c;
            }
            sequence::alter(pool, s.oid, &s.name, limits(&s), ap.restart)?;
        }
    }
    for slot in &mut cat.sequences {
        if slot.oid == s.oid {
            *slot = Arc::new(s.clone());
        }
    }
    Ok(true)
}

/// The sequence an ALTER SEQUENCE names: None (with a notice) when IF
/// EXISTS found none; 42809 for a relation that is not a sequence.
pub fn target(
    cat: &Catalog,
    notices: &mut Vec<PgError>,
    a: &AlterSequence,
) -> PgResult<Option<Oid>> {
    let (nsp, name) = plain_name(cat, &a.name)?;
    let found = match nsp {
        Some(n) => cat.relation_in(n, &name),
        None => cat.relkind(&name),
    };
    let seq = match found {
        Some((crate::catalog::RelKind::Sequence, o)) => Some(o),
        _ => None,
    };
    let Some(oid) = seq else {
        if found.is_some() {
            return Err(PgError::new(
                "42809",
                format!("\"{name}\" is not a sequence"),
            ));
        }
        if a.if_exists {
            notices.push(super::ddl::notice(format!(
                "relation \"{name}\" does not exist, skipping"
            )));
            return Ok(None);
        }
        return Err(crate::analyze::from::no_relation(&name));
    };
    Ok(Some(oid))
}

/// The text a column default uses to name relation `name` of schema
/// `nsp`: qualified unless in public (as catalogs written before schemas
/// have them). `pg_get_expr` prints it as the search path shows it
/// (`fmgr::catalog::display_regclass_literals`).
pub fn regclass_literal_in(cat: &Catalog, nsp: Oid, name: &str) -> String {
    use crate::utils::adt::quote::quote_ident;
    let quoted = if nsp == crate::catalog::PUBLIC_NAMESPACE {
        quote_ident(name)
    } else {
        format!(
            "{}.{}",
            quote_ident(cat.namespace_name(nsp).unwrap_or("public")),
            quote_ident(name)
        )
    };
    format!("'{}'::regclass", quoted.replace('\'', "''"))
}

/// The columns (table, position) whose default calls a function of
/// sequence `seq`.
pub fn defaults_using(cat: &Catalog, seq: Oid) -> Vec<(Oid, usize)> {
    let Some(s) = cat.sequence_by_oid(seq) else {
        return Vec::new();
    };
    let lit = regclass_literal_in(cat, s.namespace, &s.name);
    let mut out = Vec::new();
    for t in &cat.tables {
        for (i, c) in t.columns.iter().enumerate() {
            if c.default.as_deref().is_some_and(|d| d.contains(&lit)) {
                out.push((t.oid, i));
            }
        }
    }
    out
}

/// Column defaults follow a sequence renamed or moved to schema `nsp`
/// (PostgreSQL's keep its OID).
pub fn rename_in_defaults(cat: &mut Catalog, old: &SequenceDesc, nsp: Oid, new: &str) {
    let (from, to) = (
        regclass_literal_in(cat, old.namespace, &old.name),
        regclass_literal_in(cat, nsp, new),
    );
    for t in &mut cat.tables {
        if !t
            .columns
            .iter()
            .any(|c| c.default.as_deref().is_some_and(|d| d.contains(&from)))
        {
            continue;
        }
        let tm = Arc::make_mut(t);
        for c in &mut tm.columns {
            if let Some(d) = &mut c.default {
                *d = d.replace(&from, &to);
            }
        }
    }
}
