//! The canonical request: method, path, query, headers, signed header names and the body's
//! hash, one a line — the form both sides build from a request before hashing it.

use sha2::{Digest, Sha256};

use crate::canonical::{sort_pairs, sorted_by_name};
use crate::encode::encode_pairs;

/// Hex SHA-256 of the body: the canonical request's last line and the `x-acs-content-sha256`
/// header. An empty body hashes to `e3b0c442…b855`.
pub fn hashed_payload(body: &[u8]) -> String {
    super::string_to_sign::hex32(&Sha256::digest(body).into())
}

/// The path as sent (already percent-encoded on the wire), `/` when empty. RPC APIs use `/`.
pub fn canonical_uri(pathname: &str) -> String {
    if pathname.is_empty() {
        "/".to_owned()
    } else {
        pathname.to_owned()
    }
}

/// The decoded query parameters sorted by name (byte order, stably), written `enc(k)=enc(v)` and
/// joined with `&`; empty values keep their `=`. The encoding keeps only `A-Z a-z 0-9 - _ . ~`,
/// as V2's does.
pub fn canonical_query<'a, I>(params: I) -> String
where
    I: IntoIterator<Item = (&'a str, &'a str)>,
{
    encode_pairs(sorted_by_name(params))
}

/// The canonical headers and the signed header names derived from them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CanonicalHeaders {
    /// `name:value\n` for each header: names lowercased and sorted, values trimmed; a name given
    /// more than once has its values sorted and joined with `,`.
    pub text: String,
    /// The names joined with `;` (the `SignedHeaders` of `Authorization`).
    pub signed_headers: String,
}

/// Canonicalises exactly the headers given, as the official SDKs do.
pub fn canonical_headers<'a, I>(headers: I) -> CanonicalHeaders
where
    I: IntoIterator<Item = (&'a str, &'a str)>,
{
    let given: Vec<(&str, &str)> = headers.into_iter().collect();
    let lowered: Vec<String> = given.iter().map(|(n, _)| n.to_ascii_lowercase()).collect();
    let mut entries: Vec<(&str, &str)> = lowered
        .iter()
        .zip(&given)
        .map(|(name, (_, value))| (name.as_str(), value.trim()))
        .collect();
    // By name, then by value: a repeated name's values come out sorted, as the SDKs join them.
    sort_pairs(&mut entries);
    let mut text = String::new();
    let mut names: Vec<&str> = Vec::new();
    for &(name, value) in &entries {
        if names.last() == Some(&name) {
            text.pop();
            text.push(',');
        } else {
            text.push_str(name);
            text.push(':');
            names.push(name);
        }
        text.push_str(value);
        text.push('\n');
    }
    CanonicalHeaders {
        signed_headers: names.join(";"),
        text,
    }
}

/// The six parts joined with newlines (the headers' text already ends with one, so an empty line
/// separates them from the signed names).
pub fn canonical_request(
    method: &str,
    canonical_uri: &str,
    canonical_query: &str,
    headers: &CanonicalHeaders,
    hashed_payload: &str,
) -> String {
    let mut out = String::with_capacity(
        method.len()
            + canonical_uri.len()
            + canonical_query.len()
            + headers.text.len()
            + headers.signed_headers.len()
            + hashed_payload.len()
            + 5,
    );
    for part in [method, canonical_uri, canonical_query, &headers.text] {
        out.push_str(part);
        out.push('\n');
    }
    out.push_str(&headers.signed_headers);
    out.push('\n');
    out.push_str(hashed_payload);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn empty_body_hash() {
        assert_eq!(
            hashed_payload(b""),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
        );
    }

    #[test]
    fn query_is_sorted_and_encoded_with_empty_values_kept() {
        assert_eq!(
            canonical_query([("b", "x y*~"), ("a", ""), ("Z", "é/+")]),
            "Z=%C3%A9%2F%2B&a=&b=x%20y%2A~"
        );
        assert_eq!(canonical_query(std::iter::empty()), "");
    }

    #[test]
    fn headers_are_lowercased_trimmed_sorted_and_merged() {
        let h = canonical_headers([
            ("X-Acs-Date", " 2024-01-01T00:00:00Z "),
            ("host", "cams.ap-southeast-1.aliyuncs.com"),
            ("x-acs-b", "2"),
            ("X-ACS-B", "1"),
            ("Content-Type", "application/x-www-form-urlencoded"),
        ]);
        assert_eq!(
            h.text,
            "content-type:application/x-www-form-urlencoded\n\
             host:cams.ap-southeast-1.aliyuncs.com\n\
             x-acs-b:1,2\n\
             x-acs-date:2024-01-01T00:00:00Z\n"
        );
        assert_eq!(h.signed_headers, "content-type;host;x-acs-b;x-acs-date");
        let none = canonical_headers(std::iter::empty());
        assert_eq!((none.text.as_str(), none.signed_headers.as_str()), ("", ""));
    }

    #[test]
    fn the_path_is_kept_and_defaults_to_the_root() {
        assert_eq!(canonical_uri(""), "/");
        assert_eq!(canonical_uri("/"), "/");
        assert_eq!(canonical_uri("/a%20b/c"), "/a%20b/c");
    }

    #[test]
    fn parts_are_joined_by_newlines() {
        let h = canonical_headers([("host", "h")]);
        assert_eq!(
            canonical_request("GET", "/", "a=1", &h, "ff"),
            "GET\n/\na=1\nhost:h\n\nhost\nff"
        );
    }
}
