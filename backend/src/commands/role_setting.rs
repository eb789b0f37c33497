//! ALTER ROLE ... [IN DATABASE ...] SET/RESET and ALTER DATABASE ...
//! SET/RESET: entries of pg_db_role_setting (`catalog::db_role_setting`),
//! with PostgreSQL 15's permission rules (AlterRoleSet, AlterDatabaseSet),
//! its validation of the setting and its stored form of the value
//! (flatten_set_variable_args: list items joined with ", ", identifiers
//! of a quoted list quoted). They change the shared catalog and so commit
//! or roll back with their transaction.

use crate::catalog::roles::PREDEFINED_ROLES;
use crate::catalog::Catalog;
use crate::error::{sqlstate, PgError, PgResult};
use crate::parser::role_setting::{RoleSpec, SetValue, SettingAction, SettingStmt};
use crate::types::Oid;
use crate::utils::adt::quote::quote_ident;
use crate::utils::settings;

use super::role::Actor;

fn denied(msg: impl Into<String>) -> PgError {
    PgError::new(sqlstate::INSUFFICIENT_PRIVILEGE, msg)
}

/// The value as pg_db_role_setting keeps it.
fn flatten(name: &str, values: &[SetValue]) -> PgResult<String> {
    let (list, quote) = settings::list_kind(name);
    if values.len() > 1 && !list {
        return Err(PgError::new(
            sqlstate::INVALID_PARAMETER_VALUE,
            format!("SET {name} takes only one argument"),
        ));
    }
    let items: Vec<String> = values
        .iter()
        .map(|v| match v {
            SetValue::Number(n) => n.clone(),
            SetValue::Text(t) if quote => quote_ident(t),
            SetValue::Text(t) => t.clone(),
        })
        .collect();
    Ok(items.join(", "))
}

/// Runs the statement. `current` reads the session's value of a setting
/// (SET ... FROM CURRENT).
pub fn execute(
    cat: &mut Catalog,
    stmt: &SettingStmt,
    actor: &Actor,
    current: &dyn Fn(&str) -> PgResult<Option<String>>,
) -> PgResult<&'static str> {
    let me_super = cat.is_superuser(actor.role);
    // The role: PostgreSQL checks it first, then the database.
    let role: Oid = match &stmt.role {
        None | Some(RoleSpec::All) => 0,
        Some(spec) => {
            let oid = match spec {
                RoleSpec::CurrentUser => actor.role,
                RoleSpec::SessionUser => actor.session_role,
                RoleSpec::Name(n) => {
                    if let Some(p) = PREDEFINED_ROLES.iter().find(|p| p.1 == n) {
                        return Err(PgError::new(
                            "42939",
                            format!("role name \"{}\" is reserved", p.1),
                        )
                        .with_detail("Cannot alter reserved roles."));
                    }
                    cat.role_by_name(n)
                        .ok_or_else(|| {
                            PgError::new(
                                sqlstate::UNDEFINED_OBJECT,
                                format!("role \"{n}\" does not exist"),
                            )
                        })?
                        .oid
                }
                RoleSpec::All => unreachable!("handled above"),
            };
            let r = cat.role(oid);
            if r.as_ref().is_some_and(|r| r.superuser) {
                if !me_super {
                    return Err(denied("must be superuser to alter superusers"));
                }
            } else if oid != actor.role
                && !cat
                    .role(actor.role)
                    .is_some_and(|m| m.superuser || m.createrole)
            {
                return Err(denied("permission denied"));
            }
            oid
        }
    };
    let db: Oid = match &stmt.database {
        Some(name) => {
            let d = cat
                .database(name)
                .cloned()
                .ok_or_else(|| crate::catalog::database::undefined(name))?;
            if role == 0 && !cat.has_privs_of_role(actor.role, d.owner) {
                return Err(denied(format!("must be owner of database {name}")));
            }
            d.oid
        }
        None => 0,
    };
    if role == 0 && db == 0 && !me_super {
        return Err(denied("must be superuser to alter settings globally"));
    }
    // A custom parameter (a placeholder) counts as a superuser's one.
    let check = |name: &str, value: Option<&str>| -> PgResult<String> {
        let stored = settings::check_stored(name, value)?;
        if !me_super && value.is_some() && settings::lookup(name).is_none() {
            return Err(denied(format!(
                "permission denied to set parameter \"{name}\""
            )));
        }
        Ok(stored)
    };
    match &stmt.action {
        SettingAction::Set(name, values) => {
            let value = flatten(name, values)?;
            let stored = check(name, Some(&value))?;
            cat.put_db_role_setting(db, role, &stored, &value);
        }
        SettingAction::FromCurrent(name) => {
            let stored = settings::check_stored(name, None)?;
            let value = current(&stored)?.unwrap_or_default();
            check(name, Some(&value))?;
            cat.put_db_role_setting(db, role, &stored, &value);
        }
        SettingAction::Reset(name) => {
            let stored = settings::check_stored(name, None)?;
            cat.remove_db_role_setting(db, role, Some(&stored));
        }
        SettingAction::ResetAll => cat.remove_db_role_setting(db, role, None),
    }
    Ok(stmt.tag())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flattened_values() {
        let t = |s: &str| SetValue::Text(s.into());
        assert_eq!(
            flatten("search_path", &[t("a"), t("My S"), t("$user")]).unwrap(),
            "a, \"My S\", \"$user\""
        );
        assert_eq!(
            flatten("DateStyle", &[t("SQL"), t("DMY")]).unwrap(),
            "SQL, DMY"
        );
        assert_eq!(
            flatten("work_mem", &[SetValue::Number("64".into())]).unwrap(),
            "64"
        );
        assert_eq!(
            flatten("work_mem", &[t("1MB"), t("2MB")]).unwrap_err().code,
            "22023"
        );
    }
}
