//! People and organisations: workers (HRIS) and customers (CRM/ERP).

use chrono::NaiveDate;
use rust_decimal::Decimal;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::money::{Currency, Money};
use crate::wire;

/// A person who records time (HRIS).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Worker {
    /// Unique among workers.
    pub id: String,
    /// Display name.
    pub name: String,
    /// Job role, matched by rate rules (`consultant`, `senior_consultant`).
    pub role: String,
    /// Optional grade or level.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub grade: Option<String>,
    /// Cost per hour, for margin and work in progress.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cost_rate: Option<Money>,
    /// Employment status and dates.
    pub employment: Employment,
    /// Skills with a level from 1 to 5.
    #[serde(default)]
    pub skills: Vec<Skill>,
    /// Weekly hours per weekday, effective-dated; the latest version on or before a date is in force.
    #[serde(default)]
    pub schedule: Vec<ScheduleVersion>,
    /// ISO 3166-1 alpha-2 country of employment.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub country: Option<String>,
    /// IANA time zone name (`Europe/Berlin`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub time_zone: Option<String>,
    /// Projects this worker may approve time and expenses for.
    #[serde(default)]
    pub approver_for: Vec<String>,
}

/// Employment status of a worker.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum EmploymentStatus {
    /// Working.
    Active,
    /// Employed but away.
    OnLeave,
    /// No longer employed (see `end`).
    Terminated,
}

/// Employment dates; `end` is inclusive.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Employment {
    /// Current status.
    pub status: EmploymentStatus,
    /// First day employed.
    #[serde(deserialize_with = "wire::date")]
    pub start: NaiveDate,
    /// Last day employed, if any.
    #[serde(default, deserialize_with = "wire::opt_date", skip_serializing_if = "Option::is_none")]
    pub end: Option<NaiveDate>,
}

impl Employment {
    /// True when `date` lies within the employment dates.
    pub fn employed_on(&self, date: NaiveDate) -> bool {
        date >= self.start && self.end.is_none_or(|end| date <= end)
    }
}

/// A named skill at a level 1 (aware) to 5 (expert).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct Skill {
    /// Skill name.
    pub name: String,
    /// Level 1 to 5.
    pub level: u8,
}

/// Contracted hours per weekday from `effective_from` on.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct ScheduleVersion {
    /// First date this version applies.
    #[serde(deserialize_with = "wire::date")]
    pub effective_from: NaiveDate,
    /// Hours per weekday.
    pub hours: WeekHours,
}

/// Hours for each weekday; absent days are 0.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[allow(missing_docs)]
pub struct WeekHours {
    #[serde(default, deserialize_with = "wire::decimal")]
    pub mon: Decimal,
    #[serde(default, deserialize_with = "wire::decimal")]
    pub tue: Decimal,
    #[serde(default, deserialize_with = "wire::decimal")]
    pub wed: Decimal,
    #[serde(default, deserialize_with = "wire::decimal")]
    pub thu: Decimal,
    #[serde(default, deserialize_with = "wire::decimal")]
    pub fri: Decimal,
    #[serde(default, deserialize_with = "wire::decimal")]
    pub sat: Decimal,
    #[serde(default, deserialize_with = "wire::decimal")]
    pub sun: Decimal,
}

impl WeekHours {
    /// The seven days Monday first, with their names.
    pub fn days(&self) -> [(&'static str, Decimal); 7] {
        [
            ("mon", self.mon),
            ("tue", self.tue),
            ("wed", self.wed),
            ("thu", self.thu),
            ("fri", self.fri),
            ("sat", self.sat),
            ("sun", self.sun),
        ]
    }
}

/// A customer (CRM/ERP).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Customer {
    /// Unique among customers.
    pub id: String,
    /// Legal name.
    pub name: String,
    /// ISO 3166-1 alpha-2 country.
    pub country: String,
    /// ISO 3166-2 subdivision (`CA-QC`), where taxes depend on it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub subdivision: Option<String>,
    /// VAT/GST number.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tax_id: Option<String>,
    /// Exempt from tax.
    #[serde(default)]
    pub tax_exempt: bool,
    /// Currency invoices are issued in.
    pub billing_currency: Currency,
    /// Billing status.
    pub status: CustomerStatus,
}

/// True for an assigned ISO 3166-1 alpha-2 code (`DE`, `GB`), or `XK` (Kosovo: user-assigned, but what the EU,
/// the IMF and most ERPs use). A well-formed code that is not assigned (`ZZ`, `UK`, `EU`) would otherwise pass as
/// a country outside the EU and be taxed as out of scope.
pub(crate) fn is_country_code(code: &str) -> bool {
    code == "XK" || ISO_3166_ALPHA_2.binary_search(&code).is_ok()
}

/// The 249 assigned ISO 3166-1 alpha-2 codes, sorted.
const ISO_3166_ALPHA_2: [&str; 249] = [
    "AD", "AE", "AF", "AG", "AI", "AL", "AM", "AO", "AQ", "AR", "AS", "AT", "AU", "AW", "AX", "AZ", "BA", "BB", "BD",
    "BE", "BF", "BG", "BH", "BI", "BJ", "BL", "BM", "BN", "BO", "BQ", "BR", "BS", "BT", "BV", "BW", "BY", "BZ", "CA",
    "CC", "CD", "CF", "CG", "CH", "CI", "CK", "CL", "CM", "CN", "CO", "CR", "CU", "CV", "CW", "CX", "CY", "CZ", "DE",
    "DJ", "DK", "DM", "DO", "DZ", "EC", "EE", "EG", "EH", "ER", "ES", "ET", "FI", "FJ", "FK", "FM", "FO", "FR", "GA",
    "GB", "GD", "GE", "GF", "GG", "GH", "GI", "GL", "GM", "GN", "GP", "GQ", "GR", "GS", "GT", "GU", "GW", "GY", "HK",
    "HM", "HN", "HR", "HT", "HU", "ID", "IE", "IL", "IM", "IN", "IO", "IQ", "IR", "IS", "IT", "JE", "JM", "JO", "JP",
    "KE", "KG", "KH", "KI", "KM", "KN", "KP", "KR", "KW", "KY", "KZ", "LA", "LB", "LC", "LI", "LK", "LR", "LS", "LT",
    "LU", "LV", "LY", "MA", "MC", "MD", "ME", "MF", "MG", "MH", "MK", "ML", "MM", "MN", "MO", "MP", "MQ", "MR", "MS",
    "MT", "MU", "MV", "MW", "MX", "MY", "MZ", "NA", "NC", "NE", "NF", "NG", "NI", "NL", "NO", "NP", "NR", "NU", "NZ",
    "OM", "PA", "PE", "PF", "PG", "PH", "PK", "PL", "PM", "PN", "PR", "PS", "PT", "PW", "PY", "QA", "RE", "RO", "RS",
    "RU", "RW", "SA", "SB", "SC", "SD", "SE", "SG", "SH", "SI", "SJ", "SK", "SL", "SM", "SN", "SO", "SR", "SS", "ST",
    "SV", "SX", "SY", "SZ", "TC", "TD", "TF", "TG", "TH", "TJ", "TK", "TL", "TM", "TN", "TO", "TR", "TT", "TV", "TW",
    "TZ", "UA", "UG", "UM", "US", "UY", "UZ", "VA", "VC", "VE", "VG", "VI", "VN", "VU", "WF", "WS", "YE", "YT", "ZA",
    "ZM", "ZW",
];

/// True for the shape of an ISO 3166-2 code: a country code, `-`, then one
/// to three letters or digits (`CA-QC`, `FR-75`).
pub(crate) fn is_subdivision_code(code: &str) -> bool {
    code.split_once('-').is_some_and(|(country, rest)| {
        is_country_code(country) && (1..=3).contains(&rest.len()) && rest.bytes().all(|b| b.is_ascii_alphanumeric())
    })
}

/// True when `code` is an ISO 3166-2 code of `country` (`CA-QC` of `CA`).
pub(crate) fn is_subdivision_of(code: &str, country: &str) -> bool {
    is_subdivision_code(code) && code.split_once('-').is_some_and(|(c, _)| c == country)
}

/// Billing status of a customer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum CustomerStatus {
    /// Invoices may be issued.
    Active,
    /// Invoicing is paused (credit hold, dispute).
    BillingHold,
    /// No longer a customer.
    Inactive,
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The table is sorted (the lookup is a binary search) and holds what ISO 3166-1 assigns, not what merely
    /// looks like a code: `UK` and `EL` are VAT prefixes, `EU` and `ZZ` are reserved.
    #[test]
    fn country_codes_are_the_assigned_ones() {
        assert!(ISO_3166_ALPHA_2.windows(2).all(|w| w[0] < w[1]));
        for code in ["AD", "DE", "GB", "GR", "US", "ZW", "XK"] {
            assert!(is_country_code(code), "{code}");
        }
        for code in ["UK", "EL", "EU", "ZZ", "XX", "XI", "de", "D", "DEU", ""] {
            assert!(!is_country_code(code), "{code}");
        }
        assert!(is_subdivision_of("CA-QC", "CA") && !is_subdivision_code("ZZ-QC"));
    }
}
