//! Writing decimals and dates into response documents without the formatting machinery.
//!
//! rust_decimal writes a decimal by dividing its 96-bit mantissa by ten once per digit and
//! collecting `char`s; chrono writes a date through `fmt::Debug` and serde's `collect_str`.
//! Both were a large share of writing the invoice run's response (about 1.2 million decimals
//! and 140,000 dates at 100,000 entries). These writers build the same text in a stack buffer
//! and hand it to `serialize_str`, which is what rust_decimal's own `Serialize` does with its
//! text; chrono's ends in the same JSON string. Anything outside the plain range (a mantissa
//! past `u64`, a year outside 0..=9999) is left to the library's own `Serialize`, so every
//! value is written exactly as before (the tests compare both ways over random values).

use chrono::{Datelike, NaiveDate};
use rust_decimal::Decimal;
use serde::{Serialize, Serializer};

/// A decimal's text, built in a stack buffer: `bytes[..len]`. 32 bytes hold any decimal this
/// writer takes: a sign, at most 20 digits, a point, and a `0` and up to 27 zeros before
/// the digits when the scale is larger than the digit count (at most 31 bytes).
pub(crate) struct DecimalText {
    bytes: [u8; 32],
    len: usize,
}

impl DecimalText {
    /// The text; `None` cannot happen (every byte written is ASCII), and a caller then falls
    /// back to the library's writer rather than panicking.
    pub(crate) fn as_str(&self) -> Option<&str> {
        std::str::from_utf8(&self.bytes[..self.len]).ok()
    }

    fn put(&mut self, bytes: &[u8]) {
        self.bytes[self.len..self.len + bytes.len()].copy_from_slice(bytes);
        self.len += bytes.len();
    }
}

/// The text `Decimal::to_string` gives (and rust_decimal's `Serialize` writes): the sign
/// when the sign bit is set (also for a zero that carries it), the mantissa's digits, and
/// exactly `scale` digits after the point, with a `0` before the point when nothing else is.
/// `None` when the mantissa does not fit a `u64` (more than about 19 digits).
pub(crate) fn decimal_text(d: &Decimal) -> Option<DecimalText> {
    let (digits, start) = super::decimal_digits(u64::try_from(d.mantissa().unsigned_abs()).ok()?);
    let digits = &digits[start..];
    let scale = d.scale() as usize;
    let mut text = DecimalText { bytes: [b'0'; 32], len: 0 };
    if d.is_sign_negative() {
        text.put(b"-");
    }
    // The integer part: the digits before the last `scale`, or `0`.
    let whole = digits.len().saturating_sub(scale);
    text.put(if whole > 0 { &digits[..whole] } else { b"0" });
    if scale > 0 {
        // The fraction: exactly `scale` digits, zeros first when the digits are fewer.
        text.put(b".");
        text.len += scale - (digits.len() - whole);
        text.put(&digits[whole..]);
    }
    Some(text)
}

/// The `YYYY-MM-DD` text chrono writes for a date in the years 0 to 9999; `None` for any
/// other year (chrono then writes a sign and five or more digits).
pub(crate) fn date_text(d: &NaiveDate) -> Option<[u8; 10]> {
    let year = u32::try_from(d.year()).ok().filter(|y| *y <= 9999)?;
    let two = |n: u32| [b'0' + (n / 10) as u8, b'0' + (n % 10) as u8];
    let (century, rest, month, day) = (two(year / 100), two(year % 100), two(d.month()), two(d.day()));
    Some([century[0], century[1], rest[0], rest[1], b'-', month[0], month[1], b'-', day[0], day[1]])
}

/// `#[serde(serialize_with = "wire::write_decimal")]`: a decimal as its string, as
/// rust_decimal's `Serialize` writes it (`"1237.50"`).
pub(crate) fn write_decimal<S: Serializer>(d: &Decimal, s: S) -> Result<S::Ok, S::Error> {
    match decimal_text(d) {
        Some(text) => match text.as_str() {
            Some(str) => s.serialize_str(str),
            None => Serialize::serialize(d, s),
        },
        None => Serialize::serialize(d, s),
    }
}

/// [`write_decimal`] for an optional decimal (`None` is `null`, as serde writes it).
pub(crate) fn write_opt_decimal<S: Serializer>(d: &Option<Decimal>, s: S) -> Result<S::Ok, S::Error> {
    match d {
        Some(d) => write_decimal(d, s),
        None => s.serialize_none(),
    }
}

/// `#[serde(serialize_with = "wire::write_date")]`: a date as its `YYYY-MM-DD` string, as
/// chrono's `Serialize` writes it.
pub(crate) fn write_date<S: Serializer>(d: &NaiveDate, s: S) -> Result<S::Ok, S::Error> {
    match date_text(d).as_ref().and_then(|bytes| std::str::from_utf8(bytes).ok()) {
        Some(str) => s.serialize_str(str),
        None => Serialize::serialize(d, s),
    }
}

/// [`write_date`] for an optional date (`None` is `null`, as serde writes it).
pub(crate) fn write_opt_date<S: Serializer>(d: &Option<NaiveDate>, s: S) -> Result<S::Ok, S::Error> {
    match d {
        Some(d) => write_date(d, s),
        None => s.serialize_none(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// Both ways of writing a value into JSON: the library's own and ours.
    #[derive(Serialize)]
    struct Both {
        theirs: Decimal,
        #[serde(serialize_with = "write_decimal")]
        ours: Decimal,
        #[serde(serialize_with = "write_opt_decimal")]
        ours_opt: Option<Decimal>,
    }

    #[derive(Serialize)]
    struct BothDates {
        theirs: NaiveDate,
        #[serde(serialize_with = "write_date")]
        ours: NaiveDate,
        #[serde(serialize_with = "write_opt_date")]
        ours_opt: Option<NaiveDate>,
    }

    /// Our text is `to_string`'s, and in JSON ours is written exactly as rust_decimal's.
    fn check_decimal(d: Decimal) -> std::result::Result<(), TestCaseError> {
        if let Some(text) = decimal_text(&d) {
            let expected = d.to_string();
            prop_assert_eq!(text.as_str(), Some(expected.as_str()), "{:?}", (d.mantissa(), d.scale()));
        }
        let v = serde_json::to_value(Both { theirs: d, ours: d, ours_opt: Some(d) }).unwrap();
        prop_assert_eq!(&v["ours"], &v["theirs"]);
        prop_assert_eq!(&v["ours_opt"], &v["theirs"]);
        let doc = serde_json::to_string(&Both { theirs: d, ours: d, ours_opt: None }).unwrap();
        let theirs = serde_json::to_string(&d).unwrap();
        prop_assert_eq!(doc, format!(r#"{{"theirs":{theirs},"ours":{theirs},"ours_opt":null}}"#));
        Ok(())
    }

    fn check_date(d: NaiveDate) -> std::result::Result<(), TestCaseError> {
        if let Some(bytes) = date_text(&d) {
            let expected = d.to_string();
            prop_assert_eq!(std::str::from_utf8(&bytes).ok(), Some(expected.as_str()));
        }
        let theirs = serde_json::to_string(&d).unwrap();
        prop_assert_eq!(theirs.trim_matches('"'), d.to_string());
        let doc = serde_json::to_string(&BothDates { theirs: d, ours: d, ours_opt: Some(d) }).unwrap();
        prop_assert_eq!(doc, format!(r#"{{"theirs":{theirs},"ours":{theirs},"ours_opt":{theirs}}}"#));
        let none = serde_json::to_string(&BothDates { theirs: d, ours: d, ours_opt: None }).unwrap();
        prop_assert_eq!(none, format!(r#"{{"theirs":{theirs},"ours":{theirs},"ours_opt":null}}"#));
        Ok(())
    }

    #[test]
    fn decimals_are_written_as_rust_decimal_writes_them() {
        let texts = [
            ("0", 0, false),
            ("0.00", 2, false),
            ("1237.50", 2, false),
            ("-1237.50", 2, true),
            ("0.0000000000000000000000000001", 28, false),
            ("-0.0000000000000000000000000001", 28, true),
            ("18446744073709551615", 0, false),
            ("0.0000000018446744073709551615", 28, false),
            ("-1844674407370955161.5", 1, true),
        ];
        for (expected, scale, negative) in texts {
            let d: Decimal = expected.parse().unwrap();
            assert_eq!((d.scale(), d.is_sign_negative()), (scale, negative), "{expected}");
            assert_eq!(decimal_text(&d).and_then(|t| t.as_str().map(str::to_owned)).as_deref(), Some(expected));
            check_decimal(d).unwrap();
        }
        // Past u64: rust_decimal's own writer, same text.
        for big in [
            Decimal::MAX,
            Decimal::MIN,
            Decimal::from_parts(0, 0, 1, false, 28),
            Decimal::from(u64::MAX) + Decimal::ONE,
        ] {
            assert!(decimal_text(&big).is_none());
            check_decimal(big).unwrap();
        }
        // A zero carrying the sign bit (arithmetic can leave one): written as rust_decimal writes it.
        let mut negative_zero = Decimal::new(0, 2);
        negative_zero.set_sign_negative(true);
        assert!(negative_zero.is_sign_negative());
        assert_eq!(decimal_text(&negative_zero).unwrap().as_str(), Some(negative_zero.to_string().as_str()));
        check_decimal(negative_zero).unwrap();
        check_decimal(Decimal::NEGATIVE_ONE * Decimal::ZERO).unwrap();
    }

    #[test]
    fn dates_are_written_as_chrono_writes_them() {
        let ymd = |y, m, d| NaiveDate::from_ymd_opt(y, m, d).unwrap();
        for (date, text) in [
            (ymd(2026, 11, 30), "2026-11-30"),
            (ymd(0, 1, 1), "0000-01-01"),
            (ymd(9999, 12, 31), "9999-12-31"),
            (ymd(800, 2, 29), "0800-02-29"),
        ] {
            assert_eq!(date_text(&date).as_ref().map(|b| std::str::from_utf8(b).unwrap()), Some(text));
            check_date(date).unwrap();
        }
        for outside in [ymd(-1, 12, 31), ymd(10_000, 1, 1), NaiveDate::MIN, NaiveDate::MAX] {
            assert!(date_text(&outside).is_none());
            check_date(outside).unwrap();
        }
    }

    fn any_decimal() -> impl Strategy<Value = Decimal> {
        // Mantissas of every size (small ones, around u64::MAX, the full 96 bits), every scale.
        let mantissa = prop_oneof![
            (0u32..1000).prop_map(|lo| (lo, 0, 0)),
            any::<u32>().prop_map(|lo| (lo, 0, 0)),
            (any::<u32>(), any::<u32>()).prop_map(|(lo, mid)| (lo, mid, 0)),
            (any::<u32>(), any::<u32>(), 0u32..3).prop_map(|(lo, mid, hi)| (lo, mid, hi)),
            (any::<u32>(), any::<u32>(), any::<u32>()),
        ];
        (mantissa, any::<bool>(), 0u32..=28, any::<bool>()).prop_map(|((lo, mid, hi), negative, scale, signed_zero)| {
            let mut d = Decimal::from_parts(lo, mid, hi, negative, scale);
            if signed_zero && d.is_zero() {
                d.set_sign_negative(negative);
            }
            d
        })
    }

    proptest! {
        #[test]
        fn any_decimal_is_written_as_rust_decimal_writes_it(d in any_decimal()) {
            check_decimal(d)?;
        }

        #[test]
        fn any_date_is_written_as_chrono_writes_it(
            year in prop_oneof![0i32..=9999, -262_143i32..=262_142],
            ordinal in 1u32..=366,
        ) {
            let date = NaiveDate::from_yo_opt(year, ordinal).or_else(|| NaiveDate::from_yo_opt(year, 365));
            if let Some(date) = date {
                check_date(date)?;
            }
        }
    }
}
