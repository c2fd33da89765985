//! HTTP dates (RFC 9110 §5.6.7), as the `Date` and `Retry-After` headers carry them.
//!
//! Senders use IMF-fixdate (`Sun, 06 Nov 1994 08:49:37 GMT`); recipients must also accept the
//! obsolete RFC 850 (`Sunday, 06-Nov-94 08:49:37 GMT`) and asctime (`Sun Nov  6 08:49:37 1994`)
//! forms, so all three are read. The calendar arithmetic is [`parse_timestamp`]'s.

use crate::core::text::{digits_value, padded, split_at_byte};
use crate::core::timestamp::parse_timestamp;

const MONTHS: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];

/// Seconds since the Unix epoch of an HTTP date, or `None` for anything else (never a panic).
pub fn parse_http_date(value: &str) -> Option<i64> {
    let v = value.trim();
    // IMF-fixdate and RFC 850 put a comma after the day name; asctime has none.
    let (rest, comma) = match split_at_byte(v, b',') {
        Some((_, rest)) => (rest, true),
        None => (v, false),
    };
    let (words, n) = words(rest)?;
    match (comma, words.get(..n)?) {
        // IMF-fixdate: 06 Nov 1994 08:49:37 GMT
        (true, [day, month, year, time, "GMT"]) if year.len() == 4 => {
            assemble(digits(year)?, month, day, time)
        }
        // RFC 850: 06-Nov-94 08:49:37 GMT
        (true, [date, time, "GMT"]) => {
            let (day, rest) = split_at_byte(date, b'-')?;
            let (month, yy) = split_at_byte(rest, b'-')?;
            if yy.len() != 2 {
                return None;
            }
            let yy = digits(yy)?;
            // Two-digit years, read as 1970 to 2069.
            let year = if yy < 70 { 2000 + yy } else { 1900 + yy };
            assemble(year, month, day, time)
        }
        // asctime: Sun Nov  6 08:49:37 1994
        (false, [_weekday, month, day, time, year]) if year.len() == 4 => {
            assemble(digits(year)?, month, day, time)
        }
        _ => None,
    }
}

/// A run of ASCII digits as a number (no sign, no spaces).
/// The first five whitespace-separated words and how many there are; `None` for more, which no
/// date form has. An array, not a `Vec`: collecting costs the module more than this.
fn words(s: &str) -> Option<([&str; 5], usize)> {
    let mut out = [""; 5];
    let mut n = 0;
    for word in s.split_ascii_whitespace() {
        *out.get_mut(n)? = word;
        n += 1;
    }
    Some((out, n))
}

fn digits(s: &str) -> Option<i64> {
    if s.len() > 9 {
        return None;
    }
    digits_value(s).map(|n| n as i64)
}

fn assemble(year: i64, month: &str, day: &str, time: &str) -> Option<i64> {
    let month = MONTHS.iter().position(|m| *m == month)? + 1;
    if day.is_empty() || day.len() > 2 || time.len() != 8 {
        return None;
    }
    let day = digits(day)?;
    if !(0..=9999).contains(&year) {
        return None;
    }
    // The RPC timestamp parser checks the calendar and the clock fields.
    parse_timestamp(
        &[
            &padded(year as u64, 4),
            "-",
            &padded(month as u64, 2),
            "-",
            &padded(day as u64, 2),
            "T",
            time,
            "Z",
        ]
        .concat(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    const NOV_6_1994: i64 = 784_111_777;

    #[test]
    fn reads_the_three_forms() {
        assert_eq!(
            parse_http_date("Sun, 06 Nov 1994 08:49:37 GMT"),
            Some(NOV_6_1994)
        );
        assert_eq!(
            parse_http_date("Sunday, 06-Nov-94 08:49:37 GMT"),
            Some(NOV_6_1994)
        );
        assert_eq!(
            parse_http_date("Sun Nov  6 08:49:37 1994"),
            Some(NOV_6_1994)
        );
        assert_eq!(parse_http_date("  Thu, 01 Jan 1970 00:00:00 GMT "), Some(0));
        assert_eq!(
            parse_http_date("Tue, 29 Feb 2028 23:59:59 GMT"),
            Some(1_835_481_599)
        );
    }

    #[test]
    fn rejects_everything_else() {
        for s in [
            "",
            "120",
            "Sun, 06 Nov 1994 08:49:37 UTC",
            "Sun, 06 Nov 1994 08:49:37",
            "Sun, 06 Nov 1994 08:49:37 GMT extra",
            "Sun, 06 Foo 1994 08:49:37 GMT",
            "Sun, 31 Feb 1994 08:49:37 GMT",
            "Sun, 06 Nov 1994 24:49:37 GMT",
            "Sun, 06 Nov 1994 8:49:37 GMT",
            "Sun, 06 Nov 94 08:49:37 GMT",
            "Sun, -6 Nov 1994 08:49:37 GMT",
            "Sun, 06 Nov +994 08:49:37 GMT",
            "Sunday, 06-Nov-1994 08:49:37 GMT",
            "Sun Nov  6 08:49:37",
            "2016-02-23T12:46:24Z",
            "Sun, ０6 Nov 1994 08:49:37 GMT",
        ] {
            assert_eq!(parse_http_date(s), None, "{s:?}");
        }
    }
}
