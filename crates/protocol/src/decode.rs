//! Reading typed values out of a JSON document that is already parsed, whoever parsed it: the
//! relay and the emulator use serde_json, the browser module the browser's own `JSON.parse`
//! (read through serde-wasm-bindgen). The readers in [`crate::response`] and [`crate::sts`] are
//! written once against [`Document`].

use std::fmt;

use serde::de::DeserializeOwned;

/// A parsed JSON document (or a JavaScript value) that typed values can be read from.
pub trait Document: Sized {
    /// The document as a `T`, or which member does not fit and why.
    fn decode<T: DeserializeOwned>(&self) -> Result<T, Mismatch>;

    /// The member `name` of an object, when the document is one and has it (not null). Reading
    /// a part on its own keeps each type read once, whatever it is inside of.
    fn member(&self, name: &str) -> Option<Self>;
}

/// `doc.member(name)` read as a `T`, a mismatch's path starting at `name`. An absent or null
/// member is `None`.
pub fn decode_member<T: DeserializeOwned, D: Document>(
    doc: &D,
    name: &str,
) -> Result<Option<T>, Mismatch> {
    let Some(member) = doc.member(name) else {
        return Ok(None);
    };
    member.decode().map(Some).map_err(|m| Mismatch {
        path: if m.path.is_empty() {
            name.to_owned()
        } else {
            format!("{name}.{}", m.path)
        },
        reason: m.reason,
    })
}

/// A member that is not what the type expects: where it is (`Data.QrdlCode`; empty for the
/// document itself) and serde's reason.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Mismatch {
    pub path: String,
    pub reason: String,
}

impl Mismatch {
    /// From serde_path_to_error's error, whatever the deserializer's error type.
    pub fn from_path_error<E: fmt::Display>(e: serde_path_to_error::Error<E>) -> Mismatch {
        let path = e.path().to_string();
        Mismatch {
            // serde_path_to_error writes the root as ".".
            path: if path == "." { String::new() } else { path },
            reason: e.into_inner().to_string(),
        }
    }

    /// The first segment of the path: the top-level member that failed.
    pub fn member(&self) -> &str {
        self.path.split(['.', '[']).next().unwrap_or_default()
    }
}

impl fmt::Display for Mismatch {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.path.is_empty() {
            write!(f, "the body: {}", self.reason)
        } else {
            write!(f, "{}: {}", self.path, self.reason)
        }
    }
}

#[cfg(feature = "json")]
impl Document for serde_json::Value {
    fn decode<T: DeserializeOwned>(&self) -> Result<T, Mismatch> {
        serde_path_to_error::deserialize(self).map_err(Mismatch::from_path_error)
    }

    fn member(&self, name: &str) -> Option<Self> {
        self.get(name).filter(|v| !v.is_null()).cloned()
    }
}

#[cfg(all(test, feature = "json"))]
mod tests {
    use super::*;
    use crate::wire::{Qrdl, Reply};

    #[test]
    fn a_mismatch_names_the_member() {
        let doc = serde_json::json!({"Code": "OK", "Data": {"QrdlCode": 5}});
        let e = doc.decode::<Reply<Qrdl>>().unwrap_err();
        assert_eq!(e.path, "Data.QrdlCode");
        assert_eq!(e.member(), "Data");
        assert!(e.reason.contains("expected a string"), "{e}");
        let e = serde_json::json!("x").decode::<Reply<Qrdl>>().unwrap_err();
        assert_eq!(e.path, "");
        assert!(e.to_string().starts_with("the body: "), "{e}");
    }
}
