//! `createQrdls` / `deleteQrdls`: every item runs through the client's one call path (so the
//! pacing queue serves them in input order, first come first served), settles on its own, and
//! is reported through `onProgress(done, total, index, result)`. A `signal` stops the items not
//! yet sent.

use std::cell::Cell;
use std::rc::Rc;

use cams_protocol::error::CamsError;
use cams_protocol::types::Operation;
use js_sys::{Array, Function, Object, Promise, Reflect};
use serde::Deserialize;
use wasm_bindgen::prelude::*;

use crate::web::client::call::{Client, Reader};
use crate::web::client::promise::promise;
use crate::web::client::shared::Shared;
use crate::web::client::timers::Stop;
use crate::web::error::WebError;
use crate::web::js::read;

/// What differs between the batches: reading an item, and its reply.
pub(crate) struct BatchKind {
    pub request: fn(&JsValue) -> Result<Operation, CamsError>,
    pub reply: Reader,
}

pub(crate) fn run_batch(
    client: Rc<Client>,
    requests: JsValue,
    options: JsValue,
    kind: BatchKind,
) -> Promise {
    promise(async move {
        let items = read_items(&requests).map_err(WebError::from)?;
        let (on_progress, signal) = read_options(&options).map_err(WebError::from)?;
        let abort = AbortWatch::new(signal).map_err(WebError::from)?;
        let total = items.len();
        let progress = Rc::new(Progress {
            results: Array::new_with_length(u32::try_from(total).unwrap_or(u32::MAX)),
            done: Cell::new(0),
            total,
            on_progress,
            finished: Shared::new(),
        });
        if total == 0 {
            return Ok(progress.results.clone().into());
        }
        for (index, item) in items.iter().enumerate() {
            let op = (kind.request)(item);
            let (client, progress, stop, reply) = (
                client.clone(),
                progress.clone(),
                abort.stop.clone(),
                kind.reply,
            );
            // Spawned in input order: each reaches the pacing queue in that order.
            wasm_bindgen_futures::spawn_local(async move {
                let settled = match op {
                    Err(e) => failed(e.into()),
                    Ok(op) => match client.call(&op, reply, &stop).await {
                        Ok(value) => succeeded(&value),
                        Err(e) => failed(e),
                    },
                };
                progress.settle(index, &settled);
            });
        }
        progress.finished.wait().await;
        drop(abort);
        Ok(progress.results.clone().into())
    })
}

/// The requests array, as a list of its items.
fn read_items(requests: &JsValue) -> Result<Vec<JsValue>, CamsError> {
    if !Array::is_array(requests) {
        return Err(CamsError::invalid_parameter(
            "requests",
            "requests must be an array of request objects.",
        ));
    }
    Ok(Array::from(requests).iter().collect())
}

/// `BatchOptions`: `{ onProgress?, signal? }`, both optional.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RawOptions {
    #[serde(default, with = "serde_wasm_bindgen::preserve")]
    on_progress: JsValue,
    #[serde(default, with = "serde_wasm_bindgen::preserve")]
    signal: JsValue,
}

fn read_options(options: &JsValue) -> Result<(Option<Function>, Option<JsValue>), CamsError> {
    if options.is_undefined() || options.is_null() {
        return Ok((None, None));
    }
    let RawOptions {
        on_progress,
        signal,
    } = read(options, "options")?;
    let absent = |v: &JsValue| v.is_undefined() || v.is_null();
    let on_progress = if absent(&on_progress) {
        None
    } else {
        Some(on_progress.dyn_into::<Function>().map_err(|_| {
            CamsError::invalid_parameter(
                "options.onProgress",
                "options.onProgress must be a function.",
            )
        })?)
    };
    if absent(&signal) {
        return Ok((on_progress, None));
    }
    let listens = get(&signal, "addEventListener").is_function()
        && get(&signal, "removeEventListener").is_function();
    if !listens {
        return Err(CamsError::invalid_parameter(
            "options.signal",
            "options.signal must be an AbortSignal (new AbortController().signal).",
        ));
    }
    Ok((on_progress, Some(signal)))
}

/// `obj[key]`, or undefined when the getter throws.
fn get(obj: &JsValue, key: &str) -> JsValue {
    Reflect::get(obj, &JsValue::from_str(key)).unwrap_or(JsValue::UNDEFINED)
}

/// The settled results, how many there are, and the caller's progress callback.
struct Progress {
    results: Array,
    done: Cell<usize>,
    total: usize,
    on_progress: Option<Function>,
    finished: Shared<()>,
}

impl Progress {
    fn settle(&self, index: usize, settled: &JsValue) {
        self.results
            .set(u32::try_from(index).unwrap_or(u32::MAX), settled.clone());
        let done = self.done.get() + 1;
        self.done.set(done);
        if let Some(f) = &self.on_progress {
            // A throwing callback must not stop the batch or lose a result.
            let args = Array::of4(
                &JsValue::from(done as f64),
                &JsValue::from(self.total as f64),
                &JsValue::from(index as f64),
                settled,
            );
            let _ = f.apply(&JsValue::UNDEFINED, &args);
        }
        if done == self.total {
            self.finished.set(());
        }
    }
}

fn settled(ok: bool, key: &str, value: &JsValue) -> JsValue {
    let obj = Object::new();
    // Data properties on a fresh plain object: cannot fail.
    let _ = Reflect::set(&obj, &JsValue::from_str("ok"), &JsValue::from_bool(ok));
    let _ = Reflect::set(&obj, &JsValue::from_str(key), value);
    obj.into()
}

fn succeeded(value: &JsValue) -> JsValue {
    settled(true, "value", value)
}

fn failed(e: WebError) -> JsValue {
    settled(false, "error", &e.into())
}

/// The batch's `signal` as a [`Stop`]: set at once if it is already aborted, else by its
/// `abort` event. The listener is removed when the batch ends.
struct AbortWatch {
    stop: Stop,
    signal: Option<JsValue>,
    listener: Option<Closure<dyn FnMut()>>,
}

impl AbortWatch {
    fn new(signal: Option<JsValue>) -> Result<AbortWatch, CamsError> {
        let Some(signal) = signal else {
            return Ok(AbortWatch {
                stop: Stop::never(),
                signal: None,
                listener: None,
            });
        };
        let fired = Shared::new();
        if get(&signal, "aborted").as_bool() == Some(true) {
            fired.set(());
        }
        let listener = {
            let fired = fired.clone();
            Closure::<dyn FnMut()>::new(move || fired.set(()))
        };
        let add: Function = get(&signal, "addEventListener").unchecked_into();
        add.call2(
            &signal,
            &JsValue::from_str("abort"),
            listener.as_ref().unchecked_ref(),
        )
        .map_err(|_| {
            CamsError::invalid_parameter(
                "options.signal",
                "options.signal refused an abort listener: pass an AbortSignal.",
            )
        })?;
        Ok(AbortWatch {
            stop: Stop::on(fired),
            signal: Some(signal),
            listener: Some(listener),
        })
    }
}

impl Drop for AbortWatch {
    fn drop(&mut self) {
        if let (Some(signal), Some(listener)) = (&self.signal, self.listener.take()) {
            let remove = get(signal, "removeEventListener");
            if let Some(remove) = remove.dyn_ref::<Function>() {
                let _ = remove.call2(
                    signal,
                    &JsValue::from_str("abort"),
                    listener.as_ref().unchecked_ref(),
                );
            }
        }
    }
}
