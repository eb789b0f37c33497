//! `to_timestamp(text, text)` and `to_date` (PostgreSQL's formatting.c,
//! DCH_from_char and do_to_timestamp): the input read field by field as
//! the template's patterns say (numbers fixed-width unless `FM` or a
//! separator follows, names matched case-insensitively, blanks skipped
//! unless `FX`), then the fields combined into a date and time: two- and
//! three-digit years toward 2020, `CC` with `YY`, `BC`, Julian days, ISO
//! and Gregorian week dates, day of year, the 12-hour clock, and the
//! range checks with PostgreSQL's SQLSTATEs (22007 for bad input, 22008
//! for a field out of range).

use super::datetime_format::{DAYS, MONTHS, POSTGRES_EPOCH_JDATE};
use super::dch_template::{self, Node};
use crate::error::{sqlstate, PgError, PgResult};
use crate::types::datetime::{civil_from_days, days_from_civil, UNIX_TO_PG_DAYS};

const ROMAN_MONTHS: [&str; 12] = [
    "xii", "xi", "x", "ix", "viii", "vii", "vi", "v", "iv", "iii", "ii", "i",
];

/// The fields read from the input (PostgreSQL's TmFromChar).
#[derive(Default)]
struct FromChar {
    mode: DateMode,
    hh: i64,
    pm: i64,
    mi: i64,
    ss: i64,
    ssss: i64,
    d: i64,
    dd: i64,
    ddd: i64,
    mm: i64,
    ms: i64,
    year: i64,
    bc: i64,
    ww: i64,
    w: i64,
    cc: i64,
    j: i64,
    us: i64,
    yysz: i64,
    clock12: bool,
    tzsign: i64,
    tzh: i64,
    tzm: i64,
    ff: i64,
}

#[derive(Default, Clone, Copy, PartialEq, Eq)]
enum DateMode {
    #[default]
    None,
    Gregorian,
    IsoWeek,
}

/// The result: a local date and time, and the zone given by TZH/TZM.
pub struct Parsed {
    /// Astronomical year (0 is 1 BC).
    pub year: i64,
    pub mon: i64,
    pub mday: i64,
    pub hour: i64,
    pub min: i64,
    pub sec: i64,
    pub usec: i64,
    /// Seconds east of UTC, when the input gave TZH/TZM.
    pub offset: Option<i64>,
    /// The FFn precision, 0 if none.
    pub fprec: i64,
}

fn bad_format(msg: impl Into<String>) -> PgError {
    PgError::new(sqlstate::INVALID_DATETIME_FORMAT, msg)
}

fn field_overflow(input: &str) -> PgError {
    PgError::new(
        sqlstate::DATETIME_FIELD_OVERFLOW,
        format!("date/time field value out of range: \"{input}\""),
    )
}

/// The pattern's fixed input width, whether it reads digits, and the
/// date convention it belongs to.
fn key_info(p: &str) -> (usize, bool, DateMode) {
    use DateMode::*;
    let up = p.to_ascii_uppercase();
    match up.as_str() {
        "IDDD" | "IYYY" => (4, true, IsoWeek),
        "ID" | "IW" | "IY" => (2, true, IsoWeek),
        "IYY" => (3, true, IsoWeek),
        "I" => (1, true, IsoWeek),
        "DDD" | "YYY" => (3, true, Gregorian),
        "DD" | "MM" | "WW" | "YY" => (2, true, Gregorian),
        "D" | "W" | "Y" => (1, true, Gregorian),
        "YYYY" => (4, true, Gregorian),
        "Y,YYY" => (5, true, Gregorian),
        "CC" | "HH" | "MI" | "SS" | "MS" | "US" | "TZH" | "TZM" => (up.len(), true, None),
        "HH24" | "HH12" | "SSSS" => (4, true, None),
        "SSSSS" => (5, true, None),
        "J" | "Q" => (1, true, None),
        "FF1" | "FF2" | "FF3" | "FF4" | "FF5" | "FF6" => (3, true, None),
        "MONTH" | "MON" | "RM" => (up.len(), false, Gregorian),
        _ => (p.len(), false, None),
    }
}

/// C's strtol on bytes from `start`: (value, end); end == start when
/// nothing was read. The value saturates (ERANGE) past i64.
fn strtol(s: &[u8], start: usize) -> (i64, usize, bool) {
    let mut i = start;
    while i < s.len() && (s[i] == b' ' || (b'\t'..=b'\r').contains(&s[i])) {
        i += 1;
    }
    let mut neg = false;
    if i < s.len() && (s[i] == b'+' || s[i] == b'-') {
        neg = s[i] == b'-';
        i += 1;
    }
    let digits_start = i;
    let mut v: i64 = 0;
    let mut erange = false;
    while i < s.len() && s[i].is_ascii_digit() {
        let d = (s[i] - b'0') as i64;
        match v.checked_mul(10).and_then(|x| x.checked_add(d)) {
            Some(x) => v = x,
            None => erange = true,
        }
        i += 1;
    }
    if i == digits_start {
        return (0, start, false);
    }
    (if neg { -v } else { v }, i, erange)
}

fn is_space(c: u8) -> bool {
    c == b' ' || (b'\t'..=b'\r').contains(&c)
}

fn is_separator(c: u8) -> bool {
    c > b' ' && c < 0x7f && !c.is_ascii_alphanumeric()
}

fn mblen(b: u8) -> usize {
    match b {
        0xF0..=0xFF => 4,
        0xE0..=0xEF => 3,
        0xC0..=0xDF => 2,
        _ => 1,
    }
}

/// The reader of one input string against one template.
struct Reader<'a> {
    s: &'a [u8],
    pos: usize,
    out: FromChar,
}

impl Reader<'_> {
    fn at(&self, i: usize) -> u8 {
        self.s.get(i).copied().unwrap_or(0)
    }

    fn set(dest: &mut i64, value: i64, name: &str) -> PgResult<()> {
        if *dest != 0 && *dest != value {
            return Err(bad_format(format!(
                "conflicting values for \"{name}\" field in formatting string"
            ))
            .with_detail("This value contradicts a previous setting for the same field type."));
        }
        *dest = value;
        Ok(())
    }

    /// from_char_parse_int_len: a number of `len` characters, or as
    /// many as there are when `fm` or a separator follows.
    fn int(&mut self, len: usize, name: &str, slurp: bool) -> PgResult<(i64, usize)> {
        let init = self.pos;
        while self.pos < self.s.len() && is_space(self.s[self.pos]) {
            self.pos += 1;
        }
        let avail = &self.s[self.pos..];
        let copy_end = avail.len().min(len);
        let copy = String::from_utf8_lossy(&avail[..copy_end]).into_owned();
        let used = copy_end;
        let result;
        if slurp {
            let (v, end, erange) = strtol(self.s, init);
            self.pos = end;
            result = if erange { i64::MAX } else { v };
        } else {
            if used < len {
                return Err(bad_format(format!(
                    "source string too short for \"{name}\" formatting field"
                ))
                .with_detail(format!(
                    "Field requires {len} characters, but only {used} remain."
                ))
                .with_hint(
                    "If your source string is not fixed-width, try using the \"FM\" modifier.",
                ));
            }
            let (v, end, erange) = strtol(copy.as_bytes(), 0);
            let parsed = end;
            if parsed > 0 && parsed < len {
                return Err(bad_format(format!("invalid value \"{copy}\" for \"{name}\""))
                    .with_detail(format!(
                        "Field requires {len} characters, but only {parsed} could be parsed."
                    ))
                    .with_hint(
                        "If your source string is not fixed-width, try using the \"FM\" modifier.",
                    ));
            }
            self.pos += parsed;
            result = if erange { i64::MAX } else { v };
        }
        if self.pos == init {
            return Err(
                bad_format(format!("invalid value \"{copy}\" for \"{name}\""))
                    .with_detail("Value must be an integer."),
            );
        }
        if result < i32::MIN as i64 || result > i32::MAX as i64 {
            return Err(PgError::new(
                sqlstate::DATETIME_FIELD_OVERFLOW,
                format!("value for \"{name}\" in source string is out of range"),
            )
            .with_detail("Value must be in the range -2147483648 to 2147483647."));
        }
        Ok((result, self.pos - init))
    }

    /// from_char_seq_search: the index of the word the input starts with
    /// (case-insensitively), and its length.
    fn word(&mut self, words: &[&str], name: &str) -> PgResult<usize> {
        let rest = &self.s[self.pos..];
        for (i, w) in words.iter().enumerate() {
            let w = w.as_bytes();
            if rest.len() >= w.len() && rest[..w.len()].eq_ignore_ascii_case(w) && !w.is_empty() {
                self.pos += w.len();
                return Ok(i);
            }
        }
        let end = rest.iter().position(|&c| is_space(c)).unwrap_or(rest.len());
        Err(bad_format(format!(
            "invalid value \"{}\" for \"{name}\"",
            String::from_utf8_lossy(&rest[..end])
        ))
        .with_detail("The given value did not match any of the allowed values for this field."))
    }

    fn skip_th(&mut self, th: bool) {
        if th {
            for _ in 0..2 {
                if self.pos < self.s.len() {
                    self.pos += mblen(self.s[self.pos]);
                }
            }
        }
    }
}

/// is_next_separator: may a number read here take all its digits?
fn next_is_separator(nodes: &[Node], i: usize) -> bool {
    if let Node::Pattern { th: Some(_), .. } = nodes[i] {
        return true;
    }
    match nodes.get(i + 1) {
        None => true,
        Some(Node::Pattern { text, .. }) => !key_info(text).1,
        Some(Node::Char(c)) => !c.is_ascii_digit(),
        Some(_) => true,
    }
}

/// DCH_from_char: the fields of `input` as `template` reads them.
fn read_fields(input: &str, template: &str) -> PgResult<FromChar> {
    let nodes = dch_template::parse(template);
    let mut r = Reader {
        s: input.as_bytes(),
        pos: 0,
        out: FromChar::default(),
    };
    let mut fx = false;
    let mut extra_skip: i64 = 0;
    for (i, node) in nodes.iter().enumerate() {
        if r.pos >= r.s.len() {
            break;
        }
        let is_fx = matches!(node, Node::Pattern { text, .. } if text.eq_ignore_ascii_case("FX"));
        if !fx && !is_fx && (matches!(node, Node::Pattern { .. }) || i == 0) {
            while r.pos < r.s.len() && is_space(r.s[r.pos]) {
                r.pos += 1;
                extra_skip += 1;
            }
        }
        let (text, fm, th) = match node {
            Node::Space(_) | Node::Separator(_) => {
                if !fx {
                    extra_skip -= 1;
                    let c = r.at(r.pos);
                    if is_space(c) || is_separator(c) {
                        r.pos += 1;
                        extra_skip += 1;
                    }
                } else {
                    r.pos += mblen(r.at(r.pos));
                }
                continue;
            }
            Node::Char(_) => {
                if !fx && extra_skip > 0 {
                    extra_skip -= 1;
                } else {
                    r.pos += mblen(r.at(r.pos));
                }
                continue;
            }
            Node::Pattern { text, fm, th, .. } => (*text, *fm, *th),
        };
        let (len, _, mode) = key_info(text);
        if mode != DateMode::None {
            if r.out.mode == DateMode::None {
                r.out.mode = mode;
            } else if r.out.mode != mode {
                return Err(bad_format("invalid combination of date conventions").with_hint(
                    "Do not mix Gregorian and ISO week date conventions in a formatting template.",
                ));
            }
        }
        let slurp = fm || next_is_separator(&nodes, i);
        let up = text.to_ascii_uppercase();
        match up.as_str() {
            "FX" => fx = true,
            "A.M." | "P.M." => {
                let v = r.word(&["a.m.", "p.m.", "A.M.", "P.M."], text)?;
                Reader::set(&mut r.out.pm, (v % 2) as i64, text)?;
                r.out.clock12 = true;
            }
            "AM" | "PM" => {
                let v = r.word(&["am", "pm", "AM", "PM"], text)?;
                Reader::set(&mut r.out.pm, (v % 2) as i64, text)?;
                r.out.clock12 = true;
            }
            "HH" | "HH12" | "HH24" => {
                let (v, _) = r.int(2, text, slurp)?;
                Reader::set(&mut r.out.hh, v, text)?;
                if up != "HH24" {
                    r.out.clock12 = true;
                }
                r.skip_th(th.is_some());
            }
            "MI" | "SS" | "SSSS" | "SSSSS" | "MM" | "DDD" | "DD" | "D" | "WW" | "IW" | "CC"
            | "W" | "J" => {
                let (v, _) = r.int(len, text, slurp)?;
                let dest = match up.as_str() {
                    "MI" => &mut r.out.mi,
                    "SS" => &mut r.out.ss,
                    "SSSS" | "SSSSS" => &mut r.out.ssss,
                    "MM" => &mut r.out.mm,
                    "DDD" => &mut r.out.ddd,
                    "DD" => &mut r.out.dd,
                    "D" => &mut r.out.d,
                    "WW" | "IW" => &mut r.out.ww,
                    "CC" => &mut r.out.cc,
                    "W" => &mut r.out.w,
                    _ => &mut r.out.j,
                };
                Reader::set(dest, v, text)?;
                r.skip_th(th.is_some());
            }
            "Q" => {
                r.int(1, text, slurp)?;
                r.skip_th(th.is_some());
            }
            "IDDD" => {
                let (v, _) = r.int(3, text, slurp)?;
                Reader::set(&mut r.out.ddd, v, text)?;
                r.skip_th(th.is_some());
            }
            "ID" => {
                let (v, _) = r.int(1, text, slurp)?;
                Reader::set(&mut r.out.d, v, text)?;
                r.out.d += 1;
                if r.out.d > 7 {
                    r.out.d = 1;
                }
                r.skip_th(th.is_some());
            }
            "MS" => {
                let (v, used) = r.int(3, text, slurp)?;
                Reader::set(&mut r.out.ms, v, text)?;
                r.out.ms *= match used {
                    1 => 100,
                    2 => 10,
                    _ => 1,
                };
                r.skip_th(th.is_some());
            }
            "US" | "FF1" | "FF2" | "FF3" | "FF4" | "FF5" | "FF6" => {
                let width = if up == "US" {
                    6
                } else {
                    r.out.ff = (up.as_bytes()[2] - b'0') as i64;
                    r.out.ff as usize
                };
                let (v, used) = r.int(width, text, slurp)?;
                Reader::set(&mut r.out.us, v, text)?;
                r.out.us *= 10i64.pow(6u32.saturating_sub(used.min(6) as u32));
                r.skip_th(th.is_some());
            }
            "TZ" | "OF" => {
                return Err(PgError::new(
                    sqlstate::FEATURE_NOT_SUPPORTED,
                    format!("formatting field \"{text}\" is only supported in to_char"),
                ))
            }
            "TZH" => {
                let c = r.at(r.pos);
                if c == b'+' || c == b'-' || c == b' ' {
                    r.out.tzsign = if c == b'-' { -1 } else { 1 };
                    r.pos += 1;
                } else if extra_skip > 0 && r.pos > 0 && r.at(r.pos - 1) == b'-' {
                    r.out.tzsign = -1;
                } else {
                    r.out.tzsign = 1;
                }
                let (v, _) = r.int(2, text, slurp)?;
                Reader::set(&mut r.out.tzh, v, text)?;
            }
            "TZM" => {
                if r.out.tzsign == 0 {
                    r.out.tzsign = 1;
                }
                let (v, _) = r.int(2, text, slurp)?;
                Reader::set(&mut r.out.tzm, v, text)?;
            }
            "A.D." | "B.C." => {
                let v = r.word(&["a.d.", "b.c.", "A.D.", "B.C."], text)?;
                Reader::set(&mut r.out.bc, (v % 2) as i64, text)?;
            }
            "AD" | "BC" => {
                let v = r.word(&["ad", "bc", "AD", "BC"], text)?;
                Reader::set(&mut r.out.bc, (v % 2) as i64, text)?;
            }
            "MONTH" | "MON" => {
                let short: Vec<&str> = MONTHS.iter().map(|m| &m[..3]).collect();
                let words: &[&str] = if up == "MONTH" { &MONTHS } else { &short };
                let v = r.word(words, text)?;
                Reader::set(&mut r.out.mm, v as i64 + 1, text)?;
            }
            "DAY" | "DY" => {
                let short: Vec<&str> = DAYS.iter().map(|m| &m[..3]).collect();
                let words: &[&str] = if up == "DAY" { &DAYS } else { &short };
                let v = r.word(words, text)?;
                Reader::set(&mut r.out.d, v as i64, text)?;
                r.out.d += 1;
            }
            "RM" => {
                let v = r.word(&ROMAN_MONTHS, text)?;
                Reader::set(&mut r.out.mm, 12 - v as i64, text)?;
            }
            "Y,YYY" => {
                let (mill, end, _) = strtol(r.s, r.pos);
                let ok = end > r.pos && r.at(end) == b',';
                let (years, end2, _) = if ok {
                    strtol(r.s, end + 1)
                } else {
                    (0, end, false)
                };
                if !ok || end2 == end + 1 {
                    return Err(bad_format("invalid input string for \"Y,YYY\""));
                }
                // sscanf's %03d reads at most three digits.
                let digits_end = (end + 1..end2)
                    .find(|&k| r.s[k].is_ascii_digit())
                    .map_or(end2, |first| end2.min(first + 3));
                let years = if digits_end < end2 {
                    strtol(&r.s[..digits_end], end + 1).0
                } else {
                    years
                };
                Reader::set(&mut r.out.year, years + mill * 1000, text)?;
                r.out.yysz = 4;
                r.pos = digits_end;
                r.skip_th(th.is_some());
            }
            "YYYY" | "IYYY" => {
                let (v, _) = r.int(4, text, slurp)?;
                Reader::set(&mut r.out.year, v, text)?;
                r.out.yysz = 4;
                r.skip_th(th.is_some());
            }
            "YYY" | "IYY" | "YY" | "IY" | "Y" | "I" => {
                let (v, used) = r.int(len, text, slurp)?;
                Reader::set(&mut r.out.year, v, text)?;
                if used < 4 {
                    r.out.year = adjust_year_to_2020(r.out.year);
                }
                r.out.yysz = len as i64;
                r.skip_th(th.is_some());
            }
            _ => {}
        }
        if !fx {
            extra_skip = 0;
            while r.pos < r.s.len() && is_space(r.s[r.pos]) {
                r.pos += 1;
                extra_skip += 1;
            }
        }
    }
    Ok(r.out)
}

/// adjust_partial_year_to_2020: 0-69 are 2000-2069, 70-99 are 1970-1999,
/// 100-519 are 2100-2519, 520-999 are 1520-1999.
fn adjust_year_to_2020(y: i64) -> i64 {
    match y {
        _ if y < 70 => y + 2000,
        _ if y < 100 => y + 1900,
        _ if y < 520 => y + 2000,
        _ if y < 1000 => y + 1000,
        _ => y,
    }
}

fn is_leap(y: i64) -> bool {
    (y % 4 == 0 && y % 100 != 0) || y % 400 == 0
}

/// date2j with PostgreSQL's astronomical years.
fn date2j(y: i64, m: i64, d: i64) -> i64 {
    // Months and days out of range roll over as civil arithmetic does.
    let (y, m) = (y + (m - 1).div_euclid(12), (m - 1).rem_euclid(12) + 1);
    days_from_civil(y, m as u32, 1) - UNIX_TO_PG_DAYS + POSTGRES_EPOCH_JDATE + d - 1
}

fn j2date(j: i64) -> (i64, i64, i64) {
    let (y, m, d) = civil_from_days(j - POSTGRES_EPOCH_JDATE + UNIX_TO_PG_DAYS);
    (y, m as i64, d as i64)
}

/// isoweek2j: the Julian day of the Monday of ISO week `week` of `year`.
fn isoweek2j(year: i64, week: i64) -> i64 {
    let day4 = date2j(year, 1, 4);
    let day0 = (day4 - 1 + 1).rem_euclid(7);
    (week - 1) * 7 + (day4 - day0)
}

/// do_to_timestamp: the date and time `input` gives under `template`.
pub fn to_timestamp_fields(input: &str, template: &str) -> PgResult<Parsed> {
    let mut f = if template.is_empty() {
        FromChar::default()
    } else {
        read_fields(input, template)?
    };
    let (mut year, mut mon, mut mday) = (0i64, 1i64, 1i64);
    let (mut hour, mut min, mut sec) = (0i64, 0i64, 0i64);
    let (mut has_year, mut has_mon, mut has_day) = (false, false, false);
    if f.ssss != 0 {
        hour = f.ssss / 3600;
        min = f.ssss % 3600 / 60;
        sec = f.ssss % 60;
    }
    if f.ss != 0 {
        sec = f.ss;
    }
    if f.mi != 0 {
        min = f.mi;
    }
    if f.hh != 0 {
        hour = f.hh;
    }
    if f.clock12 {
        if !(1..=12).contains(&hour) {
            return Err(
                bad_format(format!("hour \"{hour}\" is invalid for the 12-hour clock"))
                    .with_hint("Use the 24-hour clock, or give an hour between 1 and 12."),
            );
        }
        if f.pm != 0 && hour < 12 {
            hour += 12;
        } else if f.pm == 0 && hour == 12 {
            hour = 0;
        }
    }
    if f.year != 0 {
        if f.cc != 0 && f.yysz <= 2 {
            if f.bc != 0 {
                f.cc = -f.cc;
            }
            year = f.year % 100;
            if year != 0 {
                if f.cc >= 0 {
                    year += (f.cc - 1) * 100;
                } else {
                    year = (f.cc + 1) * 100 - year + 1;
                }
            } else {
                year = f.cc * 100 + if f.cc >= 0 { 0 } else { 1 };
            }
        } else {
            year = f.year;
            if f.bc != 0 {
                year = -year;
            }
            if year < 0 {
                year += 1;
            }
        }
        has_year = true;
    } else if f.cc != 0 {
        if f.bc != 0 {
            f.cc = -f.cc;
        }
        year = if f.cc >= 0 {
            (f.cc - 1) * 100 + 1
        } else {
            f.cc * 100 + 1
        };
        has_year = true;
    }
    if f.j != 0 {
        (year, mon, mday) = j2date(f.j);
        (has_year, has_mon, has_day) = (true, true, true);
    }
    if f.ww != 0 {
        if f.mode == DateMode::IsoWeek {
            let mut jday = isoweek2j(year, f.ww);
            if f.d != 0 {
                jday += if f.d > 1 { f.d - 2 } else { 6 };
            }
            (year, mon, mday) = j2date(jday);
            (has_year, has_mon, has_day) = (true, true, true);
        } else {
            f.ddd = (f.ww - 1) * 7 + 1;
        }
    }
    if f.w != 0 {
        f.dd = (f.w - 1) * 7 + 1;
    }
    if f.dd != 0 {
        mday = f.dd;
        has_day = true;
    }
    if f.mm != 0 {
        mon = f.mm;
        has_mon = true;
    }
    if f.ddd != 0 && (mon <= 1 || mday <= 1) {
        if year == 0 && f.bc == 0 {
            return Err(bad_format(
                "cannot calculate day of year without year information",
            ));
        }
        if f.mode == DateMode::IsoWeek {
            let j0 = isoweek2j(year, 1) - 1;
            (year, mon, mday) = j2date(j0 + f.ddd);
            (has_year, has_mon, has_day) = (true, true, true);
        } else {
            const YSUM: [[i64; 13]; 2] = [
                [0, 31, 59, 90, 120, 151, 181, 212, 243, 273, 304, 334, 365],
                [0, 31, 60, 91, 121, 152, 182, 213, 244, 274, 305, 335, 366],
            ];
            let y = &YSUM[is_leap(year) as usize];
            let mut i = 1;
            while i <= 12 && f.ddd > y[i] {
                i += 1;
            }
            if mon <= 1 {
                mon = i as i64;
            }
            if mday <= 1 {
                mday = f.ddd - y[(i - 1).min(12)];
            }
            (has_mon, has_day) = (true, true);
        }
    }
    let usec = f.ms * 1000 + f.us;
    // ValidateDate.
    let bad_date = (has_mon && !(1..=12).contains(&mon))
        || (has_day && !(1..=31).contains(&mday))
        || (has_year && has_mon && has_day && mday > days_in_month(year, mon));
    if bad_date
        || !(0..24).contains(&hour)
        || !(0..60).contains(&min)
        || !(0..60).contains(&sec)
        || !(0..1_000_000).contains(&usec)
    {
        return Err(field_overflow(input));
    }
    let offset = if f.tzsign != 0 {
        if !(0..=15).contains(&f.tzh) || !(0..60).contains(&f.tzm) {
            return Err(PgError::new(
                "22009",
                format!("time zone displacement out of range: \"{input}\""),
            ));
        }
        Some(f.tzsign * (f.tzh * 3600 + f.tzm * 60))
    } else {
        None
    };
    Ok(Parsed {
        year,
        mon,
        mday,
        hour,
        min,
        sec,
        usec,
        offset,
        fprec: f.ff,
    })
}

fn days_in_month(y: i64, m: i64) -> i64 {
    match m {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        _ if is_leap(y) => 29,
        _ => 28,
    }
}

/// IS_VALID_JULIAN: from 4714-11-24 BC to 5874897-12-31.
pub fn valid_julian(p: &Parsed) -> bool {
    (p.year > -4713 || (p.year == -4713 && p.mon >= 11))
        && (p.year < 5_874_898 || (p.year == 5_874_898 && p.mon < 6))
}

/// Days since 2000-01-01 of the parsed date.
pub fn pg_days(p: &Parsed) -> i64 {
    date2j(p.year, p.mon, p.mday) - POSTGRES_EPOCH_JDATE
}
