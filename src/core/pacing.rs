//! Pacing: when the next call may be sent so that no one-second window ever holds more than
//! `maxQps` calls, as a server counting a sliding window of arrivals sees them.
//!
//! Why not a token bucket: with a burst of 5 refilled at 5 per second, 5 calls go at t = 0 and a
//! sixth at t = 200 ms, when one token is back; the window (−800 ms, 200 ms] then holds six, and a
//! server that counts a sliding window throttles the sixth. Here instead the k-th call may start no
//! earlier than the (k − n)-th call's send time plus the window plus a safety margin, where n is
//! the number of calls one window may hold: a sliding window of send times.
//!
//! The margin covers what can bring two sends closer together on arrival than they left: the
//! server counts arrival times, and the one-way delay of call k − n and call k differ by the
//! network's jitter (tens of milliseconds on Wi-Fi and mobile links, more on a connection that
//! needs a TCP/TLS handshake while the other reuses one), by the relay hop, and by millisecond
//! clock resolution on both sides. 100 ms covers the usual jitter with room to spare, and costs
//! 10%: 50 calls take 9 × 1.1 = 9.9 s instead of 9 s. A throttled call would cost far more (a
//! backoff plus a new slot), and a timer that fires late only widens the spacing.
//!
//! Time is an input (milliseconds on any monotonic clock), so all of this is tested natively.

use std::collections::VecDeque;

/// The server's counting window.
pub const WINDOW_MS: f64 = 1000.0;
/// Added to every window, for jitter between send and arrival (see the module docs).
pub const SAFETY_MARGIN_MS: f64 = 100.0;
/// More calls per window than any real limit; keeps the memory of send times bounded.
const MAX_PER_WINDOW: f64 = 10_000.0;

/// The send times of the last `per_window` calls and the rule for the next one.
#[derive(Clone, Debug)]
pub struct Pacer {
    per_window: usize,
    spacing_ms: f64,
    sent: VecDeque<f64>,
}

impl Pacer {
    /// A pacer for `max_qps` calls per second (any positive number; `core::options` checks it).
    ///
    /// A window holds at most ⌊max_qps⌋ calls (at least one): "no one-second window holds more
    /// than 2.5 calls" means two. Below one call per second the window grows instead: 0.5 is one
    /// call per two seconds.
    pub fn new(max_qps: f64) -> Pacer {
        let q = if max_qps.is_finite() && max_qps > 0.0 {
            max_qps
        } else {
            crate::core::options::DEFAULT_MAX_QPS
        };
        let n = q.floor().clamp(1.0, MAX_PER_WINDOW);
        Pacer {
            per_window: n as usize,
            spacing_ms: (n * WINDOW_MS / q).max(WINDOW_MS) + SAFETY_MARGIN_MS,
            sent: VecDeque::new(),
        }
    }

    /// How many calls one window may hold; also how many the client lets be in flight at once.
    pub fn per_window(&self) -> usize {
        self.per_window
    }

    /// The minimum time between a call and the one `per_window` calls later.
    pub fn spacing_ms(&self) -> f64 {
        self.spacing_ms
    }

    /// The earliest time, at `now_ms` or later, at which the next call may be sent.
    pub fn earliest(&self, now_ms: f64) -> f64 {
        if self.sent.len() < self.per_window {
            return now_ms;
        }
        // `sent` holds exactly the last `per_window` send times, oldest first.
        match self.sent.front() {
            Some(oldest) => now_ms.max(oldest + self.spacing_ms),
            None => now_ms,
        }
    }

    /// Records a call sent at `at_ms` (which should be no earlier than [`Pacer::earliest`]).
    pub fn record(&mut self, at_ms: f64) {
        self.sent.push_back(at_ms);
        while self.sent.len() > self.per_window {
            self.sent.pop_front();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Send times of `calls` calls all asked for at t = 0 and sent as soon as allowed.
    fn schedule(max_qps: f64, calls: usize) -> Vec<f64> {
        let mut p = Pacer::new(max_qps);
        let mut out = Vec::new();
        let mut now = 0.0;
        for _ in 0..calls {
            now = p.earliest(now);
            p.record(now);
            out.push(now);
        }
        out
    }

    /// The most calls any window of `window` ms (half-open, as a server counts) holds, when each
    /// arrival is shifted by up to `jitter` ms in the worst direction.
    fn busiest_window(times: &[f64], window: f64, jitter: f64) -> usize {
        times
            .iter()
            .map(|&end| {
                times
                    .iter()
                    .filter(|&&t| t <= end + jitter && t > end - window - jitter)
                    .count()
            })
            .max()
            .unwrap_or(0)
    }

    #[test]
    fn fifty_calls_take_nine_windows_and_never_six_in_one() {
        let t = schedule(5.0, 50);
        // Five at once, then five per 1.1 s: the 50th starts at 9 × 1.1 s.
        assert_eq!(&t[..5], &[0.0; 5]);
        assert_eq!(t[5], 1100.0);
        assert!((t[49] - 9900.0).abs() < 1e-6, "{}", t[49]);
        for k in 5..t.len() {
            assert!(t[k] - t[k - 5] >= 1000.0 + SAFETY_MARGIN_MS);
        }
        assert_eq!(busiest_window(&t, WINDOW_MS, 0.0), 5);
        // Arrivals may shift by less than half the margin each way and still never make six.
        assert_eq!(
            busiest_window(&t, WINDOW_MS, SAFETY_MARGIN_MS / 2.0 - 1.0),
            5
        );
    }

    #[test]
    fn a_token_bucket_would_let_a_sixth_in() {
        // Burst 5 refilled at 5/s: the sixth goes at 200 ms. The window ending there holds six.
        let bucket = [0.0, 0.0, 0.0, 0.0, 0.0, 200.0];
        assert_eq!(busiest_window(&bucket, WINDOW_MS, 0.0), 6);
        let paced = schedule(5.0, 6);
        assert_eq!(busiest_window(&paced, WINDOW_MS, 0.0), 5);
    }

    #[test]
    fn late_calls_are_not_held_back() {
        let mut p = Pacer::new(5.0);
        for t in [0.0, 10.0, 20.0, 30.0, 40.0] {
            assert_eq!(p.earliest(t), t);
            p.record(t);
        }
        assert_eq!(p.earliest(50.0), 1100.0);
        assert_eq!(p.earliest(5000.0), 5000.0);
        p.record(5000.0);
        // The window now starts from the second call (10 ms): 1110 ms is long past.
        assert_eq!(p.earliest(5001.0), 5001.0);
        for t in [5000.0, 5000.0, 5000.0, 5000.0] {
            p.record(t);
        }
        // Five sent at 5000 ms: the next waits for the window after them.
        assert_eq!(p.earliest(5001.0), 6100.0);
    }

    #[test]
    fn fractional_and_small_limits() {
        // 2.5 per second: two per window.
        let p = Pacer::new(2.5);
        assert_eq!((p.per_window(), p.spacing_ms()), (2, 1100.0));
        assert_eq!(busiest_window(&schedule(2.5, 20), WINDOW_MS, 0.0), 2);
        // 0.5 per second: one call per two seconds (plus the margin).
        let p = Pacer::new(0.5);
        assert_eq!((p.per_window(), p.spacing_ms()), (1, 2100.0));
        let t = schedule(0.5, 3);
        assert_eq!(t, vec![0.0, 2100.0, 4200.0]);
        // One per second.
        assert_eq!(schedule(1.0, 3), vec![0.0, 1100.0, 2200.0]);
    }

    #[test]
    fn nonsense_limits_fall_back_and_huge_ones_are_bounded() {
        for q in [0.0, -1.0, f64::NAN, f64::INFINITY] {
            assert_eq!(Pacer::new(q).per_window(), 5, "{q}");
        }
        assert_eq!(Pacer::new(1e300).per_window(), 10_000);
    }
}
