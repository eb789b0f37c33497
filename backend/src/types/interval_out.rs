//! interval output in the IntervalStyles other than `postgres` (which is
//! `Interval::format`): `sql_standard` (`+1-2 +3 +4:05:06`),
//! `iso_8601` (`P1Y2M3DT4H5M6S`) and `postgres_verbose`
//! (`@ 1 year 2 mons ago`), as PostgreSQL's EncodeInterval writes them.

use super::datestyle::IntervalStyle;
use super::datetime::{Interval, USECS_PER_SEC};

/// The interval's fields as PostgreSQL breaks it down: years and months
/// from the months, the days, then hours, minutes, seconds and
/// microseconds from the time, each truncated toward zero (so each has
/// the sign of the part it came from).
struct Parts {
    year: i64,
    mon: i64,
    day: i64,
    hour: i64,
    min: i64,
    sec: i64,
    fsec: i64,
}

impl Parts {
    fn of(iv: &Interval) -> Parts {
        let t = iv.micros;
        Parts {
            year: iv.months as i64 / 12,
            mon: iv.months as i64 % 12,
            day: iv.days as i64,
            hour: t / (3600 * USECS_PER_SEC),
            min: t / (60 * USECS_PER_SEC) % 60,
            sec: t / USECS_PER_SEC % 60,
            fsec: t % USECS_PER_SEC,
        }
    }
}

/// `|sec|[.ffffff]` with the fraction's trailing zeros dropped;
/// `two_digits` zero-pads the seconds.
fn push_seconds(sec: i64, fsec: i64, two_digits: bool, out: &mut String) {
    if two_digits {
        out.push_str(&format!("{:02}", sec.abs()));
    } else {
        out.push_str(&sec.abs().to_string());
    }
    if fsec != 0 {
        out.push('.');
        out.push_str(format!("{:06}", fsec.abs()).trim_end_matches('0'));
    }
}

/// Writes `iv` in `style` (not [`IntervalStyle::Postgres`]).
pub fn format(iv: &Interval, style: IntervalStyle, out: &mut String) {
    let p = Parts::of(iv);
    match style {
        IntervalStyle::SqlStandard => sql_standard(p, out),
        IntervalStyle::Iso8601 => iso_8601(p, out),
        _ => verbose(p, out),
    }
}

fn sql_standard(mut p: Parts, out: &mut String) {
    let all = [p.year, p.mon, p.day, p.hour, p.min, p.sec, p.fsec];
    let negative = all.iter().any(|v| *v < 0);
    let positive = all.iter().any(|v| *v > 0);
    let year_month = p.year != 0 || p.mon != 0;
    let day_time = p.day != 0 || p.hour != 0 || p.min != 0 || p.sec != 0 || p.fsec != 0;
    let standard = !(negative && positive || year_month && day_time);
    if negative && standard {
        out.push('-');
        for v in [
            &mut p.year,
            &mut p.mon,
            &mut p.day,
            &mut p.hour,
            &mut p.min,
            &mut p.sec,
            &mut p.fsec,
        ] {
            *v = -*v;
        }
    }
    if !negative && !positive {
        out.push('0');
    } else if !standard {
        let ym = if p.year < 0 || p.mon < 0 { '-' } else { '+' };
        let d = if p.day < 0 { '-' } else { '+' };
        let t = if p.hour < 0 || p.min < 0 || p.sec < 0 || p.fsec < 0 {
            '-'
        } else {
            '+'
        };
        out.push_str(&format!(
            "{ym}{}-{} {d}{} {t}{}:{:02}:",
            p.year.abs(),
            p.mon.abs(),
            p.day.abs(),
            p.hour.abs(),
            p.min.abs()
        ));
        push_seconds(p.sec, p.fsec, true, out);
    } else if year_month {
        out.push_str(&format!("{}-{}", p.year, p.mon));
    } else {
        if p.day != 0 {
            out.push_str(&format!("{} ", p.day));
        }
        out.push_str(&format!("{}:{:02}:", p.hour, p.min));
        push_seconds(p.sec, p.fsec, true, out);
    }
}

fn iso_8601(p: Parts, out: &mut String) {
    if [p.year, p.mon, p.day, p.hour, p.min, p.sec, p.fsec] == [0; 7] {
        return out.push_str("PT0S");
    }
    out.push('P');
    let part = |v: i64, unit: char, out: &mut String| {
        if v != 0 {
            out.push_str(&format!("{v}{unit}"));
        }
    };
    part(p.year, 'Y', out);
    part(p.mon, 'M', out);
    part(p.day, 'D', out);
    if p.hour != 0 || p.min != 0 || p.sec != 0 || p.fsec != 0 {
        out.push('T');
    }
    part(p.hour, 'H', out);
    part(p.min, 'M', out);
    if p.sec != 0 || p.fsec != 0 {
        if p.sec < 0 || p.fsec < 0 {
            out.push('-');
        }
        push_seconds(p.sec, p.fsec, false, out);
        out.push('S');
    }
}

fn verbose(p: Parts, out: &mut String) {
    out.push('@');
    let (mut is_zero, mut is_before) = (true, false);
    for (v, unit) in [
        (p.year, "year"),
        (p.mon, "mon"),
        (p.day, "day"),
        (p.hour, "hour"),
        (p.min, "min"),
    ] {
        if v == 0 {
            continue;
        }
        let shown = if is_zero {
            is_before = v < 0;
            v.abs()
        } else if is_before {
            -v
        } else {
            v
        };
        let s = if shown == 1 { "" } else { "s" };
        out.push_str(&format!(" {shown} {unit}{s}"));
        is_zero = false;
    }
    if p.sec != 0 || p.fsec != 0 {
        out.push(' ');
        if p.sec < 0 || (p.sec == 0 && p.fsec < 0) {
            if is_zero {
                is_before = true;
            } else if !is_before {
                out.push('-');
            }
        } else if is_before {
            out.push('-');
        }
        push_seconds(p.sec, p.fsec, false, out);
        let s = if p.sec.abs() != 1 || p.fsec != 0 {
            "s"
        } else {
            ""
        };
        out.push_str(&format!(" sec{s}"));
        is_zero = false;
    }
    if is_zero {
        out.push_str(" 0");
    }
    if is_before {
        out.push_str(" ago");
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::types::datestyle::IntervalStyle::*;

    fn f(s: &str, style: IntervalStyle) -> String {
        let mut o = String::new();
        format(&Interval::parse(s).unwrap(), style, &mut o);
        o
    }

    #[test]
    fn styles_as_postgresql_writes_them() {
        let all = "1 year 2 mons 3 days 04:05:06.5";
        assert_eq!(f(all, SqlStandard), "+1-2 +3 +4:05:06.5");
        assert_eq!(f(all, Iso8601), "P1Y2M3DT4H5M6.5S");
        assert_eq!(
            f(all, PostgresVerbose),
            "@ 1 year 2 mons 3 days 4 hours 5 mins 6.5 secs"
        );
        assert_eq!(f("-1 year -2 mons", SqlStandard), "-1-2");
        assert_eq!(f("-3 days -04:05:06", SqlStandard), "-3 4:05:06");
        assert_eq!(f("1 day -1 sec", SqlStandard), "+0-0 +1 -0:00:01");
        assert_eq!(f("0", SqlStandard), "0");
        assert_eq!(f("0", Iso8601), "PT0S");
        assert_eq!(f("-0.5 sec", Iso8601), "PT-0.5S");
        assert_eq!(
            f("-1 year -2 mons +3 days -04:05:06", PostgresVerbose),
            "@ 1 year 2 mons -3 days 4 hours 5 mins 6 secs ago"
        );
        assert_eq!(f("1 mon -1 day", PostgresVerbose), "@ 1 mon -1 days");
        assert_eq!(f("0", PostgresVerbose), "@ 0");
    }
}
