//! The canonical query: the one form of the parameters that both sides sign.

use crate::encode::encode_pairs;

/// Builds the canonical query from decoded parameters: every one but `Signature`, sorted by
/// name (byte order, as the official SDKs sort), written `enc(k)=enc(v)` and joined with `&`.
pub fn canonical_query<'a, I>(params: I) -> String
where
    I: IntoIterator<Item = (&'a str, &'a str)>,
{
    encode_pairs(sorted_by_name(
        params.into_iter().filter(|(k, _)| *k != "Signature"),
    ))
}

/// The pairs sorted by name (byte order); a repeated name, which neither a request object nor the
/// gateway's merged parameters ever hold, by value.
pub fn sorted_by_name<'a, I>(pairs: I) -> Vec<(&'a str, &'a str)>
where
    I: IntoIterator<Item = (&'a str, &'a str)>,
{
    let mut out: Vec<(&str, &str)> = pairs.into_iter().collect();
    sort_pairs(&mut out);
    out
}

/// Sorts pairs by name, then value. A call has a dozen pairs at most, for which insertion sort
/// is as fast as any; std's sort is a large share of the browser module's size budget
/// (BENCHMARKS.md), so this one loop instead, tested against `sort_unstable` below.
pub fn sort_pairs(pairs: &mut [(&str, &str)]) {
    for i in 1..pairs.len() {
        let mut j = i;
        while j > 0 && pairs[j - 1] > pairs[j] {
            pairs.swap(j - 1, j);
            j -= 1;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sort_pairs_agrees_with_std() {
        let mut seed = 7u32;
        for len in 0..40 {
            let mut next = || {
                seed = seed.wrapping_mul(1_103_515_245).wrapping_add(12_345);
                format!("{}", (seed >> 16) % 13)
            };
            let owned: Vec<(String, String)> = (0..len).map(|_| (next(), next())).collect();
            let mut pairs: Vec<(&str, &str)> = owned
                .iter()
                .map(|(k, v)| (k.as_str(), v.as_str()))
                .collect();
            let mut want = pairs.clone();
            want.sort_unstable();
            sort_pairs(&mut pairs);
            assert_eq!(pairs, want, "{len}");
        }
    }

    #[test]
    fn sorts_by_name_and_drops_signature() {
        let q = canonical_query([("b", "2"), ("Signature", "x"), ("a", "1 2"), ("B", "*")]);
        assert_eq!(q, "B=%2A&a=1%202&b=2");
    }

    #[test]
    fn the_sort_is_by_bytes_then_by_value() {
        assert_eq!(
            sorted_by_name([
                ("b", "1"),
                ("a", "2"),
                ("b", "3"),
                ("B", "4"),
                ("é", "5"),
                ("a", "6")
            ]),
            [
                ("B", "4"),
                ("a", "2"),
                ("a", "6"),
                ("b", "1"),
                ("b", "3"),
                ("é", "5")
            ]
        );
    }

    #[test]
    fn empty_values_keep_their_equals_sign() {
        assert_eq!(canonical_query([("a", ""), ("b", "")]), "a=&b=");
        assert_eq!(canonical_query(std::iter::empty()), "");
    }
}
