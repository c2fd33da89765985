//! Keeps secrets out of error text the service sends back.
//!
//! `SignatureDoesNotMatch` ends with the server's string-to-sign, which holds the `SecurityToken`
//! of STS credentials (percent-encoded twice: once in the canonical query, once more in the
//! string-to-sign). Error messages are shown and logged, so the token is cut out first.

use crate::encode::percent_encode;

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
        out = out.replace(form, REDACTED);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sign::{sign_params, Method};

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
    fn nothing_to_remove() {
        assert_eq!(redact("plain", ""), "plain");
        assert_eq!(redact("plain", "abc"), "plain");
    }
}
