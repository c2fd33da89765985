//! A whole signed V3 call to CAMS or STS: the query string or form body, and the headers to
//! send. The clock, the nonce and the host to sign are inputs.
//!
//! Every header the call sends but `authorization` is signed, and `host` too, though it is not
//! returned: the HTTP stack sets it (a browser may not), so the caller passes the value the
//! service will see. Through a pass-through that is the upstream's host, not the page's (the
//! relay publishes it as `camsHost` in `/relay.json`).

use super::{headers, sign, Acs3Request, SignedAcs3};
use crate::canonical::sorted_by_name;
use crate::credentials::Credentials;
use crate::encode::encode_pairs;
use crate::sign::Method;
use crate::time::{Calendar, Crates};

/// The form type of a body of parameters, signed like any `content-type`.
pub const FORM_CONTENT_TYPE: &str = "application/x-www-form-urlencoded";

/// Where the business parameters travel, and with which method.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Acs3Shape {
    /// `GET /?params`.
    GetQuery,
    /// `POST /?params` with an empty body: what the official SDKs send by default.
    PostQuery,
    /// `POST /` with the parameters as a form body (`content-type` signed, body hashed): what a
    /// browser sends through the relay, whose `/cams` takes no query string.
    PostForm,
}

impl Acs3Shape {
    pub fn method(self) -> Method {
        match self {
            Acs3Shape::GetQuery => Method::Get,
            Acs3Shape::PostQuery | Acs3Shape::PostForm => Method::Post,
        }
    }
}

/// What varies per call besides the business parameters.
#[derive(Clone, Copy, Debug)]
pub struct Acs3Call<'a> {
    pub shape: Acs3Shape,
    pub action: &'a str,
    pub version: &'a str,
    /// The `host` header the service will see (`name[:port]`, the port only when it is not the
    /// scheme's default).
    pub host: &'a str,
    pub unix_secs: i64,
    pub nonce: &'a str,
}

/// A signed call, ready to send.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PreparedAcs3 {
    pub method: Method,
    /// The parameters encoded for the URL (`?` not included); empty for [`Acs3Shape::PostForm`].
    pub query: String,
    /// The form body; empty unless [`Acs3Shape::PostForm`].
    pub body: String,
    /// The headers to send, lowercase names, `authorization` last. `host` is not among them.
    pub headers: Vec<(&'static str, String)>,
    /// The intermediate results, for `SignatureDoesNotMatch` debugging.
    pub signed: SignedAcs3,
}

/// Signs a call: the business parameters go where `call.shape` says, sorted and encoded so they
/// decode to exactly the signed values; the security token (STS credentials) travels as
/// `x-acs-security-token`.
pub fn prepare(
    call: &Acs3Call<'_>,
    credentials: &Credentials,
    business: &[(&str, &str)],
) -> PreparedAcs3 {
    prepare_in(&Crates, call, credentials, business)
}

/// [`prepare`], with `calendar` writing `x-acs-date`.
pub fn prepare_in(
    calendar: &dyn Calendar,
    call: &Acs3Call<'_>,
    credentials: &Credentials,
    business: &[(&str, &str)],
) -> PreparedAcs3 {
    let params = sorted_by_name(business.iter().copied());
    let encoded = encode_pairs(params.iter().copied());
    let (query, body) = match call.shape {
        Acs3Shape::GetQuery | Acs3Shape::PostQuery => (encoded, String::new()),
        Acs3Shape::PostForm => (String::new(), encoded),
    };
    let mut sent: Vec<(&'static str, String)> = Vec::with_capacity(8);
    if call.shape == Acs3Shape::PostForm {
        sent.push(("content-type", FORM_CONTENT_TYPE.to_owned()));
    }
    sent.extend([
        (headers::ACTION, call.action.to_owned()),
        (headers::VERSION, call.version.to_owned()),
        (headers::DATE, calendar.format_timestamp(call.unix_secs)),
        (headers::SIGNATURE_NONCE, call.nonce.to_owned()),
        (
            headers::CONTENT_SHA256,
            super::hashed_payload(body.as_bytes()),
        ),
    ]);
    if let Some(token) = credentials.security_token.as_deref() {
        sent.push((headers::SECURITY_TOKEN, token.to_owned()));
    }
    let mut signed_headers: Vec<(&str, &str)> = vec![("host", call.host)];
    signed_headers.extend(sent.iter().map(|(k, v)| (*k, v.as_str())));
    let query_params: &[(&str, &str)] = if query.is_empty() { &[] } else { &params };
    let method = call.shape.method();
    let signed = sign(
        &Acs3Request {
            method: method.as_str(),
            pathname: "/",
            query: query_params,
            headers: &signed_headers,
            body: body.as_bytes(),
        },
        &credentials.access_key_id,
        &credentials.access_key_secret,
    );
    sent.push(("authorization", signed.authorization.clone()));
    PreparedAcs3 {
        method,
        query,
        body,
        headers: sent,
        signed,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::acs3::{hashed_payload, Acs3Authorization};
    use crate::encode::parse_form;

    fn creds(token: Option<&str>) -> Credentials {
        Credentials {
            access_key_id: "LTAIid".into(),
            access_key_secret: "secret".into(),
            security_token: token.map(Into::into),
        }
    }

    fn call(shape: Acs3Shape) -> Acs3Call<'static> {
        Acs3Call {
            shape,
            action: "CreatePhoneMessageQrdl",
            version: "2020-06-06",
            host: "cams.ap-southeast-1.aliyuncs.com",
            unix_secs: 1_456_231_584,
            nonce: "n-1",
        }
    }

    const BUSINESS: [(&str, &str); 3] = [
        ("PrefilledMessage", "Hi & 你好 +1"),
        ("PhoneNumber", "8613800000000"),
        ("GenerateQrImage", "PNG"),
    ];

    fn header<'a>(p: &'a PreparedAcs3, name: &str) -> Option<&'a str> {
        p.headers
            .iter()
            .find(|(k, _)| *k == name)
            .map(|(_, v)| v.as_str())
    }

    #[test]
    fn post_query_matches_the_official_sdks_default() {
        let p = prepare(&call(Acs3Shape::PostQuery), &creds(None), &BUSINESS);
        assert_eq!(p.method, Method::Post);
        assert_eq!(p.body, "");
        assert_eq!(
            parse_form(&p.query),
            vec![
                ("GenerateQrImage".into(), "PNG".into()),
                ("PhoneNumber".into(), "8613800000000".into()),
                ("PrefilledMessage".into(), "Hi & 你好 +1".into()),
            ]
        );
        assert_eq!(header(&p, "content-type"), None);
        assert_eq!(header(&p, "x-acs-date"), Some("2016-02-23T12:46:24Z"));
        assert_eq!(
            header(&p, "x-acs-content-sha256"),
            Some(hashed_payload(b"").as_str())
        );
        assert_eq!(header(&p, "x-acs-security-token"), None);
        assert!(p.headers.iter().all(|(k, _)| *k != "host"));
        assert_eq!(p.headers.last().map(|(k, _)| *k), Some("authorization"));
        let auth = Acs3Authorization::parse(header(&p, "authorization").unwrap()).unwrap();
        assert_eq!(auth.credential, "LTAIid");
        assert_eq!(
            auth.signed_headers,
            [
                "host",
                "x-acs-action",
                "x-acs-content-sha256",
                "x-acs-date",
                "x-acs-signature-nonce",
                "x-acs-version"
            ]
        );
        assert!(p.signed.canonical_request.starts_with(
            "POST\n/\nGenerateQrImage=PNG&PhoneNumber=8613800000000&PrefilledMessage=Hi%20%26%20%E4%BD%A0%E5%A5%BD%20%2B1\nhost:cams.ap-southeast-1.aliyuncs.com\n"
        ));
    }

    #[test]
    fn post_form_signs_the_content_type_and_the_bodys_hash() {
        let p = prepare(&call(Acs3Shape::PostForm), &creds(Some("tok")), &BUSINESS);
        assert_eq!(p.query, "");
        assert_eq!(parse_form(&p.body).len(), 3);
        assert_eq!(header(&p, "content-type"), Some(FORM_CONTENT_TYPE));
        assert_eq!(
            header(&p, "x-acs-content-sha256"),
            Some(hashed_payload(p.body.as_bytes()).as_str())
        );
        assert_eq!(header(&p, "x-acs-security-token"), Some("tok"));
        let auth = Acs3Authorization::parse(header(&p, "authorization").unwrap()).unwrap();
        assert_eq!(auth.signed_headers[0], "content-type");
        assert!(auth.signed_headers.contains(&"x-acs-security-token"));
        // The canonical query is empty: the parameters are covered by the body's hash.
        assert!(p
            .signed
            .canonical_request
            .starts_with("POST\n/\n\ncontent-type:"));
        assert!(p
            .signed
            .canonical_request
            .ends_with(&hashed_payload(p.body.as_bytes())));
    }

    #[test]
    fn a_verifier_with_the_sent_request_gets_the_same_signature() {
        for shape in [
            Acs3Shape::GetQuery,
            Acs3Shape::PostQuery,
            Acs3Shape::PostForm,
        ] {
            let c = call(shape);
            let p = prepare(&c, &creds(Some("tok")), &BUSINESS);
            let query = parse_form(&p.query);
            let query: Vec<(&str, &str)> = query
                .iter()
                .map(|(k, v)| (k.as_str(), v.as_str()))
                .collect();
            let mut headers: Vec<(&str, &str)> = p
                .headers
                .iter()
                .filter(|(k, _)| *k != "authorization")
                .map(|(k, v)| (*k, v.as_str()))
                .collect();
            headers.push(("Host", c.host));
            let again = sign(
                &Acs3Request {
                    method: p.method.as_str(),
                    pathname: "/",
                    query: &query,
                    headers: &headers,
                    body: p.body.as_bytes(),
                },
                "LTAIid",
                "secret",
            );
            assert_eq!(again, p.signed, "{shape:?}");
        }
    }
}
