//! The emulator's clock: the system time plus an offset that tests (and `/__emulator/clock`)
//! can shift, to reach the 15-minute timestamp window or a token's expiry without waiting. It
//! can also be frozen, so a test can place calls at exact milliseconds of the QPS window.

use std::sync::Mutex;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use crate::lock;

#[derive(Debug, Default)]
struct State {
    offset_ms: i64,
    /// While frozen, the time it stands at (milliseconds since the epoch).
    frozen_at: Option<i64>,
}

/// System time shifted by an adjustable number of milliseconds, or frozen.
#[derive(Debug, Default)]
pub struct Clock {
    state: Mutex<State>,
}

fn system_millis() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
        .unwrap_or(0)
}

impl Clock {
    /// Milliseconds since the Unix epoch, offset applied. Sub-second precision is what a sliding
    /// rate-limit window needs.
    pub fn now_millis(&self) -> i64 {
        let s = lock(&self.state);
        s.frozen_at
            .unwrap_or_else(|| system_millis().saturating_add(s.offset_ms))
    }

    /// Whole seconds since the Unix epoch, offset applied.
    pub fn now_secs(&self) -> i64 {
        self.now_millis().div_euclid(1000)
    }

    /// The shifted time as a `SystemTime`, for the `Date` header.
    pub fn now_system(&self) -> SystemTime {
        let ms = self.now_millis();
        if ms >= 0 {
            UNIX_EPOCH + Duration::from_millis(ms.unsigned_abs())
        } else {
            UNIX_EPOCH
        }
    }

    /// Moves the clock forward (or back, with a negative value).
    pub fn advance_secs(&self, secs: i64) {
        self.advance_millis(secs.saturating_mul(1000));
    }

    /// Moves the clock by `ms` milliseconds (a frozen clock stays frozen at the new time).
    pub fn advance_millis(&self, ms: i64) {
        let mut s = lock(&self.state);
        match &mut s.frozen_at {
            Some(at) => *at = at.saturating_add(ms),
            None => s.offset_ms = s.offset_ms.saturating_add(ms),
        }
    }

    /// Sets the offset from the system time, in seconds (a frozen clock jumps there and stays
    /// frozen).
    pub fn set_offset_secs(&self, secs: i64) {
        let mut s = lock(&self.state);
        s.offset_ms = secs.saturating_mul(1000);
        if s.frozen_at.is_some() {
            s.frozen_at = Some(system_millis().saturating_add(s.offset_ms));
        }
    }

    /// The current offset from the system time, in whole seconds.
    pub fn offset_secs(&self) -> i64 {
        let s = lock(&self.state);
        match s.frozen_at {
            Some(at) => at.saturating_sub(system_millis()).div_euclid(1000),
            None => s.offset_ms.div_euclid(1000),
        }
    }

    /// Stops the clock at the current time (`true`), or lets it run on from where it stands.
    pub fn set_frozen(&self, frozen: bool) {
        let mut s = lock(&self.state);
        match (frozen, s.frozen_at) {
            (true, None) => s.frozen_at = Some(system_millis().saturating_add(s.offset_ms)),
            (false, Some(at)) => {
                s.offset_ms = at.saturating_sub(system_millis());
                s.frozen_at = None;
            }
            _ => {}
        }
    }

    pub fn is_frozen(&self) -> bool {
        lock(&self.state).frozen_at.is_some()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn offset_moves_now() {
        let c = Clock::default();
        let before = c.now_secs();
        c.advance_secs(3600);
        let after = c.now_secs();
        assert!(
            (3599..=3601).contains(&(after - before)),
            "{}",
            after - before
        );
        assert_eq!(c.offset_secs(), 3600);
        c.set_offset_secs(-60);
        assert_eq!(c.offset_secs(), -60);
        let sys = c.now_system().duration_since(UNIX_EPOCH).unwrap().as_secs() as i64;
        assert!((c.now_secs() - sys).abs() <= 1);
    }

    #[test]
    fn a_frozen_clock_moves_only_when_told() {
        let c = Clock::default();
        c.set_frozen(true);
        assert!(c.is_frozen());
        let at = c.now_millis();
        std::thread::sleep(Duration::from_millis(5));
        assert_eq!(c.now_millis(), at);
        c.advance_millis(999);
        assert_eq!(c.now_millis(), at + 999);
        c.set_frozen(false);
        assert!(!c.is_frozen());
        // It runs on from where it stood, not from the system time.
        let resumed = c.now_millis();
        assert!((at + 999..at + 999 + 1000).contains(&resumed), "{resumed}");
    }
}
