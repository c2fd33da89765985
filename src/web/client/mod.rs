//! The client module's edge (feature `client`): [`api`] holds the exports; [`call`] the one path
//! every request takes (credentials, pacing, signing, sending, retries); [`batch`] runs many
//! calls; the rest are the browser's pieces each of them needs.

pub(crate) mod api;
mod batch;
mod calendar;
mod call;
mod clock;
mod config;
mod credentials;
mod gate;
mod http;
mod platform;
mod promise;
mod request;
mod shared;
mod timers;
mod typescript;
