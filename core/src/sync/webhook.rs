//! Inbound webhook verification with the Standard Webhooks scheme
//! (<https://www.standardwebhooks.com>): HMAC-SHA256 over
//! `{webhook-id}.{webhook-timestamp}.{payload}` with a `whsec_` base64 secret,
//! `v1,<base64>` signatures (several, space-separated, during key rotation),
//! constant-time comparison, and a 5-minute tolerance around the caller's `now`.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use chrono::{DateTime, FixedOffset};
use hmac::{Hmac, Mac};
use schemars::JsonSchema;
use serde::Serialize;
use sha2::Sha256;

use crate::error::{Code, Error, Result};

/// How far the webhook timestamp may be from `now`, either way: 5 minutes.
pub const WEBHOOK_TOLERANCE_SECONDS: i64 = 300;

/// A webhook that verified.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, JsonSchema)]
pub struct VerifiedWebhook {
    /// The `webhook-id` header (use it as the idempotency key of the delivery).
    pub webhook_id: String,
    /// The `webhook-timestamp` header, seconds since the Unix epoch.
    pub timestamp: i64,
    /// Which of the space-separated signatures matched (0-based).
    pub signature_index: usize,
}

/// Verify a webhook delivery. `headers` are name/value pairs, names compared
/// without regard to case; `payload` is the raw body, byte for byte.
///
/// Checks, in order: the headers and the secret read (`webhook_malformed`),
/// the timestamp is within 5 minutes of `now` either way
/// (`webhook_timestamp_out_of_tolerance`), and one `v1` signature matches
/// (`webhook_signature_invalid`), compared in constant time.
///
/// ```
/// // The Standard Webhooks specification's published example.
/// use billable::sync::verify_webhook;
/// let headers = [
///     ("webhook-id", "msg_p5jXN8AQM9LWM0D4loKWxJek"),
///     ("webhook-timestamp", "1614265330"),
///     ("webhook-signature", "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="),
/// ];
/// let now = billable::wire::parse_instant("2021-02-25T15:02:10Z")?; // 1614265330
/// let ok = verify_webhook("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", headers, br#"{"test": 2432232314}"#, now)?;
/// assert_eq!(ok.webhook_id, "msg_p5jXN8AQM9LWM0D4loKWxJek");
/// let err = verify_webhook("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", headers, br#"{"test": 2432232315}"#, now).unwrap_err();
/// assert_eq!(err.code.as_str(), "webhook_signature_invalid");
/// # Ok::<(), billable::Error>(())
/// ```
pub fn verify_webhook<'a>(
    secret: &str,
    headers: impl IntoIterator<Item = (&'a str, &'a str)>,
    payload: &[u8],
    now: DateTime<FixedOffset>,
) -> Result<VerifiedWebhook> {
    let mut id = None;
    let mut timestamp = None;
    let mut signature = None;
    for (name, value) in headers {
        let slot = match name.to_ascii_lowercase().as_str() {
            "webhook-id" => &mut id,
            "webhook-timestamp" => &mut timestamp,
            "webhook-signature" => &mut signature,
            _ => continue,
        };
        if slot.is_some_and(|v| v != value) {
            return Err(malformed(format!("header `{name}` is given twice with different values"), name));
        }
        *slot = Some(value);
    }
    let id = id.filter(|v| !v.is_empty()).ok_or_else(|| malformed("header `webhook-id` is missing", "webhook-id"))?;
    let ts_text = timestamp.ok_or_else(|| malformed("header `webhook-timestamp` is missing", "webhook-timestamp"))?;
    let signature = signature.ok_or_else(|| malformed("header `webhook-signature` is missing", "webhook-signature"))?;
    let key = decode_secret(secret)?;
    let ts = parse_timestamp(ts_text)?;

    let skew = now.timestamp().abs_diff(ts);
    if skew > WEBHOOK_TOLERANCE_SECONDS.unsigned_abs() {
        return Err(Error::new(
            Code::WebhookTimestampOutOfTolerance,
            format!("webhook timestamp {ts} is {skew} s from now ({}); at most {WEBHOOK_TOLERANCE_SECONDS} s either way", now.timestamp()),
        )
        .at("webhook-timestamp")
        .with_details(serde_json::json!({"timestamp": ts, "now": now.timestamp(), "tolerance_seconds": WEBHOOK_TOLERANCE_SECONDS})));
    }

    let mut mac = Hmac::<Sha256>::new_from_slice(&key)
        .map_err(|_| malformed("the webhook secret cannot key HMAC-SHA256", "secret"))?;
    mac.update(id.as_bytes());
    mac.update(b".");
    mac.update(ts_text.as_bytes());
    mac.update(b".");
    mac.update(payload);

    let mut seen_any = false;
    for (index, candidate) in signature.split(' ').filter(|s| !s.is_empty()).enumerate() {
        seen_any = true;
        let Some(("v1", encoded)) = candidate.split_once(',') else { continue };
        let Ok(bytes) = STANDARD.decode(encoded) else { continue };
        // `verify_slice` compares in constant time.
        if mac.clone().verify_slice(&bytes).is_ok() {
            return Ok(VerifiedWebhook { webhook_id: id.to_string(), timestamp: ts, signature_index: index });
        }
    }
    if !seen_any {
        return Err(malformed("header `webhook-signature` is empty", "webhook-signature"));
    }
    Err(Error::new(Code::WebhookSignatureInvalid, "no `v1` signature in `webhook-signature` matches the payload")
        .at("webhook-signature"))
}

fn malformed(message: impl Into<String>, path: &str) -> Error {
    Error::new(Code::WebhookMalformed, message).at(path)
}

/// The HMAC key of a `whsec_<base64>` secret (the prefix is optional).
fn decode_secret(secret: &str) -> Result<Vec<u8>> {
    let encoded = secret.strip_prefix("whsec_").unwrap_or(secret);
    match STANDARD.decode(encoded) {
        Ok(key) if !key.is_empty() => Ok(key),
        _ => Err(malformed("the webhook secret is not `whsec_` followed by non-empty base64", "secret")),
    }
}

/// Whole seconds since the epoch: ASCII digits only, no sign or spaces.
fn parse_timestamp(text: &str) -> Result<i64> {
    if text.is_empty() || text.len() > 18 || !text.bytes().all(|b| b.is_ascii_digit()) {
        return Err(malformed(
            format!("header `webhook-timestamp` `{text}` is not whole seconds since the Unix epoch"),
            "webhook-timestamp",
        ));
    }
    text.parse().map_err(|_| malformed(format!("`{text}` is out of range"), "webhook-timestamp"))
}

/// Sign a delivery the way a Standard Webhooks sender does (`v1,<base64>`).
/// For tests and for callers that relay webhooks.
///
/// ```
/// use billable::sync::sign_webhook;
/// let sig = sign_webhook("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", "msg_p5jXN8AQM9LWM0D4loKWxJek", 1614265330, br#"{"test": 2432232314}"#)?;
/// assert_eq!(sig, "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=");
/// # Ok::<(), billable::Error>(())
/// ```
pub fn sign_webhook(secret: &str, id: &str, timestamp: i64, payload: &[u8]) -> Result<String> {
    let key = decode_secret(secret)?;
    let mut mac = Hmac::<Sha256>::new_from_slice(&key)
        .map_err(|_| malformed("the webhook secret cannot key HMAC-SHA256", "secret"))?;
    mac.update(format!("{id}.{timestamp}.").as_bytes());
    mac.update(payload);
    Ok(format!("v1,{}", STANDARD.encode(mac.finalize().into_bytes())))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::wire::parse_instant;

    // The Standard Webhooks specification's published example.
    const SECRET: &str = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
    const ID: &str = "msg_p5jXN8AQM9LWM0D4loKWxJek";
    const TS: &str = "1614265330";
    const PAYLOAD: &[u8] = br#"{"test": 2432232314}"#;
    const SIGNATURE: &str = "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=";

    fn at(seconds: i64) -> DateTime<FixedOffset> {
        DateTime::from_timestamp(seconds, 0).unwrap().fixed_offset()
    }

    fn verify(secret: &str, ts: &str, sig: &str, payload: &[u8], now: i64) -> Result<VerifiedWebhook> {
        verify_webhook(
            secret,
            [("webhook-id", ID), ("webhook-timestamp", ts), ("webhook-signature", sig)],
            payload,
            at(now),
        )
    }

    #[test]
    fn the_specification_example_verifies() {
        // 1614265330 is 2021-02-25T15:02:10Z.
        assert_eq!(parse_instant("2021-02-25T15:02:10Z").unwrap().timestamp(), 1_614_265_330);
        let ok = verify(SECRET, TS, SIGNATURE, PAYLOAD, 1_614_265_330).unwrap();
        assert_eq!((ok.webhook_id.as_str(), ok.timestamp, ok.signature_index), (ID, 1_614_265_330, 0));
        assert_eq!(sign_webhook(SECRET, ID, 1_614_265_330, PAYLOAD).unwrap(), SIGNATURE);
        // The prefix is optional; header names are case-insensitive.
        let headers = [("Webhook-Id", ID), ("WEBHOOK-TIMESTAMP", TS), ("webhook-signature", SIGNATURE)];
        assert!(verify_webhook("MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", headers, PAYLOAD, at(1_614_265_330)).is_ok());
    }

    #[test]
    fn any_edit_breaks_the_signature() {
        let now = 1_614_265_330;
        let invalid = |r: Result<VerifiedWebhook>| r.unwrap_err().code;
        assert_eq!(
            invalid(verify(SECRET, TS, SIGNATURE, br#"{"test": 2432232315}"#, now)),
            Code::WebhookSignatureInvalid
        );
        assert_eq!(invalid(verify(SECRET, "1614265331", SIGNATURE, PAYLOAD, now)), Code::WebhookSignatureInvalid);
        let other_secret = "whsec_c2VjcmV0LW9mLWFub3RoZXItZW5kcG9pbnQ=";
        assert_eq!(invalid(verify(other_secret, TS, SIGNATURE, PAYLOAD, now)), Code::WebhookSignatureInvalid);
        // A v1a (asymmetric) or unknown-version signature is skipped, not trusted.
        let v1a = SIGNATURE.replacen("v1,", "v1a,", 1);
        assert_eq!(invalid(verify(SECRET, TS, &v1a, PAYLOAD, now)), Code::WebhookSignatureInvalid);
        // A truncated signature does not match (HMAC verify checks the full length).
        assert_eq!(invalid(verify(SECRET, TS, &SIGNATURE[..20], PAYLOAD, now)), Code::WebhookSignatureInvalid);
    }

    #[test]
    fn key_rotation_sends_several_signatures() {
        let old = sign_webhook("whsec_b2xkLWtleS1vbGQta2V5", ID, 1_614_265_330, PAYLOAD).unwrap();
        let header = format!("{old} v1,bm90LWEtc2lnbmF0dXJl {SIGNATURE}");
        let ok = verify(SECRET, TS, &header, PAYLOAD, 1_614_265_330).unwrap();
        assert_eq!(ok.signature_index, 2);
        let ok = verify("whsec_b2xkLWtleS1vbGQta2V5", TS, &header, PAYLOAD, 1_614_265_330).unwrap();
        assert_eq!(ok.signature_index, 0);
    }

    #[test]
    fn timestamp_tolerance_is_five_minutes_both_ways() {
        let ts = 1_614_265_330;
        // 300 s either way passes; 301 s fails, before and after.
        for now in [ts - 300, ts, ts + 300] {
            assert!(verify(SECRET, TS, SIGNATURE, PAYLOAD, now).is_ok(), "now = {now}");
        }
        for now in [ts - 301, ts + 301] {
            let e = verify(SECRET, TS, SIGNATURE, PAYLOAD, now).unwrap_err();
            assert_eq!(
                (e.code, e.details.as_ref().unwrap()["tolerance_seconds"].as_i64()),
                (Code::WebhookTimestampOutOfTolerance, Some(300))
            );
        }
        // A non-UTC offset in `now` is the same instant.
        let now = parse_instant("2021-02-25T16:07:10+01:00").unwrap(); // 15:07:10Z = ts + 300
        let headers = [("webhook-id", ID), ("webhook-timestamp", TS), ("webhook-signature", SIGNATURE)];
        assert!(verify_webhook(SECRET, headers, PAYLOAD, now).is_ok());
    }

    #[test]
    fn malformed_headers_and_secrets() {
        let now = 1_614_265_330;
        let code = |r: Result<VerifiedWebhook>| r.unwrap_err().code;
        assert_eq!(code(verify("whsec_not base64!", TS, SIGNATURE, PAYLOAD, now)), Code::WebhookMalformed);
        assert_eq!(code(verify("whsec_", TS, SIGNATURE, PAYLOAD, now)), Code::WebhookMalformed);
        assert_eq!(code(verify(SECRET, "16142653.30", SIGNATURE, PAYLOAD, now)), Code::WebhookMalformed);
        assert_eq!(code(verify(SECRET, "-1614265330", SIGNATURE, PAYLOAD, now)), Code::WebhookMalformed);
        assert_eq!(code(verify(SECRET, TS, "", PAYLOAD, now)), Code::WebhookMalformed);
        let e = verify_webhook(SECRET, [("webhook-id", ID), ("webhook-timestamp", TS)], PAYLOAD, at(now)).unwrap_err();
        assert_eq!((e.code, e.path.as_str()), (Code::WebhookMalformed, "webhook-signature"));
        let twice = [
            ("webhook-id", ID),
            ("Webhook-Id", "msg_other"),
            ("webhook-timestamp", TS),
            ("webhook-signature", SIGNATURE),
        ];
        assert_eq!(code(verify_webhook(SECRET, twice, PAYLOAD, at(now))), Code::WebhookMalformed);
    }
}
