//! `api_version`: carried by every request and response document.

use std::borrow::Cow;

use schemars::{JsonSchema, Schema, SchemaGenerator, json_schema};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::error::Code;

/// The document version this build reads and writes.
pub const API_VERSION: &str = "1";

/// The `api_version` field. On requests it may be omitted (the current version
/// is assumed); any other value than `"1"` is `unsupported_api_version`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct ApiVersion;

impl Serialize for ApiVersion {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(API_VERSION)
    }
}

impl<'de> Deserialize<'de> for ApiVersion {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let v = serde_json::Value::deserialize(d)?;
        match &v {
            serde_json::Value::String(s) if s == API_VERSION => Ok(ApiVersion),
            other => Err(serde::de::Error::custom(format_args!(
                "{}: api_version {other} is not supported; this build speaks \"{API_VERSION}\"",
                Code::UnsupportedApiVersion
            ))),
        }
    }
}

impl JsonSchema for ApiVersion {
    fn schema_name() -> Cow<'static, str> {
        "ApiVersion".into()
    }
    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        json_schema!({ "type": "string", "const": API_VERSION })
    }
}
