//! `to_char` of numbers and `to_number` (PostgreSQL's formatting.c, its
//! NUM half): a template of number patterns (`9`, `0`, `.`, `,`, `D`,
//! `G`, `S`, `PL`, `MI`, `SG`, `PR`, `FM`, `EEEE`, `RN`, `TH`, `V`, `L`,
//! `B`), double-quoted text and backslash escapes, printed and read
//! under the C locale (`D` is '.', `G` is ',', `L` a blank currency
//! symbol). Each type first renders its value to a digit string (rounded
//! to the template's decimals, `#`s when the integer digits do not fit,
//! a Roman numeral or scientific notation); the processor then walks
//! the template over that string as PostgreSQL's NUM_processor does.

use crate::error::{sqlstate, PgError, PgResult};
use crate::types::numeric::math::power;
use crate::types::Numeric;

const DECIMAL: &str = ".";
const THOUSANDS: &str = ",";
const CURRENCY: &str = " ";

/// A number pattern.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Key {
    Comma,
    Dec,
    Zero,
    Nine,
    B,
    C,
    D,
    Eeee,
    Fm,
    G,
    L,
    Mi,
    Pl,
    Pr,
    RnUpper,
    RnLower,
    Sg,
    Sp,
    S,
    ThUpper,
    ThLower,
    V,
}

/// The patterns, longest first where one is a prefix of another.
const KEYWORDS: &[(&str, Key)] = &[
    (",", Key::Comma),
    (".", Key::Dec),
    ("0", Key::Zero),
    ("9", Key::Nine),
    ("B", Key::B),
    ("C", Key::C),
    ("D", Key::D),
    ("EEEE", Key::Eeee),
    ("FM", Key::Fm),
    ("G", Key::G),
    ("L", Key::L),
    ("MI", Key::Mi),
    ("PL", Key::Pl),
    ("PR", Key::Pr),
    ("RN", Key::RnUpper),
    ("SG", Key::Sg),
    ("SP", Key::Sp),
    ("S", Key::S),
    ("TH", Key::ThUpper),
    ("V", Key::V),
    ("b", Key::B),
    ("c", Key::C),
    ("d", Key::D),
    ("eeee", Key::Eeee),
    ("fm", Key::Fm),
    ("g", Key::G),
    ("l", Key::L),
    ("mi", Key::Mi),
    ("pl", Key::Pl),
    ("pr", Key::Pr),
    ("rn", Key::RnLower),
    ("sg", Key::Sg),
    ("sp", Key::Sp),
    ("s", Key::S),
    ("th", Key::ThLower),
    ("v", Key::V),
];

enum Node {
    Key(Key),
    Char(String),
}

const F_DECIMAL: u32 = 0x01;
const F_LDECIMAL: u32 = 0x02;
const F_ZERO: u32 = 0x04;
const F_BLANK: u32 = 0x08;
const F_FILLMODE: u32 = 0x10;
const F_LSIGN: u32 = 0x20;
const F_BRACKET: u32 = 0x40;
const F_MINUS: u32 = 0x80;
const F_PLUS: u32 = 0x100;
const F_ROMAN: u32 = 0x200;
const F_MULTI: u32 = 0x400;
const F_EEEE: u32 = 0x800;

#[derive(Clone, Copy, PartialEq, Eq)]
enum LSign {
    None,
    Pre,
    Post,
}

/// What the template asks for (PostgreSQL's NUMDesc).
#[derive(Clone)]
struct NumDesc {
    /// Digit positions before and after the decimal point.
    pre: i32,
    post: i32,
    lsign: LSign,
    flag: u32,
    pre_lsign_num: i32,
    /// Digits after `V`: the power of ten the value is multiplied by.
    multi: i32,
    zero_start: i32,
    zero_end: i32,
}

impl NumDesc {
    fn has(&self, f: u32) -> bool {
        self.flag & f != 0
    }
    fn is_roman(&self) -> bool {
        self.has(F_ROMAN)
    }
    fn is_eeee(&self) -> bool {
        self.has(F_EEEE)
    }
    fn is_multi(&self) -> bool {
        self.has(F_MULTI)
    }
}

fn syntax(msg: &str) -> PgError {
    PgError::new(sqlstate::SYNTAX_ERROR, msg.to_owned())
}

/// The template's nodes and what they ask for, with PostgreSQL's
/// errors for contradictory patterns (42601).
struct Template {
    nodes: Vec<Node>,
    desc: NumDesc,
}

impl Template {
    fn parse(fmt: &str) -> PgResult<Template> {
        let mut d = NumDesc {
            pre: 0,
            post: 0,
            lsign: LSign::None,
            flag: 0,
            pre_lsign_num: 0,
            multi: 0,
            zero_start: 0,
            zero_end: 0,
        };
        let mut nodes = Vec::new();
        let mut rest = fmt;
        while let Some(c) = rest.chars().next() {
            if let Some((name, key)) = KEYWORDS.iter().find(|(k, _)| rest.starts_with(*k)) {
                prepare(&mut d, *key)?;
                nodes.push(Node::Key(*key));
                rest = &rest[name.len()..];
                continue;
            }
            if c == '"' {
                let mut it = rest[1..].char_indices();
                let mut end = rest.len();
                while let Some((i, ch)) = it.next() {
                    if ch == '"' {
                        end = i + 2;
                        break;
                    }
                    let ch = if ch == '\\' {
                        match it.next() {
                            Some((_, n)) => n,
                            None => ch,
                        }
                    } else {
                        ch
                    };
                    nodes.push(Node::Char(ch.to_string()));
                }
                rest = &rest[end.min(rest.len())..];
                continue;
            }
            // Outside quotes a backslash only escapes a double quote.
            let (ch, len) = if c == '\\' && rest[1..].starts_with('"') {
                ('"', 2)
            } else {
                (c, c.len_utf8())
            };
            nodes.push(Node::Char(ch.to_string()));
            rest = &rest[len..];
        }
        Ok(Template { nodes, desc: d })
    }
}

/// NUMDesc_prepare: one pattern's effect on the description.
fn prepare(d: &mut NumDesc, key: Key) -> PgResult<()> {
    if d.has(F_EEEE) && key != Key::Eeee {
        return Err(syntax("\"EEEE\" must be the last pattern used"));
    }
    match key {
        Key::Nine => {
            if d.has(F_BRACKET) {
                return Err(syntax("\"9\" must be ahead of \"PR\""));
            }
            if d.has(F_MULTI) {
                d.multi += 1;
            } else if d.has(F_DECIMAL) {
                d.post += 1;
            } else {
                d.pre += 1;
            }
        }
        Key::Zero => {
            if d.has(F_BRACKET) {
                return Err(syntax("\"0\" must be ahead of \"PR\""));
            }
            if !d.has(F_ZERO) && !d.has(F_DECIMAL) {
                d.flag |= F_ZERO;
                d.zero_start = d.pre + 1;
            }
            if d.has(F_DECIMAL) {
                d.post += 1;
            } else {
                d.pre += 1;
            }
            d.zero_end = d.pre + d.post;
        }
        Key::B => {
            if d.pre == 0 && d.post == 0 && !d.has(F_ZERO) {
                d.flag |= F_BLANK;
            }
        }
        Key::D | Key::Dec => {
            if key == Key::D {
                d.flag |= F_LDECIMAL;
            }
            if d.has(F_DECIMAL) {
                return Err(syntax("multiple decimal points"));
            }
            if d.has(F_MULTI) {
                return Err(syntax("cannot use \"V\" and decimal point together"));
            }
            d.flag |= F_DECIMAL;
        }
        Key::Fm => d.flag |= F_FILLMODE,
        Key::S => {
            if d.has(F_LSIGN) {
                return Err(syntax("cannot use \"S\" twice"));
            }
            if d.has(F_PLUS) || d.has(F_MINUS) || d.has(F_BRACKET) {
                return Err(syntax(
                    "cannot use \"S\" and \"PL\"/\"MI\"/\"SG\"/\"PR\" together",
                ));
            }
            if !d.has(F_DECIMAL) {
                d.lsign = LSign::Pre;
                d.pre_lsign_num = d.pre;
                d.flag |= F_LSIGN;
            } else if d.lsign == LSign::None {
                d.lsign = LSign::Post;
                d.flag |= F_LSIGN;
            }
        }
        Key::Mi => {
            if d.has(F_LSIGN) {
                return Err(syntax("cannot use \"S\" and \"MI\" together"));
            }
            d.flag |= F_MINUS;
        }
        Key::Pl => {
            if d.has(F_LSIGN) {
                return Err(syntax("cannot use \"S\" and \"PL\" together"));
            }
            d.flag |= F_PLUS;
        }
        Key::Sg => {
            if d.has(F_LSIGN) {
                return Err(syntax("cannot use \"S\" and \"SG\" together"));
            }
            d.flag |= F_MINUS | F_PLUS;
        }
        Key::Pr => {
            if d.has(F_LSIGN) || d.has(F_PLUS) || d.has(F_MINUS) {
                return Err(syntax(
                    "cannot use \"PR\" and \"S\"/\"PL\"/\"MI\"/\"SG\" together",
                ));
            }
            d.flag |= F_BRACKET;
        }
        Key::RnUpper | Key::RnLower => d.flag |= F_ROMAN,
        Key::V => {
            if d.has(F_DECIMAL) {
                return Err(syntax("cannot use \"V\" and decimal point together"));
            }
            d.flag |= F_MULTI;
        }
        Key::Eeee => {
            if d.has(F_EEEE) {
                return Err(syntax("cannot use \"EEEE\" twice"));
            }
            if d.flag
                & (F_BLANK
                    | F_FILLMODE
                    | F_LSIGN
                    | F_BRACKET
                    | F_MINUS
                    | F_PLUS
                    | F_ROMAN
                    | F_MULTI)
                != 0
            {
                return Err(
                    syntax("\"EEEE\" is incompatible with other formats").with_detail(
                        "\"EEEE\" may only be used together with digit and decimal point patterns.",
                    ),
                );
            }
            d.flag |= F_EEEE;
        }
        Key::Comma | Key::C | Key::G | Key::L | Key::Sp | Key::ThUpper | Key::ThLower => {}
    }
    Ok(())
}

/// A value rendered for the processor: its digits (no sign), the blank
/// positions before them and its sign ('+', '-', or 0 for none).
struct Rendered {
    digits: String,
    pre_spaces: i32,
    sign: u8,
}

fn hashes(d: &NumDesc) -> String {
    let mut s = "#".repeat((d.pre + d.post + 1) as usize);
    s.replace_range(d.pre as usize..d.pre as usize + 1, ".");
    s
}

/// A digit string with a sign split off, padded or overflowed as the
/// template's integer positions say.
fn fit(d: &NumDesc, orgnum: &str) -> Rendered {
    let (sign, digits) = match orgnum.strip_prefix('-') {
        Some(rest) => (b'-', rest),
        None => (b'+', orgnum),
    };
    let pre_len = digits.find('.').unwrap_or(digits.len()) as i32;
    if pre_len < d.pre {
        Rendered {
            digits: digits.to_owned(),
            pre_spaces: d.pre - pre_len,
            sign,
        }
    } else if pre_len > d.pre {
        Rendered {
            digits: hashes(d),
            pre_spaces: 0,
            sign,
        }
    } else {
        Rendered {
            digits: digits.to_owned(),
            pre_spaces: 0,
            sign,
        }
    }
}

/// int_to_roman: 1..=3999 as a Roman numeral, else 15 `#`s.
fn roman(n: i64) -> String {
    if !(1..=3999).contains(&n) {
        return "#".repeat(15);
    }
    const ONES: [&str; 10] = ["", "I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX"];
    const TENS: [&str; 10] = ["", "X", "XX", "XXX", "XL", "L", "LX", "LXX", "LXXX", "XC"];
    const HUNDREDS: [&str; 10] = ["", "C", "CC", "CCC", "CD", "D", "DC", "DCC", "DCCC", "CM"];
    let n = n as usize;
    format!(
        "{}{}{}{}",
        "M".repeat(n / 1000),
        HUNDREDS[n / 100 % 10],
        TENS[n / 10 % 10],
        ONES[n % 10]
    )
}

fn roman_rendered(n: i64) -> Rendered {
    Rendered {
        digits: roman(n),
        pre_spaces: 0,
        sign: 0,
    }
}

/// C's `%+.*e` (a positive value signed with a blank).
fn float_sci(v: f64, post: i32) -> String {
    let s = format!("{:+.*e}", post.max(0) as usize, v);
    let (m, e) = s.split_once('e').unwrap_or((&s, "0"));
    let e: i32 = e.parse().unwrap_or(0);
    let m = m.replacen('+', " ", 1);
    format!("{m}e{e:+03}")
}

/// `####` in place of NaN or an infinity in scientific notation.
fn sci_hashes(d: &NumDesc) -> String {
    let mut s = String::from(" ");
    s.push_str(&"#".repeat(d.pre as usize));
    s.push('.');
    s.push_str(&"#".repeat((d.post + 4) as usize));
    s
}

/// numeric_out_sci: one digit before the point, `scale` after it (the
/// significand rounded after the exponent is chosen, so 9.999 at two
/// decimals is `10.00e+00`, as PostgreSQL prints it), a blank for a
/// positive sign.
fn numeric_sci(n: &Numeric, scale: i32) -> String {
    let Some((mant, nscale)) = n.parts() else {
        return n.to_string();
    };
    let neg = mant.sign() == num_bigint::Sign::Minus;
    let digits = mant.magnitude().to_string();
    let scale = scale.max(0) as usize;
    let (sig_digits, exponent) = if digits == "0" {
        ("0".repeat(scale + 1), 0i64)
    } else {
        let exponent = digits.len() as i64 - 1 - nscale as i64;
        let mut keep: Vec<u8> = digits.bytes().take(scale + 1).collect();
        while keep.len() < scale + 1 {
            keep.push(b'0');
        }
        if digits.len() > scale + 1 && digits.as_bytes()[scale + 1] >= b'5' {
            let mut i = keep.len();
            loop {
                if i == 0 {
                    keep.insert(0, b'1');
                    break;
                }
                i -= 1;
                if keep[i] == b'9' {
                    keep[i] = b'0';
                } else {
                    keep[i] += 1;
                    break;
                }
            }
        }
        (String::from_utf8(keep).unwrap_or_default(), exponent)
    };
    let int_len = sig_digits.len() - scale;
    let mut s = String::from(if neg { "-" } else { " " });
    s.push_str(&sig_digits[..int_len]);
    if scale > 0 {
        s.push('.');
        s.push_str(&sig_digits[int_len..]);
    }
    s.push_str(&format!("e{exponent:+03}"));
    s
}

/// The rendering of a numeric value.
fn render_numeric(d: &mut NumDesc, v: &Numeric) -> PgResult<Rendered> {
    if d.is_roman() {
        let r = v.round(0)?;
        let n = match &r {
            Numeric::NaN => {
                return Err(PgError::new(
                    sqlstate::FEATURE_NOT_SUPPORTED,
                    "cannot convert NaN to integer",
                ))
            }
            Numeric::PosInf | Numeric::NegInf => {
                return Err(PgError::new(
                    sqlstate::FEATURE_NOT_SUPPORTED,
                    "cannot convert infinity to integer",
                ))
            }
            _ => r
                .to_i128_rounded()
                .and_then(|n| i32::try_from(n).ok())
                .ok_or_else(|| {
                    PgError::new(sqlstate::NUMERIC_VALUE_OUT_OF_RANGE, "integer out of range")
                })?,
        };
        return Ok(roman_rendered(n as i64));
    }
    if d.is_eeee() {
        let digits = if v.is_special() {
            sci_hashes(d)
        } else {
            numeric_sci(v, d.post)
        };
        return Ok(Rendered {
            digits,
            pre_spaces: 0,
            sign: 0,
        });
    }
    let mut val = v.clone();
    if d.is_multi() {
        let factor = power(&Numeric::from_i64(10), &Numeric::from_i64(d.multi as i64))?;
        val = val.mul(&factor)?;
        d.pre += d.multi;
    }
    let rounded = val.round(d.post)?;
    Ok(fit(d, &rounded.to_string()))
}

/// The rendering of an int4 or int8 value.
fn render_int(d: &mut NumDesc, v: i64, int8: bool) -> PgResult<Rendered> {
    let out_of_range = || {
        PgError::new(
            sqlstate::NUMERIC_VALUE_OUT_OF_RANGE,
            if int8 {
                "bigint out of range"
            } else {
                "integer out of range"
            },
        )
    };
    if d.is_roman() {
        if int8 && i32::try_from(v).is_err() {
            return Err(PgError::new(
                sqlstate::NUMERIC_VALUE_OUT_OF_RANGE,
                "integer out of range",
            ));
        }
        return Ok(roman_rendered(v));
    }
    if d.is_eeee() {
        let digits = if int8 {
            numeric_sci(&Numeric::from_i64(v), d.post)
        } else {
            float_sci(v as f64, d.post)
        };
        return Ok(Rendered {
            digits,
            pre_spaces: 0,
            sign: 0,
        });
    }
    let mut v = v;
    if d.is_multi() {
        if int8 {
            let factor = 10f64.powi(d.multi);
            if factor >= 9.223_372_036_854_776e18 {
                return Err(out_of_range());
            }
            v = v.checked_mul(factor as i64).ok_or_else(out_of_range)?;
        } else {
            // int4 arithmetic wraps, as PostgreSQL's C multiplication.
            let factor = 10f64.powi(d.multi);
            let factor = if factor > i32::MAX as f64 {
                i32::MIN
            } else {
                factor as i32
            };
            v = (v as i32).wrapping_mul(factor) as i64;
        }
        d.pre += d.multi;
    }
    let mut s = v.to_string();
    if d.post > 0 {
        s.push('.');
        s.push_str(&"0".repeat(d.post as usize));
    }
    Ok(fit(d, &s))
}

/// PostgreSQL's own printf: NaN and Infinity spelled out.
fn c_fixed(v: f64, post: usize) -> String {
    if v.is_nan() {
        "NaN".to_owned()
    } else if v.is_infinite() {
        if v > 0.0 { "Infinity" } else { "-Infinity" }.to_owned()
    } else {
        format!("{v:.post$}")
    }
}

/// The rendering of a float4 (`digits` 6) or float8 (15) value.
fn render_float(d: &mut NumDesc, v: f64, float4: bool) -> PgResult<Rendered> {
    if d.is_roman() {
        let r = v.round_ties_even();
        let n = if r.is_finite() && r.abs() < 2_147_483_648.0 {
            r as i64
        } else {
            i32::MIN as i64
        };
        return Ok(roman_rendered(n));
    }
    if d.is_eeee() {
        let digits = if v.is_nan() || v.is_infinite() {
            sci_hashes(d)
        } else {
            float_sci(v, d.post)
        };
        return Ok(Rendered {
            digits,
            pre_spaces: 0,
            sign: 0,
        });
    }
    let mut val = v;
    if d.is_multi() {
        if float4 {
            let m = 10f64.powi(d.multi) as f32;
            val = ((v as f32) * m) as f64;
        } else {
            val = v * 10f64.powi(d.multi);
        }
        d.pre += d.multi;
    }
    let max_digits = if float4 { 6 } else { 15 };
    let pre_len = c_fixed(val.abs(), 0).len() as i32;
    if pre_len >= max_digits {
        d.post = 0;
    } else if pre_len + d.post > max_digits {
        d.post = max_digits - pre_len;
    }
    Ok(fit(d, &c_fixed(val, d.post as usize)))
}

/// The state of one run of the processor over a template.
struct Proc<'a> {
    d: NumDesc,
    number: &'a [u8],
    number_p: usize,
    last_relevant: Option<usize>,
    out: Vec<u8>,
    sign: u8,
    sign_wrote: bool,
    num_in: bool,
    num_curr: i32,
    num_count: i32,
    out_pre_spaces: i32,
}

impl Proc<'_> {
    fn cur(&self) -> u8 {
        self.number.get(self.number_p).copied().unwrap_or(0)
    }
    fn fm(&self) -> bool {
        self.d.has(F_FILLMODE)
    }
    fn last_rel_is_dot(&self) -> bool {
        self.last_relevant
            .is_some_and(|i| self.number.get(i) == Some(&b'.'))
    }
    /// IS_PREDEC_SPACE: a lone leading zero before decimals prints blank.
    fn predec_space(&self) -> bool {
        !self.d.has(F_ZERO)
            && self.number_p == 0
            && self.number.first() == Some(&b'0')
            && self.d.post != 0
    }
    fn push(&mut self, s: &str) {
        self.out.extend_from_slice(s.as_bytes());
    }

    /// NUM_numpart_to_char: a digit position or the decimal point.
    fn numpart(&mut self, key: Key) {
        if self.d.has(F_ROMAN) {
            return;
        }
        self.num_in = false;
        let zero = self.d.has(F_ZERO);
        if !self.sign_wrote
            && (self.num_curr >= self.out_pre_spaces
                || (zero && self.d.zero_start == self.num_curr))
            && (!self.predec_space() || self.last_rel_is_dot())
        {
            if self.d.has(F_LSIGN) {
                if self.d.lsign == LSign::Pre {
                    let s = if self.sign == b'-' { "-" } else { "+" };
                    self.push(s);
                    self.sign_wrote = true;
                }
            } else if self.d.has(F_BRACKET) {
                let c = if self.sign == b'+' { b' ' } else { b'<' };
                self.out.push(c);
                self.sign_wrote = true;
            } else if self.sign == b'+' {
                if !self.fm() {
                    self.out.push(b' ');
                }
                self.sign_wrote = true;
            } else if self.sign == b'-' {
                self.out.push(b'-');
                self.sign_wrote = true;
            }
        }
        if self.num_curr < self.out_pre_spaces && (self.d.zero_start > self.num_curr || !zero) {
            if !self.fm() {
                self.out.push(b' ');
            }
        } else if zero && self.num_curr < self.out_pre_spaces && self.d.zero_start <= self.num_curr
        {
            self.out.push(b'0');
            self.num_in = true;
        } else {
            let c = self.cur();
            if c == b'.' {
                if !self.last_rel_is_dot() || self.fm() {
                    self.push(DECIMAL);
                }
            } else if self
                .last_relevant
                .is_some_and(|lr| self.number_p > lr && key != Key::Zero)
            {
            } else if self.predec_space() {
                if !self.fm() {
                    self.out.push(b' ');
                } else if self.last_rel_is_dot() {
                    self.out.push(b'0');
                }
            } else {
                // Past the digits this writes C's terminator: the output
                // ends there, as PostgreSQL's does.
                self.out.push(c);
                self.num_in = true;
            }
            if c != 0 {
                self.number_p += 1;
            }
        }
        let mut end =
            self.num_count + i32::from(self.out_pre_spaces != 0) + i32::from(self.d.has(F_DECIMAL));
        if self.last_relevant == Some(self.number_p) {
            end = self.num_curr;
        }
        if self.num_curr + 1 == end {
            if self.sign_wrote && self.d.has(F_BRACKET) {
                let c = if self.sign == b'+' { b' ' } else { b'>' };
                self.out.push(c);
            } else if self.d.has(F_LSIGN) && self.d.lsign == LSign::Post {
                let s = if self.sign == b'-' { "-" } else { "+" };
                self.push(s);
            }
        }
        self.num_curr += 1;
    }
}

/// get_last_relevant_decnum: the last non-zero decimal (or the point).
fn last_relevant(num: &[u8]) -> Option<usize> {
    let p = num.iter().position(|&c| c == b'.')?;
    let mut result = p;
    for (i, &c) in num.iter().enumerate().skip(p + 1) {
        if c != b'0' {
            result = i;
        }
    }
    Some(result)
}

/// get_th: the ordinal suffix of a digit string's last digit.
fn ordinal(num: &[u8], upper: bool) -> PgResult<&'static str> {
    let last = num.last().copied().unwrap_or(0);
    if !last.is_ascii_digit() {
        return Err(PgError::new(
            sqlstate::INVALID_TEXT_REPRESENTATION,
            format!("\"{}\" is not a number", String::from_utf8_lossy(num)),
        ));
    }
    let teen = num.len() > 1 && num[num.len() - 2] == b'1';
    let s = match (teen, last) {
        (false, b'1') => "st",
        (false, b'2') => "nd",
        (false, b'3') => "rd",
        _ => "th",
    };
    Ok(if upper {
        match s {
            "st" => "ST",
            "nd" => "ND",
            "rd" => "RD",
            _ => "TH",
        }
    } else {
        s
    })
}

/// A number to_char formats.
pub enum NumArg<'a> {
    Int4(i32),
    Int8(i64),
    Numeric(&'a Numeric),
    Float4(f32),
    Float8(f64),
}

/// to_char(number, template); an empty template gives ''.
pub fn to_char(value: NumArg, fmt: &str) -> PgResult<String> {
    if fmt.is_empty() {
        return Ok(String::new());
    }
    let t = Template::parse(fmt)?;
    // The renderer may change the description: V widens `pre`, a float
    // loses decimals beyond its precision.
    let mut desc = t.desc.clone();
    let r = match value {
        NumArg::Int4(v) => render_int(&mut desc, v as i64, false)?,
        NumArg::Int8(v) => render_int(&mut desc, v, true)?,
        NumArg::Numeric(v) => render_numeric(&mut desc, v)?,
        NumArg::Float4(v) => render_float(&mut desc, v as f64, true)?,
        NumArg::Float8(v) => render_float(&mut desc, v, false)?,
    };
    process(&t, &desc, &r)
}

/// NUM_processor, writing: the template over a rendered value.
fn process(t: &Template, desc: &NumDesc, r: &Rendered) -> PgResult<String> {
    let mut d = desc.clone();
    if d.is_eeee() {
        return Ok(r.digits.clone());
    }
    if d.zero_start > 0 {
        d.zero_start -= 1;
    }
    if d.is_roman() {
        d.lsign = LSign::None;
        d.pre_lsign_num = 0;
        d.post = 0;
        d.pre = 0;
        d.flag = F_ROMAN | (d.flag & F_FILLMODE);
    }
    let number = r.digits.as_bytes();
    let mut p = Proc {
        d,
        number,
        number_p: 0,
        last_relevant: None,
        out: Vec::new(),
        sign: r.sign,
        sign_wrote: false,
        num_in: false,
        num_curr: 0,
        num_count: 0,
        out_pre_spaces: if desc.is_roman() { 0 } else { r.pre_spaces },
    };
    if p.d.has(F_PLUS) || p.d.has(F_MINUS) {
        p.sign_wrote = !p.d.has(F_PLUS) || p.d.has(F_MINUS);
    } else {
        if p.sign != b'-' && p.fm() {
            p.d.flag &= !F_BRACKET;
        }
        p.sign_wrote = p.sign == b'+' && p.fm() && !p.d.has(F_LSIGN);
        if p.d.lsign == LSign::Pre && p.d.pre == p.d.pre_lsign_num {
            p.d.lsign = LSign::Post;
        }
    }
    p.num_count = p.d.post + p.d.pre - 1;
    if p.fm() && p.d.has(F_DECIMAL) {
        p.last_relevant = last_relevant(number);
        if p.last_relevant.is_some() && p.d.zero_end > p.out_pre_spaces {
            let last_zero = (number.len() as i32 - 1).min(p.d.zero_end - p.out_pre_spaces);
            if p.last_relevant < Some(last_zero as usize) {
                p.last_relevant = Some(last_zero as usize);
            }
        }
    }
    if !p.sign_wrote && p.out_pre_spaces == 0 {
        p.num_count += 1;
    }
    for node in &t.nodes {
        let key = match node {
            Node::Char(c) => {
                p.push(c);
                continue;
            }
            Node::Key(k) => *k,
        };
        match key {
            Key::Nine | Key::Zero | Key::Dec | Key::D => p.numpart(key),
            Key::Comma | Key::G => {
                if !p.num_in {
                    if !p.fm() {
                        p.out.push(b' ');
                    }
                } else {
                    p.push(THOUSANDS);
                }
            }
            Key::L => p.push(CURRENCY),
            Key::RnUpper | Key::RnLower => {
                let s = if key == Key::RnLower {
                    String::from_utf8_lossy(number).to_lowercase()
                } else {
                    String::from_utf8_lossy(number).into_owned()
                };
                if p.fm() {
                    p.push(&s);
                } else {
                    p.push(&format!("{s:>15}"));
                }
            }
            Key::ThUpper | Key::ThLower => {
                if p.d.has(F_ROMAN)
                    || number.first() == Some(&b'#')
                    || p.sign == b'-'
                    || p.d.has(F_DECIMAL)
                {
                    continue;
                }
                let th = ordinal(number, key == Key::ThUpper)?;
                p.push(th);
            }
            Key::Mi => {
                if p.sign == b'-' {
                    p.out.push(b'-');
                } else if !p.fm() {
                    p.out.push(b' ');
                }
            }
            Key::Pl => {
                if p.sign == b'+' {
                    p.out.push(b'+');
                } else if !p.fm() {
                    p.out.push(b' ');
                }
            }
            Key::Sg => p.out.push(p.sign),
            _ => {}
        }
    }
    let end = p.out.iter().position(|&c| c == 0).unwrap_or(p.out.len());
    p.out.truncate(end);
    Ok(String::from_utf8_lossy(&p.out).into_owned())
}

/// The length in bytes of the UTF-8 character starting with `b`.
fn mblen(b: u8) -> usize {
    match b {
        0xF0..=0xFF => 4,
        0xE0..=0xEF => 3,
        0xC0..=0xDF => 2,
        _ => 1,
    }
}

/// The reading side of the processor (to_number).
struct Reader<'a> {
    d: NumDesc,
    input: &'a [u8],
    pos: usize,
    /// The sign (' ' until one is read) and the digits read.
    number: Vec<u8>,
    read_pre: i32,
    read_post: i32,
    read_dec: bool,
}

impl Reader<'_> {
    fn at(&self, i: usize) -> u8 {
        self.input.get(i).copied().unwrap_or(0)
    }
    fn overload(&self) -> bool {
        self.pos >= self.input.len()
    }
    fn amount(&self, n: usize) -> bool {
        self.pos + n <= self.input.len()
    }
    fn matches(&self, s: &str) -> bool {
        self.amount(s.len()) && self.input[self.pos..].starts_with(s.as_bytes())
    }

    /// NUM_eat_non_data_chars.
    fn eat_non_data(&mut self, n: usize) {
        for _ in 0..n {
            if self.overload() || b"0123456789.,+-".contains(&self.at(self.pos)) {
                break;
            }
            self.pos += mblen(self.at(self.pos));
        }
    }

    /// NUM_numpart_from_char.
    fn numpart(&mut self, key: Key) {
        if self.overload() {
            return;
        }
        if self.at(self.pos) == b' ' {
            self.pos += 1;
        }
        if self.overload() {
            return;
        }
        if self.number[0] == b' '
            && matches!(key, Key::Zero | Key::Nine)
            && self.read_pre + self.read_post == 0
        {
            if self.d.has(F_LSIGN) && self.d.lsign == LSign::Pre {
                if self.matches("-") {
                    self.pos += 1;
                    self.number[0] = b'-';
                } else if self.matches("+") {
                    self.pos += 1;
                    self.number[0] = b'+';
                }
            } else {
                let c = self.at(self.pos);
                if c == b'-' || (self.d.has(F_BRACKET) && c == b'<') {
                    self.number[0] = b'-';
                    self.pos += 1;
                } else if c == b'+' {
                    self.number[0] = b'+';
                    self.pos += 1;
                }
            }
        }
        if self.overload() {
            return;
        }
        let c = self.at(self.pos);
        let mut isread = false;
        if c.is_ascii_digit() {
            if self.read_dec && self.read_post == self.d.post {
                return;
            }
            self.number.push(c);
            if self.read_dec {
                self.read_post += 1;
            } else {
                self.read_pre += 1;
            }
            isread = true;
        } else if self.d.has(F_DECIMAL) && !self.read_dec && self.matches(DECIMAL) {
            self.pos += DECIMAL.len() - 1;
            self.number.push(b'.');
            self.read_dec = true;
            isread = true;
        }
        // A sign right after the last digit read: a locale sign (S)
        // anchored to a digit, or MI/PL/SG's where its place is unclear
        // (`FM9.999999MI` reading `5.01-`).
        if self.number[0] == b' ' && self.read_pre + self.read_post > 0 {
            if self.d.has(F_LSIGN) && isread {
                if self.pos + 1 < self.input.len() && !self.at(self.pos + 1).is_ascii_digit() {
                    let tmp = self.pos;
                    self.pos += 1;
                    if self.matches("-") {
                        self.number[0] = b'-';
                    } else if self.matches("+") {
                        self.number[0] = b'+';
                    }
                    if self.number[0] == b' ' {
                        self.pos = tmp;
                    }
                }
            } else if !isread
                && !self.d.has(F_LSIGN)
                && (self.d.has(F_PLUS) || self.d.has(F_MINUS))
                && matches!(self.at(self.pos), b'-' | b'+')
            {
                self.number[0] = self.at(self.pos);
            }
        }
    }
}

/// to_number(text, template); an empty template gives NULL.
pub fn to_number(input: &str, fmt: &str) -> PgResult<Option<Numeric>> {
    if fmt.is_empty() {
        return Ok(None);
    }
    let t = &Template::parse(fmt)?;
    if t.desc.is_eeee() {
        return Err(PgError::new(
            sqlstate::FEATURE_NOT_SUPPORTED,
            "\"EEEE\" not supported for input",
        ));
    }
    if t.desc.is_roman() {
        return Err(PgError::new(
            sqlstate::FEATURE_NOT_SUPPORTED,
            "\"RN\" not supported for input",
        ));
    }
    let mut r = Reader {
        d: t.desc.clone(),
        input: input.as_bytes(),
        pos: 0,
        number: vec![b' '],
        read_pre: 0,
        read_post: 0,
        read_dec: false,
    };
    for node in &t.nodes {
        if r.overload() {
            break;
        }
        let key = match node {
            Node::Char(_) => {
                r.pos += mblen(r.at(r.pos));
                continue;
            }
            Node::Key(k) => *k,
        };
        match key {
            Key::Nine | Key::Zero | Key::Dec | Key::D => r.numpart(key),
            Key::Comma | Key::G => {
                if r.d.has(F_FILLMODE) || !r.matches(THOUSANDS) {
                    continue;
                }
                r.pos += THOUSANDS.len() - 1;
            }
            Key::L => {
                r.eat_non_data(CURRENCY.chars().count());
                continue;
            }
            Key::ThUpper | Key::ThLower => {
                if r.d.has(F_DECIMAL) {
                    continue;
                }
                r.eat_non_data(2);
                continue;
            }
            Key::Mi | Key::Pl | Key::Sg => {
                let c = r.at(r.pos);
                let wanted = match key {
                    Key::Mi => c == b'-',
                    Key::Pl => c == b'+',
                    _ => c == b'-' || c == b'+',
                };
                if wanted {
                    r.number[0] = c;
                } else {
                    r.eat_non_data(1);
                    continue;
                }
            }
            _ => continue,
        }
        r.pos += 1;
    }
    if r.number.last() == Some(&b'.') && r.number.len() > 1 {
        r.number.pop();
    }
    let text = String::from_utf8_lossy(&r.number).into_owned();
    let scale = r.read_post;
    let precision = t.desc.pre + t.desc.multi + scale;
    let value = Numeric::input(&text)?;
    check_typmod(&value, precision, scale)?;
    let value = value.round(scale)?;
    if t.desc.is_multi() {
        let factor = power(
            &Numeric::from_i64(10),
            &Numeric::from_i64(-t.desc.multi as i64),
        )?;
        return value.mul(&factor).map(Some);
    }
    Ok(Some(value))
}

/// numeric_in's typmod check: integer digits beyond precision - scale
/// are 22003.
fn check_typmod(v: &Numeric, precision: i32, scale: i32) -> PgResult<()> {
    let Some((mant, nscale)) = v.round(scale)?.parts() else {
        return Ok(());
    };
    let digits = mant.magnitude().to_string();
    let int_digits = if digits == "0" {
        0
    } else {
        (digits.len() as i32 - nscale as i32).max(0)
    };
    let max = precision - scale;
    if int_digits > max {
        let bound = if max > 0 {
            format!("10^{max}")
        } else {
            "1".to_owned()
        };
        return Err(PgError::new(
            sqlstate::NUMERIC_VALUE_OUT_OF_RANGE,
            "numeric field overflow",
        )
        .with_detail(format!(
            "A field with precision {precision}, scale {scale} must round to an absolute value less than {bound}."
        )));
    }
    Ok(())
}
