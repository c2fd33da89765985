//! The pure core: everything that can be decided without a network, a clock or a browser.
//!
//! Nothing here touches web-sys, so it is tested natively with `cargo test` and shared
//! unchanged by the browser module, the relay and the emulator. Time and nonces are inputs.

pub mod canonical;
pub mod clock_skew;
pub mod credentials;
pub mod encode;
pub mod error;
pub mod float;
pub mod http_date;
pub mod json;
pub mod nonce;
pub mod options;
pub mod pacing;
pub mod params;
pub mod qr;
pub mod redact;
pub mod refresh;
pub mod response;
pub mod retry;
pub mod sha1;
pub mod sign;
pub mod sts;
pub mod text;
pub mod timestamp;
pub mod types;
pub mod validate;
