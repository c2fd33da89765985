//! When cached temporary credentials must be replaced, and which replies mean they already were.

/// Never refresh earlier than this before expiry (Alibaba's credentials library uses the same).
pub const MAX_EARLY_SECS: i64 = 15 * 60;

/// The moment from which credentials obtained at `obtained_at` and expiring at `expiration`
/// should be refreshed: when less than min(15 minutes, a fifth of their lifetime) remains.
///
/// A fifth keeps short lifetimes useful (900 s credentials are refreshed after 12 minutes, not
/// at once). With a skewed clock the lifetime can look negative; they are then due at once,
/// and the caller still uses the set it just fetched for the call that fetched it.
pub fn refresh_at(obtained_at: i64, expiration: i64) -> i64 {
    let lifetime = expiration.saturating_sub(obtained_at).max(0);
    expiration.saturating_sub(MAX_EARLY_SECS.min(lifetime / 5))
}

/// Whether credentials are due for a refresh at `now`; without an expiration, never.
pub fn needs_refresh(now: i64, obtained_at: i64, expiration: Option<i64>) -> bool {
    expiration.is_some_and(|e| now >= refresh_at(obtained_at, e))
}

/// Gateway codes that say the temporary credentials are no longer good: drop them, fetch new
/// ones and send the call once more (the gateway refused it before the action ran).
pub fn is_stale_credentials(code: &str) -> bool {
    matches!(
        code,
        "InvalidSecurityToken.Expired" | "InvalidAccessKeyId.NotFound"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_hour_is_refreshed_fifteen_minutes_early_at_most() {
        // 3600 s: a fifth is 720 s, below 900, so 12 minutes early.
        assert_eq!(refresh_at(0, 3600), 3600 - 720);
        // 6 hours: capped at 15 minutes.
        assert_eq!(refresh_at(0, 21_600), 21_600 - 900);
        // 900 s: 180 s early.
        assert_eq!(refresh_at(1000, 1900), 1900 - 180);
    }

    #[test]
    fn due_only_from_the_refresh_moment() {
        assert!(!needs_refresh(2879, 0, Some(3600)));
        assert!(needs_refresh(2880, 0, Some(3600)));
        assert!(needs_refresh(4000, 0, Some(3600)));
        assert!(!needs_refresh(i64::MAX, 0, None));
    }

    #[test]
    fn a_skewed_clock_makes_them_due_at_once_without_overflow() {
        assert!(needs_refresh(100, 100, Some(50)));
        assert!(needs_refresh(0, i64::MAX, Some(i64::MIN)));
    }

    #[test]
    fn stale_codes() {
        assert!(is_stale_credentials("InvalidSecurityToken.Expired"));
        assert!(is_stale_credentials("InvalidAccessKeyId.NotFound"));
        assert!(!is_stale_credentials("SignatureDoesNotMatch"));
        assert!(!is_stale_credentials("InvalidSecurityToken.Malformed"));
    }
}
