//! Dashboard logins: a JWT the dashboard's identity provider issued, checked against its public
//! keys (a JWKS, `--auth-jwks URL|@FILE`), its issuer (`--auth-issuer`) and audience
//! (`--auth-audience`), with `jsonwebtoken`.
//!
//! What a token must be: signed with one of the JWKS's signature keys (RSA, P-256, P-384 or
//! Ed25519; never a shared-secret HMAC algorithm, which would let anyone holding the "public"
//! key mint tokens), with the algorithm the key names (or one its type allows when it names
//! none), and carry `exp`, `iss`, `aud` and a non-empty `sub`; `nbf` is honoured; one minute of
//! leeway for clocks.
//!
//! Keys from a URL are fetched when first needed and again when older than ten minutes, or
//! sooner when a token names a key ID the set does not have (an identity provider rotating its
//! keys), at most every 30 seconds; when a fetch fails the keys in hand stay in use. Keys from a
//! file are read once at start (restart to pick up new ones).

use std::path::PathBuf;
use std::sync::{Arc, PoisonError, RwLock};
use std::time::{Duration, Instant};

use jsonwebtoken::jwk::{AlgorithmParameters, EllipticCurve, Jwk, PublicKeyUse};
use jsonwebtoken::{decode, decode_header, errors::ErrorKind, Algorithm, DecodingKey, Validation};
use serde_json::Value;
use url::{Host, Url};

use crate::upstream_client;

/// Keys older than this are fetched again before the next token is checked.
pub const MAX_KEY_AGE: Duration = Duration::from_secs(10 * 60);
/// The shortest time between two fetches, whatever asks for them.
pub const MIN_REFETCH: Duration = Duration::from_secs(30);
/// Clock leeway for `exp` and `nbf`.
pub const LEEWAY_SECS: u64 = 60;
/// The largest JWKS document read.
const MAX_JWKS_BYTES: usize = 1024 * 1024;
/// The longest `sub` taken.
const MAX_SUBJECT_CHARS: usize = 256;

/// The asymmetric algorithms a token may use.
const ACCEPTED: [Algorithm; 9] = [
    Algorithm::RS256,
    Algorithm::RS384,
    Algorithm::RS512,
    Algorithm::PS256,
    Algorithm::PS384,
    Algorithm::PS512,
    Algorithm::ES256,
    Algorithm::ES384,
    Algorithm::EdDSA,
];

/// Where the keys come from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum JwksSource {
    Url(Url),
    File(PathBuf),
}

impl JwksSource {
    /// `@FILE`, or an https URL (http only on a loopback host, for tests and local setups).
    pub fn parse(text: &str) -> Result<JwksSource, String> {
        if let Some(path) = text.strip_prefix('@') {
            return Ok(JwksSource::File(PathBuf::from(path)));
        }
        let url = Url::parse(text)
            .map_err(|e| format!("--auth-jwks {text:?}: expected an https URL or @FILE ({e})"))?;
        let loopback = match url.host() {
            Some(Host::Ipv4(ip)) => ip.is_loopback(),
            Some(Host::Ipv6(ip)) => ip.is_loopback(),
            Some(Host::Domain(d)) => d.eq_ignore_ascii_case("localhost"),
            None => false,
        };
        match url.scheme() {
            "https" => Ok(JwksSource::Url(url)),
            "http" if loopback => Ok(JwksSource::Url(url)),
            _ => Err(format!(
                "--auth-jwks {text}: the key set must come over https (http only from a loopback \
                 address), or from a file as @FILE"
            )),
        }
    }
}

/// What a token is checked against.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct JwtSettings {
    pub source: JwksSource,
    pub issuer: String,
    pub audience: String,
}

/// Why a token was refused; [`JwtError::reason`] is safe to show the caller.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum JwtError {
    /// Not three Base64url parts with a readable header.
    Malformed,
    /// An algorithm the relay does not take (`none`, HMAC, ...).
    Algorithm(String),
    /// No key of the set matches the token's key ID and algorithm.
    UnknownKey,
    /// The key set could not be had.
    KeysUnavailable,
    /// The signature or a claim is wrong.
    Invalid(&'static str),
}

impl JwtError {
    pub fn reason(&self) -> String {
        match self {
            JwtError::Malformed => "the bearer token is neither the relay's token nor a JWT".into(),
            JwtError::Algorithm(alg) => format!("the JWT's algorithm {alg} is not accepted"),
            JwtError::UnknownKey => {
                "the JWT was signed with a key the identity provider does not publish".into()
            }
            JwtError::KeysUnavailable => {
                "the identity provider's keys could not be fetched; try again later".into()
            }
            JwtError::Invalid(why) => format!("the JWT {why}"),
        }
    }
}

/// One verification key.
struct VerifyKey {
    kid: Option<String>,
    key: DecodingKey,
    algorithms: Vec<Algorithm>,
}

#[derive(Default)]
struct KeySet {
    keys: Vec<VerifyKey>,
    fetched: Option<Instant>,
}

/// The claims the relay reads; the rest are checked by `jsonwebtoken`'s [`Validation`].
#[derive(serde::Deserialize)]
struct Claims {
    /// Optional here so that a token without one is refused for that, not as unreadable.
    sub: Option<String>,
}

/// Checks tokens; shared by every `/sts` request.
pub struct JwtVerifier {
    settings: JwtSettings,
    client: reqwest::Client,
    keys: RwLock<Arc<KeySet>>,
    /// Held while fetching; holds when the last fetch was tried.
    fetching: tokio::sync::Mutex<Option<Instant>>,
    min_refetch: Duration,
}

impl std::fmt::Debug for JwtVerifier {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("JwtVerifier")
            .field("settings", &self.settings)
            .finish_non_exhaustive()
    }
}

impl JwtVerifier {
    /// A verifier; a key file is read now (its errors stop the start), a URL when first needed.
    pub fn new(settings: JwtSettings, client: reqwest::Client) -> Result<JwtVerifier, String> {
        let keys = match &settings.source {
            JwksSource::File(path) => {
                let text = std::fs::read(path)
                    .map_err(|e| format!("--auth-jwks: cannot read {}: {e}", path.display()))?;
                let set = parse_jwks(&text).map_err(|e| format!("--auth-jwks: {e}"))?;
                if set.keys.is_empty() {
                    return Err(format!(
                        "--auth-jwks: {} holds no signature key the relay can use (RSA, P-256, \
                         P-384 or Ed25519)",
                        path.display()
                    ));
                }
                set
            }
            JwksSource::Url(_) => KeySet::default(),
        };
        Ok(JwtVerifier {
            settings,
            client,
            keys: RwLock::new(Arc::new(keys)),
            fetching: tokio::sync::Mutex::new(None),
            min_refetch: MIN_REFETCH,
        })
    }

    /// The shortest time between two fetches ([`MIN_REFETCH`] unless set; tests set zero).
    pub fn min_refetch(mut self, interval: Duration) -> JwtVerifier {
        self.min_refetch = interval;
        self
    }

    pub fn settings(&self) -> &JwtSettings {
        &self.settings
    }

    /// The token's subject, when the token is good.
    pub async fn verify(&self, token: &str) -> Result<String, JwtError> {
        let header = decode_header(token).map_err(|_| JwtError::Malformed)?;
        if !ACCEPTED.contains(&header.alg) {
            return Err(JwtError::Algorithm(format!("{:?}", header.alg)));
        }
        let from_url = matches!(self.settings.source, JwksSource::Url(_));
        if from_url
            && self
                .current()
                .fetched
                .is_none_or(|at| at.elapsed() > MAX_KEY_AGE)
        {
            self.refresh().await;
        }
        let mut keys = self.current();
        if from_url && !keys.has_key_for(header.kid.as_deref(), header.alg) {
            // A rotation: the provider may have published the key since the last fetch.
            self.refresh().await;
            keys = self.current();
        }
        if keys.keys.is_empty() {
            return Err(JwtError::KeysUnavailable);
        }
        let mut validation = Validation::new(header.alg);
        validation.set_issuer(&[&self.settings.issuer]);
        validation.set_audience(&[&self.settings.audience]);
        validation.set_required_spec_claims(&["exp", "iss", "aud", "sub"]);
        validation.leeway = LEEWAY_SECS;
        validation.validate_nbf = true;
        let mut refusal = JwtError::UnknownKey;
        for key in keys.candidates(header.kid.as_deref(), header.alg) {
            match decode::<Claims>(token, &key.key, &validation) {
                Ok(data) => return subject(data.claims.sub),
                Err(e) => refusal = JwtError::Invalid(describe(e.kind())),
            }
        }
        Err(refusal)
    }

    fn current(&self) -> Arc<KeySet> {
        Arc::clone(&self.keys.read().unwrap_or_else(PoisonError::into_inner))
    }

    /// Fetches the key set (from a URL), unless a fetch was tried within the minimum interval;
    /// keeps the keys in hand when it fails.
    pub async fn refresh(&self) {
        let JwksSource::Url(url) = &self.settings.source else {
            return;
        };
        let mut last = self.fetching.lock().await;
        if last.is_some_and(|at| at.elapsed() < self.min_refetch) {
            return;
        }
        *last = Some(Instant::now());
        match self.download(url).await {
            Ok(mut set) => {
                set.fetched = Some(Instant::now());
                tracing::info!(url = %url, keys = set.keys.len(), "fetched the JWKS");
                *self.keys.write().unwrap_or_else(PoisonError::into_inner) = Arc::new(set);
            }
            Err(e) => {
                tracing::warn!(url = %url, error = %e, "cannot fetch the JWKS; keeping the keys in hand")
            }
        }
    }

    async fn download(&self, url: &Url) -> Result<KeySet, String> {
        let response = self
            .client
            .get(url.clone())
            .send()
            .await
            .map_err(|e| e.to_string())?;
        let status = response.status();
        if !status.is_success() {
            return Err(format!("HTTP {}", status.as_u16()));
        }
        let body = upstream_client::read_body("JWKS", response, MAX_JWKS_BYTES)
            .await
            .map_err(|e| format!("{e:?}"))?;
        parse_jwks(&body)
    }
}

impl KeySet {
    fn candidates<'a>(
        &'a self,
        kid: Option<&'a str>,
        alg: Algorithm,
    ) -> impl Iterator<Item = &'a VerifyKey> + 'a {
        self.keys.iter().filter(move |k| {
            k.algorithms.contains(&alg) && (kid.is_none() || k.kid.as_deref() == kid)
        })
    }

    fn has_key_for(&self, kid: Option<&str>, alg: Algorithm) -> bool {
        self.candidates(kid, alg).next().is_some()
    }
}

fn subject(sub: Option<String>) -> Result<String, JwtError> {
    let Some(sub) = sub else {
        return Err(JwtError::Invalid(describe(
            &ErrorKind::MissingRequiredClaim("sub".into()),
        )));
    };
    let ok = !sub.trim().is_empty()
        && sub.chars().count() <= MAX_SUBJECT_CHARS
        && !sub.chars().any(char::is_control);
    if ok {
        Ok(sub)
    } else {
        Err(JwtError::Invalid(
            "has an empty, overlong or unprintable sub claim",
        ))
    }
}

/// A sentence fragment for a refusal (after "the JWT ").
fn describe(kind: &ErrorKind) -> &'static str {
    match kind {
        ErrorKind::ExpiredSignature => "has expired",
        ErrorKind::ImmatureSignature => "is not valid yet (nbf)",
        ErrorKind::InvalidIssuer => "was issued by another issuer",
        ErrorKind::InvalidAudience => "is meant for another audience",
        ErrorKind::InvalidSignature => "has a signature that does not verify",
        ErrorKind::MissingRequiredClaim(_) => "lacks a required claim (exp, iss, aud and sub)",
        ErrorKind::InvalidAlgorithm => "uses an algorithm its key does not allow",
        _ => "is not a valid token",
    }
}

/// The signature keys of a JWKS document the relay can use; others (encryption keys, HMAC
/// secrets, unknown types and curves) are skipped.
fn parse_jwks(bytes: &[u8]) -> Result<KeySet, String> {
    let doc: Value =
        serde_json::from_slice(bytes).map_err(|e| format!("the key set is not JSON: {e}"))?;
    let listed = doc
        .get("keys")
        .and_then(Value::as_array)
        .ok_or("the key set has no \"keys\" list")?;
    let keys = listed
        .iter()
        .filter_map(|v| serde_json::from_value::<Jwk>(v.clone()).ok())
        .filter_map(|jwk| verify_key(&jwk))
        .collect();
    Ok(KeySet {
        keys,
        fetched: None,
    })
}

fn verify_key(jwk: &Jwk) -> Option<VerifyKey> {
    if matches!(
        jwk.common.public_key_use,
        Some(PublicKeyUse::Encryption | PublicKeyUse::Other(_))
    ) {
        return None;
    }
    let allowed: &[Algorithm] = match &jwk.algorithm {
        AlgorithmParameters::RSA(_) => &ACCEPTED[..6],
        AlgorithmParameters::EllipticCurve(p) if p.curve == EllipticCurve::P256 => {
            &[Algorithm::ES256]
        }
        AlgorithmParameters::EllipticCurve(p) if p.curve == EllipticCurve::P384 => {
            &[Algorithm::ES384]
        }
        AlgorithmParameters::OctetKeyPair(p) if p.curve == EllipticCurve::Ed25519 => {
            &[Algorithm::EdDSA]
        }
        _ => return None,
    };
    let algorithms = match jwk.common.key_algorithm {
        None => allowed.to_vec(),
        Some(named) => {
            let alg = Algorithm::try_from(named).ok()?;
            allowed.contains(&alg).then(|| vec![alg])?
        }
    };
    Some(VerifyKey {
        kid: jwk.common.key_id.clone(),
        key: DecodingKey::from_jwk(jwk).ok()?,
        algorithms,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sources_are_files_or_secure_urls() {
        assert_eq!(
            JwksSource::parse("@/etc/jwks.json"),
            Ok(JwksSource::File("/etc/jwks.json".into()))
        );
        for good in [
            "https://idp.example.com/.well-known/jwks.json",
            "http://127.0.0.1:9/jwks",
            "http://localhost/jwks",
            "http://[::1]:8/k",
        ] {
            assert!(JwksSource::parse(good).is_ok(), "{good}");
        }
        for bad in ["http://idp.example.com/jwks", "ftp://x/y", "jwks.json", ""] {
            let e = JwksSource::parse(bad).unwrap_err();
            assert!(e.contains("--auth-jwks"), "{bad}: {e}");
        }
    }

    #[test]
    fn only_signature_keys_of_known_types_are_kept() {
        let doc = serde_json::json!({"keys": [
            {"kty": "oct", "k": "c2VjcmV0", "alg": "HS256", "kid": "hmac"},
            {"kty": "EC", "crv": "P-256", "kid": "enc", "use": "enc",
             "x": "f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU",
             "y": "x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0"},
            {"kty": "EC", "crv": "P-256", "kid": "sig",
             "x": "f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU",
             "y": "x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0"},
            {"kty": "EC", "crv": "P-256", "kid": "wrong-alg", "alg": "RS256",
             "x": "f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU",
             "y": "x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0"},
            {"kty": "XYZ", "kid": "unknown"},
        ]});
        let set = parse_jwks(doc.to_string().as_bytes()).unwrap();
        let kids: Vec<_> = set.keys.iter().map(|k| k.kid.as_deref()).collect();
        assert_eq!(kids, [Some("sig")]);
        assert_eq!(set.keys[0].algorithms, [Algorithm::ES256]);
        assert!(set.has_key_for(Some("sig"), Algorithm::ES256));
        assert!(set.has_key_for(None, Algorithm::ES256));
        assert!(!set.has_key_for(Some("sig"), Algorithm::RS256));
        assert!(!set.has_key_for(Some("other"), Algorithm::ES256));
        assert!(parse_jwks(b"{}").is_err());
        assert!(parse_jwks(b"nope").is_err());
    }

    #[tokio::test]
    async fn hmac_and_none_tokens_are_refused_before_any_key_is_looked_up() {
        let dir = std::env::temp_dir().join(format!("cams-relay-jwks-{}", uuid::Uuid::new_v4()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("jwks.json");
        std::fs::write(
            &path,
            r#"{"keys":[{"kty":"EC","crv":"P-256","kid":"k","x":"f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU","y":"x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0"}]}"#,
        )
        .unwrap();
        let v = JwtVerifier::new(
            JwtSettings {
                source: JwksSource::File(path),
                issuer: "https://idp".into(),
                audience: "relay".into(),
            },
            upstream_client::build(Duration::from_secs(5)).unwrap(),
        )
        .unwrap();
        std::fs::remove_dir_all(&dir).ok();
        // {"alg":"HS256","typ":"JWT"} and {"alg":"none"}.
        let hs = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiJ4In0.c2ln";
        assert_eq!(v.verify(hs).await, Err(JwtError::Algorithm("HS256".into())));
        let none = "eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0.";
        assert_eq!(v.verify(none).await, Err(JwtError::Malformed));
        assert_eq!(v.verify("a.b").await, Err(JwtError::Malformed));
    }
}
