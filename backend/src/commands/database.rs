//! CREATE, DROP and ALTER DATABASE (PostgreSQL's dbcommands): option
//! checks with PostgreSQL's errors, the copy of the template, the drop of
//! a database's files. Where things live and what makes each command
//! atomic across a crash: `catalog/database.rs`. The caller (the traffic
//! cop) holds the catalog change lock, so that no catalog changes while a
//! template is copied, and refuses CREATE and DROP inside a transaction
//! block. Each command changes the session's (merged) catalog, whose
//! shared part holds pg_database; the caller installs it as the
//! transaction's change, which commits or rolls back with it.

#![forbid(unsafe_code)]

use std::path::Path;

use shmem::Segment;

use crate::catalog::database::{self as db, DatabaseDesc};
use crate::catalog::Catalog;
use crate::error::{sqlstate, PgError, PgResult, Severity};
use crate::parser::database::{DbOption, OptValue};
use crate::types::Oid;

/// What the commands need of the session and the server.
pub struct DbEnv<'a> {
    pub data_dir: &'a Path,
    pub segment: Segment,
    /// This backend's slot (not counted as another session).
    pub my_slot: usize,
    /// The session's database and current role.
    pub current: Oid,
    pub role: Oid,
    /// Character offset of the statement in the query string (option
    /// positions are relative to the statement).
    pub offset: usize,
}

/// The backend slots of the other client sessions (not this one) whose
/// activity snapshot satisfies `pred`.
fn other_sessions_where(
    env: &DbEnv,
    pred: impl Fn(&shmem::backend_table::BackendSnapshot) -> bool,
) -> Vec<usize> {
    let table = env.segment.backend_table();
    table
        .slots()
        .iter()
        .enumerate()
        .filter(|(i, s)| *i != env.my_slot && s.is_in_use())
        .filter(|(i, s)| {
            let snap = s.snapshot(*i);
            snap.state.has_client() && pred(&snap)
        })
        .map(|(i, _)| i)
        .collect()
}

/// The backend slots of the sessions connected to database `name`, other
/// than this one.
pub fn other_sessions(env: &DbEnv, name: &str) -> Vec<usize> {
    other_sessions_where(env, |snap| snap.datname == name)
}

/// The slots of the other sessions of role `role` (by name), in any
/// database (a role's CONNECTION LIMIT).
pub fn other_sessions_of_role(env: &DbEnv, role: &str) -> Vec<usize> {
    other_sessions_where(env, |snap| snap.usename == role)
}

fn with_severity(e: PgError, severity: Severity) -> PgError {
    PgError { severity, ..e }
}

fn in_use(what: String, n: usize) -> PgError {
    PgError::new(sqlstate::OBJECT_IN_USE, what).with_detail(if n == 1 {
        "There is 1 other session using the database.".to_owned()
    } else {
        format!("There are {n} other sessions using the database.")
    })
}

fn option_error(env: &DbEnv, o: &DbOption, msg: String) -> PgError {
    PgError::new(sqlstate::SYNTAX_ERROR, msg).with_position(o.position + env.offset)
}

fn text_of(v: &OptValue) -> String {
    match v {
        OptValue::Default => "default".into(),
        OptValue::Number(n) | OptValue::Text(n) => n.clone(),
    }
}

/// defGetBoolean.
fn boolean(o: &DbOption) -> PgResult<bool> {
    let s = text_of(&o.value).to_lowercase();
    match s.as_str() {
        "true" | "on" | "1" | "t" | "yes" | "y" => Ok(true),
        "false" | "off" | "0" | "f" | "no" | "n" => Ok(false),
        _ => Err(PgError::new(
            sqlstate::SYNTAX_ERROR,
            format!("{} requires a Boolean value", o.name),
        )),
    }
}

/// defGetInt32.
fn int32(o: &DbOption) -> PgResult<i32> {
    match &o.value {
        OptValue::Number(n) => n.parse().map_err(|_| {
            PgError::new(
                sqlstate::SYNTAX_ERROR,
                format!("{} requires an integer value", o.name),
            )
        }),
        _ => Err(PgError::new(
            sqlstate::SYNTAX_ERROR,
            format!("{} requires an integer value", o.name),
        )),
    }
}

fn connection_limit(o: &DbOption) -> PgResult<i32> {
    let n = int32(o)?;
    if n < -1 {
        return Err(PgError::new(
            sqlstate::INVALID_PARAMETER_VALUE,
            format!("invalid connection limit: {n}"),
        ));
    }
    Ok(n)
}

/// The role named `name` (42704 when there is none).
fn role(cat: &Catalog, name: &str) -> PgResult<Oid> {
    cat.role_by_name(name).map(|r| r.oid).ok_or_else(|| {
        PgError::new(
            sqlstate::UNDEFINED_OBJECT,
            format!("role \"{name}\" does not exist"),
        )
    })
}

/// 42501 "must be owner of database name" unless the session's role has
/// the owner's privileges.
fn check_owner(env: &DbEnv, cat: &Catalog, d: &DatabaseDesc) -> PgResult<()> {
    if cat.has_privs_of_role(env.role, d.owner) {
        return Ok(());
    }
    Err(PgError::new(
        sqlstate::INSUFFICIENT_PRIVILEGE,
        format!("must be owner of database {}", d.name),
    ))
}

/// 42501 unless the session's role is a superuser or has CREATEDB.
fn check_createdb(env: &DbEnv, cat: &Catalog, what: &str) -> PgResult<()> {
    if cat.is_superuser(env.role) || cat.role(env.role).is_some_and(|r| r.createdb) {
        return Ok(());
    }
    Err(PgError::new(
        sqlstate::INSUFFICIENT_PRIVILEGE,
        format!("permission denied to {what} database"),
    ))
}

/// PostgreSQL's encoding names (pg_enc2name), for telling a valid but
/// unsupported encoding from an invalid one.
const ENCODINGS: &[&str] = &[
    "SQL_ASCII",
    "EUC_JP",
    "EUC_CN",
    "EUC_KR",
    "EUC_TW",
    "EUC_JIS_2004",
    "UTF8",
    "MULE_INTERNAL",
    "LATIN1",
    "LATIN2",
    "LATIN3",
    "LATIN4",
    "LATIN5",
    "LATIN6",
    "LATIN7",
    "LATIN8",
    "LATIN9",
    "LATIN10",
    "WIN1256",
    "WIN1258",
    "WIN866",
    "WIN874",
    "KOI8R",
    "WIN1251",
    "WIN1252",
    "ISO_8859_5",
    "ISO_8859_6",
    "ISO_8859_7",
    "ISO_8859_8",
    "WIN1250",
    "WIN1253",
    "WIN1254",
    "WIN1255",
    "WIN1257",
    "KOI8U",
    "SJIS",
    "BIG5",
    "GBK",
    "UHC",
    "GB18030",
    "JOHAB",
    "SHIFT_JIS_2004",
];

/// The encoding an ENCODING option names: Ok(None) for UTF8 (the only
/// one pgfork stores), Ok(Some(name)) for another valid one.
fn encoding(env: &DbEnv, o: &DbOption) -> PgResult<Option<String>> {
    let name = match &o.value {
        OptValue::Default => return Ok(None),
        OptValue::Number(n) => {
            let code: i64 = n.parse().unwrap_or(-1);
            return match usize::try_from(code).ok().and_then(|c| ENCODINGS.get(c)) {
                Some(&"UTF8") => Ok(None),
                Some(e) => Ok(Some((*e).to_owned())),
                None => Err(PgError::new(
                    sqlstate::UNDEFINED_OBJECT,
                    format!("{n} is not a valid encoding code"),
                )
                .with_position(o.position + env.offset)),
            };
        }
        OptValue::Text(s) => s.clone(),
    };
    let norm: String = name
        .chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .collect::<String>()
        .to_uppercase();
    if norm == "UTF8" || norm == "UNICODE" {
        return Ok(None);
    }
    match ENCODINGS.iter().find(|e| e.replace('_', "") == norm) {
        Some(e) => Ok(Some((*e).to_owned())),
        None => Err(PgError::new(
            sqlstate::UNDEFINED_OBJECT,
            format!("{name} is not a valid encoding name"),
        )
        .with_position(o.position + env.offset)),
    }
}

fn valid_locale(l: &str) -> bool {
    matches!(l, "C" | "POSIX" | "C.UTF-8" | "C.utf8")
}

/// What CREATE DATABASE's options ask for.
struct CreateOptions {
    owner: Option<String>,
    template: Option<String>,
    encoding: Option<String>,
    collate: Option<String>,
    ctype: Option<String>,
    conn_limit: i32,
    is_template: bool,
    allow_conn: bool,
}

fn create_options(
    env: &DbEnv,
    options: &[DbOption],
    notices: &mut Vec<PgError>,
) -> PgResult<CreateOptions> {
    let mut seen: Vec<&str> = Vec::new();
    let mut o = CreateOptions {
        owner: None,
        template: None,
        encoding: None,
        collate: None,
        ctype: None,
        conn_limit: -1,
        is_template: false,
        allow_conn: true,
    };
    let mut locale = None;
    let mut provider = None;
    let mut icu = None;
    for opt in options {
        let name = opt.name.as_str();
        if name == "location" {
            notices.push(with_severity(
                PgError::new(
                    sqlstate::FEATURE_NOT_SUPPORTED,
                    "LOCATION is not supported anymore",
                )
                .with_hint("Consider using tablespaces instead.")
                .with_position(opt.position + env.offset),
                Severity::Warning,
            ));
            continue;
        }
        const KNOWN: &[&str] = &[
            "tablespace",
            "owner",
            "template",
            "encoding",
            "locale",
            "lc_collate",
            "lc_ctype",
            "icu_locale",
            "locale_provider",
            "collation_version",
            "connection_limit",
            "is_template",
            "allow_connections",
            "oid",
            "strategy",
        ];
        if !KNOWN.contains(&name) {
            return Err(option_error(
                env,
                opt,
                format!("option \"{name}\" not recognized"),
            ));
        }
        if seen.contains(&name) {
            return Err(option_error(
                env,
                opt,
                "conflicting or redundant options".into(),
            ));
        }
        seen.push(name);
        let given = |v: &OptValue| (*v != OptValue::Default).then(|| text_of(v));
        match name {
            "owner" => o.owner = given(&opt.value),
            "template" => o.template = given(&opt.value),
            "encoding" => o.encoding = encoding(env, opt)?,
            "locale" => locale = given(&opt.value),
            "lc_collate" => o.collate = given(&opt.value),
            "lc_ctype" => o.ctype = given(&opt.value),
            "icu_locale" => icu = given(&opt.value),
            "locale_provider" => provider = given(&opt.value),
            "connection_limit" => o.conn_limit = connection_limit(opt)?,
            "is_template" => o.is_template = boolean(opt)?,
            "allow_connections" => o.allow_conn = boolean(opt)?,
            "tablespace" => {
                if let Some(t) = given(&opt.value) {
                    if t != "pg_default" {
                        return Err(PgError::new(
                            sqlstate::UNDEFINED_OBJECT,
                            format!("tablespace \"{t}\" does not exist"),
                        ));
                    }
                }
            }
            "oid" => {
                let n = int32(opt)?;
                if (n as u32) < crate::catalog::FIRST_USER_OID {
                    return Err(PgError::new(
                        sqlstate::INVALID_PARAMETER_VALUE,
                        "OIDs less than 16384 are reserved for system objects",
                    ));
                }
                return Err(PgError::not_supported("CREATE DATABASE with a given OID"));
            }
            "strategy" => {
                if let Some(s) = given(&opt.value) {
                    let l = s.to_lowercase();
                    if l != "wal_log" && l != "file_copy" {
                        return Err(PgError::new(
                            sqlstate::INVALID_PARAMETER_VALUE,
                            format!("invalid create database strategy \"{s}\""),
                        )
                        .with_hint("Valid strategies are \"wal_log\" and \"file_copy\"."));
                    }
                }
            }
            _ => {
                return Err(PgError::not_supported(format!(
                    "CREATE DATABASE option {name}"
                )))
            }
        }
    }
    if let Some(l) = locale {
        o.collate.get_or_insert(l.clone());
        o.ctype.get_or_insert(l);
    }
    match provider.as_deref().map(str::to_lowercase).as_deref() {
        None | Some("libc") => {
            if icu.is_some() {
                return Err(PgError::new(
                    "42P17",
                    "ICU locale cannot be specified unless locale provider is ICU",
                ));
            }
        }
        Some("icu") if icu.is_none() => {
            return Err(PgError::new(
                sqlstate::INVALID_PARAMETER_VALUE,
                "ICU locale must be specified",
            ))
        }
        Some("icu") => return Err(PgError::not_supported("the ICU locale provider")),
        Some(_) => {
            return Err(PgError::new(
                "42P17",
                format!(
                    "unrecognized locale provider: {}",
                    provider.unwrap_or_default()
                ),
            ))
        }
    }
    for l in [&o.collate, &o.ctype].into_iter().flatten() {
        if !valid_locale(l) {
            return Err(PgError::new(
                "42809",
                format!("invalid locale name: \"{l}\""),
            ));
        }
    }
    if seen.contains(&"collation_version") {
        return Err(PgError::not_supported("COLLATION_VERSION"));
    }
    Ok(o)
}

/// CREATE DATABASE: checks, then copies the template (see
/// `catalog/database.rs` for the steps and what a crash leaves). Returns
/// the new database's OID and catalog, for the caller to write in its
/// catalog relation with the transaction.
pub fn create(
    env: &DbEnv,
    cat: &mut Catalog,
    name: &str,
    options: &[DbOption],
    notices: &mut Vec<PgError>,
) -> PgResult<Option<(Oid, Catalog)>> {
    let o = create_options(env, options, notices)?;
    check_createdb(env, cat, "create")?;
    let owner = match &o.owner {
        Some(r) => {
            let r = role(cat, r)?;
            if !cat.is_member_of_role(env.role, r) {
                return Err(PgError::new(
                    sqlstate::INSUFFICIENT_PRIVILEGE,
                    format!(
                        "must be member of role \"{}\"",
                        cat.role_name(r).unwrap_or_default()
                    ),
                ));
            }
            r
        }
        None => env.role,
    };
    let dbs: Vec<DatabaseDesc> = cat.databases.iter().map(|d| (**d).clone()).collect();
    let tname = o.template.as_deref().unwrap_or("template1");
    let template = dbs
        .iter()
        .find(|d| d.name == tname)
        .cloned()
        .ok_or_else(|| {
            PgError::new(
                sqlstate::UNDEFINED_DATABASE,
                format!("template database \"{tname}\" does not exist"),
            )
        })?;
    if let Some(e) = &o.encoding {
        if template.oid != db::TEMPLATE0_OID {
            return Err(PgError::new(
                sqlstate::INVALID_PARAMETER_VALUE,
                format!("new encoding ({e}) is incompatible with the encoding of the template database (UTF8)"),
            )
            .with_hint("Use the same encoding as in the template database, or use template0 as template."));
        }
        return Err(PgError::not_supported(format!("encoding {e}")));
    }
    let collate = o
        .collate
        .clone()
        .unwrap_or_else(|| template.collate.clone());
    let ctype = o.ctype.clone().unwrap_or_else(|| template.ctype.clone());
    if template.oid != db::TEMPLATE0_OID {
        if collate != template.collate {
            return Err(PgError::new(
                sqlstate::INVALID_PARAMETER_VALUE,
                format!("new collation ({collate}) is incompatible with the collation of the template database ({})", template.collate),
            )
            .with_hint("Use the same collation as in the template database, or use template0 as template."));
        }
        if ctype != template.ctype {
            return Err(PgError::new(
                sqlstate::INVALID_PARAMETER_VALUE,
                format!("new LC_CTYPE ({ctype}) is incompatible with the LC_CTYPE of the template database ({})", template.ctype),
            )
            .with_hint("Use the same LC_CTYPE as in the template database, or use template0 as template."));
        }
    }
    if dbs.iter().any(|d| d.name == name) {
        return Err(PgError::new(
            sqlstate::DUPLICATE_DATABASE,
            format!("database \"{name}\" already exists"),
        ));
    }
    let busy = |env: &DbEnv| -> PgResult<()> {
        let others = other_sessions(env, &template.name);
        if !others.is_empty() {
            return Err(in_use(
                format!(
                    "source database \"{}\" is being accessed by other users",
                    template.name
                ),
                others.len(),
            ));
        }
        Ok(())
    };
    busy(env)?;
    // The template's pages on disk (PostgreSQL's FILE_COPY checkpoint).
    shmem::wal::checkpoint::checkpoint(&env.segment, false)
        .map_err(|e| crate::error::wal_error(e, "checkpoint failed"))?;
    let tcat = crate::catalog::read_committed(&env.segment, template.oid)?;
    // OIDs are cluster-wide: the session's catalog holds the counter (the
    // shared part), under the catalog change lock.
    let oid = cat.alloc_oid();
    let (mut newcat, map) = db::renumber(&tcat, &mut || cat.alloc_oid());
    newcat.next_oid = cat.next_oid;
    let result = (|| -> PgResult<()> {
        let smgr = env.segment.data_dir().smgr();
        for (old, new) in &map {
            copy_file(&smgr.rel_path(*old), &smgr.rel_path(*new))?;
            crate::catalog::statistic::copy(env.data_dir, *old, *new)?;
        }
        smgr.fsync_base_dir().map_err(PgError::from)?;
        busy(env)?;
        cat.databases.push(std::sync::Arc::new(DatabaseDesc {
            oid,
            name: name.to_owned(),
            owner,
            encoding: crate::catalog::builtin::UTF8_ENCODING,
            collate,
            ctype,
            is_template: o.is_template,
            allow_conn: o.allow_conn,
            conn_limit: o.conn_limit,
        }));
        Ok(())
    })();
    if result.is_err() {
        let copies: Vec<u32> = map.values().copied().collect();
        crate::catalog::drop_relation_files(&env.segment, &copies);
        return result.map(|()| None);
    }
    Ok(Some((oid, newcat)))
}

/// Copies a relation file and fsyncs the copy (a missing source: an
/// empty relation that never got a file).
fn copy_file(from: &Path, to: &Path) -> PgResult<()> {
    use std::os::unix::fs::OpenOptionsExt;
    let err = |e: std::io::Error| {
        PgError::new(
            sqlstate::IO_ERROR,
            format!(
                "could not copy file \"{}\" to \"{}\": {e}",
                from.display(),
                to.display()
            ),
        )
    };
    let mut src = match std::fs::File::open(from) {
        Ok(f) => f,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(()),
        Err(e) => return Err(err(e)),
    };
    let mut dst = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(to)
        .map_err(err)?;
    std::io::copy(&mut src, &mut dst).map_err(err)?;
    dst.sync_all().map_err(err)
}

/// DROP DATABASE. `terminate` ends the given sessions (WITH (FORCE)) and
/// returns once they are gone (or after a few seconds).
pub fn drop(
    env: &DbEnv,
    cat: &mut Catalog,
    if_exists: bool,
    name: &str,
    force: bool,
    terminate: &dyn Fn(&[usize]),
    notices: &mut Vec<PgError>,
) -> PgResult<bool> {
    let Some(pos) = cat.databases.iter().position(|d| d.name == name) else {
        if if_exists {
            notices.push(with_severity(
                PgError::new(
                    "00000",
                    format!("database \"{name}\" does not exist, skipping"),
                ),
                Severity::Notice,
            ));
            return Ok(false);
        }
        return Err(db::undefined(name));
    };
    let d = (*cat.databases[pos]).clone();
    check_owner(env, cat, &d)?;
    if d.is_template {
        return Err(PgError::new("42809", "cannot drop a template database"));
    }
    if d.oid == env.current {
        return Err(PgError::new(
            sqlstate::OBJECT_IN_USE,
            "cannot drop the currently open database",
        ));
    }
    let others = other_sessions(env, name);
    if !others.is_empty() {
        if !force {
            return Err(in_use(
                format!("database \"{name}\" is being accessed by other users"),
                others.len(),
            ));
        }
        terminate(&others);
        let left = other_sessions(env, name);
        if !left.is_empty() {
            return Err(in_use(
                format!("database \"{name}\" is being accessed by other users"),
                left.len(),
            ));
        }
    }
    cat.databases.remove(pos);
    cat.prune_db_role_settings();
    cat.prune_shared_comments();
    cat.acls.remove(&('d', d.oid));
    // A session connecting now finds the database gone once this commits
    // (it checks again after showing itself in the backend table).
    Ok(true)
}

/// ALTER DATABASE name RENAME TO new_name.
pub fn rename(env: &DbEnv, cat: &mut Catalog, name: &str, new_name: &str) -> PgResult<bool> {
    let Some(pos) = cat.databases.iter().position(|d| d.name == name) else {
        return Err(db::undefined(name));
    };
    check_owner(env, cat, &cat.databases[pos].clone())?;
    check_createdb(env, cat, "rename")?;
    if cat.databases.iter().any(|d| d.name == new_name) {
        return Err(PgError::new(
            sqlstate::DUPLICATE_DATABASE,
            format!("database \"{new_name}\" already exists"),
        ));
    }
    if cat.databases[pos].oid == env.current {
        return Err(PgError::new(
            sqlstate::FEATURE_NOT_SUPPORTED,
            "current database cannot be renamed",
        ));
    }
    let others = other_sessions(env, name);
    if !others.is_empty() {
        return Err(in_use(
            format!("database \"{name}\" is being accessed by other users"),
            others.len(),
        ));
    }
    std::sync::Arc::make_mut(&mut cat.databases[pos]).name = new_name.to_owned();
    Ok(true)
}

/// ALTER DATABASE name OWNER TO role.
pub fn owner(env: &DbEnv, cat: &mut Catalog, name: &str, owner: &str) -> PgResult<bool> {
    let new = role(cat, owner)?;
    let Some(pos) = cat.databases.iter().position(|d| d.name == name) else {
        return Err(db::undefined(name));
    };
    if cat.databases[pos].owner == new {
        return Ok(false);
    }
    check_owner(env, cat, &cat.databases[pos].clone())?;
    if !cat.is_member_of_role(env.role, new) {
        return Err(PgError::new(
            sqlstate::INSUFFICIENT_PRIVILEGE,
            format!("must be member of role \"{owner}\""),
        ));
    }
    check_createdb(env, cat, "change owner of")?;
    std::sync::Arc::make_mut(&mut cat.databases[pos]).owner = new;
    Ok(true)
}

/// ALTER DATABASE name [WITH] option ...: ALLOW_CONNECTIONS, CONNECTION
/// LIMIT, IS_TEMPLATE.
pub fn alter(env: &DbEnv, cat: &mut Catalog, name: &str, options: &[DbOption]) -> PgResult<bool> {
    let mut seen: Vec<&str> = Vec::new();
    for o in options {
        if ![
            "allow_connections",
            "connection_limit",
            "is_template",
            "tablespace",
        ]
        .contains(&o.name.as_str())
        {
            return Err(option_error(
                env,
                o,
                format!("option \"{}\" not recognized", o.name),
            ));
        }
        if seen.contains(&o.name.as_str()) {
            return Err(option_error(
                env,
                o,
                "conflicting or redundant options".into(),
            ));
        }
        seen.push(&o.name);
    }
    let Some(pos) = cat.databases.iter().position(|d| d.name == name) else {
        return Err(db::undefined(name));
    };
    let mut d = (*cat.databases[pos]).clone();
    check_owner(env, cat, &d)?;
    for o in options {
        match o.name.as_str() {
            "allow_connections" => d.allow_conn = boolean(o)?,
            "connection_limit" => d.conn_limit = connection_limit(o)?,
            "is_template" => d.is_template = boolean(o)?,
            _ => return Err(PgError::not_supported("ALTER DATABASE SET TABLESPACE")),
        }
    }
    if !d.allow_conn && d.oid == env.current {
        return Err(PgError::new(
            sqlstate::INVALID_PARAMETER_VALUE,
            "cannot disallow connections for current database",
        ));
    }
    cat.databases[pos] = std::sync::Arc::new(d);
    Ok(true)
}
