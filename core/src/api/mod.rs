//! The JSON document form of every operation (SPEC §11): one request and one
//! response type per operation, each carrying `api_version`, and a dispatcher
//! that the CLI and every binding call.
//!
//! ```
//! let out = billable::api::call_json("round", r#"{"amount": "10.005", "currency": "USD", "mode": "half_even"}"#).unwrap();
//! assert!(out.contains(r#""amount":"10.00""#));
//! ```

mod invoice_ops;
mod money_ops;
mod plan_ops;
mod rate_ops;
mod schema_op;
mod sync_ops;
mod tax_ops;
mod validate_op;
mod version;

use schemars::JsonSchema;
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::Value;

pub use money_ops::{AllocateRequest, AllocateResponse, ConvertRequest, ConvertResponse, RoundRequest, RoundResponse};
pub use plan_ops::{
    CapacityAsk, ForecastAsk, PlanRequest, PlanResponse, ReconciliationAsk, SkillGapsAsk, UtilizationAsk,
};
pub use rate_ops::{
    Eligibility, EligibilityRequest, EligibilityResponse, Rate, RateRequest, RateResponse, RateResult, RatingInputs,
};
pub use schema_op::{SchemaKind, SchemaRequest, SchemaResponse};
pub use sync_ops::{
    ApplyEventsRequest, ApplyEventsResponse, HistoryVerdict, VerifyHistoryRequest, VerifyHistoryResponse,
    VerifyWebhookRequest, VerifyWebhookResponse,
};
pub use tax_ops::{TaxLineRequest, TaxRequest, TaxResponse, ValidateTaxIdRequest, ValidateTaxIdResponse};
pub use validate_op::{ValidateRequest, ValidateResponse};
pub use version::{API_VERSION, ApiVersion};

use crate::error::{Code, Error, Result};
use crate::wire;

/// One operation: a request document in, a response document out.
pub trait Operation {
    /// The operation's name on the wire and in the CLI (`invoice_run`).
    const NAME: &'static str;
    /// What the caller sends. `Send`, so a binding may run the operation on
    /// another thread or with its interpreter lock released.
    type Request: DeserializeOwned + JsonSchema + Send;
    /// What the caller gets back.
    type Response: Serialize + JsonSchema + Send;
    /// Run it. Pure: the same request gives the same response.
    fn run(request: Self::Request) -> Result<Self::Response>;
    /// Run it and write the response document. The same bytes as serializing
    /// [`run`](Operation::run)'s response; an operation whose typed result
    /// borrows from the request overrides it to write that result without
    /// copying it into an owned response first.
    fn run_json(request: Self::Request) -> Result<String> {
        Self::run(request).and_then(|r| wire::to_json(&r))
    }
}

/// A front end's own way into and out of an operation's typed request and
/// response. [`with_operation`] calls [`Codec::call`] with the concrete
/// [`Operation`] a name stands for, so a binding can read `O::Request` straight
/// from its own values (any serde `Deserializer`) and write `O::Response`
/// straight to its own (any serde `Serializer`), with no JSON text or
/// `serde_json::Value` in between.
///
/// ```
/// use billable::api::{Codec, Operation, with_operation};
/// struct Name;
/// impl Codec for Name {
///     type Output = &'static str;
///     fn call<O: Operation>(self) -> &'static str {
///         O::NAME
///     }
/// }
/// assert_eq!(with_operation("invoice-run", Name).unwrap(), "invoice_run");
/// assert_eq!(with_operation("nope", Name).unwrap_err().code.as_str(), "unknown_operation");
/// ```
pub trait Codec {
    /// What the call gives back to the front end.
    type Output;
    /// Handle the operation `O`: read its request, run it, write its response.
    fn call<O: Operation>(self) -> Self::Output;
}

/// The operations this build knows, with their Rust types. Each line names
/// a type implementing [`Operation`]; the dispatcher, the schema generator and
/// the CLI all read this one list.
macro_rules! operations {
    ($($op:ty),* $(,)?) => {
        /// Names of every operation, in the order SPEC §11 lists them.
        pub const OPERATIONS: &[&str] = &[$(<$op as Operation>::NAME),*];

        fn dispatch_json(name: &str, request: &str) -> Option<Result<String>> {
            $(if name == <$op as Operation>::NAME {
                return Some(wire::from_json::<<$op as Operation>::Request>(request)
                    .and_then(<$op as Operation>::run_json));
            })*
            None
        }

        fn dispatch_value(name: &str, request: Value) -> Option<Result<Value>> {
            $(if name == <$op as Operation>::NAME {
                return Some(wire::from_value::<<$op as Operation>::Request>(request)
                    .and_then(<$op as Operation>::run)
                    .and_then(|r| serde_json::to_value(&r).map_err(|e| Error::new(Code::InvalidValue, e.to_string()))));
            })*
            None
        }

        fn dispatch_codec<C: Codec>(name: &str, codec: C) -> Option<C::Output> {
            $(if name == <$op as Operation>::NAME {
                return Some(codec.call::<$op>());
            })*
            None
        }

        /// The JSON Schema of `name`'s request or response.
        pub fn schema_of(name: &str, kind: SchemaKind) -> Option<Value> {
            $(if name == <$op as Operation>::NAME {
                let schema = match kind {
                    SchemaKind::Request => schemars::schema_for!(<$op as Operation>::Request),
                    SchemaKind::Response => schemars::schema_for!(<$op as Operation>::Response),
                };
                return Some(schema.to_value());
            })*
            None
        }
    };
}

operations! {
    money_ops::Round,
    money_ops::Allocate,
    money_ops::Convert,
    validate_op::Validate,
    rate_ops::Rate,
    rate_ops::Eligibility,
    tax_ops::Tax,
    tax_ops::ValidateTaxId,
    invoice_ops::InvoiceRun,
    sync_ops::ApplyEvents,
    sync_ops::VerifyWebhook,
    sync_ops::VerifyHistory,
    plan_ops::Plan,
    schema_op::Schema,
}

/// The operation's canonical name: `invoice-run` and `invoice_run` both name `invoice_run`.
pub fn canonical_name(name: &str) -> Result<&'static str> {
    let wanted = name.replace('-', "_");
    OPERATIONS.iter().copied().find(|op| *op == wanted).ok_or_else(|| {
        Error::new(Code::UnknownOperation, format!("`{name}` is not an operation; known: {}", OPERATIONS.join(", ")))
            .with_details(serde_json::json!({ "operations": OPERATIONS }))
    })
}

/// Run `operation` on a JSON request text and return the JSON response text.
/// Any failure, including malformed JSON, is an [`Error`]; nothing panics and
/// nothing partial is returned.
pub fn call_json(operation: &str, request: &str) -> Result<String> {
    let name = canonical_name(operation)?;
    dispatch_json(name, request).unwrap_or_else(|| Err(Error::new(Code::UnknownOperation, operation.to_string())))
}

/// Run `operation` on a request already held as a `serde_json::Value` (what a
/// binding builds from a dict or an object). The response serializes to the
/// same bytes as [`call_json`]'s.
pub fn call_value(operation: &str, request: Value) -> Result<Value> {
    let name = canonical_name(operation)?;
    dispatch_value(name, request).unwrap_or_else(|| Err(Error::new(Code::UnknownOperation, operation.to_string())))
}

/// Call `codec` with the operation named `operation` (`invoice-run` and
/// `invoice_run` alike); an unknown name is `unknown_operation`, as in
/// [`call_json`].
pub fn with_operation<C: Codec>(operation: &str, codec: C) -> Result<C::Output> {
    let name = canonical_name(operation)?;
    dispatch_codec(name, codec).ok_or_else(|| Error::new(Code::UnknownOperation, operation.to_string()))
}

/// The error document every front end prints: `{"api_version": "1", "error": {...}}`.
pub fn error_document(error: &Error) -> String {
    #[derive(Serialize)]
    struct Doc<'a> {
        api_version: ApiVersion,
        error: &'a Error,
    }
    serde_json::to_string(&Doc { api_version: ApiVersion, error }).unwrap_or_else(|_| {
        format!(
            r#"{{"api_version":"{API_VERSION}","error":{{"code":"{}","message":"unprintable","path":""}}}}"#,
            error.code
        )
    })
}
