//! From the canonical request to the signature: `ACS3-HMAC-SHA256\n` + hex SHA-256 of the
//! canonical request, signed with hex HMAC-SHA256 keyed by the AccessKeySecret itself.

use hmac::{Hmac, KeyInit, Mac};
use sha2::{Digest, Sha256};

use super::ALGORITHM;

/// `ACS3-HMAC-SHA256` and the hex SHA-256 of the canonical request, on two lines.
pub fn string_to_sign(canonical_request: &str) -> String {
    let mut out = String::with_capacity(ALGORITHM.len() + 65);
    out.push_str(ALGORITHM);
    out.push('\n');
    out.push_str(&hex32(&Sha256::digest(canonical_request.as_bytes()).into()));
    out
}

/// A 32-byte digest in lowercase hex, through `hex::encode_to_slice`: `hex::encode` builds its
/// string a char at a time, a tenth of a V3 signature's time in the browser (bench/sign.mjs).
pub(crate) fn hex32(digest: &[u8; 32]) -> String {
    let mut out = [0u8; 64];
    // 64 bytes hold 32 bytes' hex exactly: cannot fail, and hex writes only ASCII.
    let _ = hex::encode_to_slice(digest, &mut out);
    std::str::from_utf8(&out).unwrap_or_default().to_owned()
}

/// Lowercase hex HMAC-SHA256(key = secret, string to sign).
pub fn signature(string_to_sign: &str, access_key_secret: &str) -> String {
    // HMAC takes a key of any length (longer keys are hashed first): this cannot fail.
    let mut mac = <Hmac<Sha256>>::new_from_slice(access_key_secret.as_bytes())
        .expect("HMAC accepts any key length");
    mac.update(string_to_sign.as_bytes());
    hex32(&mac.finalize().into_bytes().into())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_documented_hash_and_signature() {
        // From Alibaba's worked example: the string to sign, and its signature with the
        // example's secret.
        let sts =
            "ACS3-HMAC-SHA256\n7ea06492da5221eba5297e897ce16e55f964061054b7695beedaac1145b1e259";
        assert_eq!(
            signature(sts, "YourAccessKeySecret"),
            "06563a9e1b43f5dfe96b81484da74bceab24a1d853912eee15083a6f0f3283c0"
        );
        assert_eq!(
            string_to_sign(""),
            "ACS3-HMAC-SHA256\ne3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
        );
    }

    #[test]
    fn the_key_is_the_secret_without_an_ampersand() {
        assert_ne!(signature("x", "secret"), signature("x", "secret&"));
        assert_eq!(signature("x", "").len(), 64);
    }
}
