//! Numbers as text without `core::fmt`: `format!` would bring the whole formatting machinery
//! (about 2 KB gzipped) into the wasm module for a handful of messages. Text is joined with
//! `[..].concat()`; numbers go through here.

use alloc::string::String;

/// `n` in decimal.
pub fn decimal(n: u64) -> String {
    padded(n, 1)
}

/// `n` in decimal, with leading zeros up to `width` digits (`padded(7, 2)` is "07"); widths
/// above 20, the digits of `u64::MAX`, count as 20.
pub fn padded(n: u64, width: usize) -> String {
    let mut out = String::new();
    push_padded(&mut out, n, width);
    out
}

/// Appends `n` in decimal to `out`.
pub fn push_decimal(out: &mut String, n: u64) {
    push_padded(out, n, 1);
}

fn push_padded(out: &mut String, mut n: u64, width: usize) {
    let mut digits = [b'0'; 20];
    let mut start = digits.len();
    while n > 0 || start == digits.len() {
        start -= 1;
        digits[start] = b'0' + (n % 10) as u8;
        n /= 10;
    }
    let start = start.min(digits.len().saturating_sub(width));
    out.extend(digits[start..].iter().map(|&b| char::from(b)));
}

/// `s` around the first `byte` (an ASCII character), without it; like `str::split_once`, whose
/// character search brings `memchr` into the module.
pub fn split_at_byte(s: &str, byte: u8) -> Option<(&str, &str)> {
    let i = s.bytes().position(|b| b == byte)?;
    // An ASCII byte is always a character boundary.
    Some((s.get(..i)?, s.get(i + 1..)?))
}

/// The value of 1 to 18 ASCII digits (no sign, no spaces); `None` for anything else. Not
/// `str::parse`, which brings Rust's general integer parser into the module.
pub fn digits_value(s: &str) -> Option<u64> {
    if s.is_empty() || s.len() > 18 {
        return None;
    }
    s.bytes().try_fold(0u64, |n, b| {
        b.is_ascii_digit().then(|| n * 10 + u64::from(b - b'0'))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_like_split_once() {
        for s in ["", ",", "a,b", "a,,b", ",b", "a,", "é,ü,", "no comma"] {
            assert_eq!(split_at_byte(s, b','), s.split_once(','), "{s:?}");
        }
    }

    #[test]
    fn reads_digits_only() {
        assert_eq!(digits_value("0"), Some(0));
        assert_eq!(digits_value("0042"), Some(42));
        assert_eq!(
            digits_value("999999999999999999"),
            Some(999_999_999_999_999_999)
        );
        for bad in [
            "",
            "-1",
            "+1",
            " 1",
            "1 ",
            "1.5",
            "1e3",
            "١٢",
            "9999999999999999999",
        ] {
            assert_eq!(digits_value(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn agrees_with_format() {
        for n in [0, 1, 9, 10, 99, 100, 2024, 65535, u32::MAX as u64, u64::MAX] {
            assert_eq!(decimal(n), n.to_string());
            for width in 0..=20 {
                assert_eq!(padded(n, width), format!("{n:0width$}"), "{n} {width}");
            }
        }
    }
}
