//! Tax (SPEC §7): determination, computation and tax-id validation.
//!
//! - [`place_of_supply`] and [`PlaceOfSupply::determine`] (or [`determine`]
//!   for both) decide a line's category — `standard`, `reduced`, `zero`,
//!   `exempt`, `reverse_charge` or `out_of_scope` — and the rules of the
//!   [`TaxTable`] in force on the date.
//! - [`compute`] applies them: several taxes per line in rule order,
//!   compound taxes, tax-exclusive or tax-inclusive prices, `per_line` or
//!   `per_document` rounding, with a total per rule.
//! - [`validate_tax_id`] checks a VAT/GST number's format and check digits.
//!
//! The decisions behind each rule (member list, Northern Ireland, the
//! inclusive-price method, rounding) are written down in `docs/tax.md`.
//!
//! ```
//! use billable::model::Customer;
//! use billable::money::Currency;
//! use billable::tax::{compute, place_of_supply, Seller, TaxPolicy, TaxTable, TaxableLine};
//! use billable::model::TaxRounding;
//!
//! // Québec: GST 5 % (CA) and QST 9.975 % (CA-QC), each on the price before tax.
//! let table = TaxTable::new(&serde_json::from_str::<Vec<_>>(r#"[
//!     {"id": "gst", "jurisdiction": "CA", "category": "standard", "rate": "5", "name": "GST"},
//!     {"id": "qst", "jurisdiction": "CA-QC", "category": "standard", "rate": "9.975", "name": "QST"}
//! ]"#).unwrap())?;
//! let seller = Seller { country: "CA".into(), subdivision: Some("CA-QC".into()), tax_ids: vec![] };
//! let customer: Customer = serde_json::from_str(r#"{"id": "c1", "name": "Client inc.", "country": "CA",
//!     "subdivision": "CA-QC", "billing_currency": "CAD", "status": "active"}"#).unwrap();
//! let date = "2026-03-31".parse().unwrap();
//! let place = place_of_supply(&seller, &customer, date)?;
//! let line = TaxableLine { id: "l1".into(), amount: "100.00".parse().unwrap(),
//!     determination: place.determine(None, date, &table)? };
//! let policy = TaxPolicy { currency: Currency::parse("CAD")?, prices_include_tax: false,
//!     tax_rounding: TaxRounding::PerLine, rounding_mode: Default::default() };
//! let result = compute(&[line], &policy)?;
//! let taxes: Vec<String> = result.lines[0].taxes.iter().map(|t| t.amount.to_string()).collect();
//! assert_eq!(taxes, ["5.00", "9.98"]);
//! assert_eq!(result.gross.to_string(), "114.98");
//! # Ok::<(), billable::Error>(())
//! ```

mod computation;
mod determination;
mod table;
mod tax_id;
mod tax_id_countries;

pub(crate) use computation::compute_shared;
pub use computation::{AppliedTax, LineTaxes, RuleRef, RuleTotal, TaxComputation, TaxPolicy, TaxableLine, compute};
pub use determination::{Basis, Determination, NoteKey, PlaceOfSupply, Seller, determine, in_eu, place_of_supply};
pub use table::TaxTable;
pub use tax_id::{TaxIdCheck, TaxIdReason, validate_tax_id, validates_country};
