//! Keeps secrets out of error text the service sends back.
//!
//! `SignatureDoesNotMatch` ends with the server's string-to-sign, which holds the `SecurityToken`
//! of STS credentials (percent-encoded twice: once in the canonical query, once more in the
//! string-to-sign). Error messages are shown and logged, so the token is cut out first.

use crate::core::encode::percent_encode;
use alloc::{borrow::ToOwned, string::String};

/// What stands in for a removed secret.
pub const REDACTED: &str = "<redacted>";

/// `text` with every occurrence of `secret`, as is or percent-encoded once or twice, replaced.
pub fn redact(text: &str, secret: &str) -> String {
    if secret.is_empty() {
        return text.to_owned();
    }
    let once = percent_encode(secret);
    let twice = percent_encode(&once);
    // Longest first, so a shorter form never splits a longer one (encoding never shortens).
    let forms = [twice.as_str(), once.as_str(), secret];
    let mut out = text.to_owned();
    for form in forms {
        out = replace_all(&out, form, REDACTED);
    }
    out
}

/// `text.replace(needle, with)` by plain byte comparison: `str::replace`'s two-way searcher
/// and its char-boundary panic path cost the wasm module about 2 KB gzipped. Error messages
/// are short, so the quadratic worst case does not matter. `needle` is not empty.
fn replace_all(text: &str, needle: &str, with: &str) -> String {
    let (hay, pat) = (text.as_bytes(), needle.as_bytes());
    let mut out = String::with_capacity(text.len());
    let (mut kept, mut i) = (0, 0);
    while i < hay.len() {
        if hay[i..].starts_with(pat) {
            // A match of valid UTF-8 in valid UTF-8 starts and ends on character boundaries.
            out.push_str(text.get(kept..i).unwrap_or_default());
            out.push_str(with);
            i += pat.len();
            kept = i;
        } else {
            i += 1;
        }
    }
    out.push_str(text.get(kept..).unwrap_or_default());
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::sign::{sign_params, Method};

    #[test]
    fn the_token_leaves_a_servers_string_to_sign() {
        let token = "CAIS+token/with=chars";
        let signed = sign_params(
            Method::Post,
            [("AccessKeyId", "STS.x"), ("SecurityToken", token)],
            "secret",
        );
        let message = format!(
            "Specified signature is not matched with our calculation. server string to sign is:{}",
            signed.string_to_sign
        );
        let clean = redact(&message, token);
        assert!(!clean.contains(&percent_encode(&percent_encode(token))));
        assert!(!clean.contains(&percent_encode(token)));
        assert!(clean.contains(REDACTED));
        assert!(clean.contains("AccessKeyId"));
        assert_eq!(
            redact("token CAIS+token/with=chars", token),
            "token <redacted>"
        );
    }

    #[test]
    fn replace_all_matches_str_replace() {
        for (text, needle) in [
            ("aaaa", "aa"),
            ("abcabc", "bc"),
            ("é中é中", "中"),
            ("x", "xy"),
            ("", "a"),
            ("%2541%41", "%41"),
        ] {
            assert_eq!(
                replace_all(text, needle, "<r>"),
                text.replace(needle, "<r>")
            );
        }
    }

    #[test]
    fn nothing_to_remove() {
        assert_eq!(redact("plain", ""), "plain");
        assert_eq!(redact("plain", "abc"), "plain");
    }
}
