//! Every promise the module hands out is made here, from one boxed future type, so the module
//! holds one copy of `future_to_promise` rather than one per caller.

use std::future::Future;
use std::pin::Pin;

use js_sys::Promise;
use wasm_bindgen::JsValue;
use wasm_bindgen_futures::future_to_promise;

/// A promise settled by `f`.
pub(crate) fn promise(f: impl Future<Output = Result<JsValue, JsValue>> + 'static) -> Promise {
    let f: Pin<Box<dyn Future<Output = Result<JsValue, JsValue>>>> = Box::pin(f);
    future_to_promise(f)
}
