//! `validate` as a document.

use std::collections::BTreeMap;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::{ApiVersion, Operation};
use crate::error::{Error, Result};
use crate::model::{self, RawRecords};

/// Canonical records to check, by kind (`workers`, `entries`, ...).
#[derive(Debug, Clone, Deserialize, JsonSchema)]
pub struct ValidateRequest {
    #[serde(default)]
    #[allow(missing_docs)]
    pub api_version: ApiVersion,
    /// The records, each kind a list of objects.
    #[serde(flatten, deserialize_with = "crate::wire::flattened")]
    pub records: RawRecords,
}

/// Every problem found, each with its code and path.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct ValidateResponse {
    #[allow(missing_docs)]
    pub api_version: ApiVersion,
    /// True when there are no problems.
    pub valid: bool,
    /// Records received per kind.
    pub counts: BTreeMap<String, usize>,
    /// Every problem, parse problems first, then rule problems by kind.
    pub problems: Vec<Error>,
}

/// The `validate` operation.
pub struct Validate;

impl Operation for Validate {
    const NAME: &'static str = "validate";
    type Request = ValidateRequest;
    type Response = ValidateResponse;

    fn run(r: ValidateRequest) -> Result<ValidateResponse> {
        let problems = model::validate(&r.records);
        let raw = serde_json::to_value(&r.records).unwrap_or_default();
        let counts = raw
            .as_object()
            .map(|o| o.iter().map(|(k, v)| (k.clone(), v.as_array().map_or(0, Vec::len))).collect())
            .unwrap_or_default();
        Ok(ValidateResponse { api_version: ApiVersion, valid: problems.is_empty(), counts, problems })
    }
}
