//! The MAC address types: `macaddr` (6 bytes, OID 829) and `macaddr8`
//! (8 bytes, EUI-64, OID 774). Text input in every form PostgreSQL 15
//! accepts, output as lower-case colon-separated hex, binary send and
//! receive (the bytes; macaddr8 also receives 6), the conversions between
//! the two, and the bit functions (`trunc`, `macaddr8_set7bit`, `& | ~`).

use crate::error::{sqlstate, PgError, PgResult};

fn syntax(ty: &str, s: &str) -> PgError {
    PgError::new(
        sqlstate::INVALID_TEXT_REPRESENTATION,
        format!("invalid input syntax for type {ty}: \"{s}\""),
    )
}

/// One step of a macaddr input format: a hexadecimal field read as C's
/// `%x` (`Some(2)`: `%2x`), or a literal character.
#[derive(Clone, Copy)]
enum Step {
    Hex(Option<usize>),
    Lit(u8),
}

/// The formats macaddr_in tries in turn: `08:00:2b:01:02:03`,
/// `08-00-2b-01-02-03`, `08002b:010203`, `08002b-010203`,
/// `0800.2b01.0203`, `0800-2b01-0203` and `08002b010203`.
fn formats() -> [Vec<Step>; 7] {
    use Step::{Hex, Lit};
    let free = |sep: u8| {
        let mut v = vec![Hex(None)];
        for _ in 0..5 {
            v.push(Lit(sep));
            v.push(Hex(None));
        }
        v
    };
    let two = Hex(Some(2));
    let groups = |sizes: &[usize], sep: Option<u8>| {
        let mut v = Vec::new();
        for (i, n) in sizes.iter().enumerate() {
            if i > 0 {
                if let Some(s) = sep {
                    v.push(Lit(s));
                }
            }
            v.extend(std::iter::repeat_n(two, *n));
        }
        v
    };
    [
        free(b':'),
        free(b'-'),
        groups(&[3, 3], Some(b':')),
        groups(&[3, 3], Some(b'-')),
        groups(&[2, 2, 2], Some(b'.')),
        groups(&[2, 2, 2], Some(b'-')),
        groups(&[6], None),
    ]
}

/// Reads `s` as sscanf does with `steps` followed by `%1s`: the fields,
/// when all six are read and nothing but blanks follows.
fn scan(s: &[u8], steps: &[Step]) -> Option<Vec<i64>> {
    let mut i = 0;
    let mut out = Vec::new();
    for step in steps {
        match *step {
            Step::Lit(c) => {
                if s.get(i) != Some(&c) {
                    return None;
                }
                i += 1;
            }
            Step::Hex(width) => {
                while s.get(i).is_some_and(|c| c.is_ascii_whitespace()) {
                    i += 1;
                }
                let limit = width.map_or(usize::MAX, |w| i + w);
                let mut neg = false;
                if i < limit && matches!(s.get(i), Some(b'+' | b'-')) {
                    neg = s[i] == b'-';
                    i += 1;
                }
                if i + 1 < limit
                    && s.get(i) == Some(&b'0')
                    && matches!(s.get(i + 1), Some(b'x' | b'X'))
                    && s.get(i + 2).is_some_and(|c| c.is_ascii_hexdigit())
                    && i + 2 < limit
                {
                    i += 2;
                }
                let start = i;
                let mut v: i64 = 0;
                while i < limit && s.get(i).is_some_and(|c| c.is_ascii_hexdigit()) {
                    let d = (s[i] as char).to_digit(16).unwrap_or(0) as i64;
                    v = v.saturating_mul(16).saturating_add(d);
                    i += 1;
                }
                if i == start {
                    return None;
                }
                out.push(if neg { -v } else { v });
            }
        }
    }
    if s[i..].iter().all(|c| c.is_ascii_whitespace()) {
        Some(out)
    } else {
        None
    }
}

/// macaddr_in.
pub fn parse_macaddr(s: &str) -> PgResult<[u8; 6]> {
    let fields = formats()
        .iter()
        .find_map(|f| scan(s.as_bytes(), f))
        .ok_or_else(|| syntax("macaddr", s))?;
    let mut out = [0u8; 6];
    for (o, v) in out.iter_mut().zip(&fields) {
        *o = u8::try_from(*v).map_err(|_| {
            PgError::new(
                sqlstate::NUMERIC_VALUE_OUT_OF_RANGE,
                format!("invalid octet value in \"macaddr\" value: \"{s}\""),
            )
        })?;
    }
    Ok(out)
}

/// macaddr8_in: six or eight hex pairs, optionally separated by one
/// kind of separator (`:`, `-` or `.`), blanks around; six bytes become
/// the EUI-64 form with FF:FE in the middle.
pub fn parse_macaddr8(s: &str) -> PgResult<[u8; 8]> {
    let bad = || syntax("macaddr8", s);
    let b = s.as_bytes();
    let mut i = 0;
    while b.get(i).is_some_and(|c| c.is_ascii_whitespace()) {
        i += 1;
    }
    let mut bytes: Vec<u8> = Vec::new();
    let mut spacer: Option<u8> = None;
    while i + 1 < b.len() {
        let hi = (b[i] as char).to_digit(16).ok_or_else(bad)?;
        let lo = (b[i + 1] as char).to_digit(16).ok_or_else(bad)?;
        bytes.push((hi * 16 + lo) as u8);
        i += 2;
        if bytes.len() > 8 {
            return Err(bad());
        }
        if let Some(&c @ (b':' | b'-' | b'.')) = b.get(i) {
            match spacer {
                None => spacer = Some(c),
                Some(sp) if sp != c => return Err(bad()),
                _ => {}
            }
            i += 1;
        }
        if (bytes.len() == 6 || bytes.len() == 8)
            && b.get(i).is_some_and(|c| c.is_ascii_whitespace())
        {
            if b[i..].iter().all(|c| c.is_ascii_whitespace()) {
                i = b.len();
                break;
            }
            return Err(bad());
        }
    }
    if i < b.len() {
        return Err(bad());
    }
    match bytes.len() {
        6 => Ok([
            bytes[0], bytes[1], bytes[2], 0xff, 0xfe, bytes[3], bytes[4], bytes[5],
        ]),
        8 => Ok(bytes.try_into().unwrap_or([0; 8])),
        _ => Err(bad()),
    }
}

/// Output of either type: lower-case hex pairs joined by colons.
pub fn format(bytes: &[u8], out: &mut String) {
    for (i, b) in bytes.iter().enumerate() {
        if i > 0 {
            out.push(':');
        }
        out.push_str(&format!("{b:02x}"));
    }
}

fn bad_binary(ty: &str) -> PgError {
    PgError::new(
        sqlstate::INVALID_BINARY_REPRESENTATION,
        format!("incorrect binary data format in {ty}"),
    )
}

/// macaddr_recv: exactly six bytes.
pub fn recv_macaddr(d: &[u8]) -> PgResult<[u8; 6]> {
    d.try_into().map_err(|_| bad_binary("macaddr"))
}

/// macaddr8_recv: eight bytes, or six (made EUI-64 as on input).
pub fn recv_macaddr8(d: &[u8]) -> PgResult<[u8; 8]> {
    match d.len() {
        8 => Ok(d.try_into().unwrap_or([0; 8])),
        6 => Ok(to_macaddr8(&d.try_into().unwrap_or([0; 6]))),
        _ => Err(bad_binary("macaddr8")),
    }
}

/// macaddr8(macaddr): FF:FE inserted after the OUI.
pub fn to_macaddr8(m: &[u8; 6]) -> [u8; 8] {
    [m[0], m[1], m[2], 0xff, 0xfe, m[3], m[4], m[5]]
}

/// macaddr(macaddr8): only addresses with FF:FE as 4th and 5th bytes.
pub fn to_macaddr(m: &[u8; 8]) -> PgResult<[u8; 6]> {
    if m[3] != 0xff || m[4] != 0xfe {
        return Err(PgError::new(
            sqlstate::NUMERIC_VALUE_OUT_OF_RANGE,
            "macaddr8 data out of range to convert to macaddr",
        )
        .with_hint("Only addresses that have FF and FE as values in the 4th and 5th bytes from the left, for example xx:xx:xx:ff:fe:xx:xx:xx, are eligible to be converted from macaddr8 to macaddr."));
    }
    Ok([m[0], m[1], m[2], m[5], m[6], m[7]])
}

/// trunc: the OUI kept (the first three bytes), the rest zero.
pub fn trunc<const N: usize>(m: &[u8; N]) -> [u8; N] {
    let mut out = [0u8; N];
    out[..3].copy_from_slice(&m[..3]);
    out
}

/// macaddr8_set7bit: the universal/local bit (0x02 of the first byte) set.
pub fn set7bit(m: &[u8; 8]) -> [u8; 8] {
    let mut out = *m;
    out[0] |= 0x02;
    out
}

/// `~`, `&` and `|` byte by byte.
pub fn not<const N: usize>(m: &[u8; N]) -> [u8; N] {
    m.map(|b| !b)
}

pub fn and_or<const N: usize>(a: &[u8; N], b: &[u8; N], and: bool) -> [u8; N] {
    let mut out = [0u8; N];
    for i in 0..N {
        out[i] = if and { a[i] & b[i] } else { a[i] | b[i] };
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(b: &[u8]) -> String {
        let mut s = String::new();
        format(b, &mut s);
        s
    }

    #[test]
    fn macaddr_forms() {
        for s in [
            "08:00:2b:01:02:03",
            "08-00-2b-01-02-03",
            "08002b:010203",
            "08002b-010203",
            "0800.2b01.0203",
            "0800-2b01-0203",
            "08002b010203",
            " 08:00:2B:01:02:03 ",
            "8:0:2b:1:2:3",
        ] {
            assert_eq!(text(&parse_macaddr(s).unwrap()), "08:00:2b:01:02:03", "{s}");
        }
        assert_eq!(
            parse_macaddr("08:00:2b:01:02:100").unwrap_err().code,
            "22003"
        );
        assert_eq!(parse_macaddr("08:00:2b:01:02").unwrap_err().code, "22P02");
        assert_eq!(
            parse_macaddr("08:00:2b:01:02:03x").unwrap_err().code,
            "22P02"
        );
    }

    #[test]
    fn macaddr8_forms() {
        assert_eq!(
            text(&parse_macaddr8("08:00:2b:01:02:03").unwrap()),
            "08:00:2b:ff:fe:01:02:03"
        );
        assert_eq!(
            text(&parse_macaddr8("0800.2b01.0203.0405").unwrap()),
            "08:00:2b:01:02:03:04:05"
        );
        assert!(parse_macaddr8("08:00-2b:01:02:03").is_err());
        assert!(parse_macaddr8("08:00:2b:01:02:03:04").is_err());
        assert_eq!(
            to_macaddr(&parse_macaddr8("08:00:2b:01:02:03").unwrap()).unwrap(),
            [8, 0, 0x2b, 1, 2, 3]
        );
        assert!(to_macaddr(&[0; 8]).is_err());
    }
}
