//! SHA-1 (FIPS 180-4) and HMAC-SHA1 (RFC 2104), as the RPC signature needs them.
//!
//! Hand-written because the module signs a few kilobytes at a time and every kilobyte of wasm
//! counts: the `sha1`, `digest` and `hmac` crates' generic layers cost about 2 KB gzipped, this
//! one loop about 0.5 KB. SHA-1 is broken for collisions but not for HMAC, and HMAC-SHA1 is what
//! the protocol (`SignatureMethod=HMAC-SHA1`) prescribes.

/// A running SHA-1 hash.
#[derive(Clone)]
pub struct Sha1 {
    state: [u32; 5],
    block: [u8; 64],
    filled: usize,
    /// Bytes hashed so far.
    length: u64,
}

impl Default for Sha1 {
    fn default() -> Self {
        Sha1 {
            state: [
                0x6745_2301,
                0xEFCD_AB89,
                0x98BA_DCFE,
                0x1032_5476,
                0xC3D2_E1F0,
            ],
            block: [0; 64],
            filled: 0,
            length: 0,
        }
    }
}

impl Sha1 {
    pub fn update(&mut self, mut data: &[u8]) {
        self.length = self.length.wrapping_add(data.len() as u64);
        while !data.is_empty() {
            let take = (64 - self.filled).min(data.len());
            let (now, rest) = data.split_at(take);
            self.block[self.filled..self.filled + take].copy_from_slice(now);
            self.filled += take;
            data = rest;
            if self.filled == 64 {
                compress(&mut self.state, &self.block);
                self.filled = 0;
            }
        }
    }

    pub fn finish(mut self) -> [u8; 20] {
        // 0x80, zeros up to 8 bytes short of a block, the length in bits.
        const PAD: [u8; 64] = {
            let mut p = [0; 64];
            p[0] = 0x80;
            p
        };
        let bits = self.length.wrapping_mul(8);
        self.update(&PAD[..(119 - self.filled) % 64 + 1]);
        self.update(&bits.to_be_bytes());
        let mut out = [0u8; 20];
        for (i, byte) in out.iter_mut().enumerate() {
            *byte = (self.state[i / 4] >> (24 - 8 * (i % 4))) as u8;
        }
        out
    }
}

fn compress(state: &mut [u32; 5], block: &[u8; 64]) {
    // The whole message schedule first, then 80 rounds that each read one word.
    let mut w = [0u32; 80];
    for (i, b) in block.chunks_exact(4).enumerate() {
        w[i] = u32::from_be_bytes([b[0], b[1], b[2], b[3]]);
    }
    for i in 16..80 {
        w[i] = (w[i - 3] ^ w[i - 8] ^ w[i - 14] ^ w[i - 16]).rotate_left(1);
    }
    let [mut a, mut b, mut c, mut d, mut e] = *state;
    let f1 = |b: u32, c: u32, d: u32| (b & c) | (!b & d);
    let f2 = |b: u32, c: u32, d: u32| b ^ c ^ d;
    let f3 = |b: u32, c: u32, d: u32| (b & c) | (b & d) | (c & d);
    macro_rules! rounds {
        ($range:expr, $k:expr, $f:expr) => {
            for &wi in &w[$range] {
                let t = a
                    .rotate_left(5)
                    .wrapping_add($f(b, c, d))
                    .wrapping_add(e)
                    .wrapping_add($k)
                    .wrapping_add(wi);
                e = d;
                d = c;
                c = b.rotate_left(30);
                b = a;
                a = t;
            }
        };
    }
    rounds!(0..20, 0x5A82_7999, f1);
    rounds!(20..40, 0x6ED9_EBA1, f2);
    rounds!(40..60, 0x8F1B_BCDC, f3);
    rounds!(60..80, 0xCA62_C1D6, f2);
    let [s0, s1, s2, s3, s4] = state;
    *s0 = s0.wrapping_add(a);
    *s1 = s1.wrapping_add(b);
    *s2 = s2.wrapping_add(c);
    *s3 = s3.wrapping_add(d);
    *s4 = s4.wrapping_add(e);
}

/// SHA-1 of `data`.
pub fn sha1(data: &[u8]) -> [u8; 20] {
    let mut h = Sha1::default();
    h.update(data);
    h.finish()
}

/// HMAC-SHA1 of `message` under `key` (keys longer than the 64-byte block are hashed first).
pub fn hmac_sha1(key: &[u8], message: &[u8]) -> [u8; 20] {
    let mut block = [0u8; 64];
    if key.len() > block.len() {
        block[..20].copy_from_slice(&sha1(key));
    } else {
        block[..key.len()].copy_from_slice(key);
    }
    let mut inner = Sha1::default();
    inner.update(&block.map(|b| b ^ 0x36));
    inner.update(message);
    let inner = inner.finish();
    let mut outer = Sha1::default();
    outer.update(&block.map(|b| b ^ 0x5c));
    outer.update(&inner);
    outer.finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hex(b: [u8; 20]) -> String {
        b.iter().map(|x| format!("{x:02x}")).collect()
    }

    #[test]
    fn fips_180_vectors() {
        assert_eq!(hex(sha1(b"")), "da39a3ee5e6b4b0d3255bfef95601890afd80709");
        assert_eq!(
            hex(sha1(b"abc")),
            "a9993e364706816aba3e25717850c26c9cd0d89d"
        );
        assert_eq!(
            hex(sha1(
                b"abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"
            )),
            "84983e441c3bd26ebaae4aa1f95129e5e54670f1"
        );
        let mut h = Sha1::default();
        for _ in 0..1000 {
            h.update(&[b'a'; 1000]);
        }
        assert_eq!(hex(h.finish()), "34aa973cd4c4daa4f61eeb2bdbad27316534016f");
    }

    #[test]
    fn rfc_2202_hmac_vectors() {
        assert_eq!(
            hex(hmac_sha1(&[0x0b; 20], b"Hi There")),
            "b617318655057264e28bc0b6fb378c8ef146be00"
        );
        assert_eq!(
            hex(hmac_sha1(b"Jefe", b"what do ya want for nothing?")),
            "effcdf6ae5eb2fa2d27416d5f184df9c259a7c79"
        );
        assert_eq!(
            hex(hmac_sha1(&[0xaa; 20], &[0xdd; 50])),
            "125d7342b9ac11cd91a39af48aa17b4f63f175d3"
        );
        assert_eq!(
            hex(hmac_sha1(
                &[0xaa; 80],
                b"Test Using Larger Than Block-Size Key - Hash Key First"
            )),
            "aa4ae5e15272d00e95705637ce8a3b55ed402112"
        );
        assert_eq!(
            hex(hmac_sha1(
                &[0xaa; 80],
                b"Test Using Larger Than Block-Size Key and Larger Than One Block-Size Data"
            )),
            "e8e99d0f45237d786d6bbaa7965c7808bbff1a91"
        );
    }

    #[test]
    fn every_length_around_the_padding_boundary() {
        // Lengths 0..=130 cover one- and two-block paddings; split updates must agree.
        let data: Vec<u8> = (0..130u8).collect();
        for n in 0..data.len() {
            let whole = sha1(&data[..n]);
            let mut h = Sha1::default();
            let (a, b) = data[..n].split_at(n / 3);
            h.update(a);
            h.update(b);
            assert_eq!(h.finish(), whole, "{n}");
        }
    }
}
