//! Reading a reply: the documented JSON on success, the error body otherwise, and anything
//! else (HTML, truncated JSON, wrong types) as `InvalidResponse`. Never a panic.

use crate::core::error::{is_retryable, CamsError};
use crate::core::json::{self, Value};
use crate::core::types::{BaseResponse, ListQrdlResponse, Qrdl, QrdlResponse};
use alloc::{borrow::ToOwned, string::String, vec::Vec};

/// The envelope shared by success and error bodies: the documented members, read as optional
/// strings (absent or null is `None`; any other type makes the reply an `InvalidResponse`).
#[derive(Default)]
struct Envelope {
    request_id: Option<String>,
    code: Option<String>,
    message: Option<String>,
    recommend: Option<String>,
    access_denied_detail: Option<String>,
    /// `Data`, unread: only a success's is converted.
    data: Option<Value>,
}

/// An `InvalidResponse` naming a member whose type is wrong.
fn wrong_type(status: u16, member: &str, expected: &str, got: &Value) -> CamsError {
    CamsError::invalid_response(
        status,
        &[member, " is ", got.kind(), ", expected ", expected].concat(),
    )
}

/// A string member, absent and null being `None`.
fn opt_string(status: u16, member: &str, value: Value) -> Result<Option<String>, CamsError> {
    match value {
        Value::Null => Ok(None),
        Value::String(s) => Ok(Some(s)),
        other => Err(wrong_type(status, member, "a string", &other)),
    }
}

fn envelope(status: u16, body: &str) -> Result<Envelope, CamsError> {
    let value = json::parse(body).map_err(|e| {
        let detail = if body.trim_start().starts_with('<') {
            "HTML or XML".to_owned()
        } else {
            e.describe()
        };
        CamsError::invalid_response(status, &detail)
    })?;
    let Value::Object(members) = value else {
        return Err(wrong_type(status, "the body", "an object", &value));
    };
    let mut env = Envelope::default();
    for (key, value) in members {
        let slot = match key.as_str() {
            "RequestId" => &mut env.request_id,
            "Code" => &mut env.code,
            "Message" => &mut env.message,
            "Recommend" => &mut env.recommend,
            "AccessDeniedDetail" => &mut env.access_denied_detail,
            "Data" => {
                env.data = Some(value).filter(|v| !matches!(v, Value::Null));
                continue;
            }
            _ => continue,
        };
        *slot = opt_string(status, &key, value)?;
    }
    Ok(env)
}

fn parse(status: u16, body: &str) -> Result<(BaseResponse, Option<Value>), CamsError> {
    let env = envelope(status, body)?;
    let ok = env.code.as_deref() == Some("OK") && (200..300).contains(&status);
    if !ok {
        let Some(code) = env.code.filter(|c| !c.is_empty()) else {
            return Err(CamsError::invalid_response(status, "no Code field"));
        };
        return Err(CamsError {
            retryable: is_retryable(Some(&code), status),
            code,
            message: env.message.unwrap_or_default(),
            request_id: env.request_id,
            http_status: Some(status),
            recommend: env.recommend,
            access_denied_detail: env.access_denied_detail,
            field: None,
        });
    }
    let base = BaseResponse {
        request_id: env.request_id.unwrap_or_default(),
        code: "OK".to_owned(),
        message: env.message,
        access_denied_detail: env.access_denied_detail,
    };
    Ok((base, env.data))
}

/// One QR code: an object whose documented members are strings (a missing one is empty);
/// other members are ignored.
fn qrdl(status: u16, value: Value) -> Result<Qrdl, CamsError> {
    let Value::Object(members) = value else {
        return Err(wrong_type(status, "Data", "an object", &value));
    };
    let mut q = Qrdl::default();
    for (key, value) in members {
        let slot = match key.as_str() {
            "QrImageUrl" => &mut q.qr_image_url,
            "PhoneNumber" => &mut q.phone_number,
            "QrdlCode" => &mut q.qrdl_code,
            "DeepLinkUrl" => &mut q.deep_link_url,
            "GenerateQrImage" => &mut q.generate_qr_image,
            "PrefilledMessage" => &mut q.prefilled_message,
            _ => continue,
        };
        match value {
            Value::String(s) => *slot = s,
            other => return Err(wrong_type(status, &key, "a string", &other)),
        }
    }
    Ok(q)
}

/// A create or update reply: `Data` is one QR code and must be there.
pub fn parse_qrdl(status: u16, body: &str) -> Result<QrdlResponse, CamsError> {
    let (base, data) = parse(status, body)?;
    let data =
        data.ok_or_else(|| CamsError::invalid_response(status, "Code is OK but Data is missing"))?;
    Ok(QrdlResponse {
        base,
        data: qrdl(status, data)?,
    })
}

/// A list reply: `Data` is an array (absent or null means none).
pub fn parse_list(status: u16, body: &str) -> Result<ListQrdlResponse, CamsError> {
    let (base, data) = parse(status, body)?;
    let data = match data {
        None => Vec::new(),
        Some(Value::Array(items)) => {
            // A loop, not `collect::<Result<_, _>>()`: that adapter costs the module 0.5 KB.
            let mut data = Vec::with_capacity(items.len());
            for item in items {
                data.push(qrdl(status, item)?);
            }
            data
        }
        Some(other) => return Err(wrong_type(status, "Data", "an array", &other)),
    };
    Ok(ListQrdlResponse { base, data })
}

/// A reply with no data to keep (delete).
pub fn parse_base(status: u16, body: &str) -> Result<BaseResponse, CamsError> {
    parse(status, body).map(|(base, _)| base)
}

#[cfg(test)]
mod tests {
    use super::*;

    const SEED_SUCCESS: &str = r#"{"AccessDeniedDetail":"None","RequestId":"90E63D28-E31D-1EB2-8939-A94866411B2O\n","Message":"None","Data":{"QrImageUrl":"http://img.png","PhoneNumber":"86138009****","QrdlCode":"D9II3***","DeepLinkUrl":"https://wa.qrdl/","GenerateQrImage":"PNG","PrefilledMessage":"Hello"},"Code":"OK"}"#;

    #[test]
    fn parses_the_documented_success_example() {
        let r = parse_qrdl(200, SEED_SUCCESS).unwrap();
        assert_eq!(r.data.qrdl_code, "D9II3***");
        assert_eq!(r.data.prefilled_message, "Hello");
        assert_eq!(r.base.code, "OK");
    }

    #[test]
    fn error_body_keeps_every_field() {
        let body = r#"{"RequestId":"R1","HostId":"cams.ap-southeast-1.aliyuncs.com","Code":"Ram.PermissionDeny","Message":"You are not authorized to perform the operation.","Recommend":"https://api.aliyun.com/troubleshoot?q=Ram.PermissionDeny","AccessDeniedDetail":"{\"AuthAction\":\"cams:CreatePhoneMessageQrdl\"}"}"#;
        let e = parse_qrdl(400, body).unwrap_err();
        assert_eq!(e.code, "Ram.PermissionDeny");
        assert_eq!(e.request_id.as_deref(), Some("R1"));
        assert_eq!(e.http_status, Some(400));
        assert!(e.recommend.unwrap().contains("troubleshoot"));
        assert!(e.access_denied_detail.unwrap().contains("AuthAction"));
        assert!(!e.retryable);
    }

    #[test]
    fn throttling_is_retryable_even_with_200() {
        let e = parse_base(200, r#"{"Code":"Throttling.User","Message":"Request was denied due to user flow control."}"#).unwrap_err();
        assert!(e.retryable);
    }

    #[test]
    fn garbage_is_invalid_response() {
        for (status, body) in [
            (502, "<html>Bad gateway</html>"),
            (200, ""),
            (200, "{"),
            (200, "[1,2]"),
            (200, r#"{"Code":"OK","Data":5}"#),
            (200, r#"{"Code":"OK"}"#),
            (500, r#"{"foo":1}"#),
        ] {
            let e = parse_qrdl(status, body).unwrap_err();
            assert_eq!(e.code, "InvalidResponse", "{body}");
            assert_eq!(e.http_status, Some(status));
        }
        assert!(parse_qrdl(502, "<html/>").unwrap_err().retryable);
    }

    #[test]
    fn wrong_types_are_invalid_responses_that_say_which_member() {
        for (body, says) in [
            (
                r#"{"Code":"OK","RequestId":5,"Data":{}}"#,
                "RequestId is a number",
            ),
            (
                r#"{"Code":"OK","Data":{"QrdlCode":null}}"#,
                "QrdlCode is null",
            ),
            (r#"{"Code":"OK","Data":[]}"#, "Data is an array"),
            (r#"["OK"]"#, "the body is an array"),
        ] {
            let e = parse_qrdl(200, body).unwrap_err();
            assert_eq!(e.code, "InvalidResponse", "{body}");
            assert!(e.message.contains(says), "{}", e.message);
        }
        let e = parse_list(200, r#"{"Code":"OK","Data":{"QrdlCode":"x"}}"#).unwrap_err();
        assert!(
            e.message.contains("Data is an object, expected an array"),
            "{}",
            e.message
        );
        let e = parse_qrdl(200, "{\"Code\":\"OK\",\n\"Data\":x}").unwrap_err();
        assert!(
            e.message.contains("expected value at line 2 column 8"),
            "{}",
            e.message
        );
    }

    #[test]
    fn an_error_reply_keeps_its_code_whatever_its_data() {
        let e =
            parse_qrdl(400, r#"{"Code":"Throttling.User","Data":5,"Unknown":[1]}"#).unwrap_err();
        assert_eq!(e.code, "Throttling.User");
        assert!(e.retryable);
    }

    #[test]
    fn unknown_members_are_ignored_and_missing_qrdl_members_are_empty() {
        let r = parse_qrdl(
            200,
            r#"{"Code":"OK","Extra":{"a":[1,2,{}]},"Data":{"QrdlCode":"C","New":1}}"#,
        )
        .unwrap();
        assert_eq!(r.data.qrdl_code, "C");
        assert_eq!(r.data.deep_link_url, "");
        assert_eq!(r.base.request_id, "");
    }

    #[test]
    fn list_accepts_missing_data() {
        assert!(parse_list(200, r#"{"Code":"OK","RequestId":"x"}"#)
            .unwrap()
            .data
            .is_empty());
        assert_eq!(
            parse_list(
                200,
                &format!(
                    r#"{{"Code":"OK","Data":[{}]}}"#,
                    &SEED_SUCCESS[SEED_SUCCESS.find("{\"QrImageUrl").unwrap()
                        ..SEED_SUCCESS.find("},\"Code").unwrap() + 1]
                )
            )
            .unwrap()
            .data
            .len(),
            1
        );
    }
}
