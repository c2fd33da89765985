//! The browser edge: fetch, clock, randomness, credentials and the `#[wasm_bindgen]` exports.
//!
//! Everything here is thin: decisions live in `cams-protocol`. JavaScript values cross with
//! serde-wasm-bindgen ([`js`]), which turns every surprise into a `CamsError`, never a panic.
//!
//! Three modules come out of this crate (scripts/build-wasm.sh), so a page downloads only what it
//! uses: the client (feature `client`: `createQrdl`, `CamsClient`), the local QR renderer
//! (feature `qr`: `renderQrSvg`), the print exports (feature `export`: `renderQrPng`,
//! `renderQrPdf`) and the tools that send nothing (feature `tools`: `validateQrdlRequest`,
//! `signRpcRequest`, `signAcs3Request`). The tests build all four into one.

mod error;
#[cfg(feature = "export")]
mod export;
mod js;
#[cfg(any(feature = "qr", feature = "export"))]
mod qr;
#[cfg(feature = "tools")]
mod tools;

#[cfg(feature = "client")]
mod client;

#[cfg(feature = "client")]
pub use client::api::{create_qrdl, CamsClient};
#[cfg(feature = "client")]
pub use error::is_cams_error;
#[cfg(feature = "export")]
pub use export::{render_qr_pdf, render_qr_png};
#[cfg(feature = "qr")]
pub use qr::render_qr_svg;
#[cfg(feature = "tools")]
pub use tools::{sign_acs3_request, sign_rpc_request, validate_qrdl_request};
