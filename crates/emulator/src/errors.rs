//! The refusals the emulator gives, each with the status, code and message Alibaba's gateway,
//! CAMS or STS give for the same fault, and the error body they share:
//! `{RequestId, HostId, Code, Message, Recommend, AccessDeniedDetail?}`.
//!
//! Codes and messages come from Alibaba's public error center, the STS and CAMS API pages and
//! the official SDKs. Where the real service's exact reply is undocumented (CAMS's own
//! validation: `InvalidParameter.*`, `Qrdl.NotExists`, `Qrdl.LimitExceeded`), the emulator picks
//! a code in the same style; the README of the relay lists them.

use axum::http::StatusCode;
use axum::response::Response;
use cams_protocol::wire::ErrorReply;

use crate::reply::{self, ReplyContext};

/// A refusal, before it is given its request's envelope.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ApiError {
    pub status: StatusCode,
    pub code: String,
    pub message: String,
    /// A JSON document as a string, on permission errors.
    pub access_denied_detail: Option<String>,
}

impl ApiError {
    pub fn new(status: StatusCode, code: &str, message: impl Into<String>) -> ApiError {
        ApiError {
            status,
            code: code.to_owned(),
            message: message.into(),
            access_denied_detail: None,
        }
    }

    fn bad_request(code: &str, message: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::BAD_REQUEST, code, message)
    }

    /// The error body and headers for this request.
    pub fn into_response(self, ctx: &ReplyContext) -> Response {
        let recommend = format!(
            "https://api.alibabacloud.com/troubleshoot?q={}&product={}&requestId={}",
            self.code,
            ctx.product.troubleshoot_name(),
            ctx.request_id
        );
        let body = ErrorReply {
            host_id: Some(ctx.host_id().to_owned()),
            code: Some(self.code),
            message: Some(self.message),
            recommend: Some(recommend),
            access_denied_detail: self.access_denied_detail,
            ..ErrorReply::default()
        };
        // Strings only: serializing cannot fail.
        reply::json(
            self.status,
            serde_json::to_value(body).unwrap_or_default(),
            ctx,
        )
    }
}

// ---- The gateway: common parameters, authentication, replay protection. ----

/// A required parameter is absent or empty (common or business parameter alike, or a V3 common
/// header such as `x-acs-date`, named as the header).
pub fn missing_parameter(name: &str) -> ApiError {
    ApiError::bad_request(
        "MissingParameter",
        format!("The input parameter \"{name}\" that is mandatory for processing this request is not supplied."),
    )
}

/// The Action names no API of CAMS 2020-06-06 or STS 2015-04-01.
pub fn action_not_found() -> ApiError {
    ApiError::new(
        StatusCode::NOT_FOUND,
        "InvalidAction.NotFound",
        "Specified api is not found, please check your url and method.",
    )
}

/// The Version is not the one the Action belongs to.
pub fn invalid_version(version: &str, action: &str, expected: &str) -> ApiError {
    ApiError::bad_request(
        "InvalidVersion",
        format!("Specified parameter Version is not valid. Version \"{version}\" is not a version of {action}; use {expected}."),
    )
}

/// `Format` other than JSON. (The real gateway also answers XML; the emulator answers JSON only.)
pub fn invalid_format(format: &str) -> ApiError {
    ApiError::bad_request(
        "InvalidParameter.Format",
        format!(
            "Specified parameter Format \"{format}\" is not valid. The emulator answers JSON only."
        ),
    )
}

/// `SignatureMethod` other than HMAC-SHA1 (V2), or a V3 algorithm other than ACS3-HMAC-SHA256.
pub fn invalid_signature_method() -> ApiError {
    ApiError::bad_request(
        "InvalidSignatureMethod",
        "Specified signature method is not supported.",
    )
}

/// `SignatureVersion` other than 1.0.
pub fn invalid_signature_version() -> ApiError {
    ApiError::bad_request(
        "InvalidSignatureMethod",
        "Specified signature version is not supported.",
    )
}

/// A `Signature` that cannot be a Base64 HMAC-SHA1 at all.
pub fn incomplete_signature() -> ApiError {
    ApiError::bad_request(
        "IncompleteSignature",
        "The request signature does not conform to Aliyun standards.",
    )
}

/// A V3 `Authorization` header that cannot be checked, or that leaves a header unsigned; `why`
/// says what to fix (the real gateway's wording for each case is undocumented).
pub fn incomplete_signature_because(why: &str) -> ApiError {
    ApiError::bad_request(
        "IncompleteSignature",
        format!("The request signature does not conform to Aliyun standards: {why}."),
    )
}

/// `Timestamp` (V2) or `x-acs-date` (V3) not in `YYYY-MM-DDThh:mm:ssZ`.
pub fn timestamp_format() -> ApiError {
    ApiError::bad_request(
        "InvalidTimeStamp.Format",
        "Specified time stamp or date value is not well formatted.",
    )
}

/// `Timestamp` (V2) or `x-acs-date` (V3) more than 15 minutes from the server's clock.
pub fn timestamp_expired() -> ApiError {
    ApiError::bad_request(
        "InvalidTimeStamp.Expired",
        "Specified time stamp or date value is expired.",
    )
}

/// An AccessKeyId nobody issued.
pub fn access_key_not_found() -> ApiError {
    ApiError::new(
        StatusCode::NOT_FOUND,
        "InvalidAccessKeyId.NotFound",
        "Specified access key is not found.",
    )
}

/// An STS AccessKeyId sent without its SecurityToken (V2) or `x-acs-security-token` (V3).
pub fn missing_security_token() -> ApiError {
    ApiError::bad_request(
        "MissingSecurityToken",
        "SecurityToken is mandatory for this action.",
    )
}

/// A SecurityToken that was never issued.
pub fn security_token_malformed() -> ApiError {
    ApiError::bad_request(
        "InvalidSecurityToken.Malformed",
        "Specified SecurityToken is malformed.",
    )
}

/// A SecurityToken issued with another AccessKeyId (or sent with a long-term key).
pub fn security_token_mismatch() -> ApiError {
    ApiError::bad_request(
        "InvalidSecurityToken.MismatchWithAccessKey",
        "Specified SecurityToken mismatch with the AccessKey.",
    )
}

/// A SecurityToken past its Expiration.
pub fn security_token_expired() -> ApiError {
    ApiError::bad_request(
        "InvalidSecurityToken.Expired",
        "Specified SecurityToken is expired.",
    )
}

/// The signature differs from the server's; the message ends with the server's string-to-sign
/// so a client can compare it with its own.
pub fn signature_does_not_match(server_string_to_sign: &str) -> ApiError {
    ApiError::bad_request(
        "SignatureDoesNotMatch",
        format!("Specified signature is not matched with our calculation. server string to sign is:{server_string_to_sign}"),
    )
}

/// A V3 `x-acs-content-sha256` that is not the hash of the body received. The real gateway's
/// reply is undocumented; the emulator calls it a signature mismatch (the body is signed through
/// that hash) and says which hash it computed.
pub fn content_sha256_mismatch(server_hash: &str) -> ApiError {
    ApiError::bad_request(
        "SignatureDoesNotMatch",
        format!("Specified signature is not matched with our calculation. x-acs-content-sha256 is not the SHA-256 of the request body; the server's hash of the body is {server_hash}."),
    )
}

/// A SignatureNonce seen in the last 15 minutes.
pub fn nonce_used() -> ApiError {
    ApiError::bad_request(
        "SignatureNonceUsed",
        "Specified signature nonce was used already.",
    )
}

/// A method other than GET or POST on the API path.
pub fn unsupported_http_method() -> ApiError {
    ApiError::bad_request(
        "UnsupportedHTTPMethod",
        "Specified http method is not supported.",
    )
}

// ---- Flow control and server faults (the QPS limit; fault injection). ----

/// CAMS's own refusal past its QPS limit, as the seed API page lists it.
pub fn limit_control() -> ApiError {
    ApiError::bad_request("System.LimitControl", "The system is under flow control.")
}

/// The gateway's per-user throttling.
pub fn throttling_user() -> ApiError {
    ApiError::bad_request(
        "Throttling.User",
        "Request was denied due to user flow control.",
    )
}

/// A 500 from the service, with Alibaba's common message.
pub fn internal_error() -> ApiError {
    ApiError::new(
        StatusCode::INTERNAL_SERVER_ERROR,
        "InternalError",
        "The request processing has failed due to some unknown error, exception or failure.",
    )
}

/// A 503 from the service, with Alibaba's common message.
pub fn service_unavailable() -> ApiError {
    ApiError::new(
        StatusCode::SERVICE_UNAVAILABLE,
        "ServiceUnavailable",
        "The request has failed due to a temporary failure of the server.",
    )
}

// ---- RAM: session policies. ----

/// The session policy of the STS credentials does not allow the action.
pub fn permission_denied(detail: String) -> ApiError {
    ApiError {
        access_denied_detail: Some(detail),
        ..ApiError::bad_request(
            "Ram.PermissionDeny",
            "You are not authorized to perform the operation.",
        )
    }
}

// ---- CAMS: the four QR-code actions. ----

/// A business parameter with a value CAMS (or WhatsApp behind it) refuses.
pub fn invalid_parameter(name: &str, why: &str) -> ApiError {
    ApiError::bad_request(
        &format!("InvalidParameter.{name}"),
        format!("The parameter {name} is invalid: {why}"),
    )
}

/// Update or delete of a code the phone number (and space) does not have.
pub fn qrdl_not_found(code: &str) -> ApiError {
    ApiError::bad_request(
        "Qrdl.NotExists",
        format!("The message QR code \"{code}\" does not exist for this phone number."),
    )
}

/// WhatsApp's cap on message QR codes per phone number.
pub fn qrdl_limit(limit: usize) -> ApiError {
    ApiError::bad_request(
        "Qrdl.LimitExceeded",
        format!("The phone number already has {limit} message QR codes, the most WhatsApp allows. Delete unused ones and try again."),
    )
}

// ---- STS: AssumeRole. ----

/// AssumeRole called with temporary credentials: the emulator's role trusts long-term keys only.
pub fn sts_no_permission() -> ApiError {
    ApiError::new(
        StatusCode::FORBIDDEN,
        "NoPermission",
        "You are not authorized to do this action. You should be authorized by RAM.",
    )
}

pub fn role_arn_invalid() -> ApiError {
    ApiError::bad_request(
        "InvalidParameter.RoleArn",
        "The parameter RoleArn is wrongly formed.",
    )
}

pub fn role_session_name_invalid() -> ApiError {
    ApiError::bad_request(
        "InvalidParameter.RoleSessionName",
        "The parameter RoleSessionName is wrongly formed.",
    )
}

pub fn duration_invalid(min: u32, max: u32) -> ApiError {
    let message = if min == 900 {
        "The Min/Max value of DurationSeconds is 15min/1hr.".to_owned()
    } else {
        format!("The Min/Max value of DurationSeconds is {min}s/{max}s (emulator setting).")
    };
    ApiError::bad_request("InvalidParameter.DurationSeconds", message)
}

pub fn policy_grammar(why: &str) -> ApiError {
    ApiError::bad_request(
        "InvalidParameter.PolicyGrammar",
        format!("The parameter Policy has not passed grammar check. {why}"),
    )
}

pub fn policy_size(max: usize) -> ApiError {
    ApiError::bad_request(
        "InvalidParameter.PolicySize",
        format!("The size of Policy must be smaller than {max} bytes."),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::reply::Product;
    use axum::http::HeaderMap;
    use std::time::UNIX_EPOCH;

    #[tokio::test]
    async fn error_body_has_every_field() {
        let ctx = ReplyContext::new(&HeaderMap::new(), Product::Cams, UNIX_EPOCH);
        let response = permission_denied("{\"AuthAction\":\"x\"}".into()).into_response(&ctx);
        assert_eq!(response.status(), StatusCode::BAD_REQUEST);
        assert_eq!(
            response.headers()["x-acs-request-id"].to_str().unwrap(),
            ctx.request_id
        );
        assert_eq!(
            response.headers()["date"].to_str().unwrap(),
            "Thu, 01 Jan 1970 00:00:00 GMT"
        );
        let bytes = axum::body::to_bytes(response.into_body(), 1 << 16)
            .await
            .unwrap();
        let body: serde_json::Value = serde_json::from_slice(&bytes).unwrap();
        assert_eq!(body["Code"], "Ram.PermissionDeny");
        assert_eq!(body["HostId"], "cams.ap-southeast-1.aliyuncs.com");
        assert_eq!(body["RequestId"], ctx.request_id.as_str());
        assert_eq!(body["AccessDeniedDetail"], "{\"AuthAction\":\"x\"}");
        assert_eq!(
            body["Recommend"],
            format!(
                "https://api.alibabacloud.com/troubleshoot?q=Ram.PermissionDeny&product=cams&requestId={}",
                ctx.request_id
            )
        );
    }

    #[test]
    fn missing_parameter_names_it() {
        assert_eq!(
            missing_parameter("Timestamp").message,
            "The input parameter \"Timestamp\" that is mandatory for processing this request is not supplied."
        );
    }
}
