//! Tax determination (SPEC §7): which category applies to a supply of
//! services from a seller to a customer, and which rules of the table.
//!
//! In two steps. [`place_of_supply`] looks at the parties once: where the
//! service is taxed (for business customers the customer's country, EU VAT
//! Directive Art. 44), whether the customer is inside the seller's tax area,
//! and, for a cross-border EU customer, whether its VAT number is valid. Then
//! [`PlaceOfSupply::determine`] decides each line's category and picks the
//! rules in force on the date. [`determine`] does both.

use chrono::NaiveDate;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::table::TaxTable;
use super::tax_id::{TaxIdReason, validate_tax_id};
use crate::error::{Code, Error, Result};
use crate::model::{Customer, TaxCategory, TaxRule, is_country_code, is_subdivision_of};

/// The seller: whose tax area decides what is domestic.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct Seller {
    /// ISO 3166-1 alpha-2 country of the seller's establishment.
    pub country: String,
    /// ISO 3166-2 subdivision (`CA-QC`); used to find the seller's own rules for untaxed supplies.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub subdivision: Option<String>,
    /// The seller's VAT/GST numbers. A reverse-charge invoice must show the one of the seller's country.
    #[serde(default)]
    pub tax_ids: Vec<String>,
}

const fn day(year: i32, month: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(year, month, day).expect("a calendar date")
}

/// EU member states with the first and last day their VAT rules applied
/// (`None`: no limit). GB applied EU VAT until the end of the Brexit
/// transition period, 2020-12-31. Sources in `docs/tax.md`.
pub(crate) const EU_MEMBERS: &[(&str, Option<NaiveDate>, Option<NaiveDate>)] = &[
    ("AT", Some(day(1995, 1, 1)), None),
    ("BE", None, None),
    ("BG", Some(day(2007, 1, 1)), None),
    ("CY", Some(day(2004, 5, 1)), None),
    ("CZ", Some(day(2004, 5, 1)), None),
    ("DE", None, None),
    ("DK", Some(day(1973, 1, 1)), None),
    ("EE", Some(day(2004, 5, 1)), None),
    ("ES", Some(day(1986, 1, 1)), None),
    ("FI", Some(day(1995, 1, 1)), None),
    ("FR", None, None),
    ("GR", Some(day(1981, 1, 1)), None),
    ("HR", Some(day(2013, 7, 1)), None),
    ("HU", Some(day(2004, 5, 1)), None),
    ("IE", Some(day(1973, 1, 1)), None),
    ("IT", None, None),
    ("LT", Some(day(2004, 5, 1)), None),
    ("LU", None, None),
    ("LV", Some(day(2004, 5, 1)), None),
    ("MT", Some(day(2004, 5, 1)), None),
    ("NL", None, None),
    ("PL", Some(day(2004, 5, 1)), None),
    ("PT", Some(day(1986, 1, 1)), None),
    ("RO", Some(day(2007, 1, 1)), None),
    ("SE", Some(day(1995, 1, 1)), None),
    ("SI", Some(day(2004, 5, 1)), None),
    ("SK", Some(day(2004, 5, 1)), None),
    ("GB", Some(day(1973, 1, 1)), Some(day(2020, 12, 31))),
];

/// True when `country` (ISO 3166-1) applied EU VAT rules on `date`.
///
/// ```
/// use billable::tax::in_eu;
/// let d = |s: &str| s.parse().unwrap();
/// assert!(in_eu("GR", d("2026-01-01")) && !in_eu("EL", d("2026-01-01")));
/// assert!(in_eu("GB", d("2020-12-31")) && !in_eu("GB", d("2021-01-01")));
/// assert!(!in_eu("HR", d("2013-06-30")) && in_eu("HR", d("2013-07-01")));
/// ```
pub fn in_eu(country: &str, date: NaiveDate) -> bool {
    EU_MEMBERS
        .iter()
        .any(|&(c, from, to)| c == country && from.is_none_or(|f| f <= date) && to.is_none_or(|t| date <= t))
}

/// Why a category applies: the stable key of the rule of SPEC §7 that decided it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Basis {
    /// Seller and customer in the same country: that country's rules (and the customer's subdivision's).
    Domestic,
    /// Both in the EU, different countries, customer VAT number valid: the customer accounts for the VAT.
    IntraEuB2b,
    /// The customer is outside the seller's tax area.
    OutsideTaxArea,
    /// The customer is flagged `tax_exempt`.
    ExemptCustomer,
}

/// Stable keys for the legend an invoice prints on an untaxed line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum NoteKey {
    /// "Reverse charge: VAT to be accounted for by the recipient (Art. 196 Directive 2006/112/EC)".
    #[serde(rename = "vat_reverse_charge_art_196")]
    VatReverseChargeArt196,
    /// A domestic reverse charge chosen by the line's category (e.g. construction services).
    ReverseChargeDomestic,
    /// The customer is exempt from tax.
    TaxExemptCustomer,
    /// The supply is exempt (the line's category).
    TaxExemptSupply,
    /// Not taxable in the seller's tax area.
    OutOfScope,
}

impl NoteKey {
    /// The stable snake_case key.
    pub fn as_str(self) -> &'static str {
        match self {
            NoteKey::VatReverseChargeArt196 => "vat_reverse_charge_art_196",
            NoteKey::ReverseChargeDomestic => "reverse_charge_domestic",
            NoteKey::TaxExemptCustomer => "tax_exempt_customer",
            NoteKey::TaxExemptSupply => "tax_exempt_supply",
            NoteKey::OutOfScope => "out_of_scope",
        }
    }
}

/// Where a supply to a customer is taxed, found once per customer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, JsonSchema)]
pub struct PlaceOfSupply {
    /// ISO 3166-1 country where the service is taxed (the customer's, Art. 44).
    pub country: String,
    /// Why: domestic, intra-EU B2B, outside the tax area, or an exempt customer.
    pub basis: Basis,
    /// Jurisdictions whose rules are searched, country first (`["CA", "CA-QC"]`).
    pub jurisdictions: Vec<String>,
    /// The customer's VAT number, normalized, when it was validated (intra-EU B2B).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub customer_tax_id: Option<String>,
    /// The seller's VAT number of its own country, normalized, for a reverse-charge invoice.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub seller_tax_id: Option<String>,
    /// The decision in words.
    pub explanation: String,
}

/// One line's category and the rules that apply to it.
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
pub struct Determination {
    /// The category that applies.
    pub category: TaxCategory,
    /// Where the supply is taxed and why.
    #[serde(flatten)]
    pub place: PlaceOfSupply,
    /// The legend an untaxed line carries.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<NoteKey>,
    /// Ids of the rules that apply, in table order.
    pub rule_ids: Vec<String>,
    /// The rules that apply, in table order; for an untaxed category, the
    /// table's rules of that category (rate 0), if it has any.
    #[serde(skip)]
    pub rules: Vec<TaxRule>,
}

fn check_country(code: &str, path: &str) -> Result<()> {
    let hint = match code {
        "EL" => " (EL is Greece's VAT prefix; the country code is GR)",
        "XI" => " (XI is Northern Ireland's VAT prefix; the country is GB, subdivision GB-NIR)",
        "UK" => " (the country code of the United Kingdom is GB)",
        _ if is_country_code(code) => return Ok(()),
        _ => "",
    };
    Err(Error::new(Code::InvalidValue, format!("`{code}` is not an ISO 3166-1 alpha-2 country code{hint}")).at(path))
}

fn check_subdivision(sub: &Option<String>, country: &str, path: &str) -> Result<()> {
    match sub {
        Some(s) if !is_subdivision_of(s, country) => {
            Err(Error::new(Code::InvalidValue, format!("`{s}` is not an ISO 3166-2 code of {country}")).at(path))
        }
        _ => Ok(()),
    }
}

/// Where a supply of services from `seller` to `customer` on `date` is
/// taxed. Business customers are assumed (the library bills firms): a
/// cross-border EU customer must have a valid VAT number of its country, or
/// the result is `invalid_tax_id` (at `customer.tax_id`, with the reason in
/// `details`), never a silent domestic charge or reverse charge.
///
/// ```
/// use billable::model::Customer;
/// use billable::tax::{place_of_supply, Basis, Seller};
/// let seller = Seller { country: "DE".into(), subdivision: None, tax_ids: vec!["DE136695976".into()] };
/// let customer: Customer = serde_json::from_str(r#"{"id": "c1", "name": "Client SA", "country": "FR",
///     "tax_id": "FR40303265045", "billing_currency": "EUR", "status": "active"}"#).unwrap();
/// let date = "2026-03-31".parse().unwrap();
/// assert_eq!(place_of_supply(&seller, &customer, date).unwrap().basis, Basis::IntraEuB2b);
///
/// let broken = Customer { tax_id: Some("FR40303265046".into()), ..customer };
/// let e = place_of_supply(&seller, &broken, date).unwrap_err();
/// assert_eq!((e.code.as_str(), e.path.as_str(), e.details.as_deref().and_then(|d| d["reason"].as_str())), ("invalid_tax_id", "customer.tax_id", Some("bad_check_digit")));
/// ```
pub fn place_of_supply(seller: &Seller, customer: &Customer, date: NaiveDate) -> Result<PlaceOfSupply> {
    check_country(&seller.country, "seller.country")?;
    check_subdivision(&seller.subdivision, &seller.country, "seller.subdivision")?;
    check_country(&customer.country, "customer.country")?;
    check_subdivision(&customer.subdivision, &customer.country, "customer.subdivision")?;
    let (s, c) = (seller.country.as_str(), customer.country.as_str());
    let domestic = s == c;
    let intra_eu = !domestic && in_eu(s, date) && in_eu(c, date);
    // Domestic supplies use the customer's subdivision; the others the seller's own rules.
    let (country, sub) = if domestic { (c, &customer.subdivision) } else { (s, &seller.subdivision) };
    let jurisdictions: Vec<String> = std::iter::once(country.to_string()).chain(sub.iter().cloned()).collect();
    let place = |basis, explanation: String| PlaceOfSupply {
        country: c.to_string(),
        basis,
        jurisdictions: jurisdictions.clone(),
        customer_tax_id: None,
        seller_tax_id: None,
        explanation,
    };
    if !domestic && !intra_eu {
        let area = if in_eu(s, date) { "the EU VAT area".to_string() } else { s.to_string() };
        return Ok(place(
            Basis::OutsideTaxArea,
            format!(
                "seller in {s}, customer in {c}: the service is taxed in {c} (Art. 44), outside {area}; out of scope"
            ),
        ));
    }
    if customer.tax_exempt {
        return Ok(place(
            Basis::ExemptCustomer,
            format!("seller in {s}, customer in {c}: customer `{}` is tax exempt", customer.id),
        ));
    }
    if domestic {
        return Ok(place(
            Basis::Domestic,
            format!("seller and customer in {c}: domestic supply, rules of {}", jurisdictions.join(" + ")),
        ));
    }
    let tax_id = customer.tax_id.as_deref().unwrap_or("");
    let check = validate_tax_id(tax_id, Some(c));
    let Some(customer_tax_id) = check.normalized.filter(|_| check.valid) else {
        let reason = check.reason.map_or("missing", TaxIdReason::as_str);
        return Err(Error::new(
            Code::InvalidTaxId,
            format!(
                "customer `{}` in {c} is a cross-border EU business customer; its VAT number `{tax_id}` is not valid ({reason}), so neither reverse charge nor domestic VAT can be decided",
                customer.id
            ),
        )
        .at("customer.tax_id")
        .with_details(serde_json::json!({ "reason": reason, "tax_id": tax_id, "country": c, "customer_id": customer.id })));
    };
    let seller_tax_id = seller.tax_ids.iter().map(|t| validate_tax_id(t, Some(s))).find(|v| v.valid);
    let Some(seller_tax_id) = seller_tax_id.and_then(|v| v.normalized) else {
        return Err(Error::new(
            Code::InvalidTaxId,
            format!("a reverse-charge invoice must show the seller's VAT number (Art. 226(3)); no valid {s} number is in seller.tax_ids"),
        )
        .at("seller.tax_ids")
        .with_details(serde_json::json!({ "reason": "missing", "country": s })));
    };
    let explanation = format!(
        "seller in {s}, business customer in {c} with valid VAT number {customer_tax_id}: the service is taxed in {c} (Art. 44) and the customer accounts for the VAT (reverse charge, Art. 196)"
    );
    Ok(PlaceOfSupply {
        customer_tax_id: Some(customer_tax_id),
        seller_tax_id: Some(seller_tax_id),
        ..place(Basis::IntraEuB2b, explanation)
    })
}

impl PlaceOfSupply {
    /// The category of one line and the rules that apply on `date`.
    ///
    /// `category` is the line's category (default `standard`); it selects the
    /// domestic rules (`reduced`, `zero`, or an `exempt`, `reverse_charge`,
    /// `out_of_scope` supply). Outside domestic supplies the place of supply
    /// decides and the line's category is not used. A taxed category
    /// (`standard`, `reduced`, `zero`) with no rule in force is
    /// `tax_rule_missing` at `category`.
    pub fn determine(&self, category: Option<TaxCategory>, date: NaiveDate, table: &TaxTable) -> Result<Determination> {
        let (category, note) = match self.basis {
            Basis::IntraEuB2b => (TaxCategory::ReverseCharge, Some(NoteKey::VatReverseChargeArt196)),
            Basis::OutsideTaxArea => (TaxCategory::OutOfScope, Some(NoteKey::OutOfScope)),
            Basis::ExemptCustomer => (TaxCategory::Exempt, Some(NoteKey::TaxExemptCustomer)),
            Basis::Domestic => {
                let category = category.unwrap_or(TaxCategory::Standard);
                let note = match category {
                    TaxCategory::Exempt => Some(NoteKey::TaxExemptSupply),
                    TaxCategory::ReverseCharge => Some(NoteKey::ReverseChargeDomestic),
                    TaxCategory::OutOfScope => Some(NoteKey::OutOfScope),
                    _ => None,
                };
                (category, note)
            }
        };
        if self.basis == Basis::Domestic
            && let [country] = self.jurisdictions.as_slice()
            && let Some(local) = table.subdivision_rule(country, category, date)
        {
            // The customer's subdivision decides which provincial or state rules apply; without it
            // the country's rules alone would drop them in silence (GST without Ontario's HST).
            return Err(Error::new(
                Code::MissingField,
                format!(
                    "customer in {country} has no subdivision, and {} has its own `{}` rule `{}` in force on {date}: \
                     the tax depends on it",
                    local.jurisdiction,
                    category.as_str(),
                    local.id
                ),
            )
            .at("customer.subdivision"));
        }
        let rules: Vec<TaxRule> = table.applicable(&self.jurisdictions, category, date).into_iter().cloned().collect();
        // Taxed categories need a rule; zero-rated lines too, so that the rate applied is on record.
        let needs_rule = matches!(category, TaxCategory::Standard | TaxCategory::Reduced | TaxCategory::Zero);
        if rules.is_empty() && needs_rule {
            return Err(Error::new(
                Code::TaxRuleMissing,
                format!(
                    "no `{}` tax rule of {} is in force on {date}",
                    category.as_str(),
                    self.jurisdictions.join(" or ")
                ),
            )
            .at("category")
            .with_details(serde_json::json!({
                "jurisdictions": self.jurisdictions, "category": category, "date": date.to_string(),
            })));
        }
        Ok(Determination {
            category,
            place: self.clone(),
            note,
            rule_ids: rules.iter().map(|r| r.id.clone()).collect(),
            rules,
        })
    }
}

/// [`place_of_supply`] then [`PlaceOfSupply::determine`]: one line's category and rules.
pub fn determine(
    seller: &Seller,
    customer: &Customer,
    category: Option<TaxCategory>,
    date: NaiveDate,
    table: &TaxTable,
) -> Result<Determination> {
    place_of_supply(seller, customer, date)?.determine(category, date, table)
}
