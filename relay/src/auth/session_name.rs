//! A signed-in user's subject as STS's `RoleSessionName`, so every action their credentials take
//! shows up under their name in Alibaba's audit trail (ActionTrail records the session name).
//!
//! STS documents the name as 2 to 64 characters of letters, digits, `.`, `@`, `-` and `_`. A
//! subject that already is one is used as it is. Any other (an email with `+`, a URL-shaped
//! `sub`, a UUID with braces, non-ASCII, too long or one character) has every other character
//! replaced by `_`, is cut short, and gets `-` and 8 hex digits of its SHA-256 appended, so two
//! different subjects never share a name and the name still reads like the subject.

use sha2::{Digest, Sha256};

/// STS's bounds on `RoleSessionName`.
pub const MIN_LEN: usize = 2;
pub const MAX_LEN: usize = 64;
/// The hex digits of the subject's hash appended to a name that had to be changed.
const HASH_HEX: usize = 8;

/// Whether `name` is a `RoleSessionName` STS accepts.
pub fn is_valid(name: &str) -> bool {
    (MIN_LEN..=MAX_LEN).contains(&name.len()) && name.bytes().all(allowed)
}

fn allowed(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'.' | b'@' | b'-' | b'_')
}

/// The session name for a subject (see the module docs).
pub fn for_subject(subject: &str) -> String {
    if is_valid(subject) {
        return subject.to_owned();
    }
    let digest = Sha256::digest(subject.as_bytes());
    let hash = hex::encode(&digest[..HASH_HEX / 2]);
    let keep = MAX_LEN - 1 - HASH_HEX;
    let cleaned: String = subject
        .chars()
        .map(|c| {
            if c.is_ascii() && allowed(c as u8) {
                c
            } else {
                '_'
            }
        })
        .take(keep)
        .collect();
    if cleaned.is_empty() {
        hash
    } else {
        format!("{cleaned}-{hash}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn valid_subjects_are_kept() {
        for s in ["ab", "alice@example.com", "google-oauth2_1234.5"] {
            assert_eq!(for_subject(s), s);
        }
        let long = "a".repeat(64);
        assert_eq!(for_subject(&long), long);
    }

    #[test]
    fn other_subjects_are_cleaned_and_told_apart() {
        let a = for_subject("auth0|6512ab");
        assert!(a.starts_with("auth0_6512ab-"), "{a}");
        assert!(is_valid(&a));
        // Two subjects that clean to the same text keep different names.
        assert_ne!(for_subject("a+b@x.io"), for_subject("a b@x.io"));
        for s in [
            "",
            "a",
            "é",
            "用户",
            &"x".repeat(65),
            &"ü".repeat(100),
            "https://idp.example.com/users/42",
        ] {
            let name = for_subject(s);
            assert!(is_valid(&name), "{s:?} -> {name:?}");
        }
    }

    proptest::proptest! {
        #![proptest_config(crate::proptest_config())]

        /// Every subject gets a valid name, and it is the subject itself when that is valid.
        #[test]
        fn every_subject_gets_a_valid_name(subject in proptest::prelude::any::<String>()) {
            let name = for_subject(&subject);
            proptest::prop_assert!(is_valid(&name), "{:?} -> {:?}", subject, name);
            if is_valid(&subject) {
                proptest::prop_assert_eq!(name, subject);
            }
        }
    }
}
