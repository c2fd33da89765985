//! Percent-encoding as Alibaba's RPC signature defines it (RFC 3986 unreserved set).

use alloc::{string::String, vec::Vec};

/// Encodes `s` the way the RPC signature does: the UTF-8 bytes, with `A-Z a-z 0-9 - _ . ~`
/// kept and every other byte written as `%XX` in uppercase hex (space is `%20`, `*` is `%2A`).
pub fn percent_encode(s: &str) -> String {
    percent_encode_after(String::new(), s)
}

/// `prefix` followed by [`percent_encode`]`(s)`, in one buffer.
pub fn percent_encode_after(prefix: String, s: &str) -> String {
    let mut out = prefix.into_bytes();
    push_encoded(&mut out, s);
    // SAFETY: a `String`'s bytes, then push_encoded's ASCII (`UNRESERVED` bytes, `%`, `HEX`).
    unsafe { ascii_string(out) }
}

/// Writes pairs as `enc(k)=enc(v)` joined with `&`: the canonical query's form and the form
/// body's (a body in this form decodes to exactly the values that were signed).
pub fn encode_pairs<'a, I>(pairs: I) -> String
where
    I: IntoIterator<Item = (&'a str, &'a str)>,
{
    let mut out = Vec::new();
    for (i, (k, v)) in pairs.into_iter().enumerate() {
        if i > 0 {
            out.push(b'&');
        }
        push_encoded(&mut out, k);
        out.push(b'=');
        push_encoded(&mut out, v);
    }
    // SAFETY: push_encoded's ASCII, `=` and `&`.
    unsafe { ascii_string(out) }
}

/// Whether a byte is unreserved (kept as is), by table: the signer's hot loop.
const UNRESERVED: [bool; 256] = {
    let mut t = [false; 256];
    let mut b = 0;
    while b < 256 {
        let c = b as u8;
        t[b] = c.is_ascii_alphanumeric() || matches!(c, b'-' | b'_' | b'.' | b'~');
        b += 1;
    }
    t
};

fn push_encoded(out: &mut Vec<u8>, s: &str) {
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    // Through a small buffer: no call per byte, even in a size-optimised build.
    let mut buf = [0u8; 256];
    let mut n = 0;
    for &b in s.as_bytes() {
        if n > buf.len() - 3 {
            out.extend_from_slice(&buf[..n]);
            n = 0;
        }
        if UNRESERVED[usize::from(b)] {
            buf[n] = b;
            n += 1;
        } else {
            buf[n] = b'%';
            buf[n + 1] = HEX[usize::from(b >> 4)];
            buf[n + 2] = HEX[usize::from(b & 0xF)];
            n += 3;
        }
    }
    out.extend_from_slice(&buf[..n]);
}

/// `bytes` as a `String`, unchecked: the encoder and Base64 write ASCII only. Not
/// `String::from_utf8`, whose validator costs the wasm module about 0.4 KB gzipped.
///
/// # Safety
///
/// `bytes` must be UTF-8: ASCII, after at most a prefix taken from a `String`. (Checked in
/// debug builds.)
pub(crate) unsafe fn ascii_string(bytes: Vec<u8>) -> String {
    debug_assert!(core::str::from_utf8(&bytes).is_ok());
    // SAFETY: the caller's promise.
    unsafe { String::from_utf8_unchecked(bytes) }
}

/// Decodes `application/x-www-form-urlencoded` or query text (`+` is a space), as the gateway
/// does before it canonicalises. Malformed escapes are kept literally; invalid UTF-8 is replaced.
pub fn form_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'+' => out.push(b' '),
            b'%' if i + 2 < bytes.len() => match (hex_val(bytes[i + 1]), hex_val(bytes[i + 2])) {
                (Some(h), Some(l)) => {
                    out.push(h << 4 | l);
                    i += 2;
                }
                _ => out.push(b'%'),
            },
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// Splits `a=1&b=2` into decoded pairs; empty segments are skipped, a key with no `=` gets "".
pub fn parse_form(s: &str) -> Vec<(String, String)> {
    s.split('&')
        .filter(|seg| !seg.is_empty())
        .map(|seg| match seg.split_once('=') {
            Some((k, v)) => (form_decode(k), form_decode(v)),
            None => (form_decode(seg), String::new()),
        })
        .collect()
}

fn hex_val(b: u8) -> Option<u8> {
    match b {
        b'0'..=b'9' => Some(b - b'0'),
        b'a'..=b'f' => Some(b - b'a' + 10),
        b'A'..=b'F' => Some(b - b'A' + 10),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_unreserved_and_escapes_the_rest() {
        assert_eq!(percent_encode("AZaz09-_.~"), "AZaz09-_.~");
        assert_eq!(percent_encode("a b*c/d+e"), "a%20b%2Ac%2Fd%2Be");
        assert_eq!(percent_encode("%"), "%25");
        assert_eq!(percent_encode(""), "");
    }

    #[test]
    fn encodes_utf8_bytes_in_uppercase_hex() {
        assert_eq!(percent_encode("é"), "%C3%A9");
        assert_eq!(percent_encode("你好"), "%E4%BD%A0%E5%A5%BD");
        assert_eq!(percent_encode("\u{a0}"), "%C2%A0");
        assert_eq!(percent_encode("👍🏽"), "%F0%9F%91%8D%F0%9F%8F%BD");
    }

    #[test]
    fn form_decode_round_trips_percent_encode() {
        for s in [
            "",
            "a b",
            "100%",
            "x=y&z",
            "你好 👋",
            "+plus+",
            "\n\t\u{2028}",
        ] {
            assert_eq!(form_decode(&percent_encode(s)), s);
        }
    }

    #[test]
    fn form_decode_handles_plus_and_malformed_escapes() {
        assert_eq!(form_decode("a+b"), "a b");
        assert_eq!(form_decode("%2"), "%2");
        assert_eq!(form_decode("%zz%41"), "%zzA");
        assert_eq!(form_decode("%"), "%");
        assert_eq!(form_decode("%FF"), "\u{FFFD}");
    }

    #[test]
    fn parse_form_splits_pairs() {
        assert_eq!(
            parse_form("a=1&&b=&c&d=x%3Dy"),
            vec![
                ("a".into(), "1".into()),
                ("b".into(), "".into()),
                ("c".into(), "".into()),
                ("d".into(), "x=y".into())
            ]
        );
    }
}
