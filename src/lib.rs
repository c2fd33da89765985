//! cams-qrdl: create and manage WhatsApp message QR codes through Alibaba Cloud Chat App Message
//! Service (CAMS) from a browser.
//!
//! [`core`] is pure Rust (signing, types, validation, reply parsing) shared with the relay and the
//! emulator; `web` is the thin wasm edge (fetch, clock, credentials, JS exports).
//!
//! The crate is `no_std` + `alloc` (its unit tests excepted), so the shipped module carries no
//! std panic machinery; and it never formats with `core::fmt` (text is joined by hand, numbers
//! written by [`core::text`]), so the module carries none of that either.

#![cfg_attr(not(test), no_std)]

extern crate alloc;
// Native builds (the relay, the emulator) and `--features std` link std, for its allocator and
// panic handling; the shipped module brings its own (below).
#[cfg(all(not(test), any(feature = "std", not(target_arch = "wasm32"))))]
extern crate std;

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

/// Without `std` (the shipped module) a panic traps: the module cannot unwind, and nothing
/// would read a message. Every caller-reachable failure is a `CamsError` before it gets here.
#[cfg(all(target_arch = "wasm32", not(feature = "std"), not(test)))]
#[panic_handler]
fn panic(_: &::core::panic::PanicInfo) -> ! {
    ::core::arch::wasm32::unreachable()
}
