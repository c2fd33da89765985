//! Reading caller-supplied JS values without trusting them: every mismatch is an
//! `InvalidParameter` naming the field, never a panic.

use js_sys::{Array, Function, JsString, Object, Reflect};
use std::{string::String, vec::Vec};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

use cams_protocol::error::CamsError;

/// `obj[key]`, or undefined when `obj` is not an object or the getter throws.
pub(crate) fn get(obj: &JsValue, key: &str) -> JsValue {
    Reflect::get(obj, &JsValue::from_str(key)).unwrap_or(JsValue::UNDEFINED)
}

fn absent(v: &JsValue) -> bool {
    v.is_undefined() || v.is_null()
}

/// The value itself when it is a (non-null) object.
pub(crate) fn object(value: &JsValue, field: &str) -> Result<JsValue, CamsError> {
    if value.is_object() {
        Ok(value.clone())
    } else {
        Err(CamsError::invalid_parameter(
            field,
            [field, " must be an object."].concat(),
        ))
    }
}

/// Whether `obj` has `key` set to something other than undefined or null.
pub(crate) fn has(obj: &JsValue, key: &str) -> bool {
    !absent(&get(obj, key))
}

/// An optional string: undefined or null is `None`, anything but a string is an error.
pub(crate) fn opt_string(
    obj: &JsValue,
    key: &str,
    field: &str,
) -> Result<Option<String>, CamsError> {
    let v = get(obj, key);
    if absent(&v) {
        return Ok(None);
    }
    v.as_string()
        .map(Some)
        .ok_or_else(|| CamsError::invalid_parameter(field, [field, " must be a string."].concat()))
}

/// A string the core validates next: absent becomes "" so the core's message ("Enter the ...")
/// is the one the caller sees.
pub(crate) fn string_or_empty(obj: &JsValue, key: &str, field: &str) -> Result<String, CamsError> {
    Ok(opt_string(obj, key, field)?.unwrap_or_default())
}

/// A non-empty string, or an error with `missing` as its message.
pub(crate) fn required_string(
    obj: &JsValue,
    key: &str,
    field: &str,
    missing: &str,
) -> Result<String, CamsError> {
    match opt_string(obj, key, field)? {
        Some(s) if !s.trim().is_empty() => Ok(s),
        _ => Err(CamsError::invalid_parameter(field, missing)),
    }
}

/// An optional number (NaN included: the core's range checks reject it).
pub(crate) fn opt_number(obj: &JsValue, key: &str, field: &str) -> Result<Option<f64>, CamsError> {
    let v = get(obj, key);
    if absent(&v) {
        return Ok(None);
    }
    v.as_f64()
        .map(Some)
        .ok_or_else(|| CamsError::invalid_parameter(field, [field, " must be a number."].concat()))
}

/// An optional function.
pub(crate) fn opt_function(
    obj: &JsValue,
    key: &str,
    field: &str,
) -> Result<Option<Function>, CamsError> {
    let v = get(obj, key);
    if absent(&v) {
        return Ok(None);
    }
    v.dyn_into::<Function>()
        .map(Some)
        .map_err(|_| CamsError::invalid_parameter(field, [field, " must be a function."].concat()))
}

/// The keys and values of a plain object of strings (`Record<string, string>`), read with
/// `Object.entries`, alternating in `text`, each followed by one separator byte; `ends[i]` is
/// where piece `i` ends.
pub(crate) struct StringRecord {
    text: String,
    ends: Vec<usize>,
}

impl StringRecord {
    /// The `(key, value)` pairs, in `Object.entries` order.
    pub(crate) fn pairs(&self) -> Vec<(&str, &str)> {
        let mut pairs = Vec::with_capacity(self.ends.len() / 2);
        let (mut start, mut key) = (0, "");
        for (i, &end) in self.ends.iter().enumerate() {
            let piece = self.text.get(start..end).unwrap_or_default();
            start = end + 1;
            if i % 2 == 0 {
                key = piece;
            } else {
                pairs.push((key, piece));
            }
        }
        pairs
    }
}

#[wasm_bindgen]
extern "C" {
    /// `Array.prototype.concat.apply(this, lists)`: the lists' elements in one array.
    #[wasm_bindgen(js_namespace = ["Array", "prototype", "concat"], js_name = apply)]
    fn concat_all(this: &Array, lists: &Array) -> Array;
    /// `Array.prototype.join.call(list, separator)`.
    #[wasm_bindgen(js_namespace = ["Array", "prototype", "join"], js_name = call)]
    fn join_with(list: &Array, separator: &JsString) -> JsString;
}

/// A plain object of strings (`Record<string, string>`), read with `Object.entries`. Every
/// string crosses into the module at once, joined at NUL, unless one holds a NUL itself: then
/// one at a time.
pub(crate) fn string_record(value: &JsValue, field: &str) -> Result<StringRecord, CamsError> {
    if !value.is_object() || Array::is_array(value) {
        return Err(CamsError::invalid_parameter(
            field,
            [field, " must be an object of strings."].concat(),
        ));
    }
    // Not `dyn_ref`: that tests `instanceof Object`, which `Object.create(null)` fails.
    let entries = Object::entries(value.unchecked_ref::<Object>());
    // Keys and values alternating, `[k0, v0, k1, v1, ...]`; `flat` is slow but has no limit
    // on the number of arguments.
    let flat = if entries.length() < 4096 {
        concat_all(&Array::new(), &entries)
    } else {
        entries.flat(1)
    };
    let n = flat.length();
    let mut i = 1;
    while i < n {
        if !flat.get(i).is_string() {
            let key = flat.get(i - 1).as_string().unwrap_or_default();
            return Err(CamsError::invalid_parameter(
                field,
                [field, ".", &key, " must be a string."].concat(),
            ));
        }
        i += 2;
    }
    // Every element is a string, so joining runs no caller code.
    let mut text = join_with(&flat, &JsString::from_char_code1(0))
        .as_string()
        .unwrap_or_default();
    let mut ends = Vec::with_capacity(n as usize);
    for (i, b) in text.bytes().enumerate() {
        if b == 0 {
            ends.push(i);
        }
    }
    ends.push(text.len());
    if ends.len() != n as usize {
        // An empty record, or a NUL inside a string: one string at a time.
        text.clear();
        ends.clear();
        for i in 0..n {
            text.push_str(&flat.get(i).as_string().unwrap_or_default());
            ends.push(text.len());
            text.push('\0');
        }
    }
    Ok(StringRecord { text, ends })
}

/// The text of a thrown or rejected value: an `Error`'s message, a string, or a fallback.
pub(crate) fn message_of(value: &JsValue) -> String {
    if let Some(e) = value.dyn_ref::<js_sys::Error>() {
        return String::from(e.message());
    }
    value
        .as_string()
        .unwrap_or_else(|| "an unknown error".to_owned())
}
