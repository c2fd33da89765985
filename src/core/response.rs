//! Reading a reply: the documented JSON on success, the error body otherwise, and anything
//! else (HTML, truncated JSON, wrong types) as `InvalidResponse`. Never a panic.

use serde::Deserialize;

use crate::core::error::{is_retryable, CamsError};
use crate::core::types::{BaseResponse, ListQrdlResponse, Qrdl, QrdlResponse};

/// The envelope shared by success and error bodies.
#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct Envelope<T> {
    request_id: Option<String>,
    code: Option<String>,
    message: Option<String>,
    recommend: Option<String>,
    access_denied_detail: Option<String>,
    #[serde(default = "Option::default")]
    data: Option<T>,
}

fn parse<T: for<'de> Deserialize<'de>>(
    status: u16,
    body: &str,
) -> Result<(BaseResponse, Option<T>), CamsError> {
    let env: Envelope<T> = serde_json::from_str(body).map_err(|e| {
        let detail = if body.trim_start().starts_with('<') {
            "HTML or XML".to_owned()
        } else {
            format!("{e}")
        };
        CamsError::invalid_response(status, &detail)
    })?;
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

/// A create or update reply: `Data` is one QR code and must be there.
pub fn parse_qrdl(status: u16, body: &str) -> Result<QrdlResponse, CamsError> {
    let (base, data) = parse::<Qrdl>(status, body)?;
    let data =
        data.ok_or_else(|| CamsError::invalid_response(status, "Code is OK but Data is missing"))?;
    Ok(QrdlResponse { base, data })
}

/// A list reply: `Data` is an array (absent or null means none).
pub fn parse_list(status: u16, body: &str) -> Result<ListQrdlResponse, CamsError> {
    let (base, data) = parse::<Vec<Qrdl>>(status, body)?;
    Ok(ListQrdlResponse {
        base,
        data: data.unwrap_or_default(),
    })
}

/// A reply with no data to keep (delete).
pub fn parse_base(status: u16, body: &str) -> Result<BaseResponse, CamsError> {
    parse::<serde::de::IgnoredAny>(status, body).map(|(base, _)| base)
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
