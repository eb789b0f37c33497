//! `uuid`: 16 bytes; PostgreSQL's input forms (hex digits with or without
//! hyphens after any group of four, in braces, any case), lowercase
//! hyphenated output, and `gen_random_uuid()`'s version 4 values.

use crate::error::{sqlstate, PgError, PgResult};

/// uuid_in.
pub fn parse(s: &str) -> PgResult<[u8; 16]> {
    let err = || {
        PgError::new(
            sqlstate::INVALID_TEXT_REPRESENTATION,
            format!("invalid input syntax for type uuid: \"{s}\""),
        )
    };
    let b = s.as_bytes();
    let mut i = 0;
    let braces = b.first() == Some(&b'{');
    if braces {
        i += 1;
    }
    let mut out = [0u8; 16];
    for (n, byte) in out.iter_mut().enumerate() {
        let hex = |c: u8| (c as char).to_digit(16);
        let (Some(hi), Some(lo)) = (
            b.get(i).copied().and_then(hex),
            b.get(i + 1).copied().and_then(hex),
        ) else {
            return Err(err());
        };
        *byte = (hi * 16 + lo) as u8;
        i += 2;
        if b.get(i) == Some(&b'-') && n % 2 == 1 && n < 15 {
            i += 1;
        }
    }
    if braces {
        if b.get(i) != Some(&b'}') {
            return Err(err());
        }
        i += 1;
    }
    if i != b.len() {
        return Err(err());
    }
    Ok(out)
}

/// uuid_out: `xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx`.
pub fn format(u: &[u8; 16], out: &mut String) {
    use std::fmt::Write;
    for (i, b) in u.iter().enumerate() {
        if matches!(i, 4 | 6 | 8 | 10) {
            out.push('-');
        }
        let _ = write!(out, "{b:02x}");
    }
}

/// uuid_recv: exactly 16 bytes.
pub fn recv(d: &[u8]) -> PgResult<[u8; 16]> {
    d.try_into().map_err(|_| {
        PgError::new(
            sqlstate::INVALID_BINARY_REPRESENTATION,
            "incorrect binary data format for type uuid",
        )
    })
}

/// A random (version 4, variant 1) UUID from the operating system's
/// random source, as gen_random_uuid().
pub fn random_v4() -> [u8; 16] {
    use rand::RngCore;
    let mut u = [0u8; 16];
    rand::rngs::OsRng.fill_bytes(&mut u);
    u[6] = (u[6] & 0x0f) | 0x40;
    u[8] = (u[8] & 0x3f) | 0x80;
    u
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(s: &str) -> String {
        let mut o = String::new();
        format(&parse(s).unwrap(), &mut o);
        o
    }

    #[test]
    fn input_forms() {
        let canon = "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11";
        for s in [
            "A0EEBC99-9C0B-4EF8-BB6D-6BB9BD380A11",
            "{a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11}",
            "a0eebc999c0b4ef8bb6d6bb9bd380a11",
            "a0ee-bc99-9c0b-4ef8-bb6d-6bb9-bd38-0a11",
            "{a0eebc99-9c0b4ef8-bb6d6bb9-bd380a11}",
        ] {
            assert_eq!(text(s), canon, "{s}");
        }
        for bad in [
            "",
            "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a1",
            "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11-",
            "{a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11",
            "a0eebc9-99c0b-4ef8-bb6d-6bb9bd380a11",
            " a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11",
            "g0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11",
        ] {
            assert_eq!(parse(bad).unwrap_err().code, "22P02", "{bad}");
        }
        let r = random_v4();
        assert_eq!(r[6] >> 4, 4);
        assert_eq!(r[8] >> 6, 2);
    }
}
