//! The session's output styles: DateStyle (the ISO, SQL, Postgres and
//! German forms of date/timestamp/timestamptz output, and the field order
//! MDY/DMY/YMD that also decides how ambiguous date input such as
//! `1/2/2003` is read), IntervalStyle and bytea_output.
//!
//! Output and input functions take no session argument, so the styles
//! are per thread, as the time zone is (`timezone.rs`): the engine pushes
//! them at every settings change (`Engine::sync_session_settings`), and a
//! pool-mode carrier pushes them again when it takes up a session.

use std::cell::Cell;

/// DateStyle's output format.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DateStyle {
    Iso,
    Sql,
    Postgres,
    German,
}

/// DateStyle's field order: how `a/b/c` input is read, and the order of
/// day and month in the SQL and Postgres output formats.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DateOrder {
    Ymd,
    Dmy,
    Mdy,
}

/// IntervalStyle.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum IntervalStyle {
    Postgres,
    PostgresVerbose,
    SqlStandard,
    Iso8601,
}

/// bytea_output.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ByteaOutput {
    Hex,
    Escape,
}

/// Everything this module keeps for the thread's session.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Styles {
    pub date: DateStyle,
    pub order: DateOrder,
    pub interval: IntervalStyle,
    pub bytea: ByteaOutput,
}

impl Default for Styles {
    /// PostgreSQL's defaults: `ISO, MDY`, `postgres`, `hex`.
    fn default() -> Styles {
        Styles {
            date: DateStyle::Iso,
            order: DateOrder::Mdy,
            interval: IntervalStyle::Postgres,
            bytea: ByteaOutput::Hex,
        }
    }
}

thread_local! {
    static SESSION: Cell<Styles> = Cell::new(Styles::default());
}

/// The styles of this thread's session.
pub fn current() -> Styles {
    SESSION.with(|s| s.get())
}

/// Installs the styles of the session that runs on this thread, from the
/// canonical values of its settings (what [`canonical_datestyle`] and the
/// enum settings produce).
pub fn set_session(datestyle: &str, intervalstyle: &str, bytea_output: &str) {
    let (date, order) = parse_canonical(datestyle);
    let interval = match intervalstyle {
        "postgres_verbose" => IntervalStyle::PostgresVerbose,
        "sql_standard" => IntervalStyle::SqlStandard,
        "iso_8601" => IntervalStyle::Iso8601,
        _ => IntervalStyle::Postgres,
    };
    let bytea = match bytea_output {
        "escape" => ByteaOutput::Escape,
        _ => ByteaOutput::Hex,
    };
    SESSION.with(|s| {
        s.set(Styles {
            date,
            order,
            interval,
            bytea,
        })
    });
}

/// Why a DateStyle value was refused (the DETAIL of PostgreSQL's 22023).
#[derive(Debug, PartialEq, Eq)]
pub enum DateStyleError {
    /// Two styles or two orders that differ (`ISO, German`).
    Conflicting,
    /// A word that is neither a style nor an order.
    Unrecognized(String),
    /// Not a comma-separated list of words (`sql dmy`).
    ListSyntax,
}

impl DateStyleError {
    pub fn detail(&self) -> String {
        match self {
            DateStyleError::Conflicting => "Conflicting \"datestyle\" specifications.".into(),
            DateStyleError::Unrecognized(w) => format!("Unrecognized key word: \"{w}\"."),
            DateStyleError::ListSyntax => "List syntax is invalid.".into(),
        }
    }
}

/// The default, `ISO, MDY` (what `DEFAULT` in a value stands for).
pub const DEFAULT_DATESTYLE: &str = "ISO, MDY";

/// PostgreSQL's check_datestyle: `value` (a comma-separated list of a
/// style and an order, either optional) applied over `current`, the
/// setting's present canonical value. GERMAN implies DMY unless an order
/// is given; the result is canonical (`SQL, DMY`).
pub fn canonical_datestyle(value: &str, current: &str) -> Result<String, DateStyleError> {
    let (mut style, mut order) = parse_canonical(current);
    let (mut have_style, mut have_order) = (false, false);
    for word in split_list(value)? {
        let word = word.as_str();
        let up = word.to_ascii_uppercase();
        let new_style = match up.as_str() {
            "ISO" => Some(DateStyle::Iso),
            "SQL" => Some(DateStyle::Sql),
            "POSTGRES" => Some(DateStyle::Postgres),
            "GERMAN" => Some(DateStyle::German),
            _ => None,
        };
        let new_order = match up.as_str() {
            "YMD" => Some(DateOrder::Ymd),
            "DMY" => Some(DateOrder::Dmy),
            _ if up.starts_with("EURO") => Some(DateOrder::Dmy),
            "MDY" | "US" => Some(DateOrder::Mdy),
            _ if up.starts_with("NONEURO") => Some(DateOrder::Mdy),
            _ => None,
        };
        if let Some(s) = new_style {
            if have_style && s != style {
                return Err(DateStyleError::Conflicting);
            }
            style = s;
            have_style = true;
            if s == DateStyle::German && !have_order {
                order = DateOrder::Dmy;
            }
        } else if let Some(o) = new_order {
            if have_order && o != order {
                return Err(DateStyleError::Conflicting);
            }
            order = o;
            have_order = true;
        } else if up == "DEFAULT" {
            let (s, o) = parse_canonical(DEFAULT_DATESTYLE);
            if !have_style {
                style = s;
            }
            if !have_order {
                order = o;
            }
        } else {
            return Err(DateStyleError::Unrecognized(word.to_owned()));
        }
    }
    let style = match style {
        DateStyle::Iso => "ISO",
        DateStyle::Sql => "SQL",
        DateStyle::Postgres => "Postgres",
        DateStyle::German => "German",
    };
    let order = match order {
        DateOrder::Ymd => "YMD",
        DateOrder::Dmy => "DMY",
        DateOrder::Mdy => "MDY",
    };
    Ok(format!("{style}, {order}"))
}

/// A list setting's words, as PostgreSQL's SplitIdentifierString splits
/// them: separated by commas, blanks around them ignored, a word in
/// double quotes kept as written; blanks inside an unquoted word or an
/// empty word are a syntax error. An empty value is an empty list.
fn split_list(value: &str) -> Result<Vec<String>, DateStyleError> {
    if value.trim().is_empty() {
        return Ok(Vec::new());
    }
    let mut words = Vec::new();
    for part in value.split(',') {
        let part = part.trim();
        let word = match part.strip_prefix('"').and_then(|p| p.strip_suffix('"')) {
            Some(q) if !q.contains('"') => q.to_owned(),
            _ if part.is_empty() || part.contains(char::is_whitespace) || part.contains('"') => {
                return Err(DateStyleError::ListSyntax)
            }
            _ => part.to_owned(),
        };
        words.push(word);
    }
    Ok(words)
}

/// The style and order of a canonical DateStyle value (`SQL, DMY`).
fn parse_canonical(v: &str) -> (DateStyle, DateOrder) {
    let (style, order) = v.split_once(',').unwrap_or((v, "MDY"));
    let style = match style.trim().to_ascii_uppercase().as_str() {
        "SQL" => DateStyle::Sql,
        "POSTGRES" => DateStyle::Postgres,
        "GERMAN" => DateStyle::German,
        _ => DateStyle::Iso,
    };
    let order = match order.trim().to_ascii_uppercase().as_str() {
        "YMD" => DateOrder::Ymd,
        "DMY" => DateOrder::Dmy,
        _ => DateOrder::Mdy,
    };
    (style, order)
}

const MONTHS: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];
const DAYS: [&str; 7] = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];

/// A broken-down local date and time for output.
pub struct Fields {
    /// Proleptic Gregorian year; 0 is 1 BC.
    pub year: i64,
    pub month: u32,
    pub day: u32,
    /// Days since 1970-01-01 (for the day of the week).
    pub unix_days: i64,
    /// Microseconds since midnight.
    pub tod: i64,
}

/// The year as shown: 4 digits at least, BC years counted from 1.
fn push_year(year: i64, out: &mut String) -> bool {
    let bc = year <= 0;
    out.push_str(&format!("{:04}", if bc { 1 - year } else { year }));
    bc
}

/// date_out in the SQL, Postgres and German styles (ISO is the caller's).
pub fn push_date(f: &Fields, style: DateStyle, order: DateOrder, out: &mut String) {
    let (sep, day_first) = match style {
        DateStyle::German => ('.', true),
        DateStyle::Sql => ('/', order == DateOrder::Dmy),
        _ => ('-', order == DateOrder::Dmy),
    };
    let (a, b) = if day_first {
        (f.day, f.month)
    } else {
        (f.month, f.day)
    };
    out.push_str(&format!("{a:02}{sep}{b:02}{sep}"));
    if push_year(f.year, out) {
        out.push_str(" BC");
    }
}

/// timestamp(tz)_out in the SQL, Postgres and German styles: `zone` is
/// the zone's abbreviation (or its numeric offset) for a timestamptz.
pub fn push_timestamp(
    f: &Fields,
    zone: Option<&str>,
    style: DateStyle,
    order: DateOrder,
    out: &mut String,
) {
    let bc;
    if style == DateStyle::Postgres {
        let dow = (f.unix_days + 4).rem_euclid(7) as usize;
        let mon = MONTHS[f.month as usize - 1];
        out.push_str(DAYS[dow]);
        if order == DateOrder::Dmy {
            out.push_str(&format!(" {:02} {mon} ", f.day));
        } else {
            out.push_str(&format!(" {mon} {:02} ", f.day));
        }
        super::datetime::push_time(f.tod, out);
        out.push(' ');
        bc = push_year(f.year, out);
    } else {
        let (sep, day_first) = match style {
            DateStyle::German => ('.', true),
            _ => ('/', order == DateOrder::Dmy),
        };
        let (a, b) = if day_first {
            (f.day, f.month)
        } else {
            (f.month, f.day)
        };
        out.push_str(&format!("{a:02}{sep}{b:02}{sep}"));
        bc = push_year(f.year, out);
        out.push(' ');
        super::datetime::push_time(f.tod, out);
    }
    if let Some(z) = zone {
        out.push(' ');
        out.push_str(z);
    }
    if bc {
        out.push_str(" BC");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn datestyle_values_apply_over_the_current_one() {
        let c = |v, cur| canonical_datestyle(v, cur);
        assert_eq!(c("sql", "ISO, DMY").unwrap(), "SQL, DMY");
        assert_eq!(c("ymd", "Postgres, MDY").unwrap(), "Postgres, YMD");
        assert_eq!(c("german", "ISO, MDY").unwrap(), "German, DMY");
        assert_eq!(c("german, ymd", "ISO, MDY").unwrap(), "German, YMD");
        assert_eq!(c("European", "ISO, MDY").unwrap(), "ISO, DMY");
        assert_eq!(c("default", "SQL, DMY").unwrap(), "ISO, MDY");
        assert_eq!(
            c("iso, german", "ISO, MDY"),
            Err(DateStyleError::Conflicting)
        );
        assert_eq!(c("\"SQL\"", "ISO, DMY").unwrap(), "SQL, DMY");
        assert_eq!(c("", "SQL, DMY").unwrap(), "SQL, DMY");
        assert_eq!(c("sql dmy", "ISO, MDY"), Err(DateStyleError::ListSyntax));
        assert_eq!(
            c("iso, fancy", "ISO, MDY"),
            Err(DateStyleError::Unrecognized("fancy".into()))
        );
    }

    #[test]
    fn styles_are_per_thread() {
        set_session("German, DMY", "sql_standard", "escape");
        assert_eq!(current().date, DateStyle::German);
        let other = std::thread::spawn(current).join().unwrap();
        assert_eq!(other, Styles::default());
        set_session("ISO, MDY", "postgres", "hex");
        assert_eq!(current(), Styles::default());
    }
}
