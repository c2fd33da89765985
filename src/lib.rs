//! cams-qrdl: create and manage WhatsApp message QR codes through Alibaba Cloud Chat App Message
//! Service (CAMS) from a browser.
//!
//! [`core`] is pure Rust (signing, types, validation, reply parsing) shared with the relay and the
//! emulator; `web` is the thin wasm edge (fetch, clock, credentials, JS exports).

pub mod core;

#[cfg(target_arch = "wasm32")]
pub mod web;
