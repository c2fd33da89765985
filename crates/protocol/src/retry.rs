//! What the client does after a failed attempt, and how long it waits before the next one.
//!
//! | failure | create | list, update, delete |
//! |---|---|---|
//! | throttling code (`Throttling`, `Throttling.*` such as a relay's `Throttling.Relay`, `System.LimitControl`), HTTP 429 | retried with backoff | retried with backoff |
//! | HTTP 500, 502, 503, 504, with the API's JSON error or a load balancer's HTML page | retried with backoff | retried with backoff |
//! | a cams-relay's `RelayTimeout` (504) or `RelayUpstreamError` (502): the relay forwarded the call and lost the answer | **not retried**: `retryable: false` and a hint to check with `listQrdls` | retried with backoff |
//! | no reply: `Timeout`, `NetworkError` | **not retried**, `retryable: false` and a hint to check with `listQrdls` | not retried (`retryable: true`) |
//! | `SignatureNonceUsed`: every attempt has a fresh nonce, so the gateway got this very request twice (a browser resends a POST by itself when a reused connection closes before the reply) | **not retried**, `retryable: false`, the `listQrdls` hint | not retried |
//! | `InvalidTimeStamp.Expired` | clock corrected from the reply's `Date`, sent again once ([`crate::clock_skew`]) | same |
//! | `InvalidSecurityToken.Expired`, `InvalidAccessKeyId.NotFound` with cached temporary keys | new keys, sent again once ([`crate::refresh`]) | same |
//! | a cams-relay's `RelayBusy` or `RelayPacerUnavailable` (503): the relay's account-wide pacer refused the call before sending anything upstream (its queue is full, or its Redis is unreachable) | **retried**, even a create, after `Retry-After`; not counted against `maxRetries` (at most [`MAX_NOT_SENT_RETRIES`] of them) | same |
//! | anything else | not retried | not retried |
//!
//! Backoff: full jitter, a uniform delay in [0, min(20 s, 500 ms × 2^retry)), the AWS
//! architecture blog's recommendation for many clients contending for one limit; when the reply
//! says how long to wait (`Retry-After` in seconds or as an HTTP date, or `x-acs-retry-after` in
//! milliseconds as Alibaba's SDKs read it) the delay is at least that. A request to wait longer
//! than a minute is not honoured by waiting: the call fails with the service's error instead.
//! Every retry also takes a new pacing slot ([`crate::pacing`]).
//!
//! A gateway's 5xx and a throttling refusal say the call was not done, so even a create is sent
//! again. A load balancer's 502/504 page could in principle hide a create that ran behind it; the
//! gateway documents these statuses as retryable and the client follows it. The relay's own two
//! codes are different: the relay knows it sent the call on and got nothing usable back (a
//! timeout, a broken connection, a reply too large to pass on), so a create is not repeated.
//!
//! A relay that paces the account ([`NOT_SENT_CODES`]) says the opposite with certainty: by
//! definition of those codes nothing went upstream (the reply also carries
//! `x-cams-relay-sent: false`). Waiting in the relay's queue is the account's limit at work, not a
//! failure of the call, so such a refusal does not use up the call's `maxRetries`; a separate,
//! larger bound keeps a relay that stays busy (or a Redis that stays down) from holding a call
//! forever.

use crate::error::{codes, is_retryable, CamsError};
use crate::time::{Calendar, Crates};
use crate::types::Action;

/// The first retry waits up to this long; each further one doubles it.
pub const BASE_DELAY_MS: f64 = 500.0;
/// No jittered delay is longer than this.
pub const MAX_DELAY_MS: f64 = 20_000.0;
/// The longest server-requested wait the client sits through.
pub const MAX_RETRY_AFTER_MS: f64 = 60_000.0;

/// The gateway has seen this request's nonce: the same request arrived twice.
const NONCE_USED: &str = "SignatureNonceUsed";

/// Relay codes for "the relay sent the request on and got no usable answer".
const RELAY_LOST_ANSWER: [&str; 2] = ["RelayTimeout", "RelayUpstreamError"];

/// Relay codes that by definition mean "nothing was sent upstream": the account pacer's queue is
/// full (`RelayBusy`), or its shared state cannot be reached (`RelayPacerUnavailable`).
pub const NOT_SENT_CODES: [&str; 2] = ["RelayBusy", "RelayPacerUnavailable"];

/// The most not-sent refusals one call sits through before it fails with the last of them.
pub const MAX_NOT_SENT_RETRIES: u32 = 20;

/// The wait before sending again after a not-sent refusal that asked for no particular wait.
pub const NOT_SENT_DEFAULT_WAIT_MS: f64 = 1000.0;

/// Random spread added to a not-sent wait, so clients told the same `Retry-After` do not all
/// come back in the same millisecond.
pub const NOT_SENT_SPREAD_MS: f64 = 500.0;

/// What a failed attempt calls for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Next {
    /// Wait (see [`retry_delay_ms`]) and send again, within `maxRetries`.
    Backoff,
    /// The timestamp was refused: correct the clock from the reply and send again, once.
    FixClock,
    /// The temporary keys went stale: get new ones and send again, once.
    RefreshCredentials,
    /// The relay refused before sending anything upstream: wait (see [`not_sent_delay_ms`]) and
    /// send again, even a create. Does not count against `maxRetries`; at most
    /// [`MAX_NOT_SENT_RETRIES`] times per call.
    NotSent,
    /// A create that may have run: stop, and say how to check ([`unknown_outcome`]).
    UnknownOutcome,
    /// Stop with the error as it is.
    Fail,
}

/// The next step after a reply that parsed into `e` (a service, gateway or relay error, or an
/// `InvalidResponse`), or after no reply at all (`Timeout`, `NetworkError`).
pub fn next_step(action: Action, e: &CamsError) -> Next {
    let create = action == Action::Create;
    let no_reply =
        e.http_status.is_none() && (e.code == codes::TIMEOUT || e.code == codes::NETWORK_ERROR);
    if no_reply {
        return if create {
            Next::UnknownOutcome
        } else {
            Next::Fail
        };
    }
    if is_not_sent(e) {
        return Next::NotSent;
    }
    if e.code == crate::clock_skew::TIMESTAMP_EXPIRED {
        return Next::FixClock;
    }
    if crate::refresh::is_stale_credentials(&e.code) {
        return Next::RefreshCredentials;
    }
    let status = e.http_status.unwrap_or(0);
    if create && (lost_answer(&e.code) || e.code == NONCE_USED) {
        return Next::UnknownOutcome;
    }
    let code = (e.code != codes::INVALID_RESPONSE).then_some(e.code.as_str());
    if is_retryable(code, status) {
        Next::Backoff
    } else {
        Next::Fail
    }
}

/// A relay's reply saying, by its code, that nothing was sent upstream (a 503 from a pacing
/// relay). Only a reply (an HTTP status) can say that.
pub fn is_not_sent(e: &CamsError) -> bool {
    e.http_status == Some(503) && NOT_SENT_CODES.contains(&e.code.as_str())
}

/// How long to wait after a not-sent refusal: what the reply asked for (else
/// [`NOT_SENT_DEFAULT_WAIT_MS`]) plus up to [`NOT_SENT_SPREAD_MS`] (`random01` in [0, 1)), or
/// `None` when it asked for more than [`MAX_RETRY_AFTER_MS`].
pub fn not_sent_delay_ms(random01: f64, requested_ms: Option<f64>) -> Option<f64> {
    let base = requested_ms.unwrap_or(NOT_SENT_DEFAULT_WAIT_MS);
    if base > MAX_RETRY_AFTER_MS {
        return None;
    }
    let r = if random01.is_finite() {
        random01.clamp(0.0, 1.0)
    } else {
        0.5
    };
    Some(base.max(0.0) + r * NOT_SENT_SPREAD_MS)
}

/// A relay's reply saying it forwarded the call and lost the answer.
fn lost_answer(code: &str) -> bool {
    RELAY_LOST_ANSWER.contains(&code)
}

/// Full jitter: `random01` (uniform in [0, 1)) scaled to [0, min(MAX, BASE × 2^retry)).
/// `retry` counts from 0 for the first retry.
pub fn full_jitter_ms(retry: u32, random01: f64) -> f64 {
    let ceiling = (BASE_DELAY_MS * (1u32 << retry.min(30)) as f64).min(MAX_DELAY_MS);
    let r = if random01.is_finite() {
        random01.clamp(0.0, 1.0)
    } else {
        0.5
    };
    r * ceiling
}

/// How long to wait before retry number `retry` (from 0), given what the reply asked for, or
/// `None` when it asked for more than [`MAX_RETRY_AFTER_MS`].
pub fn retry_delay_ms(retry: u32, random01: f64, requested_ms: Option<f64>) -> Option<f64> {
    let jitter = full_jitter_ms(retry, random01);
    match requested_ms {
        Some(ms) if ms > MAX_RETRY_AFTER_MS => None,
        Some(ms) => Some(jitter.max(ms)),
        None => Some(jitter),
    }
}

/// The wait a reply asks for, in milliseconds: `x-acs-retry-after` (milliseconds, Alibaba's
/// header) when it is a positive number, else `Retry-After` (whole seconds, or an HTTP date
/// compared with `server_now_secs`, the reply's own `Date`, or failing that the client's
/// corrected clock). Unreadable or absent headers ask for nothing.
pub fn requested_wait_ms(
    retry_after: Option<&str>,
    acs_retry_after: Option<&str>,
    server_now_secs: i64,
) -> Option<f64> {
    requested_wait_ms_in(&Crates, retry_after, acs_retry_after, server_now_secs)
}

/// [`requested_wait_ms`], with `calendar` reading a `Retry-After` date.
pub fn requested_wait_ms_in(
    calendar: &dyn Calendar,
    retry_after: Option<&str>,
    acs_retry_after: Option<&str>,
    server_now_secs: i64,
) -> Option<f64> {
    let acs = acs_retry_after
        .and_then(|v| parse_decimal(v.trim()))
        .filter(|ms| ms.is_finite() && *ms > 0.0);
    if acs.is_some() {
        return acs;
    }
    let v = retry_after?.trim();
    // Whole seconds only (RFC 9110's delay-seconds).
    if let Some(secs) = parse_decimal(v).filter(|_| !v.contains('.')) {
        return Some(secs * 1000.0);
    }
    calendar
        .parse_http_date(v)
        .map(|at| (at.saturating_sub(server_now_secs)).max(0) as f64 * 1000.0)
}

/// Digits with an optional fraction (no sign, exponent, `inf` or `NaN`, which headers never
/// carry), as a whole number rounded up: a wait is never shorter than asked, and a fraction of a
/// millisecond is below any timer's resolution. Absurd lengths become infinite rather than fail
/// (refused as too long anyway).
fn parse_decimal(v: &str) -> Option<f64> {
    let (int, frac) = v.split_once('.').unwrap_or((v, "0"));
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    if !digits(int) || !digits(frac) {
        return None;
    }
    let whole = int.parse::<u64>().map_or(f64::INFINITY, |n| n as f64);
    let round_up = frac.bytes().any(|b| b != b'0');
    Some(whole + f64::from(u8::from(round_up)))
}

/// The error of a create that may have run: not retryable, and saying how to check.
pub fn unknown_outcome(mut e: CamsError) -> CamsError {
    e.retryable = false;
    if e.code == NONCE_USED {
        e.message.push_str(
            " The same request reached the gateway twice (the browser or a proxy sent it again after a connection closed).",
        );
    }
    e.message.push_str(
        " The create may have reached the service, so the QR code may exist; it was not sent again, so that no second code is made. Check with listQrdls for this phone number before creating it again.",
    );
    e
}

/// The error after the last allowed retry, saying how many there were.
pub fn gave_up(mut e: CamsError, retries: u32) -> CamsError {
    let noun = if retries == 1 { "retry" } else { "retries" };
    if retries > 0 {
        e.message = format!("{} (gave up after {retries} {noun})", e.message);
    }
    e
}

/// The error when the reply asked for a longer wait than the client sits through.
pub fn wait_too_long(mut e: CamsError, requested_ms: f64) -> CamsError {
    let secs = (requested_ms / 1000.0).ceil().clamp(0.0, u64::MAX as f64) as u64;
    e.message = format!(
        "{} (the service asked to wait {secs} s before trying again)",
        e.message
    );
    e
}

#[cfg(test)]
mod tests {
    use super::*;

    fn reply(code: &str, status: u16) -> CamsError {
        CamsError {
            http_status: Some(status),
            ..CamsError::new(code, "m")
        }
    }

    #[test]
    fn the_policy_table() {
        use Action::*;
        let all = [Create, List, Update, Delete];
        for a in all {
            for (code, status) in [
                ("Throttling.User", 400),
                ("Throttling", 400),
                ("Throttling.Relay", 429),
                ("System.LimitControl", 400),
                ("SomethingElse", 429),
                ("InternalError", 500),
                ("ServiceUnavailable", 503),
                ("BadGateway", 502),
                ("GatewayTimeout", 504),
                (codes::INVALID_RESPONSE, 500),
                (codes::INVALID_RESPONSE, 502),
                (codes::INVALID_RESPONSE, 503),
                (codes::INVALID_RESPONSE, 504),
            ] {
                assert_eq!(
                    next_step(a, &reply(code, status)),
                    Next::Backoff,
                    "{a:?} {code} {status}"
                );
            }
            for (code, status) in [
                ("SignatureDoesNotMatch", 400),
                ("Ram.PermissionDeny", 400),
                (codes::INVALID_RESPONSE, 200),
                (codes::INVALID_RESPONSE, 404),
                ("NotImplemented", 501),
                ("Qrdl.NotExists", 400),
            ] {
                assert_eq!(
                    next_step(a, &reply(code, status)),
                    Next::Fail,
                    "{a:?} {code}"
                );
            }
            assert_eq!(
                next_step(a, &reply("InvalidTimeStamp.Expired", 400)),
                Next::FixClock
            );
            assert_eq!(
                next_step(a, &reply("InvalidSecurityToken.Expired", 400)),
                Next::RefreshCredentials
            );
        }
        // No reply, or a relay that lost it: a create may have run.
        for e in [
            CamsError::timeout(100),
            CamsError::network("reset"),
            reply("RelayTimeout", 504),
            reply("RelayUpstreamError", 502),
            reply("SignatureNonceUsed", 400),
        ] {
            assert_eq!(next_step(Create, &e), Next::UnknownOutcome, "{e:?}");
        }
        assert_eq!(
            next_step(Delete, &reply("SignatureNonceUsed", 400)),
            Next::Fail
        );
        // The same for the others: no reply stops, a lost answer is retried (it is idempotent).
        assert_eq!(next_step(List, &CamsError::timeout(100)), Next::Fail);
        assert_eq!(next_step(Delete, &CamsError::network("x")), Next::Fail);
        assert_eq!(
            next_step(Update, &reply("RelayTimeout", 504)),
            Next::Backoff
        );
        assert_eq!(
            next_step(List, &reply("RelayUpstreamError", 502)),
            Next::Backoff
        );
    }

    #[test]
    fn a_relay_that_sent_nothing_is_retried_even_for_a_create() {
        use Action::*;
        for a in [Create, List, Update, Delete] {
            for code in NOT_SENT_CODES {
                assert_eq!(
                    next_step(a, &reply(code, 503)),
                    Next::NotSent,
                    "{a:?} {code}"
                );
            }
        }
        // Only the relay's 503 says "not sent": the same code at another status, or with no
        // reply at all, is not taken at its word.
        assert_eq!(next_step(Create, &reply("RelayBusy", 500)), Next::Backoff);
        assert_eq!(next_step(Create, &reply("RelayBusy", 400)), Next::Fail);
        let no_reply = CamsError::new("RelayBusy", "m");
        assert_eq!(next_step(Create, &no_reply), Next::Fail);
        // A lost answer stays what it was.
        assert_eq!(
            next_step(Create, &reply("RelayTimeout", 504)),
            Next::UnknownOutcome
        );
    }

    #[test]
    fn a_not_sent_wait_honours_retry_after_with_a_spread() {
        assert_eq!(not_sent_delay_ms(0.0, None), Some(NOT_SENT_DEFAULT_WAIT_MS));
        assert_eq!(not_sent_delay_ms(0.5, Some(2000.0)), Some(2250.0));
        assert_eq!(not_sent_delay_ms(f64::NAN, Some(0.0)), Some(250.0));
        assert_eq!(not_sent_delay_ms(1.0, Some(-5.0)), Some(NOT_SENT_SPREAD_MS));
        assert_eq!(
            not_sent_delay_ms(0.0, Some(MAX_RETRY_AFTER_MS)),
            Some(MAX_RETRY_AFTER_MS)
        );
        assert_eq!(not_sent_delay_ms(0.0, Some(MAX_RETRY_AFTER_MS + 1.0)), None);
    }

    #[test]
    fn full_jitter_grows_and_is_capped() {
        assert_eq!(full_jitter_ms(0, 0.0), 0.0);
        assert_eq!(full_jitter_ms(0, 0.5), 250.0);
        assert_eq!(full_jitter_ms(1, 0.5), 500.0);
        assert_eq!(full_jitter_ms(2, 0.999), 1998.0);
        assert_eq!(full_jitter_ms(10, 1.0), MAX_DELAY_MS);
        assert_eq!(full_jitter_ms(u32::MAX, 1.0), MAX_DELAY_MS);
        assert_eq!(full_jitter_ms(0, f64::NAN), 250.0);
        assert_eq!(full_jitter_ms(0, 7.0), 500.0);
    }

    #[test]
    fn a_requested_wait_is_a_floor_and_a_long_one_is_refused() {
        assert_eq!(retry_delay_ms(0, 0.1, Some(2000.0)), Some(2000.0));
        assert_eq!(retry_delay_ms(3, 0.9, Some(10.0)), Some(3600.0));
        assert_eq!(retry_delay_ms(0, 0.2, None), Some(100.0));
        assert_eq!(
            retry_delay_ms(0, 0.2, Some(MAX_RETRY_AFTER_MS)),
            Some(MAX_RETRY_AFTER_MS)
        );
        assert_eq!(retry_delay_ms(0, 0.2, Some(MAX_RETRY_AFTER_MS + 1.0)), None);
    }

    #[test]
    fn reads_retry_after_and_x_acs_retry_after() {
        let now = 784_111_777; // Sun, 06 Nov 1994 08:49:37 GMT
        assert_eq!(requested_wait_ms(Some("2"), None, now), Some(2000.0));
        assert_eq!(requested_wait_ms(Some(" 0 "), None, now), Some(0.0));
        assert_eq!(
            requested_wait_ms(Some("Sun, 06 Nov 1994 08:49:40 GMT"), None, now),
            Some(3000.0)
        );
        // A date in the past asks for no wait.
        assert_eq!(
            requested_wait_ms(Some("Sun, 06 Nov 1994 08:49:00 GMT"), None, now),
            Some(0.0)
        );
        // x-acs-retry-after is milliseconds and wins when positive.
        assert_eq!(
            requested_wait_ms(Some("9"), Some("1500"), now),
            Some(1500.0)
        );
        assert_eq!(requested_wait_ms(Some("9"), Some("0"), now), Some(9000.0));
        // A fraction of a millisecond rounds up: never sooner than asked.
        assert_eq!(requested_wait_ms(None, Some("250.5"), now), Some(251.0));
        assert_eq!(requested_wait_ms(None, Some("0.25"), now), Some(1.0));
        assert_eq!(requested_wait_ms(None, Some("250.000"), now), Some(250.0));
        assert_eq!(requested_wait_ms(Some("007"), None, now), Some(7000.0));
        for junk in ["", "-1", "soon", "1e3", "inf", "NaN", ".5", "5."] {
            assert_eq!(
                requested_wait_ms(Some(junk), Some(junk), now),
                None,
                "{junk}"
            );
        }
        // Retry-After is whole seconds only.
        assert_eq!(requested_wait_ms(Some("1.5"), None, now), None);
        assert_eq!(requested_wait_ms(None, None, now), None);
        assert!(requested_wait_ms(Some(&"9".repeat(400)), None, now).unwrap() > MAX_RETRY_AFTER_MS);
    }

    #[test]
    fn messages_say_what_happened() {
        let e = unknown_outcome(CamsError::timeout(100));
        assert!(!e.retryable);
        assert_eq!(e.code, "Timeout");
        assert!(e.message.contains("listQrdls"), "{}", e.message);
        assert!(e.message.contains("may exist"));
        let e = unknown_outcome(reply("SignatureNonceUsed", 400));
        assert!(e
            .message
            .starts_with("m The same request reached the gateway twice"));
        assert!(e.message.contains("listQrdls"));
        assert!(gave_up(reply("Throttling", 400), 3)
            .message
            .ends_with("(gave up after 3 retries)"));
        assert!(gave_up(reply("Throttling", 400), 1)
            .message
            .ends_with("(gave up after 1 retry)"));
        assert_eq!(gave_up(reply("Throttling", 400), 0).message, "m");
        assert!(wait_too_long(reply("Throttling", 400), 120_000.0)
            .message
            .contains("120 s"));
    }
}
