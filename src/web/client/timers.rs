//! Waiting: a monotonic clock for pacing, a cancellable `sleep`, and [`Stop`], the batch's abort
//! signal as something a wait can race against.

use std::future::{poll_fn, Future};
use std::pin::{pin, Pin};
use std::task::Poll;

use js_sys::{Function, Promise};
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;

use crate::web::client::shared::Shared;

#[wasm_bindgen]
extern "C" {
    #[wasm_bindgen(js_namespace = performance, js_name = now, catch)]
    fn performance_now() -> Result<f64, JsValue>;
}

/// Milliseconds on a clock that never goes back (`performance.now()`), for pacing; `Date.now()`
/// where there is no `performance`. A wall clock set back would otherwise let calls bunch up.
pub(crate) fn monotonic_ms() -> f64 {
    performance_now().unwrap_or_else(|_| js_sys::Date::now())
}

#[wasm_bindgen]
extern "C" {
    #[wasm_bindgen(js_name = setTimeout)]
    fn set_timeout(handler: &Function, ms: u32) -> JsValue;
    #[wasm_bindgen(js_name = clearTimeout)]
    fn clear_timeout(id: &JsValue);
}

/// Resolves after `ms` milliseconds (rounded up: never early); dropping it clears the timer.
pub(crate) struct Sleep {
    done: JsFuture,
    timer: JsValue,
}

pub(crate) fn sleep(ms: f64) -> Sleep {
    let ms = if ms.is_finite() {
        ms.ceil().clamp(0.0, f64::from(i32::MAX)) as u32
    } else {
        0
    };
    let mut timer = JsValue::UNDEFINED;
    // The promise's own resolve function is the timer's handler: no closure to keep alive.
    let done = Promise::new(&mut |resolve: Function, _| timer = set_timeout(&resolve, ms));
    Sleep {
        done: JsFuture::from(done),
        timer,
    }
}

impl Future for Sleep {
    type Output = ();
    fn poll(mut self: Pin<&mut Self>, cx: &mut std::task::Context<'_>) -> Poll<()> {
        Pin::new(&mut self.done).poll(cx).map(|_| ())
    }
}

impl Drop for Sleep {
    fn drop(&mut self) {
        clear_timeout(&self.timer);
    }
}

/// A batch's stop signal (never set for single calls).
#[derive(Clone, Default)]
pub(crate) struct Stop(Option<Shared<()>>);

/// The wait was cut short by [`Stop`].
#[derive(Debug)]
pub(crate) struct Stopped;

impl Stop {
    /// A stop that never fires.
    pub(crate) fn never() -> Stop {
        Stop(None)
    }

    /// A stop that fires when `shared` is set.
    pub(crate) fn on(shared: Shared<()>) -> Stop {
        Stop(Some(shared))
    }

    /// Waits for `f` unless the stop fires first (checked first, so nothing starts after it).
    /// `f` is dropped when stopped, which releases whatever it was waiting for.
    pub(crate) async fn or_stop<F: Future>(&self, f: F) -> Result<F::Output, Stopped> {
        let Some(shared) = &self.0 else {
            return Ok(f.await);
        };
        let mut f = pin!(f);
        let mut stopped = shared.wait();
        poll_fn(move |cx| {
            if Pin::new(&mut stopped).poll(cx).is_ready() {
                return Poll::Ready(Err(Stopped));
            }
            f.as_mut().poll(cx).map(Ok)
        })
        .await
    }
}
