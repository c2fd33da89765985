//! The JSON bodies CAMS 2020-06-06 and STS 2015-04-01 send, member for member: one definition
//! that the emulator writes (serde_json), the relay reads (serde_json) and the browser module
//! reads (serde-wasm-bindgen, from the browser's `JSON.parse`).
//!
//! Members are optional where the service may leave them out; unknown members are ignored, so a
//! reply with more in it still reads. What the client hands to JavaScript is in [`crate::types`].

use std::fmt;

use serde::{Deserialize, Serialize};

/// Every reply: `{RequestId, Code, Message, ...}` around the action's `Data` (`D`). Success and
/// error bodies share it; an error has `HostId` and `Recommend`, a success has `Data`. Every
/// member may be absent (serde reads a missing `Option` as `None`).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Reply<D> {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub request_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub host_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub code: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub recommend: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub access_denied_detail: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub data: Option<D>,
}

impl<D> Reply<D> {
    /// A success: `Code` and `Message` "OK", and `data` when the action returns any.
    pub fn ok(request_id: impl Into<String>, data: Option<D>) -> Reply<D> {
        Reply {
            request_id: Some(request_id.into()),
            host_id: None,
            code: Some("OK".to_owned()),
            message: Some("OK".to_owned()),
            recommend: None,
            access_denied_detail: None,
            data,
        }
    }
}

/// An error body: what the gateway, CAMS and STS send with a 4xx or 5xx.
pub type ErrorReply = Reply<()>;

/// One message QR code, as CAMS sends it. `QrdlCode` must be there (a code without it cannot be
/// managed, and requiring it is what refuses an array where an object belongs, in serde_json and
/// in the browser alike); another member the reply leaves out reads as "".
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Qrdl {
    #[serde(default)]
    pub qr_image_url: String,
    #[serde(default)]
    pub phone_number: String,
    pub qrdl_code: String,
    #[serde(default)]
    pub deep_link_url: String,
    #[serde(default)]
    pub generate_qr_image: String,
    #[serde(default)]
    pub prefilled_message: String,
}

/// STS `AssumeRole`'s reply.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct AssumeRoleReply {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub request_id: Option<String>,
    pub assumed_role_user: AssumedRoleUser,
    pub credentials: StsCredentials,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct AssumedRoleUser {
    pub arn: String,
    pub assumed_role_id: String,
}

/// Temporary credentials: STS's `Credentials` object. Also read in camelCase, the form a
/// credentials provider returns in JavaScript; a missing key reads as "" for the reader to
/// refuse by name ([`crate::sts`]). `Debug` shows the key ID only.
#[derive(Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct StsCredentials {
    #[serde(alias = "accessKeyId", default)]
    pub access_key_id: String,
    #[serde(alias = "accessKeySecret", default)]
    pub access_key_secret: String,
    #[serde(
        alias = "securityToken",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub security_token: Option<String>,
    /// `YYYY-MM-DDThh:mm:ssZ`.
    #[serde(alias = "expiration", default, skip_serializing_if = "Option::is_none")]
    pub expiration: Option<String>,
}

impl fmt::Debug for StsCredentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("StsCredentials")
            .field("access_key_id", &self.access_key_id)
            .field("access_key_secret", &"<redacted>")
            .field(
                "security_token",
                &self.security_token.as_ref().map(|_| "<redacted>"),
            )
            .field("expiration", &self.expiration)
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_success_writes_the_documented_members_only() {
        let body = serde_json::to_value(Reply::ok(
            "R1",
            Some(Qrdl {
                qrdl_code: "C".into(),
                ..Qrdl::default()
            }),
        ))
        .unwrap();
        assert_eq!(
            body,
            serde_json::json!({
                "RequestId": "R1", "Code": "OK", "Message": "OK",
                "Data": {"QrImageUrl": "", "PhoneNumber": "", "QrdlCode": "C", "DeepLinkUrl": "",
                         "GenerateQrImage": "", "PrefilledMessage": ""}
            })
        );
        let none: Reply<Qrdl> = Reply::ok("R2", None);
        assert!(serde_json::to_value(none).unwrap().get("Data").is_none());
    }

    #[test]
    fn sts_credentials_read_in_both_cases_and_never_debug_their_secrets() {
        let pascal: StsCredentials = serde_json::from_str(
            r#"{"AccessKeyId":"STS.a","AccessKeySecret":"s3cr3t","SecurityToken":"t0k3n","Expiration":"2015-04-09T11:52:19Z"}"#,
        )
        .unwrap();
        let camel: StsCredentials = serde_json::from_str(
            r#"{"accessKeyId":"STS.a","accessKeySecret":"s3cr3t","securityToken":"t0k3n","expiration":"2015-04-09T11:52:19Z"}"#,
        )
        .unwrap();
        assert_eq!(pascal, camel);
        let shown = format!("{pascal:?}");
        assert!(shown.contains("STS.a"));
        assert!(!shown.contains("s3cr3t") && !shown.contains("t0k3n"));
    }
}
