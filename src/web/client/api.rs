//! The client module's exports: `CamsClient` and the one-off `createQrdl`.

use std::rc::Rc;

use cams_protocol::error::CamsError;
use cams_protocol::types::{Action, Operation};
use js_sys::Promise;
use wasm_bindgen::prelude::*;

use crate::web::client::batch::{run_batch, BatchKind};
use crate::web::client::call::{read_base_reply, read_list_reply, read_qrdl_reply, Client, Reader};
use crate::web::client::config::read_config;
use crate::web::client::promise::promise;
use crate::web::client::request::{create_or_update_op, list_or_delete_op};
use crate::web::client::timers::Stop;
use crate::web::error::WebError;

/// Runs one validated operation on `client` and settles a promise with the JS result or a
/// `CamsError`. Validation errors reject without anything being sent.
fn run(client: Rc<Client>, op: Result<Operation, CamsError>, read: Reader) -> Promise {
    promise(async move {
        let op = op.map_err(WebError::from)?;
        Ok(client.call(&op, read, &Stop::never()).await?)
    })
}

/// A client for many calls: it keeps temporary credentials between them, paces its calls to
/// `maxQps`, and runs batches.
#[wasm_bindgen]
pub struct CamsClient {
    client: Rc<Client>,
}

#[wasm_bindgen]
impl CamsClient {
    /// Checks the config at once; a bad one throws a `CamsError` naming the field.
    #[wasm_bindgen(constructor)]
    pub fn new(
        #[wasm_bindgen(unchecked_param_type = "ClientConfig")] config: JsValue,
    ) -> Result<CamsClient, JsValue> {
        let config = read_config(&config).map_err(WebError::from)?;
        Ok(CamsClient {
            client: Rc::new(Client::new(config)),
        })
    }

    /// Creates a message QR code.
    #[wasm_bindgen(js_name = createQrdl, unchecked_return_type = "Promise<CreateQrdlResponse>")]
    pub fn create_qrdl(
        &self,
        #[wasm_bindgen(unchecked_param_type = "CreateQrdlRequest")] request: JsValue,
    ) -> Promise {
        let op = create_or_update_op(&request, Action::Create);
        run(self.client.clone(), op, read_qrdl_reply)
    }

    /// Lists a number's message QR codes.
    #[wasm_bindgen(js_name = listQrdls, unchecked_return_type = "Promise<ListQrdlResponse>")]
    pub fn list_qrdls(
        &self,
        #[wasm_bindgen(unchecked_param_type = "ListQrdlsRequest")] request: JsValue,
    ) -> Promise {
        let op = list_or_delete_op(&request, Action::List);
        run(self.client.clone(), op, read_list_reply)
    }

    /// Changes a code's message or image format. Alibaba documents that the original code
    /// stops working after an update: the reply's `qrdlCode` and `deepLinkUrl` are new, and
    /// are the ones to print and use from then on.
    #[wasm_bindgen(js_name = updateQrdl, unchecked_return_type = "Promise<CreateQrdlResponse>")]
    pub fn update_qrdl(
        &self,
        #[wasm_bindgen(unchecked_param_type = "UpdateQrdlRequest")] request: JsValue,
    ) -> Promise {
        let op = create_or_update_op(&request, Action::Update);
        run(self.client.clone(), op, read_qrdl_reply)
    }

    /// Deletes a code.
    #[wasm_bindgen(js_name = deleteQrdl, unchecked_return_type = "Promise<BaseResponse>")]
    pub fn delete_qrdl(
        &self,
        #[wasm_bindgen(unchecked_param_type = "DeleteQrdlRequest")] request: JsValue,
    ) -> Promise {
        let op = list_or_delete_op(&request, Action::Delete);
        run(self.client.clone(), op, read_base_reply)
    }

    /// Creates one code per request, paced and retried like single calls; resolves with one
    /// settled result per request, in order. One failure never stops the others.
    #[wasm_bindgen(
        js_name = createQrdls,
        unchecked_return_type = "Promise<Settled<CreateQrdlResponse>[]>"
    )]
    pub fn create_qrdls(
        &self,
        #[wasm_bindgen(unchecked_param_type = "CreateQrdlRequest[]")] requests: JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "BatchOptions<CreateQrdlResponse>")]
        options: JsValue,
    ) -> Promise {
        run_batch(
            self.client.clone(),
            requests,
            options,
            BatchKind {
                request: |r| create_or_update_op(r, Action::Create),
                reply: read_qrdl_reply,
            },
        )
    }

    /// Deletes one code per request, like `createQrdls`.
    #[wasm_bindgen(
        js_name = deleteQrdls,
        unchecked_return_type = "Promise<Settled<BaseResponse>[]>"
    )]
    pub fn delete_qrdls(
        &self,
        #[wasm_bindgen(unchecked_param_type = "DeleteQrdlRequest[]")] requests: JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "BatchOptions<BaseResponse>")]
        options: JsValue,
    ) -> Promise {
        run_batch(
            self.client.clone(),
            requests,
            options,
            BatchKind {
                request: |r| list_or_delete_op(r, Action::Delete),
                reply: read_base_reply,
            },
        )
    }
}

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
        Ok(config) => run(Rc::new(Client::new(config)), op, read_qrdl_reply),
        Err(e) => Promise::reject(&WebError::from(op.err().unwrap_or(e)).into()),
    }
}
