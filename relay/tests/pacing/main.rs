//! The account pacer with real components: `redis-server`, the emulator standing in for CAMS and
//! STS, `cams-relay` replicas in production mode (`--allow-any-upstream`) as processes, and
//! native clients that sign with `cams-protocol` and follow the browser module's pacing and
//! retry rules.
//!
//! Tests that need Redis skip (saying so) when `redis-server` is not installed, except under CI
//! or `CAMS_REQUIRE_REDIS=1`; `make test` installs it (scripts/setup.sh --tests).

mod account;
mod failures;
mod harness;
mod redis_backend;
mod refusals;
mod shared_state;
