//! Reading the request objects of the four actions into validated operations
//! (`cams_protocol::validate`).

use cams_protocol::error::CamsError;
use cams_protocol::types::{Action, Operation, QrdlInput, QrdlSelector};
use cams_protocol::validate::{create_or_update, list_or_delete};
use wasm_bindgen::JsValue;

use crate::web::js::read;

/// `CreateQrdlRequest`, or with `qrdlCode` the update's.
pub(crate) fn create_or_update_op(value: &JsValue, action: Action) -> Result<Operation, CamsError> {
    let mut input: QrdlInput = read(value, "request")?;
    if action != Action::Update {
        input.qrdl_code = None;
    }
    create_or_update(&input, action)
}

/// `{phoneNumber, custSpaceId?}`, or with `qrdlCode` the delete's.
pub(crate) fn list_or_delete_op(value: &JsValue, action: Action) -> Result<Operation, CamsError> {
    // Read as the one request type the module knows: one reader fewer in it.
    let mut selector = QrdlSelector::from(read::<QrdlInput>(value, "request")?);
    if action != Action::Delete {
        selector.qrdl_code = None;
    }
    list_or_delete(&selector, action)
}
