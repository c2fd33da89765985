//! Reading caller-supplied JS values without trusting them: every mismatch is an
//! `InvalidParameter` naming the field, never a panic.

use alloc::{borrow::ToOwned, string::String, vec::Vec};
use js_sys::{Array, Function, Object, Reflect};
use wasm_bindgen::{JsCast, JsValue};

use crate::core::error::CamsError;

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

/// A plain object of strings (`Record<string, string>`), read with `Object.entries`.
pub(crate) fn string_record(
    value: &JsValue,
    field: &str,
) -> Result<Vec<(String, String)>, CamsError> {
    if !value.is_object() || Array::is_array(value) {
        return Err(CamsError::invalid_parameter(
            field,
            [field, " must be an object of strings."].concat(),
        ));
    }
    // Not `dyn_ref`: that tests `instanceof Object`, which `Object.create(null)` fails.
    let entries = Object::entries(value.unchecked_ref::<Object>());
    let mut out = Vec::with_capacity(entries.length() as usize);
    for entry in entries.iter() {
        let key = Reflect::get_u32(&entry, 0)
            .ok()
            .and_then(|k| k.as_string())
            .unwrap_or_default();
        let value = Reflect::get_u32(&entry, 1).ok().and_then(|v| v.as_string());
        match value {
            Some(v) => out.push((key, v)),
            None => {
                return Err(CamsError::invalid_parameter(
                    field,
                    [field, ".", &key, " must be a string."].concat(),
                ))
            }
        }
    }
    Ok(out)
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
