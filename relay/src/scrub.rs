//! Keeping the relay's secrets out of what an upstream's error text tells a browser.
//!
//! [`redact_secret`] removes a secret in every form an upstream could plausibly echo it in: as
//! is, percent-encoded (once or twice, as in a string-to-sign), form-encoded (`+` for a space),
//! Base64 (standard and URL-safe, with or without padding) and hex (either case), each of those
//! percent-encoded too. [`without_string_to_sign`] cuts a string-to-sign out of a message, found
//! by its shape (`POST&%2F&...`, `GET&%2F&...`, or signature V3's `ACS3-HMAC-SHA256` and
//! canonical request) or by any phrase that announces one, wherever in the text it appears.

use base64::engine::general_purpose::{STANDARD, STANDARD_NO_PAD, URL_SAFE, URL_SAFE_NO_PAD};
use base64::Engine as _;
use cams_protocol::encode::percent_encode;
use cams_protocol::redact::REDACTED;

/// What replaces a removed string-to-sign.
pub const STRING_TO_SIGN_NOTE: &str = "(STS's string-to-sign is in the relay's log.)";

/// Secrets shorter than this are not looked for in their derived forms (a two-byte "secret"
/// would redact half of every message).
const MIN_DERIVED_LEN: usize = 6;

/// `text` with every form of `secret` replaced by `<redacted>`.
pub fn redact_secret(text: &str, secret: &str) -> String {
    if secret.is_empty() {
        return text.to_owned();
    }
    let mut bases = vec![secret.to_owned()];
    if secret.len() >= MIN_DERIVED_LEN {
        let bytes = secret.as_bytes();
        bases.extend([
            form_encode(secret),
            STANDARD.encode(bytes),
            STANDARD_NO_PAD.encode(bytes),
            URL_SAFE.encode(bytes),
            URL_SAFE_NO_PAD.encode(bytes),
            hex::encode(bytes),
            hex::encode_upper(bytes),
        ]);
    }
    let mut forms: Vec<String> = Vec::new();
    for base in bases {
        let once = percent_encode(&base);
        let twice = percent_encode(&once);
        forms.extend([twice, once, base]);
    }
    // Longest first, so a shorter form never splits a longer one.
    forms.sort_by_key(|f| std::cmp::Reverse(f.len()));
    forms.dedup();
    forms
        .iter()
        .filter(|f| !f.is_empty())
        .fold(text.to_owned(), |out, form| {
            out.replace(form.as_str(), REDACTED)
        })
}

/// `application/x-www-form-urlencoded` text: a space as `+`.
fn form_encode(s: &str) -> String {
    url::form_urlencoded::byte_serialize(s.as_bytes()).collect()
}

/// Phrases that introduce a string-to-sign (lower case; spaces, `-` and `_` between the words
/// are all matched).
const PHRASES: [&str; 4] = [
    "stringtosign",
    "canonicalrequest",
    "canonicalizedquerystring",
    "calculatedstring",
];

/// How a string-to-sign itself starts.
const SHAPES: [&str; 6] = [
    "GET&%2F&",
    "POST&%2F&",
    "GET&%2f&",
    "POST&%2f&",
    "ACS3-HMAC-SHA256\n",
    "ACS3-HMAC-SHA256\\n",
];

/// The message up to where a string-to-sign (or the phrase announcing it) starts, with a note
/// saying where it went; the message unchanged when it holds none.
pub fn without_string_to_sign(message: &str) -> String {
    let Some(cut) = string_to_sign_start(message) else {
        return message.to_owned();
    };
    let kept = message[..cut].trim_end_matches([' ', ':', '.', ',', ';', '=', '-', '(', '\n']);
    if kept.is_empty() {
        STRING_TO_SIGN_NOTE.to_owned()
    } else {
        format!("{kept} {STRING_TO_SIGN_NOTE}")
    }
}

/// Where the first string-to-sign, or the clause introducing it, begins.
fn string_to_sign_start(message: &str) -> Option<usize> {
    let shape = SHAPES.iter().filter_map(|s| message.find(s)).min();
    let phrase = phrase_start(message);
    let start = match (phrase, shape) {
        (Some(p), Some(s)) => p.min(s),
        (p, s) => p.or(s)?,
    };
    // Take a short clause of prose that leads up to it along ("server string to sign is:",
    // "computed over"): back to the end of the previous sentence. Not in a URL (a `Recommend`).
    let clause = message[..start]
        .rfind(['.', ';', '\n', '('])
        .map_or(0, |i| i + 1);
    let lead = &message[clause..start];
    let prose = lead.len() <= 60 && !lead.contains(['/', '?', '&']);
    Some(if prose { clause } else { start })
}

/// The byte offset of the first announcing phrase, matching its words with any of ` `, `-`, `_`
/// (or nothing) between them, in any case.
fn phrase_start(message: &str) -> Option<usize> {
    // The message's letters alone, lower-cased, each with its byte offset in `message`.
    let letters: Vec<(usize, u8)> = message
        .bytes()
        .enumerate()
        .filter(|(_, b)| !matches!(b, b' ' | b'-' | b'_'))
        .map(|(i, b)| (i, b.to_ascii_lowercase()))
        .collect();
    let squeezed: Vec<u8> = letters.iter().map(|(_, b)| *b).collect();
    PHRASES
        .iter()
        .filter_map(|p| {
            squeezed
                .windows(p.len())
                .position(|w| w == p.as_bytes())
                .map(|i| letters[i].0)
        })
        .min()
}

#[cfg(test)]
mod tests {
    use super::*;
    use cams_protocol::sign::{sign_params, Method};

    const SECRET: &str = "relay Secret+/=9f3Kq";

    #[test]
    fn every_form_of_the_secret_goes() {
        let bytes = SECRET.as_bytes();
        for form in [
            SECRET.to_owned(),
            percent_encode(SECRET),
            percent_encode(&percent_encode(SECRET)),
            form_encode(SECRET),
            STANDARD.encode(bytes),
            URL_SAFE_NO_PAD.encode(bytes),
            hex::encode(bytes),
            hex::encode_upper(bytes),
            percent_encode(&STANDARD.encode(bytes)),
        ] {
            let text = format!("before {form} after");
            let clean = redact_secret(&text, SECRET);
            assert_eq!(clean, "before <redacted> after", "{form}");
        }
        assert!(form_encode(SECRET).contains('+'));
        assert_eq!(redact_secret("abc", ""), "abc");
        // Short secrets are removed as they are only.
        assert_eq!(redact_secret("ab 6162", "ab"), "<redacted> 6162");
    }

    #[test]
    fn a_string_to_sign_goes_whatever_announces_it() {
        let sts = sign_params(
            Method::Post,
            [
                ("AccessKeyId", "LTAIrelay"),
                ("RoleArn", "acs:ram::1:role/r"),
            ],
            "s",
        )
        .string_to_sign;
        for message in [
            format!("Specified signature is not matched with our calculation. server string to sign is:{sts}"),
            format!("Specified signature is not matched with our calculation. StringToSign: {sts}"),
            format!("Specified signature is not matched with our calculation. Expected string-to-sign = {sts}"),
            format!("Specified signature is not matched with our calculation. {sts}"),
            format!("Specified signature is not matched with our calculation (computed over {sts})"),
        ] {
            let clean = without_string_to_sign(&message);
            assert_eq!(
                clean,
                format!("Specified signature is not matched with our calculation {STRING_TO_SIGN_NOTE}"),
                "{message}"
            );
        }
        let v3 = "The request signature does not match. CanonicalRequest: POST\n/\n\nhost:x";
        assert_eq!(
            without_string_to_sign(v3),
            format!("The request signature does not match {STRING_TO_SIGN_NOTE}")
        );
        let recommend = format!("https://api.alibabacloud.com/troubleshoot?q=x&sts={sts}");
        assert!(!without_string_to_sign(&recommend).contains("LTAIrelay"));
        assert_eq!(without_string_to_sign("No role."), "No role.");
    }

    proptest::proptest! {
        #![proptest_config(crate::proptest_config())]

        /// Whatever surrounds them, neither the secret nor a string-to-sign survives.
        #[test]
        fn nothing_survives_anywhere(
            before in proptest::prelude::any::<String>(),
            after in proptest::prelude::any::<String>(),
            secret in "[ -~]{6,40}",
        ) {
            let sts = sign_params(Method::Get, [("AccessKeyId", "LTAIzzzz")], "k").string_to_sign;
            let text = format!("{before}{secret} {sts}{after}");
            let clean = redact_secret(&without_string_to_sign(&text), &secret);
            proptest::prop_assert!(!clean.contains("LTAIzzzz"));
            let echoed = format!("{before}{}{after}", STANDARD.encode(secret.as_bytes()));
            proptest::prop_assert!(!redact_secret(&echoed, &secret).contains(&STANDARD.encode(secret.as_bytes())));
        }
    }
}
