//! The emulator's clock: the system time plus an offset that tests (and `/__emulator/clock`)
//! can shift, to reach the 15-minute timestamp window or a token's expiry without waiting.

use std::sync::atomic::{AtomicI64, Ordering};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// System time shifted by an adjustable number of milliseconds.
#[derive(Debug, Default)]
pub struct Clock {
    offset_ms: AtomicI64,
}

impl Clock {
    /// Milliseconds since the Unix epoch, offset applied. Sub-second precision is what a sliding
    /// rate-limit window needs.
    pub fn now_millis(&self) -> i64 {
        let system = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map(|d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
            .unwrap_or(0);
        system.saturating_add(self.offset_ms.load(Ordering::Relaxed))
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
        self.offset_ms
            .fetch_add(secs.saturating_mul(1000), Ordering::Relaxed);
    }

    /// Sets the offset from the system time, in seconds.
    pub fn set_offset_secs(&self, secs: i64) {
        self.offset_ms
            .store(secs.saturating_mul(1000), Ordering::Relaxed);
    }

    /// The current offset from the system time, in whole seconds.
    pub fn offset_secs(&self) -> i64 {
        self.offset_ms.load(Ordering::Relaxed).div_euclid(1000)
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
}
