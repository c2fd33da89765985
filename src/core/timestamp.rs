//! UTC timestamps in the form the RPC protocol uses: `YYYY-MM-DDThh:mm:ssZ`.
//!
//! Hand-rolled because it is two small functions: a date crate would cost the wasm module more
//! than it saves. Days-from-civil is Howard Hinnant's algorithm.

use crate::core::text::{digits_value, padded};
use alloc::string::String;

/// Formats seconds since the Unix epoch as `YYYY-MM-DDThh:mm:ssZ`.
pub fn format_timestamp(unix_secs: i64) -> String {
    let days = unix_secs.div_euclid(86_400);
    let secs = unix_secs.rem_euclid(86_400);
    let (y, m, d) = civil_from_days(days);
    let two = |n: i64| padded(n as u64, 2);
    // As `{:04}` would: a sign counts towards the width.
    let year = match y {
        0.. => padded(y as u64, 4),
        _ => ["-", &padded(y.unsigned_abs(), 3)].concat(),
    };
    [
        &year,
        "-",
        &two(m),
        "-",
        &two(d),
        "T",
        &two(secs / 3600),
        ":",
        &two(secs / 60 % 60),
        ":",
        &two(secs % 60),
        "Z",
    ]
    .concat()
}

/// Parses `YYYY-MM-DDThh:mm:ssZ` (a fraction of a second is accepted and dropped) into seconds
/// since the Unix epoch. Anything else is `None`, never a panic.
pub fn parse_timestamp(s: &str) -> Option<i64> {
    let b = s.as_bytes();
    if b.len() < 20
        || b[4] != b'-'
        || b[7] != b'-'
        || b[10] != b'T'
        || b[13] != b':'
        || b[16] != b':'
    {
        return None;
    }
    let num =
        |r: core::ops::Range<usize>| -> Option<i64> { digits_value(s.get(r)?).map(|n| n as i64) };
    let (y, mo, d) = (num(0..4)?, num(5..7)?, num(8..10)?);
    let (h, mi, se) = (num(11..13)?, num(14..16)?, num(17..19)?);
    let rest = s.get(19..)?;
    let rest = match rest.strip_prefix('.') {
        Some(frac) => frac.trim_start_matches(|c: char| c.is_ascii_digit()),
        None => rest,
    };
    if rest != "Z"
        || !(1..=12).contains(&mo)
        || d < 1
        || d > days_in_month(y, mo)
        || h > 23
        || mi > 59
        || se > 60
    {
        return None;
    }
    Some(days_from_civil(y, mo, d) * 86_400 + h * 3600 + mi * 60 + se)
}

fn days_in_month(y: i64, m: i64) -> i64 {
    match m {
        2 if (y % 4 == 0 && y % 100 != 0) || y % 400 == 0 => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

fn civil_from_days(z: i64) -> (i64, i64, i64) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    (yoe + era * 400 + i64::from(m <= 2), m, d)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_known_instants() {
        assert_eq!(format_timestamp(0), "1970-01-01T00:00:00Z");
        assert_eq!(format_timestamp(1_456_231_584), "2016-02-23T12:46:24Z");
        assert_eq!(format_timestamp(951_782_400), "2000-02-29T00:00:00Z");
        assert_eq!(format_timestamp(1_795_564_799), "2026-11-24T23:59:59Z");
    }

    #[test]
    fn parses_what_it_formats() {
        for t in [
            0,
            1,
            59,
            86_399,
            951_782_400,
            1_456_231_584,
            4_102_444_800,
            -86_400,
        ] {
            assert_eq!(parse_timestamp(&format_timestamp(t)), Some(t), "{t}");
        }
        assert_eq!(
            parse_timestamp("2016-02-23T12:46:24.123Z"),
            Some(1_456_231_584)
        );
    }

    #[test]
    fn rejects_malformed() {
        for s in [
            "",
            "2016-02-23 12:46:24Z",
            "2016-02-23T12:46:24",
            "2016-13-01T00:00:00Z",
            "2015-02-29T00:00:00Z",
            "2016-02-23T24:00:00Z",
            "+016-02-23T12:46:24Z",
            "2016-02-23T12:46:24Zjunk",
            "２０16-02-23T12:46:24Z",
        ] {
            assert_eq!(parse_timestamp(s), None, "{s}");
        }
    }
}
