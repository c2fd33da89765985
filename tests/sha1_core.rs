//! The core's SHA-1 and HMAC-SHA1 against the `sha1` and `hmac` crates, natively, on arbitrary
//! keys and messages split at arbitrary points.

#![cfg(not(target_arch = "wasm32"))]

use cams_qrdl::core::sha1::{hmac_sha1, sha1, Sha1};
use proptest::collection::vec;
use proptest::prelude::*;
use sha1::Digest;

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn hashes_like_the_sha1_crate(data in vec(any::<u8>(), 0..600), cut in any::<prop::sample::Index>()) {
        let expected: [u8; 20] = sha1::Sha1::digest(&data).into();
        prop_assert_eq!(sha1(&data), expected);
        let (a, b) = data.split_at(cut.index(data.len() + 1));
        let mut h = Sha1::default();
        h.update(a);
        h.update(b);
        prop_assert_eq!(h.finish(), expected);
    }

    #[test]
    fn hmac_like_the_hmac_crate(key in vec(any::<u8>(), 0..150), message in vec(any::<u8>(), 0..400)) {
        use hmac::Mac;
        let mut mac = hmac::Hmac::<sha1::Sha1>::new_from_slice(&key).unwrap();
        mac.update(&message);
        let expected: [u8; 20] = mac.finalize().into_bytes().into();
        prop_assert_eq!(hmac_sha1(&key, &message), expected);
    }
}
