//! The gateway's checks for Signature V3 (`ACS3-HMAC-SHA256`), as Alibaba's "Request syntax and
//! signature method V3" describes them: the action and version come from `x-acs-action` and
//! `x-acs-version`, the time from `x-acs-date` (15 minutes either way), the key from the
//! `Authorization` header's `Credential`, the token from `x-acs-security-token`. The signature is
//! recomputed over the request as it arrived: its method and path, its query string (decoded,
//! then canonicalised), the headers `SignedHeaders` lists with the values they arrived with, and
//! the SHA-256 of the body received, which `x-acs-content-sha256` must equal. `host`,
//! `content-type` and every `x-acs-*` header present must be signed. The parameters the service
//! sees are the query's and a form body's, merged as for V2.
//!
//! Where the real gateway's wording for a V3 fault is not documented, the emulator gives the code
//! and message V2 gives for the same fault, naming the header (docs/errors.md lists them).

use axum::http::{header, HeaderMap};
use cams_protocol::acs3::{
    self, hashed_payload, headers as h, Acs3Authorization, Acs3Request, AuthorizationError,
};
use cams_protocol::encode::parse_form;
use cams_protocol::time::parse_timestamp;

use crate::errors::{self, ApiError};
use crate::gateway::{check_nonce, resolve_caller, Api, Authenticated, Incoming};
use crate::{Emulator, WINDOW_SECS};

/// Every value a header arrived with, trimmed and joined with `,` (as the signers join repeated
/// names); `None` when it is absent or not text.
pub fn header_value(headers: &HeaderMap, name: &str) -> Option<String> {
    let mut values = Vec::new();
    for v in headers.get_all(name) {
        values.push(v.to_str().ok()?.trim());
    }
    if values.is_empty() {
        return None;
    }
    values.sort_unstable();
    Some(values.join(","))
}

/// A header the request must carry, non-empty.
fn required(headers: &HeaderMap, name: &str) -> Result<String, ApiError> {
    header_value(headers, name)
        .filter(|v| !v.is_empty())
        .ok_or_else(|| errors::missing_parameter(name))
}

/// Runs every V3 check, in the order the gateway reports faults: the action and version, the
/// other common headers, the date, the `Authorization` header and what it signs, the key and its
/// token, the signature, the nonce.
pub fn authenticate(emu: &Emulator, incoming: &Incoming<'_>) -> Result<Authenticated, ApiError> {
    let method = incoming.method.as_str();
    if method != "GET" && method != "POST" {
        return Err(errors::unsupported_http_method());
    }
    let headers = incoming.headers;
    let action = required(headers, h::ACTION)?;
    let api = Api::from_action(&action).ok_or_else(errors::action_not_found)?;
    let version = required(headers, h::VERSION)?;
    if version != api.version() {
        return Err(errors::invalid_version(&version, api.name(), api.version()));
    }
    let date = required(headers, h::DATE)?;
    let nonce = required(headers, h::SIGNATURE_NONCE)?;
    let content_sha256 = required(headers, h::CONTENT_SHA256)?;

    // Exactly `YYYY-MM-DDThh:mm:ssZ`, as for V2's Timestamp.
    let date = Some(date.as_str())
        .filter(|t| t.len() == "2006-01-02T15:04:05Z".len())
        .and_then(parse_timestamp)
        .ok_or_else(errors::timestamp_format)?;
    let now = emu.clock.now_secs();
    if (date - now).abs() > WINDOW_SECS {
        return Err(errors::timestamp_expired());
    }

    let mut authorizations = headers.get_all(header::AUTHORIZATION).iter();
    let (Some(value), None) = (authorizations.next(), authorizations.next()) else {
        return Err(errors::incomplete_signature_because(
            "send exactly one Authorization header",
        ));
    };
    let value = value.to_str().map_err(|_| {
        errors::incomplete_signature_because("the Authorization header is not text")
    })?;
    let auth = Acs3Authorization::parse(value).map_err(|e| match e {
        AuthorizationError::UnsupportedAlgorithm(_) => errors::invalid_signature_method(),
        other => errors::incomplete_signature_because(&other.to_string()),
    })?;
    check_signed_headers(headers, &auth)?;

    let token = header_value(headers, h::SECURITY_TOKEN);
    let (caller, secret) = resolve_caller(emu, auth.credential, token.as_deref(), now)?;

    let body_hash = hashed_payload(incoming.body);
    if content_sha256 != body_hash {
        return Err(errors::content_sha256_mismatch(&body_hash));
    }

    let signed_values: Vec<(&str, String)> = auth
        .signed_headers
        .iter()
        .map(|name| (*name, header_value(headers, name).unwrap_or_default()))
        .collect();
    let signed_pairs: Vec<(&str, &str)> = signed_values
        .iter()
        .map(|(k, v)| (*k, v.as_str()))
        .collect();
    let query = parse_form(incoming.query.unwrap_or_default());
    let query_pairs: Vec<(&str, &str)> = query
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    let expected = acs3::sign(
        &Acs3Request {
            method,
            pathname: incoming.path,
            query: &query_pairs,
            headers: &signed_pairs,
            body: incoming.body,
        },
        auth.credential,
        &secret,
    );
    if acs3::signature(&expected.string_to_sign, &secret) != auth.signature {
        return Err(errors::signature_does_not_match(&expected.string_to_sign));
    }

    check_nonce(emu, &nonce, now)?;
    Ok(Authenticated {
        api,
        caller,
        params: incoming.params(),
    })
}

/// Every header the request carries that must be signed is listed, and every listed header is
/// there: the request's signed part is exactly what the gateway can check.
fn check_signed_headers(headers: &HeaderMap, auth: &Acs3Authorization<'_>) -> Result<(), ApiError> {
    for name in headers.keys() {
        let name = name.as_str();
        if h::must_be_signed(name) && !auth.signed_headers.contains(&name) {
            return Err(errors::incomplete_signature_because(&format!(
                "the header {name} must be signed: list it in SignedHeaders"
            )));
        }
    }
    for name in &auth.signed_headers {
        if !headers.contains_key(*name) {
            return Err(errors::incomplete_signature_because(&format!(
                "SignedHeaders lists {name}, which the request does not carry"
            )));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    #[test]
    fn repeated_headers_are_joined_sorted_as_signers_join_them() {
        let mut map = HeaderMap::new();
        map.append("x-acs-a", HeaderValue::from_static(" b "));
        map.append("x-acs-a", HeaderValue::from_static("a"));
        assert_eq!(header_value(&map, "x-acs-a").as_deref(), Some("a,b"));
        assert_eq!(header_value(&map, "x-acs-b"), None);
        map.insert("x-acs-c", HeaderValue::from_bytes(b"\xff").unwrap());
        assert_eq!(header_value(&map, "x-acs-c"), None);
    }
}
