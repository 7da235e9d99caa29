//! `schema`: the JSON Schema of any operation's request or response.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::{ApiVersion, Operation, canonical_name, schema_of};
use crate::error::Result;

/// Which document of an operation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum SchemaKind {
    /// What the caller sends.
    Request,
    /// What the caller gets back.
    Response,
}

/// Ask for the schema of one operation's request or response.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
pub struct SchemaRequest {
    #[serde(default)]
    #[allow(missing_docs)]
    pub api_version: ApiVersion,
    /// Operation name (`round`, `invoice_run`).
    pub operation: String,
    /// `request` or `response`.
    pub kind: SchemaKind,
}

/// The schema (JSON Schema 2020-12).
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct SchemaResponse {
    #[allow(missing_docs)]
    pub api_version: ApiVersion,
    /// The operation.
    pub operation: String,
    /// `request` or `response`.
    pub kind: SchemaKind,
    /// The schema document.
    pub schema: Value,
}

/// The `schema` operation.
pub struct Schema;

impl Operation for Schema {
    const NAME: &'static str = "schema";
    type Request = SchemaRequest;
    type Response = SchemaResponse;

    fn run(r: SchemaRequest) -> Result<SchemaResponse> {
        let name = canonical_name(&r.operation).map_err(|e| e.at("operation"))?;
        let schema = schema_of(name, r.kind).unwrap_or_default();
        Ok(SchemaResponse { api_version: ApiVersion, operation: name.to_string(), kind: r.kind, schema })
    }
}
