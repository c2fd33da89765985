//! Who is calling `/sts`: the bearer token (`--auth-token`, compared in constant time), a JWT from
//! the dashboard's identity provider (`--auth-jwks`), or nobody (anonymous, when
//! `--anonymous-actions` grants anything).
//!
//! A request that presents credentials and fails is refused, never served as anonymous: a
//! dashboard whose login expired must learn it, not silently get less. A relay with no sign-in
//! at all ignores `Authorization` (a reverse proxy's own may pass through): everyone is
//! anonymous there.

use std::sync::Arc;

use axum::http::{header, HeaderMap};
use subtle::ConstantTimeEq;

use crate::auth::jwt::{JwtError, JwtVerifier};
use crate::auth::session_name;
use crate::auth::tiers::{ActionSet, Tier};

/// Session name of the anonymous tier's credentials.
pub const ANONYMOUS_SESSION: &str = "cams-qrdl-anonymous";
/// Session name of the bearer token's credentials (everyone with the token shares them).
pub const TOKEN_SESSION: &str = "cams-qrdl-token";

/// A caller of `/sts`, as the relay caches credentials for it.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Caller {
    Anonymous,
    /// Presented `--auth-token`.
    Token,
    /// A JWT's `sub`.
    User(String),
}

impl Caller {
    pub fn tier(&self) -> Tier {
        match self {
            Caller::Anonymous => Tier::Anonymous,
            Caller::Token | Caller::User(_) => Tier::SignedIn,
        }
    }

    /// The `RoleSessionName` of its credentials: what Alibaba's audit trail shows.
    pub fn session_name(&self) -> String {
        match self {
            Caller::Anonymous => ANONYMOUS_SESSION.to_owned(),
            Caller::Token => TOKEN_SESSION.to_owned(),
            Caller::User(subject) => session_name::for_subject(subject),
        }
    }
}

/// Why `/sts` refused a caller (401).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum AuthFailure {
    /// No credentials, and anonymous callers get nothing.
    Missing,
    /// Credentials that did not check out; the reason is safe to show.
    Refused(String),
}

/// The `/sts` authentication of one relay.
#[derive(Debug)]
pub struct Authenticator {
    token: Option<String>,
    jwt: Option<JwtVerifier>,
    anonymous: ActionSet,
}

impl Authenticator {
    pub fn new(
        token: Option<String>,
        jwt: Option<JwtVerifier>,
        anonymous: ActionSet,
    ) -> Authenticator {
        Authenticator {
            token: token.filter(|t| !t.is_empty()),
            jwt,
            anonymous,
        }
    }

    /// Whether anyone can sign in at all.
    pub fn has_sign_in(&self) -> bool {
        self.token.is_some() || self.jwt.is_some()
    }

    pub fn anonymous_actions(&self) -> ActionSet {
        self.anonymous
    }

    /// Fetches a JWKS URL's keys in the background, so the first sign-in does not wait for them
    /// and a wrong URL shows in the log at start. Nothing outside a Tokio runtime.
    pub fn prefetch_keys(self: &Arc<Self>) {
        if self.jwt.is_none() {
            return;
        }
        if let Ok(runtime) = tokio::runtime::Handle::try_current() {
            let me = Arc::clone(self);
            runtime.spawn(async move {
                if let Some(jwt) = &me.jwt {
                    jwt.refresh().await;
                }
            });
        }
    }

    /// The caller a request's `Authorization` header makes it.
    pub async fn authenticate(&self, headers: &HeaderMap) -> Result<Caller, AuthFailure> {
        if !self.has_sign_in() {
            return if self.anonymous.is_empty() {
                Err(AuthFailure::Missing)
            } else {
                Ok(Caller::Anonymous)
            };
        }
        let mut values = headers.get_all(header::AUTHORIZATION).iter();
        let value = match (values.next(), values.next()) {
            (None, _) if !self.anonymous.is_empty() => return Ok(Caller::Anonymous),
            (None, _) => return Err(AuthFailure::Missing),
            (Some(v), None) => v,
            (Some(_), Some(_)) => {
                return Err(AuthFailure::Refused(
                    "the request has more than one Authorization header".into(),
                ))
            }
        };
        let presented = value
            .as_bytes()
            .split_first_chunk::<7>()
            .filter(|(scheme, _)| scheme.eq_ignore_ascii_case(b"Bearer "))
            .map(|(_, rest)| rest.trim_ascii())
            .ok_or_else(|| {
                AuthFailure::Refused("the Authorization header is not \"Bearer <token>\"".into())
            })?;
        if let Some(expected) = &self.token {
            if bool::from(presented.ct_eq(expected.as_bytes())) {
                return Ok(Caller::Token);
            }
        }
        match (&self.jwt, std::str::from_utf8(presented)) {
            (Some(jwt), Ok(text)) if text.bytes().filter(|b| *b == b'.').count() == 2 => {
                jwt.verify(text).await.map(Caller::User).map_err(|e| {
                    tracing::info!(reason = %e.reason(), "refused a JWT on /sts");
                    AuthFailure::Refused(e.reason())
                })
            }
            (Some(_), _) => Err(AuthFailure::Refused(JwtError::Malformed.reason())),
            (None, _) => Err(AuthFailure::Refused(
                "the bearer token is not the relay's".into(),
            )),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    fn with(values: &[&str]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for v in values {
            h.append(header::AUTHORIZATION, HeaderValue::from_str(v).unwrap());
        }
        h
    }

    #[tokio::test]
    async fn the_token_is_compared_exactly() {
        let a = Authenticator::new(Some("s3cret-token".into()), None, ActionSet::NONE);
        assert_eq!(
            a.authenticate(&with(&["Bearer s3cret-token"])).await,
            Ok(Caller::Token)
        );
        assert_eq!(
            a.authenticate(&with(&["bearer  s3cret-token "])).await,
            Ok(Caller::Token)
        );
        assert_eq!(a.authenticate(&with(&[])).await, Err(AuthFailure::Missing));
        for bad in [
            &["Bearer s3cret-toke"][..],
            &["Bearer s3cret-tokenx"],
            &["Basic s3cret-token"],
            &["s3cret-token"],
            &["Bearer s3cret-token", "Bearer s3cret-token"],
        ] {
            assert!(
                matches!(
                    a.authenticate(&with(bad)).await,
                    Err(AuthFailure::Refused(_))
                ),
                "{bad:?}"
            );
        }
    }

    #[tokio::test]
    async fn anonymous_callers_get_the_anonymous_tier_only_without_credentials() {
        let a = Authenticator::new(Some("t".into()), None, ActionSet::CREATE);
        assert_eq!(a.authenticate(&with(&[])).await, Ok(Caller::Anonymous));
        // A wrong token is refused, not served as anonymous.
        assert!(a.authenticate(&with(&["Bearer nope"])).await.is_err());
        let open = Authenticator::new(None, None, ActionSet::ALL);
        assert!(!open.has_sign_in());
        assert_eq!(open.authenticate(&with(&[])).await, Ok(Caller::Anonymous));
        // Without any sign-in, a proxy's own Authorization passing through changes nothing.
        assert_eq!(
            open.authenticate(&with(&["Bearer the-proxys-own"])).await,
            Ok(Caller::Anonymous)
        );
    }

    #[test]
    fn each_caller_has_its_tier_and_session_name() {
        assert_eq!(Caller::Anonymous.tier(), Tier::Anonymous);
        assert_eq!(Caller::Token.tier(), Tier::SignedIn);
        assert_eq!(
            Caller::User("alice@example.com".into()).session_name(),
            "alice@example.com"
        );
        assert_eq!(Caller::Anonymous.session_name(), ANONYMOUS_SESSION);
    }
}
