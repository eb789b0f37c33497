//! interval's type modifier (PostgreSQL's atttypmod for interval): the
//! fields range (`YEAR`, `HOUR TO MINUTE`, ...) and the fractional
//! seconds precision, `(range << 16) | precision` with PostgreSQL's
//! INTERVAL_MASK bits; what a value keeps under it
//! (AdjustIntervalForTypmod) and how format_type prints it.

use super::datetime::{Interval, USECS_PER_SEC};
use crate::error::{PgError, PgResult};

const MONTH: i32 = 1 << 1;
const YEAR: i32 = 1 << 2;
const DAY: i32 = 1 << 3;
const HOUR: i32 = 1 << 10;
const MINUTE: i32 = 1 << 11;
const SECOND: i32 = 1 << 12;
const FULL_RANGE: i32 = 0x7FFF;
const FULL_PRECISION: i32 = 0xFFFF;

const RANGES: [(&str, i32); 13] = [
    ("year", YEAR),
    ("month", MONTH),
    ("day", DAY),
    ("hour", HOUR),
    ("minute", MINUTE),
    ("second", SECOND),
    ("year to month", YEAR | MONTH),
    ("day to hour", DAY | HOUR),
    ("day to minute", DAY | HOUR | MINUTE),
    ("day to second", DAY | HOUR | MINUTE | SECOND),
    ("hour to minute", HOUR | MINUTE),
    ("hour to second", HOUR | MINUTE | SECOND),
    ("minute to second", MINUTE | SECOND),
];

/// The typmod of `interval [fields] [(precision)]`; `fields` as written
/// ("HOUR TO MINUTE"), None when absent. -1 when neither is given.
pub fn typmod(fields: Option<&str>, precision: Option<u64>) -> PgResult<i32> {
    let range = match fields {
        None => FULL_RANGE,
        Some(f) => {
            let f = f
                .split_whitespace()
                .collect::<Vec<_>>()
                .join(" ")
                .to_lowercase();
            RANGES
                .iter()
                .find(|(n, _)| *n == f)
                .map(|(_, r)| *r)
                .ok_or_else(|| {
                    PgError::new("42601", "invalid INTERVAL type modifier".to_string())
                })?
        }
    };
    let precision = match precision {
        None => FULL_PRECISION,
        // PostgreSQL also warns that the precision was reduced.
        Some(p) if p > 6 => 6,
        Some(p) => p as i32,
    };
    if range == FULL_RANGE && precision == FULL_PRECISION {
        return Ok(-1);
    }
    Ok((range << 16) | precision)
}

/// The value an interval column of `typmod` stores.
pub fn adjust(mut iv: Interval, typmod: i32) -> Interval {
    if typmod < 0 {
        return iv;
    }
    let range = (typmod >> 16) & FULL_RANGE;
    let precision = typmod & FULL_PRECISION;
    let hour = 3600 * USECS_PER_SEC;
    let minute = 60 * USECS_PER_SEC;
    let trunc = |t: i64, unit: i64| (t / unit) * unit;
    match range {
        YEAR => {
            iv.months = (iv.months / 12) * 12;
            iv.days = 0;
            iv.micros = 0;
        }
        MONTH => {
            iv.days = 0;
            iv.micros = 0;
        }
        r if r == YEAR | MONTH => {
            iv.days = 0;
            iv.micros = 0;
        }
        DAY => iv.micros = 0,
        HOUR => iv.micros = trunc(iv.micros, hour),
        MINUTE => iv.micros = trunc(iv.micros, minute),
        r if r == DAY | HOUR => iv.micros = trunc(iv.micros, hour),
        r if r == DAY | HOUR | MINUTE || r == HOUR | MINUTE => iv.micros = trunc(iv.micros, minute),
        _ => {}
    }
    if (range & SECOND != 0 || range == FULL_RANGE) && (0..=6).contains(&precision) {
        let scale = 10i64.pow(6 - precision as u32);
        let offset = scale / 2;
        iv.micros = if iv.micros >= 0 {
            ((iv.micros + offset) / scale) * scale
        } else {
            -(((-iv.micros) + offset) / scale) * scale
        };
    }
    iv
}

/// format_type's text: "interval", "interval(3)", "interval hour to
/// minute", "interval minute to second(2)".
pub fn format(typmod: i32) -> String {
    if typmod < 0 {
        return "interval".into();
    }
    let range = (typmod >> 16) & FULL_RANGE;
    let precision = typmod & FULL_PRECISION;
    let mut s = "interval".to_owned();
    if let Some((n, _)) = RANGES.iter().find(|(_, r)| *r == range) {
        s.push(' ');
        s.push_str(n);
    }
    if precision != FULL_PRECISION {
        s.push_str(&format!("({precision})"));
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn typmods_round_trip_through_format() {
        assert_eq!(typmod(None, None).unwrap(), -1);
        assert_eq!(format(typmod(None, Some(3)).unwrap()), "interval(3)");
        assert_eq!(
            format(typmod(Some("HOUR TO MINUTE"), None).unwrap()),
            "interval hour to minute"
        );
        assert_eq!(
            format(typmod(Some("minute to second"), Some(2)).unwrap()),
            "interval minute to second(2)"
        );
        let iv = Interval {
            months: 14,
            days: 3,
            micros: 3_723_456_789,
        };
        let t = typmod(Some("year"), None).unwrap();
        assert_eq!(adjust(iv, t).months, 12);
        let t = typmod(Some("hour to minute"), None).unwrap();
        assert_eq!(adjust(iv, t).micros, 3_720_000_000);
        let t = typmod(None, Some(1)).unwrap();
        assert_eq!(adjust(iv, t).micros, 3_723_500_000);
    }
}
