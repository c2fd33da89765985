//! CAMS's documented limit, 5 calls per second per user, in its strictest reading: a sliding
//! window of arrivals. A call is accepted when fewer than `limit` calls of the same account
//! arrived in the preceding 1000 ms (those with arrival > now - 1000), and refused with
//! `System.LimitControl` otherwise; refused calls count as arrivals too, so a client that keeps
//! calling too fast keeps being refused. A client that passes this passes any gentler limiter
//! (a token bucket, fixed windows, counting accepted calls only). Time is the emulator's clock,
//! read under the lock, so arrivals are ordered and a shifted clock stays consistent.

use std::collections::HashMap;
use std::sync::Mutex;

use crate::clock::Clock;
use crate::lock;

/// The window's length.
pub const WINDOW_MS: i64 = 1000;

/// A window remembers at most this many times its limit of arrivals (a flood of refused calls
/// is refused all the same).
const MAX_REMEMBERED_PER_LIMIT: usize = 64;

/// The documented QPS of the CAMS API, per user.
pub const DEFAULT_QPS: u32 = 5;

/// The limit's verdict on one call.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Admission {
    pub admitted: bool,
    /// When the call arrived, in the emulator's clock (milliseconds).
    pub at_millis: i64,
}

/// Arrivals per account, within the last window.
#[derive(Debug)]
pub struct FlowControl {
    /// Calls per window; 0 turns the limit off.
    limit: u32,
    accepted: Mutex<HashMap<String, Vec<i64>>>,
}

impl FlowControl {
    pub fn new(limit: u32) -> FlowControl {
        FlowControl {
            limit,
            accepted: Mutex::new(HashMap::new()),
        }
    }

    pub fn limit(&self) -> u32 {
        self.limit
    }

    /// Whether `account` may make a call now, and the arrival time the limit counted it at (the
    /// emulator's clock, which the counters' busiest window also reads).
    pub fn admit(&self, account: &str, clock: &Clock) -> Admission {
        if self.limit == 0 {
            return Admission {
                admitted: true,
                at_millis: clock.now_millis(),
            };
        }
        let mut accepted = lock(&self.accepted);
        let now = clock.now_millis();
        Admission {
            admitted: self.admit_at(&mut accepted, account, now),
            at_millis: now,
        }
    }

    fn admit_at(&self, accepted: &mut HashMap<String, Vec<i64>>, account: &str, now: i64) -> bool {
        let window = accepted.entry(account.to_owned()).or_default();
        // Arrivals "after" now come from a clock shifted back; they belong to no window of it.
        window.retain(|&t| t > now.saturating_sub(WINDOW_MS) && t <= now);
        let limit = usize::try_from(self.limit).unwrap_or(usize::MAX);
        let admitted = window.len() < limit;
        // Refused arrivals count, but a flood cannot grow the window past a bound.
        if window.len() < limit.saturating_mul(MAX_REMEMBERED_PER_LIMIT) {
            window.push(now);
        }
        admitted
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(fc: &FlowControl, account: &str, times: &[i64]) -> Vec<bool> {
        let mut map = HashMap::new();
        times
            .iter()
            .map(|&t| fc.admit_at(&mut map, account, t))
            .collect()
    }

    #[test]
    fn six_in_a_second_refuses_the_sixth_until_the_first_leaves() {
        let fc = FlowControl::new(5);
        let got = run(&fc, "a", &[0, 100, 200, 300, 400, 500, 1000, 1100]);
        // At 500 the window (-500, 500] holds five; at exactly 1000 the arrival at 0 is out,
        // but the refused one at 500 is in: (0, 1000] holds 100..500, five of them.
        assert_eq!(got, [true, true, true, true, true, false, false, false]);
        let fc = FlowControl::new(5);
        let got = run(&fc, "a", &[0, 100, 200, 300, 400, 1000, 1001]);
        assert_eq!(got, [true, true, true, true, true, true, false]);
    }

    #[test]
    fn refused_calls_count_as_arrivals() {
        let fc = FlowControl::new(1);
        // 10, 20 and 999 are refused, and each keeps the window busy for a second.
        assert_eq!(
            run(&fc, "a", &[0, 10, 20, 999, 1000, 1999, 2999]),
            [true, false, false, false, false, false, true]
        );
    }

    #[test]
    fn a_flood_is_remembered_up_to_a_bound() {
        let fc = FlowControl::new(2);
        let mut map = HashMap::new();
        for t in 0..10_000 {
            fc.admit_at(&mut map, "a", t % 500);
        }
        assert_eq!(map["a"].len(), 2 * MAX_REMEMBERED_PER_LIMIT);
    }

    #[test]
    fn accounts_and_zero_limit() {
        let fc = FlowControl::new(1);
        let mut map = HashMap::new();
        assert!(fc.admit_at(&mut map, "a", 0));
        assert!(fc.admit_at(&mut map, "b", 0));
        assert!(!fc.admit_at(&mut map, "a", 1));
        let off = FlowControl::new(0);
        let clock = Clock::default();
        assert!((0..100).all(|_| off.admit("a", &clock).admitted));
    }

    #[test]
    fn a_clock_shifted_back_starts_afresh() {
        let fc = FlowControl::new(2);
        assert_eq!(run(&fc, "a", &[10_000, 10_001, 5_000]), [true, true, true]);
    }
}
