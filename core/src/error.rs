//! The one error type of billable.
//!
//! Every failure is data: a stable snake_case [`Code`], a human message and the
//! path of the offending field (`entries[3].hours`, empty for the whole
//! document). Codes never change meaning once published; the catalogue with
//! the meaning of each lives in `docs/errors.md`, and a test keeps the two in
//! step.

use std::fmt;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// The family a code belongs to. Bindings map each category to one exception
/// class (`ValidationError`, `ConfigurationError`, …) so callers can catch a
/// family without listing codes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Category {
    /// The document or a record in it is malformed: fix the input.
    Validation,
    /// Tables or master data do not determine an answer (missing or ambiguous rule).
    Configuration,
    /// Currency, FX or arithmetic range problems.
    Currency,
    /// Tax determination or tax-id problems.
    Tax,
    /// A record is not in a state that allows the requested change.
    State,
    /// The same idempotency key was used with a different payload.
    Idempotency,
    /// An inbound webhook failed verification.
    Webhook,
}

macro_rules! codes {
    ($( $(#[doc = $doc:literal])* $variant:ident = $text:literal => $cat:ident, )*) => {
        /// Stable error codes. The JSON form is the snake_case text.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, JsonSchema)]
        #[serde(rename_all = "snake_case")]
        pub enum Code {
            $( $(#[doc = $doc])* $variant, )*
        }

        impl Code {
            /// Every code, in declaration order.
            pub const ALL: &'static [Code] = &[ $( Code::$variant, )* ];

            /// The stable snake_case text of the code.
            pub const fn as_str(self) -> &'static str {
                match self { $( Code::$variant => $text, )* }
            }

            /// The family of the code.
            pub const fn category(self) -> Category {
                match self { $( Code::$variant => Category::$cat, )* }
            }

            /// The code whose text is `s`, if any.
            pub fn parse(s: &str) -> Option<Code> {
                match s { $( $text => Some(Code::$variant), )* _ => None }
            }
        }
    };
}

codes! {
    /// The text is not JSON (syntax error, truncated document).
    InvalidJson = "invalid_json" => Validation,
    /// A value has the wrong JSON type or shape.
    InvalidType = "invalid_type" => Validation,
    /// A required field is absent.
    MissingField = "missing_field" => Validation,
    /// A value is of the right type but not allowed (unknown enum variant, out-of-range number, empty id).
    InvalidValue = "invalid_value" => Validation,
    /// A money or quantity value is not an exact decimal number.
    InvalidDecimal = "invalid_decimal" => Validation,
    /// NaN or an infinity was given where a number is required.
    NonFiniteNumber = "non_finite_number" => Validation,
    /// A number has more digits than the 96-bit decimal range holds (about 28 significant digits).
    AmountOutOfRange = "amount_out_of_range" => Validation,
    /// A date is not a real `YYYY-MM-DD` calendar date.
    InvalidDate = "invalid_date" => Validation,
    /// An instant is not RFC 3339 with an offset.
    InvalidInstant = "invalid_instant" => Validation,
    /// A period's start is after its end, or a date range is reversed.
    InvalidPeriod = "invalid_period" => Validation,
    /// Two records of one kind share an id.
    DuplicateId = "duplicate_id" => Validation,
    /// A record refers to an id that the request does not hold.
    UnknownReference = "unknown_reference" => Validation,
    /// Ratios for an allocation are empty, negative or sum to zero.
    InvalidRatios = "invalid_ratios" => Validation,
    /// A rounding increment is zero or negative.
    InvalidIncrement = "invalid_increment" => Validation,
    /// Hours outside 0 < hours <= 24 for an entry or a worker-day.
    InvalidHours = "invalid_hours" => Validation,
    /// The operation name is not one billable knows.
    UnknownOperation = "unknown_operation" => Validation,
    /// The document's `api_version` is not one this build speaks.
    UnsupportedApiVersion = "unsupported_api_version" => Validation,
    /// The currency code is not on the ISO 4217 list.
    UnknownCurrency = "unknown_currency" => Currency,
    /// Arithmetic between two different currencies.
    CurrencyMismatch = "currency_mismatch" => Currency,
    /// The currency has no minor unit (XAU, XDR, ...), so it cannot be rounded to one.
    NoMinorUnit = "no_minor_unit" => Currency,
    /// A computation left the decimal range.
    ArithmeticOverflow = "arithmetic_overflow" => Currency,
    /// No FX rate converts between the two currencies on the date under the policy.
    FxRateMissing = "fx_rate_missing" => Currency,
    /// The FX table holds two different rates for one pair, date and source.
    AmbiguousFxRate = "ambiguous_fx_rate" => Configuration,
    /// No rate rule matches a timesheet entry.
    RateMissing = "rate_missing" => Configuration,
    /// Two rate rules match with the same best score and overlapping dates.
    AmbiguousRate = "ambiguous_rate" => Configuration,
    /// No tax rule covers the jurisdiction and category on the date.
    TaxRuleMissing = "tax_rule_missing" => Tax,
    /// A VAT/GST number fails its format or check digits.
    InvalidTaxId = "invalid_tax_id" => Tax,
    /// The event is not allowed from the record's current state.
    IllegalTransition = "illegal_transition" => State,
    /// The event expects an older version than the record holds.
    StaleEvent = "stale_event" => State,
    /// An audit history does not verify: an entry was edited, removed, inserted or moved.
    HistoryTampered = "history_tampered" => State,
    /// The same event key arrived with a different payload.
    IdempotencyConflict = "idempotency_conflict" => Idempotency,
    /// Webhook headers are missing or malformed, or the secret is not valid base64.
    WebhookMalformed = "webhook_malformed" => Webhook,
    /// No webhook signature matches.
    WebhookSignatureInvalid = "webhook_signature_invalid" => Webhook,
    /// The webhook timestamp is outside the tolerance around `now`.
    WebhookTimestampOutOfTolerance = "webhook_timestamp_out_of_tolerance" => Webhook,
}

impl fmt::Display for Code {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A billable error: code, message, field path and optional structured details.
///
/// ```
/// use billable::{Code, Error};
/// let e = Error::new(Code::UnknownCurrency, "currency `XYZ` is not in ISO 4217").at("amount.currency");
/// assert_eq!(e.code.as_str(), "unknown_currency");
/// assert_eq!(e.path, "amount.currency");
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema, thiserror::Error)]
#[error("{code}: {message}{}", if path.is_empty() { String::new() } else { format!(" (at {path})") })]
pub struct Error {
    /// Stable snake_case code.
    pub code: Code,
    /// What went wrong, for a person.
    pub message: String,
    /// Path of the offending field (`entries[3].hours`); empty for the whole document.
    #[serde(default)]
    pub path: String,
    /// Structured facts about the failure (for example both rule ids of an `ambiguous_rate`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub details: Option<Box<serde_json::Value>>,
}

impl Error {
    /// An error with a code and a message, at the document root.
    pub fn new(code: Code, message: impl Into<String>) -> Self {
        Error { code, message: message.into(), path: String::new(), details: None }
    }

    /// The same error at `path`.
    #[must_use]
    pub fn at(mut self, path: impl Into<String>) -> Self {
        self.path = path.into();
        self
    }

    /// The same error with structured details.
    #[must_use]
    pub fn with_details(mut self, details: serde_json::Value) -> Self {
        self.details = Some(Box::new(details));
        self
    }

    /// Prefix the path with `parent` (`amount` + `currency` = `amount.currency`;
    /// `entries[2]` + `hours` = `entries[2].hours`).
    #[must_use]
    pub fn under(mut self, parent: &str) -> Self {
        self.path = join_path(parent, &self.path);
        self
    }

    /// The family of this error's code.
    pub fn category(&self) -> Category {
        self.code.category()
    }
}

/// Join two path segments the way error paths are written.
pub(crate) fn join_path(parent: &str, child: &str) -> String {
    match (parent.is_empty(), child.is_empty()) {
        (true, _) => child.to_string(),
        (false, true) => parent.to_string(),
        (false, false) if child.starts_with('[') => format!("{parent}{child}"),
        (false, false) => format!("{parent}.{child}"),
    }
}

/// `Result` with billable's [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;
