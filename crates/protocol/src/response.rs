//! Reading a reply: the documented JSON on success, the error body otherwise, and anything
//! else (HTML, truncated JSON, wrong types) as `InvalidResponse`. Never a panic.
//!
//! Written against [`Document`], so the browser module reads what `JSON.parse` made of the body
//! and the relay what serde_json made of it, with the same rules.

use serde::de::{DeserializeOwned, IgnoredAny};

use crate::decode::{decode_member, Document, Mismatch};
use crate::error::{is_retryable, CamsError};
use crate::types::{BaseResponse, ListQrdlResponse, Qrdl, QrdlResponse, Response};
use crate::wire::{self, Reply};

/// The `InvalidResponse` for a body that did not parse as JSON at all; `parse_error` is the
/// parser's own message.
pub fn not_json(status: u16, body: &str, parse_error: &str) -> CamsError {
    let detail = if body.trim_start().starts_with('<') {
        "HTML or XML"
    } else {
        parse_error
    };
    CamsError::invalid_response(status, detail)
}

fn mismatch(status: u16, m: &Mismatch) -> CamsError {
    CamsError::invalid_response(status, &m.to_string())
}

/// The envelope, as a success's base or as the error it carries.
fn envelope(status: u16, doc: &impl Document) -> Result<BaseResponse, CamsError> {
    let env: Reply<IgnoredAny> = doc.decode().map_err(|m| mismatch(status, &m))?;
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
    Ok(BaseResponse {
        request_id: env.request_id.unwrap_or_default(),
        code: "OK".to_owned(),
        message: env.message,
        access_denied_detail: env.access_denied_detail,
    })
}

/// A success's `Data`, read as `D` (absent and null are `None`).
fn data<D: DeserializeOwned>(status: u16, doc: &impl Document) -> Result<Option<D>, CamsError> {
    decode_member(doc, "Data").map_err(|m| mismatch(status, &m))
}

/// A create or update reply: `Data` is one QR code and must be there.
pub fn read_qrdl(status: u16, doc: &impl Document) -> Result<QrdlResponse, CamsError> {
    let base = envelope(status, doc)?;
    let q: wire::Qrdl = data(status, doc)?
        .ok_or_else(|| CamsError::invalid_response(status, "Code is OK but Data is missing"))?;
    Ok(Response::new(base, Qrdl::from(q)))
}

/// A list reply: `Data` is an array (absent or null means none).
pub fn read_list(status: u16, doc: &impl Document) -> Result<ListQrdlResponse, CamsError> {
    let base = envelope(status, doc)?;
    let list: Vec<wire::Qrdl> = data(status, doc)?.unwrap_or_default();
    Ok(Response::new(
        base,
        list.into_iter().map(Qrdl::from).collect(),
    ))
}

/// A reply with no data to keep (delete).
pub fn read_base(status: u16, doc: &impl Document) -> Result<BaseResponse, CamsError> {
    envelope(status, doc)
}

/// Reply bodies as text, parsed with serde_json: the relay's and the tests' way in.
#[cfg(feature = "json")]
mod text {
    use super::*;

    fn document(status: u16, body: &str) -> Result<serde_json::Value, CamsError> {
        serde_json::from_str(body).map_err(|e| not_json(status, body, &e.to_string()))
    }

    pub fn parse_qrdl(status: u16, body: &str) -> Result<QrdlResponse, CamsError> {
        read_qrdl(status, &document(status, body)?)
    }

    pub fn parse_list(status: u16, body: &str) -> Result<ListQrdlResponse, CamsError> {
        read_list(status, &document(status, body)?)
    }

    pub fn parse_base(status: u16, body: &str) -> Result<BaseResponse, CamsError> {
        read_base(status, &document(status, body)?)
    }
}

#[cfg(feature = "json")]
pub use text::{parse_base, parse_list, parse_qrdl};

#[cfg(test)]
mod tests {
    use super::*;

    const SEED_SUCCESS: &str = r#"{"AccessDeniedDetail":"None","RequestId":"90E63D28-E31D-1EB2-8939-A94866411B2O\n","Message":"None","Data":{"QrImageUrl":"http://img.png","PhoneNumber":"86138009****","QrdlCode":"D9II3***","DeepLinkUrl":"https://wa.qrdl/","GenerateQrImage":"PNG","PrefilledMessage":"Hello"},"Code":"OK"}"#;

    #[test]
    fn parses_the_documented_success_example() {
        let r = parse_qrdl(200, SEED_SUCCESS).unwrap();
        assert_eq!(r.data.qrdl_code, "D9II3***");
        assert_eq!(r.data.prefilled_message, "Hello");
        assert_eq!(r.code, "OK");
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
                "RequestId: invalid type: integer `5`, expected a string",
            ),
            (
                r#"{"Code":"OK","Data":{"QrdlCode":null}}"#,
                "Data.QrdlCode: invalid type: null, expected a string",
            ),
            (r#"{"Code":"OK","Data":[]}"#, "Data: invalid length"),
            (
                r#"{"Code":"OK","Data":{"QrImageUrl":"x"}}"#,
                "Data: missing field `QrdlCode`",
            ),
            (r#"["OK"]"#, "the body: "),
        ] {
            let e = parse_qrdl(200, body).unwrap_err();
            assert_eq!(e.code, "InvalidResponse", "{body}");
            assert!(e.message.contains(says), "{}", e.message);
        }
        let e = parse_list(200, r#"{"Code":"OK","Data":{"QrdlCode":"x"}}"#).unwrap_err();
        assert!(
            e.message
                .contains("Data: invalid type: map, expected a sequence"),
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
        assert_eq!(r.request_id, "");
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
