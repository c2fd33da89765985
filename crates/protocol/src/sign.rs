//! RPC signature, `SignatureMethod=HMAC-SHA1`, `SignatureVersion=1.0`.
//!
//! Three steps, each public and tested on its own so a `SignatureDoesNotMatch` can be debugged
//! by comparing with the server's string-to-sign: canonical query, string-to-sign, signature.

use base64::engine::general_purpose::STANDARD as BASE64;
use base64::Engine as _;
use hmac::{Hmac, KeyInit, Mac};
use sha1::Sha1;

use crate::canonical::sorted_by_name;
use crate::encode::{percent_encode_pieces, push_encoded};

/// HTTP method of a signed request; it is the first part of the string-to-sign.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Method {
    Get,
    Post,
}

impl Method {
    pub fn as_str(self) -> &'static str {
        match self {
            Method::Get => "GET",
            Method::Post => "POST",
        }
    }

    /// Parses `GET` or `POST` in any case; anything else is `None`.
    pub fn parse(s: &str) -> Option<Method> {
        if s.eq_ignore_ascii_case("GET") {
            Some(Method::Get)
        } else if s.eq_ignore_ascii_case("POST") {
            Some(Method::Post)
        } else {
            None
        }
    }
}

/// `METHOD & enc("/") & enc(canonical)`.
pub fn string_to_sign(method: Method, canonical_query: &str) -> String {
    let mut out = String::with_capacity(canonical_query.len() * 5 / 4 + 12);
    out.push_str(method.as_str());
    out.push_str("&%2F&");
    push_encoded(&mut out, canonical_query);
    out
}

/// [`crate::canonical::canonical_query`] and [`string_to_sign`] of sorted pairs in one pass over the encoder's
/// output: encoding the canonical query again only turns its `%`, `=` and `&` into `%25`, `%3D`
/// and `%26`, so each piece goes to both strings as it is made (signing's hot path).
fn canonical_and_string_to_sign(method: Method, pairs: &[(&str, &str)]) -> (String, String) {
    let mut canonical = String::with_capacity(256);
    let mut to_sign = String::with_capacity(320);
    to_sign.push_str(method.as_str());
    to_sign.push_str("&%2F&");
    for (i, (k, v)) in pairs.iter().enumerate() {
        if i > 0 {
            canonical.push('&');
            to_sign.push_str("%26");
        }
        push_both(&mut canonical, &mut to_sign, k);
        canonical.push('=');
        to_sign.push_str("%3D");
        push_both(&mut canonical, &mut to_sign, v);
    }
    (canonical, to_sign)
}

/// Appends `enc(text)` to the canonical query and `enc(enc(text))` to the string to sign.
fn push_both(canonical: &mut String, to_sign: &mut String, text: &str) {
    for piece in percent_encode_pieces(text) {
        canonical.push_str(piece);
        match piece.strip_prefix('%') {
            Some(hex) => {
                to_sign.push_str("%25");
                to_sign.push_str(hex);
            }
            None => to_sign.push_str(piece),
        }
    }
}

/// Base64(HMAC-SHA1(key = secret + "&", string_to_sign)).
pub fn signature(string_to_sign: &str, access_key_secret: &str) -> String {
    let mut key = Vec::with_capacity(access_key_secret.len() + 1);
    key.extend_from_slice(access_key_secret.as_bytes());
    key.push(b'&');
    // HMAC takes a key of any length (longer keys are hashed first): this cannot fail.
    let mut mac = <Hmac<Sha1>>::new_from_slice(&key).expect("HMAC accepts any key length");
    mac.update(string_to_sign.as_bytes());
    BASE64.encode(mac.finalize().into_bytes())
}

/// The three intermediate results of signing, as `signRpcRequest` returns them.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SignedParts {
    pub canonical_query: String,
    pub string_to_sign: String,
    pub signature: String,
}

/// Signs decoded parameters (a `Signature` among them is ignored).
pub fn sign_params<'a, I>(method: Method, params: I, access_key_secret: &str) -> SignedParts
where
    I: IntoIterator<Item = (&'a str, &'a str)>,
{
    let pairs = sorted_by_name(params.into_iter().filter(|(k, _)| *k != "Signature"));
    let (canonical_query, string_to_sign) = canonical_and_string_to_sign(method, &pairs);
    let signature = signature(&string_to_sign, access_key_secret);
    SignedParts {
        canonical_query,
        string_to_sign,
        signature,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Alibaba's public DescribeRegions example.
    const DESCRIBE_REGIONS: [(&str, &str); 8] = [
        ("AccessKeyId", "testid"),
        ("Action", "DescribeRegions"),
        ("Format", "XML"),
        ("SignatureMethod", "HMAC-SHA1"),
        ("SignatureNonce", "3ee8c1b8-83d3-44af-a94f-4e0ad82fd6cf"),
        ("SignatureVersion", "1.0"),
        ("Timestamp", "2016-02-23T12:46:24Z"),
        ("Version", "2014-05-26"),
    ];

    #[test]
    fn public_vector_get() {
        let s = sign_params(Method::Get, DESCRIBE_REGIONS, "testsecret");
        assert_eq!(
            s.canonical_query,
            "AccessKeyId=testid&Action=DescribeRegions&Format=XML&SignatureMethod=HMAC-SHA1\
             &SignatureNonce=3ee8c1b8-83d3-44af-a94f-4e0ad82fd6cf&SignatureVersion=1.0\
             &Timestamp=2016-02-23T12%3A46%3A24Z&Version=2014-05-26"
        );
        assert_eq!(
            s.string_to_sign,
            "GET&%2F&AccessKeyId%3Dtestid%26Action%3DDescribeRegions%26Format%3DXML\
             %26SignatureMethod%3DHMAC-SHA1%26SignatureNonce%3D3ee8c1b8-83d3-44af-a94f-4e0ad82fd6cf\
             %26SignatureVersion%3D1.0%26Timestamp%3D2016-02-23T12%253A46%253A24Z%26Version%3D2014-05-26"
        );
        assert_eq!(s.signature, "OLeaidS1JvxuMvnyHOwuJ+uX5qY=");
    }

    #[test]
    fn public_vector_post() {
        let s = sign_params(Method::Post, DESCRIBE_REGIONS, "testsecret");
        assert!(s
            .string_to_sign
            .starts_with("POST&%2F&AccessKeyId%3Dtestid"));
        assert_eq!(s.signature, "MxbnVAM4w6sft9xjVpe/GCKueuk=");
    }

    #[test]
    fn signature_param_is_ignored_and_order_does_not_matter() {
        let mut reversed: Vec<_> = DESCRIBE_REGIONS.to_vec();
        reversed.reverse();
        reversed.push(("Signature", "whatever"));
        let s = sign_params(Method::Get, reversed, "testsecret");
        assert_eq!(s.signature, "OLeaidS1JvxuMvnyHOwuJ+uX5qY=");
    }

    #[test]
    fn one_pass_agrees_with_the_two_steps() {
        let pairs = [
            ("Message", "a&b=c %25 100% 你好 ~*+/"),
            ("", ""),
            ("Key=1&", "x"),
            ("Timestamp", "2016-02-23T12:46:24Z"),
        ];
        for method in [Method::Get, Method::Post] {
            let s = sign_params(method, pairs, "secret");
            let canonical = crate::canonical::canonical_query(pairs);
            assert_eq!(s.canonical_query, canonical);
            assert_eq!(s.string_to_sign, string_to_sign(method, &canonical));
        }
    }

    #[test]
    fn method_parse() {
        assert_eq!(Method::parse("post"), Some(Method::Post));
        assert_eq!(Method::parse("GET"), Some(Method::Get));
        assert_eq!(Method::parse("PUT"), None);
    }
}
