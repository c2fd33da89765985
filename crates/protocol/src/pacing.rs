//! Pacing: when the next call may be sent so that no one-second window ever holds more than
//! `maxQps` calls, as a server counting a sliding window of arrivals sees them, whatever the
//! network does to each call on the way.
//!
//! Why not a token bucket: with a burst of 5 refilled at 5 per second, 5 calls go at t = 0 and a
//! sixth at t = 200 ms, when one token is back; the window (−800 ms, 200 ms] then holds six, and a
//! server that counts a sliding window throttles the sixth.
//!
//! Why not a sliding window of send times either: the server counts *arrivals*, and a call's
//! one-way delay is unknown. If call k − 5 spends 150 ms more on the way than call k (a new
//! TCP/TLS connection beside a reused one, a relay hop, a busy machine), five seconds of
//! "k goes 1 s + margin after k − 5" still put six arrivals in one window. Seen on loaded CI
//! machines with a 100 ms margin.
//!
//! What the client does know is an upper bound of each arrival: the call had arrived (if it
//! ever did) by the time its reply came back or it failed, its *settle* time. So a call may be
//! sent only when fewer than `n` calls are either in flight or settled within the last window
//! (plus a few milliseconds for clock resolution). Proof that no window of arrivals then holds
//! more than `n`: take any `n + 1` arrivals in one window and the one of them sent last, at `s`.
//! The other `n` were sent before `s` and arrived within one window before its arrival, so each
//! was in flight at `s` or settled after `s − window`, and all `n` were counted when it went,
//! which the rule refuses.
//!
//! The one hole: a call the client gave up on (a timeout) may still be on its way, say in a relay
//! that had read it before the browser aborted. Such a call counts as settling one window late.
//!
//! The cost is one round trip per window instead of a guessed margin: 50 calls started at once
//! take (50 − 5) / 5 = 9 windows of 1 s plus a round trip each, about 9.2 s on a 20 ms link and
//! 10.8 s at 200 ms. At most `n` calls are ever in flight, which also keeps a browser from
//! holding requests back and sending them in a bunch when connections free up.
//!
//! Time is an input (milliseconds on any monotonic clock), so all of this is tested natively.

use std::collections::VecDeque;

/// The server's counting window.
pub const WINDOW_MS: f64 = 1000.0;
/// Added to the window for the resolution of the two clocks (the server counts in whole
/// milliseconds); the network's jitter needs no margin (see the module docs).
pub const CLOCK_MARGIN_MS: f64 = 20.0;
/// More calls per window than any real limit; keeps the memory of settle times bounded.
const MAX_PER_WINDOW: f64 = 10_000.0;

/// Calls in flight, the settle times of the last `per_window` calls, and the rule for the next.
#[derive(Clone, Debug)]
pub struct Pacer {
    per_window: usize,
    window_ms: f64,
    in_flight: usize,
    /// Settle times, oldest first; at most `per_window` of them.
    settled: VecDeque<f64>,
}

/// When the next call may go.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Slot {
    /// Now.
    Now,
    /// At this time, unless a call settles first (which never makes it earlier).
    At(f64),
    /// When a call in flight settles.
    AfterSettle,
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
            crate::options::DEFAULT_MAX_QPS
        };
        let n = q.floor().clamp(1.0, MAX_PER_WINDOW);
        Pacer {
            per_window: n as usize,
            window_ms: (n * WINDOW_MS / q).max(WINDOW_MS) + CLOCK_MARGIN_MS,
            in_flight: 0,
            settled: VecDeque::new(),
        }
    }

    /// How many calls one window may hold; also how many may be in flight at once.
    pub fn per_window(&self) -> usize {
        self.per_window
    }

    /// The time a settled call keeps counting against the window.
    pub fn window_ms(&self) -> f64 {
        self.window_ms
    }

    /// Calls sent and not yet settled.
    pub fn in_flight(&self) -> usize {
        self.in_flight
    }

    /// When the next call may be sent, asked at `now_ms`.
    pub fn next_slot(&self, now_ms: f64) -> Slot {
        let free = self.per_window.saturating_sub(self.in_flight);
        if free == 0 {
            return Slot::AfterSettle;
        }
        // Settle times still inside the window, oldest first; the call may go once at most
        // `free - 1` of them are left, i.e. once the first `recent - free + 1` have aged out.
        let mut recent = self
            .settled
            .iter()
            .filter(|&&t| t + self.window_ms > now_ms);
        let count = recent.clone().count();
        if count < free {
            return Slot::Now;
        }
        match recent.nth(count - free) {
            Some(t) => Slot::At(t + self.window_ms),
            None => Slot::Now,
        }
    }

    /// A call is sent now (at a time [`Pacer::next_slot`] allowed).
    pub fn start(&mut self) {
        self.in_flight += 1;
    }

    /// A call sent earlier has its reply (or failed, or was never sent) at `at_ms`.
    pub fn settle(&mut self, at_ms: f64) {
        self.in_flight = self.in_flight.saturating_sub(1);
        // Kept sorted: an uncertain settle (below) may lie ahead of later ones.
        let at = self.settled.partition_point(|&t| t <= at_ms);
        self.settled.insert(at, at_ms);
        while self.settled.len() > self.per_window {
            self.settled.pop_front();
        }
    }

    /// A call that took its slot and was never sent (its caller went away while it waited, as in
    /// a relay's queue): the slot is free again and nothing counts against the window, since
    /// nothing can arrive.
    pub fn cancel(&mut self) {
        self.in_flight = self.in_flight.saturating_sub(1);
    }

    /// A call given up at `now_ms` without a reply (a timeout, a lost connection): it may still
    /// be on its way (a relay forwards what it has already read), so it counts as settling one
    /// window later.
    pub fn settle_uncertain(&mut self, now_ms: f64) {
        self.settle(now_ms + self.window_ms);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Runs `calls` calls all asked for at t = 0, each sent as soon as the pacer allows and
    /// taking `round_trip(k)` ms; returns (send, settle) per call. Settles happen in time order.
    fn simulate(max_qps: f64, calls: usize, round_trip: impl Fn(usize) -> f64) -> Vec<(f64, f64)> {
        let mut p = Pacer::new(max_qps);
        let mut out: Vec<(f64, f64)> = Vec::new();
        let mut open: Vec<f64> = Vec::new(); // settle times of calls in flight
        let mut now = 0.0;
        while out.len() < calls {
            match p.next_slot(now) {
                Slot::Now => {
                    p.start();
                    let k = out.len();
                    let done = now + round_trip(k);
                    out.push((now, done));
                    open.push(done);
                }
                slot => {
                    // Move time to the next event: a settle or the slot, whichever is first.
                    open.sort_by(f64::total_cmp);
                    let settle = open.first().copied();
                    let at = match slot {
                        Slot::At(t) => Some(t),
                        _ => None,
                    };
                    match (settle, at) {
                        (Some(s), Some(t)) if t < s => now = t,
                        (Some(s), _) => {
                            now = s;
                            open.remove(0);
                            p.settle(s);
                        }
                        (None, Some(t)) => now = t,
                        (None, None) => unreachable!("nothing in flight and no slot"),
                    }
                }
            }
        }
        out
    }

    /// The most arrivals any half-open window of `WINDOW_MS` holds (as the server counts).
    fn busiest_window(arrivals: &[f64]) -> usize {
        arrivals
            .iter()
            .map(|&end| {
                arrivals
                    .iter()
                    .filter(|&&t| t <= end && t > end - WINDOW_MS)
                    .count()
            })
            .max()
            .unwrap_or(0)
    }

    /// A small deterministic generator, so the jitter cases are the same on every run.
    fn lcg(seed: &mut u64) -> f64 {
        *seed = seed
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (*seed >> 11) as f64 / (1u64 << 53) as f64
    }

    #[test]
    fn fifty_calls_take_nine_windows_and_a_round_trip_each() {
        let t = simulate(5.0, 50, |_| 20.0);
        assert!(t[..5].iter().all(|&(s, _)| s == 0.0));
        // The sixth goes one window after the first settled (20 ms).
        assert_eq!(t[5].0, 20.0 + 1000.0 + CLOCK_MARGIN_MS);
        let last = t[49].0;
        assert!((last - 9.0 * 1040.0).abs() < 1e-6, "{last}");
        let sends: Vec<f64> = t.iter().map(|&(s, _)| s).collect();
        assert_eq!(busiest_window(&sends), 5);
    }

    #[test]
    fn no_window_of_arrivals_holds_six_whatever_the_delays() {
        // Each call arrives anywhere between its send and its settle; round trips from 1 ms to
        // 2 s, the worst case being the earliest arrivals of late calls after the latest of
        // early ones. The arrival is picked at either end and in between.
        let mut seed = 7;
        for case in 0..300 {
            let trips: Vec<f64> = (0..40)
                .map(|_| 1.0 + 2000.0 * lcg(&mut seed).powi(3))
                .collect();
            let q = [5.0, 1.0, 2.5, 10.0][case % 4];
            let t = simulate(q, trips.len(), |k| trips[k]);
            let mut pick = seed;
            let arrivals: Vec<f64> = t
                .iter()
                .map(|&(s, c)| match case % 3 {
                    0 => s,
                    1 => c,
                    _ => s + (c - s) * lcg(&mut pick),
                })
                .collect();
            let n = Pacer::new(q).per_window();
            assert!(busiest_window(&arrivals) <= n, "case {case}: {t:?}");
        }
    }

    #[test]
    fn a_send_time_window_would_let_a_sixth_in() {
        // The old rule: call k goes 1 s + 100 ms after call k − 5 was sent. Calls 1–4 take
        // 150 ms to arrive, calls 5 and 6 arrive at once: six arrivals in (100 ms, 1100 ms].
        let sends = [0.0, 0.0, 0.0, 0.0, 0.0, 1100.0, 1100.0];
        let arrivals = [0.0, 150.0, 150.0, 150.0, 150.0, 1100.0, 1100.0];
        assert_eq!(busiest_window(&sends), 5);
        assert_eq!(busiest_window(&arrivals), 6);
        // Settle-anchored: call 0 is still out when calls 1–4 settle at 10 ms, so call 5 may
        // not go before 1030 ms; by then call 0 has settled (600 ms), and its arrival can share
        // a window with call 5's, but calls 1–4 cannot.
        let t = simulate(5.0, 6, |k| if k == 0 { 600.0 } else { 10.0 });
        assert_eq!(t[5].0, 10.0 + 1020.0);
        // Five slow replies hold all five slots; the sixth goes one window after they settle.
        let t = simulate(5.0, 6, |_| 2000.0);
        assert_eq!(t[5].0, 2000.0 + 1020.0);
    }

    #[test]
    fn a_token_bucket_would_let_a_sixth_in() {
        // Burst 5 refilled at 5/s: the sixth goes at 200 ms. The window ending there holds six.
        let bucket = [0.0, 0.0, 0.0, 0.0, 0.0, 200.0];
        assert_eq!(busiest_window(&bucket), 6);
        let paced: Vec<f64> = simulate(5.0, 6, |_| 1.0).iter().map(|p| p.0).collect();
        assert_eq!(busiest_window(&paced), 5);
    }

    #[test]
    fn in_flight_calls_hold_their_slots() {
        let mut p = Pacer::new(2.0);
        assert_eq!(p.next_slot(0.0), Slot::Now);
        p.start();
        p.start();
        assert_eq!(p.next_slot(5000.0), Slot::AfterSettle);
        p.settle(5000.0);
        // One in flight, one settled just now: the next waits for the settled one to age out.
        assert_eq!(p.next_slot(5000.0), Slot::At(5000.0 + 1020.0));
        assert_eq!(p.next_slot(6020.0), Slot::Now);
    }

    #[test]
    fn late_calls_are_not_held_back() {
        let mut p = Pacer::new(5.0);
        for t in [0.0, 10.0, 20.0, 30.0, 40.0] {
            assert_eq!(p.next_slot(t), Slot::Now);
            p.start();
            p.settle(t + 1.0);
        }
        assert_eq!(p.next_slot(50.0), Slot::At(1.0 + 1020.0));
        assert_eq!(p.next_slot(5000.0), Slot::Now);
    }

    #[test]
    fn fractional_and_small_limits() {
        // 2.5 per second: two per window.
        let p = Pacer::new(2.5);
        assert_eq!((p.per_window(), p.window_ms()), (2, 1020.0));
        // 0.5 per second: one call per two seconds (plus the margin) after the last settled.
        let p = Pacer::new(0.5);
        assert_eq!((p.per_window(), p.window_ms()), (1, 2020.0));
        let t: Vec<f64> = simulate(0.5, 3, |_| 10.0).iter().map(|p| p.0).collect();
        assert_eq!(t, vec![0.0, 2030.0, 4060.0]);
        let t: Vec<f64> = simulate(1.0, 3, |_| 0.0).iter().map(|p| p.0).collect();
        assert_eq!(t, vec![0.0, 1020.0, 2040.0]);
    }

    #[test]
    fn the_latest_settles_count() {
        let mut p = Pacer::new(1.0);
        p.start();
        p.settle(1000.0);
        p.start();
        p.settle(900.0); // out of order: the later one is what counts
        assert_eq!(p.next_slot(1000.0), Slot::At(2020.0));
    }

    #[test]
    fn a_call_given_up_holds_its_slot_for_another_window() {
        let mut p = Pacer::new(1.0);
        p.start();
        p.settle_uncertain(5000.0);
        assert_eq!(p.next_slot(5000.0), Slot::At(5000.0 + 2.0 * 1020.0));
        // A later call that settles normally does not shorten it.
        let mut p = Pacer::new(2.0);
        p.start();
        p.start();
        p.settle_uncertain(5000.0);
        p.settle(5100.0);
        assert_eq!(p.next_slot(5100.0), Slot::At(5100.0 + 1020.0));
        assert_eq!(p.next_slot(6120.0), Slot::Now);
        p.start();
        assert_eq!(p.next_slot(6120.0), Slot::At(5000.0 + 2.0 * 1020.0));
    }

    #[test]
    fn a_cancelled_slot_counts_nothing() {
        let mut p = Pacer::new(1.0);
        p.start();
        assert_eq!(p.next_slot(0.0), Slot::AfterSettle);
        p.cancel();
        assert_eq!(p.next_slot(0.0), Slot::Now);
        assert_eq!(p.in_flight(), 0);
        p.cancel();
        assert_eq!(p.in_flight(), 0);
    }

    #[test]
    fn nonsense_limits_fall_back_and_huge_ones_are_bounded() {
        for q in [0.0, -1.0, f64::NAN, f64::INFINITY] {
            assert_eq!(Pacer::new(q).per_window(), 5, "{q}");
        }
        assert_eq!(Pacer::new(1e300).per_window(), 10_000);
    }
}
