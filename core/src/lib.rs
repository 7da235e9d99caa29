//! # billable
//!
//! The business logic professional-services firms need to keep timesheets,
//! invoicing and resource planning in sync across their PSA, CRM, HRIS and
//! ERP: rates, eligibility, currency and tax rules, invoice runs, the
//! sync-state machine and resource planning, computed the same way in Rust,
//! Python, Node and Swift.
//!
//! ## Two-minute tour
//!
//! The core is pure: time, ids and every table are inputs; money is
//! [`rust_decimal::Decimal`]; every failure is an [`Error`] with a stable
//! [`Code`] and the path of the field at fault.
//!
//! ```
//! use billable::money::{allocate, Currency, Money, RoundingMode};
//!
//! // Exact money, rounded only where you say, with a named mode.
//! let usd = Currency::parse("USD")?;
//! let fee = Money::new("10.005".parse().unwrap(), usd);
//! assert_eq!(fee.round(RoundingMode::HalfEven)?.amount.to_string(), "10.00");
//! assert_eq!(fee.round(RoundingMode::HalfAwayFromZero)?.amount.to_string(), "10.01");
//!
//! // Split 11.00 three ways: the shares always sum to the amount.
//! let split = allocate("11.00".parse().unwrap(), 2, &["1".parse().unwrap(); 3])?;
//! assert_eq!(split.shares.iter().map(|s| s.to_string()).collect::<Vec<_>>(), ["3.67", "3.67", "3.66"]);
//! # Ok::<(), billable::Error>(())
//! ```
//!
//! Every operation also has a JSON document form, the same in every language:
//!
//! ```
//! let response = billable::api::call_json("round", r#"{"amount": "2.02", "increment": "0.05", "currency": "CHF"}"#)?;
//! assert!(response.contains(r#""amount":"2.00""#) && response.contains(r#""difference":"-0.02""#));
//!
//! let err = billable::api::call_json("round", r#"{"amount": "1", "currency": "XYZ"}"#).unwrap_err();
//! assert_eq!((err.code.as_str(), err.path.as_str()), ("unknown_currency", "currency"));
//! # Ok::<(), billable::Error>(())
//! ```
#![forbid(unsafe_code)]
#![warn(missing_docs)]

pub mod api;
pub mod eligibility;
mod error;
pub mod invoice;
pub mod model;
pub mod money;
pub mod rates;
pub mod sync;
pub mod tax;
pub mod wire;

pub use error::{Category, Code, Error, Result};
