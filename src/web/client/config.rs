//! Reading a `ClientConfig` object: the settings (checked by `cams_protocol::options`) and which
//! of the three credential sources to use.

use std::rc::Rc;

use cams_protocol::credentials::Credentials;
use cams_protocol::error::CamsError;
use cams_protocol::options::{resolve, Options, RawOptions};
use js_sys::Function;
use serde::Deserialize;
use wasm_bindgen::{JsCast as _, JsValue};
use web_sys::RequestCredentials;

use crate::web::js::{read, Pairs};

pub(crate) struct Config {
    pub options: Options,
    pub source: Source,
}

/// Where signing keys come from.
pub(crate) enum Source {
    /// Keys given in the config (long-term, or an STS set the caller manages): never refreshed.
    Direct(Rc<Credentials>),
    /// `GET stsRelayUrl` returns temporary credentials.
    Relay(RelaySource),
    /// The caller's own async function returns them.
    Provider(Function),
}

pub(crate) struct RelaySource {
    pub url: String,
    /// A copy of the caller's `headers`, so later changes to theirs do not leak in.
    pub headers: Vec<(String, String)>,
    /// fetch's `credentials` mode.
    pub credentials: Option<RequestCredentials>,
}

/// `config.credentials`: the members of all three sources; which are present picks one.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RawCredentials {
    access_key_id: Option<String>,
    access_key_secret: Option<String>,
    security_token: Option<String>,
    sts_relay_url: Option<String>,
    headers: Option<Pairs>,
    credentials: Option<String>,
    #[serde(default, with = "serde_wasm_bindgen::preserve")]
    provider: JsValue,
}

pub(crate) fn read_config(value: &JsValue) -> Result<Config, CamsError> {
    let options = resolve(&read::<RawOptions>(value, "config")?)?;
    let credentials = js_sys::Reflect::get(value, &JsValue::from_str("credentials"))
        .unwrap_or(JsValue::UNDEFINED);
    let source = read_source(read(&credentials, "credentials").map_err(|e| {
        // The member paths are the caller's `credentials.*`.
        match e.field.as_deref() {
            Some("credentials") | None => e,
            Some(field) => CamsError::invalid_parameter(
                &format!("credentials.{field}"),
                format!("credentials.{}", e.message),
            ),
        }
    })?)?;
    Ok(Config { options, source })
}

fn read_source(c: RawCredentials) -> Result<Source, CamsError> {
    if !c.provider.is_undefined() && !c.provider.is_null() {
        let provider = c.provider.dyn_into::<Function>().map_err(|_| {
            CamsError::invalid_parameter(
                "credentials.provider",
                "credentials.provider must be a function.",
            )
        })?;
        return Ok(Source::Provider(provider));
    }
    if let Some(url) = c.sts_relay_url {
        return read_relay(url, c.headers, c.credentials.as_deref()).map(Source::Relay);
    }
    if c.access_key_id.is_some() || c.access_key_secret.is_some() {
        let required = |v: Option<String>, field: &str, missing: &str| match v {
            Some(s) if !s.trim().is_empty() => Ok(s),
            _ => Err(CamsError::invalid_parameter(field, missing)),
        };
        return Ok(Source::Direct(Rc::new(Credentials {
            access_key_id: required(
                c.access_key_id,
                "credentials.accessKeyId",
                "credentials.accessKeyId is empty: give the AccessKey ID with its secret.",
            )?,
            access_key_secret: required(
                c.access_key_secret,
                "credentials.accessKeySecret",
                "credentials.accessKeySecret is empty: give the AccessKey secret with its ID.",
            )?,
            security_token: c.security_token.filter(|t| !t.is_empty()),
        })));
    }
    Err(CamsError::invalid_parameter(
        "credentials",
        "credentials must hold accessKeyId and accessKeySecret, or stsRelayUrl (a cams-relay /sts URL), or provider (a function returning temporary credentials).",
    ))
}

fn read_relay(
    url: String,
    headers: Option<Pairs>,
    mode: Option<&str>,
) -> Result<RelaySource, CamsError> {
    if url.trim().is_empty() {
        return Err(CamsError::invalid_parameter(
            "credentials.stsRelayUrl",
            "credentials.stsRelayUrl is empty: give the relay's /sts URL.",
        ));
    }
    let credentials = match mode {
        None => None,
        Some("omit") => Some(RequestCredentials::Omit),
        Some("same-origin") => Some(RequestCredentials::SameOrigin),
        Some("include") => Some(RequestCredentials::Include),
        Some(_) => {
            return Err(CamsError::invalid_parameter(
                "credentials.credentials",
                "credentials.credentials must be \"omit\", \"same-origin\" or \"include\".",
            ))
        }
    };
    Ok(RelaySource {
        url,
        headers: headers.unwrap_or_default().0,
        credentials,
    })
}
