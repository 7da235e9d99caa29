//! ISO 4217 currencies and their minor units.

use std::borrow::Cow;
use std::fmt;

use schemars::{JsonSchema, Schema, SchemaGenerator, json_schema};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use super::iso4217::TABLE;
use crate::error::{Code, Error, Result};

/// An ISO 4217 currency on the current list.
///
/// ```
/// use billable::money::Currency;
/// let jpy = Currency::parse("JPY").unwrap();
/// assert_eq!(jpy.minor_units(), Some(0));
/// assert_eq!(Currency::parse("XYZ").unwrap_err().code.as_str(), "unknown_currency");
/// ```
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Currency(u16);

impl Currency {
    /// The currency with the alphabetic `code` (upper case, as ISO writes it).
    pub fn parse(code: &str) -> Result<Currency> {
        TABLE.binary_search_by(|row| row.0.cmp(code)).map(|i| Currency(i as u16)).map_err(|_| {
            let hint = if TABLE.binary_search_by(|row| row.0.cmp(code.to_ascii_uppercase().as_str())).is_ok() {
                " (codes are upper case)"
            } else {
                ""
            };
            Error::new(Code::UnknownCurrency, format!("`{code}` is not an ISO 4217 currency code{hint}"))
        })
    }

    /// The alphabetic code, e.g. `"EUR"`.
    pub fn code(self) -> &'static str {
        TABLE[self.0 as usize].0
    }

    /// The ISO numeric code, e.g. 978 for EUR.
    pub fn numeric(self) -> u16 {
        TABLE[self.0 as usize].1
    }

    /// Digits after the decimal point (JPY 0, USD 2, KWD 3, CLF 4); `None`
    /// for codes ISO lists with no minor unit (XAU, XDR, ...).
    pub fn minor_units(self) -> Option<u32> {
        TABLE[self.0 as usize].2.map(u32::from)
    }

    /// Minor units, or `no_minor_unit` for currencies that have none.
    pub fn require_minor_units(self) -> Result<u32> {
        self.minor_units().ok_or_else(|| {
            Error::new(
                Code::NoMinorUnit,
                format!("{} has no minor unit in ISO 4217, so it cannot be rounded to one", self.code()),
            )
        })
    }

    /// The English name ISO gives.
    pub fn name(self) -> &'static str {
        TABLE[self.0 as usize].3
    }

    /// Every currency on the list, sorted by code.
    pub fn all() -> impl Iterator<Item = Currency> {
        (0..TABLE.len()).map(|i| Currency(i as u16))
    }
}

impl fmt::Debug for Currency {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

impl fmt::Display for Currency {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

impl std::str::FromStr for Currency {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self> {
        Currency::parse(s)
    }
}

impl Serialize for Currency {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.code())
    }
}

impl<'de> Deserialize<'de> for Currency {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = Cow::<'de, str>::deserialize(d)?;
        Currency::parse(&text).map_err(|e| serde::de::Error::custom(format_args!("{}: {}", e.code, e.message)))
    }
}

impl JsonSchema for Currency {
    fn schema_name() -> Cow<'static, str> {
        "Currency".into()
    }
    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        json_schema!({
            "type": "string",
            "pattern": "^[A-Z]{3}$",
            "description": "ISO 4217 alphabetic code on the current list"
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A dozen codes checked against the ISO 4217 list (numeric code, minor units).
    #[test]
    fn table_matches_iso_4217() {
        let iso = [
            ("USD", 840, Some(2)),
            ("EUR", 978, Some(2)),
            ("GBP", 826, Some(2)),
            ("CHF", 756, Some(2)),
            ("JPY", 392, Some(0)),
            ("KRW", 410, Some(0)),
            ("BHD", 48, Some(3)),
            ("IQD", 368, Some(3)),
            ("JOD", 400, Some(3)),
            ("KWD", 414, Some(3)),
            ("LYD", 434, Some(3)),
            ("OMR", 512, Some(3)),
            ("TND", 788, Some(3)),
            ("CLF", 990, Some(4)),
            ("MGA", 969, Some(2)),
            ("MRU", 929, Some(2)),
            ("XAU", 959, None),
        ];
        for (code, numeric, minor) in iso {
            let c = Currency::parse(code).unwrap();
            assert_eq!((c.code(), c.numeric(), c.minor_units()), (code, numeric, minor), "{code}");
        }
    }

    #[test]
    fn withdrawn_and_unknown_codes_are_refused() {
        for code in ["HRK", "XYZ", "usd", "", "EURO"] {
            assert_eq!(Currency::parse(code).unwrap_err().code, Code::UnknownCurrency, "{code}");
        }
        assert!(Currency::parse("usd").unwrap_err().message.contains("upper case"));
    }

    #[test]
    fn table_is_sorted_and_unique() {
        assert!(TABLE.windows(2).all(|w| w[0].0 < w[1].0));
        assert!(TABLE.len() > 170);
    }
}
