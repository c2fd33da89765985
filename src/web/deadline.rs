//! A time limit for one call: an `AbortSignal` for fetch and a race for other promises (a
//! credentials provider), cleared when dropped so no timer outlives the call.

use alloc::rc::Rc;
use core::cell::Cell;

use js_sys::{Array, Function, Object, Promise};
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;
use web_sys::{AbortController, AbortSignal};

use crate::core::error::{codes, CamsError};
use crate::web::platform::{clear_timeout, set_timeout};

pub(crate) struct Deadline {
    controller: AbortController,
    /// Resolves to `marker` when time is up.
    expiry: Promise,
    marker: JsValue,
    fired: Rc<Cell<bool>>,
    timer: JsValue,
    /// Kept alive until the timer is cleared: JS calls it.
    _on_expiry: Closure<dyn FnMut()>,
}

impl Deadline {
    pub(crate) fn start(ms: u32) -> Result<Deadline, CamsError> {
        let controller = AbortController::new().map_err(|_| {
            CamsError::new(
                codes::UNSUPPORTED_ENVIRONMENT,
                "AbortController is not available here, so no request can be timed out.",
            )
        })?;
        let marker: JsValue = Object::new().into();
        let mut resolve_slot: Option<Function> = None;
        let expiry = Promise::new(&mut |resolve, _reject| resolve_slot = Some(resolve));
        let fired = Rc::new(Cell::new(false));
        let on_expiry = {
            let (controller, marker, fired) = (controller.clone(), marker.clone(), fired.clone());
            Closure::<dyn FnMut()>::new(move || {
                fired.set(true);
                controller.abort();
                if let Some(resolve) = &resolve_slot {
                    let _ = resolve.call1(&JsValue::UNDEFINED, &marker);
                }
            })
        };
        // `ms` is at most 2^31 - 1 (checked in core::options), so the cast keeps it.
        let timer = set_timeout(
            on_expiry.as_ref().unchecked_ref(),
            ms.min(i32::MAX as u32) as i32,
        );
        Ok(Deadline {
            controller,
            expiry,
            marker,
            fired,
            timer,
            _on_expiry: on_expiry,
        })
    }

    pub(crate) fn signal(&self) -> AbortSignal {
        self.controller.signal()
    }

    /// Whether the time ran out (a fetch rejected after this was aborted, not by the network).
    pub(crate) fn expired(&self) -> bool {
        self.fired.get()
    }

    /// Waits for `promise`, or for the time limit: `Ok(None)` when time ran out first.
    pub(crate) async fn race(&self, promise: &Promise) -> Result<Option<JsValue>, JsValue> {
        let both = Array::of2(promise, &self.expiry);
        let winner = JsFuture::from(Promise::race(&both)).await?;
        Ok(if winner == self.marker {
            None
        } else {
            Some(winner)
        })
    }
}

impl Drop for Deadline {
    fn drop(&mut self) {
        clear_timeout(&self.timer);
    }
}
