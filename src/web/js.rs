//! JavaScript values in and out, through serde-wasm-bindgen: caller input read into the
//! protocol's types (a mismatch is an `InvalidParameter` naming the field, never a panic), and
//! results written as plain objects.

#[cfg(any(feature = "client", feature = "tools"))]
pub(crate) use reading::*;
#[cfg(any(feature = "client", feature = "tools"))]
use serde::Serialize;
#[cfg(any(feature = "client", feature = "tools"))]
use wasm_bindgen::JsValue;

/// Caller input and replies read as the protocol's types: the client and the signing tools.
#[cfg(any(feature = "client", feature = "tools"))]
mod reading {
    use cams_protocol::decode::{Document, Mismatch};
    use cams_protocol::error::CamsError;
    use serde::de::DeserializeOwned;
    use wasm_bindgen::{JsCast as _, JsValue};

    /// A reply `JSON.parse` made, read as a document. A mismatch says what serde expected but
    /// not where: tracking the path through every reply type would cost the module more than
    /// the message is worth (the relay and the native tests read replies with their paths).
    #[derive(Clone)]
    pub(crate) struct JsDocument(pub JsValue);

    impl Document for JsDocument {
        fn decode<T: DeserializeOwned>(&self) -> Result<T, Mismatch> {
            let deserializer = serde_wasm_bindgen::Deserializer::from(self.0.clone());
            T::deserialize(deserializer).map_err(|e| Mismatch {
                path: String::new(),
                reason: e.to_string(),
            })
        }

        fn member(&self, name: &str) -> Option<Self> {
            if !self.0.is_object() {
                return None;
            }
            let value = js_sys::Reflect::get(&self.0, &JsValue::from_str(name)).ok()?;
            (!value.is_undefined() && !value.is_null()).then_some(JsDocument(value))
        }
    }

    /// The caller's `value` (named `what` in messages, e.g. "request") as a `T`. Not an object,
    /// or a member of the wrong type, is an `InvalidParameter` naming the member.
    pub(crate) fn read<T: DeserializeOwned>(value: &JsValue, what: &str) -> Result<T, CamsError> {
        decode_object::<T>(value, what)?.map_err(|m| {
            let refuses = |alone: JsValue| JsDocument(alone).decode::<T>().is_err();
            invalid(
                &culprit(value, &refuses).unwrap_or_else(|| what.to_owned()),
                &m,
            )
        })
    }

    /// Like [`read`], for a record of any keys (`Record<string, string>`): a bad value is an
    /// error of the record as a whole, named `what`.
    #[cfg(feature = "tools")]
    pub(crate) fn read_record<T: DeserializeOwned>(
        value: &JsValue,
        what: &str,
    ) -> Result<T, CamsError> {
        decode_object::<T>(value, what)?.map_err(|m| invalid(what, &m))
    }

    fn decode_object<T: DeserializeOwned>(
        value: &JsValue,
        what: &str,
    ) -> Result<Result<T, Mismatch>, CamsError> {
        check_object(value, what)?;
        Ok(JsDocument(value.clone()).decode())
    }

    fn check_object(value: &JsValue, what: &str) -> Result<(), CamsError> {
        if !value.is_object() || js_sys::Array::is_array(value) {
            return Err(CamsError::invalid_parameter(
                what,
                format!("{what} must be an object."),
            ));
        }
        Ok(())
    }

    /// Which member of `value` a `T` cannot be read from: each member is tried alone, so the
    /// same reader that refused the whole names the part (a cold path; input members are all
    /// optional, so one alone reads unless it is the wrong type).
    fn culprit(value: &JsValue, refuses: &dyn Fn(JsValue) -> bool) -> Option<String> {
        let object = value.unchecked_ref::<js_sys::Object>();
        js_sys::Object::keys(object).iter().find_map(|key| {
            let alone = js_sys::Object::new();
            let member = js_sys::Reflect::get(value, &key).ok()?;
            js_sys::Reflect::set(&alone, &key, &member).ok()?;
            refuses(alone.into()).then(|| key.as_string()).flatten()
        })
    }

    /// A member of the wrong type: named, with serde's reason (what it is, what was expected).
    fn invalid(field: &str, m: &Mismatch) -> CamsError {
        CamsError::invalid_parameter(field, format!("{field}: {}.", m.reason))
    }

    /// A `Record<string, string>` as its pairs, in the object's order (a `BTreeMap` would sort
    /// them too, at several kilobytes of module; every reader here sorts or looks up itself).
    #[derive(Default)]
    pub(crate) struct Pairs<S = String>(pub Vec<(S, S)>);

    impl Pairs {
        /// The pairs as the signers take them.
        #[cfg(feature = "tools")]
        pub(crate) fn borrowed(&self) -> Vec<(&str, &str)> {
            self.0
                .iter()
                .map(|(k, v)| (k.as_str(), v.as_str()))
                .collect()
        }
    }

    /// `S` is `String`, or `&str` to borrow from JSON text without escapes (the signers' path).
    impl<'de, S: serde::Deserialize<'de>> serde::Deserialize<'de> for Pairs<S> {
        fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
            struct Visitor<S>(std::marker::PhantomData<S>);
            impl<'de, S: serde::Deserialize<'de>> serde::de::Visitor<'de> for Visitor<S> {
                type Value = Pairs<S>;
                fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                    f.write_str("an object of strings")
                }
                fn visit_map<A: serde::de::MapAccess<'de>>(
                    self,
                    mut map: A,
                ) -> Result<Pairs<S>, A::Error> {
                    let mut pairs = Vec::new();
                    while let Some(pair) = map.next_entry()? {
                        pairs.push(pair);
                    }
                    Ok(Pairs(pairs))
                }
            }
            d.deserialize_map(Visitor(std::marker::PhantomData))
        }
    }

    /// The text of a thrown or rejected value: an `Error`'s message, a string, or a fallback.
    #[cfg(feature = "client")]
    pub(crate) fn message_of(value: &JsValue) -> String {
        if let Some(e) = value.dyn_ref::<js_sys::Error>() {
            return String::from(e.message());
        }
        value
            .as_string()
            .unwrap_or_else(|| "an unknown error".to_owned())
    }
}

/// `value` as a JavaScript value: structs and maps as plain objects.
#[cfg(any(feature = "client", feature = "tools"))]
pub(crate) fn to_js<T: Serialize + ?Sized>(value: &T) -> JsValue {
    let serializer = serde_wasm_bindgen::Serializer::new().serialize_maps_as_objects(true);
    // Strings, numbers, booleans and objects of them: serializing cannot fail.
    value.serialize(&serializer).unwrap_or(JsValue::UNDEFINED)
}
