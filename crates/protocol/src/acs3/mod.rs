//! Signature V3, `ACS3-HMAC-SHA256`: the scheme Alibaba's current SDKs sign with by default.
//!
//! The steps live in small files, each public and tested on its own so a `SignatureDoesNotMatch`
//! can be traced to the step that differs: the canonical request ([`canonical_request`]), the
//! string to sign and the signature ([`string_to_sign`]), the `Authorization` header
//! ([`authorization`], which also parses it for the verifying side). [`call`] builds a whole
//! CAMS or STS request from an action and its parameters.
//!
//! Unlike V2, the parameters are not the signed unit: the query string is canonicalised, the body
//! is only hashed, and the request headers (`host`, `content-type`, every `x-acs-*`) are signed
//! by name. The signing key is the AccessKeySecret itself (V2 appends `&`).

pub mod authorization;
pub mod call;
pub mod canonical_request;
pub mod string_to_sign;

pub use authorization::{authorization, Acs3Authorization, AuthorizationError};
pub use call::{prepare, prepare_in, Acs3Call, Acs3Shape, PreparedAcs3};
pub use canonical_request::{
    canonical_headers, canonical_query, canonical_request, canonical_uri, hashed_payload,
    CanonicalHeaders,
};
pub use string_to_sign::{signature, string_to_sign};

/// The algorithm name: the first word of `Authorization` and the first line of the string to
/// sign.
pub const ALGORITHM: &str = "ACS3-HMAC-SHA256";

/// The common request headers of V3, by their (lowercase) names.
pub mod headers {
    pub const ACTION: &str = "x-acs-action";
    pub const VERSION: &str = "x-acs-version";
    pub const DATE: &str = "x-acs-date";
    pub const SIGNATURE_NONCE: &str = "x-acs-signature-nonce";
    pub const CONTENT_SHA256: &str = "x-acs-content-sha256";
    pub const SECURITY_TOKEN: &str = "x-acs-security-token";
    /// Sent beside the security token by the official SDKs; signed like every `x-acs-*` header.
    pub const ACCESS_KEY_ID: &str = "x-acs-accesskey-id";
    /// Every `x-acs-*` header a signed CAMS or STS call carries (the ones a pass-through must
    /// keep).
    pub const SIGNING: [&str; 7] = [
        ACTION,
        VERSION,
        DATE,
        SIGNATURE_NONCE,
        CONTENT_SHA256,
        SECURITY_TOKEN,
        ACCESS_KEY_ID,
    ];
    /// The prefix of the headers that must be signed whenever present.
    pub const PREFIX: &str = "x-acs-";

    /// Whether a header must be signed when a request carries it: `host`, `content-type` and
    /// every `x-acs-*` (Alibaba's "Request syntax and signature method V3"). `name` in any case.
    pub fn must_be_signed(name: &str) -> bool {
        let prefix = name.get(..PREFIX.len());
        name.eq_ignore_ascii_case("host")
            || name.eq_ignore_ascii_case("content-type")
            || prefix.is_some_and(|p| p.eq_ignore_ascii_case(PREFIX))
    }
}

/// An HTTP request as V3 sees it. Nothing here is sent: signing only reads it.
#[derive(Clone, Copy, Debug)]
pub struct Acs3Request<'a> {
    /// As sent (`GET`, `POST`); used verbatim, as the official SDKs do.
    pub method: &'a str,
    /// The path as it goes on the wire (already percent-encoded); empty means `/`.
    pub pathname: &'a str,
    /// The query parameters, decoded.
    pub query: &'a [(&'a str, &'a str)],
    /// Exactly the headers to sign, names in any case, values as sent.
    pub headers: &'a [(&'a str, &'a str)],
    /// The body, hashed for the payload line (empty when there is none).
    pub body: &'a [u8],
}

/// The three results of signing a request, as `signAcs3Request` returns them.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SignedAcs3 {
    pub canonical_request: String,
    pub string_to_sign: String,
    /// The whole `Authorization` header value.
    pub authorization: String,
}

/// Signs `request` with a key: every step, from the canonical request to `Authorization`.
pub fn sign(request: &Acs3Request<'_>, access_key_id: &str, access_key_secret: &str) -> SignedAcs3 {
    let headers = canonical_headers(request.headers.iter().copied());
    let canonical_request = canonical_request(
        request.method,
        &canonical_uri(request.pathname),
        &canonical_query(request.query.iter().copied()),
        &headers,
        &hashed_payload(request.body),
    );
    let string_to_sign = string_to_sign(&canonical_request);
    let signature = signature(&string_to_sign, access_key_secret);
    SignedAcs3 {
        authorization: authorization(access_key_id, &headers.signed_headers, &signature),
        canonical_request,
        string_to_sign,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The worked example of Alibaba's "Request syntax and signature method V3" page
    /// (RunInstances on ECS): every intermediate value the page gives.
    #[test]
    fn alibabas_documented_example() {
        let query = [
            (
                "ImageId",
                "win2019_1809_x64_dtc_zh-cn_40G_alibase_20230811.vhd",
            ),
            ("RegionId", "cn-shanghai"),
        ];
        let headers = [
            ("host", "ecs.cn-shanghai.aliyuncs.com"),
            ("x-acs-action", "RunInstances"),
            (
                "x-acs-content-sha256",
                "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
            ),
            ("x-acs-date", "2023-10-26T10:22:32Z"),
            ("x-acs-signature-nonce", "3156853299f313e23d1673dc12e1703d"),
            ("x-acs-version", "2014-05-26"),
        ];
        let request = Acs3Request {
            method: "POST",
            pathname: "/",
            query: &query,
            headers: &headers,
            body: b"",
        };
        let signed = sign(&request, "YourAccessKeyId", "YourAccessKeySecret");
        assert_eq!(
            signed.canonical_request,
            "POST\n/\n\
             ImageId=win2019_1809_x64_dtc_zh-cn_40G_alibase_20230811.vhd&RegionId=cn-shanghai\n\
             host:ecs.cn-shanghai.aliyuncs.com\n\
             x-acs-action:RunInstances\n\
             x-acs-content-sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855\n\
             x-acs-date:2023-10-26T10:22:32Z\n\
             x-acs-signature-nonce:3156853299f313e23d1673dc12e1703d\n\
             x-acs-version:2014-05-26\n\
             \n\
             host;x-acs-action;x-acs-content-sha256;x-acs-date;x-acs-signature-nonce;x-acs-version\n\
             e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
        );
        assert_eq!(
            signed.string_to_sign,
            "ACS3-HMAC-SHA256\n7ea06492da5221eba5297e897ce16e55f964061054b7695beedaac1145b1e259"
        );
        assert_eq!(
            signed.authorization,
            "ACS3-HMAC-SHA256 Credential=YourAccessKeyId,\
             SignedHeaders=host;x-acs-action;x-acs-content-sha256;x-acs-date;x-acs-signature-nonce;x-acs-version,\
             Signature=06563a9e1b43f5dfe96b81484da74bceab24a1d853912eee15083a6f0f3283c0"
        );
    }

    #[test]
    fn headers_that_must_be_signed() {
        for name in [
            "host",
            "Host",
            "content-type",
            "X-Acs-Date",
            "x-acs-anything",
        ] {
            assert!(headers::must_be_signed(name), "{name}");
        }
        for name in ["accept", "user-agent", "x-acs", "authorization", "", "é"] {
            assert!(!headers::must_be_signed(name), "{name}");
        }
    }
}
