//! The bindings to host.js, the few lines of JS beside the Rust edge (fetch under a time limit,
//! a promise raced against one), and the markers it rejects and throws with. One place, so the
//! two sides of that contract are read together.

use js_sys::{Object, Promise};
use wasm_bindgen::prelude::*;

#[wasm_bindgen(module = "/src/web/host.js")]
extern "C" {
    /// fetch under a time limit, resolving `[status, receivedMs, date, retryAfter,
    /// acsRetryAfter, body]`.
    #[wasm_bindgen(catch)]
    pub(crate) fn send(
        url: &str,
        method: &str,
        headers: Option<&Object>,
        content_type: Option<&str>,
        body: Option<&str>,
        credentials: Option<&str>,
        ms: u32,
    ) -> Result<Promise, JsValue>;

    /// `[value]` once `value` settles within `ms`, undefined when it did not.
    pub(crate) fn within(value: &JsValue, ms: u32) -> Promise;
}

/// What `send` rejects with when the time limit ran out.
pub(crate) const TIMED_OUT: &str = "cams-qrdl:timeout";
/// What `send` throws where there is no AbortController.
pub(crate) const UNSUPPORTED: &str = "cams-qrdl:unsupported";
