//! `inet` and `cidr`: an IPv4 or IPv6 address with a netmask length
//! (PostgreSQL's network.c and the BIND-derived inet_net_pton/ntop it
//! uses). A cidr is a network: no bits set right of its mask. Both share
//! one representation; `cidr` records which type a value is, as
//! PostgreSQL's send form does, and decides the text form (a cidr always
//! shows its `/n`, an inet only when it is not the full length).
//!
//! Ordering is PostgreSQL's network_cmp: family (IPv4 first), then the
//! address over the shorter mask, then the mask length, then the whole
//! address; an inet and a cidr of the same address and mask are equal.

use std::cmp::Ordering;

use crate::error::{sqlstate, PgError, PgResult};

/// PGSQL_AF_INET and PGSQL_AF_INET6, as in the send form.
pub const AF_INET: u8 = 2;
pub const AF_INET6: u8 = 3;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Inet {
    pub family: u8,
    pub bits: u8,
    /// A value of type cidr.
    pub cidr: bool,
    /// The address, in the first 4 bytes for IPv4.
    pub addr: [u8; 16],
}

impl Inet {
    pub fn max_bits(&self) -> u8 {
        if self.family == AF_INET {
            32
        } else {
            128
        }
    }

    pub fn addr_len(&self) -> usize {
        if self.family == AF_INET {
            4
        } else {
            16
        }
    }

    pub fn bytes(&self) -> &[u8] {
        &self.addr[..self.addr_len()]
    }

    /// Whether bits right of the mask are set.
    fn host_bits_set(&self) -> bool {
        (self.bits as usize..self.max_bits() as usize).any(|i| bit(&self.addr, i))
    }
}

fn bit(a: &[u8], i: usize) -> bool {
    a[i / 8] & (0x80 >> (i % 8)) != 0
}

fn syntax(cidr: bool, s: &str) -> PgError {
    PgError::new(
        sqlstate::INVALID_TEXT_REPRESENTATION,
        format!(
            "invalid input syntax for type {}: \"{s}\"",
            if cidr { "cidr" } else { "inet" }
        ),
    )
}

/// inet_in / cidr_in.
pub fn parse(s: &str, cidr: bool) -> PgResult<Inet> {
    let err = || syntax(cidr, s);
    let (addr, bits) = if s.contains(':') {
        let (a, b) = parse_v6(s).ok_or_else(err)?;
        (a, b.unwrap_or(128))
    } else if cidr {
        parse_v4_cidr(s).ok_or_else(err)?
    } else {
        parse_v4_inet(s).ok_or_else(err)?
    };
    let v = Inet {
        family: if s.contains(':') { AF_INET6 } else { AF_INET },
        bits,
        cidr,
        addr,
    };
    if cidr && v.host_bits_set() {
        return Err(PgError::new(
            sqlstate::INVALID_TEXT_REPRESENTATION,
            format!("invalid cidr value: \"{s}\""),
        )
        .with_detail("Value has bits set to right of mask."));
    }
    Ok(v)
}

/// Dotted decimal octets, then an optional `/bits`: (octets, bits).
fn v4_parts(s: &str) -> Option<(Vec<u8>, Option<u8>)> {
    let (a, b) = match s.split_once('/') {
        Some((a, b)) => (a, Some(b)),
        None => (s, None),
    };
    let mut octets = Vec::new();
    for part in a.split('.') {
        if part.is_empty() || part.len() > 3 || !part.bytes().all(|c| c.is_ascii_digit()) {
            return None;
        }
        let n: u32 = part.parse().ok()?;
        if n > 255 || octets.len() == 4 {
            return None;
        }
        octets.push(n as u8);
    }
    let bits = match b {
        Some(b) => {
            if b.is_empty() || b.len() > 3 || !b.bytes().all(|c| c.is_ascii_digit()) {
                return None;
            }
            let n: u32 = b.parse().ok()?;
            if n > 32 {
                return None;
            }
            Some(n as u8)
        }
        None => None,
    };
    Some((octets, bits))
}

/// inet_net_pton_ipv4: four octets, or fewer with a `/bits` they cover.
fn parse_v4_inet(s: &str) -> Option<([u8; 16], u8)> {
    let (octets, bits) = v4_parts(s)?;
    let bits = match bits {
        None if octets.len() == 4 => 32,
        None => return None,
        Some(b) => b,
    };
    if (bits / 8) as usize > octets.len() {
        return None;
    }
    let mut addr = [0u8; 16];
    addr[..octets.len()].copy_from_slice(&octets);
    Some((addr, bits))
}

/// inet_cidr_pton_ipv4: fewer octets allowed; without `/bits` the mask
/// is the classful one, widened to the octets given.
fn parse_v4_cidr(s: &str) -> Option<([u8; 16], u8)> {
    let (octets, bits) = v4_parts(s)?;
    let first = *octets.first()?;
    let bits = match bits {
        Some(b) => b,
        None => {
            let mut b: u8 = match first {
                240.. => 32,
                224.. => 8,
                192.. => 24,
                128.. => 16,
                _ => 8,
            };
            if (b as usize) < octets.len() * 8 {
                b = (octets.len() * 8) as u8;
            }
            if b == 8 && first == 224 {
                b = 4;
            }
            b
        }
    };
    let mut addr = [0u8; 16];
    addr[..octets.len()].copy_from_slice(&octets);
    Some((addr, bits))
}

/// An IPv6 address (with `::` and a trailing dotted IPv4 allowed), then
/// an optional `/bits`.
fn parse_v6(s: &str) -> Option<([u8; 16], Option<u8>)> {
    let (a, b) = match s.split_once('/') {
        Some((a, b)) => (a, Some(b)),
        None => (s, None),
    };
    let bits = match b {
        Some(b) => {
            if b.is_empty() || b.len() > 3 || !b.bytes().all(|c| c.is_ascii_digit()) {
                return None;
            }
            let n: u32 = b.parse().ok()?;
            if n > 128 {
                return None;
            }
            Some(n as u8)
        }
        None => None,
    };
    let groups = |part: &str| -> Option<Vec<u16>> {
        if part.is_empty() {
            return Some(Vec::new());
        }
        let pieces: Vec<&str> = part.split(':').collect();
        let mut out = Vec::new();
        for (i, p) in pieces.iter().enumerate() {
            if i == pieces.len() - 1 && p.contains('.') {
                let (o, None) = v4_parts(p)? else {
                    return None;
                };
                if o.len() != 4 {
                    return None;
                }
                out.push(u16::from_be_bytes([o[0], o[1]]));
                out.push(u16::from_be_bytes([o[2], o[3]]));
                continue;
            }
            if p.is_empty() || p.len() > 4 || !p.bytes().all(|c| c.is_ascii_hexdigit()) {
                return None;
            }
            out.push(u16::from_str_radix(p, 16).ok()?);
        }
        Some(out)
    };
    let words: Vec<u16> = match a.split_once("::") {
        Some((head, tail)) => {
            if tail.contains("::") {
                return None;
            }
            let h = groups(head)?;
            let t = groups(tail)?;
            if h.len() + t.len() > 7 {
                return None;
            }
            let mut w = h;
            w.resize(8 - t.len(), 0);
            w.extend(t);
            w
        }
        None => {
            let w = groups(a)?;
            if w.len() != 8 {
                return None;
            }
            w
        }
    };
    let mut addr = [0u8; 16];
    for (i, w) in words.iter().enumerate() {
        addr[2 * i..2 * i + 2].copy_from_slice(&w.to_be_bytes());
    }
    Some((addr, bits))
}

/// The address alone (host()): dotted quad or RFC 5952-style IPv6 as
/// PostgreSQL's inet_net_ntop writes it.
pub fn host_text(v: &Inet) -> String {
    if v.family == AF_INET {
        let a = &v.addr;
        return format!("{}.{}.{}.{}", a[0], a[1], a[2], a[3]);
    }
    let w: Vec<u16> = (0..8)
        .map(|i| u16::from_be_bytes([v.addr[2 * i], v.addr[2 * i + 1]]))
        .collect();
    // The first longest run of two or more zero words.
    let (mut best, mut best_len) = (usize::MAX, 0);
    let mut i = 0;
    while i < 8 {
        if w[i] == 0 {
            let start = i;
            while i < 8 && w[i] == 0 {
                i += 1;
            }
            if i - start > best_len {
                best = start;
                best_len = i - start;
            }
        } else {
            i += 1;
        }
    }
    if best_len < 2 {
        best = usize::MAX;
    }
    let mut out = String::new();
    let mut i = 0;
    while i < 8 {
        if i == best {
            out.push(':');
            if i == 0 {
                out.push(':');
            }
            i += best_len;
            if i == 8 {
                break;
            }
            continue;
        }
        // An encapsulated IPv4 address.
        if i == 6 && best == 0 && (best_len == 6 || (best_len == 5 && w[5] == 0xffff)) {
            let a = &v.addr;
            out.push_str(&format!("{}.{}.{}.{}", a[12], a[13], a[14], a[15]));
            break;
        }
        out.push_str(&format!("{:x}", w[i]));
        if i < 7 {
            out.push(':');
        }
        i += 1;
    }
    out
}

/// inet_out / cidr_out.
pub fn format(v: &Inet, out: &mut String) {
    out.push_str(&host_text(v));
    if v.cidr || v.bits != v.max_bits() {
        out.push_str(&format!("/{}", v.bits));
    }
}

/// text(inet): always with the mask length.
pub fn text_with_mask(v: &Inet) -> String {
    format!("{}/{}", host_text(v), v.bits)
}

/// abbrev(cidr): only the octets or words the mask covers.
pub fn abbrev_cidr(v: &Inet) -> String {
    let bits = v.bits as usize;
    let mut out = String::new();
    if v.family == AF_INET {
        if bits == 0 {
            out.push('0');
        }
        let a = &v.addr;
        for (n, o) in a.iter().take(bits / 8).enumerate() {
            if n > 0 {
                out.push('.');
            }
            out.push_str(&o.to_string());
        }
        let b = bits % 8;
        if b > 0 {
            if !out.is_empty() {
                out.push('.');
            }
            let m = (((1u32 << b) - 1) << (8 - b)) as u8;
            out.push_str(&(a[bits / 8] & m).to_string());
        }
        out.push_str(&format!("/{bits}"));
        return out;
    }
    if bits == 0 {
        return "::/0".into();
    }
    // inet_cidr_ntop_ipv6, with its quirks.
    let mut s = [0u8; 16];
    let p = bits.div_ceil(8);
    s[..p].copy_from_slice(&v.addr[..p]);
    if !bits.is_multiple_of(8) {
        s[p - 1] &= (!0u32 << (8 - bits % 8)) as u8;
    }
    let mut words = bits.div_ceil(16);
    if words == 1 {
        words = 2;
    }
    let (mut zs, mut zl, mut ts, mut tl) = (0usize, 0usize, 0usize, 0usize);
    for i in (0..words * 2).step_by(2) {
        if s[i] | s[i + 1] == 0 {
            if tl == 0 {
                ts = i / 2;
            }
            tl += 1;
        } else if tl != 0 && zl < tl {
            zs = ts;
            zl = tl;
            tl = 0;
        }
    }
    if tl != 0 && zl < tl {
        zs = ts;
        zl = tl;
    }
    let is_v4 = zl != words
        && zs == 0
        && (zl == 6
            || (zl == 5 && s[10] == 0xff && s[11] == 0xff)
            || (zl == 7 && s[14] != 0 && s[15] != 1));
    let mut k = 0;
    for p in 0..words {
        if zl != 0 && p >= zs && p < zs + zl {
            if p == zs {
                out.push(':');
            }
            if p == words - 1 {
                out.push(':');
            }
            k += 2;
            continue;
        }
        if is_v4 && p > 5 {
            out.push(if p == 6 { ':' } else { '.' });
            out.push_str(&s[k].to_string());
            k += 1;
            if p != 7 || bits > 120 {
                out.push('.');
                out.push_str(&s[k].to_string());
                k += 1;
            }
        } else {
            if !out.is_empty() {
                out.push(':');
            }
            out.push_str(&format!("{:x}", u16::from_be_bytes([s[k], s[k + 1]])));
            k += 2;
        }
    }
    out.push_str(&format!("/{bits}"));
    out
}

fn bitncmp(a: &[u8], b: &[u8], n: usize) -> Ordering {
    let whole = n / 8;
    match a[..whole].cmp(&b[..whole]) {
        Ordering::Equal => {}
        o => return o,
    }
    let rest = n % 8;
    if rest == 0 {
        return Ordering::Equal;
    }
    let m = (0xffu32 << (8 - rest)) as u8;
    (a[whole] & m).cmp(&(b[whole] & m))
}

/// network_cmp.
pub fn compare(a: &Inet, b: &Inet) -> Ordering {
    if a.family != b.family {
        return a.family.cmp(&b.family);
    }
    bitncmp(&a.addr, &b.addr, a.bits.min(b.bits) as usize)
        .then(a.bits.cmp(&b.bits))
        .then_with(|| bitncmp(&a.addr, &b.addr, a.max_bits() as usize))
}

/// `a << b` (strict) or `a <<= b`: a is within the network b.
pub fn sub(a: &Inet, b: &Inet, or_eq: bool) -> bool {
    a.family == b.family
        && (if or_eq {
            a.bits >= b.bits
        } else {
            a.bits > b.bits
        })
        && bitncmp(&a.addr, &b.addr, b.bits as usize) == Ordering::Equal
}

/// `a && b`: either contains the other.
pub fn overlaps(a: &Inet, b: &Inet) -> bool {
    a.family == b.family
        && bitncmp(&a.addr, &b.addr, a.bits.min(b.bits) as usize) == Ordering::Equal
}

fn mask_bytes(bits: u8, len: usize) -> [u8; 16] {
    let mut m = [0u8; 16];
    for i in 0..bits as usize {
        m[i / 8] |= 0x80 >> (i % 8);
    }
    for b in m.iter_mut().skip(len) {
        *b = 0;
    }
    m
}

fn with_addr(v: &Inet, addr: [u8; 16], bits: u8, cidr: bool) -> Inet {
    Inet {
        family: v.family,
        bits,
        cidr,
        addr,
    }
}

/// netmask(): the mask as an address (full length).
pub fn netmask(v: &Inet) -> Inet {
    with_addr(v, mask_bytes(v.bits, v.addr_len()), v.max_bits(), false)
}

/// hostmask(): the host bits as an address.
pub fn hostmask(v: &Inet) -> Inet {
    let m = mask_bytes(v.bits, v.addr_len());
    let mut a = [0u8; 16];
    for (x, mb) in a.iter_mut().zip(m).take(v.addr_len()) {
        *x = !mb;
    }
    with_addr(v, a, v.max_bits(), false)
}

/// network(): the address with the host bits cleared, as a cidr.
pub fn network(v: &Inet) -> Inet {
    let m = mask_bytes(v.bits, v.addr_len());
    let mut a = v.addr;
    for (x, mb) in a.iter_mut().zip(m) {
        *x &= mb;
    }
    with_addr(v, a, v.bits, true)
}

/// broadcast(): the host bits set.
pub fn broadcast(v: &Inet) -> Inet {
    let m = mask_bytes(v.bits, v.addr_len());
    let mut a = v.addr;
    for (x, mb) in a.iter_mut().zip(m).take(v.addr_len()) {
        *x |= !mb;
    }
    with_addr(v, a, v.bits, false)
}

/// set_masklen(): 22023 for a length out of range (-1: the maximum);
/// a cidr's host bits are cleared.
pub fn set_masklen(v: &Inet, bits: i32) -> PgResult<Inet> {
    let bits = if bits == -1 {
        v.max_bits() as i32
    } else {
        bits
    };
    if bits < 0 || bits > v.max_bits() as i32 {
        return Err(PgError::new(
            sqlstate::INVALID_PARAMETER_VALUE,
            format!("invalid mask length: {bits}"),
        ));
    }
    let r = Inet {
        bits: bits as u8,
        ..*v
    };
    Ok(if v.cidr { network(&r) } else { r })
}

/// The inet value of any network value (cidr → inet).
pub fn as_inet(v: &Inet) -> Inet {
    Inet { cidr: false, ..*v }
}

/// inet → cidr: the network (host bits cleared).
pub fn to_cidr(v: &Inet) -> Inet {
    network(v)
}

/// inet_merge(): the smallest network containing both.
pub fn merge(a: &Inet, b: &Inet) -> PgResult<Inet> {
    if a.family != b.family {
        return Err(PgError::new(
            sqlstate::INVALID_PARAMETER_VALUE,
            "cannot merge addresses from different families",
        ));
    }
    let mut n = a.bits.min(b.bits) as usize;
    while n > 0 && bitncmp(&a.addr, &b.addr, n) != Ordering::Equal {
        n -= 1;
    }
    Ok(network(&Inet {
        bits: n as u8,
        ..*a
    }))
}

fn sizes(op: &str) -> PgError {
    PgError::new(
        sqlstate::INVALID_PARAMETER_VALUE,
        format!("cannot {op} inet values of different sizes"),
    )
}

/// `~`, `&`, `|`: bitwise on the addresses; the mask length of the
/// operand (the longer one for two operands), as inetnot/inetand/inetor.
pub fn not(v: &Inet) -> Inet {
    let mut a = [0u8; 16];
    for (x, y) in a.iter_mut().zip(v.addr).take(v.addr_len()) {
        *x = !y;
    }
    with_addr(v, a, v.bits, false)
}

pub fn and_or(x: &Inet, y: &Inet, and: bool) -> PgResult<Inet> {
    if x.family != y.family {
        return Err(sizes(if and { "AND" } else { "OR" }));
    }
    let mut a = [0u8; 16];
    for ((r, p), q) in a.iter_mut().zip(x.addr).zip(y.addr).take(x.addr_len()) {
        *r = if and { p & q } else { p | q };
    }
    Ok(with_addr(x, a, x.bits.max(y.bits), false))
}

fn out_of_range() -> PgError {
    PgError::new(
        sqlstate::NUMERIC_VALUE_OUT_OF_RANGE,
        "result is out of range",
    )
}

fn as_u128(v: &Inet) -> u128 {
    let mut b = [0u8; 16];
    b[16 - v.addr_len()..].copy_from_slice(v.bytes());
    u128::from_be_bytes(b)
}

/// inet + bigint (inetpl): 22003 when the address leaves the family.
pub fn add(v: &Inet, n: i64) -> PgResult<Inet> {
    let x = as_u128(v) as i128;
    let max: i128 = if v.family == AF_INET {
        u32::MAX as i128
    } else {
        i128::MAX
    };
    let r = if v.family == AF_INET {
        let r = x + n as i128;
        if !(0..=max).contains(&r) {
            return Err(out_of_range());
        }
        r as u128
    } else {
        let ux = as_u128(v);
        if n >= 0 {
            ux.checked_add(n as u128).ok_or_else(out_of_range)?
        } else {
            ux.checked_sub(n.unsigned_abs() as u128)
                .ok_or_else(out_of_range)?
        }
    };
    let b = r.to_be_bytes();
    let mut a = [0u8; 16];
    a[..v.addr_len()].copy_from_slice(&b[16 - v.addr_len()..]);
    Ok(with_addr(v, a, v.bits, false))
}

/// inet - inet (inetmi): the difference as bigint.
pub fn diff(a: &Inet, b: &Inet) -> PgResult<i64> {
    if a.family != b.family {
        return Err(sizes("subtract"));
    }
    let (x, y) = (as_u128(a), as_u128(b));
    let d = if x >= y {
        i64::try_from(x - y).map_err(|_| out_of_range())?
    } else {
        let m = y - x;
        if m > i64::MAX as u128 + 1 {
            return Err(out_of_range());
        }
        (m as i128).wrapping_neg() as i64
    };
    Ok(d)
}

/// inet_send: family, bits, is_cidr, length, address.
pub fn send(v: &Inet, out: &mut Vec<u8>) {
    out.extend_from_slice(&[v.family, v.bits, v.cidr as u8, v.addr_len() as u8]);
    out.extend_from_slice(v.bytes());
}

/// inet_recv / cidr_recv.
pub fn recv(d: &[u8], cidr: bool) -> PgResult<Inet> {
    let name = if cidr { "cidr" } else { "inet" };
    let bad = |what: &str| {
        PgError::new(
            sqlstate::INVALID_BINARY_REPRESENTATION,
            format!("invalid {what} in external \"{name}\" value"),
        )
    };
    if d.len() < 4 {
        return Err(bad("length"));
    }
    let family = d[0];
    if family != AF_INET && family != AF_INET6 {
        return Err(bad("address family"));
    }
    let max = if family == AF_INET { 32 } else { 128 };
    if d[1] > max {
        return Err(bad("bits"));
    }
    let len = if family == AF_INET { 4 } else { 16 };
    if d[3] as usize != len || d.len() != 4 + len {
        return Err(bad("length"));
    }
    let mut addr = [0u8; 16];
    addr[..len].copy_from_slice(&d[4..]);
    let v = Inet {
        family,
        bits: d[1],
        cidr,
        addr,
    };
    if cidr && v.host_bits_set() {
        return Err(PgError::new(
            sqlstate::INVALID_BINARY_REPRESENTATION,
            "invalid external \"cidr\" value",
        )
        .with_detail("Value has bits set to right of mask."));
    }
    Ok(v)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn out(s: &str, cidr: bool) -> String {
        let mut o = String::new();
        format(&parse(s, cidr).unwrap(), &mut o);
        o
    }

    #[test]
    fn input_and_output_as_postgres() {
        assert_eq!(out("192.168.1.5", false), "192.168.1.5");
        assert_eq!(out("192.168.1.5", true), "192.168.1.5/32");
        assert_eq!(out("10/8", false), "10.0.0.0/8");
        assert_eq!(out("10.1.2", true), "10.1.2.0/24");
        assert_eq!(out("224", true), "224.0.0.0/4");
        assert_eq!(out("128", true), "128.0.0.0/16");
        assert_eq!(out("::ffff:1.2.3.4", false), "::ffff:1.2.3.4");
        assert_eq!(out("::1.2.3.4", false), "::1.2.3.4");
        assert_eq!(out("::2", false), "::2");
        assert_eq!(out("1:0:0:4:0:0:0:8", false), "1:0:0:4::8");
        assert_eq!(out("2001:DB8:0:0:1:0:0:1", false), "2001:db8::1:0:0:1");
        assert_eq!(out("1::", false), "1::");
        assert_eq!(out("::", false), "::");
        assert_eq!(out("::ffff:0:0", false), "::ffff:0.0.0.0");
        assert_eq!(out("1:2:3:4:5:6:1.2.3.4", false), "1:2:3:4:5:6:102:304");
        for bad in [
            "10.1.2",
            "10",
            "1.2.3.4/33",
            "1.2.3.256",
            " 1.2.3.4",
            "10/24",
            "1::2::3",
        ] {
            assert!(parse(bad, false).is_err(), "{bad}");
        }
        let e = parse("10.1.2.3/8", true).unwrap_err();
        assert_eq!(e.message, "invalid cidr value: \"10.1.2.3/8\"");
    }

    #[test]
    fn abbrev_as_postgres() {
        let a = |s: &str| abbrev_cidr(&parse(s, true).unwrap());
        assert_eq!(a("10.0.0.0/8"), "10/8");
        assert_eq!(a("0.0.0.0/0"), "0/0");
        assert_eq!(a("10.0.0.0/12"), "10.0/12");
        assert_eq!(a("2001:db8::/32"), "2001:db8/32");
        assert_eq!(a("2001:db8:1:2::/64"), "2001:db8:1:2/64");
        assert_eq!(a("2001:db8::1/128"), "2001:db8::1/128");
        assert_eq!(a("1::/16"), "1::/16");
        assert_eq!(a("::/0"), "::/0");
    }

    #[test]
    fn ordering_and_containment() {
        let p = |s: &str| parse(s, false).unwrap();
        assert_eq!(compare(&p("10.0.0.0/8"), &p("10.0.0.0/16")), Ordering::Less);
        assert_eq!(compare(&p("10.0.0.0/8"), &p("9.0.0.0")), Ordering::Greater);
        assert_eq!(compare(&p("255.0.0.0"), &p("::")), Ordering::Less);
        assert!(sub(&p("10.1.0.0/16"), &p("10.0.0.0/8"), false));
        assert!(!sub(&p("10.0.0.0/8"), &p("10.0.0.0/8"), false));
        assert!(sub(&p("10.0.0.0/8"), &p("10.0.0.0/8"), true));
        assert_eq!(diff(&p("10.0.0.5"), &p("10.0.0.1")).unwrap(), 4);
        assert!(add(&p("255.255.255.255"), 1).is_err());
        let mut o = String::new();
        format(
            &merge(&p("192.168.1.5/24"), &p("192.168.2.5/24")).unwrap(),
            &mut o,
        );
        assert_eq!(o, "192.168.0.0/22");
    }
}
