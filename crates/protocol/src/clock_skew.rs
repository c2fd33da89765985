//! A browser clock that is off: the gateway refuses timestamps more than 15 minutes from its own
//! (`InvalidTimeStamp.Expired`), and its reply's `Date` header says what its clock reads. The
//! client keeps an offset (server minus local, in milliseconds), signs with local time plus the
//! offset, and after such a refusal corrects the offset from `Date` and sends the call once more.

use crate::error::CamsError;
use crate::time::{Calendar, Crates};

/// The gateway's code for a timestamp outside its window.
pub const TIMESTAMP_EXPIRED: &str = "InvalidTimeStamp.Expired";

/// Below this distance between the timestamp sent and the server's `Date`, the clock was not the
/// problem (the gateway's window is 15 minutes), and sending again would fail the same way.
pub const MIN_SKEW_SECS: i64 = 60;

/// What to do about a refused timestamp.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum SkewFix {
    /// Use this offset (milliseconds to add to the local clock) and send again.
    Retry { offset_ms: f64 },
    /// The reply has no readable `Date`: nothing to correct from.
    NoDate,
    /// `Date` agrees with the timestamp sent: the clock is not the cause.
    NotSkewed,
}

/// The correction after a refused timestamp: `date` is the reply's `Date` header,
/// `received_local_ms` the local clock (`Date.now()`) when the reply arrived, and `sent_secs` the
/// `Timestamp` the request carried.
///
/// `Date` has whole seconds and is written while the reply is made, so the server's clock read
/// somewhere in [Date, Date + 1 s) then; the middle of that second is taken. The reply's travel
/// time adds at most the round trip to the error, far inside the 15-minute window.
pub fn correct(date: Option<&str>, received_local_ms: f64, sent_secs: i64) -> SkewFix {
    correct_in(&Crates, date, received_local_ms, sent_secs)
}

/// [`correct`], with `calendar` reading the `Date` header.
pub fn correct_in(
    calendar: &dyn Calendar,
    date: Option<&str>,
    received_local_ms: f64,
    sent_secs: i64,
) -> SkewFix {
    let Some(server_secs) = date.and_then(|d| calendar.parse_http_date(d)) else {
        return SkewFix::NoDate;
    };
    if (server_secs - sent_secs).abs() < MIN_SKEW_SECS {
        return SkewFix::NotSkewed;
    }
    SkewFix::Retry {
        offset_ms: server_secs as f64 * 1000.0 + 500.0 - received_local_ms,
    }
}

/// Whole seconds since the Unix epoch on the corrected clock.
pub fn corrected_unix_secs(local_ms: f64, offset_ms: f64) -> i64 {
    ((local_ms + offset_ms) / 1000.0).floor() as i64
}

/// The refusal, with what the client could not do about it.
pub fn unfixable(mut e: CamsError, fix: SkewFix) -> CamsError {
    let hint = match fix {
        SkewFix::NoDate => " The client could not correct its clock: the reply has no readable Date header (a proxy dropped it, or the endpoint does not list it in Access-Control-Expose-Headers; a cams-relay /cams URL does). Set this computer's clock automatically, or use an endpoint that exposes Date.",
        SkewFix::NotSkewed => " This computer's clock agrees with the gateway's Date header, so sending again would not help.",
        SkewFix::Retry { .. } => " The request was sent again with a corrected clock and refused again: check this computer's clock.",
    };
    e.message.push_str(hint);
    e
}

#[cfg(test)]
mod tests {
    use super::*;

    // Sun, 06 Nov 1994 08:49:37 GMT
    const SERVER: i64 = 784_111_777;
    const DATE: &str = "Sun, 06 Nov 1994 08:49:37 GMT";

    #[test]
    fn a_clock_twenty_minutes_behind_is_corrected() {
        let local_ms = (SERVER - 1200) as f64 * 1000.0 + 250.0;
        let sent = SERVER - 1200;
        let SkewFix::Retry { offset_ms } = correct(Some(DATE), local_ms, sent) else {
            panic!("expected a retry");
        };
        assert_eq!(offset_ms, 1_200_250.0);
        // Signing now uses the server's second.
        assert_eq!(corrected_unix_secs(local_ms, offset_ms), SERVER);
        assert_eq!(
            corrected_unix_secs(local_ms + 10_000.0, offset_ms),
            SERVER + 10
        );
    }

    #[test]
    fn a_clock_twenty_minutes_ahead_is_corrected() {
        let local_ms = (SERVER + 1200) as f64 * 1000.0;
        let SkewFix::Retry { offset_ms } = correct(Some(DATE), local_ms, SERVER + 1200) else {
            panic!("expected a retry");
        };
        assert_eq!(offset_ms, -1_199_500.0);
        assert_eq!(corrected_unix_secs(local_ms, offset_ms), SERVER);
    }

    #[test]
    fn no_date_or_no_skew_means_no_retry() {
        assert_eq!(correct(None, 0.0, 0), SkewFix::NoDate);
        assert_eq!(correct(Some("yesterday"), 0.0, 0), SkewFix::NoDate);
        assert_eq!(
            correct(Some(DATE), SERVER as f64 * 1000.0, SERVER - 59),
            SkewFix::NotSkewed
        );
        let e = unfixable(
            CamsError::new(TIMESTAMP_EXPIRED, "expired."),
            SkewFix::NoDate,
        );
        assert!(e.message.starts_with("expired. "));
        assert!(e.message.contains("Date header"));
        assert_eq!(e.code, TIMESTAMP_EXPIRED);
    }

    #[test]
    fn negative_and_fractional_times_floor() {
        assert_eq!(corrected_unix_secs(-1.0, 0.0), -1);
        assert_eq!(corrected_unix_secs(1999.0, 0.0), 1);
        assert_eq!(corrected_unix_secs(1000.0, -1.0), 0);
    }
}
