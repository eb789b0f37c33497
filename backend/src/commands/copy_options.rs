//! COPY's options read as PostgreSQL's ProcessCopyOptions reads them:
//! FORMAT text, csv or binary, DELIMITER, NULL, HEADER [MATCH], QUOTE,
//! ESCAPE, FORCE_QUOTE, FORCE_NOT_NULL, FORCE_NULL, ENCODING and FREEZE,
//! in the parenthesized list or in the pre-9.0 syntax (`WITH CSV HEADER
//! DELIMITER AS ',' NULL AS ''`), with PostgreSQL's checks and messages;
//! then the FORCE_* column lists resolved against the copied columns.

use sqlparser::ast;

use super::copy::{CopyFormat, Header};
use crate::error::{sqlstate, PgError, PgResult};
use crate::parser::ident;

use crate::parser::{COPY_ALL_COLUMNS as ALL_COLUMNS, COPY_NOT_ONE_BYTE as NOT_ONE_BYTE};

/// The FORCE_* column lists as written.
#[derive(Default)]
pub struct ForceLists {
    quote: Option<Vec<String>>,
    not_null: Option<Vec<String>>,
    null: Option<Vec<String>>,
}

#[derive(Default)]
struct Raw {
    format: Option<String>,
    freeze: Option<bool>,
    delimiter: Option<char>,
    null: Option<String>,
    header: Option<Header>,
    quote: Option<char>,
    escape: Option<char>,
    encoding: Option<String>,
    force: ForceLists,
}

fn conflicting() -> PgError {
    PgError::new(sqlstate::SYNTAX_ERROR, "conflicting or redundant options")
}

fn set<T>(slot: &mut Option<T>, v: T) -> PgResult<()> {
    if slot.replace(v).is_some() {
        return Err(conflicting());
    }
    Ok(())
}

fn names(cols: &[ast::Ident]) -> Vec<String> {
    cols.iter().map(ident).collect()
}

fn not_supported(msg: &str) -> PgError {
    PgError::new(sqlstate::FEATURE_NOT_SUPPORTED, msg)
}

fn invalid(msg: impl Into<String>) -> PgError {
    PgError::new(sqlstate::INVALID_PARAMETER_VALUE, msg)
}

/// PostgreSQL's server encoding names other than UTF8 (pg_enc2name).
const OTHER_ENCODINGS: &[&str] = &[
    "sql_ascii",
    "euc_jp",
    "euc_cn",
    "euc_kr",
    "euc_tw",
    "euc_jis_2004",
    "mule_internal",
    "latin1",
    "latin2",
    "latin3",
    "latin4",
    "latin5",
    "latin6",
    "latin7",
    "latin8",
    "latin9",
    "latin10",
    "win1256",
    "win1258",
    "win866",
    "win874",
    "koi8r",
    "win1251",
    "win1252",
    "iso_8859_5",
    "iso_8859_6",
    "iso_8859_7",
    "iso_8859_8",
    "win1250",
    "win1253",
    "win1254",
    "win1255",
    "win1257",
    "koi8u",
    "sjis",
    "big5",
    "gbk",
    "uhc",
    "gb18030",
    "johab",
    "shift_jis_2004",
];

/// Reads the options into a format (its FORCE_* lists still by name):
/// `is_from` for COPY FROM, `header_match` when HEADER was `MATCH`.
pub fn copy_format(
    options: &[ast::CopyOption],
    legacy: &[ast::CopyLegacyOption],
    is_from: bool,
    header_match: bool,
) -> PgResult<(CopyFormat, ForceLists)> {
    let mut r = Raw::default();
    let header_choice = |on: bool| -> PgResult<Header> {
        match (on, header_match) {
            (false, _) => Ok(Header::No),
            (true, false) => Ok(Header::Yes),
            (true, true) if is_from => Ok(Header::Match),
            (true, true) => Err(not_supported("cannot use \"match\" with HEADER in COPY TO")),
        }
    };
    for o in options {
        match o {
            ast::CopyOption::Format(f) => set(&mut r.format, f.value.to_ascii_lowercase())?,
            ast::CopyOption::Freeze(b) => set(&mut r.freeze, *b)?,
            ast::CopyOption::Delimiter(c) => set(&mut r.delimiter, *c)?,
            ast::CopyOption::Null(n) => set(&mut r.null, n.clone())?,
            ast::CopyOption::Header(b) => set(&mut r.header, header_choice(*b)?)?,
            ast::CopyOption::Quote(c) => set(&mut r.quote, *c)?,
            ast::CopyOption::Escape(c) => set(&mut r.escape, *c)?,
            ast::CopyOption::ForceQuote(c) => set(&mut r.force.quote, names(c))?,
            ast::CopyOption::ForceNotNull(c) => set(&mut r.force.not_null, names(c))?,
            ast::CopyOption::ForceNull(c) => set(&mut r.force.null, names(c))?,
            ast::CopyOption::Encoding(e) => set(&mut r.encoding, e.clone())?,
        }
    }
    for o in legacy {
        match o {
            ast::CopyLegacyOption::Binary => set(&mut r.format, "binary".to_owned())?,
            ast::CopyLegacyOption::Delimiter(c) => set(&mut r.delimiter, *c)?,
            ast::CopyLegacyOption::Null(n) => set(&mut r.null, n.clone())?,
            ast::CopyLegacyOption::Csv(csv) => {
                set(&mut r.format, "csv".to_owned())?;
                for c in csv {
                    match c {
                        ast::CopyLegacyCsvOption::Header => {
                            set(&mut r.header, header_choice(true)?)?
                        }
                        ast::CopyLegacyCsvOption::Quote(q) => set(&mut r.quote, *q)?,
                        ast::CopyLegacyCsvOption::Escape(e) => set(&mut r.escape, *e)?,
                        ast::CopyLegacyCsvOption::ForceQuote(c) => {
                            set(&mut r.force.quote, names(c))?
                        }
                        ast::CopyLegacyCsvOption::ForceNotNull(c) => {
                            set(&mut r.force.not_null, names(c))?
                        }
                    }
                }
            }
            other => {
                return Err(PgError::new(
                    sqlstate::SYNTAX_ERROR,
                    format!("option \"{other}\" not recognized"),
                ))
            }
        }
    }
    check(r, is_from)
}

/// ProcessCopyOptions' checks, in its order.
fn check(r: Raw, is_from: bool) -> PgResult<(CopyFormat, ForceLists)> {
    let (binary, csv) = match r.format.as_deref() {
        None | Some("text") => (false, false),
        Some("csv") => (false, true),
        Some("binary") => (true, false),
        Some(other) => return Err(invalid(format!("COPY format \"{other}\" not recognized"))),
    };
    if let Some(e) = &r.encoding {
        let e = e.to_ascii_lowercase().replace('-', "");
        if !matches!(e.as_str(), "utf8" | "unicode") {
            if OTHER_ENCODINGS.contains(&e.as_str()) {
                return Err(not_supported(
                    "COPY ENCODING other than UTF8 is not supported yet",
                ));
            }
            return Err(invalid(
                "argument to option \"encoding\" must be a valid encoding name",
            ));
        }
    }
    if binary && r.delimiter.is_some() {
        return Err(PgError::new(
            sqlstate::SYNTAX_ERROR,
            "cannot specify DELIMITER in BINARY mode",
        ));
    }
    if binary && r.null.is_some() {
        return Err(PgError::new(
            sqlstate::SYNTAX_ERROR,
            "cannot specify NULL in BINARY mode",
        ));
    }
    let mut f = if csv {
        CopyFormat::csv()
    } else {
        CopyFormat {
            binary,
            ..CopyFormat::default()
        }
    };
    if let Some(d) = r.delimiter {
        if d == NOT_ONE_BYTE || !d.is_ascii() {
            return Err(not_supported(
                "COPY delimiter must be a single one-byte character",
            ));
        }
        f.delimiter = d as u8;
    }
    if f.delimiter == b'\n' || f.delimiter == b'\r' {
        return Err(invalid(
            "COPY delimiter cannot be newline or carriage return",
        ));
    }
    if let Some(n) = r.null {
        if n.contains(['\n', '\r']) {
            return Err(invalid(
                "COPY null representation cannot use newline or carriage return",
            ));
        }
        f.null = n.into_bytes();
    }
    if !csv && b"\\.abcdefghijklmnopqrstuvwxyz0123456789".contains(&f.delimiter) {
        return Err(invalid(format!(
            "COPY delimiter cannot be \"{}\"",
            f.delimiter as char
        )));
    }
    f.header = r.header.unwrap_or_default();
    if binary && f.header != Header::No {
        return Err(not_supported("cannot specify HEADER in BINARY mode"));
    }
    if let Some(q) = r.quote {
        if !csv {
            return Err(not_supported("COPY quote available only in CSV mode"));
        }
        if q == NOT_ONE_BYTE || !q.is_ascii() {
            return Err(not_supported(
                "COPY quote must be a single one-byte character",
            ));
        }
        f.quote = q as u8;
        f.escape = q as u8;
    }
    if csv && f.delimiter == f.quote {
        return Err(invalid("COPY delimiter and quote must be different"));
    }
    if let Some(e) = r.escape {
        if !csv {
            return Err(not_supported("COPY escape available only in CSV mode"));
        }
        if e == NOT_ONE_BYTE || !e.is_ascii() {
            return Err(not_supported(
                "COPY escape must be a single one-byte character",
            ));
        }
        f.escape = e as u8;
    }
    let lists = [
        (r.force.quote.is_some(), "force quote", !is_from, "TO"),
        (
            r.force.not_null.is_some(),
            "force not null",
            is_from,
            "FROM",
        ),
        (r.force.null.is_some(), "force null", is_from, "FROM"),
    ];
    for (given, what, direction_ok, direction) in lists {
        if given && !csv {
            return Err(not_supported(&format!(
                "COPY {what} available only in CSV mode"
            )));
        }
        if given && !direction_ok {
            return Err(not_supported(&format!(
                "COPY {what} only available using COPY {direction}"
            )));
        }
    }
    if f.null.contains(&f.delimiter) {
        return Err(invalid(
            "COPY delimiter must not appear in the NULL specification",
        ));
    }
    if csv && f.null.contains(&f.quote) {
        return Err(invalid(
            "CSV quote character must not appear in the NULL specification",
        ));
    }
    Ok((f, r.force))
}

impl ForceLists {
    /// Sets the format's copied column names and turns the FORCE_* lists
    /// into flags per copied column; `all` lists every column the name
    /// may refer to (the table's, or the query's), `relation` the table.
    pub fn resolve(
        self,
        f: &mut CopyFormat,
        copied: Vec<String>,
        all: &[String],
        relation: Option<&str>,
    ) -> PgResult<()> {
        let flags = |list: Option<Vec<String>>, option: &str| -> PgResult<Vec<bool>> {
            let Some(list) = list else {
                return Ok(Vec::new());
            };
            if list.len() == 1 && list[0] == ALL_COLUMNS {
                return Ok(vec![true; copied.len()]);
            }
            let mut flags = vec![false; copied.len()];
            for name in &list {
                if !all.contains(name) {
                    return Err(PgError::new(
                        sqlstate::UNDEFINED_COLUMN,
                        match relation {
                            Some(t) => {
                                format!("column \"{name}\" of relation \"{t}\" does not exist")
                            }
                            None => format!("column \"{name}\" does not exist"),
                        },
                    ));
                }
                let Some(i) = copied.iter().position(|c| c == name) else {
                    return Err(PgError::new(
                        "42P10",
                        format!("{option} column \"{name}\" not referenced by COPY"),
                    ));
                };
                flags[i] = true;
            }
            Ok(flags)
        };
        f.force_quote = flags(self.quote, "FORCE_QUOTE")?;
        f.force_not_null = flags(self.not_null, "FORCE_NOT_NULL")?;
        f.force_null = flags(self.null, "FORCE_NULL")?;
        f.columns = copied;
        Ok(())
    }
}
