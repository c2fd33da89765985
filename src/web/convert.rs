//! Typed replies as the camelCase JS objects the TypeScript declarations describe.

use js_sys::{Array, Object, Reflect};
use wasm_bindgen::JsValue;

use cams_protocol::types::{BaseResponse, ListQrdlResponse, Qrdl, QrdlResponse};

fn set(obj: &Object, key: &str, value: &str) {
    // A data property on a fresh plain object: cannot fail.
    let _ = Reflect::set(obj, &JsValue::from_str(key), &JsValue::from_str(value));
}

fn base(b: &BaseResponse) -> Object {
    let obj = Object::new();
    set(&obj, "requestId", &b.request_id);
    set(&obj, "code", &b.code);
    if let Some(m) = &b.message {
        set(&obj, "message", m);
    }
    if let Some(d) = &b.access_denied_detail {
        set(&obj, "accessDeniedDetail", d);
    }
    obj
}

fn qrdl(q: &Qrdl) -> Object {
    let obj = Object::new();
    set(&obj, "qrImageUrl", &q.qr_image_url);
    set(&obj, "phoneNumber", &q.phone_number);
    set(&obj, "qrdlCode", &q.qrdl_code);
    set(&obj, "deepLinkUrl", &q.deep_link_url);
    set(&obj, "generateQrImage", &q.generate_qr_image);
    set(&obj, "prefilledMessage", &q.prefilled_message);
    obj
}

pub(crate) fn base_response(b: &BaseResponse) -> JsValue {
    base(b).into()
}

pub(crate) fn qrdl_response(r: &QrdlResponse) -> JsValue {
    let obj = base(&r.base);
    let _ = Reflect::set(&obj, &JsValue::from_str("data"), &qrdl(&r.data));
    obj.into()
}

pub(crate) fn list_response(r: &ListQrdlResponse) -> JsValue {
    let obj = base(&r.base);
    let data: Array = r.data.iter().map(qrdl).collect();
    let _ = Reflect::set(&obj, &JsValue::from_str("data"), &data);
    obj.into()
}
