//! `to_char` of timestamp, timestamptz and interval (PostgreSQL's
//! formatting.c, its DCH half): a template (scanned by `dch_template`) of
//! patterns (`YYYY`, `MM`,
//! `Month`, `DD`, `HH24`, `MI`, `SS`, `MS`, `US`, `AM`, `TZ`, ...) with
//! the `FM` (no padding) and `FX`/`TM` prefixes and the `TH`/`th` ordinal
//! suffix, double-quoted literal text and backslash escapes; anything else
//! is copied. A timestamp is formatted in its own fields, a timestamptz
//! in the session's zone (whose abbreviation and offset `TZ`, `TZH`, `TZM`
//! and `OF` print), an interval in its fields (`HH24` may exceed 24; the
//! patterns tied to calendar dates are refused with 22007).

use super::dch_template::{self, Node};
use crate::error::{PgError, PgResult};
use crate::types::datetime::{
    civil_from_days, days_from_civil, Interval, UNIX_TO_PG_DAYS, USECS_PER_DAY,
};

pub(super) const MONTHS: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];
pub(super) const DAYS: [&str; 7] = [
    "Sunday",
    "Monday",
    "Tuesday",
    "Wednesday",
    "Thursday",
    "Friday",
    "Saturday",
];
const ROMAN: [&str; 12] = [
    "I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X", "XI", "XII",
];
/// Julian day number of 2000-01-01, PostgreSQL's epoch.
pub(super) const POSTGRES_EPOCH_JDATE: i64 = 2_451_545;

/// The broken-down value to_char prints.
pub struct Fields {
    /// Astronomical year (0 is 1 BC) of a timestamp; an interval's years.
    pub year: i64,
    /// 1..=12 for a timestamp; 0..=11 for an interval.
    pub mon: i64,
    pub mday: i64,
    pub hour: i64,
    pub min: i64,
    pub sec: i64,
    pub usec: i64,
    /// Days since 2000-01-01 (timestamps only).
    pub days: i64,
    pub interval: bool,
    /// Seconds east of UTC and the zone's abbreviation (timestamptz).
    pub zone: Option<(i32, String)>,
}

impl Fields {
    /// The fields of a local timestamp (microseconds since 2000-01-01).
    pub fn of_timestamp(t: i64, zone: Option<(i32, String)>) -> Fields {
        let days = t.div_euclid(USECS_PER_DAY);
        let time = t.rem_euclid(USECS_PER_DAY);
        let (y, m, d) = civil_from_days(days + UNIX_TO_PG_DAYS);
        Fields {
            year: y,
            mon: m as i64,
            mday: d as i64,
            hour: time / 3_600_000_000,
            min: time / 60_000_000 % 60,
            sec: time / 1_000_000 % 60,
            usec: time % 1_000_000,
            days,
            interval: false,
            zone,
        }
    }

    /// The fields of an interval, each truncated toward zero as
    /// PostgreSQL's interval2tm.
    pub fn of_interval(iv: &Interval) -> Fields {
        let t = iv.micros;
        Fields {
            year: (iv.months / 12) as i64,
            mon: (iv.months % 12) as i64,
            mday: iv.days as i64,
            hour: t / 3_600_000_000,
            min: t / 60_000_000 % 60,
            sec: t / 1_000_000 % 60,
            usec: t % 1_000_000,
            days: 0,
            interval: true,
            zone: None,
        }
    }

    /// 0 = Sunday.
    fn wday(&self) -> i64 {
        (self.days + 6).rem_euclid(7)
    }

    fn yday(&self) -> i64 {
        self.days + UNIX_TO_PG_DAYS - days_from_civil(self.year, 1, 1) + 1
    }

    /// (ISO year, ISO week, ISO day of week 1 = Monday).
    fn iso(&self) -> (i64, i64, i64) {
        let iwday = (self.wday() + 6) % 7 + 1;
        let thursday = self.days + 4 - iwday;
        let (y, _, _) = civil_from_days(thursday + UNIX_TO_PG_DAYS);
        let yday = thursday + UNIX_TO_PG_DAYS - days_from_civil(y, 1, 1);
        (y, yday / 7 + 1, iwday)
    }

    /// The year as printed: BC years counted from 1 (not for intervals).
    fn shown_year(&self) -> i64 {
        if !self.interval && self.year <= 0 {
            1 - self.year
        } else {
            self.year
        }
    }

    fn hour12(&self) -> i64 {
        let h = self.hour % 12;
        if h == 0 {
            12
        } else {
            h
        }
    }
}

fn for_interval() -> PgError {
    PgError::new(
        "22007",
        "invalid format specification for an interval value",
    )
    .with_hint("Intervals are not tied to specific calendar dates.")
}

fn ordinal(n: i64, upper: bool) -> &'static str {
    let n = n.abs();
    let s = if (11..=13).contains(&(n % 100)) {
        "th"
    } else {
        match n % 10 {
            1 => "st",
            2 => "nd",
            3 => "rd",
            _ => "th",
        }
    };
    if upper {
        match s {
            "st" => "ST",
            "nd" => "ND",
            "rd" => "RD",
            _ => "TH",
        }
    } else {
        s
    }
}

/// Case-insensitive patterns are written upper-case below; the names
/// (`Month`, `DAY`, ...) keep their case, which chooses the output's.
fn canonical(p: &str) -> String {
    match p {
        "Month" | "month" | "MONTH" | "Mon" | "mon" | "MON" | "Day" | "day" | "DAY" | "Dy"
        | "dy" | "DY" | "RM" | "rm" | "a.d." | "A.D." | "ad" | "AD" | "a.m." | "A.M." | "am"
        | "AM" | "b.c." | "B.C." | "bc" | "BC" | "p.m." | "P.M." | "pm" | "PM" | "tz" | "TZ" => {
            p.to_owned()
        }
        _ => p.to_ascii_uppercase(),
    }
}

/// A number zero-padded to `width` digits (a negative one gets its sign
/// in front of them, as PostgreSQL widens its printf field by one), or
/// bare in fill mode.
fn pad_num(out: &mut String, v: i64, width: usize, fm: bool) {
    if fm {
        out.push_str(&v.to_string());
    } else if v < 0 {
        out.push_str(&format!("-{:0width$}", v.unsigned_abs()));
    } else {
        out.push_str(&format!("{v:0width$}"));
    }
}

fn name_case(name: &str, pattern: &str, width: usize, fm: bool) -> String {
    let first = pattern.chars().next().unwrap_or('x');
    let second = pattern.chars().nth(1).unwrap_or('x');
    let s = if first.is_ascii_uppercase() && second.is_ascii_uppercase() {
        name.to_uppercase()
    } else if first.is_ascii_uppercase() {
        name.to_owned()
    } else {
        name.to_lowercase()
    };
    if fm {
        s
    } else {
        format!("{s:<width$}")
    }
}

/// to_char(value, template).
pub fn to_char(f: &Fields, template: &str) -> PgResult<String> {
    let mut out = String::new();
    for node in dch_template::parse(template) {
        let (text, fm, th, tm) = match node {
            Node::Pattern { text, fm, th, tm } => (text, fm, th, tm),
            Node::Space(c) | Node::Separator(c) | Node::Char(c) => {
                out.push(c);
                continue;
            }
        };
        let p = &text;
        let num = |out: &mut String, v: i64, width: usize| {
            pad_num(out, v, width, fm);
            if let Some(upper) = th {
                out.push_str(ordinal(v, upper));
            }
        };
        let date_only = |f: &Fields| {
            if f.interval {
                Err(for_interval())
            } else {
                Ok(())
            }
        };
        match canonical(p).as_str() {
            "HH" | "HH12" => num(&mut out, f.hour12(), 2),
            "HH24" => num(&mut out, f.hour, 2),
            "MI" => num(&mut out, f.min, 2),
            "SS" => num(&mut out, f.sec, 2),
            "MS" => num(&mut out, f.usec / 1000, 3),
            "US" => num(&mut out, f.usec, 6),
            "FF1" | "FF2" | "FF3" | "FF4" | "FF5" | "FF6" => {
                let n = p[2..].parse::<u32>().unwrap_or(6);
                num(&mut out, f.usec / 10i64.pow(6 - n), n as usize)
            }
            "SSSS" | "SSSSS" => num(&mut out, (f.hour * 60 + f.min) * 60 + f.sec, 0),
            "AM" | "PM" | "am" | "pm" | "A.M." | "P.M." | "a.m." | "p.m." => {
                let pm = f.hour % 24 >= 12;
                let s = match (canonical(p).as_str(), pm) {
                    ("AM" | "PM", false) => "AM",
                    ("AM" | "PM", true) => "PM",
                    ("am" | "pm", false) => "am",
                    ("am" | "pm", true) => "pm",
                    ("A.M." | "P.M.", false) => "A.M.",
                    ("A.M." | "P.M.", true) => "P.M.",
                    (_, false) => "a.m.",
                    (_, true) => "p.m.",
                };
                out.push_str(s);
            }
            "AD" | "BC" | "ad" | "bc" | "A.D." | "B.C." | "a.d." | "b.c." => {
                date_only(f)?;
                let bc = f.year <= 0;
                let s = match (canonical(p).as_str(), bc) {
                    ("AD" | "BC", false) => "AD",
                    ("AD" | "BC", true) => "BC",
                    ("ad" | "bc", false) => "ad",
                    ("ad" | "bc", true) => "bc",
                    ("A.D." | "B.C.", false) => "A.D.",
                    ("A.D." | "B.C.", true) => "B.C.",
                    (_, false) => "a.d.",
                    (_, true) => "b.c.",
                };
                out.push_str(s);
            }
            "Y,YYY" => {
                let y = f.shown_year();
                out.push_str(&format!("{},{:03}", y / 1000, y % 1000));
                if let Some(upper) = th {
                    out.push_str(ordinal(y, upper));
                }
            }
            "YYYY" => num(&mut out, f.shown_year(), 4),
            "YYY" => num(&mut out, f.shown_year() % 1000, 3),
            "YY" => num(&mut out, f.shown_year() % 100, 2),
            "Y" => num(&mut out, f.shown_year() % 10, 1),
            "IYYY" | "IYY" | "IY" | "I" => {
                date_only(f)?;
                let (iy, _, _) = f.iso();
                let iy = if iy <= 0 { 1 - iy } else { iy };
                let w = canonical(p).len();
                // IYYY the whole ISO year, IYY/IY/I its last digits.
                let shown = if w == 4 { iy } else { iy % 10i64.pow(w as u32) };
                num(&mut out, shown, w)
            }
            "CC" => {
                let cc = if f.interval {
                    f.year / 100
                } else if f.year > 0 {
                    (f.year + 99) / 100
                } else {
                    -((99 - (f.year - 1)) / 100)
                };
                num(&mut out, cc, 2)
            }
            "Q" => {
                if f.interval {
                    return Err(for_interval());
                }
                num(&mut out, (f.mon + 2) / 3, 1)
            }
            "MM" => num(&mut out, f.mon, 2),
            "MONTH" | "Month" | "month" | "MON" | "Mon" | "mon" => {
                date_only(f)?;
                let name = MONTHS[(f.mon - 1).clamp(0, 11) as usize];
                let long = p.len() == 5;
                let name = if long { name } else { &name[..3] };
                out.push_str(&name_case(name, p, if long { 9 } else { 3 }, fm || tm));
            }
            "RM" | "rm" => {
                if f.interval && f.mon == 0 {
                    continue;
                }
                let r = ROMAN[(f.mon - 1).clamp(0, 11) as usize];
                let r = if *p == "rm" {
                    r.to_lowercase()
                } else {
                    r.to_owned()
                };
                if fm {
                    out.push_str(&r);
                } else {
                    out.push_str(&format!("{r:<4}"));
                }
            }
            "DAY" | "Day" | "day" | "DY" | "Dy" | "dy" => {
                date_only(f)?;
                let name = DAYS[f.wday() as usize];
                let long = p.len() == 3;
                let name = if long { name } else { &name[..3] };
                out.push_str(&name_case(name, p, if long { 9 } else { 3 }, fm || tm));
            }
            "DDD" => {
                if f.interval {
                    num(&mut out, f.mday, 3)
                } else {
                    num(&mut out, f.yday(), 3)
                }
            }
            "DD" => num(&mut out, f.mday, 2),
            "D" => {
                date_only(f)?;
                num(&mut out, f.wday() + 1, 1)
            }
            "ID" => {
                date_only(f)?;
                num(&mut out, f.iso().2, 1)
            }
            "IDDD" => {
                date_only(f)?;
                let (_, w, d) = f.iso();
                num(&mut out, (w - 1) * 7 + d, 3)
            }
            "IW" => {
                date_only(f)?;
                num(&mut out, f.iso().1, 2)
            }
            "WW" => {
                date_only(f)?;
                num(&mut out, (f.yday() - 1) / 7 + 1, 2)
            }
            "W" => {
                date_only(f)?;
                num(&mut out, (f.mday - 1) / 7 + 1, 1)
            }
            "J" => {
                date_only(f)?;
                num(&mut out, f.days + POSTGRES_EPOCH_JDATE, 0)
            }
            "TZ" | "tz" => {
                if f.interval {
                    return Err(for_interval());
                }
                if let Some((_, abbrev)) = &f.zone {
                    if *p == "tz" {
                        out.push_str(&abbrev.to_lowercase());
                    } else {
                        out.push_str(abbrev);
                    }
                }
            }
            "TZH" => {
                if let Some((off, _)) = &f.zone {
                    let sign = if *off < 0 { '-' } else { '+' };
                    out.push_str(&format!("{sign}{:02}", off.abs() / 3600));
                }
            }
            "TZM" => {
                if let Some((off, _)) = &f.zone {
                    out.push_str(&format!("{:02}", off.abs() / 60 % 60));
                }
            }
            "OF" => {
                let off = f.zone.as_ref().map_or(0, |z| z.0);
                let sign = if off < 0 { '-' } else { '+' };
                out.push_str(&format!("{sign}{:02}", off.abs() / 3600));
                if off.abs() % 3600 != 0 {
                    out.push_str(&format!(":{:02}", off.abs() / 60 % 60));
                }
            }
            "FX" => {}
            _ => out.push_str(p),
        }
    }
    Ok(out)
}
