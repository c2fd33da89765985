//! Replay protection: a `SignatureNonce` may not repeat within the 15-minute window. Entries
//! older than the window are pruned on every check, so memory follows the request rate.

use std::collections::{HashMap, VecDeque};

/// Nonces seen, with when they were seen (emulator seconds).
#[derive(Debug, Default)]
pub struct NonceStore {
    seen: HashMap<String, i64>,
    order: VecDeque<(i64, String)>,
}

impl NonceStore {
    /// Records `nonce` at `now`; false when it was already seen within `window_secs`.
    pub fn check_and_insert(&mut self, nonce: &str, now: i64, window_secs: i64) -> bool {
        self.prune(now, window_secs);
        if let Some(&at) = self.seen.get(nonce) {
            if now - at < window_secs {
                return false;
            }
        }
        self.seen.insert(nonce.to_owned(), now);
        self.order.push_back((now, nonce.to_owned()));
        true
    }

    fn prune(&mut self, now: i64, window_secs: i64) {
        while let Some((at, _)) = self.order.front() {
            if now - at < window_secs {
                break;
            }
            if let Some((at, nonce)) = self.order.pop_front() {
                // Only forget it if this entry is its latest sighting.
                if self.seen.get(&nonce) == Some(&at) {
                    self.seen.remove(&nonce);
                }
            }
        }
    }

    /// How many nonces are remembered.
    pub fn len(&self) -> usize {
        self.seen.len()
    }

    pub fn is_empty(&self) -> bool {
        self.seen.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refuses_repeats_inside_the_window_and_forgets_after() {
        let mut s = NonceStore::default();
        assert!(s.check_and_insert("a", 1000, 900));
        assert!(!s.check_and_insert("a", 1899, 900));
        assert!(s.check_and_insert("b", 1899, 900));
        assert_eq!(s.len(), 2);
        // 900 s after "a" was first seen it is pruned and may be used again.
        assert!(s.check_and_insert("a", 1900, 900));
        assert_eq!(s.len(), 2);
        assert!(s.check_and_insert("c", 5000, 900));
        assert_eq!(s.len(), 1, "a and b pruned");
    }
}
