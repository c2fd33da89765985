//! Percent-encoding as Alibaba's signatures define it (RFC 3986's unreserved set), and form
//! decoding as the gateway does it, both on the `percent-encoding` / `form_urlencoded` crates.

use std::borrow::Cow;

use percent_encoding::{percent_encode as encode_with, AsciiSet, NON_ALPHANUMERIC};

/// Every byte but `A-Z a-z 0-9 - _ . ~` is escaped: the set both signature versions use.
pub const SIGNATURE_ENCODE_SET: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'_')
    .remove(b'.')
    .remove(b'~');

/// Encodes `s` the way the signatures do: the UTF-8 bytes, with `A-Z a-z 0-9 - _ . ~` kept and
/// every other byte written as `%XX` in uppercase hex (space is `%20`, `*` is `%2A`).
pub fn percent_encode(s: &str) -> String {
    encode_with(s.as_bytes(), SIGNATURE_ENCODE_SET).to_string()
}

/// [`percent_encode`]`(s)` as the encoder makes it: runs of kept bytes and `%XX` escapes.
pub fn percent_encode_pieces(s: &str) -> impl Iterator<Item = &str> {
    encode_with(s.as_bytes(), SIGNATURE_ENCODE_SET)
}

/// Appends [`percent_encode`]`(s)` to `out`.
pub fn push_encoded(out: &mut String, s: &str) {
    out.extend(encode_with(s.as_bytes(), SIGNATURE_ENCODE_SET));
}

/// Writes pairs as `enc(k)=enc(v)` joined with `&`: the canonical query's form and the form
/// body's (a body in this form decodes to exactly the values that were signed).
pub fn encode_pairs<'a, I>(pairs: I) -> String
where
    I: IntoIterator<Item = (&'a str, &'a str)>,
{
    let mut out = String::new();
    for (i, (k, v)) in pairs.into_iter().enumerate() {
        if i > 0 {
            out.push('&');
        }
        push_encoded(&mut out, k);
        out.push('=');
        push_encoded(&mut out, v);
    }
    out
}

/// Decodes `application/x-www-form-urlencoded` or query text (`+` is a space), as the gateway
/// does before it canonicalises. Malformed escapes are kept literally; invalid UTF-8 is replaced.
pub fn form_decode(s: &str) -> String {
    let plus_as_space: Cow<'_, str> = if s.contains('+') {
        Cow::Owned(s.replace('+', " "))
    } else {
        Cow::Borrowed(s)
    };
    percent_encoding::percent_decode_str(&plus_as_space)
        .decode_utf8_lossy()
        .into_owned()
}

/// Splits `a=1&b=2` into decoded pairs; empty segments are skipped, a key with no `=` gets "".
pub fn parse_form(s: &str) -> Vec<(String, String)> {
    form_urlencoded::parse(s.as_bytes())
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect()
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
            parse_form("a=1&&b=&c&d=x%3Dy&e=1+2"),
            vec![
                ("a".into(), "1".into()),
                ("b".into(), "".into()),
                ("c".into(), "".into()),
                ("d".into(), "x=y".into()),
                ("e".into(), "1 2".into())
            ]
        );
    }
}
