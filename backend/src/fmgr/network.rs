//! Functions and operators of `inet` and `cidr` (PostgreSQL's
//! network.c): host, masklen, set_masklen, netmask, hostmask, network,
//! broadcast, family, abbrev, text, inet_same_family, inet_merge, and the
//! operators `<<`, `<<=`, `>>`, `>>=`, `&&`, `~`, `&`, `|` resolved by
//! their symbol. A cidr argument reaches the inet signatures through the
//! implicit cidr → inet cast. The pure work is in `types::network`.

use super::{f, FuncDef};
use crate::error::PgResult;
use crate::types::network::{self, Inet};
use crate::types::oid::{BOOL, CIDR, INET, INT4, TEXT};
use crate::types::Value;

fn n(v: &Value) -> Inet {
    match v {
        Value::Inet(x) => *x,
        _ => Inet {
            family: network::AF_INET,
            bits: 0,
            cidr: false,
            addr: [0; 16],
        },
    }
}

fn i4(v: &Value) -> i32 {
    match v {
        Value::Int4(x) => *x,
        _ => 0,
    }
}

fn pred(a: &[Value], p: fn(&Inet, &Inet) -> bool) -> PgResult<Value> {
    Ok(Value::Bool(p(&n(&a[0]), &n(&a[1]))))
}

pub static NETWORK_FUNCS: &[FuncDef] = &[
    f("host", &[INET], TEXT, |_, a| {
        Ok(Value::Text(network::host_text(&n(&a[0]))))
    }),
    f("masklen", &[INET], INT4, |_, a| {
        Ok(Value::Int4(n(&a[0]).bits as i32))
    }),
    f("family", &[INET], INT4, |_, a| {
        Ok(Value::Int4(if n(&a[0]).family == network::AF_INET {
            4
        } else {
            6
        }))
    }),
    f("netmask", &[INET], INET, |_, a| {
        Ok(Value::Inet(network::netmask(&n(&a[0]))))
    }),
    f("hostmask", &[INET], INET, |_, a| {
        Ok(Value::Inet(network::hostmask(&n(&a[0]))))
    }),
    f("network", &[INET], CIDR, |_, a| {
        Ok(Value::Inet(network::network(&n(&a[0]))))
    }),
    f("broadcast", &[INET], INET, |_, a| {
        Ok(Value::Inet(network::broadcast(&n(&a[0]))))
    }),
    f("set_masklen", &[INET, INT4], INET, |_, a| {
        network::set_masklen(&n(&a[0]), i4(&a[1])).map(Value::Inet)
    }),
    f("set_masklen", &[CIDR, INT4], CIDR, |_, a| {
        network::set_masklen(&n(&a[0]), i4(&a[1])).map(Value::Inet)
    }),
    f("abbrev", &[INET], TEXT, |_, a| {
        Ok(Value::Text(
            Value::Inet(network::as_inet(&n(&a[0]))).to_text(),
        ))
    }),
    f("abbrev", &[CIDR], TEXT, |_, a| {
        Ok(Value::Text(network::abbrev_cidr(&n(&a[0]))))
    }),
    f("text", &[INET], TEXT, |_, a| {
        Ok(Value::Text(network::text_with_mask(&n(&a[0]))))
    }),
    f("inet_same_family", &[INET, INET], BOOL, |_, a| {
        pred(a, |x, y| x.family == y.family)
    }),
    f("inet_merge", &[INET, INET], CIDR, |_, a| {
        network::merge(&n(&a[0]), &n(&a[1])).map(Value::Inet)
    }),
    f("<<", &[INET, INET], BOOL, |_, a| {
        pred(a, |x, y| network::sub(x, y, false))
    }),
    f("<<=", &[INET, INET], BOOL, |_, a| {
        pred(a, |x, y| network::sub(x, y, true))
    }),
    f(">>", &[INET, INET], BOOL, |_, a| {
        pred(a, |x, y| network::sub(y, x, false))
    }),
    f(">>=", &[INET, INET], BOOL, |_, a| {
        pred(a, |x, y| network::sub(y, x, true))
    }),
    f("&&", &[INET, INET], BOOL, |_, a| pred(a, network::overlaps)),
    f("~", &[INET], INET, |_, a| {
        Ok(Value::Inet(network::not(&n(&a[0]))))
    }),
    f("&", &[INET, INET], INET, |_, a| {
        network::and_or(&n(&a[0]), &n(&a[1]), true).map(Value::Inet)
    }),
    f("|", &[INET, INET], INET, |_, a| {
        network::and_or(&n(&a[0]), &n(&a[1]), false).map(Value::Inet)
    }),
];
