//! The API gateway in front of both services. A request with an `Authorization` header is signed
//! with V3 (`ACS3-HMAC-SHA256`, checked in [`crate::acs3_gateway`]); any other with V2 (RPC
//! HMAC-SHA1), checked here: it decodes the query string and the form body and merges them (the
//! body wins), checks every common parameter, the timestamp window, the key and its
//! SecurityToken, recomputes the signature with the shared signer from the decoded values and
//! the request's method, and refuses a repeated nonce. The order of the checks follows what the
//! real gateway reports first for a request with several faults.

use std::collections::BTreeMap;

use axum::http::{header, HeaderMap, Method as HttpMethod};
use base64::Engine as _;
use cams_protocol::acs3;
use cams_protocol::encode::parse_form;
use cams_protocol::params::{CAMS_VERSION, STS_VERSION};
use cams_protocol::sign::{sign_params, Method};
use cams_protocol::time::parse_timestamp;
use cams_protocol::types::Action;

use crate::errors::{self, ApiError};
use crate::keys::{KeyKind, Session};
use crate::reply::Product;
use crate::{lock, Emulator, WINDOW_SECS};

/// Decoded, merged request parameters, by name.
pub type Params = BTreeMap<String, String>;

/// The parameters of a request: the query's, then the form body's over them. The body counts
/// only when its type is `application/x-www-form-urlencoded`, as at the real gateway.
pub fn merge_params(query: Option<&str>, content_type: Option<&str>, body: &[u8]) -> Params {
    let mut params = Params::new();
    if let Some(q) = query {
        params.extend(parse_form(q));
    }
    let is_form = content_type.is_some_and(|ct| {
        ct.split(';').next().is_some_and(|m| {
            m.trim()
                .eq_ignore_ascii_case("application/x-www-form-urlencoded")
        })
    });
    if is_form && !body.is_empty() {
        params.extend(parse_form(&String::from_utf8_lossy(body)));
    }
    params
}

/// The APIs the emulator serves.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Api {
    Cams(Action),
    AssumeRole,
}

impl Api {
    pub fn from_action(name: &str) -> Option<Api> {
        if name == "AssumeRole" {
            Some(Api::AssumeRole)
        } else {
            Action::from_name(name).map(Api::Cams)
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Api::Cams(a) => a.name(),
            Api::AssumeRole => "AssumeRole",
        }
    }

    /// The one Version each API answers to.
    pub fn version(self) -> &'static str {
        match self {
            Api::Cams(_) => CAMS_VERSION,
            Api::AssumeRole => STS_VERSION,
        }
    }

    pub fn product(self) -> Product {
        match self {
            Api::Cams(_) => Product::Cams,
            Api::AssumeRole => Product::Sts,
        }
    }
}

/// Who signed the request.
#[derive(Clone, Debug)]
pub enum Caller {
    LongTerm { access_key_id: String },
    Temporary(Session),
}

impl Caller {
    /// The key that signed the request.
    pub fn key(&self) -> &str {
        match self {
            Caller::LongTerm { access_key_id } => access_key_id,
            Caller::Temporary(s) => &s.access_key_id,
        }
    }

    /// The account the request acts for: a long-term key is one; temporary credentials act for
    /// the key that assumed the role.
    pub fn account(&self) -> &str {
        match self {
            Caller::LongTerm { access_key_id } => access_key_id,
            Caller::Temporary(s) => &s.parent_access_key_id,
        }
    }
}

/// A request that passed every gateway check.
#[derive(Debug)]
pub struct Authenticated {
    pub api: Api,
    pub caller: Caller,
    pub params: Params,
}

/// A request as it reached the gateway.
#[derive(Clone, Copy, Debug)]
pub struct Incoming<'a> {
    pub method: &'a HttpMethod,
    /// The path as sent (percent-encoded), `/` for the API.
    pub path: &'a str,
    pub query: Option<&'a str>,
    pub headers: &'a HeaderMap,
    pub body: &'a [u8],
}

impl Incoming<'_> {
    /// Whether the request is signed with V3: it carries an `Authorization` header.
    pub fn is_acs3(&self) -> bool {
        self.headers.contains_key(header::AUTHORIZATION)
    }

    /// The request's parameters, query and form body merged (see [`merge_params`]).
    pub fn params(&self) -> Params {
        let content_type = self
            .headers
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok());
        merge_params(self.query, content_type, self.body)
    }

    /// The action the request names, before any check: `x-acs-action` for V3, `Action` for V2.
    pub fn action_name(&self) -> Option<String> {
        if self.is_acs3() {
            crate::acs3_gateway::header_value(self.headers, acs3::headers::ACTION)
        } else {
            self.params().remove("Action")
        }
    }
}

/// Runs every gateway check of the request's signature version.
pub fn authenticate_request(
    emu: &Emulator,
    incoming: &Incoming<'_>,
) -> Result<Authenticated, ApiError> {
    if incoming.is_acs3() {
        return crate::acs3_gateway::authenticate(emu, incoming);
    }
    let method =
        Method::parse(incoming.method.as_str()).ok_or_else(errors::unsupported_http_method)?;
    authenticate(emu, method, incoming.params())
}

/// The common parameters every signed request carries, in the order they are checked.
const REQUIRED_COMMON: [&str; 7] = [
    "AccessKeyId",
    "Format",
    "SignatureMethod",
    "SignatureNonce",
    "SignatureVersion",
    "Timestamp",
    "Signature",
];

/// Runs every gateway check on merged parameters.
pub fn authenticate(
    emu: &Emulator,
    method: Method,
    params: Params,
) -> Result<Authenticated, ApiError> {
    let get = |name: &str| {
        params
            .get(name)
            .map(String::as_str)
            .filter(|v| !v.is_empty())
    };

    let action = get("Action").ok_or_else(|| errors::missing_parameter("Action"))?;
    let api = Api::from_action(action).ok_or_else(errors::action_not_found)?;
    let version = get("Version").ok_or_else(|| errors::missing_parameter("Version"))?;
    if version != api.version() {
        return Err(errors::invalid_version(version, api.name(), api.version()));
    }
    for name in REQUIRED_COMMON {
        if get(name).is_none() {
            return Err(errors::missing_parameter(name));
        }
    }
    let value = |name: &str| get(name).unwrap_or_default();

    let format = value("Format");
    if !format.eq_ignore_ascii_case("JSON") {
        return Err(errors::invalid_format(format));
    }
    if value("SignatureMethod") != "HMAC-SHA1" {
        return Err(errors::invalid_signature_method());
    }
    if value("SignatureVersion") != "1.0" {
        return Err(errors::invalid_signature_version());
    }
    // Exactly `YYYY-MM-DDThh:mm:ssZ`: the gateway refuses fractional seconds.
    let timestamp = Some(value("Timestamp"))
        .filter(|t| t.len() == "2006-01-02T15:04:05Z".len())
        .and_then(parse_timestamp)
        .ok_or_else(errors::timestamp_format)?;
    let now = emu.clock.now_secs();
    if (timestamp - now).abs() > WINDOW_SECS {
        return Err(errors::timestamp_expired());
    }
    let signature = value("Signature");
    let well_formed = base64::engine::general_purpose::STANDARD
        .decode(signature)
        .is_ok_and(|raw| raw.len() == 20);
    if !well_formed {
        return Err(errors::incomplete_signature());
    }

    let token = params.get("SecurityToken").map(String::as_str);
    let (caller, secret) = resolve_caller(emu, value("AccessKeyId"), token, now)?;

    let expected = sign_params(
        method,
        params.iter().map(|(k, v)| (k.as_str(), v.as_str())),
        &secret,
    );
    if expected.signature != signature {
        return Err(errors::signature_does_not_match(&expected.string_to_sign));
    }

    check_nonce(emu, value("SignatureNonce"), now)?;
    Ok(Authenticated {
        api,
        caller,
        params,
    })
}

/// The key that signed a request and its secret, after the SecurityToken checks (both versions
/// share them): an unknown key, a token with a long-term key, a temporary key without its own
/// token, or an expired one are refused.
pub(crate) fn resolve_caller(
    emu: &Emulator,
    access_key_id: &str,
    token: Option<&str>,
    now: i64,
) -> Result<(Caller, String), ApiError> {
    let keys = lock(&emu.keys);
    let token = token.filter(|t| !t.is_empty());
    let foreign_token = |t: &str| {
        if keys.token_owner(t).is_some() {
            errors::security_token_mismatch()
        } else {
            errors::security_token_malformed()
        }
    };
    match keys.lookup(access_key_id) {
        None => Err(errors::access_key_not_found()),
        Some(KeyKind::LongTerm { secret }) => match token {
            Some(t) => Err(foreign_token(t)),
            None => {
                let caller = Caller::LongTerm {
                    access_key_id: access_key_id.to_owned(),
                };
                Ok((caller, secret))
            }
        },
        Some(KeyKind::Temporary(session)) => {
            let t = token.ok_or_else(errors::missing_security_token)?;
            if t != session.security_token {
                return Err(foreign_token(t));
            }
            if now >= session.expires_at {
                return Err(errors::security_token_expired());
            }
            let secret = session.access_key_secret.clone();
            Ok((Caller::Temporary(session), secret))
        }
    }
}

/// Refuses a nonce seen in the window; remembers it otherwise. The last check, as at the
/// gateway: a refused request does not use up its nonce.
pub(crate) fn check_nonce(emu: &Emulator, nonce: &str, now: i64) -> Result<(), ApiError> {
    if lock(&emu.nonces).check_and_insert(nonce, now, WINDOW_SECS) {
        Ok(())
    } else {
        Err(errors::nonce_used())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn body_wins_over_query_and_needs_the_form_type() {
        let p = merge_params(
            Some("A=1&B=q&C=%2B+x"),
            Some("Application/X-WWW-Form-Urlencoded; charset=UTF-8"),
            b"B=b&D=4",
        );
        let got: Vec<_> = p.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
        assert_eq!(got, vec![("A", "1"), ("B", "b"), ("C", "+ x"), ("D", "4")]);

        let json_body = merge_params(Some("A=1"), Some("application/json"), b"B=2");
        assert_eq!(json_body.len(), 1);
        let no_type = merge_params(None, None, b"B=2");
        assert!(no_type.is_empty());
    }

    #[test]
    fn api_routing() {
        assert_eq!(Api::from_action("AssumeRole"), Some(Api::AssumeRole));
        assert_eq!(
            Api::from_action("ListPhoneMessageQrdl"),
            Some(Api::Cams(Action::List))
        );
        assert_eq!(Api::from_action("DescribeRegions"), None);
        assert_eq!(Api::AssumeRole.version(), "2015-04-01");
        assert_eq!(Api::Cams(Action::Create).version(), "2020-06-06");
    }
}
