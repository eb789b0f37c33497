//! Names in the parse tree: type names
//! (`integer`, `varchar(10)`, `timestamptz`, ...) to type OIDs and typmods,
//! PostgreSQL's default result column names (FigureColname).

use sqlparser::ast::{self, DataType, ExactNumberInfo};

use crate::parser::{ident, object_name};

use crate::error::{sqlstate, PgError, PgResult};
use crate::types::{oid, type_internal_name, Oid};

/// A type's OID and typmod from its SQL name.
pub fn resolve_type(dt: &DataType) -> PgResult<(Oid, i32)> {
    use DataType as D;
    let len_mod = |l: &Option<ast::CharacterLength>, default: Option<u64>| -> i32 {
        match l {
            Some(ast::CharacterLength::IntegerLength { length, .. }) => *length as i32 + 4,
            _ => default.map_or(-1, |d| d as i32 + 4),
        }
    };
    let numeric_mod = |info: &ExactNumberInfo| -> PgResult<i32> {
        match info {
            ExactNumberInfo::None => Ok(-1),
            ExactNumberInfo::Precision(p) => numeric_typmod(*p as i64, 0),
            ExactNumberInfo::PrecisionAndScale(p, s) => numeric_typmod(*p as i64, *s),
        }
    };
    Ok(match dt {
        D::SmallInt(_) | D::Int2(_) => (oid::INT2, -1),
        D::Int(_) | D::Integer(_) | D::Int4(_) => (oid::INT4, -1),
        D::BigInt(_) | D::Int8(_) => (oid::INT8, -1),
        D::Real | D::Float4 => (oid::FLOAT4, -1),
        D::Double(_) | D::DoublePrecision | D::Float8 => (oid::FLOAT8, -1),
        D::Float(info) => match info {
            ExactNumberInfo::Precision(p) if *p <= 24 => (oid::FLOAT4, -1),
            _ => (oid::FLOAT8, -1),
        },
        D::Numeric(info) | D::Decimal(info) | D::Dec(info) => (oid::NUMERIC, numeric_mod(info)?),
        D::Text | D::String(None) => (oid::TEXT, -1),
        D::Varchar(l) | D::CharacterVarying(l) | D::CharVarying(l) => {
            (oid::VARCHAR, len_mod(l, None))
        }
        D::Char(l) | D::Character(l) => (oid::BPCHAR, len_mod(l, Some(1))),
        D::Bool | D::Boolean => (oid::BOOL, -1),
        D::Bytea => (oid::BYTEA, -1),
        D::Date => (oid::DATE, -1),
        D::Timestamp(_, tz) => match tz {
            ast::TimezoneInfo::WithTimeZone | ast::TimezoneInfo::Tz => (oid::TIMESTAMPTZ, -1),
            _ => (oid::TIMESTAMP, -1),
        },
        D::Interval { fields, precision } => (
            oid::INTERVAL,
            crate::types::interval_typmod::typmod(
                fields.as_ref().map(|f| f.to_string()).as_deref(),
                *precision,
            )?,
        ),
        D::Time(p, tz) => {
            let (t, name) = match tz {
                ast::TimezoneInfo::WithTimeZone | ast::TimezoneInfo::Tz => {
                    (oid::TIMETZ, "TIME WITH TIME ZONE")
                }
                _ => (oid::TIME, "TIME"),
            };
            let m = match p {
                Some(p) => crate::types::time::typmod(name, *p as i64)?,
                None => -1,
            };
            (t, m)
        }
        D::Regclass => (oid::REGCLASS, -1),
        D::Uuid => (oid::UUID, -1),
        D::JSON => (oid::JSON, -1),
        D::JSONB => (oid::JSONB, -1),
        D::Array(
            ast::ArrayElemTypeDef::SquareBracket(inner, _)
            | ast::ArrayElemTypeDef::Qualified(inner, _),
        ) => {
            // int[], int[3], int[][], int ARRAY: one array type whatever the
            // dimensions (as PostgreSQL); the typmod is the element's.
            let (elem, m) = resolve_type(inner)?;
            if crate::types::array_element(elem) != 0 {
                return Ok((elem, m));
            }
            match crate::types::array_of(elem) {
                0 => return Err(undefined_type(&format!("{}[]", type_internal_name(elem)))),
                t => (t, m),
            }
        }
        // "char" quoted is the one-byte internal type, not character(1).
        D::Custom(name, mods)
            if mods.is_empty()
                && matches!(name.0.last().and_then(|p| p.as_ident()),
                    Some(i) if i.quote_style == Some('"') && i.value == "char") =>
        {
            (oid::CHAR, -1)
        }
        D::Custom(name, mods) => {
            let parts = object_name(name);
            let last = parts.last().map(String::as_str).unwrap_or("");
            // Enum types resolve through the search path, or in the
            // schema named (`catalog::namespace`); built-in types live in
            // pg_catalog.
            let schema = match parts.as_slice() {
                [s, _] | [_, s, _] => Some(s.as_str()),
                _ => None,
            };
            let user = match schema {
                Some(s) => crate::catalog::namespace::enum_by_type_name(&format!("{s}.{last}")),
                None => crate::catalog::namespace::enum_by_type_name(last),
            };
            let builtin = match schema {
                None | Some("pg_catalog") => type_by_name(last).filter(|&t| t < 16384),
                Some(_) => None,
            };
            if builtin.is_none() && user.is_none() {
                if let Some(d) = crate::catalog::namespace::domain_by_type_name(schema, last) {
                    return Ok((d.base, d.typmod));
                }
            }
            let t = builtin
                .or(user)
                .ok_or_else(|| undefined_type(&parts.join(".")))?;
            let m = match (t, mods.as_slice()) {
                (oid::VARCHAR | oid::BPCHAR, [n]) => {
                    n.to_string().parse::<i32>().map_or(-1, |n| n + 4)
                }
                (oid::NUMERIC, [p]) => numeric_typmod(p.to_string().parse().unwrap_or(0), 0)?,
                (oid::NUMERIC, [p, s]) => numeric_typmod(
                    p.to_string().parse().unwrap_or(0),
                    s.to_string().parse().unwrap_or(0),
                )?,
                (oid::BPCHAR, []) if last == "char" || last == "character" => 5,
                (oid::TIME | oid::TIMETZ, [p]) => crate::types::time::typmod(
                    if t == oid::TIME {
                        "TIME"
                    } else {
                        "TIME WITH TIME ZONE"
                    },
                    p.to_string().parse().unwrap_or(0),
                )?,
                _ => -1,
            };
            (t, m)
        }
        other => return Err(undefined_type(&other.to_string().to_lowercase())),
    })
}

/// The domain a type name names, if it names one (its value is then of
/// the domain's base type: [`resolve_type`]).
pub fn domain_of(dt: &DataType) -> Option<std::sync::Arc<crate::types::domains::DomainType>> {
    let DataType::Custom(name, mods) = dt else {
        return None;
    };
    if !mods.is_empty() {
        return None;
    }
    let parts = object_name(name);
    let last = parts.last()?;
    let schema = match parts.as_slice() {
        [s, _] | [_, s, _] => Some(s.as_str()),
        _ => None,
    };
    if matches!(schema, None | Some("pg_catalog")) && type_by_name(last).is_some_and(|t| t < 16384)
    {
        return None;
    }
    if crate::catalog::namespace::enum_by_type_name(&match schema {
        Some(s) => format!("{s}.{last}"),
        None => last.clone(),
    })
    .is_some()
    {
        return None;
    }
    crate::catalog::namespace::domain_by_type_name(schema, last)
}

fn numeric_typmod(p: i64, s: i64) -> PgResult<i32> {
    if !(1..=1000).contains(&p) {
        return Err(PgError::new(
            sqlstate::INVALID_PARAMETER_VALUE,
            format!("NUMERIC precision {p} must be between 1 and 1000"),
        ));
    }
    if !(-1000..=1000).contains(&s) {
        return Err(PgError::new(
            sqlstate::INVALID_PARAMETER_VALUE,
            format!("NUMERIC scale {s} must be between -1000 and 1000"),
        ));
    }
    // As PostgreSQL 15: the scale is an 11-bit signed field.
    Ok((((p as i32) << 16) | (s as i32 & 0x7ff)) + 4)
}

fn undefined_type(name: &str) -> PgError {
    PgError::new(
        sqlstate::UNDEFINED_OBJECT,
        format!("type \"{name}\" does not exist"),
    )
}

/// Built-in types by their pg_type name or SQL alias.
pub fn type_by_name(name: &str) -> Option<Oid> {
    Some(match name {
        "bool" | "boolean" => oid::BOOL,
        "bytea" => oid::BYTEA,
        "record" => oid::RECORD,
        "char" | "character" | "bpchar" => oid::BPCHAR,
        "name" => oid::NAME,
        "int8" | "bigint" => oid::INT8,
        "int2" | "smallint" => oid::INT2,
        "int4" | "int" | "integer" => oid::INT4,
        "text" => oid::TEXT,
        "oid" => oid::OID,
        "tid" => oid::TID,
        "xid" => oid::XID,
        "cid" => oid::CID,
        "float4" | "real" => oid::FLOAT4,
        "float8" | "float" => oid::FLOAT8,
        "varchar" => oid::VARCHAR,
        "date" => oid::DATE,
        "timestamp" => oid::TIMESTAMP,
        "timestamptz" => oid::TIMESTAMPTZ,
        "interval" => oid::INTERVAL,
        "time" => oid::TIME,
        "timetz" => oid::TIMETZ,
        "inet" => oid::INET,
        "cidr" => oid::CIDR,
        "uuid" => oid::UUID,
        "macaddr" => oid::MACADDR,
        "macaddr8" => oid::MACADDR8,
        "json" => oid::JSON,
        "jsonb" => oid::JSONB,
        "jsonpath" => oid::JSONPATH,
        "numeric" | "decimal" => oid::NUMERIC,
        "unknown" => oid::UNKNOWN,
        "regclass" => oid::REGCLASS,
        "regtype" => oid::REGTYPE,
        "regproc" => oid::REGPROC,
        "regprocedure" => oid::REGPROCEDURE,
        "regnamespace" => oid::REGNAMESPACE,
        "regrole" => oid::REGROLE,
        n => return crate::types::array::type_by_typname(n),
    })
}

/// PostgreSQL's FigureColname: a result column's default name and how
/// strongly it was chosen (2 for names, 1 for type names, 0 for none).
pub fn figure_colname(e: &ast::Expr) -> (String, u8) {
    use ast::Expr as E;
    match e {
        E::Identifier(i) => (ident(i), 2),
        E::CompoundIdentifier(parts) => (parts.last().map(ident).unwrap_or_default(), 2),
        E::Nested(inner) => figure_colname(inner),
        E::Function(f) => (object_name(&f.name).pop().unwrap_or_default(), 2),
        E::Cast {
            expr, data_type, ..
        } => {
            let (n, strength) = figure_colname(expr);
            if strength > 1 {
                return (n, strength);
            }
            if let Some(d) = domain_of(data_type) {
                return (d.name.clone(), 1);
            }
            // `x::int[]` is named after the element type's name.
            let mut data_type = data_type;
            while let DataType::Array(
                ast::ArrayElemTypeDef::SquareBracket(inner, _)
                | ast::ArrayElemTypeDef::Qualified(inner, _),
            ) = data_type
            {
                data_type = inner;
            }
            match resolve_type(data_type) {
                Ok((t, _)) => (type_internal_name(t).to_owned(), 1),
                Err(_) => (data_type.to_string().to_lowercase(), 1),
            }
        }
        E::TypedString(ts) => match resolve_type(&ts.data_type) {
            Ok((t, _)) => (type_internal_name(t).to_owned(), 1),
            Err(_) => ("?column?".into(), 0),
        },
        E::Value(v) if matches!(v.value, ast::Value::Boolean(_)) => ("bool".into(), 1),
        E::Interval(_) => ("interval".into(), 1),
        E::AtTimeZone { .. } => ("timezone".into(), 1),
        // CASE takes its ELSE branch's name when that is a real name.
        E::Case {
            else_result: Some(e),
            ..
        } if figure_colname(e).1 == 2 => figure_colname(e),
        E::Case { .. } => ("case".into(), 1),
        // A scalar subquery takes its one column's name.
        E::Subquery(q) => match q.body.as_ref() {
            ast::SetExpr::Select(s) => match s.projection.first() {
                Some(ast::SelectItem::ExprWithAlias { alias, .. }) => (ident(alias), 2),
                Some(ast::SelectItem::UnnamedExpr(e)) => (figure_colname(e).0, 2),
                _ => ("?column?".into(), 0),
            },
            _ => ("?column?".into(), 0),
        },
        E::Extract { .. } => ("extract".into(), 2),
        E::Position { .. } => ("position".into(), 2),
        E::Substring { shorthand, .. } => {
            (if *shorthand { "substr" } else { "substring" }.into(), 2)
        }
        E::Overlay { .. } => ("overlay".into(), 2),
        E::Trim { trim_where, .. } => (
            match trim_where {
                Some(ast::TrimWhereField::Leading) => "ltrim",
                Some(ast::TrimWhereField::Trailing) => "rtrim",
                _ => "btrim",
            }
            .into(),
            2,
        ),
        E::Ceil { .. } => ("ceil".into(), 2),
        E::Floor { .. } => ("floor".into(), 2),
        E::Exists { .. } => ("exists".into(), 2),
        E::Array(_) => ("array".into(), 2),
        // A row constructor without ROW, as ROW(...) (a RowExpr).
        E::Tuple(_) => ("row".into(), 2),
        E::CompoundFieldAccess { root, access_chain } => {
            // `t.a[1]` is named after the last name before the subscripts.
            let last = access_chain
                .iter()
                .take_while(|a| matches!(a, ast::AccessExpr::Dot(ast::Expr::Identifier(_))))
                .last();
            match last {
                Some(ast::AccessExpr::Dot(ast::Expr::Identifier(i))) => (ident(i), 2),
                _ => figure_colname(root),
            }
        }
        _ => ("?column?".into(), 0),
    }
}
