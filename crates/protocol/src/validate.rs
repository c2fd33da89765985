//! Checks a request before anything is sent, and turns it into the parameters the API takes.

use crate::error::CamsError;
use crate::types::{Action, Operation, QrdlInput, QrdlSelector};

/// WhatsApp's limit on a prefilled message.
pub const MAX_MESSAGE_CHARS: usize = 140;

/// Digits of a phone number once `+`, spaces, dashes and parentheses are removed; 6 to 15 of them.
pub fn phone_number(raw: &str) -> Result<String, CamsError> {
    let digits: String = raw
        .chars()
        .filter(|c| !matches!(c, '+' | ' ' | '-' | '(' | ')'))
        .collect();
    if digits.is_empty() {
        return Err(CamsError::invalid_parameter("phoneNumber", "Enter the phone number of your WhatsApp business number, with its country code (for example 8613800001234)."));
    }
    if !digits.chars().all(|c| c.is_ascii_digit()) {
        return Err(CamsError::invalid_parameter("phoneNumber", "The phone number may hold only digits, with optional +, spaces, dashes and parentheses."));
    }
    if !(6..=15).contains(&digits.len()) {
        return Err(CamsError::invalid_parameter(
            "phoneNumber",
            format!(
                "The phone number has {} digits; it needs 6 to 15, country code included.",
                digits.len()
            ),
        ));
    }
    Ok(digits)
}

/// 1 to 140 characters (Unicode scalar values), not only whitespace.
pub fn prefilled_message(raw: &str) -> Result<String, CamsError> {
    if raw.trim().is_empty() {
        return Err(CamsError::invalid_parameter(
            "prefilledMessage",
            "Enter the message the chat opens with; it cannot be empty.",
        ));
    }
    let n = raw.chars().count();
    if n > MAX_MESSAGE_CHARS {
        return Err(CamsError::invalid_parameter(
            "prefilledMessage",
            format!("The message has {n} characters; WhatsApp allows at most {MAX_MESSAGE_CHARS}."),
        ));
    }
    Ok(raw.to_owned())
}

/// `PNG` or `SVG`, in any case; returned in upper case.
pub fn image_format(raw: &str) -> Result<String, CamsError> {
    let upper = raw.trim().to_ascii_uppercase();
    if upper == "PNG" || upper == "SVG" {
        Ok(upper)
    } else {
        Err(CamsError::invalid_parameter(
            "generateQrImage",
            "The image format must be PNG or SVG.",
        ))
    }
}

/// An optional space ID must not be blank when given.
pub fn cust_space_id(raw: Option<&str>) -> Result<Option<String>, CamsError> {
    match raw {
        None => Ok(None),
        Some(s) if s.trim().is_empty() => Err(CamsError::invalid_parameter(
            "custSpaceId",
            "The space ID is empty; leave it out, or give the ID shown on the Channel Management page.",
        )),
        Some(s) => Ok(Some(s.trim().to_owned())),
    }
}

/// A QR code's code, as a create returned it: not blank, no whitespace.
pub fn qrdl_code(raw: Option<&str>) -> Result<String, CamsError> {
    match raw.map(str::trim) {
        Some(s) if !s.is_empty() && !s.chars().any(char::is_whitespace) => Ok(s.to_owned()),
        _ => Err(CamsError::invalid_parameter(
            "qrdlCode",
            "Give the QR code's code (QrdlCode) as a create or list returned it.",
        )),
    }
}

/// A create (or, with `qrdl_code`, an update) ready to sign.
pub fn create_or_update(input: &QrdlInput, action: Action) -> Result<Operation, CamsError> {
    let mut params = vec![
        ("PhoneNumber", phone_number(&input.phone_number)?),
        (
            "PrefilledMessage",
            prefilled_message(&input.prefilled_message)?,
        ),
        ("GenerateQrImage", image_format(&input.generate_qr_image)?),
    ];
    if action == Action::Update {
        params.push(("QrdlCode", qrdl_code(input.qrdl_code.as_deref())?));
    }
    if let Some(space) = cust_space_id(input.cust_space_id.as_deref())? {
        params.push(("CustSpaceId", space));
    }
    Ok(Operation { action, params })
}

/// A list (or, with `qrdl_code`, a delete) ready to sign.
pub fn list_or_delete(input: &QrdlSelector, action: Action) -> Result<Operation, CamsError> {
    let mut params = vec![("PhoneNumber", phone_number(&input.phone_number)?)];
    if action == Action::Delete {
        params.push(("QrdlCode", qrdl_code(input.qrdl_code.as_deref())?));
    }
    if let Some(space) = cust_space_id(input.cust_space_id.as_deref())? {
        params.push(("CustSpaceId", space));
    }
    Ok(Operation { action, params })
}

/// Every field's problem, not only the first (what a form shows beside each field): for a
/// create or update. Empty when [`create_or_update`] would succeed.
pub fn create_or_update_problems(input: &QrdlInput, action: Action) -> Vec<CamsError> {
    let mut checks = vec![
        phone_number(&input.phone_number).err(),
        prefilled_message(&input.prefilled_message).err(),
        image_format(&input.generate_qr_image).err(),
        cust_space_id(input.cust_space_id.as_deref()).err(),
    ];
    if action == Action::Update {
        checks.push(qrdl_code(input.qrdl_code.as_deref()).err());
    }
    checks.into_iter().flatten().collect()
}

/// Every field's problem for a list or delete. Empty when [`list_or_delete`] would succeed.
pub fn list_or_delete_problems(input: &QrdlSelector, action: Action) -> Vec<CamsError> {
    let mut checks = vec![
        phone_number(&input.phone_number).err(),
        cust_space_id(input.cust_space_id.as_deref()).err(),
    ];
    if action == Action::Delete {
        checks.push(qrdl_code(input.qrdl_code.as_deref()).err());
    }
    checks.into_iter().flatten().collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn phone_numbers() {
        assert_eq!(
            phone_number("+86 (138) 0000-1234").unwrap(),
            "8613800001234"
        );
        assert_eq!(phone_number("123456").unwrap(), "123456");
        assert_eq!(phone_number("123456789012345").unwrap(), "123456789012345");
        for bad in [
            "",
            "+",
            "12345",
            "1234567890123456",
            "86138x0001234",
            "８６１３８０００",
        ] {
            let e = phone_number(bad).unwrap_err();
            assert_eq!(
                (e.code.as_str(), e.field.as_deref()),
                ("InvalidParameter", Some("phoneNumber")),
                "{bad}"
            );
        }
    }

    #[test]
    fn messages() {
        assert!(prefilled_message("Hi").is_ok());
        assert!(prefilled_message(&"字".repeat(140)).is_ok());
        assert!(prefilled_message(&"👍".repeat(140)).is_ok());
        assert!(prefilled_message(&"a".repeat(141)).is_err());
        assert!(prefilled_message("").is_err());
        assert!(prefilled_message(" \n\t").is_err());
    }

    #[test]
    fn formats_any_case() {
        assert_eq!(image_format("png").unwrap(), "PNG");
        assert_eq!(image_format("Svg").unwrap(), "SVG");
        assert_eq!(
            image_format("jpg").unwrap_err().field.as_deref(),
            Some("generateQrImage")
        );
    }

    #[test]
    fn create_builds_normalised_params() {
        let op = create_or_update(
            &QrdlInput {
                phone_number: "+86 138-0000-1234".into(),
                prefilled_message: "Hello".into(),
                generate_qr_image: "svg".into(),
                cust_space_id: Some("cams-1".into()),
                qrdl_code: None,
            },
            Action::Create,
        )
        .unwrap();
        assert_eq!(
            op.params(),
            vec![
                ("PhoneNumber", "8613800001234"),
                ("PrefilledMessage", "Hello"),
                ("GenerateQrImage", "SVG"),
                ("CustSpaceId", "cams-1")
            ]
        );
    }

    #[test]
    fn update_and_delete_need_a_code() {
        let input = QrdlInput {
            phone_number: "8613800001234".into(),
            prefilled_message: "x".into(),
            generate_qr_image: "PNG".into(),
            ..Default::default()
        };
        assert_eq!(
            create_or_update(&input, Action::Update)
                .unwrap_err()
                .field
                .as_deref(),
            Some("qrdlCode")
        );
        let sel = QrdlSelector {
            phone_number: "8613800001234".into(),
            cust_space_id: Some(" ".into()),
            qrdl_code: Some("AB".into()),
        };
        assert_eq!(
            list_or_delete(&sel, Action::Delete)
                .unwrap_err()
                .field
                .as_deref(),
            Some("custSpaceId")
        );
    }

    #[test]
    fn problems_list_every_field_and_agree_with_the_builders() {
        let bad = QrdlInput {
            phone_number: "12".into(),
            prefilled_message: " ".into(),
            generate_qr_image: "gif".into(),
            cust_space_id: Some(" ".into()),
            qrdl_code: None,
        };
        let fields: Vec<_> = create_or_update_problems(&bad, Action::Update)
            .into_iter()
            .map(|e| e.field.unwrap())
            .collect();
        assert_eq!(
            fields,
            [
                "phoneNumber",
                "prefilledMessage",
                "generateQrImage",
                "custSpaceId",
                "qrdlCode"
            ]
        );
        assert_eq!(
            create_or_update_problems(&bad, Action::Create).first(),
            create_or_update(&bad, Action::Create).err().as_ref()
        );
        let good = QrdlSelector {
            phone_number: "8613800001234".into(),
            cust_space_id: None,
            qrdl_code: Some("C0DE".into()),
        };
        assert!(list_or_delete_problems(&good, Action::Delete).is_empty());
        assert!(list_or_delete(&good, Action::Delete).is_ok());
    }
}
