//! The tools module (feature `tools`, `cams-qrdl/tools` in the package): functions that send
//! nothing. `signRpcRequest` and `signAcs3Request` give the intermediate strings of both
//! signatures for a request, to compare with a gateway's `SignatureDoesNotMatch`;
//! `validateQrdlRequest` checks a request as the client would, for forms to show beside their
//! fields. The client signs and validates with the same `cams-protocol` code, so the rules live in
//! one place; a page that only creates codes never downloads these.

use cams_protocol::acs3::{sign as sign_acs3, Acs3Request};
use cams_protocol::error::CamsError;
use cams_protocol::sign::{sign_params, Method};
use cams_protocol::types::{Action, QrdlInput, QrdlSelector};
use cams_protocol::validate::{create_or_update_problems, list_or_delete_problems};
use js_sys::{Array, Object, Reflect, JSON};
use serde::de::DeserializeOwned;
use serde::Deserialize;
use wasm_bindgen::prelude::*;

use crate::web::error::{to_js_error, WebError};
use crate::web::js::{read, read_record, Pairs};

/// Reads a signer's argument from one string, the browser's `JSON.stringify` of it, parsed by
/// serde_json: one crossing instead of serde-wasm-bindgen's walk member by member, which cost
/// more than the signing itself (bench/sign.mjs). Whatever that does not read, `read` reads
/// again, so a bad member is named exactly as the client would name it.
fn read_fast<T: DeserializeOwned>(value: &JsValue, what: &str) -> Result<T, CamsError> {
    match json_text(value).map(|t| serde_json::from_str(&t)) {
        Some(Ok(v)) => Ok(v),
        _ => read(value, what),
    }
}

/// `JSON.stringify(value)` as a Rust string. wasm-bindgen's glue copies a string byte by byte in
/// JavaScript up to its first non-ASCII character and hands the rest to `TextEncoder.encodeInto`;
/// a `\u{80}` put in front sends the whole text through the native encoder, which for a signer's
/// few hundred characters is the faster of the two (bench/sign.mjs). The marker is dropped here.
fn json_text(value: &JsValue) -> Option<String> {
    let text = JSON::stringify(value).ok()?;
    let mut marked = js_sys::JsString::from("\u{80}").concat(&text).as_string()?;
    marked.replace_range(..'\u{80}'.len_utf8(), "");
    Some(marked)
}

/// A plain object of string members, set directly (three members: serde-wasm-bindgen's
/// serializer would cost more than the signature).
fn strings_object(members: &[(&str, &str)]) -> JsValue {
    let object = Object::new();
    for (k, v) in members {
        // Data properties on a fresh plain object: cannot fail.
        let _ = Reflect::set(&object, &JsValue::from_str(k), &JsValue::from_str(v));
    }
    object.into()
}

/// Signs RPC parameters and returns the intermediate strings, to compare with a gateway's
/// `SignatureDoesNotMatch` message. Sends nothing.
#[wasm_bindgen(js_name = signRpcRequest, unchecked_return_type = "SignedRequest")]
pub fn sign_rpc_request(
    #[wasm_bindgen(unchecked_param_type = "\"GET\" | \"POST\"")] method: JsValue,
    #[wasm_bindgen(unchecked_param_type = "Record<string, string>")] params: JsValue,
    #[wasm_bindgen(js_name = accessKeySecret, unchecked_param_type = "string")]
    access_key_secret: JsValue,
) -> Result<JsValue, JsValue> {
    let method = method
        .as_string()
        .and_then(|m| Method::parse(&m))
        .ok_or_else(|| {
            WebError::from(CamsError::invalid_parameter(
                "method",
                "method must be \"GET\" or \"POST\".",
            ))
        })?;
    let text = params.is_object().then(|| json_text(&params)).flatten();
    let secret = || {
        access_key_secret.as_string().ok_or_else(|| {
            WebError::from(CamsError::invalid_parameter(
                "accessKeySecret",
                "accessKeySecret must be a string.",
            ))
        })
    };
    // Borrowed from the JSON text when no string in it has an escape (the common case); else
    // owned; else read member by member, which names a bad member as the client would.
    let signed = match text.as_deref().map(serde_json::from_str::<Pairs<&str>>) {
        Some(Ok(Pairs(pairs))) => sign_params(method, pairs, &secret()?),
        _ => {
            let Pairs(owned) = text
                .as_deref()
                .and_then(|t| serde_json::from_str::<Pairs>(t).ok())
                .map_or_else(|| read_record(&params, "params"), Ok)
                .map_err(WebError::from)?;
            let pairs = owned.iter().map(|(k, v)| (k.as_str(), v.as_str()));
            sign_params(method, pairs, &secret()?)
        }
    };
    Ok(strings_object(&[
        ("canonicalQuery", &signed.canonical_query),
        ("stringToSign", &signed.string_to_sign),
        ("signature", &signed.signature),
    ]))
}

/// `signAcs3Request`'s request: what would go on the wire.
#[derive(Deserialize)]
struct RawAcs3Request {
    method: String,
    pathname: Option<String>,
    query: Option<Pairs>,
    headers: Pairs,
    body: Option<String>,
}

/// Signs a request with Signature V3 (ACS3-HMAC-SHA256) and returns the intermediate strings:
/// exactly the headers given are signed (names lowercased), `body` (empty when absent) is hashed
/// for the payload. Sends nothing.
#[wasm_bindgen(js_name = signAcs3Request, unchecked_return_type = "SignedAcs3Request")]
pub fn sign_acs3_request(
    #[wasm_bindgen(unchecked_param_type = "Acs3Request")] request: JsValue,
    #[wasm_bindgen(js_name = accessKeyId, unchecked_param_type = "string")] access_key_id: JsValue,
    #[wasm_bindgen(js_name = accessKeySecret, unchecked_param_type = "string")]
    access_key_secret: JsValue,
) -> Result<JsValue, JsValue> {
    let r: RawAcs3Request = read_fast(&request, "request").map_err(WebError::from)?;
    let string = |v: JsValue, field: &str| {
        v.as_string().ok_or_else(|| {
            WebError::from(CamsError::invalid_parameter(
                field,
                format!("{field} must be a string."),
            ))
        })
    };
    let id = string(access_key_id, "accessKeyId")?;
    let secret = string(access_key_secret, "accessKeySecret")?;
    let query = r.query.as_ref().map(Pairs::borrowed).unwrap_or_default();
    let headers = r.headers.borrowed();
    let signed = sign_acs3(
        &Acs3Request {
            method: &r.method,
            pathname: r.pathname.as_deref().unwrap_or("/"),
            query: &query,
            headers: &headers,
            body: r.body.as_deref().unwrap_or_default().as_bytes(),
        },
        &id,
        &secret,
    );
    Ok(strings_object(&[
        ("canonicalRequest", &signed.canonical_request),
        ("stringToSign", &signed.string_to_sign),
        ("authorization", &signed.authorization),
    ]))
}

/// Checks a request as the client would before sending it, and returns every problem (one
/// `CamsError` per field, empty when the request is valid): the page's forms show these beside
/// their fields, so the rules and their messages live in one place. Sends nothing.
#[wasm_bindgen(js_name = validateQrdlRequest, unchecked_return_type = "CamsError[]")]
pub fn validate_qrdl_request(
    #[wasm_bindgen(unchecked_param_type = "\"create\" | \"update\" | \"list\" | \"delete\"")]
    action: JsValue,
    #[wasm_bindgen(unchecked_param_type = "Partial<UpdateQrdlRequest>")] request: JsValue,
) -> Result<Array, JsValue> {
    let action = match action.as_string().as_deref() {
        Some("create") => Action::Create,
        Some("update") => Action::Update,
        Some("list") => Action::List,
        Some("delete") => Action::Delete,
        _ => {
            return Err(WebError::from(CamsError::invalid_parameter(
                "action",
                "action must be \"create\", \"update\", \"list\" or \"delete\".",
            ))
            .into())
        }
    };
    let problems = match action {
        Action::Create | Action::Update => read::<QrdlInput>(&request, "request")
            .map(|input| create_or_update_problems(&input, action)),
        Action::List | Action::Delete => read::<QrdlInput>(&request, "request")
            .map(|input| list_or_delete_problems(&QrdlSelector::from(input), action)),
    };
    let problems = problems.unwrap_or_else(|e| vec![e]);
    Ok(problems.iter().map(|e| to_js_error(e, None)).collect())
}

#[wasm_bindgen(typescript_custom_section)]
const TS_TYPES: &'static str = r#"
import type { CamsError, UpdateQrdlRequest } from "./cams_qrdl.js";

/** The three steps of an RPC signature (V2). */
export interface SignedRequest {
  canonicalQuery: string;
  stringToSign: string;
  signature: string;
}

/** A request as Signature V3 sees it; nothing is sent. */
export interface Acs3Request {
  /** As sent, e.g. "POST". */
  method: string;
  /** The path as it goes on the wire; default "/". */
  pathname?: string;
  /** The query parameters, decoded. */
  query?: Record<string, string>;
  /** Exactly the headers to sign (names in any case), values as sent. */
  headers: Record<string, string>;
  /** The body, hashed for the payload line; empty when absent. */
  body?: string;
}

/** The three steps of a Signature V3 (ACS3-HMAC-SHA256). */
export interface SignedAcs3Request {
  canonicalRequest: string;
  stringToSign: string;
  /** The whole Authorization header value. */
  authorization: string;
}
"#;
