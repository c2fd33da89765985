//! The common RPC parameters, and a signed request ready to send as a form body.

use crate::canonical::sorted_by_name;
use crate::credentials::Credentials;
use crate::encode::encode_pairs;
use crate::sign::{sign_params, Method};
use crate::time::{Calendar, Crates};

/// CAMS API version.
pub const CAMS_VERSION: &str = "2020-06-06";
/// STS API version.
pub const STS_VERSION: &str = "2015-04-01";

/// What varies per call besides the business parameters: the moment and a unique nonce.
#[derive(Clone, Debug)]
pub struct CallContext<'a> {
    pub action: &'a str,
    pub version: &'a str,
    pub unix_secs: i64,
    pub nonce: &'a str,
}

/// Every common parameter, the business parameters and `Signature`, in canonical order.
pub fn signed_params(
    method: Method,
    ctx: &CallContext<'_>,
    credentials: &Credentials,
    business: &[(&str, &str)],
) -> Vec<(String, String)> {
    signed_params_in(&Crates, method, ctx, credentials, business)
}

/// [`signed_params`], with `calendar` writing the `Timestamp`.
pub fn signed_params_in(
    calendar: &dyn Calendar,
    method: Method,
    ctx: &CallContext<'_>,
    credentials: &Credentials,
    business: &[(&str, &str)],
) -> Vec<(String, String)> {
    let timestamp = calendar.format_timestamp(ctx.unix_secs);
    let mut params: Vec<(&str, &str)> = vec![
        ("AccessKeyId", credentials.access_key_id.as_str()),
        ("Action", ctx.action),
        ("Format", "JSON"),
        ("SignatureMethod", "HMAC-SHA1"),
        ("SignatureNonce", ctx.nonce),
        ("SignatureVersion", "1.0"),
        ("Timestamp", timestamp.as_str()),
        ("Version", ctx.version),
    ];
    if let Some(token) = credentials.security_token.as_deref() {
        params.push(("SecurityToken", token));
    }
    params.extend_from_slice(business);
    let signature = sign_params(
        method,
        params.iter().copied(),
        &credentials.access_key_secret,
    )
    .signature;
    params.push(("Signature", &signature));
    sorted_by_name(params)
        .into_iter()
        .map(|(k, v)| (k.to_owned(), v.to_owned()))
        .collect()
}

/// `application/x-www-form-urlencoded` body (or query string) for the parameters.
pub fn form_body(params: &[(String, String)]) -> String {
    encode_pairs(params.iter().map(|(k, v)| (k.as_str(), v.as_str())))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::encode::parse_form;

    fn creds(token: Option<&str>) -> Credentials {
        Credentials {
            access_key_id: "testid".into(),
            access_key_secret: "testsecret".into(),
            security_token: token.map(Into::into),
        }
    }

    #[test]
    fn includes_every_common_parameter_and_a_verifiable_signature() {
        let ctx = CallContext {
            action: "CreatePhoneMessageQrdl",
            version: CAMS_VERSION,
            unix_secs: 1_456_231_584,
            nonce: "n-1",
        };
        let params = signed_params(
            Method::Post,
            &ctx,
            &creds(Some("tok")),
            &[("PhoneNumber", "8613800000000")],
        );
        let get = |k: &str| params.iter().find(|(n, _)| n == k).map(|(_, v)| v.as_str());
        assert_eq!(get("Timestamp"), Some("2016-02-23T12:46:24Z"));
        assert_eq!(get("SecurityToken"), Some("tok"));
        assert_eq!(get("Format"), Some("JSON"));
        let expected = sign_params(
            Method::Post,
            params.iter().map(|(k, v)| (k.as_str(), v.as_str())),
            "testsecret",
        );
        assert_eq!(get("Signature"), Some(expected.signature.as_str()));
    }

    #[test]
    fn no_security_token_for_long_term_keys() {
        let ctx = CallContext {
            action: "A",
            version: "V",
            unix_secs: 0,
            nonce: "n",
        };
        let params = signed_params(Method::Post, &ctx, &creds(None), &[]);
        assert!(params.iter().all(|(k, _)| k != "SecurityToken"));
    }

    #[test]
    fn form_body_round_trips() {
        let params = vec![
            ("a b".to_string(), "x+y=z&你".to_string()),
            ("c".into(), "".into()),
        ];
        assert_eq!(parse_form(&form_body(&params)), params);
    }
}
