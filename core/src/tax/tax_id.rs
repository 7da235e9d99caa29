//! VAT/GST number validation (SPEC §7): format and check digits for the 27
//! EU member states, Northern Ireland (`XI`), GB, CH and NO.
//!
//! The number is cleaned (upper case; spaces, dots, dashes, slashes, commas,
//! colons and parentheses removed), its country found from its prefix or from the
//! country the caller names, and checked with that country's algorithm
//! (`tax_id_countries.rs`; sources in `docs/tax.md`). The result says whether
//! it is valid, the country, the normalized form and, when invalid, a stable
//! reason code. This checks the number's construction only; whether the
//! number is currently registered is a question for VIES or the national
//! register, which a pure library cannot ask.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::tax_id_countries::{self as cc, Check};

/// Why a tax id is invalid. The JSON form is the snake_case text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum TaxIdReason {
    /// No tax id was given (empty, or only separators).
    Missing,
    /// The country is not one billable validates (or no country prefix was given and no country named).
    UnknownCountry,
    /// The number's prefix names a different country than the one given.
    CountryMismatch,
    /// Characters or structure the country's numbers do not have.
    BadFormat,
    /// The right characters, but a length the country does not issue.
    BadLength,
    /// Well formed, but the check digits do not match.
    BadCheckDigit,
}

impl TaxIdReason {
    /// The stable snake_case text.
    pub fn as_str(self) -> &'static str {
        match self {
            TaxIdReason::Missing => "missing",
            TaxIdReason::UnknownCountry => "unknown_country",
            TaxIdReason::CountryMismatch => "country_mismatch",
            TaxIdReason::BadFormat => "bad_format",
            TaxIdReason::BadLength => "bad_length",
            TaxIdReason::BadCheckDigit => "bad_check_digit",
        }
    }
}

/// The outcome of [`validate_tax_id`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, JsonSchema)]
pub struct TaxIdCheck {
    /// True when the format and check digits are right.
    pub valid: bool,
    /// ISO 3166-1 country of the number (`GR` for an `EL` number, `GB` for `XI`), when known.
    pub country: Option<String>,
    /// The VAT prefix (`EL` for Greece, `XI` for Northern Ireland, `CH` for Switzerland), when known.
    pub prefix: Option<String>,
    /// Upper case, no separators, with the prefix (`DE136695976`, `CHE107787577MWST`);
    /// for an invalid number, the form that was checked.
    pub normalized: Option<String>,
    /// Why the number is invalid; absent when valid.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<TaxIdReason>,
}

/// One country's numbers: the prefix written before them, the ISO country and the check.
struct Scheme {
    prefix: &'static str,
    country: &'static str,
    check: fn(&str) -> Check,
}

const fn scheme(prefix: &'static str, country: &'static str, check: fn(&str) -> Check) -> Scheme {
    Scheme { prefix, country, check }
}

/// Every country validated, by prefix. Greece writes `EL`; Northern Ireland
/// writes `XI` and uses the GB algorithm.
const SCHEMES: &[Scheme] = &[
    scheme("AT", "AT", cc::at),
    scheme("BE", "BE", cc::be),
    scheme("BG", "BG", cc::bg),
    scheme("CY", "CY", cc::cy),
    scheme("CZ", "CZ", cc::cz),
    scheme("DE", "DE", cc::de),
    scheme("DK", "DK", cc::dk),
    scheme("EE", "EE", cc::ee),
    scheme("EL", "GR", cc::el),
    scheme("ES", "ES", cc::es),
    scheme("FI", "FI", cc::fi),
    scheme("FR", "FR", cc::fr),
    scheme("HR", "HR", cc::hr),
    scheme("HU", "HU", cc::hu),
    scheme("IE", "IE", cc::ie),
    scheme("IT", "IT", cc::it),
    scheme("LT", "LT", cc::lt),
    scheme("LU", "LU", cc::lu),
    scheme("LV", "LV", cc::lv),
    scheme("MT", "MT", cc::mt),
    scheme("NL", "NL", cc::nl),
    scheme("PL", "PL", cc::pl),
    scheme("PT", "PT", cc::pt),
    scheme("RO", "RO", cc::ro),
    scheme("SE", "SE", cc::se),
    scheme("SI", "SI", cc::si),
    scheme("SK", "SK", cc::sk),
    scheme("XI", "GB", cc::gb),
    scheme("GB", "GB", cc::gb),
    scheme("CH", "CH", cc::ch),
    scheme("NO", "NO", cc::no),
];

/// The scheme written with `prefix`; `GR` is accepted for Greece's `EL`.
fn by_prefix(prefix: &str) -> Option<&'static Scheme> {
    let prefix = if prefix == "GR" { "EL" } else { prefix };
    SCHEMES.iter().find(|s| s.prefix == prefix)
}

/// ASCII letters upper-cased, with the usual separators removed (`BE (0)468.561.072` is `BE0468561072`). Other
/// characters are kept as they are, so that the country check reports them as `bad_format`: Unicode upper-casing
/// would turn some into ASCII letters (`ﬁ` into `FI`, `ß` into `SS`, `ı` into `I`) and make a number of them.
fn clean(text: &str) -> String {
    text.chars()
        .filter(|c| !c.is_whitespace() && !matches!(c, '.' | '-' | '/' | ',' | ':' | '(' | ')'))
        .map(|c| c.to_ascii_uppercase())
        .collect()
}

/// Validate a VAT/GST number's format and check digits.
///
/// `country` (ISO 3166-1, or a VAT prefix such as `EL` or `XI`) says whose
/// number it is when the text has no prefix; when both are given they must
/// agree (`country_mismatch` otherwise).
///
/// ```
/// use billable::tax::{validate_tax_id, TaxIdReason};
/// let ok = validate_tax_id("de 136.695.976", None);
/// assert!(ok.valid);
/// assert_eq!(ok.normalized.as_deref(), Some("DE136695976"));
///
/// let bad = validate_tax_id("DE136695978", None);
/// assert_eq!(bad.reason, Some(TaxIdReason::BadCheckDigit));
///
/// // Greece writes EL; the country is GR.
/// let gr = validate_tax_id("094259216", Some("GR"));
/// assert_eq!((gr.valid, gr.country.as_deref(), gr.normalized.as_deref()), (true, Some("GR"), Some("EL094259216")));
/// ```
pub fn validate_tax_id(tax_id: &str, country: Option<&str>) -> TaxIdCheck {
    let text = clean(tax_id);
    let hint = country.map(|c| c.trim().to_ascii_uppercase());
    let invalid = |reason, scheme: Option<&Scheme>, normalized: Option<String>| TaxIdCheck {
        valid: false,
        country: scheme.map(|s| s.country.to_string()).or_else(|| hint.clone()),
        prefix: scheme.map(|s| s.prefix.to_string()),
        normalized,
        reason: Some(reason),
    };
    let hinted = match hint.as_deref() {
        Some(h) => match country_scheme(h) {
            Some(s) => Some(s),
            None => return invalid(TaxIdReason::UnknownCountry, None, None),
        },
        None => None,
    };
    if text.is_empty() {
        return invalid(TaxIdReason::Missing, hinted, None);
    }
    let written = text.get(..2).filter(|p| p.bytes().all(|b| b.is_ascii_uppercase())).and_then(by_prefix);
    let (scheme, body) = match (hinted, written) {
        (None, Some(w)) => (w, &text[2..]),
        (Some(h), Some(w)) if h.country == w.country => (w, &text[2..]),
        // A prefix of another country: unless the whole text is a valid number of the
        // named country (a French key can look like a prefix), the two disagree.
        (Some(h), Some(w)) => {
            return match text.is_ascii().then(|| (h.check)(&text)) {
                Some(Ok(body)) => valid(h, body),
                _ => invalid(TaxIdReason::CountryMismatch, Some(w), Some(text.clone())),
            };
        }
        (Some(h), None) => (h, text.as_str()),
        (None, None) => return invalid(TaxIdReason::UnknownCountry, None, None),
    };
    // Every scheme's numbers are ASCII letters and digits, and the country checks read them at byte positions: a
    // letter such as `Ä` is a bad format here, before any check slices it (normalized as every bad format is).
    if !body.is_ascii() {
        return invalid(TaxIdReason::BadFormat, Some(scheme), Some(format!("{}{body}", scheme.prefix)));
    }
    match (scheme.check)(body) {
        Ok(body) => valid(scheme, body),
        Err(reason) => invalid(reason, Some(scheme), Some(format!("{}{body}", scheme.prefix))),
    }
}

fn valid(scheme: &Scheme, body: String) -> TaxIdCheck {
    TaxIdCheck {
        valid: true,
        country: Some(scheme.country.to_string()),
        prefix: Some(scheme.prefix.to_string()),
        normalized: Some(format!("{}{body}", scheme.prefix)),
        reason: None,
    }
}

/// The scheme of a country named by its ISO code (`GR`, `GB`) or its VAT prefix (`EL`, `XI`).
fn country_scheme(code: &str) -> Option<&'static Scheme> {
    by_prefix(code).or_else(|| SCHEMES.iter().find(|s| s.country == code))
}

/// True when `country` (ISO 3166-1) has numbers this module validates.
pub fn validates_country(country: &str) -> bool {
    SCHEMES.iter().any(|s| s.country == country)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(id: &str, country: Option<&str>) -> (bool, Option<String>, Option<TaxIdReason>) {
        let c = validate_tax_id(id, country);
        (c.valid, c.normalized, c.reason)
    }

    #[test]
    fn cleaning_and_prefixes() {
        assert_eq!(check(" de 136-695.976 ", None), (true, Some("DE136695976".into()), None));
        assert_eq!(check("136695976", Some("DE")), (true, Some("DE136695976".into()), None));
        assert_eq!(check("136695976", Some("de")), (true, Some("DE136695976".into()), None));
        // GR is accepted as a prefix and normalized to EL.
        assert_eq!(check("GR094259216", None), (true, Some("EL094259216".into()), None));
        // XI numbers use the GB algorithm and belong to GB.
        let xi = validate_tax_id("XI 980 7806 84", Some("GB"));
        assert_eq!((xi.valid, xi.country.as_deref(), xi.prefix.as_deref()), (true, Some("GB"), Some("XI")));
        assert_eq!(check("CHE-107.787.577 IVA", None), (true, Some("CHE107787577IVA".into()), None));
        assert_eq!(check("107.787.577", Some("CH")), (true, Some("CHE107787577".into()), None));
        assert_eq!(check("NO 995 525 828 MVA", None), (true, Some("NO995525828MVA".into()), None));
    }

    #[test]
    fn a_letter_outside_ascii_is_a_bad_format_for_every_country() {
        // Each of these once cut a two-byte `Ä` in a byte slice (es [1..8], fr [2..], ie [..7],
        // cy split_at(8)) and panicked.
        for (id, country) in [("ESÄ1234567", None), ("FR1Ä23456789", None), ("CY1234567Ä", None), ("IE123456Ä", None)]
        {
            assert_eq!(check(id, country).2, Some(TaxIdReason::BadFormat), "{id}");
        }
        for scheme in SCHEMES {
            for body in ["Ä1234567", "1234567Ä", "12Ä345678", "ÄÄÄÄÄÄÄÄÄÄÄÄ"] {
                let c = validate_tax_id(body, Some(scheme.country));
                assert_eq!((c.valid, c.reason), (false, Some(TaxIdReason::BadFormat)), "{} {body}", scheme.country);
                // Normalized as any bad format is, with the scheme's prefix (it lacked one given with the country).
                // (`GB` given as the country is the GB scheme, not XI's.)
                let hinted = format!("{}{body}", c.prefix.as_deref().unwrap_or_default());
                assert_eq!(c.normalized.as_deref(), Some(hinted.as_str()), "{} {body}", scheme.country);
                let prefixed = format!("{}{body}", scheme.prefix);
                let written = validate_tax_id(&prefixed, None);
                assert_eq!(written.reason, Some(TaxIdReason::BadFormat), "{prefixed}");
                assert_eq!(written.normalized.as_deref(), Some(prefixed.as_str()), "{prefixed}");
            }
        }
        // Only ASCII letters are upper-cased: the ligature `ﬁ` is not the prefix FI of a valid number (FI12345671).
        assert!(check("FI12345671", None).0);
        assert_eq!(check("ﬁ12345671", None).2, Some(TaxIdReason::UnknownCountry));
        assert_eq!(check("12345671ß", Some("FI")).2, Some(TaxIdReason::BadFormat));
        // The prefix reported is the one the number is normalized with, as for ASCII text (XI written, GB given).
        let xi = validate_tax_id("XI12345678Ä", Some("GB"));
        assert_eq!((xi.prefix.as_deref(), xi.normalized.as_deref()), (Some("XI"), Some("XI12345678Ä")));
        // Another country's prefix, or none known, is what it is for ASCII text, whatever the letters after it.
        assert_eq!(check("DE1234Ä", Some("FR")).2, Some(TaxIdReason::CountryMismatch));
        assert_eq!(check("XX12Ä", None).2, Some(TaxIdReason::UnknownCountry));
    }

    #[test]
    fn reasons() {
        assert_eq!(check("", Some("DE")).2, Some(TaxIdReason::Missing));
        assert_eq!(check(" - ", None).2, Some(TaxIdReason::Missing));
        assert_eq!(check("136695976", None).2, Some(TaxIdReason::UnknownCountry));
        assert_eq!(check("US123456789", None).2, Some(TaxIdReason::UnknownCountry));
        assert_eq!(check("123", Some("US")).2, Some(TaxIdReason::UnknownCountry));
        assert_eq!(check("DE136695976", Some("FR")).2, Some(TaxIdReason::CountryMismatch));
        assert_eq!(check("DE13669597", None).2, Some(TaxIdReason::BadLength));
        assert_eq!(check("DE13669597#", None).2, Some(TaxIdReason::BadFormat));
        assert_eq!(check("DE136695978", None), (false, Some("DE136695978".into()), Some(TaxIdReason::BadCheckDigit)));
    }

    #[test]
    fn a_french_key_that_looks_like_a_prefix() {
        // Key "AT" is a valid French alphanumeric key for some SIREN; with country FR the
        // whole text is read as a French number rather than an Austrian one.
        let fr_key_at = (0..1000u64)
            .map(|n| format!("AT{:09}", 404_833_000 + n))
            .find(|t| cc::fr(t).is_ok())
            .expect("some SIREN near 404833048 pairs with key AT");
        let c = validate_tax_id(&fr_key_at, Some("FR"));
        assert_eq!((c.valid, c.country.as_deref()), (true, Some("FR")));
        assert_eq!(validate_tax_id(&fr_key_at, None).country.as_deref(), Some("AT"));
    }

    #[test]
    fn every_eu_member_state_and_gb_ch_no_have_a_scheme() {
        for c in super::super::determination::EU_MEMBERS.iter().map(|m| m.0) {
            assert!(validates_country(c), "{c}");
        }
        for c in ["GB", "CH", "NO"] {
            assert!(validates_country(c), "{c}");
        }
    }
}
