//! The browser edge: fetch, clock, randomness, credentials and the `#[wasm_bindgen]` exports.
//!
//! Everything here is thin: decisions live in [`crate::core`]. A panic would kill the module for
//! the whole page, so every JS value is read through [`js`], which turns surprises into errors.

mod batch;
mod client;
mod clock;
mod config;
mod convert;
mod credentials;
mod deadline;
mod error;
mod exports;
mod gate;
mod http;
mod js;
mod platform;
mod qr;
mod request;
mod shared;
mod timers;
mod typescript;

pub use client::CamsClient;
pub use exports::{create_qrdl, render_qr_svg, sign_rpc_request};
