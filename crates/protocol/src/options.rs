//! The client's settings, checked and defaulted: where calls go, how long to wait, how fast.

use crate::error::CamsError;

/// The only region the official SDKs' endpoint map lists.
pub const DEFAULT_REGION: &str = "ap-southeast-1";
pub const DEFAULT_TIMEOUT_MS: u32 = 10_000;
/// CAMS's documented limit: 5 calls per second per user.
pub const DEFAULT_MAX_QPS: f64 = 5.0;
/// Retries of throttled and 5xx calls (the official SDKs retry nothing by default).
pub const DEFAULT_MAX_RETRIES: u32 = 3;
/// The largest delay `setTimeout` honours (2^31 - 1 ms); larger ones fire at once.
pub const MAX_TIMEOUT_MS: f64 = 2_147_483_647.0;
const MAX_RETRIES_CAP: f64 = 10.0;

/// Settings as the caller gave them (JavaScript's `ClientConfig` without its credentials); every
/// one may be absent or null.
#[derive(Clone, Debug, Default, PartialEq, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RawOptions {
    pub endpoint: Option<String>,
    pub region_id: Option<String>,
    pub timeout_ms: Option<f64>,
    pub max_qps: Option<f64>,
    pub max_retries: Option<f64>,
    /// `"v3"` (the default, ACS3-HMAC-SHA256) or `"v2"` (the RPC signature, HMAC-SHA1).
    pub signature_version: Option<String>,
    /// The `host` a V3 signature is made for, when the endpoint is a pass-through that is not
    /// a cams-relay (which says it in `/relay.json`).
    pub signing_host: Option<String>,
}

/// How requests are signed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SignatureVersion {
    /// ACS3-HMAC-SHA256, what Alibaba's SDKs send by default and its documentation recommends.
    V3,
    /// The RPC signature (HMAC-SHA1, `SignatureVersion=1.0`).
    V2,
}

/// Settings ready to use.
#[derive(Clone, Debug, PartialEq)]
pub struct Options {
    /// The URL the signed form is POSTed to, as given or built from the region.
    pub endpoint: String,
    pub timeout_ms: u32,
    pub max_qps: f64,
    pub max_retries: u32,
    pub signature_version: SignatureVersion,
    pub signing_host: Option<String>,
}

/// `https://cams.<region>.aliyuncs.com`, the SDKs' rule for every region.
pub fn endpoint_for_region(region_id: &str) -> String {
    ["https://cams.", region_id, ".aliyuncs.com"].concat()
}

/// Checks and defaults the settings; a bad one is an `InvalidParameter` naming it.
pub fn resolve(raw: &RawOptions) -> Result<Options, CamsError> {
    let endpoint = match (&raw.endpoint, &raw.region_id) {
        (Some(url), _) => endpoint(url)?,
        (None, Some(region)) => endpoint_for_region(&region_id(region)?),
        (None, None) => endpoint_for_region(DEFAULT_REGION),
    };
    let timeout_ms = match raw.timeout_ms {
        None => DEFAULT_TIMEOUT_MS,
        Some(ms) if (1.0..=MAX_TIMEOUT_MS).contains(&ms) => ms.round() as u32,
        Some(_) => {
            return Err(CamsError::invalid_parameter(
                "timeoutMs",
                "timeoutMs must be a number of milliseconds from 1 to 2147483647.",
            ))
        }
    };
    let max_qps = match raw.max_qps {
        None => DEFAULT_MAX_QPS,
        Some(q) if q.is_finite() && q > 0.0 => q,
        Some(_) => {
            return Err(CamsError::invalid_parameter(
                "maxQps",
                "maxQps must be a positive number of calls per second (CAMS allows 5).",
            ))
        }
    };
    let max_retries = match raw.max_retries {
        None => DEFAULT_MAX_RETRIES,
        Some(n) if n.fract() == 0.0 && (0.0..=MAX_RETRIES_CAP).contains(&n) => n as u32,
        Some(_) => {
            return Err(CamsError::invalid_parameter(
                "maxRetries",
                "maxRetries must be a whole number from 0 to 10.",
            ))
        }
    };
    let signature_version = match raw.signature_version.as_deref() {
        None | Some("v3") => SignatureVersion::V3,
        Some("v2") => SignatureVersion::V2,
        Some(_) => {
            return Err(CamsError::invalid_parameter(
                "signatureVersion",
                "signatureVersion must be \"v3\" (ACS3-HMAC-SHA256, the default) or \"v2\".",
            ))
        }
    };
    let signing_host = match raw.signing_host.as_deref().map(str::trim) {
        None => None,
        Some(host) if is_host(host) => Some(host.to_ascii_lowercase()),
        Some(_) => {
            return Err(CamsError::invalid_parameter(
                "signingHost",
                "signingHost must be a host name with an optional port, such as cams.ap-southeast-1.aliyuncs.com.",
            ))
        }
    };
    Ok(Options {
        endpoint,
        timeout_ms,
        max_qps,
        max_retries,
        signature_version,
        signing_host,
    })
}

/// `name[:port]`: letters, digits, dots and dashes (or a bracketed IPv6 address), then an
/// optional port.
fn is_host(s: &str) -> bool {
    let (name, port) = match s.rsplit_once(':') {
        Some((name, port)) if !name.ends_with(':') && !port.contains(']') => (name, Some(port)),
        _ => (s, None),
    };
    let name_ok = if let Some(v6) = name.strip_prefix('[').and_then(|n| n.strip_suffix(']')) {
        !v6.is_empty()
            && v6
                .bytes()
                .all(|b| b.is_ascii_hexdigit() || b == b':' || b == b'.')
    } else {
        !name.is_empty()
            && name
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'.' || b == b'-')
    };
    let port_ok =
        port.is_none_or(|p| !p.is_empty() && p.len() <= 5 && p.bytes().all(|b| b.is_ascii_digit()));
    name_ok && port_ok
}

/// An absolute http(s) URL, or a path on the page's own origin (a same-origin proxy).
fn endpoint(url: &str) -> Result<String, CamsError> {
    let url = url.trim();
    // The browser's URL parser drops tabs and newlines and reads `\` as `/`, so "/\\evil" would
    // escape the `//` check below and send a signed request to another host.
    let clean = !url
        .chars()
        .any(|c| c.is_control() || c.is_whitespace() || c == '\\');
    let scheme_ok = ["http://", "https://"].iter().any(|s| {
        url.get(..s.len())
            .is_some_and(|p| p.eq_ignore_ascii_case(s) && url.len() > s.len())
    });
    if clean && (scheme_ok || (url.starts_with('/') && !url.starts_with("//"))) {
        Ok(url.to_owned())
    } else {
        Err(CamsError::invalid_parameter(
            "endpoint",
            "endpoint must be an http:// or https:// URL (a CAMS endpoint or a cams-relay /cams URL) or a path such as /cams.",
        ))
    }
}

/// Lowercase letters, digits and dashes, so the host built from it stays the intended one.
fn region_id(region: &str) -> Result<String, CamsError> {
    let region = region.trim();
    if !region.is_empty()
        && region.len() <= 64
        && region
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
    {
        Ok(region.to_owned())
    } else {
        Err(CamsError::invalid_parameter(
            "regionId",
            "regionId must be a region ID such as ap-southeast-1.",
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults() {
        let o = resolve(&RawOptions::default()).unwrap();
        assert_eq!(o.endpoint, "https://cams.ap-southeast-1.aliyuncs.com");
        assert_eq!(
            (o.timeout_ms, o.max_qps, o.max_retries),
            (DEFAULT_TIMEOUT_MS, DEFAULT_MAX_QPS, DEFAULT_MAX_RETRIES)
        );
    }

    #[test]
    fn endpoint_wins_over_region_and_is_kept_as_is() {
        let o = resolve(&RawOptions {
            endpoint: Some("http://127.0.0.1:8080/cams".into()),
            region_id: Some("cn-hangzhou".into()),
            ..Default::default()
        })
        .unwrap();
        assert_eq!(o.endpoint, "http://127.0.0.1:8080/cams");
        let o = resolve(&RawOptions {
            region_id: Some("cn-hangzhou".into()),
            ..Default::default()
        })
        .unwrap();
        assert_eq!(o.endpoint, "https://cams.cn-hangzhou.aliyuncs.com");
        assert_eq!(
            resolve(&RawOptions {
                endpoint: Some("/cams".into()),
                ..Default::default()
            })
            .unwrap()
            .endpoint,
            "/cams"
        );
    }

    #[test]
    fn bad_settings_name_their_field() {
        let cases: [(RawOptions, &str); 8] = [
            (
                RawOptions {
                    endpoint: Some("ftp://x".into()),
                    ..Default::default()
                },
                "endpoint",
            ),
            (
                RawOptions {
                    endpoint: Some("//evil.example".into()),
                    ..Default::default()
                },
                "endpoint",
            ),
            (
                RawOptions {
                    endpoint: Some("https://".into()),
                    ..Default::default()
                },
                "endpoint",
            ),
            (
                RawOptions {
                    region_id: Some("x.evil.com/".into()),
                    ..Default::default()
                },
                "regionId",
            ),
            (
                RawOptions {
                    timeout_ms: Some(0.0),
                    ..Default::default()
                },
                "timeoutMs",
            ),
            (
                RawOptions {
                    timeout_ms: Some(f64::NAN),
                    ..Default::default()
                },
                "timeoutMs",
            ),
            (
                RawOptions {
                    max_qps: Some(-1.0),
                    ..Default::default()
                },
                "maxQps",
            ),
            (
                RawOptions {
                    max_retries: Some(1.5),
                    ..Default::default()
                },
                "maxRetries",
            ),
        ];
        for (raw, field) in cases {
            let e = resolve(&raw).unwrap_err();
            assert_eq!(
                (e.code.as_str(), e.field.as_deref()),
                ("InvalidParameter", Some(field)),
                "{raw:?}"
            );
        }
    }

    #[test]
    fn numbers_in_range_are_kept() {
        let o = resolve(&RawOptions {
            timeout_ms: Some(250.0),
            max_qps: Some(2.5),
            max_retries: Some(0.0),
            ..Default::default()
        })
        .unwrap();
        assert_eq!((o.timeout_ms, o.max_qps, o.max_retries), (250, 2.5, 0));
    }

    #[test]
    fn signature_versions_and_signing_hosts() {
        let with = |v: Option<&str>, h: Option<&str>| {
            resolve(&RawOptions {
                signature_version: v.map(Into::into),
                signing_host: h.map(Into::into),
                ..RawOptions::default()
            })
        };
        assert_eq!(
            with(None, None).unwrap().signature_version,
            SignatureVersion::V3
        );
        assert_eq!(
            with(Some("v2"), None).unwrap().signature_version,
            SignatureVersion::V2
        );
        assert_eq!(
            with(Some("V3"), None).unwrap_err().field.as_deref(),
            Some("signatureVersion")
        );
        for good in [
            "cams.ap-southeast-1.aliyuncs.com",
            "127.0.0.1:18081",
            "[::1]:8081",
            "Host",
        ] {
            assert!(with(None, Some(good)).is_ok(), "{good}");
        }
        assert_eq!(
            with(None, Some("Cams.Example"))
                .unwrap()
                .signing_host
                .as_deref(),
            Some("cams.example")
        );
        for bad in ["", "https://x", "a/b", "x:", "x:123456", "a b", "x@y"] {
            assert_eq!(
                with(None, Some(bad)).unwrap_err().field.as_deref(),
                Some("signingHost"),
                "{bad}"
            );
        }
    }
}
