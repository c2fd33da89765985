//! The four QR-code actions as the client's callers see them: the requests they give and the
//! replies they get, in camelCase (the JavaScript API's names; the wire's are in
//! [`crate::wire`]).

use serde::{Deserialize, Serialize};

use crate::wire;

/// One message QR code.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Qrdl {
    pub qr_image_url: String,
    pub phone_number: String,
    pub qrdl_code: String,
    pub deep_link_url: String,
    pub generate_qr_image: String,
    pub prefilled_message: String,
}

impl From<wire::Qrdl> for Qrdl {
    fn from(q: wire::Qrdl) -> Qrdl {
        Qrdl {
            qr_image_url: q.qr_image_url,
            phone_number: q.phone_number,
            qrdl_code: q.qrdl_code,
            deep_link_url: q.deep_link_url,
            generate_qr_image: q.generate_qr_image,
            prefilled_message: q.prefilled_message,
        }
    }
}

/// A reply with no data to keep (a delete).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct BaseResponse {
    pub request_id: String,
    pub code: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub access_denied_detail: Option<String>,
}

/// A reply with the action's data: one code (create, update) or a list.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Response<D> {
    pub request_id: String,
    pub code: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub access_denied_detail: Option<String>,
    pub data: D,
}

impl<D> Response<D> {
    pub fn new(base: BaseResponse, data: D) -> Response<D> {
        Response {
            request_id: base.request_id,
            code: base.code,
            message: base.message,
            access_denied_detail: base.access_denied_detail,
            data,
        }
    }
}

pub type QrdlResponse = Response<Qrdl>;
pub type ListQrdlResponse = Response<Vec<Qrdl>>;

/// A create or update, as the caller gave it (validated by [`crate::validate`]): JavaScript's
/// `CreateQrdlRequest` / `UpdateQrdlRequest`. Absent and null read as empty, so the validator's
/// message ("Enter the ...") is the one the caller sees; other members are ignored.
#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct QrdlInput {
    #[serde(deserialize_with = "null_as_empty")]
    pub phone_number: String,
    #[serde(deserialize_with = "null_as_empty")]
    pub prefilled_message: String,
    #[serde(deserialize_with = "null_as_empty")]
    pub generate_qr_image: String,
    pub cust_space_id: Option<String>,
    /// Only for updates.
    pub qrdl_code: Option<String>,
}

/// Which numbers' codes to list, or which code to delete: `ListQrdlsRequest` /
/// `DeleteQrdlRequest`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct QrdlSelector {
    #[serde(deserialize_with = "null_as_empty")]
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

impl From<QrdlInput> for QrdlSelector {
    /// The selector's members of a request read as a create's or an update's.
    fn from(input: QrdlInput) -> QrdlSelector {
        QrdlSelector {
            phone_number: input.phone_number,
            cust_space_id: input.cust_space_id,
            qrdl_code: input.qrdl_code,
        }
    }
}

/// A string member where null means the same as absent: "".
fn null_as_empty<'de, D: serde::Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    Ok(Option::<String>::deserialize(d)?.unwrap_or_default())
}
