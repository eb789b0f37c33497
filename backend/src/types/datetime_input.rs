//! Date and timestamp input as PostgreSQL reads it: the text is split
//! into fields (numbers, `a-b-c` dates, `h:m:s` times, `+hh:mm` zones and
//! words), then each field is decoded by its kind and by the fields
//! already seen, with DateStyle's field order deciding ambiguous numbers
//! (`1/2/2003`). So every form PostgreSQL accepts for `date`,
//! `timestamp` and `timestamptz` is read the same way: ISO
//! (`2003-01-02 04:05:06+02`, `2003-01-02T04:05:06Z`), month names
//! (`January 8, 1999`, `08-Jan-1999`, `Jan-08-1999`), the SQL, Postgres
//! and German output styles (`Wed Dec 17 07:37:16 1997 PST`,
//! `17.12.1997`), run-together digits (`19990108`, `990108 040506`),
//! year and day of year (`1999.008`), Julian days (`J2451187`), AM/PM,
//! AD/BC, zone abbreviations and tz database names, and the words
//! `today`, `tomorrow`, `yesterday`, `allballs`, `epoch`, `infinity`,
//! `now`. The rules are those of PostgreSQL's ParseDateTime and
//! DecodeDateTime (datetime.c), written anew.

use super::datestyle::{self, DateOrder};
use super::datetime::{days_from_civil, days_in_month, USECS_PER_SEC};
use super::timezone::{self, ZoneSpec};
use crate::error::{sqlstate, PgError};

/// A special value the whole input names.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Special {
    Epoch,
    Infinity,
    NegInfinity,
    Now,
}

/// What the input decoded to.
#[derive(Debug)]
pub enum Decoded {
    Special(Special),
    /// A local date and time: days since 1970-01-01 (proleptic
    /// Gregorian), microseconds since midnight, and the zone the text
    /// named, if any.
    DateTime {
        unix_days: i64,
        tod: i64,
        zone: Option<ZoneSpec>,
    },
}

/// Why input was refused, as PostgreSQL's DTERR_* codes.
#[derive(Debug, PartialEq, Eq)]
pub enum DtError {
    BadFormat,
    FieldOverflow,
    /// A month or day out of range: probably the wrong field order.
    MdFieldOverflow,
    TzDispOverflow,
    /// A zone name with punctuation that the tz database does not know.
    UnknownZone(String),
}

impl DtError {
    /// The error PostgreSQL reports for `input` of `type_name`.
    pub fn to_pg(&self, input: &str, type_name: &str) -> PgError {
        match self {
            DtError::BadFormat => PgError::new(
                sqlstate::INVALID_DATETIME_FORMAT,
                format!("invalid input syntax for type {type_name}: \"{input}\""),
            ),
            DtError::FieldOverflow => PgError::new(
                sqlstate::DATETIME_FIELD_OVERFLOW,
                format!("date/time field value out of range: \"{input}\""),
            ),
            DtError::MdFieldOverflow => PgError::new(
                sqlstate::DATETIME_FIELD_OVERFLOW,
                format!("date/time field value out of range: \"{input}\""),
            )
            .with_hint("Perhaps you need a different \"datestyle\" setting."),
            DtError::TzDispOverflow => PgError::new(
                "22009",
                format!("time zone displacement out of range: \"{input}\""),
            ),
            DtError::UnknownZone(z) => timezone::not_recognized(z),
        }
    }
}

type DtResult<T> = Result<T, DtError>;

/// A field's kind, from its first characters (ParseDateTime's ftype).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Kind {
    /// Digits, possibly with one `.`.
    Number,
    /// Parts joined by `-`, `/` or `.`, or a word with punctuation.
    Date,
    /// `h:m[:s[.f]]`.
    Time,
    /// `+hh[:mm]`, `-hhmm`.
    Tz,
    /// Letters (lowercased); a sign before them is kept (`-infinity`).
    Word,
}

pub(crate) struct Field {
    pub(crate) text: String,
    pub(crate) kind: Kind,
}

/// Splits the input into fields; blanks and other punctuation separate
/// them. Words and dates are lowercased, as PostgreSQL does.
pub(crate) fn split_fields(s: &str) -> DtResult<Vec<Field>> {
    let b = s.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    let take = |i: &mut usize, pred: &dyn Fn(u8) -> bool, buf: &mut String| {
        while *i < b.len() && pred(b[*i]) {
            buf.push(b[*i].to_ascii_lowercase() as char);
            *i += 1;
        }
    };
    while i < b.len() {
        let c = b[i];
        let mut text = String::new();
        let kind;
        if c.is_ascii_digit() {
            take(&mut i, &|c| c.is_ascii_digit(), &mut text);
            match b.get(i) {
                Some(b':') => {
                    kind = Kind::Time;
                    take(
                        &mut i,
                        &|c| c.is_ascii_digit() || c == b':' || c == b'.',
                        &mut text,
                    );
                }
                Some(&d) if d == b'-' || d == b'/' || d == b'.' => {
                    text.push(d as char);
                    i += 1;
                    if b.get(i).is_some_and(|c| c.is_ascii_digit()) {
                        let mut k = if d == b'.' { Kind::Number } else { Kind::Date };
                        take(&mut i, &|c| c.is_ascii_digit(), &mut text);
                        if b.get(i) == Some(&d) {
                            k = Kind::Date;
                            take(&mut i, &|c| c.is_ascii_digit() || c == d, &mut text);
                        }
                        kind = k;
                    } else {
                        kind = Kind::Date;
                        take(&mut i, &|c| c.is_ascii_alphanumeric() || c == d, &mut text);
                    }
                }
                _ => kind = Kind::Number,
            }
        } else if c == b'.' {
            text.push('.');
            i += 1;
            take(&mut i, &|c| c.is_ascii_digit(), &mut text);
            kind = Kind::Number;
        } else if c.is_ascii_alphabetic() {
            take(&mut i, &|c| c.is_ascii_alphabetic(), &mut text);
            let next = b.get(i).copied();
            let is_date = match next {
                Some(b'-' | b'/' | b'.') => true,
                Some(n) if n == b'+' || n.is_ascii_digit() => !core_token(&text),
                _ => false,
            };
            if is_date {
                take(
                    &mut i,
                    &|c| c.is_ascii_alphanumeric() || b"+-/_.:".contains(&c),
                    &mut text,
                );
                kind = Kind::Date;
            } else {
                kind = Kind::Word;
            }
        } else if c.is_ascii_whitespace() {
            i += 1;
            continue;
        } else if c == b'+' || c == b'-' {
            text.push(c as char);
            i += 1;
            while b.get(i).is_some_and(|c| c.is_ascii_whitespace()) {
                i += 1;
            }
            match b.get(i) {
                Some(d) if d.is_ascii_digit() => {
                    kind = Kind::Tz;
                    take(
                        &mut i,
                        &|c| c.is_ascii_digit() || c == b':' || c == b'.' || c == b'-',
                        &mut text,
                    );
                }
                Some(a) if a.is_ascii_alphabetic() => {
                    kind = Kind::Word;
                    take(&mut i, &|c| c.is_ascii_alphabetic(), &mut text);
                }
                _ => return Err(DtError::BadFormat),
            }
        } else if c.is_ascii_punctuation() {
            i += 1;
            continue;
        } else {
            return Err(DtError::BadFormat);
        }
        out.push(Field { text, kind });
    }
    Ok(out)
}

/// Whether `w` is one of PostgreSQL's date/time key words (datetktbl),
/// the field-label words included: such a word followed by digits
/// (`j2451187`, `1d2h`) is a field of its own, any other is the start of
/// a zone name (`utc+3`).
fn core_token(w: &str) -> bool {
    keyword(w).is_some()
        || matches!(
            w,
            "y" | "m" | "d" | "h" | "s" | "mm" | "dow" | "doy" | "dst" | "isodow" | "isoyear"
        )
}

/// What a word means (PostgreSQL's datetktbl, less the rarely used
/// field-label words such as `y` and `doy`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Word {
    Month(u32),
    DayOfWeek,
    Am,
    Pm,
    Ad,
    Bc,
    Special(Special),
    Today,
    Tomorrow,
    Yesterday,
    /// `allballs`: 00:00:00 UTC.
    AllBalls,
    /// `t`: an ISO time follows.
    IsoTime,
    /// `j`, `jd`, `julian`: a Julian day number follows.
    Julian,
    /// `at`, `on`.
    Ignore,
}

fn keyword(w: &str) -> Option<Word> {
    const MONTHS: [&str; 12] = [
        "january",
        "february",
        "march",
        "april",
        "may",
        "june",
        "july",
        "august",
        "september",
        "october",
        "november",
        "december",
    ];
    Some(match w {
        "am" => Word::Am,
        "pm" => Word::Pm,
        "ad" => Word::Ad,
        "bc" => Word::Bc,
        "epoch" => Word::Special(Special::Epoch),
        "infinity" => Word::Special(Special::Infinity),
        "-infinity" => Word::Special(Special::NegInfinity),
        "now" => Word::Special(Special::Now),
        "today" => Word::Today,
        "tomorrow" => Word::Tomorrow,
        "yesterday" => Word::Yesterday,
        "allballs" => Word::AllBalls,
        "t" => Word::IsoTime,
        "j" | "jd" | "julian" => Word::Julian,
        "at" | "on" => Word::Ignore,
        "sept" => Word::Month(9),
        "sun" | "sunday" | "mon" | "monday" | "tue" | "tues" | "tuesday" | "wed" | "weds"
        | "wednesday" | "thu" | "thur" | "thurs" | "thursday" | "fri" | "friday" | "sat"
        | "saturday" => Word::DayOfWeek,
        _ => {
            let m = MONTHS
                .iter()
                .position(|full| *full == w || (w.len() == 3 && full.starts_with(w)))?;
            Word::Month(m as u32 + 1)
        }
    })
}

// Which fields are known (PostgreSQL's DTK_M bits).
const YEAR: u32 = 1;
const MONTH: u32 = 1 << 1;
const DAY: u32 = 1 << 2;
const HOUR: u32 = 1 << 3;
const MINUTE: u32 = 1 << 4;
const SECOND: u32 = 1 << 5;
const TZ: u32 = 1 << 6;
const DOY: u32 = 1 << 7;
const AMPM: u32 = 1 << 8;
const ADBC: u32 = 1 << 9;
const DOW: u32 = 1 << 10;
const SPECIAL: u32 = 1 << 11;
const DATE_M: u32 = YEAR | MONTH | DAY;
const TIME_M: u32 = HOUR | MINUTE | SECOND;

/// The broken-down value being built.
#[derive(Default)]
struct Tm {
    year: i64,
    mon: i64,
    mday: i64,
    yday: i64,
    hour: i64,
    min: i64,
    sec: i64,
    fsec: i64,
    two_digit_year: bool,
    julian: bool,
}

/// A field label waiting for its value (`t` before a time, `j` before a
/// Julian day).
#[derive(Clone, Copy, PartialEq, Eq)]
enum Pending {
    None,
    Time,
    Julian,
}

/// Fractional seconds `.fff` to microseconds, rounded.
fn fraction(s: &str) -> DtResult<i64> {
    let f: f64 = if s == "." {
        0.0
    } else {
        format!("0{s}").parse().map_err(|_| DtError::BadFormat)?
    };
    Ok((f * 1e6).round() as i64)
}

fn int(s: &str) -> DtResult<i64> {
    if s.is_empty() || !s.bytes().all(|c| c.is_ascii_digit()) {
        return Err(DtError::BadFormat);
    }
    s.parse().map_err(|_| DtError::FieldOverflow)
}

/// `h:m:s[.f]` of an interval: microseconds (hours are not limited).
pub(crate) fn interval_time(s: &str) -> DtResult<i64> {
    let mut tm = Tm::default();
    decode_time(s, &mut tm)?;
    let v = tm
        .hour
        .checked_mul(3600)
        .and_then(|h| h.checked_add(tm.min * 60 + tm.sec))
        .and_then(|s| s.checked_mul(USECS_PER_SEC))
        .and_then(|s| s.checked_add(tm.fsec))
        .ok_or(DtError::FieldOverflow)?;
    Ok(v)
}

/// `h:m`, `h:m:s[.f]`, or `m:s.f` (DecodeTime).
fn decode_time(s: &str, tm: &mut Tm) -> DtResult<u32> {
    let mut parts = s.splitn(3, ':');
    let h = parts.next().unwrap_or("");
    let m = parts.next().ok_or(DtError::BadFormat)?;
    let rest = parts.next();
    let (hour, min, sec, fsec);
    match rest {
        None => match m.split_once('.') {
            // mm:ss.fff
            Some((mm, f)) => {
                hour = 0;
                min = int(h)?;
                sec = int(mm)?;
                fsec = fraction(&format!(".{f}"))?;
            }
            None => {
                hour = int(h)?;
                min = int(m)?;
                sec = 0;
                fsec = 0;
            }
        },
        Some(r) => {
            hour = int(h)?;
            min = int(m)?;
            match r.split_once('.') {
                Some((ss, f)) => {
                    sec = int(ss)?;
                    fsec = fraction(&format!(".{f}"))?;
                }
                None => {
                    sec = int(r)?;
                    fsec = 0;
                }
            }
        }
    }
    if min > 59 || sec > 60 || fsec > USECS_PER_SEC {
        return Err(DtError::FieldOverflow);
    }
    tm.hour = hour;
    tm.min = min;
    tm.sec = sec;
    tm.fsec = fsec;
    Ok(TIME_M)
}

/// Run-together digits (DecodeNumberField): `yyyymmdd`/`yymmdd` while the
/// date is incomplete, else `hhmmss` or `hhmm`, with an optional
/// fraction.
fn decode_number_field(s: &str, fmask: u32, tm: &mut Tm) -> DtResult<u32> {
    let (digits, frac) = match s.find('.') {
        Some(p) => (&s[..p], Some(fraction(&s[p..])?)),
        None => (s, None),
    };
    let len = digits.len();
    if frac.is_none() && fmask & DATE_M != DATE_M && len >= 6 {
        tm.mday = int(&digits[len - 2..])?;
        tm.mon = int(&digits[len - 4..len - 2])?;
        tm.year = int(&digits[..len - 4])?;
        tm.two_digit_year = len - 4 == 2;
        return Ok(DATE_M);
    }
    if fmask & TIME_M != TIME_M {
        if len == 6 {
            tm.hour = int(&digits[..2])?;
            tm.min = int(&digits[2..4])?;
            tm.sec = int(&digits[4..])?;
            tm.fsec = frac.unwrap_or(0);
            return Ok(TIME_M);
        }
        if len == 4 {
            tm.hour = int(&digits[..2])?;
            tm.min = int(&digits[2..])?;
            tm.sec = 0;
            tm.fsec = frac.unwrap_or(0);
            return Ok(TIME_M);
        }
    }
    Err(DtError::BadFormat)
}

/// One number of a date (DecodeNumber): which field it is follows from
/// the fields already known and DateStyle's order.
fn decode_number(
    s: &str,
    text_month: bool,
    fmask: u32,
    order: DateOrder,
    tm: &mut Tm,
) -> DtResult<u32> {
    let flen = s.len();
    let (digits, frac) = match s.find('.') {
        Some(p) => (&s[..p], Some(&s[p..])),
        None => (s, None),
    };
    if frac.is_some() && digits.len() > 2 {
        return decode_number_field(s, fmask, tm);
    }
    let val = int(digits)?;
    if frac.is_some() {
        return Err(DtError::BadFormat);
    }
    if flen == 3 && fmask & DATE_M == YEAR && (1..=366).contains(&val) {
        tm.yday = val;
        return Ok(DOY | MONTH | DAY);
    }
    let mask = match fmask & DATE_M {
        0 => {
            if flen >= 3 || order == DateOrder::Ymd {
                tm.year = val;
                YEAR
            } else if order == DateOrder::Dmy {
                tm.mday = val;
                DAY
            } else {
                tm.mon = val;
                MONTH
            }
        }
        YEAR => {
            tm.mon = val;
            MONTH
        }
        MONTH => {
            if text_month && (flen >= 3 || order == DateOrder::Ymd) {
                tm.year = val;
                YEAR
            } else {
                tm.mday = val;
                DAY
            }
        }
        m if m == YEAR | MONTH => {
            if text_month && flen >= 3 && tm.two_digit_year {
                // DD-MON-YYYY in YMD order: the first number was the day.
                tm.mday = tm.year;
                tm.year = val;
                tm.two_digit_year = false;
                return Ok(DAY);
            }
            tm.mday = val;
            DAY
        }
        DAY => {
            tm.mon = val;
            MONTH
        }
        m if m == MONTH | DAY => {
            tm.year = val;
            YEAR
        }
        DATE_M => return decode_number_field(s, fmask, tm),
        _ => return Err(DtError::BadFormat),
    };
    if mask == YEAR {
        tm.two_digit_year = flen <= 2;
    }
    Ok(mask)
}

/// A date field `a-b-c`, `a/b/c`, `a.b.c` or with a month name
/// (DecodeDate).
fn decode_date(s: &str, mut fmask: u32, order: DateOrder, tm: &mut Tm) -> DtResult<u32> {
    let mut parts: Vec<&str> = Vec::new();
    let b = s.as_bytes();
    let mut i = 0;
    while i < b.len() {
        while i < b.len() && !b[i].is_ascii_alphanumeric() {
            i += 1;
        }
        if i == b.len() {
            return Err(DtError::BadFormat);
        }
        let start = i;
        if b[i].is_ascii_digit() {
            while i < b.len() && b[i].is_ascii_digit() {
                i += 1;
            }
        } else {
            while i < b.len() && b[i].is_ascii_alphabetic() {
                i += 1;
            }
        }
        parts.push(&s[start..i]);
        if i < b.len() && !b[i].is_ascii_alphanumeric() {
            i += 1;
        }
    }
    let mut tmask = 0;
    let mut text_month = false;
    let mut numbers = Vec::new();
    for p in parts {
        if !p.as_bytes()[0].is_ascii_alphabetic() {
            numbers.push(p);
            continue;
        }
        match keyword(p) {
            Some(Word::Ignore) => {}
            Some(Word::Month(m)) => {
                if fmask & MONTH != 0 {
                    return Err(DtError::BadFormat);
                }
                tm.mon = m as i64;
                text_month = true;
                fmask |= MONTH;
                tmask |= MONTH;
            }
            _ => return Err(DtError::BadFormat),
        }
    }
    for p in numbers {
        let m = decode_number(p, text_month, fmask, order, tm)?;
        if fmask & m != 0 {
            return Err(DtError::BadFormat);
        }
        fmask |= m;
        tmask |= m;
    }
    if fmask & !(DOY | TZ) != DATE_M {
        return Err(DtError::BadFormat);
    }
    Ok(tmask)
}

/// `+hh`, `+hh:mm[:ss]`, `+hhmm` (DecodeTimezone): seconds east of UTC.
fn decode_tz(s: &str) -> DtResult<i32> {
    let neg = match s.as_bytes().first() {
        Some(b'+') => false,
        Some(b'-') => true,
        _ => return Err(DtError::BadFormat),
    };
    let body = &s[1..];
    let digits_end = body
        .find(|c: char| !c.is_ascii_digit())
        .unwrap_or(body.len());
    let mut hr = int(&body[..digits_end])?;
    let rest = &body[digits_end..];
    let (mut min, mut sec) = (0, 0);
    let mut tail = rest;
    if let Some(r) = rest.strip_prefix(':') {
        let e = r.find(|c: char| !c.is_ascii_digit()).unwrap_or(r.len());
        min = int(&r[..e])?;
        tail = &r[e..];
        if let Some(r2) = tail.strip_prefix(':') {
            let e2 = r2.find(|c: char| !c.is_ascii_digit()).unwrap_or(r2.len());
            sec = int(&r2[..e2])?;
            tail = &r2[e2..];
        }
    } else if rest.is_empty() && s.len() > 3 {
        min = hr % 100;
        hr /= 100;
    }
    if hr > 15 || min >= 60 || sec >= 60 {
        return Err(DtError::TzDispOverflow);
    }
    if !tail.is_empty() {
        return Err(DtError::BadFormat);
    }
    let v = ((hr * 60 + min) * 60 + sec) as i32;
    Ok(if neg { -v } else { v })
}

/// A zone name from the tz database (case-insensitive).
fn named_zone(name: &str) -> Option<ZoneSpec> {
    jiff::tz::db().get(name).ok().map(ZoneSpec::Rules)
}

/// The current local date of the session, as (year, month, day).
fn today() -> (i64, i64, i64) {
    let now = super::datetime::transaction_now();
    let local = timezone::with_session(|tz| timezone::utc_to_local(tz, now));
    let days = local.div_euclid(super::datetime::USECS_PER_DAY) + super::datetime::UNIX_TO_PG_DAYS;
    let (y, m, d) = super::datetime::civil_from_days(days);
    (y, m as i64, d as i64)
}

/// Decodes date/time input (PostgreSQL's ParseDateTime, DecodeDateTime
/// and ValidateDate). The result has a full date; a time-only input is
/// BadFormat, as for PostgreSQL's date and timestamp types.
pub fn decode(s: &str) -> DtResult<Decoded> {
    let order = datestyle::current().order;
    let fields = split_fields(s)?;
    let mut tm = Tm::default();
    let mut fmask = 0u32;
    let mut text_month = false;
    let mut pending = Pending::None;
    let mut zone: Option<ZoneSpec> = None;
    let mut special = None;
    let mut pm: Option<bool> = None;
    let mut bc = false;
    for (i, f) in fields.iter().enumerate() {
        let tmask;
        match f.kind {
            Kind::Date => {
                if pending == Pending::Julian {
                    return Err(DtError::BadFormat);
                }
                if pending != Pending::None || fmask & (MONTH | DAY) == (MONTH | DAY) {
                    if f.text.as_bytes()[0].is_ascii_digit() || pending != Pending::None {
                        // hhmmss-zz: a run-together time and its zone.
                        let p = f.text[1..]
                            .find(['-', '+'])
                            .map(|p| p + 1)
                            .ok_or(DtError::BadFormat)?;
                        zone = Some(ZoneSpec::Fixed(decode_tz(&f.text[p..])?));
                        let t = &f.text[..p];
                        let m = if t.contains(':') {
                            decode_time(t, &mut tm)?
                        } else {
                            decode_number_field(t, fmask | DATE_M, &mut tm)?
                        };
                        if m != TIME_M {
                            return Err(DtError::BadFormat);
                        }
                        pending = Pending::None;
                        tmask = TIME_M | TZ;
                    } else {
                        zone = Some(
                            named_zone(&f.text)
                                .ok_or_else(|| DtError::UnknownZone(f.text.clone()))?,
                        );
                        tmask = TZ;
                    }
                } else {
                    tmask = decode_date(&f.text, fmask, order, &mut tm)?;
                }
            }
            Kind::Time => {
                if pending != Pending::None && pending != Pending::Time {
                    return Err(DtError::BadFormat);
                }
                pending = Pending::None;
                tmask = decode_time(&f.text, &mut tm)?;
                if tm.hour > 24 || (tm.hour == 24 && (tm.min > 0 || tm.sec > 0 || tm.fsec > 0)) {
                    return Err(DtError::FieldOverflow);
                }
            }
            Kind::Tz => {
                zone = Some(ZoneSpec::Fixed(decode_tz(&f.text)?));
                tmask = TZ;
            }
            Kind::Number if pending != Pending::None => {
                let (whole, frac) = match f.text.split_once('.') {
                    Some((w, fr)) => (w, Some(fr)),
                    None => (f.text.as_str(), None),
                };
                if pending == Pending::Julian {
                    let jd = int(whole)?;
                    let days = jd - 2_440_588;
                    let (y, m, d) = super::datetime::civil_from_days(days);
                    tm.year = y;
                    tm.mon = m as i64;
                    tm.mday = d as i64;
                    tm.julian = true;
                    tmask = DATE_M;
                    if let Some(fr) = frac {
                        let day_frac = fraction(&format!(".{fr}"))? as f64 / 1e6;
                        let us = (day_frac * 86_400e6).round() as i64;
                        tm.hour = us / 3_600_000_000;
                        tm.min = us / 60_000_000 % 60;
                        tm.sec = us / USECS_PER_SEC % 60;
                        tm.fsec = us % USECS_PER_SEC;
                    }
                } else {
                    let m = decode_number_field(&f.text, fmask | DATE_M, &mut tm)?;
                    if m != TIME_M {
                        return Err(DtError::BadFormat);
                    }
                    tmask = TIME_M;
                }
                pending = Pending::None;
            }
            Kind::Number => {
                let flen = f.text.len();
                let dot = f.text.find('.');
                tmask = if dot.is_some() && fmask & DATE_M == 0 {
                    decode_date(&f.text, fmask, order, &mut tm)?
                } else if dot.is_some_and(|p| p > 2)
                    || (flen >= 6 && (fmask & DATE_M == 0 || fmask & TIME_M == 0))
                {
                    decode_number_field(&f.text, fmask, &mut tm)?
                } else {
                    decode_number(&f.text, text_month, fmask, order, &mut tm)?
                };
            }
            Kind::Word => {
                if let Some(off) = timezone::abbreviation(&f.text) {
                    zone = Some(ZoneSpec::Fixed(off));
                    tmask = TZ;
                } else {
                    match keyword(&f.text) {
                        Some(Word::Ignore) => continue,
                        Some(Word::Month(m)) => {
                            tmask = MONTH;
                            if fmask & MONTH != 0
                                && !text_month
                                && fmask & DAY == 0
                                && (1..=31).contains(&tm.mon)
                            {
                                // A number taken for the month was the day.
                                tm.mday = tm.mon;
                                fmask &= !MONTH;
                                fmask |= DAY;
                            }
                            text_month = true;
                            tm.mon = m as i64;
                        }
                        Some(Word::DayOfWeek) => tmask = DOW,
                        Some(Word::Am) => {
                            pm = Some(false);
                            tmask = AMPM;
                        }
                        Some(Word::Pm) => {
                            pm = Some(true);
                            tmask = AMPM;
                        }
                        Some(Word::Ad) => tmask = ADBC,
                        Some(Word::Bc) => {
                            bc = true;
                            tmask = ADBC;
                        }
                        Some(Word::Special(sp)) => {
                            special = Some(sp);
                            tmask = DATE_M | TIME_M | TZ | SPECIAL;
                        }
                        Some(w @ (Word::Today | Word::Tomorrow | Word::Yesterday)) => {
                            let (y, m, d) = today();
                            let shift = match w {
                                Word::Tomorrow => 1,
                                Word::Yesterday => -1,
                                _ => 0,
                            };
                            let days = days_from_civil(y, m as u32, d as u32) + shift;
                            let (y, m, d) = super::datetime::civil_from_days(days);
                            tm.year = y;
                            tm.mon = m as i64;
                            tm.mday = d as i64;
                            tm.two_digit_year = false;
                            // Years as computed: no AD/BC adjustment.
                            tm.julian = true;
                            tmask = DATE_M;
                        }
                        Some(Word::AllBalls) => {
                            tm.hour = 0;
                            tm.min = 0;
                            tm.sec = 0;
                            tm.fsec = 0;
                            zone = Some(ZoneSpec::Fixed(0));
                            tmask = TIME_M | TZ;
                        }
                        Some(Word::IsoTime) => {
                            if fmask & DATE_M != DATE_M {
                                return Err(DtError::BadFormat);
                            }
                            match fields.get(i + 1).map(|f| f.kind) {
                                Some(Kind::Number | Kind::Time | Kind::Date) => {}
                                _ => return Err(DtError::BadFormat),
                            }
                            pending = Pending::Time;
                            continue;
                        }
                        Some(Word::Julian) => {
                            pending = Pending::Julian;
                            continue;
                        }
                        None => {
                            zone = Some(named_zone(&f.text).ok_or(DtError::BadFormat)?);
                            tmask = TZ;
                        }
                    }
                }
            }
        }
        if tmask & fmask != 0 {
            return Err(DtError::BadFormat);
        }
        fmask |= tmask;
    }
    if pending != Pending::None {
        return Err(DtError::BadFormat);
    }
    if let Some(sp) = special {
        return Ok(Decoded::Special(sp));
    }
    validate_date(fmask, bc, &mut tm)?;
    match pm {
        _ if pm.is_some() && tm.hour > 12 => return Err(DtError::FieldOverflow),
        Some(false) if tm.hour == 12 => tm.hour = 0,
        Some(true) if tm.hour != 12 => tm.hour += 12,
        _ => {}
    }
    if fmask & DATE_M != DATE_M {
        return Err(DtError::BadFormat);
    }
    let unix_days = days_from_civil(tm.year, tm.mon as u32, tm.mday as u32);
    let tod = ((tm.hour * 60 + tm.min) * 60 + tm.sec) * USECS_PER_SEC + tm.fsec;
    Ok(Decoded::DateTime {
        unix_days,
        tod,
        zone,
    })
}

/// ValidateDate: the era and two-digit years applied, the day of year
/// resolved, months and days range-checked.
fn validate_date(fmask: u32, bc: bool, tm: &mut Tm) -> DtResult<()> {
    if fmask & YEAR != 0 && !tm.julian {
        if bc {
            if tm.year <= 0 {
                return Err(DtError::FieldOverflow);
            }
            tm.year = 1 - tm.year;
        } else if tm.two_digit_year {
            if tm.year < 70 {
                tm.year += 2000;
            } else if tm.year < 100 {
                tm.year += 1900;
            }
        } else if tm.year <= 0 {
            return Err(DtError::FieldOverflow);
        }
    }
    if fmask & DOY != 0 {
        let days = days_from_civil(tm.year, 1, 1) + tm.yday - 1;
        let (y, m, d) = super::datetime::civil_from_days(days);
        tm.year = y;
        tm.mon = m as i64;
        tm.mday = d as i64;
    }
    if fmask & MONTH != 0 && !(1..=12).contains(&tm.mon) {
        return Err(DtError::MdFieldOverflow);
    }
    if fmask & DAY != 0 && !(1..=31).contains(&tm.mday) {
        return Err(DtError::MdFieldOverflow);
    }
    if fmask & DATE_M == DATE_M && tm.mday > days_in_month(tm.year, tm.mon as u32) as i64 {
        return Err(DtError::FieldOverflow);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ymd(s: &str) -> (i64, u32, u32, i64) {
        match decode(s).unwrap() {
            Decoded::DateTime { unix_days, tod, .. } => {
                let (y, m, d) = super::super::datetime::civil_from_days(unix_days);
                (y, m, d, tod / USECS_PER_SEC)
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn forms_postgresql_accepts() {
        datestyle::set_session("ISO, MDY", "postgres", "hex");
        let jan8 = (1999, 1, 8, 0);
        for s in [
            "1999-01-08",
            "January 8, 1999",
            "1/8/1999",
            "1999-Jan-08",
            "Jan-08-1999",
            "08-Jan-1999",
            "19990108",
            "990108",
            "1999.008",
            "J2451187",
            "Fri Jan 08 00:00:00 1999",
        ] {
            assert_eq!(ymd(s), jan8, "{s}");
        }
        assert_eq!(
            ymd("2003-01-02 04:05:06 PM"),
            (2003, 1, 2, 16 * 3600 + 5 * 60 + 6)
        );
        assert_eq!(ymd("20030102T040506"), (2003, 1, 2, 4 * 3600 + 5 * 60 + 6));
        assert_eq!(ymd("0044-03-15 BC").0, -43);
        assert_eq!(
            decode("1/18/1999 12:00 XYZ").unwrap_err(),
            DtError::BadFormat
        );
        assert_eq!(decode("18/1/1999").unwrap_err(), DtError::MdFieldOverflow);
        datestyle::set_session("ISO, DMY", "postgres", "hex");
        assert_eq!(ymd("18/1/1999"), (1999, 1, 18, 0));
        datestyle::set_session("ISO, MDY", "postgres", "hex");
    }

    #[test]
    fn zones_in_input() {
        match decode("2000-01-01 10:00:00-08:30").unwrap() {
            Decoded::DateTime {
                zone: Some(ZoneSpec::Fixed(o)),
                ..
            } => {
                assert_eq!(o, -(8 * 3600 + 1800))
            }
            other => panic!("{other:?}"),
        }
        assert_eq!(
            decode("2000-01-01 10:00+16").unwrap_err(),
            DtError::TzDispOverflow
        );
        assert!(matches!(
            decode("2000-01-01 10:00 Europe/Paris").unwrap(),
            Decoded::DateTime {
                zone: Some(ZoneSpec::Rules(_)),
                ..
            }
        ));
        assert_eq!(
            decode("2000-01-01 10:00 Mars/Olympus").unwrap_err(),
            DtError::UnknownZone("mars/olympus".into())
        );
    }
}
