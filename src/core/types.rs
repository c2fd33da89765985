//! Requests and replies of the four QR-code actions, in their Rust form.

use alloc::{string::String, vec::Vec};

/// One message QR code, as the API returns it.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Qrdl {
    pub qr_image_url: String,
    pub phone_number: String,
    pub qrdl_code: String,
    pub deep_link_url: String,
    pub generate_qr_image: String,
    pub prefilled_message: String,
}

/// The fields every reply carries.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct BaseResponse {
    pub request_id: String,
    pub code: String,
    pub message: Option<String>,
    pub access_denied_detail: Option<String>,
}

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct QrdlResponse {
    pub base: BaseResponse,
    pub data: Qrdl,
}

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ListQrdlResponse {
    pub base: BaseResponse,
    pub data: Vec<Qrdl>,
}

/// A create or update, as the caller gave it (validated by [`crate::core::validate`]).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct QrdlInput {
    pub phone_number: String,
    pub prefilled_message: String,
    pub generate_qr_image: String,
    pub cust_space_id: Option<String>,
    /// Only for updates.
    pub qrdl_code: Option<String>,
}

/// Which numbers' codes to list, or which code to delete.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct QrdlSelector {
    pub phone_number: String,
    pub cust_space_id: Option<String>,
    /// Required for deletes, absent for lists.
    pub qrdl_code: Option<String>,
}

/// The four actions.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Action {
    Create,
    List,
    Update,
    Delete,
}

impl Action {
    pub fn name(self) -> &'static str {
        match self {
            Action::Create => "CreatePhoneMessageQrdl",
            Action::List => "ListPhoneMessageQrdl",
            Action::Update => "UpdatePhoneMessageQrdl",
            Action::Delete => "DeletePhoneMessageQrdl",
        }
    }

    pub fn from_name(name: &str) -> Option<Action> {
        [Action::Create, Action::List, Action::Update, Action::Delete]
            .into_iter()
            .find(|a| a.name() == name)
    }

    /// A call whose outcome is unknown must not be sent again when it may have created something.
    pub fn is_idempotent(self) -> bool {
        !matches!(self, Action::Create)
    }
}

/// A validated call: the action and its business parameters, ready to sign.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Operation {
    pub action: Action,
    pub params: Vec<(&'static str, String)>,
}

impl Operation {
    pub fn params(&self) -> Vec<(&str, &str)> {
        self.params.iter().map(|(k, v)| (*k, v.as_str())).collect()
    }
}
