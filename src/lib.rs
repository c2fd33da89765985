//! cams-qrdl: create and manage WhatsApp message QR codes through Alibaba Cloud Chat App Message
//! Service (CAMS) from a browser.
//!
//! This crate is the WebAssembly edge: fetch, clock, randomness, credentials and the
//! `#[wasm_bindgen]` exports. Every decision is made in `cams-protocol` (signing, wire types,
//! validation, pacing and retry rules) and QR codes are drawn by `cams-qr`; both are tested
//! natively.

#[cfg(target_arch = "wasm32")]
pub mod web;

/// The module's allocator: talc, faster than the default dlmalloc on wasm and a fraction of its
/// size (in-place reallocation off: the client's strings rarely grow in place).
#[cfg(all(target_arch = "wasm32", not(target_feature = "atomics")))]
#[global_allocator]
static TALC: talc::wasm::WasmDynamicTalc = talc::wasm::new_wasm_dynamic_allocator();
