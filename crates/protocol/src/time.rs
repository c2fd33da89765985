//! The two forms time takes on the wire, as seconds since the Unix epoch: the signatures' UTC
//! timestamps (`YYYY-MM-DDThh:mm:ssZ`: V2's `Timestamp`, V3's `x-acs-date`, STS's `Expiration`)
//! and HTTP dates (`Date`, `Retry-After`).
//!
//! [`Calendar`] reads and writes them. Natively, [`Crates`] does it with `humantime` and
//! `httpdate` (the free functions here); the browser module hands in the browser's own `Date`,
//! which it carries anyway, instead of a second calendar of its own. The clock itself is always
//! an input.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// `9999-12-31T23:59:59Z`, the last instant with a four-digit year.
pub const LAST_TIMESTAMP: i64 = 253_402_300_799;

fn system_time(unix_secs: i64) -> SystemTime {
    let secs = unix_secs.clamp(0, LAST_TIMESTAMP) as u64;
    UNIX_EPOCH + Duration::from_secs(secs)
}

fn unix_secs(t: SystemTime) -> Option<i64> {
    let secs = t.duration_since(UNIX_EPOCH).ok()?.as_secs();
    i64::try_from(secs).ok()
}

/// Reads and writes the wire's two forms of time.
pub trait Calendar {
    /// Seconds since the Unix epoch as `YYYY-MM-DDThh:mm:ssZ`, clamped to 1970 to 9999.
    fn format_timestamp(&self, unix_secs: i64) -> String;
    /// `YYYY-MM-DDThh:mm:ssZ` (a fraction of a second accepted and dropped), or `None`.
    fn parse_timestamp(&self, text: &str) -> Option<i64>;
    /// An HTTP date (IMF-fixdate, RFC 850 or asctime, all GMT), or `None`.
    fn parse_http_date(&self, text: &str) -> Option<i64>;
}

/// The calendar of `humantime` and `httpdate`.
pub struct Crates;

impl Calendar for Crates {
    fn format_timestamp(&self, unix_secs: i64) -> String {
        format_timestamp(unix_secs)
    }

    fn parse_timestamp(&self, text: &str) -> Option<i64> {
        parse_timestamp(text)
    }

    fn parse_http_date(&self, text: &str) -> Option<i64> {
        parse_http_date(text)
    }
}

/// Formats seconds since the Unix epoch as `YYYY-MM-DDThh:mm:ssZ`. Times outside 1970 to 9999
/// (which no signed request carries) are clamped to that range.
pub fn format_timestamp(unix_secs: i64) -> String {
    humantime::format_rfc3339_seconds(system_time(unix_secs)).to_string()
}

/// Parses `YYYY-MM-DDThh:mm:ssZ` (a fraction of a second is accepted and dropped) into seconds
/// since the Unix epoch. Anything else, and times before 1970, are `None`.
pub fn parse_timestamp(s: &str) -> Option<i64> {
    humantime::parse_rfc3339(s).ok().and_then(unix_secs)
}

/// Seconds since the Unix epoch of an HTTP date (IMF-fixdate, or the obsolete RFC 850 and
/// asctime forms recipients must accept), or `None` for anything else.
pub fn parse_http_date(value: &str) -> Option<i64> {
    httpdate::parse_http_date(value.trim())
        .ok()
        .and_then(unix_secs)
}

/// An IMF-fixdate (`Sun, 06 Nov 1994 08:49:37 GMT`), as a `Date` header carries it.
pub fn format_http_date(unix_secs: i64) -> String {
    httpdate::fmt_http_date(system_time(unix_secs))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timestamps_round_trip() {
        assert_eq!(format_timestamp(1_456_231_584), "2016-02-23T12:46:24Z");
        assert_eq!(parse_timestamp("2016-02-23T12:46:24Z"), Some(1_456_231_584));
        assert_eq!(
            parse_timestamp("2016-02-23T12:46:24.999Z"),
            Some(1_456_231_584)
        );
        assert_eq!(format_timestamp(LAST_TIMESTAMP), "9999-12-31T23:59:59Z");
        assert_eq!(format_timestamp(i64::MAX), "9999-12-31T23:59:59Z");
        assert_eq!(format_timestamp(-1), "1970-01-01T00:00:00Z");
    }

    #[test]
    fn other_forms_are_refused() {
        for s in [
            "",
            "2016-02-23 12:46:24Z",
            "2016-02-23T12:46:24",
            "2016-02-23T12:46:24+08:00",
            "2016-13-01T00:00:00Z",
            "2016-02-30T00:00:00Z",
            "1969-12-31T23:59:59Z",
        ] {
            assert_eq!(parse_timestamp(s), None, "{s}");
        }
    }

    #[test]
    fn the_three_http_date_forms() {
        for s in [
            "Sun, 06 Nov 1994 08:49:37 GMT",
            "Sunday, 06-Nov-94 08:49:37 GMT",
            "Sun Nov  6 08:49:37 1994",
            "  Sun, 06 Nov 1994 08:49:37 GMT ",
        ] {
            assert_eq!(parse_http_date(s), Some(784_111_777), "{s}");
        }
        assert_eq!(parse_http_date("yesterday"), None);
        assert_eq!(
            format_http_date(784_111_777),
            "Sun, 06 Nov 1994 08:49:37 GMT"
        );
    }
}
