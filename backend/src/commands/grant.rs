//! GRANT and REVOKE of privileges on tables, views and sequences (by
//! name or ALL TABLES / ALL SEQUENCES IN SCHEMA), schemas and the
//! database, to roles or PUBLIC, WITH GRANT OPTION; the ACLs they
//! change are the catalog's (`catalog::roles`), starting from the
//! object's default ACL at its first GRANT or REVOKE, as PostgreSQL's
//! ExecuteGrantStmt does. The grantor recorded is the object's owner
//! when the owner or a superuser grants, else the granting role, which
//! needs the grant option (PostgreSQL's select_best_grantor).

use sqlparser::ast;

use crate::catalog::roles::{acl_update, privs, ObjectKind, PUBLIC};
use crate::catalog::{Catalog, RelKind};
use crate::commands::transaction::warning;
use crate::error::{sqlstate, PgError, PgResult};
use crate::parser::object_name;
use crate::types::Oid;

/// 0LP01: invalid_grant_operation.
const INVALID_GRANT_OPERATION: &str = "0LP01";

/// One object a GRANT or REVOKE names.
struct Target {
    obj: Oid,
    kind: ObjectKind,
    name: String,
    /// How the object was named: privileges not valid for a sequence
    /// named by GRANT ON TABLE are ignored with a warning.
    as_table: bool,
}

/// The privilege bits named, for an object of `kind` (0LP01 for one it
/// does not have); ALL gives every privilege of the kind.
fn privilege_bits(p: &ast::Privileges, kind: ObjectKind) -> PgResult<u32> {
    let acts = match p {
        ast::Privileges::All { .. } => return Ok(kind.all()),
        ast::Privileges::Actions(a) => a,
    };
    let mut bits = 0;
    for a in acts {
        let (bit, word) = match a {
            ast::Action::Select { columns } => (privs::SELECT, columns.as_ref().map(|_| "")),
            ast::Action::Insert { columns } => (privs::INSERT, columns.as_ref().map(|_| "")),
            ast::Action::Update { columns } => (privs::UPDATE, columns.as_ref().map(|_| "")),
            ast::Action::References { columns } => {
                (privs::REFERENCES, columns.as_ref().map(|_| ""))
            }
            ast::Action::Delete => (privs::DELETE, None),
            ast::Action::Truncate => (privs::TRUNCATE, None),
            ast::Action::Trigger => (privs::TRIGGER, None),
            ast::Action::Usage => (privs::USAGE, None),
            ast::Action::Create { obj_type: None } => (privs::CREATE, None),
            ast::Action::Connect => (privs::CONNECT, None),
            ast::Action::Temporary => (privs::TEMP, None),
            other => {
                return Err(PgError::new(
                    sqlstate::SYNTAX_ERROR,
                    format!("unrecognized privilege type \"{other}\""),
                ))
            }
        };
        if word.is_some() {
            return Err(PgError::new(
                sqlstate::FEATURE_NOT_SUPPORTED,
                "column privileges are not supported yet",
            ));
        }
        bits |= bit;
    }
    Ok(bits)
}

/// The name PostgreSQL's "invalid privilege type X for ..." uses.
fn privilege_name(bit: u32) -> &'static str {
    match bit {
        privs::INSERT => "INSERT",
        privs::SELECT => "SELECT",
        privs::UPDATE => "UPDATE",
        privs::DELETE => "DELETE",
        privs::TRUNCATE => "TRUNCATE",
        privs::REFERENCES => "REFERENCES",
        privs::TRIGGER => "TRIGGER",
        privs::USAGE => "USAGE",
        privs::CREATE => "CREATE",
        privs::TEMP => "TEMP",
        _ => "CONNECT",
    }
}

/// A relation named in GRANT ON [TABLE | SEQUENCE].
fn relation_target(cat: &Catalog, n: &ast::ObjectName, sequence: bool) -> PgResult<Target> {
    let parts = object_name(n);
    let (schema, rel) = crate::analyze::from::split_name(&parts)?;
    if let Some(s) = schema {
        cat.explicit_namespace(s)?;
    }
    let found = cat.resolve_relation(schema, rel);
    let Some((kind, obj)) = found.filter(|(k, _)| *k != RelKind::Index) else {
        return Err(crate::analyze::from::no_relation(&parts.join(".")));
    };
    if sequence && kind != RelKind::Sequence {
        return Err(PgError::new(
            "42809",
            format!("\"{rel}\" is not a sequence"),
        ));
    }
    Ok(Target {
        obj,
        kind: if kind == RelKind::Sequence {
            ObjectKind::Sequence
        } else {
            ObjectKind::Relation
        },
        name: rel.to_owned(),
        as_table: !sequence,
    })
}

/// A schema named by GRANT ... ON SCHEMA or ALL ... IN SCHEMA (3F000
/// when it does not exist).
fn schema_oid(cat: &Catalog, n: &ast::ObjectName) -> PgResult<Oid> {
    cat.explicit_namespace(&object_name(n).join("."))
}

fn targets(cat: &Catalog, objects: &ast::GrantObjects, database: &str) -> PgResult<Vec<Target>> {
    use ast::GrantObjects as G;
    let mut out = Vec::new();
    match objects {
        G::Tables(names) => {
            for n in names {
                out.push(relation_target(cat, n, false)?);
            }
        }
        G::Sequences(names) => {
            for n in names {
                out.push(relation_target(cat, n, true)?);
            }
        }
        G::AllTablesInSchema { schemas } | G::AllSequencesInSchema { schemas } => {
            let seqs = matches!(objects, G::AllSequencesInSchema { .. });
            for s in schemas {
                let nsp = schema_oid(cat, s)?;
                if seqs {
                    for q in cat.sequences.iter().filter(|q| q.namespace == nsp) {
                        out.push(Target {
                            obj: q.oid,
                            kind: ObjectKind::Sequence,
                            name: q.name.clone(),
                            as_table: false,
                        });
                    }
                } else {
                    let rels = cat
                        .tables
                        .iter()
                        .filter(|t| t.namespace == nsp)
                        .map(|t| (t.oid, t.name.clone()))
                        .chain(
                            cat.views
                                .iter()
                                .filter(|v| v.namespace == nsp)
                                .map(|v| (v.oid, v.name.clone())),
                        );
                    for (obj, name) in rels {
                        out.push(Target {
                            obj,
                            kind: ObjectKind::Relation,
                            name,
                            as_table: true,
                        });
                    }
                }
            }
        }
        G::Schemas(names) => {
            for n in names {
                out.push(Target {
                    obj: schema_oid(cat, n)?,
                    kind: ObjectKind::Schema,
                    name: object_name(n).join("."),
                    as_table: false,
                });
            }
        }
        G::Databases(names) => {
            for n in names {
                let name = object_name(n).join(".");
                let _ = database;
                let Some(obj) = cat.database_oid(&name) else {
                    return Err(crate::catalog::database::undefined(&name));
                };
                out.push(Target {
                    obj,
                    kind: ObjectKind::Database,
                    name,
                    as_table: false,
                });
            }
        }
        _ => {
            return Err(PgError::new(
                sqlstate::FEATURE_NOT_SUPPORTED,
                format!("GRANT and REVOKE on {objects} are not supported yet"),
            ))
        }
    }
    Ok(out)
}

/// The owner of a target.
fn owner(cat: &Catalog, t: &Target) -> Oid {
    match t.kind {
        ObjectKind::Schema => cat.schema_owner(t.obj),
        ObjectKind::Database => cat.database_owner(t.obj),
        _ => cat.owner_of(t.obj),
    }
}

/// The grantees: PUBLIC (0) or roles (42704 for a missing one).
fn grantees(cat: &Catalog, gs: &[ast::Grantee]) -> PgResult<Vec<Oid>> {
    gs.iter()
        .map(|g| match (&g.grantee_type, &g.name) {
            (ast::GranteesType::Public, _) => Ok(PUBLIC),
            (_, Some(ast::GranteeName::ObjectName(n))) => {
                let name = object_name(n).join(".");
                if name == "public" {
                    return Ok(PUBLIC);
                }
                cat.role_by_name(&name).map(|r| r.oid).ok_or_else(|| {
                    PgError::new(
                        sqlstate::UNDEFINED_OBJECT,
                        format!("role \"{name}\" does not exist"),
                    )
                })
            }
            _ => Err(PgError::new(
                sqlstate::SYNTAX_ERROR,
                "syntax error in grantee",
            )),
        })
        .collect()
}

/// What a GRANT or REVOKE does.
pub struct GrantStmt<'a> {
    pub revoke: bool,
    pub privileges: &'a ast::Privileges,
    pub objects: &'a ast::GrantObjects,
    pub grantees: &'a [ast::Grantee],
    pub with_grant_option: bool,
    /// REVOKE GRANT OPTION FOR.
    pub grant_option_only: bool,
}

impl<'a> GrantStmt<'a> {
    pub fn grant(g: &'a ast::Grant) -> PgResult<GrantStmt<'a>> {
        Ok(GrantStmt {
            revoke: false,
            privileges: &g.privileges,
            objects: g.objects.as_ref().ok_or_else(missing_on)?,
            grantees: &g.grantees,
            with_grant_option: g.with_grant_option,
            grant_option_only: false,
        })
    }

    pub fn revoke(r: &'a ast::Revoke) -> PgResult<GrantStmt<'a>> {
        Ok(GrantStmt {
            revoke: true,
            privileges: &r.privileges,
            objects: r.objects.as_ref().ok_or_else(missing_on)?,
            grantees: &r.grantees,
            with_grant_option: false,
            grant_option_only: r.grant_option_for,
        })
    }
}

fn missing_on() -> PgError {
    PgError::new(sqlstate::SYNTAX_ERROR, "syntax error at or near \"TO\"")
}

/// Runs a GRANT or REVOKE as role `role`; warnings go to `notices`.
pub fn execute(
    cat: &mut Catalog,
    g: &GrantStmt,
    role: Oid,
    database: &str,
    notices: &mut Vec<PgError>,
) -> PgResult<()> {
    let grantees = grantees(cat, g.grantees)?;
    for t in targets(cat, g.objects, database)? {
        let mut bits = if t.as_table && t.kind == ObjectKind::Sequence {
            // GRANT ON TABLE naming a sequence: the table privileges it
            // cannot have are left out, with a warning.
            let b = privilege_bits(g.privileges, ObjectKind::Relation)?;
            let all = matches!(g.privileges, ast::Privileges::All { .. });
            let valid = if all { t.kind.all() } else { b & t.kind.all() };
            if !all && b & !t.kind.all() != 0 {
                notices.push(warning(
                    sqlstate::WARNING,
                    &format!(
                        "sequence \"{}\" only supports USAGE, SELECT, and UPDATE privileges",
                        t.name
                    ),
                ));
            }
            valid
        } else {
            privilege_bits(g.privileges, t.kind)?
        };
        if let Some(bad) = (0..12)
            .map(|i| 1u32 << i)
            .find(|b| bits & b & !t.kind.all() != 0)
        {
            return Err(PgError::new(
                INVALID_GRANT_OPERATION,
                format!(
                    "invalid privilege type {} for {}",
                    privilege_name(bad),
                    t.kind.word()
                ),
            ));
        }
        let owner = owner(cat, &t);
        // The grantor: the owner when its owner (or a superuser) acts,
        // else the acting role, limited to what it may grant.
        let grantor = if cat.is_superuser(role) || cat.has_privs_of_role(role, owner) {
            owner
        } else {
            let grantable = cat.grant_option_mask(role, t.obj, t.kind, owner, bits);
            if grantable == 0 {
                if cat.privilege_mask(role, t.obj, t.kind, owner, t.kind.all()) == 0 {
                    return Err(PgError::new(
                        sqlstate::INSUFFICIENT_PRIVILEGE,
                        format!("permission denied for {} {}", t.kind.word(), t.name),
                    ));
                }
                notices.push(warning(
                    sqlstate::WARNING,
                    &format!(
                        "no privileges were {} for \"{}\"",
                        if g.revoke { "revoked" } else { "granted" },
                        t.name
                    ),
                ));
                continue;
            }
            if grantable != bits {
                notices.push(warning(
                    sqlstate::WARNING,
                    &format!(
                        "not all privileges were {} for \"{}\"",
                        if g.revoke { "revoked" } else { "granted" },
                        t.name
                    ),
                ));
            }
            bits = grantable;
            role
        };
        let mut acl = cat.acl_of(t.obj, t.kind, owner);
        for &grantee in &grantees {
            if !g.revoke && g.with_grant_option && grantee == PUBLIC {
                return Err(PgError::new(
                    INVALID_GRANT_OPERATION,
                    "grant options can only be granted to roles",
                ));
            }
            acl_update(
                &mut acl,
                grantee,
                grantor,
                bits,
                g.with_grant_option,
                g.revoke,
                g.grant_option_only,
            );
        }
        cat.acls.insert((t.kind.class(), t.obj), acl);
    }
    Ok(())
}
