//! Catalog functions and the OID alias types: what psql's describe
//! commands, drivers and ORMs call to read the catalog.
//!
//! - The input and output of regclass, regtype, regproc, regprocedure,
//!   regnamespace and regrole (names to OIDs with PostgreSQL's errors:
//!   42P01, 42704, 42883, 3F000; OIDs to names, or the number when
//!   unknown, "-" for 0), as functions the analyzer calls for casts
//!   between them and text ([`reg_input_func`], [`reg_output_func`]), and
//!   [`reg_out`] for the client's text output of such columns.
//! - pg_proc's rows ([`procs`]): every function of the fmgr tables and
//!   every aggregate, with PostgreSQL 15's OIDs where it has the same
//!   function (`proc_oids`), and OIDs from 8200 for the others.
//! - The functions themselves ([`CATALOG_FUNCS`]): sizes, visibility,
//!   descriptions (COMMENT ON's, from the catalog), privileges (from the ACLs:
//!   `privileges.rs`), to_reg*, format_type, quote_*, ...

mod proc_oids;

use std::sync::{Arc, OnceLock};

use crate::catalog::builtin::{self, format_type, PG_CATALOG_NAMESPACE, PUBLIC_NAMESPACE};
use crate::catalog::constraint::{ConstraintDesc, ConstraintKind, FkAction};
use crate::catalog::function::FunctionDesc;
use crate::catalog::{Catalog, IndexDesc};
use crate::error::{sqlstate, PgError, PgResult};
use crate::fmgr::{f, nonstrict, volatile, FnCtx, FuncDef};
use crate::types::{self, oid, Numeric, Oid, Value};
use crate::utils::adt::agg;
use crate::utils::adt::quote::{quote_ident, quote_literal};
use crate::utils::encoding;

use oid::{BOOL, INT4, INT8, NAME, NUMERIC, OID, TEXT, TIMESTAMPTZ};

/// 3F000 invalid_schema_name.
const INVALID_SCHEMA_NAME: &str = "3F000";
/// 42725 ambiguous_function.
const AMBIGUOUS_FUNCTION: &str = "42725";
/// 42602 invalid_name.
const INVALID_NAME: &str = "42602";

/// pgfork's catalog functions, registered in fmgr's TABLES.
pub static CATALOG_FUNCS: &[FuncDef] = &[
    // The partition tree above a relation (set-returning: run as a
    // function scan, `executor::srf`).
    volatile(f(
        "pg_partition_ancestors",
        &[oid::REGCLASS],
        oid::REGCLASS,
        super::arrays::set_in_wrong_context,
    )),
    // Options (reloptions, fdwoptions) as rows (a function scan too).
    f(
        "pg_options_to_table",
        &[oid::TEXT_ARRAY],
        oid::TEXT,
        super::arrays::set_in_wrong_context,
    ),
    // Sizes.
    volatile(f("pg_table_size", &[oid::REGCLASS], INT8, |c, a| {
        size_of(c, &a[0], Size::Table)
    })),
    volatile(f("pg_indexes_size", &[oid::REGCLASS], INT8, |c, a| {
        size_of(c, &a[0], Size::Indexes)
    })),
    volatile(f("pg_database_size", &[oid::NAME], INT8, |c, a| {
        let Value::Text(name) = &a[0] else {
            return Ok(Value::Null);
        };
        let d = c.catalog.database(name);
        let d = d.ok_or_else(|| crate::catalog::database::undefined(name))?;
        Ok(database_size(c, d.oid))
    })),
    volatile(f("pg_database_size", &[oid::OID], INT8, |c, a| {
        let o = oid_arg(&a[0]);
        if c.catalog.database_by_oid(o).is_none() {
            return Ok(Value::Null);
        }
        Ok(database_size(c, o))
    })),
    volatile(f(
        "pg_total_relation_size",
        &[oid::REGCLASS],
        INT8,
        |c, a| size_of(c, &a[0], Size::Total),
    )),
    volatile(f(
        "pg_relation_size",
        &[oid::REGCLASS, TEXT],
        INT8,
        |c, a| match text_arg(&a[1]) {
            "main" => size_of(c, &a[0], Size::Table),
            "fsm" | "vm" | "init" => Ok(Value::Int8(0)),
            _ => Err(
                PgError::new(sqlstate::INVALID_PARAMETER_VALUE, "invalid fork name")
                    .with_hint("Valid fork names are \"main\", \"fsm\", \"vm\", and \"init\"."),
            ),
        },
    )),
    f("pg_size_pretty", &[INT8], TEXT, |_, a| {
        let Value::Int8(n) = a[0] else {
            return Ok(Value::Null);
        };
        Ok(Value::Text(size_pretty(n as i128, None)))
    }),
    f("pg_size_pretty", &[NUMERIC], TEXT, |_, a| {
        let Value::Numeric(n) = &a[0] else {
            return Ok(Value::Null);
        };
        Ok(Value::Text(size_pretty_numeric(n)))
    }),
    // Which commands may write a relation (automatically updatable
    // views: `catalog::view_update`); pgfork has no INSTEAD OF triggers
    // or rules, so the second argument changes nothing.
    f(
        "pg_relation_is_updatable",
        &[oid::REGCLASS, BOOL],
        INT4,
        |c, a| {
            let o = oid_arg(&a[0]);
            Ok(Value::Int4(
                crate::catalog::view_update::relation_is_updatable(c.catalog, o, None),
            ))
        },
    ),
    f(
        "pg_column_is_updatable",
        &[oid::REGCLASS, oid::INT2, BOOL],
        BOOL,
        |c, a| {
            let o = oid_arg(&a[0]);
            let Value::Int2(n) = a[1] else {
                return Ok(Value::Null);
            };
            Ok(Value::Bool(
                crate::catalog::view_update::column_is_updatable(c.catalog, o, n),
            ))
        },
    ),
    // Visibility in the search path: the object its bare name finds.
    f("pg_table_is_visible", &[OID], BOOL, |c, a| {
        let o = oid_arg(&a[0]);
        Ok(Value::Bool(
            builtin::system_relation_by_oid(o).is_some()
                || (c.catalog.relation_name(o).is_some() && c.catalog.relation_is_visible(o)),
        ))
    }),
    f("pg_type_is_visible", &[OID], BOOL, |c, a| {
        let t = oid_arg(&a[0]);
        let user = c.catalog.enums.iter().any(|e| e.oid == t || e.array == t);
        let domain = c.catalog.domain_by_oid(t).is_some_and(|d| {
            c.catalog
                .resolve_domain(None, &d.name)
                .is_some_and(|f| f.oid == d.oid)
        });
        // A row type (or its array type): the first of its name on the
        // search path.
        let rows = &c.catalog.row_types;
        let row = rows
            .iter()
            .find(|r| r.oid == t || r.array == t)
            .is_some_and(|r| {
                c.catalog
                    .search_path()
                    .into_iter()
                    .find(|n| rows.iter().any(|x| x.namespace == *n && x.name == r.name))
                    == Some(r.namespace)
            });
        Ok(Value::Bool(
            domain
                || row
                || (user && c.catalog.enum_is_visible(t))
                || builtin::builtin_type(t).is_some(),
        ))
    }),
    f("pg_function_is_visible", &[OID], BOOL, |c, a| {
        let o = oid_arg(&a[0]);
        Ok(Value::Bool(match c.catalog.function_by_oid(o) {
            Some(f) => user_function_visible(c.catalog, f),
            None => proc_by_oid(o).is_some(),
        }))
    }),
    f("pg_collation_is_visible", &[OID], BOOL, |_, a| {
        Ok(Value::Bool(matches!(oid_arg(&a[0]), 100 | 950 | 951)))
    }),
    // Operator classes and families are all built in, in pg_catalog
    // (always searched): visible when they exist, NULL otherwise.
    f("pg_opclass_is_visible", &[OID], BOOL, |_, a| {
        let o = oid_arg(&a[0]);
        Ok(if crate::catalog::opclass::is_opclass(o) {
            Value::Bool(true)
        } else {
            Value::Null
        })
    }),
    f("pg_opfamily_is_visible", &[OID], BOOL, |_, a| {
        let o = oid_arg(&a[0]);
        let known = crate::catalog::builtin_ops::OPFAMILIES
            .iter()
            .any(|f| f.0 == o);
        Ok(if known {
            Value::Bool(true)
        } else {
            Value::Null
        })
    }),
    // pgfork has no conversions or statistics objects.
    f("pg_conversion_is_visible", &[OID], BOOL, |_, _| {
        Ok(Value::Null)
    }),
    f("pg_statistics_obj_is_visible", &[OID], BOOL, |_, _| {
        Ok(Value::Null)
    }),
    // Names and definitions.
    f("pg_get_userbyid", &[OID], NAME, |c, a| {
        let o = oid_arg(&a[0]);
        Ok(Value::Text(
            role_name(c, o).unwrap_or_else(|| format!("unknown (OID={o})")),
        ))
    }),
    nonstrict(f("format_type", &[OID, INT4], TEXT, |_, a| {
        let Value::Oid(t) = a[0] else {
            return Ok(Value::Null);
        };
        let m = match a[1] {
            Value::Int4(m) => Some(m),
            _ => None,
        };
        Ok(Value::Text(format_type(t, m)))
    })),
    f("pg_get_function_result", &[OID], TEXT, |c, a| {
        if let Some(u) = c.catalog.function_by_oid(oid_arg(&a[0])) {
            return Ok(u.result().map_or(Value::Null, Value::Text));
        }
        Ok(proc_by_oid(oid_arg(&a[0]))
            .map_or(Value::Null, |p| Value::Text(format_type(p.ret, None))))
    }),
    f("pg_get_function_arguments", &[OID], TEXT, |c, a| {
        if let Some(u) = c.catalog.function_by_oid(oid_arg(&a[0])) {
            return Ok(Value::Text(u.arguments()));
        }
        Ok(proc_by_oid(oid_arg(&a[0])).map_or(Value::Null, |p| Value::Text(p.arguments())))
    }),
    f(
        "pg_get_function_identity_arguments",
        &[OID],
        TEXT,
        |c, a| {
            if let Some(u) = c.catalog.function_by_oid(oid_arg(&a[0])) {
                return Ok(Value::Text(u.identity_arguments()));
            }
            Ok(proc_by_oid(oid_arg(&a[0])).map_or(Value::Null, |p| Value::Text(p.arguments())))
        },
    ),
    f("pg_get_functiondef", &[OID], TEXT, |c, a| {
        let o = oid_arg(&a[0]);
        match c.catalog.function_by_oid(o) {
            Some(u) => Ok(Value::Text(u.definition(c.catalog.function_schema_name(u)))),
            None if proc_by_oid(o).is_some() => Err(PgError::new(
                crate::error::sqlstate::FEATURE_NOT_SUPPORTED,
                "pg_get_functiondef of a built-in function is not supported yet",
            )),
            None => Ok(Value::Null),
        }
    }),
    f("pg_get_indexdef", &[OID], TEXT, |c, a| {
        index_def(c, &a[0], 0, false)
    }),
    f("pg_get_indexdef", &[OID, INT4, BOOL], TEXT, |c, a| {
        let (Value::Int4(col), Value::Bool(pretty)) = (&a[1], &a[2]) else {
            return Ok(Value::Null);
        };
        index_def(c, &a[0], *col, *pretty)
    }),
    f("pg_get_viewdef", &[OID], TEXT, |c, a| {
        view_def(c, &a[0], false)
    }),
    f("pg_get_viewdef", &[OID, BOOL], TEXT, |c, a| {
        view_def(c, &a[0], a[1] == Value::Bool(true))
    }),
    // A wrap column: every target on a line of its own, as psql's pretty
    // form (the wrapping of short targets onto one line is not done).
    f("pg_get_viewdef", &[OID, INT4], TEXT, |c, a| {
        view_def(c, &a[0], true)
    }),
    f("pg_get_viewdef", &[TEXT], TEXT, |c, a| {
        view_def(c, &a[0], false)
    }),
    f("pg_get_viewdef", &[TEXT, BOOL], TEXT, |c, a| {
        view_def(c, &a[0], a[1] == Value::Bool(true))
    }),
    f("pg_get_triggerdef", &[OID], TEXT, |c, a| {
        trigger_def(c, &a[0], false)
    }),
    f("pg_get_triggerdef", &[OID, BOOL], TEXT, |c, a| {
        trigger_def(c, &a[0], a[1] == Value::Bool(true))
    }),
    f("pg_get_constraintdef", &[OID], TEXT, |c, a| {
        constraint_def(c, &a[0])
    }),
    f("pg_get_constraintdef", &[OID, BOOL], TEXT, |c, a| {
        let o = oid_arg(&a[0]);
        match c.catalog.constraints.iter().find(|k| k.oid == o) {
            Some(k) if matches!(a[1], Value::Bool(true)) => {
                Ok(Value::Text(check_or_fk_definition(c.catalog, k, true)))
            }
            _ => constraint_def(c, &a[0]),
        }
    }),
    f(
        "pg_get_serial_sequence",
        &[TEXT, TEXT],
        TEXT,
        serial_sequence,
    ),
    // Built-in functions have no SQL body.
    f("pg_get_function_sqlbody", &[OID], TEXT, |c, a| {
        Ok(match c.catalog.function_by_oid(oid_arg(&a[0])) {
            Some(u) if u.body_kind == crate::catalog::function::BodyKind::Return => {
                Value::Text(format!("RETURN {}", u.body))
            }
            _ => Value::Null,
        })
    }),
    f("pg_get_statisticsobjdef_columns", &[OID], TEXT, |_, _| {
        Ok(Value::Null)
    }),
    f(
        "pg_relation_is_publishable",
        &[oid::REGCLASS],
        BOOL,
        |c, a| {
            let o = match reg_arg(c, oid::REGCLASS, &a[0])? {
                Some(o) => o,
                None => return Ok(Value::Null),
            };
            Ok(Value::Bool(c.catalog.table_by_oid(o).is_some()))
        },
    ),
    f("pg_tablespace_location", &[OID], TEXT, |_, _| {
        Ok(Value::Text(String::new()))
    }),
    // Comments (COMMENT ON, stored in the catalog: pg_description).
    f("obj_description", &[OID], TEXT, |c, a| {
        // Deprecated form: any description of the object with objsubid 0.
        let o = oid_arg(&a[0]);
        Ok(c.catalog
            .descriptions()
            .into_iter()
            .find(|&((_, obj, sub), _)| obj == o && sub == 0)
            .map_or(Value::Null, |(_, t)| Value::Text(t)))
    }),
    f("obj_description", &[OID, NAME], TEXT, |c, a| {
        let class = catalog_relation(&a[1]);
        Ok(description(c, class, oid_arg(&a[0]), 0))
    }),
    f("col_description", &[OID, INT4], TEXT, |c, a| {
        let Value::Int4(n) = a[1] else {
            return Ok(Value::Null);
        };
        let class = builtin::system_relation("pg_class").map_or(0, |r| r.oid);
        Ok(description(c, class, oid_arg(&a[0]), n))
    }),
    // Comments on databases and roles (pg_shdescription).
    f("shobj_description", &[OID, NAME], TEXT, |c, a| {
        let class = catalog_relation(&a[1]);
        Ok(c.catalog
            .shared_description(class, oid_arg(&a[0]))
            .map_or(Value::Null, |t| Value::Text(t.to_owned())))
    }),
    // Encodings.
    f("pg_encoding_to_char", &[INT4], NAME, |_, a| {
        let Value::Int4(n) = a[0] else {
            return Ok(Value::Null);
        };
        Ok(Value::Text(encoding::by_number(n).unwrap_or("").to_owned()))
    }),
    f("pg_char_to_encoding", &[NAME], INT4, |_, a| {
        Ok(Value::Int4(
            encoding::by_name(text_arg(&a[0])).map_or(-1, |e| e.0),
        ))
    }),
    f("getdatabaseencoding", &[], NAME, |_, _| {
        Ok(Value::Text("UTF8".into()))
    }),
    f("pg_client_encoding", &[], NAME, |_, _| {
        Ok(Value::Text("UTF8".into()))
    }),
    // Server state.
    f("pg_is_in_recovery", &[], BOOL, |_, _| {
        Ok(Value::Bool(false))
    }),
    f("pg_postmaster_start_time", &[], TIMESTAMPTZ, |c, _| {
        Ok(start_time(c))
    }),
    f("pg_conf_load_time", &[], TIMESTAMPTZ, |c, _| {
        Ok(start_time(c))
    }),
    // inet is shown as text; pgfork records no local address.
    nonstrict(f("inet_server_addr", &[], TEXT, |_, _| Ok(Value::Null))),
    nonstrict(f("inet_server_port", &[], INT4, |_, _| Ok(Value::Null))),
    nonstrict(f("inet_client_addr", &[], TEXT, |_, _| Ok(Value::Null))),
    nonstrict(f("inet_client_port", &[], INT4, |_, _| Ok(Value::Null))),
    // to_reg*: the OID, or NULL when the object does not exist.
    f("to_regclass", &[TEXT], oid::REGCLASS, |c, a| {
        to_reg(c, oid::REGCLASS, a)
    }),
    f("to_regtype", &[TEXT], oid::REGTYPE, |c, a| {
        to_reg(c, oid::REGTYPE, a)
    }),
    f("to_regproc", &[TEXT], oid::REGPROC, |c, a| {
        to_reg(c, oid::REGPROC, a)
    }),
    f("to_regprocedure", &[TEXT], oid::REGPROCEDURE, |c, a| {
        to_reg(c, oid::REGPROCEDURE, a)
    }),
    f("to_regnamespace", &[TEXT], oid::REGNAMESPACE, |c, a| {
        to_reg(c, oid::REGNAMESPACE, a)
    }),
    f("to_regrole", &[TEXT], oid::REGROLE, |c, a| {
        to_reg(c, oid::REGROLE, a)
    }),
    // regclass(text): the cast from text.
    f("regclass", &[TEXT], oid::REGCLASS, |c, a| {
        reg_in_value(c, oid::REGCLASS, a)
    }),
    // Quoting.
    f("quote_ident", &[TEXT], TEXT, |_, a| {
        Ok(Value::Text(quote_ident(text_arg(&a[0]))))
    }),
    f("quote_literal", &[TEXT], TEXT, |_, a| {
        Ok(Value::Text(quote_literal(text_arg(&a[0]))))
    }),
    nonstrict(f("quote_nullable", &[TEXT], TEXT, |_, a| {
        Ok(Value::Text(match &a[0] {
            Value::Text(s) => quote_literal(s),
            _ => "NULL".into(),
        }))
    })),
    // Privileges, from the ACLs (fmgr/privileges.rs).
    f("has_table_privilege", &[TEXT, TEXT], BOOL, |c, a| {
        table_privilege(c, None, &a[0], &a[1])
    }),
    f("has_table_privilege", &[OID, TEXT], BOOL, |c, a| {
        table_privilege(c, None, &a[0], &a[1])
    }),
    f("has_table_privilege", &[NAME, TEXT, TEXT], BOOL, |c, a| {
        table_privilege(c, Some(&a[0]), &a[1], &a[2])
    }),
    f("has_table_privilege", &[NAME, OID, TEXT], BOOL, |c, a| {
        table_privilege(c, Some(&a[0]), &a[1], &a[2])
    }),
    f("has_table_privilege", &[OID, TEXT, TEXT], BOOL, |c, a| {
        table_privilege(c, Some(&a[0]), &a[1], &a[2])
    }),
    f("has_table_privilege", &[OID, OID, TEXT], BOOL, |c, a| {
        table_privilege(c, Some(&a[0]), &a[1], &a[2])
    }),
    f("has_sequence_privilege", &[TEXT, TEXT], BOOL, |c, a| {
        sequence_privilege(c, None, &a[0], &a[1])
    }),
    f("has_sequence_privilege", &[OID, TEXT], BOOL, |c, a| {
        sequence_privilege(c, None, &a[0], &a[1])
    }),
    f(
        "has_sequence_privilege",
        &[NAME, TEXT, TEXT],
        BOOL,
        |c, a| sequence_privilege(c, Some(&a[0]), &a[1], &a[2]),
    ),
    f("has_column_privilege", &[TEXT, TEXT, TEXT], BOOL, |c, a| {
        column_privilege(c, None, &a[0], &a[1], &a[2])
    }),
    f("has_column_privilege", &[OID, TEXT, TEXT], BOOL, |c, a| {
        column_privilege(c, None, &a[0], &a[1], &a[2])
    }),
    f(
        "has_column_privilege",
        &[OID, oid::INT2, TEXT],
        BOOL,
        |c, a| column_privilege(c, None, &a[0], &a[1], &a[2]),
    ),
    f(
        "has_column_privilege",
        &[NAME, TEXT, TEXT, TEXT],
        BOOL,
        |c, a| column_privilege(c, Some(&a[0]), &a[1], &a[2], &a[3]),
    ),
    f(
        "has_column_privilege",
        &[NAME, OID, TEXT, TEXT],
        BOOL,
        |c, a| column_privilege(c, Some(&a[0]), &a[1], &a[2], &a[3]),
    ),
    f("has_any_column_privilege", &[TEXT, TEXT], BOOL, |c, a| {
        table_privilege(c, None, &a[0], &a[1])
    }),
    f("has_any_column_privilege", &[OID, TEXT], BOOL, |c, a| {
        table_privilege(c, None, &a[0], &a[1])
    }),
    f("has_schema_privilege", &[TEXT, TEXT], BOOL, |c, a| {
        schema_privilege(c, None, &a[0], &a[1])
    }),
    f("has_schema_privilege", &[OID, TEXT], BOOL, |c, a| {
        schema_privilege(c, None, &a[0], &a[1])
    }),
    f("has_schema_privilege", &[NAME, TEXT, TEXT], BOOL, |c, a| {
        schema_privilege(c, Some(&a[0]), &a[1], &a[2])
    }),
    f("has_schema_privilege", &[NAME, OID, TEXT], BOOL, |c, a| {
        schema_privilege(c, Some(&a[0]), &a[1], &a[2])
    }),
    f("has_database_privilege", &[TEXT, TEXT], BOOL, |c, a| {
        database_privilege(c, None, &a[0], &a[1])
    }),
    f("has_database_privilege", &[OID, TEXT], BOOL, |c, a| {
        database_privilege(c, None, &a[0], &a[1])
    }),
    f(
        "has_database_privilege",
        &[NAME, TEXT, TEXT],
        BOOL,
        |c, a| database_privilege(c, Some(&a[0]), &a[1], &a[2]),
    ),
    f("has_function_privilege", &[TEXT, TEXT], BOOL, |c, a| {
        function_privilege(c, &a[0], &a[1])
    }),
    f("has_function_privilege", &[OID, TEXT], BOOL, |c, a| {
        function_privilege(c, &a[0], &a[1])
    }),
    f(
        "has_function_privilege",
        &[NAME, TEXT, TEXT],
        BOOL,
        |c, a| {
            super::privileges::role_of(c, Some(&a[0]))?;
            function_privilege(c, &a[1], &a[2])
        },
    ),
    f("pg_has_role", &[NAME, TEXT], BOOL, |c, a| {
        role_privilege(c, None, &a[0], &a[1])
    }),
    f("pg_has_role", &[OID, TEXT], BOOL, |c, a| {
        role_privilege(c, None, &a[0], &a[1])
    }),
    f("pg_has_role", &[NAME, NAME, TEXT], BOOL, |c, a| {
        role_privilege(c, Some(&a[0]), &a[1], &a[2])
    }),
    f("pg_has_role", &[OID, OID, TEXT], BOOL, |c, a| {
        role_privilege(c, Some(&a[0]), &a[1], &a[2])
    }),
];

// ---------------------------------------------------------------------
// The OID alias types.

/// The input conversions (text → alias type) the analyzer calls for
/// casts, by target type.
static REG_IN: &[FuncDef] = &[
    f("regclassin", &[TEXT], oid::REGCLASS, |c, a| {
        reg_in_value(c, oid::REGCLASS, a)
    }),
    f("regtypein", &[TEXT], oid::REGTYPE, |c, a| {
        reg_in_value(c, oid::REGTYPE, a)
    }),
    f("regprocin", &[TEXT], oid::REGPROC, |c, a| {
        reg_in_value(c, oid::REGPROC, a)
    }),
    f("regprocedurein", &[TEXT], oid::REGPROCEDURE, |c, a| {
        reg_in_value(c, oid::REGPROCEDURE, a)
    }),
    f("regnamespacein", &[TEXT], oid::REGNAMESPACE, |c, a| {
        reg_in_value(c, oid::REGNAMESPACE, a)
    }),
    f("regrolein", &[TEXT], oid::REGROLE, |c, a| {
        reg_in_value(c, oid::REGROLE, a)
    }),
];

/// The output conversions (alias type → text), by source type.
static REG_OUT: &[FuncDef] = &[
    f("regclassout", &[oid::REGCLASS], TEXT, |c, a| {
        reg_out_value(c, oid::REGCLASS, &a[0])
    }),
    f("regtypeout", &[oid::REGTYPE], TEXT, |c, a| {
        reg_out_value(c, oid::REGTYPE, &a[0])
    }),
    f("regprocout", &[oid::REGPROC], TEXT, |c, a| {
        reg_out_value(c, oid::REGPROC, &a[0])
    }),
    f("regprocedureout", &[oid::REGPROCEDURE], TEXT, |c, a| {
        reg_out_value(c, oid::REGPROCEDURE, &a[0])
    }),
    f("regnamespaceout", &[oid::REGNAMESPACE], TEXT, |c, a| {
        reg_out_value(c, oid::REGNAMESPACE, &a[0])
    }),
    f("regroleout", &[oid::REGROLE], TEXT, |c, a| {
        reg_out_value(c, oid::REGROLE, &a[0])
    }),
];

/// Parameters of the alias types: a name sent as text is resolved when
/// the statement runs, an OID (binary format, or digits) kept.
static REG_PARAM: &[FuncDef] = &[
    f("regclass_param", &[oid::REGCLASS], oid::REGCLASS, |c, a| {
        reg_param(c, oid::REGCLASS, &a[0])
    }),
    f("regtype_param", &[oid::REGTYPE], oid::REGTYPE, |c, a| {
        reg_param(c, oid::REGTYPE, &a[0])
    }),
    f("regproc_param", &[oid::REGPROC], oid::REGPROC, |c, a| {
        reg_param(c, oid::REGPROC, &a[0])
    }),
    f(
        "regprocedure_param",
        &[oid::REGPROCEDURE],
        oid::REGPROCEDURE,
        |c, a| reg_param(c, oid::REGPROCEDURE, &a[0]),
    ),
    f(
        "regnamespace_param",
        &[oid::REGNAMESPACE],
        oid::REGNAMESPACE,
        |c, a| reg_param(c, oid::REGNAMESPACE, &a[0]),
    ),
    f("regrole_param", &[oid::REGROLE], oid::REGROLE, |c, a| {
        reg_param(c, oid::REGROLE, &a[0])
    }),
];

fn reg_param(c: &FnCtx, t: Oid, v: &Value) -> PgResult<Value> {
    Ok(reg_arg(c, t, v)?.map_or(Value::Null, Value::Oid))
}

/// The function resolving a parameter of alias type `t` (which the
/// client may send as a name).
pub fn reg_param_func(t: Oid) -> Option<&'static FuncDef> {
    REG_PARAM.iter().find(|d| d.ret == t)
}

/// The function reading a name as alias type `t` (for `text::t`).
pub fn reg_input_func(t: Oid) -> Option<&'static FuncDef> {
    REG_IN.iter().find(|d| d.ret == t)
}

/// The function writing alias type `t` as its name (for `t::text`).
pub fn reg_output_func(t: Oid) -> Option<&'static FuncDef> {
    REG_OUT.iter().find(|d| d.args[0] == t)
}

fn reg_in_value(c: &FnCtx, t: Oid, a: &[Value]) -> PgResult<Value> {
    Ok(Value::Oid(reg_in(
        c.catalog,
        &c.session.user,
        t,
        text_arg(&a[0]),
    )?))
}

fn reg_out_value(c: &FnCtx, t: Oid, v: &Value) -> PgResult<Value> {
    Ok(match reg_arg(c, t, v)? {
        Some(o) => Value::Text(reg_out(c, t, o)),
        None => Value::Null,
    })
}

fn to_reg(c: &FnCtx, t: Oid, a: &[Value]) -> PgResult<Value> {
    match reg_in(c.catalog, &c.session.user, t, text_arg(&a[0])) {
        Ok(o) => Ok(Value::Oid(o)),
        // Syntax errors in the name still fail, as in PostgreSQL.
        Err(e) if e.code == INVALID_NAME || e.code == sqlstate::INVALID_TEXT_REPRESENTATION => {
            Err(e)
        }
        Err(_) => Ok(Value::Null),
    }
}

/// An alias-type argument as an OID: a name not yet resolved (a Bind
/// parameter sent as text) is read with the type's input function.
pub fn reg_arg(c: &FnCtx, t: Oid, v: &Value) -> PgResult<Option<Oid>> {
    Ok(match v {
        Value::Oid(o) => Some(*o),
        Value::Int4(o) => Some(*o as Oid),
        Value::Int8(o) => Some(*o as Oid),
        Value::Text(s) => Some(reg_in(c.catalog, &c.session.user, t, s)?),
        _ => None,
    })
}

/// The input function of alias type `t`: a name to its OID (a number
/// is taken as the OID, "-" as 0), with PostgreSQL's errors.
pub fn reg_in(cat: &Catalog, _user: &str, t: Oid, s: &str) -> PgResult<Oid> {
    let trimmed = s.trim();
    if trimmed == "-" {
        return Ok(0);
    }
    if !trimmed.is_empty() && trimmed.bytes().all(|b| b.is_ascii_digit()) {
        return trimmed.parse::<u32>().map_err(|_| {
            PgError::new(
                sqlstate::NUMERIC_VALUE_OUT_OF_RANGE,
                format!("value \"{s}\" is out of range for type oid"),
            )
        });
    }
    match t {
        oid::REGCLASS => regclass_in(cat, s),
        oid::REGTYPE => builtin::type_by_name(s).ok_or_else(|| {
            PgError::new(
                sqlstate::UNDEFINED_OBJECT,
                format!("type \"{}\" does not exist", s.trim()),
            )
        }),
        oid::REGPROC => regproc_in(cat, s),
        oid::REGPROCEDURE => regprocedure_in(cat, s),
        oid::REGNAMESPACE => {
            let parts = qualified_name(s)?;
            let [name] = parts.as_slice() else {
                return Err(PgError::new(INVALID_NAME, "invalid name syntax"));
            };
            cat.namespace_oid(name).ok_or_else(|| {
                PgError::new(
                    INVALID_SCHEMA_NAME,
                    format!("schema \"{name}\" does not exist"),
                )
            })
        }
        oid::REGROLE => {
            let parts = qualified_name(s)?;
            let [name] = parts.as_slice() else {
                return Err(PgError::new(INVALID_NAME, "invalid name syntax"));
            };
            cat.role_by_name(name).map(|r| r.oid).ok_or_else(|| {
                PgError::new(
                    sqlstate::UNDEFINED_OBJECT,
                    format!("role \"{name}\" does not exist"),
                )
            })
        }
        _ => Err(PgError::internal("not an OID alias type")),
    }
}

/// The output function of alias type `t`: the object's name, the OID as
/// a number when there is no such object, "-" for 0.
pub fn reg_out(c: &FnCtx, t: Oid, o: Oid) -> String {
    if o == 0 {
        return "-".into();
    }
    let name = match t {
        oid::REGCLASS => relation_name(c.catalog, o),
        oid::REGTYPE => (builtin::builtin_type(o).is_some()
            || crate::types::enums::names(o).is_some()
            || crate::types::composite::names(o).is_some()
            || o == oid::RECORD
            || crate::types::domains::by_oid(o).is_some()
            || crate::types::domains::of_array(o).is_some())
        .then(|| format_type(o, None)),
        oid::REGPROC => proc_by_oid(o)
            .map(|p| p.name.to_owned())
            .or_else(|| builtin::type_support_proc(o).map(str::to_owned))
            .or_else(|| {
                // regprocout: qualified unless the bare name finds this
                // routine and no other.
                c.catalog.function_by_oid(o).map(|f| {
                    let user = c
                        .catalog
                        .routine_candidates(None, &f.name)
                        .unwrap_or_default();
                    let only = user.len() == 1
                        && user[0].oid == f.oid
                        && !procs().iter().any(|p| p.name == f.name);
                    if only {
                        quote_ident(&f.name)
                    } else {
                        qualified_routine_name(c.catalog, f)
                    }
                })
            }),
        oid::REGPROCEDURE => proc_by_oid(o)
            .map(|p| {
                let args: Vec<String> = p.args.iter().map(|a| format_type(*a, None)).collect();
                format!("{}({})", p.name, args.join(","))
            })
            .or_else(|| {
                c.catalog.function_by_oid(o).map(|f| {
                    let args: Vec<String> = f
                        .input_types()
                        .iter()
                        .map(|a| format_type(*a, None))
                        .collect();
                    format!("{}({})", user_routine_name(c.catalog, f), args.join(","))
                })
            }),
        oid::REGNAMESPACE => c.catalog.namespace_name(o).map(quote_ident),
        oid::REGROLE => role_name(c, o),
        _ => None,
    };
    name.unwrap_or_else(|| o.to_string())
}

/// Splits a possibly qualified, possibly quoted name ("public.items",
/// "\"My Table\"") into its parts, folding unquoted ones to lower case.
pub fn qualified_name(s: &str) -> PgResult<Vec<String>> {
    let bad = || PgError::new(INVALID_NAME, "invalid name syntax");
    let mut parts = Vec::new();
    let mut chars = s.trim().chars().peekable();
    loop {
        let mut part = String::new();
        if chars.peek() == Some(&'"') {
            chars.next();
            loop {
                match chars.next() {
                    Some('"') if chars.peek() == Some(&'"') => {
                        chars.next();
                        part.push('"');
                    }
                    Some('"') => break,
                    Some(c) => part.push(c),
                    None => return Err(bad()),
                }
            }
            if part.is_empty() {
                return Err(bad());
            }
        } else {
            while let Some(&c) = chars.peek() {
                if c == '.' || c.is_whitespace() {
                    break;
                }
                part.push(c.to_ascii_lowercase());
                chars.next();
            }
            if part.is_empty() {
                return Err(bad());
            }
        }
        while chars.peek().is_some_and(|c| c.is_whitespace()) {
            chars.next();
        }
        parts.push(part);
        match chars.next() {
            None => return Ok(parts),
            Some('.') => {
                while chars.peek().is_some_and(|c| c.is_whitespace()) {
                    chars.next();
                }
            }
            Some(_) => return Err(bad()),
        }
    }
}

/// regclassin: a relation name (search path: pg_catalog, then public).
pub fn regclass_in(cat: &Catalog, s: &str) -> PgResult<Oid> {
    let parts = qualified_name(s)?;
    let missing = || {
        PgError::new(
            sqlstate::UNDEFINED_TABLE,
            format!("relation \"{}\" does not exist", parts.join(".")),
        )
    };
    let (schema, name) = match parts.as_slice() {
        [n] => (None, n.as_str()),
        [s, n] | [_, s, n] => (Some(s.as_str()), n.as_str()),
        _ => {
            return Err(PgError::new(
                INVALID_NAME,
                format!(
                    "improper relation name (too many dotted names): {}",
                    parts.join(".")
                ),
            ))
        }
    };
    let find_in = |nsp: Oid| {
        if nsp == PG_CATALOG_NAMESPACE {
            builtin::system_relation(name).map(|r| r.oid)
        } else {
            cat.relation_in(nsp, name)
                .map(|(_, o)| o)
                .or_else(|| cat.composite_in(nsp, name).map(|c| c.relid))
        }
    };
    match schema {
        Some(s) => {
            let nsp = cat.namespace_oid(s).ok_or_else(|| {
                PgError::new(
                    INVALID_SCHEMA_NAME,
                    format!("schema \"{s}\" does not exist"),
                )
            })?;
            find_in(nsp).ok_or_else(missing)
        }
        None => cat
            .search_path()
            .into_iter()
            .find_map(find_in)
            .ok_or_else(missing),
    }
}

/// A relation's name always qualified with its schema (ruleutils'
/// generate_qualified_relation_name).
pub fn qualified_relation_name(cat: &Catalog, o: Oid) -> Option<String> {
    if let Some(r) = builtin::system_relation_by_oid(o) {
        return Some(format!("pg_catalog.{}", r.name));
    }
    let name = cat.relation_name(o)?;
    Some(format!(
        "{}.{}",
        quote_ident(cat.relation_schema_name(o)),
        quote_ident(name)
    ))
}

/// The relation a column default's `'name'::regclass` names: kept
/// qualified unless in public (`commands::sequence::regclass_literal_in`).
pub fn stored_regclass(cat: &Catalog, literal: &str) -> Option<Oid> {
    let parts = qualified_name(literal).ok()?;
    match parts.as_slice() {
        [n] => cat.relation_in(PUBLIC_NAMESPACE, n).map(|(_, o)| o),
        [s, n] => cat.relation_in(cat.namespace_oid(s)?, n).map(|(_, o)| o),
        _ => None,
    }
}

/// pg_get_expr of a stored default: each `'name'::regclass` as the
/// search path shows it (qualified only when not visible), as ruleutils
/// prints a regclass constant.
pub fn display_regclass_literals(cat: &Catalog, text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(start) = rest.find('\'') {
        out.push_str(&rest[..start]);
        let body = &rest[start + 1..];
        // The literal's end: a quote not doubled.
        let mut end = None;
        let mut chars = body.char_indices().peekable();
        while let Some((i, ch)) = chars.next() {
            if ch == '\'' {
                if chars.peek().map(|&(_, c)| c) == Some('\'') {
                    chars.next();
                } else {
                    end = Some(i);
                    break;
                }
            }
        }
        let Some(end) = end else {
            out.push_str(&rest[start..]);
            return out;
        };
        let lit = body[..end].replace("''", "'");
        let after = &body[end + 1..];
        let shown = after
            .starts_with("::regclass")
            .then(|| stored_regclass(cat, &lit))
            .flatten()
            .and_then(|o| relation_name(cat, o));
        match shown {
            Some(n) => {
                out.push('\'');
                out.push_str(&n.replace('\'', "''"));
                out.push('\'');
            }
            None => out.push_str(&rest[start..start + 1 + end + 1]),
        }
        rest = after;
    }
    out.push_str(rest);
    out
}

/// pg_get_triggerdef(oid [, pretty]): the trigger's CREATE TRIGGER, its
/// table schema-qualified unless pretty (then as regclass names it);
/// NULL for an OID that is not a trigger's.
fn trigger_def(c: &FnCtx, v: &Value, pretty: bool) -> PgResult<Value> {
    let o = oid_arg(v);
    let Some(t) = c.catalog.triggers.iter().find(|t| t.oid == o) else {
        return Ok(Value::Null);
    };
    let table = if pretty {
        relation_name(c.catalog, t.table).unwrap_or_default()
    } else {
        format!(
            "{}.{}",
            quote_ident(c.catalog.relation_schema_name(t.table)),
            quote_ident(c.catalog.relation_name(t.table).unwrap_or_default())
        )
    };
    let function = c
        .catalog
        .function_by_oid(t.function)
        // Qualified when the bare name would not find it
        // (generate_function_name; pg_dump empties the path).
        .map_or_else(String::new, |f| user_routine_name(c.catalog, f));
    let cols: Vec<String> = match c.catalog.table_by_oid(t.table) {
        Some(tab) => t
            .columns
            .iter()
            .filter_map(|&k| tab.columns.get(k as usize - 1))
            .map(|col| quote_ident(&col.name))
            .collect(),
        None => Vec::new(),
    };
    Ok(Value::Text(t.definition(&table, &function, &cols, pretty)))
}

/// The name of a relation as regclass prints it: qualified with its
/// schema when its bare name does not find it through the search path
/// (ruleutils' generate_relation_name).
pub fn relation_name(cat: &Catalog, o: Oid) -> Option<String> {
    if let Some(r) = builtin::system_relation_by_oid(o) {
        let visible = cat.search_path().into_iter().find_map(|n| {
            if n == PG_CATALOG_NAMESPACE {
                builtin::system_relation(r.name).map(|s| s.oid)
            } else {
                cat.relation_in(n, r.name).map(|(_, o)| o)
            }
        }) == Some(o);
        return Some(if visible {
            r.name.to_owned()
        } else {
            format!("pg_catalog.{}", r.name)
        });
    }
    let name = cat.relation_name(o)?;
    let visible = cat.relation_is_visible(o)
        && !(builtin::system_relation(name).is_some()
            && cat.search_path().first() == Some(&PG_CATALOG_NAMESPACE));
    Some(if visible {
        quote_ident(name)
    } else {
        format!(
            "{}.{}",
            quote_ident(cat.relation_schema_name(o)),
            quote_ident(name)
        )
    })
}

/// pg_function_is_visible of a user routine: the bare name finds it
/// among user routines, and no built-in one of the same name and input
/// types comes first (pg_catalog before its schema on the path).
pub fn user_function_visible(cat: &Catalog, f: &FunctionDesc) -> bool {
    if !cat.function_is_visible(f) {
        return false;
    }
    let path = cat.search_path();
    let at = |n: Oid| path.iter().position(|&p| p == n);
    let catalog_first = at(PG_CATALOG_NAMESPACE) < at(f.namespace);
    let inputs = f.input_types();
    !(catalog_first && procs().iter().any(|p| p.name == f.name && p.args == inputs))
}

/// `schema.name` of a user routine, quoted as needed.
fn qualified_routine_name(cat: &Catalog, f: &FunctionDesc) -> String {
    format!(
        "{}.{}",
        quote_ident(cat.function_schema_name(f)),
        quote_ident(&f.name)
    )
}

/// A user routine's name as format_procedure and ruleutils print it:
/// bare when visible, qualified otherwise.
pub fn user_routine_name(cat: &Catalog, f: &FunctionDesc) -> String {
    if user_function_visible(cat, f) {
        quote_ident(&f.name)
    } else {
        qualified_routine_name(cat, f)
    }
}

/// The user routines a possibly qualified name finds (regproc and
/// regprocedure input), and whether built-in ones are candidates too
/// (unqualified, or qualified with pg_catalog).
fn named_routines(
    cat: &Catalog,
    schema: Option<&str>,
    name: &str,
) -> PgResult<(Vec<Arc<FunctionDesc>>, bool)> {
    let user = cat.routine_candidates(schema, name)?;
    Ok((user, schema.is_none_or(|s| s == "pg_catalog")))
}

fn regproc_in(cat: &Catalog, s: &str) -> PgResult<Oid> {
    let parts = qualified_name(s)?;
    let (schema, name) = match parts.as_slice() {
        [n] => (None, n.as_str()),
        [s, n] => (Some(s.as_str()), n.as_str()),
        _ => return Err(PgError::new(INVALID_NAME, "invalid name syntax")),
    };
    let (user, builtins) = named_routines(cat, schema, name)?;
    let mut found = procs()
        .iter()
        .filter(|p| builtins && p.name == name)
        .map(|p| p.oid)
        .chain(user.iter().map(|f| f.oid));
    match (found.next(), found.next()) {
        (Some(p), None) => Ok(p),
        (Some(_), Some(_)) => Err(PgError::new(
            AMBIGUOUS_FUNCTION,
            format!("more than one function named \"{}\"", s.trim()),
        )),
        _ => Err(PgError::new(
            sqlstate::UNDEFINED_FUNCTION,
            format!("function \"{}\" does not exist", s.trim()),
        )),
    }
}

fn regprocedure_in(cat: &Catalog, s: &str) -> PgResult<Oid> {
    let bad = || {
        PgError::new(
            sqlstate::INVALID_TEXT_REPRESENTATION,
            "expected a left parenthesis",
        )
    };
    let (name, rest) = s.trim().split_once('(').ok_or_else(bad)?;
    let args = rest.trim_end().strip_suffix(')').ok_or_else(|| {
        PgError::new(
            sqlstate::INVALID_TEXT_REPRESENTATION,
            "expected a right parenthesis",
        )
    })?;
    let parts = qualified_name(name)?;
    let (schema, name) = match parts.as_slice() {
        [n] => (None, n.as_str()),
        [s, n] => (Some(s.as_str()), n.as_str()),
        _ => return Err(PgError::new(INVALID_NAME, "invalid name syntax")),
    };
    let mut types = Vec::new();
    if !args.trim().is_empty() {
        for a in split_args(args) {
            types.push(builtin::type_by_name(&a).ok_or_else(|| {
                PgError::new(
                    sqlstate::UNDEFINED_OBJECT,
                    format!("type \"{}\" does not exist", a.trim()),
                )
            })?);
        }
    }
    let (user, builtins) = named_routines(cat, schema, name)?;
    procs()
        .iter()
        .find(|p| builtins && p.name == name && p.args == types)
        .map(|p| p.oid)
        .or_else(|| {
            user.iter()
                .find(|f| f.input_types() == types)
                .map(|f| f.oid)
        })
        .ok_or_else(|| {
            PgError::new(
                sqlstate::UNDEFINED_FUNCTION,
                format!("function \"{}\" does not exist", s.trim()),
            )
        })
}

/// Splits an argument list at its top-level commas ("numeric(10,2), int").
fn split_args(s: &str) -> Vec<String> {
    let mut out = Vec::new();
    let (mut depth, mut cur) = (0, String::new());
    for c in s.chars() {
        match c {
            '(' => depth += 1,
            ')' => depth -= 1,
            ',' if depth == 0 => {
                out.push(std::mem::take(&mut cur));
                continue;
            }
            _ => {}
        }
        cur.push(c);
    }
    out.push(cur);
    out
}

/// pg_database_size: the bytes of a database's relation files and its
/// catalog relation.
fn database_size(c: &FnCtx, db: Oid) -> Value {
    let seg = &c.session.env.segment;
    let smgr = seg.data_dir().smgr();
    let len = |rel: u32| std::fs::metadata(smgr.rel_path(rel)).map_or(0, |m| m.len() as i64);
    let files: i64 = match crate::catalog::read_committed(seg, db) {
        Ok(cat) => cat.relation_files().into_iter().map(len).sum(),
        Err(_) => 0,
    };
    Value::Int8(files + len(db))
}

/// A role's name by OID (pg_authid, catalog/roles.rs).
pub fn role_name(c: &FnCtx, o: Oid) -> Option<String> {
    c.catalog.role_name(o)
}

/// The column list of an index: "id, name".
fn index_columns(cat: &Catalog, i: &IndexDesc) -> String {
    let t = cat.table_by_oid(i.table);
    i.columns
        .iter()
        .map(|&k| t.map_or("?".to_owned(), |t| quote_ident(&t.columns[k].name)))
        .collect::<Vec<_>>()
        .join(", ")
}

/// pg_get_indexdef: "CREATE UNIQUE INDEX items_pkey ON public.items
/// USING btree (id)" (`pretty`: the table's schema left out, as it is
/// on the search path).
pub fn index_definition(cat: &Catalog, i: &IndexDesc, pretty: bool) -> String {
    format!(
        "CREATE {}INDEX {} ON {}{} USING btree ({})",
        if i.unique { "UNIQUE " } else { "" },
        quote_ident(&i.name),
        "",
        if pretty {
            relation_name(cat, i.table)
        } else {
            qualified_relation_name(cat, i.table)
        }
        .unwrap_or_else(|| "?".into()),
        index_columns_with_options(cat, i)
    )
}

/// The columns of an index with their DESC / NULLS FIRST | LAST, as
/// pg_get_indexdef shows them.
fn index_columns_with_options(cat: &Catalog, i: &IndexDesc) -> String {
    let t = cat.table_by_oid(i.table);
    i.columns
        .iter()
        .enumerate()
        .map(|(n, &k)| {
            let mut s = t.map_or("?".to_owned(), |t| quote_ident(&t.columns[k].name));
            let o = i.option(n);
            let (desc, nulls_first) = (o & 1 != 0, o & 2 != 0);
            if desc {
                s += " DESC";
            }
            if nulls_first && !desc {
                s += " NULLS FIRST";
            } else if desc && !nulls_first {
                s += " NULLS LAST";
            }
            s
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// pg_get_indexdef(index [, column, pretty]): the definition, or with a
/// column number the name of that key column.
fn index_def(c: &FnCtx, v: &Value, col: i32, pretty: bool) -> PgResult<Value> {
    let o = oid_arg(v);
    let Some(i) = c.catalog.indexes.iter().find(|i| i.oid == o) else {
        return Ok(Value::Null);
    };
    if col > 0 {
        let t = c.catalog.table_by_oid(i.table);
        return Ok(match (t, i.columns.get(col as usize - 1)) {
            (Some(t), Some(&k)) => Value::Text(quote_ident(&t.columns[k].name)),
            _ => Value::Text(String::new()),
        });
    }
    Ok(Value::Text(index_definition(c.catalog, i, pretty)))
}

/// pg_get_viewdef: the view's query as it was written (PostgreSQL
/// prints its own deparsed form), by OID or by name; NULL for anything
/// else, as PostgreSQL answers for a non-view OID.
/// The OID of the pg_catalog relation a description function names by
/// its bare name (0 for another name, which has no comments: PostgreSQL
/// looks the name up in pg_class, without an error).
fn catalog_relation(v: &Value) -> Oid {
    match v {
        Value::Text(name) => builtin::system_relation(name).map_or(0, |r| r.oid),
        _ => 0,
    }
}

/// The comment on (class, object, sub-object), or NULL.
fn description(c: &FnCtx, class: Oid, obj: Oid, sub: i32) -> Value {
    c.catalog
        .description(class, obj, sub)
        .map_or(Value::Null, |t| Value::Text(t.to_owned()))
}

fn view_def(c: &FnCtx, v: &Value, pretty: bool) -> PgResult<Value> {
    let view = match v {
        Value::Oid(o) => c.catalog.views.iter().find(|x| x.oid == *o),
        Value::Text(n) => {
            // A name, schema-qualified or not, as regclass reads it.
            let parts: Vec<String> = n
                .split('.')
                .map(|p| p.trim_matches('"').to_owned())
                .collect();
            match c.catalog.resolve_relation_parts(&parts) {
                Some((crate::catalog::RelKind::View, o)) => {
                    c.catalog.views.iter().find(|x| x.oid == o)
                }
                _ => None,
            }
        }
        _ => None,
    };
    if let Some(v) = view {
        return Ok(Value::Text(view_definition(c.catalog, v, pretty)));
    }
    // A materialized view's query.
    let mv = match v {
        Value::Oid(o) => Some(*o),
        Value::Text(n) => {
            let parts: Vec<String> = n
                .split('.')
                .map(|p| p.trim_matches('"').to_owned())
                .collect();
            c.catalog.resolve_relation_parts(&parts).map(|r| r.1)
        }
        _ => None,
    };
    Ok(mv
        .and_then(|o| c.catalog.matview_as_view(o))
        .map_or(Value::Null, |v| {
            Value::Text(view_definition(c.catalog, &v, pretty))
        }))
}

/// pg_get_viewdef's text of view `v`: its deparsed definition with each
/// relation named as the current search path shows it, or, for a view
/// the deparser could not print, its query as written.
pub fn view_definition(cat: &Catalog, v: &crate::catalog::ViewDesc, pretty: bool) -> String {
    match &v.def {
        Some(d) => {
            crate::catalog::ViewDesc::render(if pretty { &d.pretty } else { &d.plain }, &|o| {
                relation_name(cat, o).unwrap_or_else(|| o.to_string())
            })
        }
        None => format!(" {};", view_query_text(cat, v)),
    }
}

/// A view's query as pg_get_viewdef prints it: each relation it reads
/// (bound through the search path the view was made under) named as
/// the current search path shows it, qualified when not visible, as
/// ruleutils does. The text is otherwise the query as written.
pub fn view_query_text(cat: &Catalog, v: &crate::catalog::ViewDesc) -> String {
    use sqlparser::ast;
    let Ok(parsed) = crate::parser::parse(&v.sql) else {
        return v.sql.clone();
    };
    let Some(ast::Statement::Query(mut q)) = parsed.into_iter().next().map(|p| p.ast) else {
        return v.sql.clone();
    };
    let setting = cat
        .view_paths
        .get(&v.oid)
        .map(|p| cat.search_path_setting(p));
    let _ = ast::visit_relations_mut(&mut *q, |name: &mut ast::ObjectName| {
        let parts = crate::parser::object_name(name);
        let found = match &setting {
            Some(s) => crate::catalog::namespace::with_search_path(s, || {
                cat.resolve_relation_parts(&parts)
            }),
            None => cat.resolve_relation_parts(&parts),
        };
        if let Some(shown) = found.and_then(|(_, o)| relation_name(cat, o)) {
            *name = ast::ObjectName::from(vec![ast::Ident::new(shown)]);
        }
        std::ops::ControlFlow::<()>::Continue(())
    });
    // User routines too: the schema the view's path found them in, named
    // as the current path shows it (pg_dump empties the path).
    let _ = ast::visit_expressions_mut(&mut *q, |e: &mut ast::Expr| {
        if let ast::Expr::Function(f) = e {
            if let Some(shown) = view_routine_name(cat, setting.as_deref(), &f.name) {
                f.name = ast::ObjectName::from(vec![ast::Ident::new(shown)]);
            }
        }
        std::ops::ControlFlow::<()>::Continue(())
    });
    q.to_string()
}

/// The name a view's call of a user routine is printed with: when the
/// routines its name finds under the view's search path (`setting`) are
/// all in one schema and no built-in one has the name, the first of them
/// named as the current path shows it.
fn view_routine_name(
    cat: &Catalog,
    setting: Option<&str>,
    name: &sqlparser::ast::ObjectName,
) -> Option<String> {
    let parts = crate::parser::object_name(name);
    let (schema, bare) = match parts.as_slice() {
        [n] => (None, n.as_str()),
        [s, n] => (Some(s.as_str()), n.as_str()),
        _ => return None,
    };
    if schema.is_none() && procs().iter().any(|p| p.name == bare) {
        return None;
    }
    let found = match setting {
        Some(s) => {
            crate::catalog::namespace::with_search_path(s, || cat.routine_candidates(schema, bare))
        }
        None => cat.routine_candidates(schema, bare),
    }
    .ok()?;
    let first = found.first()?;
    if found.iter().any(|f| f.namespace != first.namespace) {
        return None;
    }
    Some(user_routine_name(cat, first))
}

fn constraint_def(c: &FnCtx, v: &Value) -> PgResult<Value> {
    let o = oid_arg(v);
    if let Some(k) = c.catalog.constraints.iter().find(|k| k.oid == o) {
        return Ok(Value::Text(check_or_fk_definition(c.catalog, k, false)));
    }
    Ok(c.catalog
        .indexes
        .iter()
        .find(|i| i.oid == o && i.constraint)
        .map_or(Value::Null, |i| {
            Value::Text(constraint_definition(c.catalog, i))
        }))
}

/// pg_get_constraintdef of a CHECK or FOREIGN KEY: `CHECK ((x > 0))`,
/// `FOREIGN KEY (pid) REFERENCES p(id) ON DELETE CASCADE DEFERRABLE`.
pub fn check_or_fk_definition(cat: &Catalog, k: &ConstraintDesc, pretty_form: bool) -> String {
    let mut s = match &k.kind {
        ConstraintKind::Check { pretty, .. } if pretty_form => format!("CHECK ({pretty})"),
        ConstraintKind::Check { def, .. } => format!("CHECK ({def})"),
        ConstraintKind::ForeignKey(f) => {
            let names = |t: Oid, cols: &[usize]| {
                let t = cat.table_by_oid(t);
                cols.iter()
                    .map(|&i| t.map_or(String::new(), |t| quote_ident(&t.columns[i].name)))
                    .collect::<Vec<_>>()
                    .join(", ")
            };
            let mut s = format!(
                "FOREIGN KEY ({}) REFERENCES {}({})",
                names(k.table, &f.columns),
                relation_name(cat, f.ref_table).unwrap_or_default(),
                names(f.ref_table, &f.ref_columns)
            );
            if f.match_type == b'f' {
                s += " MATCH FULL";
            }
            if f.on_update != FkAction::NoAction {
                s += &format!(" ON UPDATE {}", f.on_update.sql());
            }
            if f.on_delete != FkAction::NoAction {
                s += &format!(" ON DELETE {}", f.on_delete.sql());
            }
            s
        }
    };
    if k.deferrable {
        s += " DEFERRABLE";
    }
    if k.deferred {
        s += " INITIALLY DEFERRED";
    }
    if !k.validated {
        s += " NOT VALID";
    }
    s
}

/// pg_get_constraintdef of the constraint an index backs: "PRIMARY KEY
/// (id)", "UNIQUE (name)".
pub fn constraint_definition(cat: &Catalog, i: &IndexDesc) -> String {
    let kind = if i.primary { "PRIMARY KEY" } else { "UNIQUE" };
    let mut s = format!("{kind} ({})", index_columns(cat, i));
    if i.deferrable {
        s += " DEFERRABLE";
    }
    if i.deferred {
        s += " INITIALLY DEFERRED";
    }
    s
}

// ---------------------------------------------------------------------
// pg_proc.

/// One pg_proc row.
#[derive(Debug, Clone)]
pub struct ProcEntry {
    pub oid: Oid,
    pub name: &'static str,
    pub args: Vec<Oid>,
    pub ret: Oid,
    /// 'f' (function) or 'a' (aggregate).
    pub kind: u8,
    pub strict: bool,
    /// 'i', 's' or 'v'.
    pub volatility: u8,
    /// The element type of a VARIADIC last argument (0 for none).
    pub variadic: Oid,
}

impl ProcEntry {
    /// pg_get_function_arguments: "text, integer", "VARIADIC text[]".
    pub fn arguments(&self) -> String {
        let n = self.args.len();
        self.args
            .iter()
            .enumerate()
            .map(|(i, a)| {
                if self.variadic != 0 && i + 1 == n {
                    let arr = builtin::array_of(*a);
                    if arr != 0 {
                        format!("VARIADIC {}", format_type(arr, None))
                    } else {
                        format!("VARIADIC {}[]", format_type(*a, None))
                    }
                } else {
                    format_type(*a, None)
                }
            })
            .collect::<Vec<_>>()
            .join(", ")
    }
}

/// The aggregates (utils::adt::agg) with their argument and result
/// types, as pg_proc lists them.
static AGGREGATES: &[(&str, &[Oid], Oid)] = &[
    ("count", &[], INT8),
    ("count", &[2276], INT8),
    ("sum", &[oid::INT2], INT8),
    ("sum", &[INT4], INT8),
    ("sum", &[INT8], NUMERIC),
    ("sum", &[NUMERIC], NUMERIC),
    ("sum", &[oid::FLOAT4], oid::FLOAT4),
    ("sum", &[oid::FLOAT8], oid::FLOAT8),
    ("sum", &[oid::INTERVAL], oid::INTERVAL),
    ("avg", &[oid::INT2], NUMERIC),
    ("avg", &[INT4], NUMERIC),
    ("avg", &[INT8], NUMERIC),
    ("avg", &[NUMERIC], NUMERIC),
    ("avg", &[oid::FLOAT4], oid::FLOAT8),
    ("avg", &[oid::FLOAT8], oid::FLOAT8),
    ("avg", &[oid::INTERVAL], oid::INTERVAL),
    ("min", &[oid::INT2], oid::INT2),
    ("min", &[INT4], INT4),
    ("min", &[INT8], INT8),
    ("min", &[oid::FLOAT4], oid::FLOAT4),
    ("min", &[oid::FLOAT8], oid::FLOAT8),
    ("min", &[NUMERIC], NUMERIC),
    ("min", &[TEXT], TEXT),
    ("min", &[oid::DATE], oid::DATE),
    ("min", &[oid::TIMESTAMP], oid::TIMESTAMP),
    ("min", &[TIMESTAMPTZ], TIMESTAMPTZ),
    ("min", &[oid::INTERVAL], oid::INTERVAL),
    ("min", &[OID], OID),
    ("max", &[oid::INT2], oid::INT2),
    ("max", &[INT4], INT4),
    ("max", &[INT8], INT8),
    ("max", &[oid::FLOAT4], oid::FLOAT4),
    ("max", &[oid::FLOAT8], oid::FLOAT8),
    ("max", &[NUMERIC], NUMERIC),
    ("max", &[TEXT], TEXT),
    ("max", &[oid::DATE], oid::DATE),
    ("max", &[oid::TIMESTAMP], oid::TIMESTAMP),
    ("max", &[TIMESTAMPTZ], TIMESTAMPTZ),
    ("max", &[oid::INTERVAL], oid::INTERVAL),
    ("max", &[OID], OID),
    ("bool_and", &[BOOL], BOOL),
    ("bool_or", &[BOOL], BOOL),
    ("every", &[BOOL], BOOL),
    ("string_agg", &[TEXT, TEXT], TEXT),
];

/// First OID of the functions PostgreSQL has no match for (a range it
/// leaves unused).
const FIRST_PGFORK_PROC_OID: Oid = 8200;

/// Every pg_proc row: the fmgr tables' functions, then the aggregates.
pub fn procs() -> &'static [ProcEntry] {
    static PROCS: OnceLock<Vec<ProcEntry>> = OnceLock::new();
    PROCS.get_or_init(|| {
        let mut next = FIRST_PGFORK_PROC_OID;
        let mut out: Vec<ProcEntry> = Vec::new();
        let mut add = |name: &'static str, args: Vec<Oid>, ret, kind, strict, vol, variadic| {
            let known = proc_oids::PROC_OIDS
                .iter()
                .find(|p| p.1 == name && p.2 == args.as_slice());
            let (o, volatility) = match known {
                Some(p) => (p.0, p.3),
                None => {
                    next += 1;
                    (next - 1, vol)
                }
            };
            out.push(ProcEntry {
                oid: o,
                name,
                args,
                ret,
                kind,
                strict,
                volatility,
                variadic,
            });
        };
        for d in super::all_funcs() {
            let variadic = if d.variadic {
                *d.args.last().unwrap_or(&0)
            } else {
                0
            };
            add(
                d.name,
                d.args.to_vec(),
                d.ret,
                b'f',
                d.strict,
                if d.volatile { b'v' } else { b's' },
                variadic,
            );
        }
        for (name, args, ret) in AGGREGATES {
            debug_assert!(agg::is_aggregate(name));
            add(name, args.to_vec(), *ret, b'a', false, b'i', 0);
        }
        out
    })
}

/// A pg_proc row by OID.
pub fn proc_by_oid(o: Oid) -> Option<&'static ProcEntry> {
    procs().iter().find(|p| p.oid == o)
}

// ---------------------------------------------------------------------
// Helpers of the functions above.

fn text_arg(v: &Value) -> &str {
    match v {
        Value::Text(s) => s,
        _ => "",
    }
}

fn oid_arg(v: &Value) -> Oid {
    match v {
        Value::Oid(o) => *o,
        Value::Int4(o) => *o as Oid,
        Value::Int8(o) => *o as Oid,
        _ => 0,
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Size {
    Table,
    Indexes,
    Total,
}

/// Bytes of a relation's file (0 when it has none: a system relation, or
/// a view, which has no storage).
pub fn file_size(c: &FnCtx, rel: Oid) -> PgResult<i64> {
    if builtin::system_relation_by_oid(rel).is_some()
        || c.catalog.views.iter().any(|v| v.oid == rel)
    {
        return Ok(0);
    }
    let blocks = c.pool.nblocks(rel).map_err(PgError::from)?;
    Ok(blocks as i64 * shmem::buffer::BLCKSZ as i64)
}

/// pg_table_size, pg_indexes_size, pg_total_relation_size (NULL for an
/// OID that is no relation).
fn size_of(c: &FnCtx, v: &Value, what: Size) -> PgResult<Value> {
    let Some(o) = reg_arg(c, oid::REGCLASS, v)? else {
        return Ok(Value::Null);
    };
    if relation_name(c.catalog, o).is_none() {
        return Ok(Value::Null);
    }
    let mut total = 0;
    if what != Size::Indexes {
        let rel = c.catalog.table_by_oid(o).map_or(o, |t| t.rel());
        total += file_size(c, rel)?;
    }
    if what != Size::Table {
        for i in c.catalog.indexes_of(o) {
            total += file_size(c, i.rel())?;
        }
    }
    Ok(Value::Int8(total))
}

/// PostgreSQL 15's pg_size_pretty units: name, limit, whether to round
/// half up, and the power of two of the unit.
const SIZE_UNITS: &[(&str, i128, bool, u32)] = &[
    ("bytes", 10 * 1024, false, 0),
    ("kB", 20 * 1024 - 1, true, 10),
    ("MB", 20 * 1024 - 1, true, 20),
    ("GB", 20 * 1024 - 1, true, 30),
    ("TB", 20 * 1024 - 1, true, 40),
    ("PB", 20 * 1024 - 1, true, 50),
];

/// pg_size_pretty of an integral size (`bytes_text`: how a numeric size
/// prints when it stays in bytes).
fn size_pretty(mut size: i128, bytes_text: Option<String>) -> String {
    for (i, &(unit, limit, round, bits)) in SIZE_UNITS.iter().enumerate() {
        let next = SIZE_UNITS.get(i + 1);
        if size.abs() < limit || next.is_none() {
            if i == 0 {
                if let Some(t) = bytes_text {
                    return format!("{t} {unit}");
                }
            }
            if round {
                size = (size + if size < 0 { -1 } else { 1 }) / 2;
            }
            return format!("{size} {unit}");
        }
        if let Some(&(_, _, next_round, next_bits)) = next {
            let shift = next_bits - bits - u32::from(next_round) + u32::from(round);
            size /= 1i128 << shift;
        }
    }
    String::new()
}

fn size_pretty_numeric(n: &Numeric) -> String {
    if n.is_special() {
        return format!("{n} bytes");
    }
    let int = n
        .trunc(0)
        .ok()
        .and_then(|t| t.to_i128_rounded())
        .unwrap_or(0);
    size_pretty(int, Some(n.to_string()))
}

/// The start of the server, from postmaster.pid's third line (seconds
/// since the epoch, as PostgreSQL writes it); NULL without one.
fn start_time(c: &FnCtx) -> Value {
    let path = c.session.env.config.data_dir.join("postmaster.pid");
    std::fs::read_to_string(path)
        .ok()
        .and_then(|t| t.lines().nth(2).and_then(|l| l.trim().parse::<i64>().ok()))
        .map_or(Value::Null, |secs| {
            Value::TimestampTz(types::datetime::unix_usecs_to_pg(secs * 1_000_000))
        })
}

/// pg_get_serial_sequence(table, column): the sequence a serial column
/// owns, schema-qualified.
fn serial_sequence(c: &FnCtx, a: &[Value]) -> PgResult<Value> {
    let rel = regclass_in(c.catalog, text_arg(&a[0]))?;
    let column = text_arg(&a[1]);
    let Some(t) = c.catalog.table_by_oid(rel) else {
        return Ok(Value::Null);
    };
    let Some(col) = t.column_index(column) else {
        return Err(PgError::new(
            sqlstate::UNDEFINED_COLUMN,
            format!(
                "column \"{column}\" of relation \"{}\" does not exist",
                t.name
            ),
        ));
    };
    Ok(c.catalog
        .sequences
        .iter()
        .find(|s| s.table == rel && s.column == col)
        .map_or(Value::Null, |s| {
            Value::Text(format!(
                "{}.{}",
                quote_ident(c.catalog.namespace_name(s.namespace).unwrap_or("public")),
                quote_ident(&s.name)
            ))
        }))
}

/// Checks a privilege list ("SELECT, INSERT WITH GRANT OPTION").
fn check_privileges(v: &Value, allowed: &[&str]) -> PgResult<()> {
    for p in text_arg(v).split(',') {
        let p = p.trim().to_ascii_lowercase();
        let p = p.strip_suffix(" with grant option").unwrap_or(&p).trim();
        let p = p.strip_suffix(" with admin option").unwrap_or(p).trim();
        if !allowed.contains(&p) {
            return Err(PgError::new(
                sqlstate::INVALID_PARAMETER_VALUE,
                format!("unrecognized privilege type: \"{}\"", text_arg(v).trim()),
            ));
        }
    }
    Ok(())
}

/// A relation argument: by name it must exist (42P01); by OID, NULL
/// when it does not.
fn relation_arg(c: &FnCtx, v: &Value) -> PgResult<Option<Oid>> {
    match v {
        Value::Text(name) => regclass_in(c.catalog, name).map(Some),
        v => {
            let o = oid_arg(v);
            Ok(relation_name(c.catalog, o).map(|_| o))
        }
    }
}

fn table_privilege(c: &FnCtx, role: Option<&Value>, rel: &Value, privs: &Value) -> PgResult<Value> {
    let rel = relation_arg(c, rel)?;
    super::privileges::table_privilege(c, role, rel, privs, false)
}

fn sequence_privilege(
    c: &FnCtx,
    role: Option<&Value>,
    rel: &Value,
    privs: &Value,
) -> PgResult<Value> {
    let rel = relation_arg(c, rel)?;
    super::privileges::sequence_privilege(c, role, rel, privs)
}

/// has_column_privilege: pgfork has no column privileges, so a column
/// has its table's.
fn column_privilege(
    c: &FnCtx,
    role: Option<&Value>,
    rel: &Value,
    col: &Value,
    privs: &Value,
) -> PgResult<Value> {
    let o = relation_arg(c, rel)?;
    if let (Value::Text(name), Some(t)) = (col, o.and_then(|o| c.catalog.table_by_oid(o))) {
        if t.column_index(name).is_none() {
            return Err(PgError::new(
                sqlstate::UNDEFINED_COLUMN,
                format!(
                    "column \"{name}\" of relation \"{}\" does not exist",
                    t.name
                ),
            ));
        }
    }
    super::privileges::table_privilege(c, role, o, privs, true)
}

fn schema_privilege(
    c: &FnCtx,
    role: Option<&Value>,
    schema: &Value,
    privs: &Value,
) -> PgResult<Value> {
    let nsp = match schema {
        Value::Text(name) => Some(reg_in(c.catalog, "", oid::REGNAMESPACE, name)?),
        v => {
            let o = oid_arg(v);
            c.catalog.namespace_name(o).map(|_| o)
        }
    };
    super::privileges::schema_privilege(c, role, nsp, privs)
}

fn database_privilege(
    c: &FnCtx,
    role: Option<&Value>,
    db: &Value,
    privs: &Value,
) -> PgResult<Value> {
    let db = match db {
        Value::Text(name) => Some(super::privileges::database_by_name(c, name)?),
        v => Some(oid_arg(v)).filter(|&o| {
            c.catalog.database_by_oid(o).is_some()
                || (c.catalog.databases.is_empty()
                    && o == crate::catalog::system_views::DATABASE_OID)
        }),
    };
    super::privileges::database_privilege(c, role, db, privs)
}

fn function_privilege(c: &FnCtx, func: &Value, privs: &Value) -> PgResult<Value> {
    check_privileges(privs, &["execute"])?;
    match func {
        Value::Text(sig) => {
            reg_in(c.catalog, &c.session.user, oid::REGPROCEDURE, sig)?;
            Ok(Value::Bool(true))
        }
        v => Ok(proc_by_oid(oid_arg(v)).map_or(Value::Null, |_| Value::Bool(true))),
    }
}

fn role_privilege(c: &FnCtx, user: Option<&Value>, role: &Value, privs: &Value) -> PgResult<Value> {
    let role = match role {
        Value::Text(name) => reg_in(c.catalog, "", oid::REGROLE, name)?,
        v => {
            let o = oid_arg(v);
            if role_name(c, o).is_none() {
                return Ok(Value::Null);
            }
            o
        }
    };
    super::privileges::has_role(c, user, role, privs)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn size_pretty_as_postgres() {
        assert_eq!(size_pretty(10239, None), "10239 bytes");
        assert_eq!(size_pretty(10240, None), "10 kB");
        assert_eq!(size_pretty(123_456_789, None), "118 MB");
        assert_eq!(size_pretty(-20000, None), "-20 kB");
        assert_eq!(size_pretty(20_971_519, None), "20 MB");
        assert_eq!(size_pretty(8192, None), "8192 bytes");
        assert_eq!(size_pretty(1 << 60, None), "1024 PB");
        assert_eq!(
            size_pretty_numeric(&Numeric::parse("1.5").unwrap()),
            "1.5 bytes"
        );
        assert_eq!(
            size_pretty_numeric(&Numeric::parse("123456789").unwrap()),
            "118 MB"
        );
    }

    #[test]
    fn names_split_as_postgres() {
        assert_eq!(
            qualified_name("Public.\"My Table\"").unwrap(),
            vec!["public", "My Table"]
        );
        assert_eq!(qualified_name(" items ").unwrap(), vec!["items"]);
        assert_eq!(qualified_name("a..b").unwrap_err().code, INVALID_NAME);
        assert_eq!(qualified_name("\"\"").unwrap_err().code, INVALID_NAME);
    }

    #[test]
    fn relations_by_name() {
        let cat = Catalog::empty();
        assert_eq!(regclass_in(&cat, "pg_class").unwrap(), 1259);
        assert_eq!(regclass_in(&cat, "pg_catalog.pg_extension").unwrap(), 3079);
        assert_eq!(
            regclass_in(&cat, "nosuch").unwrap_err().code,
            sqlstate::UNDEFINED_TABLE
        );
        assert_eq!(regclass_in(&cat, "x.y").unwrap_err().code, "3F000");
        assert_eq!(regclass_in(&cat, "a.b.c.d").unwrap_err().code, INVALID_NAME);
    }

    #[test]
    fn functions_by_name_and_signature() {
        let cat = Catalog::empty();
        assert_eq!(
            regproc_in(&cat, "lower").unwrap(),
            proc_by_oid(regproc_in(&cat, "lower").unwrap()).unwrap().oid
        );
        assert_eq!(
            regproc_in(&cat, "substr").unwrap_err().code,
            AMBIGUOUS_FUNCTION
        );
        assert_eq!(
            regproc_in(&cat, "nosuch").unwrap_err().code,
            sqlstate::UNDEFINED_FUNCTION
        );
        let p = regprocedure_in(&cat, "substr(text, integer)").unwrap();
        assert_eq!(proc_by_oid(p).unwrap().args, vec![TEXT, INT4]);
        assert_eq!(proc_by_oid(p).unwrap().arguments(), "text, integer");
        let mut oids: Vec<Oid> = procs().iter().map(|p| p.oid).collect();
        oids.sort_unstable();
        let n = oids.len();
        oids.dedup();
        assert_eq!(oids.len(), n, "pg_proc OIDs are unique");
    }
}
