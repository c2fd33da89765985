//! Which tier each STS AccessKeyId the relay handed out belongs to, so `/cams` cannot be used to
//! get around the tiers: a call signed with an anonymous caller's credentials for an action the
//! anonymous tier was not granted is refused before it leaves the relay.
//!
//! The session policy of every set of credentials already binds it at CAMS (RAM refuses what the
//! policy denies, through the relay or not); this is the relay keeping its own word as well, with
//! a clear refusal instead of `Ram.PermissionDeny`, and without spending the account's QPS on it.
//! A key the relay does not know (one minted before a restart, by another replica, or anyone's
//! own key) is forwarded: the relay cannot vouch for it, and its policy still decides at CAMS.
//!
//! Memory is bounded: entries leave when their credentials expire, and at [`MAX_KEYS`] the
//! oldest go first.

use std::collections::{HashMap, VecDeque};
use std::sync::{Mutex, PoisonError};

use axum::http::{header, HeaderMap, StatusCode};
use cams_protocol::encode::parse_form;
use cams_protocol::types::Action;

use crate::auth::tiers::{word, ActionSet, Tier};
use crate::relay_error::{codes, RelayError};

/// Most keys remembered.
pub const MAX_KEYS: usize = 65_536;

#[derive(Debug, Default)]
struct Table {
    by_key: HashMap<String, (Tier, i64)>,
    /// Keys in the order they were recorded, for eviction.
    order: VecDeque<String>,
}

/// The keys the relay vended, with their tier and (local) expiry.
#[derive(Debug)]
pub struct IssuedKeys {
    /// What anonymous callers may do (signed-in callers may do all four).
    anonymous: ActionSet,
    max: usize,
    table: Mutex<Table>,
}

impl IssuedKeys {
    pub fn new(anonymous: ActionSet) -> IssuedKeys {
        IssuedKeys {
            anonymous,
            max: MAX_KEYS,
            table: Mutex::new(Table::default()),
        }
    }

    /// Remembers a key handed to `tier`, until `expires_at` (seconds, the relay's clock).
    pub fn record(&self, access_key_id: &str, tier: Tier, expires_at: i64, now: i64) {
        let mut t = self.table.lock().unwrap_or_else(PoisonError::into_inner);
        if t.by_key.len() >= self.max {
            let Table { by_key, order } = &mut *t;
            by_key.retain(|_, (_, exp)| *exp > now);
            order.retain(|k| by_key.contains_key(k));
            while by_key.len() >= self.max {
                match order.pop_front() {
                    Some(oldest) => {
                        by_key.remove(&oldest);
                    }
                    None => break,
                }
            }
        }
        if t.by_key
            .insert(access_key_id.to_owned(), (tier, expires_at))
            .is_none()
        {
            t.order.push_back(access_key_id.to_owned());
        }
    }

    /// The tier of a key the relay handed out and that has not expired.
    pub fn tier_of(&self, access_key_id: &str, now: i64) -> Option<Tier> {
        let t = self.table.lock().unwrap_or_else(PoisonError::into_inner);
        t.by_key
            .get(access_key_id)
            .filter(|(_, exp)| *exp > now)
            .map(|(tier, _)| *tier)
    }

    /// Whether a `/cams` call for `action` with this body and these headers may go on; the
    /// refusal is the reply.
    pub fn check(
        &self,
        action: Action,
        body: &[u8],
        headers: &HeaderMap,
        now: i64,
    ) -> Result<(), RelayError> {
        if self.anonymous.contains(action) {
            return Ok(());
        }
        let Some(key) = signing_key(body, headers) else {
            return Ok(());
        };
        match self.tier_of(&key, now) {
            Some(Tier::Anonymous) => Err(RelayError::new(
                StatusCode::FORBIDDEN,
                codes::UNAUTHORIZED,
                format!(
                    "These credentials are the relay's anonymous ones, which may only {}. {} \
                     needs a signed-in caller: get credentials from /sts with the dashboard's \
                     login (Authorization: Bearer <token or JWT>).",
                    self.anonymous.words().join(" and "),
                    capitalised(word(action)),
                ),
            )),
            _ => Ok(()),
        }
    }

    #[cfg(test)]
    fn len(&self) -> usize {
        self.table
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .by_key
            .len()
    }
}

fn capitalised(w: &str) -> String {
    let mut c = w.chars();
    c.next()
        .map(|f| f.to_ascii_uppercase().to_string() + c.as_str())
        .unwrap_or_default()
}

/// The AccessKeyId that signed a call: the form body's (a signature V2 call; several values count
/// as none, the gateway would refuse the call), else the `Credential=` of a signature V3
/// `Authorization` header.
pub fn signing_key(body: &[u8], headers: &HeaderMap) -> Option<String> {
    let text = std::str::from_utf8(body).ok()?;
    let mut ids = parse_form(text)
        .into_iter()
        .filter(|(k, _)| k == "AccessKeyId")
        .map(|(_, v)| v);
    if let (Some(id), None) = (ids.next(), ids.next()) {
        return Some(id);
    }
    let auth = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let rest = auth.strip_prefix("ACS3-")?;
    rest.split([' ', ','])
        .find_map(|part| part.trim().strip_prefix("Credential="))
        .map(str::to_owned)
        .filter(|id| !id.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn body(key: &str) -> Vec<u8> {
        format!("Action=DeletePhoneMessageQrdl&Version=2020-06-06&AccessKeyId={key}").into_bytes()
    }

    #[test]
    fn anonymous_keys_may_only_do_what_the_tier_grants() {
        let issued = IssuedKeys::new(ActionSet::CREATE);
        issued.record("STS.anon", Tier::Anonymous, 1_000, 0);
        issued.record("STS.user", Tier::SignedIn, 1_000, 0);
        let none = HeaderMap::new();
        let e = issued
            .check(Action::Delete, &body("STS.anon"), &none, 10)
            .unwrap_err();
        assert_eq!(
            (e.status.as_u16(), e.code.as_str()),
            (403, "RelayUnauthorized")
        );
        assert!(e.message.contains("may only create"), "{}", e.message);
        assert!(issued
            .check(Action::Create, &body("STS.anon"), &none, 10)
            .is_ok());
        assert!(issued
            .check(Action::Delete, &body("STS.user"), &none, 10)
            .is_ok());
        // Unknown keys and expired entries are the policy's business.
        assert!(issued
            .check(Action::Delete, &body("STS.other"), &none, 10)
            .is_ok());
        assert!(issued
            .check(Action::Delete, &body("STS.anon"), &none, 1_000)
            .is_ok());
    }

    #[test]
    fn the_key_comes_from_the_body_or_a_v3_authorization() {
        let none = HeaderMap::new();
        assert_eq!(signing_key(&body("K1"), &none).as_deref(), Some("K1"));
        assert_eq!(
            signing_key(b"AccessKeyId=K1&AccessKeyId=K2", &none),
            None,
            "two keys are no key"
        );
        let mut v3 = HeaderMap::new();
        v3.insert(
            header::AUTHORIZATION,
            "ACS3-HMAC-SHA256 Credential=STS.v3,SignedHeaders=host;x-acs-date,Signature=ab"
                .parse()
                .unwrap(),
        );
        assert_eq!(signing_key(b"", &v3).as_deref(), Some("STS.v3"));
        assert_eq!(signing_key(b"\xff", &none), None);
    }

    #[test]
    fn the_table_stays_bounded() {
        let mut issued = IssuedKeys::new(ActionSet::CREATE);
        issued.max = 3;
        for i in 0..3 {
            issued.record(&format!("K{i}"), Tier::Anonymous, 100, 0);
        }
        // All live: the oldest goes.
        issued.record("K3", Tier::Anonymous, 100, 0);
        assert_eq!(issued.len(), 3);
        assert_eq!(issued.tier_of("K0", 0), None);
        assert_eq!(issued.tier_of("K3", 0), Some(Tier::Anonymous));
        // Later, all expired: they are swept.
        issued.record("K4", Tier::SignedIn, 300, 200);
        assert_eq!(issued.len(), 1);
    }
}
