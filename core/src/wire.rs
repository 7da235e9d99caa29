//! The wire format (SPEC §2): exact decimals, strict dates, and the mapping of
//! every parse failure to a coded [`Error`] with the path of the field.
//!
//! Money and quantities are accepted as decimal strings, integers, or JSON
//! numbers read from their text (the workspace enables serde_json's
//! `arbitrary_precision`, so a number never passes through a binary float).
//! They are always written as strings, keeping their scale (`"1237.50"`); response documents
//! write them (and dates) with the writers of `write.rs` (`serialize_with = "wire::write_decimal"`).

use std::fmt;

use chrono::{DateTime, FixedOffset, NaiveDate, NaiveTime};
use rust_decimal::Decimal;
use serde::de::{self, DeserializeOwned, Deserializer, MapAccess, Visitor};

use crate::error::{Code, Error, Result};

mod unique;
mod write;
pub(crate) use unique::{Repeated, read_checked, unique_keys};
pub(crate) use write::{date_text, write_date, write_decimal, write_opt_date, write_opt_decimal};

/// The key serde_json uses to hand an arbitrary-precision number to a visitor.
const NUMBER_TOKEN: &str = "$serde_json::private::Number";

/// The decimal digits of `n` as `u64`'s `Display` writes them, without the formatting
/// machinery: the digits are `buf[start..]` of the returned `(buf, start)`. Shared by the
/// writers that build texts by hand in hot loops (audit hashes, invoice numbers, line ids).
pub(crate) fn decimal_digits(mut n: u64) -> ([u8; 20], usize) {
    let mut digits = [0u8; 20];
    let mut start = digits.len();
    // Two digits per division.
    while n >= 100 {
        let pair = (n % 100) as usize * 2;
        n /= 100;
        start -= 2;
        digits[start..start + 2].copy_from_slice(&PAIRS[pair..pair + 2]);
    }
    if n >= 10 {
        let pair = n as usize * 2;
        start -= 2;
        digits[start..start + 2].copy_from_slice(&PAIRS[pair..pair + 2]);
    } else {
        start -= 1;
        digits[start] = b'0' + n as u8;
    }
    (digits, start)
}

/// `00` to `99`, for two digits per division.
const PAIRS: &[u8; 200] = b"0001020304050607080910111213141516171819\
    2021222324252627282930313233343536373839\
    4041424344454647484950515253545556575859\
    6061626364656667686970717273747576777879\
    8081828384858687888990919293949596979899";

/// Parse decimal text strictly: an optional sign, digits with at most one
/// decimal point, and an optional exponent. No spaces, thousands separators or
/// underscores. More digits than a 96-bit decimal holds is `amount_out_of_range`,
/// never a silent rounding.
///
/// ```
/// use billable::wire::parse_decimal;
/// assert_eq!(parse_decimal("1237.50").unwrap().to_string(), "1237.50");
/// assert_eq!(parse_decimal("1.5e2").unwrap().to_string(), "150");
/// assert_eq!(parse_decimal("NaN").unwrap_err().code.as_str(), "non_finite_number");
/// assert_eq!(parse_decimal("1,000").unwrap_err().code.as_str(), "invalid_decimal");
/// ```
pub fn parse_decimal(text: &str) -> Result<Decimal> {
    let lower = text.to_ascii_lowercase();
    let unsigned = lower.trim_start_matches(['+', '-']);
    if matches!(unsigned, "nan" | "inf" | "infinity") {
        return Err(Error::new(Code::NonFiniteNumber, format!("`{text}` is not a finite number")));
    }
    let (mantissa, exponent) = match lower.split_once('e') {
        Some((m, e)) => (m, Some(e)),
        None => (lower.as_str(), None),
    };
    let digits = mantissa.strip_prefix(['+', '-']).unwrap_or(mantissa);
    let (int_part, frac_part) = digits.split_once('.').unwrap_or((digits, ""));
    let well_formed = !(int_part.is_empty() && frac_part.is_empty())
        && int_part.bytes().all(|b| b.is_ascii_digit())
        && frac_part.bytes().all(|b| b.is_ascii_digit())
        && exponent.is_none_or(|e| {
            let e = e.strip_prefix(['+', '-']).unwrap_or(e);
            !e.is_empty() && e.len() <= 4 && e.bytes().all(|b| b.is_ascii_digit())
        });
    if !well_formed {
        return Err(Error::new(Code::InvalidDecimal, format!("`{text}` is not a decimal number")));
    }
    let out_of_range = || {
        Error::new(
            Code::AmountOutOfRange,
            format!("`{text}` does not fit a 96-bit decimal (at most 28 significant digits)"),
        )
    };
    let exact = Decimal::from_str_exact(mantissa).map_err(|_| out_of_range())?;
    let parsed = match exponent {
        // `Decimal::from_scientific` reads the mantissa with the rounding parser; this keeps every digit or refuses.
        Some(e) => with_exponent(exact, e.parse().map_err(|_| out_of_range())?).ok_or_else(out_of_range)?,
        None => exact,
    };
    Ok(parsed.normalize_negative_zero())
}

/// `value × 10^exponent`, exactly, or `None` when that leaves the decimal range (past 28 places once trailing zeros
/// are dropped, or past 96 bits).
fn with_exponent(value: Decimal, exponent: i32) -> Option<Decimal> {
    let mut mantissa = value.mantissa();
    let mut scale = i64::from(value.scale()) - i64::from(exponent);
    if mantissa == 0 {
        scale = scale.clamp(0, 28);
    }
    while scale > 28 && mantissa % 10 == 0 && mantissa != 0 {
        mantissa /= 10;
        scale -= 1;
    }
    if scale < 0 {
        mantissa = mantissa.checked_mul(10i128.checked_pow(u32::try_from(-scale).ok()?)?)?;
        scale = 0;
    }
    Decimal::try_from_i128_with_scale(mantissa, u32::try_from(scale).ok()?).ok()
}

trait NormalizeZero {
    fn normalize_negative_zero(self) -> Self;
}
impl NormalizeZero for Decimal {
    /// `-0.00` becomes `0.00` so the same value prints the same way everywhere.
    fn normalize_negative_zero(mut self) -> Self {
        if self.is_zero() {
            self.set_sign_positive(true);
        }
        self
    }
}

/// Parse a strict ISO 8601 calendar date `YYYY-MM-DD`.
pub fn parse_date(text: &str) -> Result<NaiveDate> {
    let shaped = text.len() == 10
        && text.bytes().enumerate().all(|(i, b)| if i == 4 || i == 7 { b == b'-' } else { b.is_ascii_digit() });
    if !shaped {
        return Err(Error::new(Code::InvalidDate, format!("`{text}` is not a date of the form YYYY-MM-DD")));
    }
    // Shaped: ten ASCII bytes, digits around the dashes. Read the numbers straight from them.
    let digits =
        |range: std::ops::Range<usize>| text.as_bytes()[range].iter().fold(0u32, |n, b| n * 10 + u32::from(b - b'0'));
    let (year, month, day) = (digits(0..4), digits(5..7), digits(8..10));
    i32::try_from(year)
        .ok()
        .and_then(|y| NaiveDate::from_ymd_opt(y, month, day))
        .ok_or_else(|| Error::new(Code::InvalidDate, format!("`{text}` is not a calendar date")))
}

/// Parse an RFC 3339 instant with an offset (`2026-03-31T17:00:00+02:00`).
pub fn parse_instant(text: &str) -> Result<DateTime<FixedOffset>> {
    if let Some(instant) = usual_instant(text.as_bytes()) {
        return Ok(instant);
    }
    DateTime::parse_from_rfc3339(text)
        .map_err(|_| Error::new(Code::InvalidInstant, format!("`{text}` is not an RFC 3339 instant with an offset")))
}

/// The usual shape of an instant, `YYYY-MM-DDTHH:MM:SS` followed by `Z` or `±HH:MM`, read
/// without chrono's general parser. `None` for anything else (fractions of a second, a leap
/// second, a lowercase `t` or `z`, a space, an invalid date or offset): the caller then asks
/// chrono, so every text gets exactly chrono's answer (a property test compares the two).
fn usual_instant(text: &[u8]) -> Option<DateTime<FixedOffset>> {
    let (local, zone): (&[u8; 19], &[u8]) = match text.len() {
        20 if text[19] == b'Z' => (text[..19].try_into().ok()?, &[]),
        25 if matches!(text[19], b'+' | b'-') && text[22] == b':' => (text[..19].try_into().ok()?, &text[19..]),
        _ => return None,
    };
    if local[4] != b'-' || local[7] != b'-' || local[10] != b'T' || local[13] != b':' || local[16] != b':' {
        return None;
    }
    // Every other byte is a digit: subtracting '0' leaves 0..=9, anything else wraps above 9.
    let digit = |byte: u8| u32::from(byte.wrapping_sub(b'0'));
    let two = |bytes: &[u8]| digit(bytes[0]) * 10 + digit(bytes[1]);
    const DIGITS: [usize; 14] = [0, 1, 2, 3, 5, 6, 8, 9, 11, 12, 14, 15, 17, 18];
    let mut not_digits = false;
    for i in DIGITS {
        not_digits |= digit(local[i]) > 9;
    }
    if not_digits {
        return None;
    }
    let year = two(&local[0..2]) * 100 + two(&local[2..4]);
    let date = NaiveDate::from_ymd_opt(i32::try_from(year).ok()?, two(&local[5..7]), two(&local[8..10]))?;
    // `from_hms_opt` takes seconds up to 59 only: chrono reads a leap second (60) its own way.
    let time = NaiveTime::from_hms_opt(two(&local[11..13]), two(&local[14..16]), two(&local[17..19]))?;
    let offset_seconds = match zone {
        [sign, h1, h2, b':', m1, m2] => {
            if digit(*h1) > 9 || digit(*h2) > 9 || digit(*m1) > 9 || digit(*m2) > 9 {
                return None;
            }
            let (hours, minutes) = (two(&zone[1..3]), two(&zone[4..6]));
            if hours > 23 || minutes > 59 {
                return None;
            }
            let seconds = i32::try_from(hours * 3600 + minutes * 60).ok()?;
            if *sign == b'-' { -seconds } else { seconds }
        }
        _ => 0,
    };
    let offset = FixedOffset::east_opt(offset_seconds)?;
    let utc = date.and_time(time).checked_sub_offset(offset)?;
    Some(DateTime::from_naive_utc_and_offset(utc, offset))
}

/// Turn a coded error into a serde error; [`from_json`] turns it back.
fn coded<E: de::Error>(err: Error) -> E {
    E::custom(format_args!("{}: {}", err.code, err.message))
}

struct DecimalVisitor;

impl<'de> Visitor<'de> for DecimalVisitor {
    type Value = Decimal;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a decimal number as a string, an integer or a JSON number")
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<Decimal, E> {
        parse_decimal(v).map_err(coded)
    }
    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Decimal, E> {
        Ok(Decimal::from(v))
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Decimal, E> {
        Ok(Decimal::from(v))
    }
    fn visit_i128<E: de::Error>(self, v: i128) -> Result<Decimal, E> {
        Decimal::try_from_i128_with_scale(v, 0)
            .map_err(|_| coded(Error::new(Code::AmountOutOfRange, format!("{v} does not fit a 96-bit decimal"))))
    }
    fn visit_u128<E: de::Error>(self, v: u128) -> Result<Decimal, E> {
        i128::try_from(v)
            .map_err(|_| coded(Error::new(Code::AmountOutOfRange, format!("{v} does not fit a 96-bit decimal"))))
            .and_then(|v| self.visit_i128(v))
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Decimal, A::Error> {
        // serde_json with `arbitrary_precision` hands numbers over as a one-entry map.
        match map.next_key::<String>()? {
            Some(key) if key == NUMBER_TOKEN => {
                let text: String = map.next_value()?;
                parse_decimal(&text).map_err(coded)
            }
            _ => Err(de::Error::invalid_type(de::Unexpected::Map, &self)),
        }
    }
}

/// `#[serde(deserialize_with = "wire::decimal")]` for a required decimal field.
pub fn decimal<'de, D: Deserializer<'de>>(d: D) -> Result<Decimal, D::Error> {
    d.deserialize_any(DecimalVisitor)
}

/// `#[serde(default, deserialize_with = "wire::opt_decimal")]` for an optional decimal field.
pub fn opt_decimal<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Decimal>, D::Error> {
    #[derive(serde::Deserialize)]
    struct Wrap(#[serde(deserialize_with = "decimal")] Decimal);
    Ok(<Option<Wrap> as serde::Deserialize>::deserialize(d)?.map(|w| w.0))
}

/// `#[serde(deserialize_with = "wire::decimals")]` for a list of decimals.
pub fn decimals<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<Decimal>, D::Error> {
    #[derive(serde::Deserialize)]
    struct Wrap(#[serde(deserialize_with = "decimal")] Decimal);
    Ok(<Vec<Wrap> as serde::Deserialize>::deserialize(d)?.into_iter().map(|w| w.0).collect())
}

/// Reads a date from a string without copying it.
struct DateVisitor;

impl<'de> Visitor<'de> for DateVisitor {
    type Value = NaiveDate;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        // The words serde uses for a string, so a wrong type reads as it always did.
        f.write_str("a string")
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<NaiveDate, E> {
        parse_date(v).map_err(coded)
    }
}

/// `#[serde(deserialize_with = "wire::date")]` for a required `YYYY-MM-DD` field.
pub fn date<'de, D: Deserializer<'de>>(d: D) -> Result<NaiveDate, D::Error> {
    d.deserialize_str(DateVisitor)
}

/// `#[serde(default, deserialize_with = "wire::opt_date")]` for an optional date field.
pub fn opt_date<'de, D: Deserializer<'de>>(d: D) -> Result<Option<NaiveDate>, D::Error> {
    #[derive(serde::Deserialize)]
    struct Wrap(#[serde(deserialize_with = "date")] NaiveDate);
    Ok(<Option<Wrap> as serde::Deserialize>::deserialize(d)?.map(|w| w.0))
}

/// `#[serde(deserialize_with = "wire::dates")]` for a list of dates.
pub fn dates<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<NaiveDate>, D::Error> {
    #[derive(serde::Deserialize)]
    struct Wrap(#[serde(deserialize_with = "date")] NaiveDate);
    Ok(<Vec<Wrap> as serde::Deserialize>::deserialize(d)?.into_iter().map(|w| w.0).collect())
}

/// `#[serde(deserialize_with = "wire::instant")]` for a required RFC 3339 instant.
pub fn instant<'de, D: Deserializer<'de>>(d: D) -> Result<DateTime<FixedOffset>, D::Error> {
    let text = <std::borrow::Cow<'de, str> as serde::Deserialize>::deserialize(d)?;
    parse_instant(&text).map_err(coded)
}

/// The wire name of an enum value (`billing_hold`, `time_and_materials`). The
/// messages write the names out; the tests pin those to this.
#[cfg(test)]
pub(crate) fn name_of<T: serde::Serialize>(value: &T) -> String {
    match serde_json::to_value(value) {
        Ok(serde_json::Value::String(s)) => s,
        _ => String::from("?"),
    }
}

/// Parse a JSON document into `T`, mapping any failure to a coded [`Error`]
/// with the path of the offending field. Nothing is returned on failure: no
/// partial document.
///
/// ```
/// use billable::wire::from_json;
/// use billable::money::Money;
/// let e = from_json::<Money>(r#"{"amount": "12.5", "currency": "XYZ"}"#).unwrap_err();
/// assert_eq!((e.code.as_str(), e.path.as_str()), ("unknown_currency", "currency"));
/// ```
pub fn from_json<T: DeserializeOwned>(text: &str) -> Result<T> {
    // Read without tracking the path first: tracking was about 40 % of the instructions of
    // reading a large request (the invoice run's 100k-entry request: 1,212 M → 699 M), and only
    // a failure needs it. A document that fails is read again with the path tracked, which
    // fails the same way (the tracker only watches) and names the field.
    let mut de = serde_json::Deserializer::from_str(text);
    match T::deserialize(&mut de) {
        Ok(value) if de.end().is_ok() => Ok(value),
        _ => from_json_tracked(text),
    }
}

/// [`from_json`] with the path tracked all the way.
fn from_json_tracked<T: DeserializeOwned>(text: &str) -> Result<T> {
    let mut de = serde_json::Deserializer::from_str(text);
    let value = serde_path_to_error::deserialize(&mut de).map_err(|e| {
        let mapped = map_path_error(e);
        non_finite_token(text, &mapped).unwrap_or(mapped)
    })?;
    de.end().map_err(|e| Error::new(Code::InvalidJson, strip_location(&e.to_string(), &e)))?;
    Ok(value)
}

/// Read a `serde_json::Value` (already parsed by a binding) into `T`: through its JSON text,
/// so that every field reads exactly as [`from_json`] reads the same document, numbers
/// included. A `Value` read directly hands a number whose text survives a trip through a
/// binary float (`0.1`, `10.005`) to `visit_f64`, which the exact decimal reader refuses;
/// the text keeps every number's digits (`arbitrary_precision`), in a decimal field and in
/// a free-form one (an event's `data`, whose fingerprint must not depend on the way in).
pub fn from_value<T: DeserializeOwned>(value: serde_json::Value) -> Result<T> {
    let text = serde_json::to_string(&value)
        .map_err(|e| Error::new(Code::InvalidValue, format!("the document could not be written as JSON: {e}")))?;
    from_json(&text)
}

/// Serialize a response document. Our types only hold strings, decimals and
/// maps with string keys, so this cannot fail; a failure would be a bug and is
/// still reported as an error, not a panic.
pub fn to_json<T: serde::Serialize>(value: &T) -> Result<String> {
    serde_json::to_string(value)
        .map_err(|e| Error::new(Code::InvalidValue, format!("response could not be serialized: {e}")))
}

/// JSON has no NaN or Infinity, but some producers (Python's `json.dumps`)
/// write them bare. Name that precisely instead of a bare syntax error.
fn non_finite_token(text: &str, err: &Error) -> Option<Error> {
    if err.code != Code::InvalidJson {
        return None;
    }
    let details = err.details.as_deref()?;
    let (line, column) = details.get("line").zip(details.get("column"))?;
    let (line, column) = (line.as_u64()? as usize, column.as_u64()? as usize);
    let row = text.lines().nth(line.checked_sub(1)?)?;
    let rest = row.get(column.checked_sub(1)?..)?;
    ["NaN", "Infinity", "-Infinity"].iter().find(|t| rest.starts_with(**t)).map(|t| {
        Error::new(Code::NonFiniteNumber, format!("`{t}` is not a finite number (JSON has no NaN or infinities)"))
            .at(err.path.clone())
    })
}

/// Marks the path of an error raised inside a flattened member (see [`flattened`]).
const INNER_PATH: &str = "\u{1}path:";

/// Deserialize a `#[serde(flatten)]` member with its own path tracked. serde reads a flattened member from a
/// buffer that the path tracker of [`from_json`] cannot see into, so an error inside it (`projects[0].status`)
/// would come back with the path of the document itself; this tracks the member's path and carries it in the
/// error's message, which [`classify`] takes back out and joins to the outer path.
pub(crate) fn flattened<'de, D, T>(deserializer: D) -> std::result::Result<T, D::Error>
where
    D: serde::Deserializer<'de>,
    T: serde::Deserialize<'de>,
{
    use serde::de::Error as _;
    // Through a `Value` first: serde hands a flattened member a buffer in which an arbitrary-precision number
    // is a map, and a struct whose fields all have defaults would read `"overtime": 1.5` from it as an empty
    // policy. A `Value` holds the number as a number, which a struct refuses (`invalid_type`).
    // Read with its keys checked: a `Value` would keep the last of two equal keys in silence.
    let (value, repeated) = read_checked(deserializer)?;
    if let Some(Repeated { object, key }) = repeated {
        return Err(D::Error::custom(format!("{INNER_PATH}{object}\u{1}duplicate field `{key}`")));
    }
    serde_path_to_error::deserialize(value).map_err(|e| {
        let path = e.path().to_string();
        let inner = e.into_inner().to_string();
        if path.is_empty() || path == "." || inner.starts_with(INNER_PATH) {
            D::Error::custom(inner)
        } else {
            D::Error::custom(format!("{INNER_PATH}{path}\u{1}{inner}"))
        }
    })
}

fn map_path_error(err: serde_path_to_error::Error<serde_json::Error>) -> Error {
    let path = error_path(&err);
    let inner = err.into_inner();
    classify(&inner, path)
}

/// The error's path as the documents write it (`entries[2].hours`).
fn error_path(err: &serde_path_to_error::Error<serde_json::Error>) -> String {
    let mut path = String::new();
    for segment in err.path().iter() {
        match segment {
            serde_path_to_error::Segment::Seq { index } => path.push_str(&format!("[{index}]")),
            serde_path_to_error::Segment::Map { key } | serde_path_to_error::Segment::Enum { variant: key } => {
                if !path.is_empty() {
                    path.push('.');
                }
                path.push_str(key);
            }
            serde_path_to_error::Segment::Unknown => {}
        }
    }
    path
}

fn strip_location(message: &str, err: &serde_json::Error) -> String {
    let suffix = format!(" at line {} column {}", err.line(), err.column());
    message.strip_suffix(&suffix).unwrap_or(message).to_string()
}

fn classify(err: &serde_json::Error, path: String) -> Error {
    use serde_json::error::Category as C;
    let message = strip_location(&err.to_string(), err);
    // An error inside a flattened member carries its path (see `flattened`).
    let (path, message) = match message.strip_prefix(INNER_PATH).and_then(|rest| rest.split_once('\u{1}')) {
        Some((inner, rest)) => (crate::error::join_path(&path, inner), rest.to_string()),
        None => (path, message),
    };
    match err.classify() {
        C::Syntax | C::Eof | C::Io => {
            let located = format!("{message} (line {}, column {})", err.line(), err.column());
            Error::new(Code::InvalidJson, located)
                .at(path)
                .with_details(serde_json::json!({ "line": err.line(), "column": err.column() }))
        }
        C::Data => {
            if let Some((code, rest)) = message.split_once(": ").and_then(|(c, r)| Code::parse(c).map(|c| (c, r))) {
                return Error::new(code, rest).at(path);
            }
            if let Some(field) = message.strip_prefix("duplicate field `").and_then(|m| m.strip_suffix('`')) {
                let full = crate::error::join_path(&path, field);
                return Error::new(Code::InvalidValue, unique::twice(field)).at(full);
            }
            if let Some(field) = message.strip_prefix("missing field `").and_then(|m| m.strip_suffix('`')) {
                let full = crate::error::join_path(&path, field);
                return Error::new(Code::MissingField, format!("`{full}` is required")).at(full);
            }
            let code = if message.starts_with("invalid type") || message.starts_with("invalid length") {
                Code::InvalidType
            } else {
                Code::InvalidValue
            };
            Error::new(code, message).at(path)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A parsed document (the Python binding's dicts) with a whole number out of a field's range says what the
    /// JSON text says: `invalid_value` at the field, with the number; not `invalid_json` at "line 0, column 0".
    #[test]
    fn a_number_out_of_range_in_a_parsed_document_is_invalid_value_at_its_path() {
        #[derive(Debug, serde::Deserialize)]
        #[allow(dead_code)]
        struct Inner {
            scale: u32,
        }
        #[derive(Debug, serde::Deserialize)]
        #[allow(dead_code)]
        struct Outer {
            items: Vec<Inner>,
        }
        for bad in [serde_json::json!(-1), serde_json::json!(1u64 << 40)] {
            let doc = serde_json::json!({"items": [{"scale": 2}, {"scale": bad}]});
            let text = from_json::<Outer>(&doc.to_string()).unwrap_err();
            let value = from_value::<Outer>(doc).unwrap_err();
            assert_eq!((value.code, value.path.as_str()), (Code::InvalidValue, "items[1].scale"));
            assert_eq!((text.code, text.path.as_str()), (value.code, value.path.as_str()));
            assert!(value.message.contains(&format!("`{bad}`")), "{}", value.message);
        }
    }

    /// `decimal_digits` writes what `u64`'s `Display` writes, at every digit count and on
    /// both sides of each power of ten.
    #[test]
    fn decimal_digits_are_the_display_digits() {
        let mut values: Vec<u64> = (0..1000).collect();
        for p in 1..20 {
            let ten = 10u64.pow(p);
            values.extend([ten - 1, ten, ten + 1]);
            values.extend(ten.checked_mul(5).map(|v| v + 7));
        }
        values.extend([u64::MAX, u64::MAX - 1, u64::MAX / 3]);
        for n in values {
            let (digits, start) = decimal_digits(n);
            assert_eq!(std::str::from_utf8(&digits[start..]).unwrap(), n.to_string());
        }
    }

    #[test]
    fn decimal_text_is_exact_and_strict() {
        assert_eq!(parse_decimal("0.1").unwrap(), Decimal::new(1, 1));
        assert_eq!(parse_decimal("-0.00").unwrap().to_string(), "0.00");
        assert_eq!(parse_decimal("2.5E-1").unwrap(), Decimal::new(25, 2));
        for bad in ["", " 1", "1 ", "1_000", "1,5", "0x10", "1.2.3", "e5", "1e", "--1", "."] {
            assert_eq!(parse_decimal(bad).unwrap_err().code, Code::InvalidDecimal, "{bad:?}");
        }
        for inf in ["NaN", "-Infinity", "inf", "+INF"] {
            assert_eq!(parse_decimal(inf).unwrap_err().code, Code::NonFiniteNumber, "{inf:?}");
        }
        // 40 digits: past the 28-29 significant digits a 96-bit decimal holds.
        let forty = "1234567890123456789012345678901234567890";
        assert_eq!(parse_decimal(forty).unwrap_err().code, Code::AmountOutOfRange);
        // A fraction that would need rounding to fit is refused, not rounded.
        assert_eq!(parse_decimal("0.12345678901234567890123456789012").unwrap_err().code, Code::AmountOutOfRange);
        // The same with an exponent: refused too (it was read by the rounding parser, as 0.1234567890123456789012345679).
        for rounded in ["0.12345678901234567890123456789012e0", "1.00000000000000000000000000001e0", "1e-29", "8e28"] {
            assert_eq!(parse_decimal(rounded).unwrap_err().code, Code::AmountOutOfRange, "{rounded:?}");
        }
        // An exponent moves the point exactly: 1.5 × 10^2 = 150, 1.50 × 10^1 = 15.0, 25 × 10^-3 = 0.025; trailing
        // zeros give way to fit 28 places (1.000 × 10^-28 = 1 × 10^-28), and 0 at any exponent is 0.
        let cases = [
            ("1.5e2", "150"),
            ("1.50E+1", "15.0"),
            ("25e-3", "0.025"),
            ("1.000e-28", "0.0000000000000000000000000001"),
        ];
        for (text, value) in cases {
            assert_eq!(parse_decimal(text).unwrap().to_string(), value, "{text:?}");
        }
        assert!(parse_decimal("0e-50").unwrap().is_zero());
        assert_eq!(parse_decimal("7.9228162514264337593543950335e28").unwrap(), Decimal::MAX);
    }

    #[test]
    fn json_numbers_are_read_from_their_text() {
        #[derive(Debug, serde::Deserialize)]
        struct Doc {
            #[serde(deserialize_with = "decimal")]
            x: Decimal,
        }
        // 0.1 + 0.2 as floats is 0.30000000000000004; as text it stays exact.
        let d: Doc = from_json(r#"{"x": 0.30000000000000001}"#).unwrap();
        assert_eq!(d.x.to_string(), "0.30000000000000001");
        let d: Doc = from_json(r#"{"x": 12}"#).unwrap();
        assert_eq!(d.x, Decimal::from(12));
        let e = from_json::<Doc>(r#"{"x": true}"#).unwrap_err();
        assert_eq!((e.code, e.path.as_str()), (Code::InvalidType, "x"));
        let e = from_json::<Doc>(r#"{}"#).unwrap_err();
        assert_eq!((e.code, e.path.as_str()), (Code::MissingField, "x"));
        let e = from_json::<Doc>(r#"{"x": NaN}"#).unwrap_err();
        assert_eq!((e.code, e.path.as_str()), (Code::NonFiniteNumber, "x"));
        let e = from_json::<Doc>("{\n  \"x\": -Infinity}").unwrap_err();
        assert_eq!((e.code, e.path.as_str()), (Code::NonFiniteNumber, "x"));
        let e = from_json::<Doc>(r#"{"x": 1"#).unwrap_err();
        assert_eq!(e.code, Code::InvalidJson);
        let e = from_json::<Doc>(r#"{"x": 1} trailing"#).unwrap_err();
        assert_eq!(e.code, Code::InvalidJson);
    }

    /// `from_json` reads without tracking the path and, when that fails, again with it: every
    /// document, good or bad, gets exactly what the tracked reading alone gives (the error's
    /// code, message and path included).
    #[test]
    fn reading_first_without_the_path_changes_no_result() {
        use crate::money::Money;
        #[derive(Debug, PartialEq, serde::Deserialize)]
        #[serde(deny_unknown_fields)]
        struct Line {
            id: String,
            #[serde(deserialize_with = "decimal")]
            hours: Decimal,
            price: Money,
        }
        #[derive(Debug, PartialEq, serde::Deserialize)]
        struct Doc {
            lines: Vec<Line>,
            #[serde(default)]
            note: Option<String>,
        }
        let line = r#"{"id": "l1", "hours": 1.5, "price": {"amount": "10.00", "currency": "EUR"}}"#;
        let docs = [
            format!(r#"{{"lines": [{line}, {line}]}}"#),
            format!(r#"{{"lines": [{line}], "note": "n"}}"#),
            r#"{"lines": []}"#.to_string(),
            format!(
                r#"{{"lines": [{line}, {{"id": "l2", "hours": "x", "price": {{"amount": "1", "currency": "EUR"}}}}]}}"#
            ),
            format!(
                r#"{{"lines": [{line}, {{"id": "l2", "hours": 1, "price": {{"amount": "1", "currency": "XYZ"}}}}]}}"#
            ),
            format!(
                r#"{{"lines": [{line}, {{"id": "l2", "hours": 1, "price": {{"amount": "1", "currency": "EUR"}}, "x": 1}}]}}"#
            ),
            format!(r#"{{"lines": [{line}, {{"id": 7, "hours": 1, "price": {{"amount": "1", "currency": "EUR"}}}}]}}"#),
            format!(r#"{{"lines": [{line}, {{"hours": NaN}}]}}"#),
            format!(r#"{{"lines": [{line}], "note": 5}}"#),
            format!(r#"{{"lines": [{line}]}} trailing"#),
            format!(r#"{{"lines": [{line}]"#),
            r#"{"note": "no lines"}"#.to_string(),
            "[]".to_string(),
            String::new(),
        ];
        for doc in &docs {
            assert_eq!(from_json::<Doc>(doc), from_json_tracked::<Doc>(doc), "{doc}");
        }
        // The bad ones name their field.
        let e = from_json::<Doc>(&docs[4]).unwrap_err();
        assert_eq!((e.code, e.path.as_str()), (Code::UnknownCurrency, "lines[1].price.currency"));
        let e = from_json::<Doc>(&docs[3]).unwrap_err();
        assert_eq!(e.path, "lines[1].hours");
    }

    #[test]
    fn values_built_by_a_binding_read_numbers_exactly() {
        #[derive(Debug, serde::Deserialize)]
        struct Doc {
            #[serde(deserialize_with = "decimal")]
            x: Decimal,
            n: u32,
        }
        let value: serde_json::Value = serde_json::from_str(r#"{"x": 10.005, "n": 2}"#).unwrap();
        let d: Doc = from_value(value).unwrap();
        assert_eq!((d.x.to_string(), d.n), ("10.005".to_string(), 2));
        let value: serde_json::Value = serde_json::from_str(r#"{"x": 1e-3, "n": 2.5}"#).unwrap();
        let e = from_value::<Doc>(value).unwrap_err();
        assert_eq!((e.code, e.path.as_str()), (Code::InvalidType, "n"));
    }

    #[test]
    fn dates_are_calendar_dates() {
        assert_eq!(parse_date("2028-02-29").unwrap().to_string(), "2028-02-29");
        assert_eq!(parse_date("2026-02-30").unwrap_err().code, Code::InvalidDate);
        assert_eq!(parse_date("2026-2-3").unwrap_err().code, Code::InvalidDate);
        assert_eq!(parse_instant("2026-03-31T17:00:00").unwrap_err().code, Code::InvalidInstant);
        assert!(parse_instant("2026-03-31T17:00:00+02:00").is_ok());
    }

    #[test]
    fn usual_instants_read_as_chrono_reads_them() {
        let read = |text: &str| parse_instant(text).map(|t| t.to_rfc3339());
        assert_eq!(read("2026-03-31T17:00:00+02:00").unwrap(), "2026-03-31T17:00:00+02:00");
        assert_eq!(read("2026-03-31T17:00:00Z").unwrap(), "2026-03-31T17:00:00+00:00");
        assert_eq!(read("2026-03-31T17:00:00-00:00").unwrap(), "2026-03-31T17:00:00+00:00");
        assert_eq!(parse_instant("2026-01-01T00:30:00+01:00").unwrap().timestamp(), 1_767_223_800);
        // Not the usual shape: chrono decides.
        assert_eq!(read("2026-03-31t17:00:00.5z").unwrap(), "2026-03-31T17:00:00.500+00:00");
        assert_eq!(read("2016-12-31T23:59:60Z").unwrap(), "2016-12-31T23:59:60+00:00");
        for bad in ["2026-02-30T10:00:00Z", "2026-03-31T24:00:00Z", "2026-03-31T17:00:00+24:00", "2026-03-31T17:00:00"]
        {
            assert_eq!(parse_instant(bad).unwrap_err().code, Code::InvalidInstant, "{bad}");
        }
    }

    proptest::proptest! {
        /// The fast path gives chrono's answer, instant and offset, or leaves the text to chrono.
        #[test]
        fn the_usual_instant_is_chronos(
            (year, month, day) in (0u32..10_000, 0u32..14, 0u32..33),
            (hour, minute, second) in (0u32..25, 0u32..61, 0u32..62),
            (separator, zone) in (proptest::sample::select(vec!['T', 'T', 't', ' ']), 0u8..4),
            (sign, offset_hours, offset_minutes) in (proptest::sample::select(vec!['+', '-']), 0u32..25, 0u32..61),
        ) {
            let zone = match zone {
                0 => "Z".to_string(),
                1 => "z".to_string(),
                _ => format!("{sign}{offset_hours:02}:{offset_minutes:02}"),
            };
            let text = format!("{year:04}-{month:02}-{day:02}{separator}{hour:02}:{minute:02}:{second:02}{zone}");
            let chrono = DateTime::parse_from_rfc3339(&text).ok();
            if let Some(fast) = usual_instant(text.as_bytes()) {
                proptest::prop_assert_eq!(Some(fast), chrono);
                proptest::prop_assert_eq!(Some(fast.offset()), chrono.as_ref().map(DateTime::offset));
            }
            proptest::prop_assert_eq!(parse_instant(&text).ok().map(|t| t.to_rfc3339()), chrono.map(|t| t.to_rfc3339()));
        }
    }
}
