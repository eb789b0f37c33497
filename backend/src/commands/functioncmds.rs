//! CREATE [OR REPLACE] FUNCTION / PROCEDURE, DROP FUNCTION / PROCEDURE
//! and ALTER ... RENAME TO / SET SCHEMA of LANGUAGE sql and plpgsql
//! routines, as PostgreSQL's functioncmds.c and alter.c:
//! the signature resolved, the body checked against the catalog
//! (check_function_bodies), the pg_proc row entered in a copy of the
//! catalog that `ddl::execute` installs with the transaction's other
//! catalog changes.

use std::sync::Arc;

use sqlparser::ast;

use crate::analyze::names::resolve_type;
use crate::catalog::function::{ArgMode, BodyKind, FuncArg, FunctionDesc};
use crate::catalog::Catalog;
use crate::commands::ddl::notice;
use crate::error::{sqlstate, PgError, PgResult};
use crate::parser::create_function::{self, Body, Mode, Returns};
use crate::parser::{ident, object_name, StmtText};
use crate::types::{oid, type_name, Oid};

const INVALID_FUNCTION_DEFINITION: &str = "42P13";
const WRONG_OBJECT_TYPE: &str = "42809";

/// A routine's name as written: its schema (None: unqualified) and name.
fn routine_name(name: &ast::ObjectName) -> PgResult<(Option<String>, String)> {
    let parts = object_name(name);
    let (schema, n) = crate::analyze::from::split_name(&parts)?;
    Ok((schema.map(str::to_owned), n.to_owned()))
}

fn signature(name: &str, types: &[Oid]) -> String {
    let t: Vec<&str> = types.iter().map(|t| type_name(*t)).collect();
    format!("{name}({})", t.join(", "))
}

/// A declared type: `void` besides the types columns may have.
fn declared_type(dt: &ast::DataType) -> PgResult<Oid> {
    if let ast::DataType::Trigger = dt {
        return Ok(oid::TRIGGER);
    }
    if let ast::DataType::Custom(n, m) = dt {
        if m.is_empty() {
            match object_name(n).last().map(String::as_str) {
                Some("void") => return Ok(oid::VOID),
                Some("trigger") => return Ok(oid::TRIGGER),
                Some("event_trigger") => return Ok(oid::EVENT_TRIGGER),
                _ => {}
            }
        }
    }
    Ok(resolve_type(dt)?.0)
}

/// CREATE [OR REPLACE] FUNCTION | PROCEDURE; returns the command tag.
/// `check_bodies`: the check_function_bodies setting (pg_dump turns it
/// off, so that bodies naming routines its empty search path does not
/// find are restored).
pub fn create(
    cat: &mut Catalog,
    text: &StmtText,
    user: &str,
    check_bodies: bool,
) -> PgResult<String> {
    let st = create_function::parse(&text.sql)?;
    let what = if st.procedure {
        "PROCEDURE"
    } else {
        "FUNCTION"
    };
    let (schema, name) = routine_name(&st.name)?;
    // Unqualified: the first schema of the search path.
    let namespace = cat.creation_namespace(schema.as_deref())?;
    if let Some(role) = cat.role_by_name(user).map(|r| r.oid) {
        if !cat.is_superuser(role) {
            super::owner::check_create_in(cat, role, namespace)?;
        }
    }
    let language = match (&st.language, &st.body) {
        (Some(l), _) => l.clone(),
        (None, Some(Body::Return(_))) => "sql".into(),
        (None, _) => {
            return Err(PgError::new(
                INVALID_FUNCTION_DEFINITION,
                "no language specified",
            ))
        }
    };
    match language.as_str() {
        "sql" | "plpgsql" => {}
        "c" | "internal" => {
            return Err(PgError::new(
                sqlstate::FEATURE_NOT_SUPPORTED,
                format!("LANGUAGE {language} is not supported yet"),
            ))
        }
        l => {
            return Err(PgError::new(
                sqlstate::UNDEFINED_OBJECT,
                format!("language \"{l}\" does not exist"),
            ))
        }
    }
    let mut args = Vec::new();
    let mut seen_default = false;
    for a in &st.args {
        let (ty, _) = resolve_type(&a.ty)?;
        let mode = match a.mode {
            Mode::In => ArgMode::In,
            Mode::Out => ArgMode::Out,
            Mode::InOut => ArgMode::InOut,
            Mode::Variadic => ArgMode::Variadic,
        };
        if mode == ArgMode::Variadic && crate::types::array::array_element(ty) == 0 {
            return Err(PgError::new(
                INVALID_FUNCTION_DEFINITION,
                "VARIADIC parameter must be an array",
            ));
        }
        if mode.is_input() && args.iter().any(|b: &FuncArg| b.mode == ArgMode::Variadic) {
            return Err(PgError::new(
                INVALID_FUNCTION_DEFINITION,
                "VARIADIC parameter must be the last input parameter",
            ));
        }
        let aname = a.name.as_ref().map(ident).unwrap_or_default();
        if !aname.is_empty()
            && args
                .iter()
                .any(|b: &FuncArg| b.name == aname && b.mode.is_input() == mode.is_input())
        {
            return Err(PgError::new(
                INVALID_FUNCTION_DEFINITION,
                format!("parameter name \"{aname}\" used more than once"),
            ));
        }
        if let Some(d) = &a.default {
            if mode == ArgMode::Out {
                return Err(PgError::new(
                    INVALID_FUNCTION_DEFINITION,
                    "only input parameters can have default values",
                ));
            }
            seen_default = true;
            let _ = d;
        } else if seen_default && mode.is_input() {
            return Err(PgError::new(
                INVALID_FUNCTION_DEFINITION,
                "input parameters after one with a default value must also have defaults",
            ));
        }
        args.push(FuncArg {
            mode,
            name: aname,
            ty,
            default: a.default.as_ref().map(|d| d.to_string()),
        });
    }
    let outs: Vec<Oid> = args
        .iter()
        .filter(|a| a.mode.is_output())
        .map(|a| a.ty)
        .collect();
    let out_type = match outs.as_slice() {
        [] => None,
        [t] => Some(*t),
        _ => Some(oid::RECORD),
    };
    let (ret, retset) = if st.procedure {
        (out_type.map_or(oid::VOID, |_| oid::RECORD), false)
    } else {
        match &st.returns {
            Some(Returns::Type { ty, setof }) => {
                let t = declared_type(ty)?;
                if let Some(o) = out_type {
                    if o != t {
                        return Err(PgError::new(
                            INVALID_FUNCTION_DEFINITION,
                            format!(
                                "function result type must be {} because of OUT parameters",
                                type_name(o)
                            ),
                        ));
                    }
                }
                (t, *setof)
            }
            Some(Returns::Table(cols)) => {
                if out_type.is_some() {
                    return Err(PgError::new(
                        INVALID_FUNCTION_DEFINITION,
                        "OUT parameters cannot be used with RETURNS TABLE",
                    ));
                }
                for (n, t) in cols {
                    args.push(FuncArg {
                        mode: ArgMode::Table,
                        name: ident(n),
                        ty: resolve_type(t)?.0,
                        default: None,
                    });
                }
                let t = if cols.len() == 1 {
                    args.last().map_or(oid::RECORD, |a| a.ty)
                } else {
                    oid::RECORD
                };
                (t, true)
            }
            None => match out_type {
                Some(t) => (t, false),
                None => {
                    return Err(PgError::new(
                        INVALID_FUNCTION_DEFINITION,
                        "function result type must be specified",
                    ))
                }
            },
        }
    };
    if ret == oid::TRIGGER && language == "sql" {
        return Err(PgError::new(
            INVALID_FUNCTION_DEFINITION,
            "SQL functions cannot return type trigger",
        ));
    }
    let (body_kind, body, body_at) = match &st.body {
        Some(Body::Text(s, at)) => (BodyKind::Text, s.clone(), Some(*at)),
        Some(Body::Return(e)) => (BodyKind::Return, e.to_string(), None),
        None => {
            return Err(PgError::new(
                INVALID_FUNCTION_DEFINITION,
                "no function body specified",
            ))
        }
    };
    let mut f = FunctionDesc {
        oid: 0,
        name: name.clone(),
        kind: if st.procedure { 'p' } else { 'f' },
        args,
        ret,
        retset,
        body_kind,
        body,
        volatility: st.volatility.unwrap_or('v'),
        strict: st.strict.unwrap_or(false),
        security_definer: st.security_definer.unwrap_or(false),
        leakproof: st.leakproof.unwrap_or(false),
        parallel: st.parallel.unwrap_or('u'),
        cost: st.cost.unwrap_or(100.0) as f32,
        rows: st.rows.unwrap_or(if retset { 1000.0 } else { 0.0 }) as f32,
        owner: user.to_owned(),
        language: language.clone(),
        namespace,
    };
    let inputs = f.input_types();
    let existing = cat
        .functions_in(namespace, &name)
        .find(|g| g.input_types() == inputs)
        .cloned();
    if let Some(old) = &existing {
        if !st.or_replace {
            return Err(PgError::new(
                "42723",
                format!("function \"{name}\" already exists with same argument types"),
            ));
        }
        if old.kind != f.kind {
            return Err(
                PgError::new(WRONG_OBJECT_TYPE, "cannot change routine kind").with_detail(format!(
                    "\"{name}\" is a {}.",
                    if old.kind == 'p' {
                        "procedure"
                    } else {
                        "function"
                    }
                )),
            );
        }
        if old.ret != f.ret || old.retset != f.retset {
            return Err(PgError::new(
                INVALID_FUNCTION_DEFINITION,
                "cannot change return type of existing function",
            )
            .with_hint(format!(
                "Use DROP {what} {} first.",
                signature(&cat.function_display_name(old), &inputs).replace(", ", ",")
            )));
        }
        f.oid = old.oid;
        f.owner = old.owner.clone();
    }
    // check_function_bodies: the body must analyze against the catalog.
    if !check_bodies {
    } else if f.language == "plpgsql" {
        // PL/pgSQL: its syntax (statements are compiled when first run).
        crate::pl::validate(&f.body).map_err(|e| {
            let line = format!("compilation of PL/pgSQL function \"{name}\" near line 1");
            e.with_context(line)
        })?;
    } else {
        let snapshot = Arc::new(cat.clone());
        crate::analyze::sqlfunc::analyze_body_for(&snapshot, &f, true).map_err(|mut e| {
            if let (Some(p), Some(at)) = (e.position, body_at) {
                e.position = Some(text.sql[..at].chars().count() + p);
            } else {
                e.position = None;
            }
            e
        })?;
    }
    if existing.is_some() {
        let i = cat
            .functions
            .iter()
            .position(|g| g.oid == f.oid)
            .ok_or_else(|| PgError::internal("replaced function vanished"))?;
        cat.functions[i] = Arc::new(f);
    } else {
        f.oid = cat.alloc_oid();
        cat.functions.push(Arc::new(f));
    }
    Ok(format!("CREATE {what}"))
}

/// DROP FUNCTION | PROCEDURE [IF EXISTS] name[(types)], ...: returns
/// whether the catalog changed.
pub fn drop(
    cat: &mut Catalog,
    procedure: bool,
    if_exists: bool,
    descs: &[ast::FunctionDesc],
    notices: &mut Vec<PgError>,
) -> PgResult<bool> {
    let what = if procedure { "procedure" } else { "function" };
    let mut changed = false;
    for d in descs {
        let (schema, name) = routine_name(&d.name)?;
        let types = match &d.args {
            Some(a) => Some(
                a.iter()
                    .filter(|x| !matches!(x.mode, Some(ast::ArgMode::Out)))
                    .map(|x| resolve_type(&x.data_type).map(|t| t.0))
                    .collect::<PgResult<Vec<Oid>>>()?,
            ),
            None => None,
        };
        // A procedure's argument list may also name its OUT arguments
        // (as CALL passes them).
        let all_types = match &d.args {
            Some(a) if procedure => Some(
                a.iter()
                    .map(|x| resolve_type(&x.data_type).map(|t| t.0))
                    .collect::<PgResult<Vec<Oid>>>()?,
            ),
            _ => None,
        };
        let cands = match cat.routine_candidates(schema.as_deref(), &name) {
            Ok(c) => c,
            // DROP ... IF EXISTS of a routine in a schema that does not
            // exist: a notice naming the schema.
            Err(e) if if_exists => {
                notices.push(notice(format!(
                    "schema \"{}\" does not exist, skipping",
                    schema.as_deref().unwrap_or_default()
                )));
                let _ = e;
                continue;
            }
            Err(e) => return Err(e),
        };
        let shown_name = match &schema {
            Some(s) => format!("{s}.{name}"),
            None => name.clone(),
        };
        let found: Vec<Arc<FunctionDesc>> = cands
            .into_iter()
            .filter(|f| {
                types.as_ref().is_none_or(|t| f.input_types() == *t)
                    || all_types.as_ref().is_some_and(|t| {
                        f.kind == 'p' && f.call_args().map(|a| a.ty).collect::<Vec<_>>() == *t
                    })
            })
            .collect();
        let f = match found.as_slice() {
            [] => {
                let shown = match &types {
                    Some(t) => signature(&shown_name, t),
                    None if if_exists => format!("{shown_name}()"),
                    None => {
                        return Err(PgError::new(
                            sqlstate::UNDEFINED_FUNCTION,
                            format!("could not find a {what} named \"{shown_name}\""),
                        ))
                    }
                };
                let msg = format!("{what} {shown} does not exist");
                if if_exists {
                    notices.push(notice(format!("{msg}, skipping")));
                    continue;
                }
                return Err(PgError::new(sqlstate::UNDEFINED_FUNCTION, msg));
            }
            [f] => f.clone(),
            _ => {
                return Err(PgError::new(
                    "42725",
                    format!("{what} name \"{shown_name}\" is not unique"),
                )
                .with_hint(format!(
                    "Specify the argument list to select the {what} unambiguously."
                )))
            }
        };
        if (f.kind == 'p') != procedure {
            return Err(PgError::new(
                WRONG_OBJECT_TYPE,
                format!(
                    "{} is not a {what}",
                    signature(&shown_name, &f.input_types())
                ),
            ));
        }
        cat.functions.retain(|g| g.oid != f.oid);
        changed = true;
    }
    Ok(changed)
}

/// ALTER FUNCTION | PROCEDURE | ROUTINE signature RENAME TO name or SET
/// SCHEMA schema, as role `role` (its owner, with CREATE on the schema it
/// ends up in); the command tag.
pub fn alter(
    cat: &mut Catalog,
    st: &crate::parser::alter_routine::AlterRoutineStmt,
    role: Oid,
) -> PgResult<String> {
    use crate::parser::alter_owner::RoutineKind;
    use crate::parser::alter_routine::RoutineChange;
    let oid = match st.kind {
        RoutineKind::Function => super::comment::routine_oid(cat, false, &st.desc)?,
        RoutineKind::Procedure => super::comment::routine_oid(cat, true, &st.desc)?,
        RoutineKind::Routine => super::comment::routine_oid(cat, false, &st.desc)
            .or_else(|_| super::comment::routine_oid(cat, true, &st.desc))?,
    };
    let f = cat
        .function_by_oid(oid)
        .cloned()
        .ok_or_else(|| PgError::internal("routine vanished"))?;
    let what = if f.kind == 'p' {
        "procedure"
    } else {
        "function"
    };
    let superuser = cat.is_superuser(role);
    if !superuser && !cat.has_privs_of_role(role, cat.owner_of(oid)) {
        return Err(PgError::new(
            sqlstate::INSUFFICIENT_PRIVILEGE,
            format!("must be owner of {what} {}", f.name),
        ));
    }
    let (name, namespace) = match &st.change {
        RoutineChange::Rename(n) => (n.clone(), f.namespace),
        RoutineChange::SetSchema(s) => (f.name.clone(), cat.explicit_namespace(s)?),
    };
    if !superuser {
        super::owner::check_create_in(cat, role, namespace)?;
    }
    let tag = match st.kind {
        RoutineKind::Routine => "ALTER ROUTINE",
        _ if f.kind == 'p' => "ALTER PROCEDURE",
        _ => "ALTER FUNCTION",
    };
    // SET SCHEMA to its own schema changes nothing; RENAME TO its own
    // name finds itself (42723), as PostgreSQL.
    if matches!(st.change, RoutineChange::SetSchema(_)) && namespace == f.namespace {
        return Ok(tag.into());
    }
    let inputs = f.input_types();
    let clash = cat
        .functions_in(namespace, &name)
        .any(|g| g.input_types() == inputs);
    if clash {
        return Err(PgError::new(
            "42723",
            format!(
                "{what} {} already exists in schema \"{}\"",
                signature(&name, &inputs),
                cat.namespace_name(namespace).unwrap_or("?")
            ),
        ));
    }
    let i = cat
        .functions
        .iter()
        .position(|g| g.oid == oid)
        .ok_or_else(|| PgError::internal("routine vanished"))?;
    let mut g = (*f).clone();
    g.name = name;
    g.namespace = namespace;
    cat.functions[i] = Arc::new(g);
    Ok(tag.into())
}
