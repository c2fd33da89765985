//! `SignatureNonce` text from random bytes (the bytes come from the platform's CSPRNG).

/// 128 random bits as 32 lowercase hex digits: unique enough that the gateway's 15-minute
/// `SignatureNonceUsed` window never sees a repeat.
pub fn nonce_from_bytes(bytes: &[u8; 16]) -> String {
    hex::encode(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hex_of_every_byte() {
        let mut bytes = [0u8; 16];
        bytes[0] = 0xAB;
        bytes[15] = 0x0F;
        let n = nonce_from_bytes(&bytes);
        assert_eq!(n.len(), 32);
        assert!(n.starts_with("ab00"));
        assert!(n.ends_with("000f"));
        assert_ne!(nonce_from_bytes(&[1; 16]), nonce_from_bytes(&[2; 16]));
    }
}
