//! [`Text`]: an immutable, cheaply cloned string for the strings the
//! sync-state machine repeats across its output (an event id in the outcome,
//! the history and the ledger; a source or type in every history entry). Up to
//! 23 bytes are held inline (no allocation, nothing to follow when comparing);
//! longer texts are shared by reference counting (`smol_str`). It serializes,
//! deserializes and is described in schemas exactly as a `String`.

use std::borrow::Borrow;
use std::fmt;
use std::ops::Deref;

use serde::{Serialize, Serializer};
use smol_str::SmolStr;

/// An immutable string that clones without copying the text: held inline up to 23 bytes,
/// shared by reference counting when longer.
/// Reads as a `&str` (`Deref`), compares with `str`, `&str` and `String`, and is a JSON
/// string on the wire.
///
/// ```
/// use billable::sync::Text;
/// let a = Text::from("psa://acme");
/// let b = a.clone();
/// assert_eq!(b, "psa://acme");
/// assert_eq!(serde_json::to_string(&a).unwrap(), r#""psa://acme""#);
/// ```
#[derive(Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Text(SmolStr);

impl Text {
    /// The text.
    pub fn as_str(&self) -> &str {
        self.0.as_str()
    }
}

impl Deref for Text {
    type Target = str;
    fn deref(&self) -> &str {
        &self.0
    }
}

impl Borrow<str> for Text {
    fn borrow(&self) -> &str {
        &self.0
    }
}

impl AsRef<str> for Text {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

impl From<&str> for Text {
    fn from(s: &str) -> Self {
        Text(SmolStr::new(s))
    }
}

impl From<String> for Text {
    fn from(s: String) -> Self {
        Text(SmolStr::from(s))
    }
}

impl From<Text> for String {
    fn from(t: Text) -> Self {
        t.0.into()
    }
}

impl PartialEq<str> for Text {
    fn eq(&self, other: &str) -> bool {
        self.as_str() == other
    }
}

impl PartialEq<&str> for Text {
    fn eq(&self, other: &&str) -> bool {
        self.as_str() == *other
    }
}

impl PartialEq<String> for Text {
    fn eq(&self, other: &String) -> bool {
        self.as_str() == other.as_str()
    }
}

impl fmt::Debug for Text {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self.as_str(), f)
    }
}

impl fmt::Display for Text {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self.as_str(), f)
    }
}

impl Serialize for Text {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

/// `Deserialize` and `JsonSchema` for a type that is a plain JSON string on the wire and is
/// made from the `String` read: described in schemas exactly as a `String`.
macro_rules! string_on_the_wire {
    ($t:ty) => {
        impl<'de> serde::Deserialize<'de> for $t {
            fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                <String as serde::Deserialize>::deserialize(d).map(<$t>::from)
            }
        }

        impl schemars::JsonSchema for $t {
            fn inline_schema() -> bool {
                true
            }

            fn schema_name() -> std::borrow::Cow<'static, str> {
                <String as schemars::JsonSchema>::schema_name()
            }

            fn json_schema(generator: &mut schemars::SchemaGenerator) -> schemars::Schema {
                <String as schemars::JsonSchema>::json_schema(generator)
            }
        }
    };
}
pub(super) use string_on_the_wire;

string_on_the_wire!(Text);
