//! The active fault setting and its deterministic sequence: each matching call draws one number
//! from a SplitMix64 generator seeded by the setting, in arrival order, so the same setting and
//! the same calls give the same faults on every run. Setting (or clearing) restarts the sequence.

use std::sync::Mutex;
use std::time::Duration;

use serde_json::{json, Value};

use crate::faults::{FaultConfig, FaultKind, RetryAfterHeader};
use crate::lock;

/// SplitMix64 (Steele, Lea, Flood 2014): tiny, seedable, good enough to pick faults.
#[derive(Clone, Debug)]
struct SplitMix64(u64);

impl SplitMix64 {
    fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in [0, 1), from the top 53 bits.
    fn next_unit(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }
}

#[derive(Debug)]
struct Active {
    config: FaultConfig,
    rng: SplitMix64,
    matched: u64,
    injected: u64,
}

/// What one call gets: a fault, a delay, or both.
#[derive(Clone, Debug, PartialEq)]
pub struct Injection {
    pub kind: Option<FaultKind>,
    pub latency: Option<Duration>,
    /// For `ServerError`: the status.
    pub server_error_status: u16,
    /// For `Throttle`: seconds to advertise, and in which headers.
    pub retry_after_seconds: Option<u32>,
    pub retry_after_header: RetryAfterHeader,
}

/// The fault setting in force, if any.
#[derive(Debug, Default)]
pub struct FaultInjector {
    active: Mutex<Option<Active>>,
}

impl FaultInjector {
    pub fn new(config: Option<FaultConfig>) -> FaultInjector {
        let injector = FaultInjector::default();
        injector.set(config);
        injector
    }

    /// Replaces the setting (`None` clears it) and restarts its sequence and counters.
    pub fn set(&self, config: Option<FaultConfig>) {
        *lock(&self.active) = config.map(|config| Active {
            rng: SplitMix64(config.seed),
            config,
            matched: 0,
            injected: 0,
        });
    }

    /// `{"active", "config", "matched", "injected"}`, as the admin endpoint shows it.
    pub fn state_json(&self) -> Value {
        match &*lock(&self.active) {
            Some(a) => json!({
                "active": true,
                "config": a.config,
                "matched": a.matched,
                "injected": a.injected,
            }),
            None => json!({ "active": false, "config": null, "matched": 0, "injected": 0 }),
        }
    }

    /// Decides the fate of one call; `None` when it is not targeted or gets nothing.
    pub fn decide(&self, caller_key: &str, account: &str, action: &str) -> Option<Injection> {
        let mut guard = lock(&self.active);
        let a = guard.as_mut()?;
        if !a.config.matches(caller_key, account, action) {
            return None;
        }
        a.matched += 1;
        if a.config.fail_first.is_some_and(|n| a.matched > n) {
            return None;
        }
        let total = a.config.total_rate();
        let kind = if total > 0.0 {
            let draw = a.rng.next_unit();
            // With failFirst every call faults and the rates only weigh the kind.
            let scale = if a.config.fail_first.is_some() {
                total
            } else {
                1.0
            };
            pick(&a.config.rates(), draw * scale)
        } else {
            None
        };
        let latency = Some(a.config.latency_ms)
            .filter(|&ms| ms > 0)
            .map(Duration::from_millis);
        if kind.is_some() {
            a.injected += 1;
        }
        (kind.is_some() || latency.is_some()).then_some(Injection {
            kind,
            latency,
            server_error_status: a.config.server_error_status,
            retry_after_seconds: a.config.retry_after_seconds,
            retry_after_header: a.config.retry_after_header,
        })
    }
}

/// The kind whose cumulative rate first exceeds `point`.
fn pick(rates: &[(FaultKind, f64)], point: f64) -> Option<FaultKind> {
    let mut edge = 0.0;
    for &(kind, rate) in rates {
        edge += rate;
        if rate > 0.0 && point < edge {
            return Some(kind);
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config(json: &str) -> Option<FaultConfig> {
        Some(FaultConfig::parse(json).unwrap())
    }

    fn kinds(f: &FaultInjector, n: usize) -> Vec<Option<FaultKind>> {
        (0..n)
            .map(|_| {
                f.decide("k", "k", "CreatePhoneMessageQrdl")
                    .and_then(|i| i.kind)
            })
            .collect()
    }

    #[test]
    fn splitmix_matches_the_reference_sequence() {
        // Seed 1234567, from the reference implementation's published output.
        let mut r = SplitMix64(1_234_567);
        let got: Vec<u64> = (0..3).map(|_| r.next_u64()).collect();
        assert_eq!(
            got,
            [
                6_457_827_717_110_365_317,
                3_203_168_211_198_807_973,
                9_817_491_932_198_370_423
            ]
        );
    }

    #[test]
    fn same_seed_same_sequence_and_set_restarts_it() {
        let f = FaultInjector::new(config(r#"{"seed":42,"throttleRate":0.5}"#));
        let first = kinds(&f, 40);
        let hits = first.iter().filter(|k| k.is_some()).count();
        assert!((10..=30).contains(&hits), "{hits}");
        f.set(config(r#"{"seed":42,"throttleRate":0.5}"#));
        assert_eq!(kinds(&f, 40), first);
        f.set(config(r#"{"seed":7,"throttleRate":0.5}"#));
        assert_ne!(kinds(&f, 40), first);
    }

    #[test]
    fn fail_first_faults_exactly_n_then_nothing() {
        let f = FaultInjector::new(config(
            r#"{"failFirst":2,"serverErrorRate":0.1,"latencyMs":5}"#,
        ));
        let got: Vec<_> = (0..4)
            .map(|_| f.decide("k", "k", "ListPhoneMessageQrdl"))
            .collect();
        assert!(got[..2].iter().all(|i| i
            .as_ref()
            .is_some_and(|i| i.kind == Some(FaultKind::ServerError)
                && i.latency == Some(Duration::from_millis(5)))));
        assert_eq!(got[2..], [None, None]);
        assert_eq!(f.state_json()["matched"], 4);
        assert_eq!(f.state_json()["injected"], 2);
    }

    #[test]
    fn rates_of_one_always_and_zero_never() {
        let f = FaultInjector::new(config(r#"{"htmlRate":1}"#));
        assert!(kinds(&f, 20).iter().all(|k| *k == Some(FaultKind::Html)));
        f.set(config(r#"{"latencyMs":3}"#));
        let i = f.decide("k", "k", "CreatePhoneMessageQrdl").unwrap();
        assert_eq!((i.kind, i.latency), (None, Some(Duration::from_millis(3))));
        f.set(None);
        assert_eq!(f.decide("k", "k", "CreatePhoneMessageQrdl"), None);
        assert_eq!(f.state_json()["active"], false);
    }

    #[test]
    fn pick_walks_cumulative_rates() {
        let rates = [
            (FaultKind::Throttle, 0.2),
            (FaultKind::ServerError, 0.0),
            (FaultKind::Drop, 0.3),
            (FaultKind::Html, 0.0),
        ];
        assert_eq!(pick(&rates, 0.1), Some(FaultKind::Throttle));
        assert_eq!(pick(&rates, 0.2), Some(FaultKind::Drop));
        assert_eq!(pick(&rates, 0.49), Some(FaultKind::Drop));
        assert_eq!(pick(&rates, 0.5), None);
    }
}
