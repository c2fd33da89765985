//! cams-qrdl: create and manage WhatsApp message QR codes through Alibaba Cloud Chat App Message
//! Service (CAMS) from a browser.
//!
//! [`core`] is pure Rust (signing, types, validation, reply parsing) shared with the relay and the
//! emulator; `web` is the thin wasm edge (fetch, clock, credentials, JS exports).

pub mod core;

#[cfg(target_arch = "wasm32")]
pub mod web;

/// The module's allocator: a first-fit free list that merges neighbours (lol_alloc), about 0.5 KB
/// where std's dlmalloc is 7 KB (3.3 KB gzipped of the module). The client holds a few strings
/// at a time, so its heap stays small and the list short; signing measured no slower.
#[cfg(target_arch = "wasm32")]
#[global_allocator]
static ALLOC: lol_alloc::AssumeSingleThreaded<lol_alloc::FreeListAllocator> =
    // SAFETY: wasm32-unknown-unknown without the atomics feature has one thread.
    unsafe { lol_alloc::AssumeSingleThreaded::new(lol_alloc::FreeListAllocator::new()) };
