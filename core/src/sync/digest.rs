//! [`Digest`]: a SHA-256 digest as the sync-state machine keeps it, 32 bytes
//! in place, written as 64 lowercase hex digits only when a document is
//! written (audit hashes, payload fingerprints). It serializes, deserializes
//! and is described in schemas exactly as a `String`.

use std::fmt;

use serde::{Serialize, Serializer};

use super::text::{Text, string_on_the_wire};

/// A SHA-256 digest: 64 lowercase hex digits on the wire.
///
/// Read from a document, a text that is not 64 lowercase hex digits is kept as given, so
/// it is written back unchanged and equals no computed digest (as a text it would not
/// either). Two digests are equal exactly when their texts are; a digest compares with
/// `str` and `String` by its text.
///
/// ```
/// use billable::sync::Digest;
/// let d = Digest::sha256(b"abc");
/// assert_eq!(d, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
/// assert_eq!(Digest::from("not hex"), "not hex");
/// assert_eq!(serde_json::to_string(&Digest::from("AB")).unwrap(), r#""AB""#);
/// ```
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct Digest(Repr);

#[derive(Clone, PartialEq, Eq, Hash)]
enum Repr {
    /// Written as 64 lowercase hex digits.
    Sha256([u8; 32]),
    /// A text read from a document that is not 64 lowercase hex digits.
    Given(Text),
}

const DIGITS: &[u8; 16] = b"0123456789abcdef";

impl Digest {
    /// SHA-256 of `bytes`.
    pub fn sha256(bytes: &[u8]) -> Self {
        Digest(Repr::Sha256(super::events::sha256(bytes)))
    }

    /// A digest from its 32 bytes.
    pub fn from_bytes(bytes: [u8; 32]) -> Self {
        Digest(Repr::Sha256(bytes))
    }

    /// The 32 bytes, unless the digest was read from a text that is not one.
    pub fn bytes(&self) -> Option<&[u8; 32]> {
        match &self.0 {
            Repr::Sha256(bytes) => Some(bytes),
            Repr::Given(_) => None,
        }
    }

    /// Append the text (64 lowercase hex digits, or the text as given) to `out`.
    pub(crate) fn write_to(&self, out: &mut Vec<u8>) {
        match &self.0 {
            Repr::Sha256(bytes) => out.extend_from_slice(&hex64(bytes)),
            Repr::Given(text) => out.extend_from_slice(text.as_bytes()),
        }
    }

    /// Call `f` with the text, without allocating for a computed digest.
    fn with_str<R>(&self, f: impl FnOnce(&str) -> R) -> R {
        match &self.0 {
            Repr::Sha256(bytes) => {
                let digits = hex64(bytes);
                // Hex digits are ASCII.
                f(std::str::from_utf8(&digits).unwrap_or_default())
            }
            Repr::Given(text) => f(text),
        }
    }
}

/// 32 bytes as 64 lowercase hex digits.
fn hex64(bytes: &[u8; 32]) -> [u8; 64] {
    let mut out = [0u8; 64];
    for (pair, b) in out.chunks_exact_mut(2).zip(bytes) {
        pair[0] = DIGITS[usize::from(b >> 4)];
        pair[1] = DIGITS[usize::from(b & 0x0f)];
    }
    out
}

/// The 32 bytes written as 64 lowercase hex digits in `text`, if it is that.
fn unhex(text: &str) -> Option<[u8; 32]> {
    let digit = |c: u8| match c {
        b'0'..=b'9' => Some(c - b'0'),
        b'a'..=b'f' => Some(c - b'a' + 10),
        _ => None,
    };
    let bytes = text.as_bytes();
    if bytes.len() != 64 {
        return None;
    }
    let mut out = [0u8; 32];
    for (i, pair) in bytes.chunks_exact(2).enumerate() {
        out[i] = digit(pair[0])? << 4 | digit(pair[1])?;
    }
    Some(out)
}

impl From<&str> for Digest {
    fn from(text: &str) -> Self {
        match unhex(text) {
            Some(bytes) => Digest(Repr::Sha256(bytes)),
            None => Digest(Repr::Given(Text::from(text))),
        }
    }
}

impl From<String> for Digest {
    fn from(text: String) -> Self {
        match unhex(&text) {
            Some(bytes) => Digest(Repr::Sha256(bytes)),
            None => Digest(Repr::Given(Text::from(text))),
        }
    }
}

impl PartialEq<str> for Digest {
    fn eq(&self, other: &str) -> bool {
        match &self.0 {
            Repr::Sha256(bytes) => unhex(other).is_some_and(|o| o == *bytes),
            Repr::Given(text) => text == other,
        }
    }
}

impl PartialEq<&str> for Digest {
    fn eq(&self, other: &&str) -> bool {
        *self == **other
    }
}

impl PartialEq<String> for Digest {
    fn eq(&self, other: &String) -> bool {
        *self == **other
    }
}

impl fmt::Display for Digest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.with_str(|s| f.write_str(s))
    }
}

impl fmt::Debug for Digest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.with_str(|s| fmt::Debug::fmt(s, f))
    }
}

impl Serialize for Digest {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        self.with_str(|text| s.serialize_str(text))
    }
}

string_on_the_wire!(Digest);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_round_trips_and_equality_follows_the_text() {
        let hex = super::super::events::sha256_hex(b"x");
        let d = Digest::from(hex.as_str());
        assert!(d.bytes().is_some());
        assert_eq!(d.to_string(), hex);
        assert_eq!(d, Digest::sha256(b"x"));
        assert_eq!(d, hex);
        // Upper case, short, long and non-hex texts are kept as given and equal no digest.
        for given in [hex.to_uppercase(), hex[..62].to_string(), format!("{hex}0"), "zz".repeat(32), String::new()] {
            let g = Digest::from(given.as_str());
            assert!(g.bytes().is_none());
            assert_eq!(g.to_string(), given);
            assert_eq!(g, given);
            assert_ne!(g, d);
            assert_eq!(serde_json::to_string(&g).unwrap(), serde_json::to_string(&given).unwrap());
        }
        assert_eq!(serde_json::to_string(&d).unwrap(), format!("\"{hex}\""));
        assert_eq!(serde_json::from_str::<Digest>(&format!("\"{hex}\"")).unwrap(), d);
        let mut out = Vec::new();
        d.write_to(&mut out);
        assert_eq!(out, hex.as_bytes());
    }
}
