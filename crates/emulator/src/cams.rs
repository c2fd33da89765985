//! CAMS 2020-06-06: the four message-QR-code actions, with the validation WhatsApp applies
//! behind them (digits-only phone number, a prefilled message of 1 to 140 characters, PNG or
//! SVG) and the replies' documented shape: `{RequestId, Code: "OK", Message, Data}`.

use cams_protocol::types::Action;
use cams_protocol::validate::MAX_MESSAGE_CHARS;
use cams_protocol::wire::{self, Reply};
use serde::Serialize;
use serde_json::Value;

use crate::errors::{self, ApiError};
use crate::gateway::Params;
use crate::qr::ImageFormat;
use crate::store::{Owner, Record, StoreError};
use crate::{lock, Emulator};

/// Runs an authenticated, authorised CAMS action of `account`; the reply body without
/// `RequestId`. An account sees only its own codes.
pub fn handle(
    emu: &Emulator,
    action: Action,
    account: &str,
    params: &Params,
) -> Result<Value, ApiError> {
    // Presence first, as the gateway checks the API's required parameters before CAMS runs.
    for name in required_params(action) {
        required(params, name)?;
    }
    let owner = Owner {
        account: account.to_owned(),
        phone_number: phone_number(params)?,
        cust_space_id: params.get("CustSpaceId").cloned().unwrap_or_default(),
    };
    match action {
        Action::Create => {
            let (message, format) = message_and_format(params)?;
            let record = lock(&emu.store)
                .create(&owner, &message, format)
                .map_err(|e| store_error(e, ""))?;
            Ok(ok(Some(qrdl(emu, &record))))
        }
        Action::Update => {
            let code = required(params, "QrdlCode")?;
            let (message, format) = message_and_format(params)?;
            let record = lock(&emu.store)
                .update(&owner, code, &message, format)
                .map_err(|e| store_error(e, code))?;
            Ok(ok(Some(qrdl(emu, &record))))
        }
        Action::List => {
            let list: Vec<wire::Qrdl> = lock(&emu.store)
                .list(&owner)
                .iter()
                .map(|r| qrdl(emu, r))
                .collect();
            Ok(ok(Some(list)))
        }
        Action::Delete => {
            let code = required(params, "QrdlCode")?;
            lock(&emu.store)
                .delete(&owner, code)
                .map_err(|e| store_error(e, code))?;
            Ok(ok(None::<()>))
        }
    }
}

/// The required parameters of each action, in the order the API documents them.
fn required_params(action: Action) -> &'static [&'static str] {
    match action {
        Action::Create => &["PhoneNumber", "GenerateQrImage", "PrefilledMessage"],
        Action::Update => &[
            "PhoneNumber",
            "QrdlCode",
            "GenerateQrImage",
            "PrefilledMessage",
        ],
        Action::List => &["PhoneNumber"],
        Action::Delete => &["PhoneNumber", "QrdlCode"],
    }
}

/// A success body, `RequestId` still to come ([`crate::reply::json`] adds it).
fn ok<D: Serialize>(data: Option<D>) -> Value {
    let mut reply = Reply::ok("", data);
    reply.request_id = None;
    // Strings and lists of strings: serializing cannot fail.
    serde_json::to_value(reply).unwrap_or_default()
}

/// The Qrdl object as the API returns it.
fn qrdl(emu: &Emulator, r: &Record) -> wire::Qrdl {
    let ext = ImageFormat::from_api(&r.image_format)
        .unwrap_or(ImageFormat::Png)
        .extension();
    wire::Qrdl {
        qr_image_url: emu.qr_url(&r.code, ext),
        phone_number: r.owner.phone_number.clone(),
        qrdl_code: r.code.clone(),
        deep_link_url: r.deep_link(),
        generate_qr_image: r.image_format.clone(),
        prefilled_message: r.prefilled_message.clone(),
    }
}

fn required<'a>(params: &'a Params, name: &str) -> Result<&'a str, ApiError> {
    params
        .get(name)
        .map(String::as_str)
        .filter(|v| !v.is_empty())
        .ok_or_else(|| errors::missing_parameter(name))
}

/// A WhatsApp business number as CAMS takes it: country code and number, digits only.
fn phone_number(params: &Params) -> Result<String, ApiError> {
    let raw = required(params, "PhoneNumber")?;
    if !raw.bytes().all(|b| b.is_ascii_digit()) {
        return Err(errors::invalid_parameter(
            "PhoneNumber",
            "use digits only, country code first, without + or spaces (for example 8613800001234).",
        ));
    }
    if !(6..=15).contains(&raw.len()) {
        return Err(errors::invalid_parameter(
            "PhoneNumber",
            "a phone number has 6 to 15 digits, country code included.",
        ));
    }
    Ok(raw.to_owned())
}

fn message_and_format(params: &Params) -> Result<(String, &'static str), ApiError> {
    let message = required(params, "PrefilledMessage")?;
    if message.trim().is_empty() {
        return Err(errors::invalid_parameter(
            "PrefilledMessage",
            "the message cannot be blank.",
        ));
    }
    let chars = message.chars().count();
    if chars > MAX_MESSAGE_CHARS {
        return Err(errors::invalid_parameter(
            "PrefilledMessage",
            &format!(
                "the message has {chars} characters; WhatsApp allows at most {MAX_MESSAGE_CHARS}."
            ),
        ));
    }
    let format = match ImageFormat::from_api(required(params, "GenerateQrImage")?) {
        Some(ImageFormat::Png) => "PNG",
        Some(ImageFormat::Svg) => "SVG",
        None => {
            return Err(errors::invalid_parameter(
                "GenerateQrImage",
                "valid values are PNG and SVG.",
            ))
        }
    };
    Ok((message.to_owned(), format))
}

fn store_error(e: StoreError, code: &str) -> ApiError {
    match e {
        StoreError::LimitReached(limit) => errors::qrdl_limit(limit),
        StoreError::NotFound => errors::qrdl_not_found(code),
    }
}
