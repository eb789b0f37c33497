//! The tid type (a row version's physical address: block and line
//! pointer, `(0,1)`), the type of the `ctid` system column.

use crate::error::{sqlstate, PgError, PgResult};

fn bad(s: &str) -> PgError {
    PgError::new(
        sqlstate::INVALID_TEXT_REPRESENTATION,
        format!("invalid input syntax for type tid: \"{s}\""),
    )
}

/// tidin: `(block,offset)`, blanks allowed around the numbers; the block
/// is an unsigned 32-bit number (a negative one wraps, as PostgreSQL's
/// strtoul does), the offset an unsigned 16-bit one.
pub fn parse(s: &str) -> PgResult<(u32, u16)> {
    let t = s.trim_matches(|c: char| c.is_ascii_whitespace());
    let inner = t
        .strip_prefix('(')
        .and_then(|r| r.strip_suffix(')'))
        .ok_or_else(|| bad(s))?;
    let (b, o) = inner.split_once(',').ok_or_else(|| bad(s))?;
    let num = |x: &str, max: i64| -> PgResult<i64> {
        // strtoul's leading blanks only: a blank after a number is refused.
        let x = x.trim_start_matches(|c: char| c.is_ascii_whitespace());
        let v: i64 = x.parse().map_err(|_| bad(s))?;
        if v < -max - 1 || v > max {
            return Err(bad(s));
        }
        Ok(v)
    };
    let block = num(b, u32::MAX as i64)?;
    let offset = num(o, u16::MAX as i64)?;
    if offset < 0 {
        return Err(bad(s));
    }
    Ok((block as u32, offset as u16))
}

/// tidout.
pub fn format(block: u32, offset: u16, out: &mut String) {
    use std::fmt::Write;
    let _ = write!(out, "({block},{offset})");
}

/// tidrecv: 4-byte block, 2-byte offset.
pub fn recv(d: &[u8]) -> Option<(u32, u16)> {
    if d.len() != 6 {
        return None;
    }
    let b = u32::from_be_bytes(d[0..4].try_into().ok()?);
    let o = u16::from_be_bytes(d[4..6].try_into().ok()?);
    Some((b, o))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip() {
        assert_eq!(parse("(0,1)").unwrap(), (0, 1));
        assert_eq!(parse("( 3, 7)").unwrap(), (3, 7));
        assert!(parse("( 3 , 7 )").is_err());
        assert!(parse("(0,1").is_err());
        assert!(parse("(0,-1)").is_err());
        assert!(parse("(0,65536)").is_err());
        let mut s = String::new();
        format(4294967295, 65535, &mut s);
        assert_eq!(s, "(4294967295,65535)");
        assert_eq!(recv(&[0, 0, 0, 2, 0, 5]), Some((2, 5)));
    }
}
