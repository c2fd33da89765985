//! Reading the request objects of the four actions into validated operations (core::validate).

use wasm_bindgen::JsValue;

use crate::web::js::{object, opt_string, string_or_empty};
use cams_protocol::error::CamsError;
use cams_protocol::types::{Action, Operation, QrdlInput, QrdlSelector};
use cams_protocol::validate::{create_or_update, list_or_delete};

/// `CreateQrdlRequest`, or with `qrdlCode` the update's.
pub(crate) fn create_or_update_op(value: &JsValue, action: Action) -> Result<Operation, CamsError> {
    let r = object(value, "request")?;
    let input = QrdlInput {
        phone_number: string_or_empty(&r, "phoneNumber", "phoneNumber")?,
        prefilled_message: string_or_empty(&r, "prefilledMessage", "prefilledMessage")?,
        generate_qr_image: string_or_empty(&r, "generateQrImage", "generateQrImage")?,
        cust_space_id: opt_string(&r, "custSpaceId", "custSpaceId")?,
        qrdl_code: if action == Action::Update {
            opt_string(&r, "qrdlCode", "qrdlCode")?
        } else {
            None
        },
    };
    create_or_update(&input, action)
}

/// `{phoneNumber, custSpaceId?}`, or with `qrdlCode` the delete's.
pub(crate) fn list_or_delete_op(value: &JsValue, action: Action) -> Result<Operation, CamsError> {
    let r = object(value, "request")?;
    let selector = QrdlSelector {
        phone_number: string_or_empty(&r, "phoneNumber", "phoneNumber")?,
        cust_space_id: opt_string(&r, "custSpaceId", "custSpaceId")?,
        qrdl_code: if action == Action::Delete {
            opt_string(&r, "qrdlCode", "qrdlCode")?
        } else {
            None
        },
    };
    list_or_delete(&selector, action)
}
