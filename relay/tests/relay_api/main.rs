//! The relay's production routes, `GET /sts` and `POST /cams`, against recording mock upstreams
//! and against the built-in emulator.

mod acs3;
mod e2e;
mod guard;
mod open_proxy;
mod proxy;
mod sts;
mod support;
mod tiers;
