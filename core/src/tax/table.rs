//! The tax table: checked once, then searched by jurisdiction, category and date.

use chrono::NaiveDate;
use rust_decimal::Decimal;

use crate::error::{Code, Error, Result};
use crate::model::{TaxCategory, TaxRule, is_country_code, is_subdivision_code};

/// Categories that never carry tax: their rules, when a table has them, are
/// there to name the supply for reporting and must have rate 0.
pub(super) fn is_untaxed(category: TaxCategory) -> bool {
    !matches!(category, TaxCategory::Standard | TaxCategory::Reduced)
}

/// Tax rules checked for use: unique ids, jurisdictions that are ISO 3166
/// codes, rates from 0 to 100 (0 for the untaxed categories), and effective
/// ranges that do not run backwards. Rule order is kept: it is the order in
/// which several taxes on one line are computed.
///
/// ```
/// use billable::tax::TaxTable;
/// use billable::model::{TaxCategory, TaxRule};
/// let rule = |id: &str, j: &str, rate: &str| TaxRule {
///     id: id.into(), jurisdiction: j.into(), category: TaxCategory::Standard, rate: rate.parse().unwrap(),
///     compound: false, name: None, effective_from: None, effective_to: None,
/// };
/// let table = TaxTable::new(&[rule("gst", "CA", "5"), rule("qst", "CA-QC", "9.975")]).unwrap();
/// let date = "2026-03-31".parse().unwrap();
/// let found = table.applicable(&["CA".into(), "CA-QC".into()], TaxCategory::Standard, date);
/// assert_eq!(found.iter().map(|r| r.id.as_str()).collect::<Vec<_>>(), ["gst", "qst"]);
/// assert_eq!(TaxTable::new(&[rule("x", "DE", "119")]).unwrap_err().path, "[0].rate");
/// ```
#[derive(Debug, Clone, Default, PartialEq)]
pub struct TaxTable {
    rules: Vec<TaxRule>,
}

impl TaxTable {
    /// Check `rules` and keep them in their order. The first problem is the
    /// error, with the path of the rule (`[2].rate`).
    pub fn new(rules: &[TaxRule]) -> Result<TaxTable> {
        for (i, r) in rules.iter().enumerate() {
            let at = |field: &str| format!("[{i}]{field}");
            if r.id.is_empty() {
                return Err(Error::new(Code::InvalidValue, "id must not be empty").at(at(".id")));
            }
            if let Some(first) = rules[..i].iter().position(|o| o.id == r.id) {
                return Err(
                    Error::new(Code::DuplicateId, format!("`{}` is also the id of rules[{first}]", r.id)).at(at(".id"))
                );
            }
            if !(is_country_code(&r.jurisdiction) || is_subdivision_code(&r.jurisdiction)) {
                return Err(Error::new(
                    Code::InvalidValue,
                    format!("`{}` is not an ISO 3166-1 country or ISO 3166-2 subdivision code", r.jurisdiction),
                )
                .at(at(".jurisdiction")));
            }
            if r.rate < Decimal::ZERO || r.rate > Decimal::ONE_HUNDRED {
                return Err(Error::new(Code::InvalidValue, format!("tax rate {} must be between 0 and 100", r.rate))
                    .at(at(".rate")));
            }
            if is_untaxed(r.category) && !r.rate.is_zero() {
                return Err(Error::new(
                    Code::InvalidValue,
                    format!("a `{}` rule carries no tax; its rate must be 0, not {}", r.category.as_str(), r.rate),
                )
                .at(at(".rate")));
            }
            if let (Some(from), Some(to)) = (r.effective_from, r.effective_to)
                && from > to
            {
                return Err(Error::new(Code::InvalidPeriod, format!("starts {from} but ends {to}")).at(at("")));
            }
        }
        Ok(TaxTable { rules: rules.to_vec() })
    }

    /// Every rule, in table order.
    pub fn rules(&self) -> &[TaxRule] {
        &self.rules
    }

    /// The rules of `category` in any of `jurisdictions` in force on `date`
    /// (`effective_from` and `effective_to` inclusive), in table order.
    pub fn applicable(&self, jurisdictions: &[String], category: TaxCategory, date: NaiveDate) -> Vec<&TaxRule> {
        self.rules
            .iter()
            .filter(|r| r.category == category && jurisdictions.contains(&r.jurisdiction))
            .filter(|r| r.effective_from.is_none_or(|f| f <= date) && r.effective_to.is_none_or(|t| date <= t))
            .collect()
    }
}

impl TaxTable {
    /// The first rule of `category` in force on `date` in a subdivision of `country` (`CA-ON` for `CA`).
    pub(crate) fn subdivision_rule(&self, country: &str, category: TaxCategory, date: NaiveDate) -> Option<&TaxRule> {
        self.rules.iter().find(|r| {
            r.category == category
                && r.jurisdiction.strip_prefix(country).is_some_and(|rest| rest.starts_with('-'))
                && r.effective_from.is_none_or(|f| f <= date)
                && r.effective_to.is_none_or(|t| date <= t)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rule(id: &str, category: TaxCategory, rate: &str, from: Option<&str>, to: Option<&str>) -> TaxRule {
        TaxRule {
            id: id.into(),
            jurisdiction: "DE".into(),
            category,
            rate: rate.parse().unwrap(),
            compound: false,
            name: None,
            effective_from: from.map(|d| d.parse().unwrap()),
            effective_to: to.map(|d| d.parse().unwrap()),
        }
    }

    #[test]
    fn effective_dates_are_inclusive() {
        // Germany's 2020 cut: 16 % from 2020-07-01 to 2020-12-31, 19 % before and after.
        let table = TaxTable::new(&[
            rule("de-19-old", TaxCategory::Standard, "19", None, Some("2020-06-30")),
            rule("de-16", TaxCategory::Standard, "16", Some("2020-07-01"), Some("2020-12-31")),
            rule("de-19", TaxCategory::Standard, "19", Some("2021-01-01"), None),
        ])
        .unwrap();
        let de = ["DE".to_string()];
        let on = |d: &str| {
            table
                .applicable(&de, TaxCategory::Standard, d.parse().unwrap())
                .iter()
                .map(|r| r.id.clone())
                .collect::<Vec<_>>()
        };
        assert_eq!(on("2020-06-30"), ["de-19-old"]);
        assert_eq!(on("2020-07-01"), ["de-16"]);
        assert_eq!(on("2020-12-31"), ["de-16"]);
        assert_eq!(on("2021-01-01"), ["de-19"]);
        assert!(table.applicable(&de, TaxCategory::Reduced, "2021-01-01".parse().unwrap()).is_empty());
    }

    #[test]
    fn bad_tables_are_refused_with_the_path() {
        let std = TaxCategory::Standard;
        let err = |rules: &[TaxRule]| {
            let e = TaxTable::new(rules).unwrap_err();
            (e.code, e.path)
        };
        assert_eq!(
            err(&[rule("a", std, "19", None, None), rule("a", std, "7", None, None)]),
            (Code::DuplicateId, "[1].id".into())
        );
        assert_eq!(err(&[rule("a", std, "-1", None, None)]), (Code::InvalidValue, "[0].rate".into()));
        assert_eq!(err(&[rule("a", TaxCategory::Zero, "5", None, None)]), (Code::InvalidValue, "[0].rate".into()));
        assert_eq!(
            err(&[rule("a", std, "19", Some("2026-02-01"), Some("2026-01-01"))]),
            (Code::InvalidPeriod, "[0]".into())
        );
        let mut lower = rule("a", std, "19", None, None);
        lower.jurisdiction = "de".into();
        assert_eq!(err(&[lower]), (Code::InvalidValue, "[0].jurisdiction".into()));
    }
}
