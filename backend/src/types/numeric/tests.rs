//! Unit tests of numeric's input, output, arithmetic and binary form.

use super::*;

fn n(s: &str) -> Numeric {
    Numeric::parse(s).unwrap()
}

#[test]
fn text_keeps_scale() {
    assert_eq!(n("1.50").to_string(), "1.50");
    assert_eq!(n("-0.05").to_string(), "-0.05");
    assert_eq!(n("1e3").to_string(), "1000");
    assert_eq!(n("1.5e-3").to_string(), "0.0015");
    assert_eq!(n(" 12 ").to_string(), "12");
    assert_eq!(n("nan").to_string(), "NaN");
    assert_eq!(n("-inf").to_string(), "-Infinity");
    assert!(Numeric::parse("1.2.3").is_none());
    assert!(Numeric::parse("").is_none());
    assert!(Numeric::parse(".").is_none());
}

#[test]
fn limits_follow_postgres() {
    assert_eq!(Numeric::input("1e131072").unwrap_err().code, "22003");
    assert!(Numeric::input("1e131071").is_ok());
    assert_eq!(Numeric::input("1e-16384").unwrap_err().code, "22003");
    assert_eq!(Numeric::input("1e-16383").unwrap().scale(), 16383);
    assert_eq!(Numeric::input("abc").unwrap_err().code, "22P02");
}

#[test]
fn big_values_stay_exact() {
    let a = n("123456789012345678901234567890123456789012345678901234567890.5");
    let b = a.add(&n("0.5")).unwrap();
    assert_eq!(
        b.to_string(),
        "123456789012345678901234567890123456789012345678901234567891.0"
    );
    // Back below i128: a Finite again.
    let c = b
        .sub(&n(
            "123456789012345678901234567890123456789012345678901234567890",
        ))
        .unwrap();
    assert_eq!(c, Numeric::Finite { mant: 10, scale: 1 });
    let p = n("99999999999999999999")
        .mul(&n("99999999999999999999"))
        .unwrap();
    assert_eq!(p.to_string(), "9999999999999999999800000000000000000001");
    assert_eq!(
        p.div(&n("99999999999999999999")).unwrap().to_string(),
        "99999999999999999999"
    );
    assert_eq!(p.cmp_total(&n("1e39")), Ordering::Greater);
}

#[test]
fn arithmetic_scales_follow_postgres() {
    assert_eq!(n("1.5").add(&n("2.25")).unwrap().to_string(), "3.75");
    assert_eq!(n("1.5").mul(&n("2.25")).unwrap().to_string(), "3.375");
    assert_eq!(
        n("1").div(&n("2.0")).unwrap().to_string(),
        "0.50000000000000000000"
    );
    assert_eq!(
        n("10").div(&n("3")).unwrap().to_string(),
        "3.3333333333333333"
    );
    assert_eq!(
        n("2").div(&n("3")).unwrap().to_string(),
        "0.66666666666666666667"
    );
    assert_eq!(n("7.5").rem(&n("2")).unwrap().to_string(), "1.5");
    assert_eq!(n("-7.5").rem(&n("2")).unwrap().to_string(), "-1.5");
    assert_eq!(n("1").div(&n("0")).unwrap_err().code, "22012");
    assert_eq!(n("2.5").round(0).unwrap().to_string(), "3");
    assert_eq!(n("-2.5").round(0).unwrap().to_string(), "-3");
    assert_eq!(n("1234.5678").round(-2).unwrap().to_string(), "1200");
    assert_eq!(n("1.21").round(3).unwrap().to_string(), "1.210");
    assert_eq!(n("-1.5").floor().unwrap().to_string(), "-2");
    assert_eq!(n("1.1").ceil().unwrap().to_string(), "2");
}

#[test]
fn math_matches_postgres() {
    use super::math;
    assert_eq!(
        math::sqrt(&n("2")).unwrap().to_string(),
        "1.414213562373095"
    );
    assert_eq!(
        math::exp(&n("1")).unwrap().to_string(),
        "2.7182818284590452"
    );
    assert_eq!(math::ln(&n("2")).unwrap().to_string(), "0.6931471805599453");
    assert_eq!(
        math::log(&n("10"), &n("2")).unwrap().to_string(),
        "0.3010299956639812"
    );
    assert_eq!(
        math::exp(&n("100")).unwrap().to_string(),
        "26881171418161354484126255515800135873611119"
    );
    assert_eq!(
        math::power(&n("2"), &n("200")).unwrap().to_string(),
        "1606938044258990275541962092341162602522202993782792835301376.0000000000000000"
    );
    assert_eq!(
        math::power(&n("12"), &n("0.5")).unwrap().to_string(),
        "3.4641016151377546"
    );
    assert_eq!(
        math::power(&n("1.0000001"), &n("1e9")).unwrap().to_string(),
        "26881037012649238105056003014775037465638377.7515747256270721"
    );
}

#[test]
fn binary_round_trip() {
    for s in [
        "0",
        "1.50",
        "-12345.6789",
        "10000",
        "0.0001",
        "123456789012.000001",
        "NaN",
        "Infinity",
        "-Infinity",
        "-1234567890123456789012345678901234567890.0987654321",
    ] {
        let v = n(s);
        let mut b = Vec::new();
        v.encode_binary(&mut b);
        assert_eq!(
            Numeric::decode_binary(&b).unwrap().to_string(),
            v.to_string(),
            "{s}"
        );
    }
    // 1.50: ndigits 2, weight 0, sign 0, dscale 2, digits [1, 5000]
    let mut b = Vec::new();
    n("1.50").encode_binary(&mut b);
    assert_eq!(b, [0, 2, 0, 0, 0, 0, 0, 2, 0, 1, 0x13, 0x88]);
}

#[test]
fn ordering_across_scales() {
    assert_eq!(n("1.50").cmp_total(&n("1.5")), Ordering::Equal);
    assert_eq!(n("2").cmp_total(&n("10.1")), Ordering::Less);
    assert_eq!(Numeric::NaN.cmp_total(&n("1e30")), Ordering::Greater);
    assert_eq!(Numeric::NaN.cmp_total(&Numeric::PosInf), Ordering::Greater);
    assert_eq!(Numeric::NegInf.cmp_total(&n("-1e300")), Ordering::Less);
}
