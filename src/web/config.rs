//! Reading a `ClientConfig` object: the settings (checked by core::options) and which of the
//! three credential sources to use.

use std::rc::Rc;
use std::string::String;

use js_sys::{Function, Object};
use wasm_bindgen::JsValue;

use crate::web::http::header_object;
use crate::web::js::{
    get, has, object, opt_function, opt_number, opt_string, required_string, string_record,
};
use cams_protocol::credentials::Credentials;
use cams_protocol::error::CamsError;
use cams_protocol::options::{resolve, Options, RawOptions};

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
    /// A copy of the caller's checked `headers`, so later changes to theirs do not leak in.
    pub headers: Object,
    /// fetch's `credentials` mode.
    pub credentials: Option<&'static str>,
}

pub(crate) fn read_config(value: &JsValue) -> Result<Config, CamsError> {
    let config = object(value, "config")?;
    let options = resolve(&RawOptions {
        endpoint: opt_string(&config, "endpoint", "endpoint")?,
        region_id: opt_string(&config, "regionId", "regionId")?,
        timeout_ms: opt_number(&config, "timeoutMs", "timeoutMs")?,
        max_qps: opt_number(&config, "maxQps", "maxQps")?,
        max_retries: opt_number(&config, "maxRetries", "maxRetries")?,
    })?;
    let source = read_source(&get(&config, "credentials"))?;
    Ok(Config { options, source })
}

fn read_source(value: &JsValue) -> Result<Source, CamsError> {
    let creds = object(value, "credentials")?;
    if let Some(provider) = opt_function(&creds, "provider", "credentials.provider")? {
        return Ok(Source::Provider(provider));
    }
    if has(&creds, "stsRelayUrl") {
        return read_relay(&creds).map(Source::Relay);
    }
    if has(&creds, "accessKeyId") || has(&creds, "accessKeySecret") {
        return Ok(Source::Direct(Rc::new(Credentials {
            access_key_id: required_string(
                &creds,
                "accessKeyId",
                "credentials.accessKeyId",
                "credentials.accessKeyId is empty: give the AccessKey ID with its secret.",
            )?,
            access_key_secret: required_string(
                &creds,
                "accessKeySecret",
                "credentials.accessKeySecret",
                "credentials.accessKeySecret is empty: give the AccessKey secret with its ID.",
            )?,
            security_token: opt_string(&creds, "securityToken", "credentials.securityToken")?
                .filter(|t| !t.is_empty()),
        })));
    }
    Err(CamsError::invalid_parameter(
        "credentials",
        "credentials must hold accessKeyId and accessKeySecret, or stsRelayUrl (a cams-relay /sts URL), or provider (a function returning temporary credentials).",
    ))
}

fn read_relay(creds: &JsValue) -> Result<RelaySource, CamsError> {
    let url = required_string(
        creds,
        "stsRelayUrl",
        "credentials.stsRelayUrl",
        "credentials.stsRelayUrl is empty: give the relay's /sts URL.",
    )?;
    let headers = match get(creds, "headers") {
        h if h.is_undefined() || h.is_null() => header_object(&[]),
        h => header_object(&string_record(&h, "credentials.headers")?.pairs()),
    };
    let credentials = match opt_string(creds, "credentials", "credentials.credentials")?.as_deref()
    {
        None => None,
        Some("omit") => Some("omit"),
        Some("same-origin") => Some("same-origin"),
        Some("include") => Some("include"),
        Some(_) => {
            return Err(CamsError::invalid_parameter(
                "credentials.credentials",
                "credentials.credentials must be \"omit\", \"same-origin\" or \"include\".",
            ))
        }
    };
    Ok(RelaySource {
        url,
        headers,
        credentials,
    })
}
