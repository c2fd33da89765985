//! The browser edge: fetch, clock, randomness, credentials and the `#[wasm_bindgen]` exports.
//!
//! Everything here is thin: decisions live in `cams-protocol`. JavaScript values cross with
//! serde-wasm-bindgen ([`js`]), which turns every surprise into a `CamsError`, never a panic.
//!
//! Two modules come out of this crate (scripts/build-wasm.sh): the client (feature `client`:
//! `createQrdl`, `CamsClient`, the signers and validators) and the local QR renderer (feature
//! `qr`: `renderQrSvg`), so a dashboard that shows the service's images never downloads an
//! encoder. The tests build both into one.

mod error;
mod js;
#[cfg(feature = "qr")]
mod qr;

#[cfg(feature = "client")]
mod client;

#[cfg(feature = "client")]
pub use client::api::{create_qrdl, sign_rpc_request, validate_qrdl_request, CamsClient};
#[cfg(feature = "qr")]
pub use qr::render_qr_svg;
