//! The pure core of cams-qrdl: everything that can be decided without a network, a clock or a
//! browser.
//!
//! Signing (V2: [`sign`], [`params`]; V3, `ACS3-HMAC-SHA256`: [`acs3`]), the wire format of
//! CAMS and STS replies ([`wire`]) and the client's view of them ([`types`], [`response`],
//! [`sts`]), validation ([`validate`]), and the rules for pacing ([`pacing`]), retries
//! ([`retry`]), clock correction ([`clock_skew`]) and credential refresh ([`refresh`]). Time and
//! nonces are inputs, so all of it is tested natively and shared unchanged by the browser module,
//! the relay and the emulator.

#![forbid(unsafe_code)]

pub mod acs3;
pub mod canonical;
pub mod clock_skew;
pub mod credentials;
pub mod decode;
pub mod encode;
pub mod error;
pub mod nonce;
pub mod options;
pub mod pacing;
pub mod params;
pub mod redact;
pub mod refresh;
pub mod response;
pub mod retry;
pub mod sign;
pub mod sts;
pub mod time;
pub mod types;
pub mod validate;
pub mod wire;
