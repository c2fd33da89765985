//! The free functions: a one-off create and the signer.

use std::rc::Rc;

use js_sys::{Object, Promise};
use wasm_bindgen::prelude::*;

use crate::web::client::{read_qrdl, run, Client};
use crate::web::config::read_config;
use crate::web::js::string_record;
use crate::web::request::create_or_update_op;
use cams_protocol::error::CamsError;
use cams_protocol::sign::{sign_params, Method};
use cams_protocol::types::Action;

/// Creates one message QR code with a client made for this call alone (use `CamsClient` for
/// several: it keeps temporary credentials). The request is checked before the config, and
/// both before anything is sent.
#[wasm_bindgen(js_name = createQrdl, unchecked_return_type = "Promise<CreateQrdlResponse>")]
pub fn create_qrdl(
    #[wasm_bindgen(unchecked_param_type = "CreateQrdlRequest")] request: JsValue,
    #[wasm_bindgen(unchecked_param_type = "ClientConfig")] config: JsValue,
) -> Promise {
    let op = create_or_update_op(&request, Action::Create);
    match read_config(&config) {
        Ok(config) => run(Rc::new(Client::new(config)), op, read_qrdl),
        Err(e) => Promise::reject(&op.err().unwrap_or(e).into()),
    }
}

/// Signs RPC parameters and returns the intermediate strings, to compare with a gateway's
/// `SignatureDoesNotMatch` message. Sends nothing.
#[wasm_bindgen(js_name = signRpcRequest, unchecked_return_type = "SignedRequest")]
pub fn sign_rpc_request(
    #[wasm_bindgen(unchecked_param_type = "\"GET\" | \"POST\"")] method: JsValue,
    #[wasm_bindgen(unchecked_param_type = "Record<string, string>")] params: JsValue,
    #[wasm_bindgen(js_name = accessKeySecret, unchecked_param_type = "string")]
    access_key_secret: JsValue,
) -> Result<JsValue, JsValue> {
    let method = method
        .as_string()
        .and_then(|m| Method::parse(&m))
        .ok_or_else(|| {
            CamsError::invalid_parameter("method", "method must be \"GET\" or \"POST\".")
        })?;
    let params = string_record(&params, "params")?;
    let secret = access_key_secret.as_string().ok_or_else(|| {
        CamsError::invalid_parameter("accessKeySecret", "accessKeySecret must be a string.")
    })?;
    let signed = sign_params(method, params.pairs(), &secret);
    // Property names written in the glue: no name crosses per call.
    let out: SignedRequest = Object::new().unchecked_into();
    out.set_canonical_query(&signed.canonical_query);
    out.set_string_to_sign(&signed.string_to_sign);
    out.set_signature(&signed.signature);
    Ok(out.into())
}

#[wasm_bindgen]
extern "C" {
    /// The `SignedRequest` object `signRpcRequest` returns.
    #[wasm_bindgen(extends = Object)]
    type SignedRequest;
    #[wasm_bindgen(method, setter = canonicalQuery)]
    fn set_canonical_query(this: &SignedRequest, value: &str);
    #[wasm_bindgen(method, setter = stringToSign)]
    fn set_string_to_sign(this: &SignedRequest, value: &str);
    #[wasm_bindgen(method, setter = signature)]
    fn set_signature(this: &SignedRequest, value: &str);
}
