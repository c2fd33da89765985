//! The keys the emulator knows: long-term AccessKeys from its configuration, and the temporary
//! ones AssumeRole mints, each with its SecurityToken, expiry and session policy.

use std::collections::HashMap;
use std::fmt;
use std::sync::Arc;

use crate::policy::SessionPolicy;

/// Temporary credentials minted by AssumeRole, and what they may do.
#[derive(Clone)]
pub struct Session {
    pub access_key_id: String,
    pub access_key_secret: String,
    pub security_token: String,
    /// Emulator seconds since the epoch; the credentials are refused from this instant on.
    pub expires_at: i64,
    pub role_arn: String,
    pub role_name: String,
    pub session_name: String,
    pub assumed_role_id: String,
    /// The long-term key that assumed the role.
    pub parent_access_key_id: String,
    /// `None`: the role's own permissions (everything, in the emulator).
    pub policy: Option<Arc<SessionPolicy>>,
}

impl fmt::Debug for Session {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Session")
            .field("access_key_id", &self.access_key_id)
            .field("access_key_secret", &"<redacted>")
            .field("security_token", &"<redacted>")
            .field("expires_at", &self.expires_at)
            .field("role_arn", &self.role_arn)
            .field("session_name", &self.session_name)
            .field("policy", &self.policy.is_some())
            .finish()
    }
}

/// What an AccessKeyId turned out to be.
#[derive(Clone, Debug)]
pub enum KeyKind {
    LongTerm { secret: String },
    Temporary(Session),
}

/// Expired sessions are kept this long after expiry, so late callers get
/// `InvalidSecurityToken.Expired` rather than `InvalidAccessKeyId.NotFound`.
const KEEP_EXPIRED_SECS: i64 = 24 * 3600;

/// All keys, by AccessKeyId, and which key each SecurityToken belongs to.
#[derive(Default)]
pub struct KeyStore {
    long_term: HashMap<String, String>,
    sessions: HashMap<String, Session>,
    token_owner: HashMap<String, String>,
}

impl fmt::Debug for KeyStore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("KeyStore")
            .field("long_term", &self.long_term.keys().collect::<Vec<_>>())
            .field("sessions", &self.sessions.len())
            .finish()
    }
}

impl KeyStore {
    /// Accepts `id` with `secret` from now on (replacing an earlier secret for the same id).
    pub fn add_long_term(&mut self, id: &str, secret: &str) {
        self.long_term.insert(id.to_owned(), secret.to_owned());
    }

    pub fn lookup(&self, id: &str) -> Option<KeyKind> {
        if let Some(secret) = self.long_term.get(id) {
            return Some(KeyKind::LongTerm {
                secret: secret.clone(),
            });
        }
        self.sessions.get(id).cloned().map(KeyKind::Temporary)
    }

    /// The AccessKeyId a token was minted with, if it was minted here.
    pub fn token_owner(&self, token: &str) -> Option<&str> {
        self.token_owner.get(token).map(String::as_str)
    }

    /// Remembers a minted session; forgets sessions long expired.
    pub fn add_session(&mut self, session: Session, now: i64) {
        let stale: Vec<String> = self
            .sessions
            .values()
            .filter(|s| s.expires_at + KEEP_EXPIRED_SECS < now)
            .map(|s| s.access_key_id.clone())
            .collect();
        for id in stale {
            if let Some(s) = self.sessions.remove(&id) {
                self.token_owner.remove(&s.security_token);
            }
        }
        self.token_owner.insert(
            session.security_token.clone(),
            session.access_key_id.clone(),
        );
        self.sessions.insert(session.access_key_id.clone(), session);
    }

    /// Number of live and recently expired sessions.
    pub fn session_count(&self) -> usize {
        self.sessions.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn session(id: &str, token: &str, expires_at: i64) -> Session {
        Session {
            access_key_id: id.into(),
            access_key_secret: "s".into(),
            security_token: token.into(),
            expires_at,
            role_arn: "acs:ram::1:role/r".into(),
            role_name: "r".into(),
            session_name: "n".into(),
            assumed_role_id: "1:n".into(),
            parent_access_key_id: "lt".into(),
            policy: None,
        }
    }

    #[test]
    fn looks_up_both_kinds_and_prunes_old_sessions() {
        let mut k = KeyStore::default();
        k.add_long_term("lt", "secret");
        k.add_session(session("STS.a", "tok-a", 100), 0);
        assert!(matches!(k.lookup("lt"), Some(KeyKind::LongTerm { secret }) if secret == "secret"));
        assert!(
            matches!(k.lookup("STS.a"), Some(KeyKind::Temporary(s)) if s.security_token == "tok-a")
        );
        assert_eq!(k.token_owner("tok-a"), Some("STS.a"));
        assert!(k.lookup("nope").is_none());
        k.add_session(session("STS.b", "tok-b", 200), 100 + KEEP_EXPIRED_SECS + 1);
        assert!(k.lookup("STS.a").is_none());
        assert_eq!(k.token_owner("tok-a"), None);
        assert_eq!(k.session_count(), 1);
    }

    #[test]
    fn debug_hides_secrets() {
        let shown = format!("{:?}", session("STS.a", "tok-secret", 1));
        assert!(!shown.contains("tok-secret"));
    }
}
