//! The canonical query: the one form of the parameters that both sides sign.

use crate::core::encode::encode_pairs;

/// Builds the canonical query from decoded parameters: every one but `Signature`, sorted by
/// name (byte order, as the official SDKs sort), written `enc(k)=enc(v)` and joined with `&`.
pub fn canonical_query<'a, I>(params: I) -> String
where
    I: IntoIterator<Item = (&'a str, &'a str)>,
{
    let mut pairs: Vec<(&str, &str)> = params
        .into_iter()
        .filter(|(k, _)| *k != "Signature")
        .collect();
    // Stable sort: with a repeated name (which the gateway would have merged) the order is kept.
    pairs.sort_by(|a, b| a.0.cmp(b.0));
    encode_pairs(pairs)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sorts_by_name_and_drops_signature() {
        let q = canonical_query([("b", "2"), ("Signature", "x"), ("a", "1 2"), ("B", "*")]);
        assert_eq!(q, "B=%2A&a=1%202&b=2");
    }

    #[test]
    fn empty_values_keep_their_equals_sign() {
        assert_eq!(canonical_query([("a", ""), ("b", "")]), "a=&b=");
        assert_eq!(canonical_query(std::iter::empty()), "");
    }
}
