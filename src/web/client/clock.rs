//! The client's idea of the server's time: the local clock plus an offset learned from a
//! gateway's `Date` header after `InvalidTimeStamp.Expired` (core::clock_skew). Shared by the
//! signer and the credential cache, so expirations (server times) are compared with it too.

use std::cell::Cell;

use cams_protocol::clock_skew::corrected_unix_secs;

#[derive(Default)]
pub(crate) struct Clock {
    offset_ms: Cell<f64>,
}

impl Clock {
    /// Local wall-clock milliseconds (`Date.now()`), uncorrected: what a reply's arrival is
    /// measured with.
    pub(crate) fn local_ms() -> f64 {
        js_sys::Date::now()
    }

    /// Whole seconds since the Unix epoch, corrected.
    pub(crate) fn now_unix_secs(&self) -> i64 {
        corrected_unix_secs(Self::local_ms(), self.offset_ms.get())
    }

    pub(crate) fn set_offset_ms(&self, offset_ms: f64) {
        if offset_ms.is_finite() {
            self.offset_ms.set(offset_ms);
        }
    }
}
