//! Counters a test can read at `GET /__emulator/stats`: how many calls arrived, per action and
//! per outcome code (`OK` for successes).

use std::collections::BTreeMap;
use std::sync::Mutex;

use serde_json::{json, Value};

use crate::emulator::lock;

#[derive(Debug, Default)]
struct Counts {
    requests: u64,
    by_action: BTreeMap<String, u64>,
    by_code: BTreeMap<String, u64>,
}

/// Request counters.
#[derive(Debug, Default)]
pub struct Stats {
    counts: Mutex<Counts>,
}

impl Stats {
    /// Counts one API request: its Action (if any) and the Code it got.
    pub fn record(&self, action: Option<&str>, code: &str) {
        let mut c = lock(&self.counts);
        c.requests += 1;
        if let Some(a) = action {
            *c.by_action.entry(a.to_owned()).or_default() += 1;
        }
        *c.by_code.entry(code.to_owned()).or_default() += 1;
    }

    /// `{"requests": n, "byAction": {...}, "byCode": {...}}`.
    pub fn snapshot(&self) -> Value {
        let c = lock(&self.counts);
        json!({ "requests": c.requests, "byAction": c.by_action, "byCode": c.by_code })
    }

    /// Forgets everything counted so far.
    pub fn reset(&self) {
        *lock(&self.counts) = Counts::default();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_by_action_and_code() {
        let s = Stats::default();
        s.record(Some("CreatePhoneMessageQrdl"), "OK");
        s.record(Some("CreatePhoneMessageQrdl"), "SignatureDoesNotMatch");
        s.record(None, "MissingParameter");
        let v = s.snapshot();
        assert_eq!(v["requests"], 3);
        assert_eq!(v["byAction"]["CreatePhoneMessageQrdl"], 2);
        assert_eq!(v["byCode"]["OK"], 1);
        s.reset();
        assert_eq!(s.snapshot()["requests"], 0);
    }
}
