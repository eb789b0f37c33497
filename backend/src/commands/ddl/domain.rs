//! CREATE, ALTER and DROP DOMAIN, as PostgreSQL's typecmds.c
//! (DefineDomain, AlterDomain*): a domain's pg_type row
//! (`types::domains`), its CHECK constraints (pg_constraint rows with
//! contypid), and, when a constraint is added or NOT NULL set, the check
//! of the values columns of the domain already hold.

use std::sync::Arc;

use super::Ddl;
use crate::analyze::names::resolve_type;
use crate::analyze::Analyzer;
use crate::catalog::constraint::{ConstraintDesc, ConstraintKind};
use crate::catalog::Catalog;
use crate::error::{sqlstate, PgError, PgResult};
use crate::executor::eval::eval;
use crate::parser::domain::{AlterDomain, DomainConstraint, DomainStmt};
use crate::types::domains::DomainType;
use crate::types::{Oid, Value};

fn no_type(name: &str) -> PgError {
    PgError::new(
        sqlstate::UNDEFINED_OBJECT,
        format!("type \"{name}\" does not exist"),
    )
}

fn not_a_domain(name: &str) -> PgError {
    PgError::new(
        sqlstate::WRONG_OBJECT_TYPE,
        format!("{name} is not a domain"),
    )
}

/// The domain a (possibly qualified) name names: 42704 when no type has
/// the name, 42809 when the type is not a domain.
fn find(cat: &Catalog, name: &[String]) -> PgResult<Arc<DomainType>> {
    let (schema, n) = crate::analyze::from::split_name(name)?;
    if let Some(s) = schema {
        cat.explicit_namespace(s)?;
    }
    if let Some(d) = cat.resolve_domain(schema, n) {
        return Ok(d.clone());
    }
    if cat.resolve_enum(schema, n).is_some() {
        return Err(not_a_domain(n));
    }
    let builtin = matches!(schema, None | Some("pg_catalog"))
        .then(|| crate::analyze::names::type_by_name(n))
        .flatten();
    Err(if let Some(t) = builtin {
        not_a_domain(&crate::catalog::format_type(t, -1))
    } else {
        no_type(&name.join("."))
    })
}

/// 42501 unless `role` owns domain `d` (or has its owner's privileges).
fn check_owner(cat: &Catalog, d: &DomainType, role: Oid) -> PgResult<()> {
    if cat.has_privs_of_role(role, cat.owner_of(d.oid)) {
        return Ok(());
    }
    Err(PgError::new(
        sqlstate::INSUFFICIENT_PRIVILEGE,
        format!("must be owner of type {}", d.name),
    ))
}

/// A check of one stored value (of column `usize` of the table): the
/// error when it fails.
type ValueCheck<'a> =
    dyn Fn(&Value, &crate::catalog::TableDesc, usize) -> PgResult<Option<PgError>> + 'a;

impl Ddl<'_> {
    /// Runs a domain command; returns its tag.
    pub(super) fn domain_command(&mut self, stmt: &DomainStmt, role: Oid) -> PgResult<String> {
        match stmt {
            DomainStmt::Create {
                name,
                data_type,
                collation,
                default,
                constraints,
            } => {
                self.create_domain(name, data_type, collation, default, constraints, role)?;
                Ok("CREATE DOMAIN".into())
            }
            DomainStmt::Alter { name, action } => {
                let d = find(self.cat, name)?;
                check_owner(self.cat, &d, role)?;
                self.alter_domain(&d, action)?;
                Ok("ALTER DOMAIN".into())
            }
            DomainStmt::Drop {
                if_exists,
                names,
                cascade,
            } => {
                let mut found = Vec::new();
                for n in names {
                    match find(self.cat, n) {
                        Ok(d) => found.push(d),
                        Err(e) if *if_exists && e.code == sqlstate::UNDEFINED_OBJECT => {
                            self.notices.push(super::notice(format!(
                                "type \"{}\" does not exist, skipping",
                                n.join(".")
                            )))
                        }
                        Err(e) => return Err(e),
                    }
                }
                for d in &found {
                    check_owner(self.cat, d, role)?;
                    self.drop_domain(d, *cascade)?;
                }
                self.changed |= !found.is_empty();
                Ok("DROP DOMAIN".into())
            }
        }
    }

    fn create_domain(
        &mut self,
        name: &[String],
        data_type: &sqlparser::ast::DataType,
        collation: &Option<String>,
        default: &Option<Box<sqlparser::ast::Expr>>,
        constraints: &[(Option<String>, DomainConstraint)],
        role: Oid,
    ) -> PgResult<()> {
        let (schema, n) = crate::analyze::from::split_name(name)?;
        let nsp = self.cat.creation_namespace(schema)?;
        let n = n.to_owned();
        let taken = self.cat.domain_in(nsp, &n).is_some()
            || self.cat.enum_type_in(nsp, &n).is_some()
            || self
                .cat
                .relation_in(nsp, &n)
                .is_some_and(|(k, _)| k != crate::catalog::RelKind::Index)
            || (nsp == crate::catalog::PG_CATALOG_NAMESPACE
                && crate::analyze::names::type_by_name(&n).is_some());
        if taken {
            return Err(PgError::new(
                sqlstate::DUPLICATE_OBJECT,
                format!("type \"{n}\" already exists"),
            ));
        }
        let (base, typmod) = resolve_type(data_type)?;
        if let Some(c) = collation {
            if !matches!(c.as_str(), "default" | "C" | "POSIX" | "c" | "posix") {
                return Err(PgError::new(
                    sqlstate::UNDEFINED_OBJECT,
                    format!("collation \"{c}\" for encoding \"UTF8\" does not exist"),
                ));
            }
        }
        let mut not_null = None;
        for (_, c) in constraints {
            let v = match c {
                DomainConstraint::NotNull => true,
                DomainConstraint::Null => false,
                DomainConstraint::Check(..) => continue,
            };
            if not_null.is_some_and(|x| x != v) {
                return Err(PgError::new(
                    sqlstate::SYNTAX_ERROR,
                    "conflicting NULL/NOT NULL constraints",
                ));
            }
            not_null = Some(v);
        }
        let oid = self.cat.alloc_oid();
        let array = self.cat.alloc_oid();
        let mut d = DomainType {
            oid,
            array,
            name: n,
            namespace: nsp,
            base,
            typmod,
            not_null: not_null.unwrap_or(false),
            default: None,
            collation: collation.clone(),
        };
        if let Some(e) = default {
            d.default = self.check_default(e, base, typmod)?;
        }
        self.cat.domains.push(Arc::new(d.clone()));
        self.cat.set_owner(oid, role);
        self.cat.set_owner(array, role);
        for (cname, c) in constraints {
            if let DomainConstraint::Check(e, src) = c {
                self.add_domain_check(&d, cname.clone(), e, src, true)?;
            }
        }
        self.changed = true;
        Ok(())
    }

    /// Adds a CHECK constraint to domain `d` (its name PostgreSQL's
    /// `domain_check`, `domain_check1`, ... when not given).
    fn add_domain_check(
        &mut self,
        d: &DomainType,
        name: Option<String>,
        e: &sqlparser::ast::Expr,
        src: &str,
        validated: bool,
    ) -> PgResult<ConstraintDesc> {
        let mut a = Analyzer::new(self.text, &[]).with_catalog(Arc::new(self.cat.clone()));
        let x = a.domain_check_expr(d, e)?;
        let names = vec!["VALUE".to_owned()];
        let def = crate::commands::explain::deparse(&x, &names);
        let pretty = crate::commands::constraints::pretty(&x, &names);
        let name = match name {
            Some(n) => {
                if self.cat.constraints_of(d.oid).any(|c| c.name == n) {
                    return Err(PgError::new(
                        sqlstate::DUPLICATE_OBJECT,
                        format!(
                            "constraint \"{n}\" for domain \"{}\" already exists",
                            d.name
                        ),
                    ));
                }
                n
            }
            None => {
                let used = |n: &str| self.cat.constraints_of(d.oid).any(|c| c.name == n);
                let first = format!("{}_check", d.name);
                if used(&first) {
                    (1..)
                        .map(|i| format!("{}_check{i}", d.name))
                        .find(|n| !used(n))
                        .unwrap_or(first)
                } else {
                    first
                }
            }
        };
        let c = ConstraintDesc {
            oid: self.cat.alloc_oid(),
            name,
            table: d.oid,
            kind: ConstraintKind::Check {
                src: src.to_owned(),
                def,
                pretty,
            },
            deferrable: false,
            deferred: false,
            validated,
        };
        self.cat.constraints.push(Arc::new(c.clone()));
        Ok(c)
    }

    /// Checks the values the columns of domain `d` hold: `check` returns
    /// the error for a value that fails.
    fn check_domain_columns(&self, d: &DomainType, check: &ValueCheck) -> PgResult<()> {
        for (t, attnum) in self.cat.domain_columns(d.oid) {
            let Some(table) = self.cat.table_by_oid(t).cloned() else {
                continue;
            };
            let col = attnum - 1;
            self.for_each_row(&table, &mut |_, row| match check(&row[col], &table, col)? {
                Some(e) => Err(e),
                None => Ok(()),
            })?;
        }
        Ok(())
    }

    fn alter_domain(&mut self, d: &Arc<DomainType>, action: &AlterDomain) -> PgResult<()> {
        let replace = |cat: &mut Catalog, new: DomainType| {
            if let Some(x) = cat.domains.iter_mut().find(|x| x.oid == new.oid) {
                *x = Arc::new(new);
            }
        };
        match action {
            AlterDomain::SetDefault(e) => {
                let mut n = (**d).clone();
                n.default = match e {
                    Some(e) => self.check_default(e, d.base, d.typmod)?,
                    None => None,
                };
                replace(self.cat, n);
            }
            AlterDomain::NotNull(on) => {
                if *on && !d.not_null {
                    self.check_domain_columns(d, &|v, t, c| {
                        Ok(v.is_null().then(|| {
                            PgError::new(
                                sqlstate::NOT_NULL_VIOLATION,
                                format!(
                                    "column \"{}\" of table \"{}\" contains null values",
                                    t.columns[c].name, t.name
                                ),
                            )
                        }))
                    })?;
                }
                let mut n = (**d).clone();
                n.not_null = *on;
                replace(self.cat, n);
            }
            AlterDomain::Add {
                name,
                constraint,
                not_valid,
            } => match constraint {
                DomainConstraint::NotNull => {
                    return self.alter_domain(d, &AlterDomain::NotNull(true));
                }
                DomainConstraint::Null => {
                    return Err(PgError::new(
                        sqlstate::SYNTAX_ERROR,
                        "NULL is not allowed in domain constraints",
                    ))
                }
                DomainConstraint::Check(e, src) => {
                    let c = self.add_domain_check(d, name.clone(), e, src, !not_valid)?;
                    if !not_valid {
                        self.validate_domain_check(d, &c)?;
                    }
                }
            },
            AlterDomain::DropConstraint {
                if_exists, name, ..
            } => {
                let before = self.cat.constraints.len();
                self.cat
                    .constraints
                    .retain(|c| !(c.table == d.oid && &c.name == name));
                if before == self.cat.constraints.len() {
                    if *if_exists {
                        self.notices.push(super::notice(format!(
                            "constraint \"{name}\" of domain \"{}\" does not exist, skipping",
                            d.name
                        )));
                        return Ok(());
                    }
                    return Err(PgError::new(
                        sqlstate::UNDEFINED_OBJECT,
                        format!(
                            "constraint \"{name}\" of domain \"{}\" does not exist",
                            d.name
                        ),
                    ));
                }
            }
            AlterDomain::RenameConstraint { name, new_name } => {
                if self.cat.constraints_of(d.oid).any(|c| &c.name == new_name) {
                    return Err(PgError::new(
                        sqlstate::DUPLICATE_OBJECT,
                        format!(
                            "constraint \"{new_name}\" for domain \"{}\" already exists",
                            d.name
                        ),
                    ));
                }
                let Some(c) = self
                    .cat
                    .constraints
                    .iter_mut()
                    .find(|c| c.table == d.oid && &c.name == name)
                else {
                    return Err(PgError::new(
                        sqlstate::UNDEFINED_OBJECT,
                        format!("constraint \"{name}\" for domain {} does not exist", d.name),
                    ));
                };
                Arc::make_mut(c).name = new_name.clone();
            }
            AlterDomain::ValidateConstraint(name) => {
                let Some(c) = self
                    .cat
                    .constraints_of(d.oid)
                    .find(|c| &c.name == name)
                    .cloned()
                else {
                    return Err(PgError::new(
                        sqlstate::UNDEFINED_OBJECT,
                        format!(
                            "constraint \"{name}\" of domain \"{}\" does not exist",
                            d.name
                        ),
                    ));
                };
                self.validate_domain_check(d, &c)?;
                if let Some(x) = self.cat.constraints.iter_mut().find(|x| x.oid == c.oid) {
                    Arc::make_mut(x).validated = true;
                }
            }
            AlterDomain::Owner(r) => {
                let role = self.cat.role_by_name(r).ok_or_else(|| {
                    PgError::new(
                        sqlstate::UNDEFINED_OBJECT,
                        format!("role \"{r}\" does not exist"),
                    )
                })?;
                self.cat.set_owner(d.oid, role.oid);
                self.cat.set_owner(d.array, role.oid);
            }
            AlterDomain::Rename(new) => {
                let taken = self.cat.domain_in(d.namespace, new).is_some()
                    || self.cat.enum_type_in(d.namespace, new).is_some()
                    || self
                        .cat
                        .relation_in(d.namespace, new)
                        .is_some_and(|(k, _)| k != crate::catalog::RelKind::Index);
                if taken {
                    return Err(PgError::new(
                        sqlstate::DUPLICATE_OBJECT,
                        format!("type \"{new}\" already exists"),
                    ));
                }
                let mut n = (**d).clone();
                n.name = new.clone();
                replace(self.cat, n);
            }
        }
        self.changed = true;
        Ok(())
    }

    /// 23514 if a value a column of domain `d` holds fails CHECK `c`.
    fn validate_domain_check(&self, d: &DomainType, c: &ConstraintDesc) -> PgResult<()> {
        let Some(src) = c.check() else {
            return Ok(());
        };
        let e = crate::parser::parse_expr(src)?;
        let mut a = Analyzer::new(self.text, &[]).with_catalog(Arc::new(self.cat.clone()));
        let x = a.domain_check_expr(d, &e)?;
        if self.cat.domain_columns(d.oid).is_empty() {
            return Ok(());
        }
        let ctx = self.ctx()?;
        self.check_domain_columns(d, &|v, t, col| {
            let r = eval(&x, std::slice::from_ref(v), ctx)?;
            Ok(matches!(r, Value::Bool(false)).then(|| {
                PgError::new(
                    sqlstate::CHECK_VIOLATION,
                    format!(
                        "column \"{}\" of table \"{}\" contains values that violate the new constraint",
                        t.columns[col].name, t.name
                    ),
                )
            }))
        })
    }

    fn drop_domain(&mut self, d: &DomainType, cascade: bool) -> PgResult<()> {
        let users: Vec<String> = self
            .cat
            .domain_columns(d.oid)
            .into_iter()
            .filter_map(|(t, n)| {
                let table = self.cat.table_by_oid(t)?;
                Some(format!(
                    "column {} of table {} depends on type {}",
                    table.columns[n - 1].name,
                    table.name,
                    d.name
                ))
            })
            .collect();
        if !users.is_empty() {
            if cascade {
                return Err(PgError::not_supported(
                    "DROP DOMAIN ... CASCADE of a domain that columns use",
                ));
            }
            return Err(PgError::new(
                sqlstate::DEPENDENT_OBJECTS_STILL_EXIST,
                format!(
                    "cannot drop type {} because other objects depend on it",
                    d.name
                ),
            )
            .with_detail(users.join("\n"))
            .with_hint("Use DROP ... CASCADE to drop the dependent objects too."));
        }
        self.cat.domains.retain(|x| x.oid != d.oid);
        self.cat.constraints.retain(|c| c.table != d.oid);
        self.cat.owners.remove(&d.oid);
        self.cat.owners.remove(&d.array);
        Ok(())
    }
}
