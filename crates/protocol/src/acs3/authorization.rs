//! The `Authorization` header: written by the signer, read back by the verifying side.
//!
//! `ACS3-HMAC-SHA256 Credential=<AccessKeyId>,SignedHeaders=<a;b;c>,Signature=<hex>`.

use super::ALGORITHM;

/// The header value for a signature.
pub fn authorization(access_key_id: &str, signed_headers: &str, signature: &str) -> String {
    format!("{ALGORITHM} Credential={access_key_id},SignedHeaders={signed_headers},Signature={signature}")
}

/// An `Authorization` header taken apart.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Acs3Authorization<'a> {
    /// The AccessKeyId.
    pub credential: &'a str,
    /// The signed header names, as listed (lowercase, `;`-separated on the wire).
    pub signed_headers: Vec<&'a str>,
    /// Lowercase hex, 64 digits.
    pub signature: &'a str,
}

/// Why an `Authorization` header is not a V3 one the verifier can check.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum AuthorizationError {
    /// The first word is not an algorithm this crate verifies (`ACS3-HMAC-SM3`, `Bearer`, …).
    #[error("the signature algorithm {0:?} is not supported; use {ALGORITHM}")]
    UnsupportedAlgorithm(String),
    /// `Credential`, `SignedHeaders` or `Signature` is absent, empty or repeated.
    #[error("the Authorization header has no single non-empty {0}")]
    MissingField(&'static str),
    /// Something other than `Name=value` pairs separated by commas.
    #[error("the Authorization header is not in the form {ALGORITHM} Credential=…,SignedHeaders=…,Signature=…")]
    Malformed,
    /// A signature that is not 64 lowercase hex digits.
    #[error("the Signature is not 64 lowercase hex digits")]
    BadSignature,
    /// A signed header name that is empty or not lowercase.
    #[error("SignedHeaders must list lowercase header names separated by ';'")]
    BadSignedHeaders,
}

impl<'a> Acs3Authorization<'a> {
    /// Parses a header value. Spaces around the pairs are tolerated; names are case-sensitive.
    pub fn parse(value: &'a str) -> Result<Acs3Authorization<'a>, AuthorizationError> {
        let value = value.trim();
        let (algorithm, rest) = value.split_once(' ').unwrap_or((value, ""));
        if algorithm != ALGORITHM {
            return Err(AuthorizationError::UnsupportedAlgorithm(
                algorithm.to_owned(),
            ));
        }
        let (mut credential, mut signed, mut signature) = (None, None, None);
        for pair in rest.split(',') {
            let (name, v) = pair
                .trim()
                .split_once('=')
                .ok_or(AuthorizationError::Malformed)?;
            let slot = match name {
                "Credential" => &mut credential,
                "SignedHeaders" => &mut signed,
                "Signature" => &mut signature,
                _ => return Err(AuthorizationError::Malformed),
            };
            if slot.replace(v.trim()).is_some() {
                return Err(AuthorizationError::MissingField(name_of(name)));
            }
        }
        let field = |v: Option<&'a str>, name| {
            v.filter(|v| !v.is_empty())
                .ok_or(AuthorizationError::MissingField(name))
        };
        let credential = field(credential, "Credential")?;
        let signed = field(signed, "SignedHeaders")?;
        let signature = field(signature, "Signature")?;
        let hex_ok = signature.len() == 64
            && signature
                .bytes()
                .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b));
        if !hex_ok {
            return Err(AuthorizationError::BadSignature);
        }
        let signed_headers: Vec<&str> = signed.split(';').collect();
        let names_ok = signed_headers
            .iter()
            .all(|n| !n.is_empty() && !n.bytes().any(|b| b.is_ascii_uppercase() || b == b' '));
        if !names_ok {
            return Err(AuthorizationError::BadSignedHeaders);
        }
        Ok(Acs3Authorization {
            credential,
            signed_headers,
            signature,
        })
    }
}

fn name_of(name: &str) -> &'static str {
    match name {
        "Credential" => "Credential",
        "SignedHeaders" => "SignedHeaders",
        _ => "Signature",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SIG: &str = "06563a9e1b43f5dfe96b81484da74bceab24a1d853912eee15083a6f0f3283c0";

    #[test]
    fn round_trips_what_the_signer_writes() {
        let value = authorization("LTAIid", "host;x-acs-date", SIG);
        assert_eq!(
            value,
            format!(
                "ACS3-HMAC-SHA256 Credential=LTAIid,SignedHeaders=host;x-acs-date,Signature={SIG}"
            )
        );
        assert_eq!(
            Acs3Authorization::parse(&value),
            Ok(Acs3Authorization {
                credential: "LTAIid",
                signed_headers: vec!["host", "x-acs-date"],
                signature: SIG,
            })
        );
        let spaced =
            format!(" ACS3-HMAC-SHA256 Credential=LTAIid, SignedHeaders=host, Signature={SIG} ");
        assert!(Acs3Authorization::parse(&spaced).is_ok());
    }

    #[test]
    fn malformed_headers_say_what_is_wrong() {
        use AuthorizationError::*;
        let cases = [
            ("", UnsupportedAlgorithm(String::new())),
            ("Bearer abc", UnsupportedAlgorithm("Bearer".into())),
            (
                "ACS3-HMAC-SM3 Credential=a,SignedHeaders=host,Signature=x",
                UnsupportedAlgorithm("ACS3-HMAC-SM3".into()),
            ),
            ("ACS3-HMAC-SHA256", Malformed),
            (
                "ACS3-HMAC-SHA256 Credential=a",
                MissingField("SignedHeaders"),
            ),
            (
                "ACS3-HMAC-SHA256 Credential=,SignedHeaders=host,Signature=x",
                MissingField("Credential"),
            ),
            (
                "ACS3-HMAC-SHA256 Credential=a,Credential=b,SignedHeaders=host,Signature=x",
                MissingField("Credential"),
            ),
            (
                "ACS3-HMAC-SHA256 Credential=a,SignedHeaders=host,Signature=ABC",
                BadSignature,
            ),
            (
                "ACS3-HMAC-SHA256 Credential=a,Other=b,SignedHeaders=host,Signature=x",
                Malformed,
            ),
        ];
        for (value, want) in cases {
            assert_eq!(Acs3Authorization::parse(value), Err(want), "{value:?}");
        }
        for signed in ["Host", "host;;x-acs-date", ""] {
            let value =
                format!("ACS3-HMAC-SHA256 Credential=a,SignedHeaders={signed},Signature={SIG}");
            assert!(Acs3Authorization::parse(&value).is_err(), "{value}");
        }
        assert_eq!(
            Acs3Authorization::parse(&format!(
                "ACS3-HMAC-SHA256 Credential=a,SignedHeaders=Host,Signature={SIG}"
            )),
            Err(BadSignedHeaders)
        );
    }
}
