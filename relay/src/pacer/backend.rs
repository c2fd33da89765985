//! What the pacer's state lives behind: this process's memory ([`super::memory`]) or Redis
//! ([`super::redis_backend`]), both applying the arrival-safe rule of
//! `cams_protocol::pacing` and picking, among the clients waiting, the one served least
//! recently.

use std::future::Future;
use std::pin::Pin;
use std::time::Duration;

/// A future the backends return (the trait is used as `dyn`).
pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// One client of `/cams` for fair queueing (see [`super::client`]).
pub type ClientKey = String;

/// A slot's name in the backend's state; unique across replicas.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct SlotId(pub String);

/// The backend's answer to "a slot for one of these clients?".
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Decision {
    /// A slot, for this client (one of those asked for).
    Grant { client: ClientKey, slot: SlotId },
    /// No slot now: ask again after this long, or sooner when a call of this relay settles.
    Wait(Duration),
}

/// How a granted slot's call ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Release {
    /// The reply came back now: the call arrived (if ever) by now.
    Settled,
    /// The call was sent and no reply was had (a timeout, a broken connection, a caller gone):
    /// it may still arrive, so it counts as settling one window later.
    Uncertain,
    /// The call was never sent: the slot is free and nothing counts.
    Cancelled,
}

/// The shared state could not be read or written (Redis unreachable, too slow, refusing).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BackendError(pub String);

impl std::fmt::Display for BackendError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// The pacer's state, one per account.
pub trait PacerBackend: Send + Sync + 'static {
    /// A slot for the least recently served of `waiting` (this relay's clients with calls
    /// queued; never empty), if the account's rule allows a call now.
    fn acquire<'a>(
        &'a self,
        waiting: &'a [ClientKey],
    ) -> BoxFuture<'a, Result<Decision, BackendError>>;

    /// A granted slot's call ended.
    fn release(&self, slot: SlotId, how: Release) -> BoxFuture<'_, Result<(), BackendError>>;

    /// `"memory"` or `"redis"`, for `/relay.json` and the log.
    fn store(&self) -> &'static str;
}

/// The least recently served of `waiting` by `served` (a client never served comes first; ties
/// go to the earlier in `waiting`). `None` only when `waiting` is empty.
pub fn least_recently_served(
    waiting: &[ClientKey],
    served: impl Fn(&str) -> u64,
) -> Option<&ClientKey> {
    waiting.iter().min_by_key(|c| served(c))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_least_recently_served_goes_first() {
        let waiting: Vec<ClientKey> = ["a", "b", "c"].map(String::from).to_vec();
        let served = |c: &str| match c {
            "a" => 5,
            "b" => 2,
            _ => 9,
        };
        assert_eq!(least_recently_served(&waiting, served).unwrap(), "b");
        assert_eq!(
            least_recently_served(&waiting, |c| u64::from(c != "c")).unwrap(),
            "c"
        );
        assert_eq!(least_recently_served(&waiting, |_| 0).unwrap(), "a");
        assert!(least_recently_served(&[], |_| 0).is_none());
    }
}
