//! Time zones (PostgreSQL's pgtz): the session's `TimeZone` (an IANA
//! name from the system's tz database through jiff, a POSIX string, or a
//! number of hours), offsets of instants, local times turned into instants
//! with PostgreSQL's rules at DST transitions, and the zones named in
//! timestamptz input and `AT TIME ZONE` (abbreviations, full names,
//! offsets).

use std::cell::RefCell;

use jiff::civil::DateTime;
use jiff::tz::{AmbiguousOffset, TimeZone};
use jiff::Timestamp;

use super::datetime::{
    civil_from_days, TS_INFINITY, TS_NEG_INFINITY, UNIX_TO_PG_DAYS, UNIX_TO_PG_USECS,
    USECS_PER_DAY, USECS_PER_SEC,
};
use crate::error::{sqlstate, PgError, PgResult};

thread_local! {
    /// The session's time zone (output functions take no session
    /// argument; one session runs per thread).
    static SESSION: RefCell<TimeZone> = const { RefCell::new(TimeZone::UTC) };
}

/// Makes `name` (a value [`parse_setting`] accepted when it was set) this
/// thread's session time zone. A name that no longer parses (the tz
/// database changed under the server) is an error and leaves the zone as
/// it was, rather than silently showing times in UTC.
pub fn set_session(name: &str) -> PgResult<()> {
    let (_, tz) = parse_setting(name).ok_or_else(|| {
        PgError::new(
            sqlstate::INVALID_PARAMETER_VALUE,
            format!("invalid value for parameter \"TimeZone\": \"{name}\""),
        )
    })?;
    SESSION.with(|s| *s.borrow_mut() = tz);
    Ok(())
}

/// Runs `f` with the session's time zone.
pub fn with_session<R>(f: impl FnOnce(&TimeZone) -> R) -> R {
    SESSION.with(|s| f(&s.borrow()))
}

/// A TimeZone setting: its canonical spelling (what SHOW and the
/// ParameterStatus message say) and the zone. Accepts a number of hours
/// east of UTC (`-7`, `5.5`, shown as PostgreSQL's POSIX form `<-07>+07`),
/// a name from the tz database in any case (`europe/paris` is
/// `Europe/Paris`) and a POSIX TZ string (`UTC+3`, `EST5EDT`).
pub fn parse_setting(v: &str) -> Option<(String, TimeZone)> {
    let v = v.trim();
    if v.is_empty() {
        return None;
    }
    if let Ok(hours) = v.parse::<f64>() {
        if !hours.is_finite() || hours.abs() > 168.0 {
            return None;
        }
        return fixed((hours * 3600.0).round() as i32);
    }
    // PostgreSQL's own name for a fixed offset, `<+05:30>-05:30`.
    if let Some(rest) = v.strip_prefix('<') {
        let (_, west) = rest.split_once('>')?;
        let west = parse_numeric_offset(west)?;
        return fixed(-west);
    }
    if v.eq_ignore_ascii_case("localtime") {
        return None;
    }
    if let Ok(tz) = jiff::tz::db().get(v) {
        let name = tz.iana_name().unwrap_or(v).to_owned();
        return Some((name, tz));
    }
    let tz = TimeZone::posix(v).ok()?;
    Some((v.to_owned(), tz))
}

/// A fixed offset as a setting: PostgreSQL's name and the zone.
fn fixed(east: i32) -> Option<(String, TimeZone)> {
    let offset = jiff::tz::Offset::from_seconds(east).ok()?;
    Some((posix_offset_name(east), TimeZone::fixed(offset)))
}

/// PostgreSQL's name for a fixed offset (pg_tzset_offset): `<+02>-02`
/// for two hours east of UTC (POSIX counts west).
pub fn posix_offset_name(east: i32) -> String {
    let o = hh_mm_ss(east.unsigned_abs());
    if east < 0 {
        format!("<-{o}>+{o}")
    } else {
        format!("<+{o}>-{o}")
    }
}

/// The instant (PostgreSQL epoch microseconds) as a jiff timestamp,
/// clamped to jiff's range (years -9999 to 9999), beyond which the offset
/// of the range's end is used.
fn jiff_instant(ts: i64) -> Timestamp {
    let unix = ts.saturating_add(UNIX_TO_PG_USECS);
    Timestamp::from_microsecond(unix).unwrap_or(if unix < 0 {
        Timestamp::MIN
    } else {
        Timestamp::MAX
    })
}

/// Seconds east of UTC in `tz` at the instant `ts`.
pub fn offset_at(tz: &TimeZone, ts: i64) -> i32 {
    tz.to_offset(jiff_instant(ts)).seconds()
}

/// Seconds east of UTC in `tz` at the instant `ts`, and the zone's
/// abbreviation then (`CET`, `EST`) as the SQL, Postgres and German
/// DateStyles print it: a zone whose abbreviation is numeric (fixed
/// offsets, `+03` zones) shows its offset as `+03`, `-05:30`.
pub fn offset_and_abbrev_at(tz: &TimeZone, ts: i64) -> (i32, String) {
    let info = tz.to_offset_info(jiff_instant(ts));
    let off = info.offset().seconds();
    let abbrev = info.abbreviation();
    if abbrev.is_empty()
        || abbrev.starts_with(['+', '-'])
        || abbrev.starts_with(|c: char| c.is_ascii_digit())
    {
        let mut o = String::new();
        push_offset(off, &mut o);
        (off, o)
    } else {
        (off, abbrev.to_owned())
    }
}

/// The local time (microseconds since 2000-01-01 on the zone's clock)
/// of the instant `ts`; infinities stay infinite.
pub fn utc_to_local(tz: &TimeZone, ts: i64) -> i64 {
    if ts == TS_INFINITY || ts == TS_NEG_INFINITY {
        return ts;
    }
    ts.saturating_add(offset_at(tz, ts) as i64 * USECS_PER_SEC)
}

/// Seconds east of UTC that `tz` gives the local time `local`, as
/// PostgreSQL's DetermineTimeZoneOffset resolves it: in a gap (spring
/// forward) the offset before the transition, in a fold (fall back) the
/// offset after it.
pub fn offset_for_local(tz: &TimeZone, local: i64) -> i32 {
    let Some(dt) = civil(local) else {
        // Beyond jiff's range: the offset at the nearest end.
        return offset_at(tz, local);
    };
    match tz.to_ambiguous_timestamp(dt).offset() {
        AmbiguousOffset::Unambiguous { offset } => offset.seconds(),
        AmbiguousOffset::Gap { before, .. } => before.seconds(),
        AmbiguousOffset::Fold { after, .. } => after.seconds(),
    }
}

/// The instant of the local time `local` in `tz` ([`offset_for_local`]).
pub fn local_to_utc(tz: &TimeZone, local: i64) -> i64 {
    if local == TS_INFINITY || local == TS_NEG_INFINITY {
        return local;
    }
    local.saturating_sub(offset_for_local(tz, local) as i64 * USECS_PER_SEC)
}

fn civil(local: i64) -> Option<DateTime> {
    let days = local.div_euclid(USECS_PER_DAY);
    let tod = local.rem_euclid(USECS_PER_DAY);
    let (y, m, d) = civil_from_days(days + UNIX_TO_PG_DAYS);
    let secs = tod / USECS_PER_SEC;
    DateTime::new(
        i16::try_from(y).ok()?,
        m as i8,
        d as i8,
        (secs / 3600) as i8,
        (secs / 60 % 60) as i8,
        (secs % 60) as i8,
        0,
    )
    .ok()
}

/// A zone named in a value or by `AT TIME ZONE`.
#[derive(Clone, Debug)]
pub enum ZoneSpec {
    /// A fixed offset, seconds east of UTC (an abbreviation or `+02:00`).
    Fixed(i32),
    /// A zone with rules (`Europe/Paris`).
    Rules(TimeZone),
}

impl ZoneSpec {
    /// Seconds east of UTC at the instant `ts`.
    pub fn offset_at(&self, ts: i64) -> i32 {
        match self {
            ZoneSpec::Fixed(o) => *o,
            ZoneSpec::Rules(tz) => offset_at(tz, ts),
        }
    }

    /// Seconds east of UTC for the local time `local`.
    pub fn offset_for_local(&self, local: i64) -> i32 {
        match self {
            ZoneSpec::Fixed(o) => *o,
            ZoneSpec::Rules(tz) => offset_for_local(tz, local),
        }
    }
}

/// A row of pg_timezone_names: a zone of the tz database as it is now.
pub struct ZoneNow {
    pub name: String,
    /// The zone's abbreviation now, as the tz database spells it (`CET`,
    /// `-03`).
    pub abbrev: String,
    /// Seconds east of UTC.
    pub utc_offset: i32,
    pub is_dst: bool,
}

/// Every zone of the tz database (the system's, which PostgreSQL's
/// Debian build reads too), in name order, at the current time. As
/// PostgreSQL lists every zone file of the tz directory, the zones under
/// its `posix/` directory are listed too (jiff's list leaves it out).
pub fn zone_names_now() -> Vec<ZoneNow> {
    let now = Timestamp::now();
    let db = jiff::tz::db();
    let mut zones: Vec<(String, TimeZone)> = db
        .available()
        .filter_map(|n| {
            let n = n.to_string();
            let tz = db.get(&n).ok()?;
            Some((n, tz))
        })
        .collect();
    let dir = std::env::var_os("TZDIR").unwrap_or_else(|| "/usr/share/zoneinfo".into());
    posix_zones(
        &std::path::Path::new(&dir).join("posix"),
        "posix",
        &mut zones,
    );
    zones.sort_by(|a, b| a.0.cmp(&b.0));
    zones
        .into_iter()
        .map(|(name, tz)| {
            let info = tz.to_offset_info(now);
            ZoneNow {
                abbrev: info.abbreviation().to_owned(),
                utc_offset: info.offset().seconds(),
                is_dst: info.dst().is_dst(),
                name,
            }
        })
        .collect()
}

/// The zone files below `dir` (named `prefix/...`): what reads as TZif.
fn posix_zones(dir: &std::path::Path, prefix: &str, out: &mut Vec<(String, TimeZone)>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for e in entries.flatten() {
        let file = e.file_name().to_string_lossy().into_owned();
        if file.starts_with('.') {
            continue;
        }
        let name = format!("{prefix}/{file}");
        let path = e.path();
        if path.is_dir() {
            posix_zones(&path, &name, out);
        } else if let Some(tz) = std::fs::read(&path)
            .ok()
            .and_then(|b| TimeZone::tzif(&name, &b).ok())
        {
            out.push((name, tz));
        }
    }
}

/// Time zone abbreviations with fixed offsets (seconds east of UTC), as
/// in PostgreSQL's default `timezone_abbreviations` set; only the common
/// ones whose offset never changed.
const ABBREVIATIONS: &[(&str, i32)] = &[
    ("utc", 0),
    ("ut", 0),
    ("gmt", 0),
    ("z", 0),
    ("zulu", 0),
    ("est", -5 * 3600),
    ("edt", -4 * 3600),
    ("cst", -6 * 3600),
    ("cdt", -5 * 3600),
    ("mst", -7 * 3600),
    ("mdt", -6 * 3600),
    ("pst", -8 * 3600),
    ("pdt", -7 * 3600),
    ("akst", -9 * 3600),
    ("akdt", -8 * 3600),
    ("hst", -10 * 3600),
    ("ast", -4 * 3600),
    ("adt", -3 * 3600),
    ("nst", -12_600),
    ("ndt", -9_000),
    ("wet", 0),
    ("west", 3600),
    ("bst", 3600),
    ("cet", 3600),
    ("cest", 2 * 3600),
    ("met", 3600),
    ("mest", 2 * 3600),
    ("eet", 2 * 3600),
    ("eest", 3 * 3600),
    ("jst", 9 * 3600),
    ("kst", 9 * 3600),
    ("hkt", 8 * 3600),
    ("sgt", 8 * 3600),
    ("awst", 8 * 3600),
    ("acst", 34_200),
    ("aest", 10 * 3600),
    ("aedt", 11 * 3600),
    ("nzst", 12 * 3600),
    ("nzdt", 13 * 3600),
];

/// A time zone abbreviation's offset (case-insensitive).
pub fn abbreviation(name: &str) -> Option<i32> {
    let lower = name.to_ascii_lowercase();
    ABBREVIATIONS
        .iter()
        .find(|(a, _)| *a == lower)
        .map(|(_, o)| *o)
}

/// 22023 "time zone \"x\" not recognized".
pub fn not_recognized(name: &str) -> PgError {
    PgError::new(
        sqlstate::INVALID_PARAMETER_VALUE,
        format!("time zone \"{name}\" not recognized"),
    )
}

/// The zone of `AT TIME ZONE 'name'` and `timezone('name', ...)`: an
/// abbreviation first, then a name from the tz database or a POSIX
/// string, as PostgreSQL looks them up.
pub fn lookup(name: &str) -> PgResult<ZoneSpec> {
    if let Some(o) = abbreviation(name) {
        return Ok(ZoneSpec::Fixed(o));
    }
    // A bare POSIX offset (`-05:00`): POSIX signs are west-positive, so
    // this is five hours east of UTC, as PostgreSQL reads it.
    if let Some(west) = parse_numeric_offset(name.trim()) {
        return Ok(ZoneSpec::Fixed(-west));
    }
    if name.trim().parse::<f64>().is_err() {
        if let Ok(tz) = jiff::tz::db().get(name) {
            return Ok(ZoneSpec::Rules(tz));
        }
        if let Ok(tz) = TimeZone::posix(name) {
            return Ok(ZoneSpec::Rules(tz));
        }
    }
    Err(not_recognized(name))
}

/// `+HH`, `+HHMM`, `+HH:MM`, `+HH:MM:SS` (and `-`): seconds east of UTC.
pub fn parse_numeric_offset(s: &str) -> Option<i32> {
    let (neg, rest) = match s.as_bytes().first()? {
        b'+' => (false, &s[1..]),
        b'-' => (true, &s[1..]),
        _ => return None,
    };
    let parts: Vec<&str> = rest.split(':').collect();
    if parts
        .iter()
        .any(|p| p.is_empty() || !p.bytes().all(|b| b.is_ascii_digit()))
    {
        return None;
    }
    let num = |p: &str| p.parse::<i32>().ok();
    let (h, m, sec) = match parts.as_slice() {
        [hh] if hh.len() <= 2 => (num(hh)?, 0, 0),
        [hhmm] if hhmm.len() == 4 => (num(&hhmm[..2])?, num(&hhmm[2..])?, 0),
        [hhmmss] if hhmmss.len() == 6 => {
            (num(&hhmmss[..2])?, num(&hhmmss[2..4])?, num(&hhmmss[4..])?)
        }
        [hh, mm] => (num(hh)?, num(mm)?, 0),
        [hh, mm, ss] => (num(hh)?, num(mm)?, num(ss)?),
        _ => return None,
    };
    if h > 167 || m > 59 || sec > 59 {
        return None;
    }
    let v = h * 3600 + m * 60 + sec;
    Some(if neg { -v } else { v })
}

/// Appends an offset as PostgreSQL's ISO output does: `+02`, `+05:30`,
/// `+00:09:21`.
pub fn push_offset(east: i32, out: &mut String) {
    out.push(if east < 0 { '-' } else { '+' });
    out.push_str(&hh_mm_ss(east.unsigned_abs()));
}

/// `HH`, `HH:MM` or `HH:MM:SS`: as few fields as the seconds need.
fn hh_mm_ss(abs: u32) -> String {
    let mut o = format!("{:02}", abs / 3600);
    if !abs.is_multiple_of(3600) {
        o.push_str(&format!(":{:02}", abs % 3600 / 60));
        if !abs.is_multiple_of(60) {
            o.push_str(&format!(":{:02}", abs % 60));
        }
    }
    o
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::types::datetime::days_from_civil;

    fn local(y: i64, m: u32, d: u32, h: i64, mi: i64) -> i64 {
        (days_from_civil(y, m, d) - UNIX_TO_PG_DAYS) * USECS_PER_DAY
            + (h * 3600 + mi * 60) * USECS_PER_SEC
    }

    #[test]
    fn settings_and_names() {
        assert_eq!(parse_setting("europe/paris").unwrap().0, "Europe/Paris");
        assert_eq!(parse_setting("-7").unwrap().0, "<-07>+07");
        assert_eq!(parse_setting("5.5").unwrap().0, "<+05:30>-05:30");
        let (_, tz) = parse_setting("<+05:30>-05:30").unwrap();
        assert_eq!(offset_at(&tz, 0), 19800);
        assert!(parse_setting("Nowhere/Special").is_none());
        assert!(parse_setting("").is_none());
    }

    #[test]
    fn dst_as_postgres_resolves_it() {
        let tz = jiff::tz::db().get("Europe/Paris").unwrap();
        // 02:30 on 2024-03-31 does not exist: read with +01.
        assert_eq!(offset_for_local(&tz, local(2024, 3, 31, 2, 30)), 3600);
        // 02:30 on 2024-10-27 happens twice: the later one (+01).
        assert_eq!(offset_for_local(&tz, local(2024, 10, 27, 2, 30)), 3600);
        assert_eq!(offset_for_local(&tz, local(2024, 7, 1, 12, 0)), 7200);
    }

    #[test]
    fn offsets() {
        assert_eq!(parse_numeric_offset("+02"), Some(7200));
        assert_eq!(parse_numeric_offset("-05:30"), Some(-19800));
        assert_eq!(parse_numeric_offset("+0530"), Some(19800));
        assert_eq!(parse_numeric_offset("+2x"), None);
        let mut s = String::new();
        push_offset(561, &mut s);
        assert_eq!(s, "+00:09:21");
    }
}
