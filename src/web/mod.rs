//! The browser edge: fetch, clock, randomness, credentials and the `#[wasm_bindgen]` exports.
//!
//! Everything here is thin: decisions live in [`crate::core`]. A panic would kill the module for
//! the whole page, so every JS value is read through [`js`], which turns surprises into errors.
//!
//! Two modules come out of this crate (scripts/build-wasm.sh): the client (feature `client`:
//! `createQrdl`, `CamsClient`, `signRpcRequest`) and the local QR renderer (feature `qr`:
//! `renderQrSvg`), so a dashboard that shows the service's images never downloads an encoder.
//! The tests build both into one.

mod error;
#[cfg(feature = "qr")]
mod qr;

#[cfg(feature = "client")]
mod batch;
#[cfg(feature = "client")]
mod client;
#[cfg(feature = "client")]
mod clock;
#[cfg(feature = "client")]
mod config;
#[cfg(feature = "client")]
mod convert;
#[cfg(feature = "client")]
mod credentials;
#[cfg(feature = "client")]
mod exports;
#[cfg(feature = "client")]
mod gate;
#[cfg(feature = "client")]
mod host;
#[cfg(feature = "client")]
mod http;
#[cfg(feature = "client")]
mod js;
#[cfg(feature = "client")]
mod platform;
#[cfg(feature = "client")]
mod request;
#[cfg(feature = "client")]
mod shared;
#[cfg(feature = "client")]
mod timers;
#[cfg(feature = "client")]
mod typescript;

#[cfg(feature = "client")]
pub use client::CamsClient;
#[cfg(feature = "client")]
pub use exports::{create_qrdl, sign_rpc_request};
#[cfg(feature = "qr")]
pub use qr::render_qr_svg;
