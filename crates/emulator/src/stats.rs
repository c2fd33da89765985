//! Counters a test can read at `GET /__emulator/stats`: calls per action and per outcome code,
//! what the QPS limit accepted and refused, the faults injected, the codes created, in total and
//! per account (the long-term key a call was signed with, or that minted its STS credentials),
//! so a test can check its own key's traffic while others use the same emulator.
//!
//! `busiestWindow` is the most CAMS calls of one account that arrived within one second, read
//! the way the QPS limit reads its window (arrivals in `(t - 1000 ms, t]` of the emulator's
//! clock, refused calls included): a pacing test asserts it stays at the limit and that none
//! was throttled, instead of timing a batch. Since the last reset: a reset forgets the arrivals.

use std::collections::{BTreeMap, VecDeque};
use std::sync::Mutex;

use serde::Serialize;
use serde_json::{json, Value};

use crate::faults::FaultKind;
use crate::flow_control::WINDOW_MS;
use crate::lock;

/// Arrivals remembered per account for `busiestWindow`; a flood beyond it counts as this many.
const MAX_REMEMBERED_ARRIVALS: usize = 4096;

/// Injected faults, by kind; `latency` counts delayed replies.
#[derive(Clone, Debug, Default, Serialize)]
#[serde(rename_all = "camelCase")]
struct FaultCounts {
    throttle: u64,
    server_error: u64,
    drop: u64,
    html: u64,
    latency: u64,
}

#[derive(Clone, Debug, Default, Serialize)]
#[serde(rename_all = "camelCase")]
struct Counts {
    requests: u64,
    by_action: BTreeMap<String, u64>,
    by_code: BTreeMap<String, u64>,
    /// CAMS calls the QPS limit let through (whatever happened to them next).
    accepted: u64,
    /// CAMS calls the QPS limit refused (`System.LimitControl`).
    throttled: u64,
    faults: FaultCounts,
    /// Successful CreatePhoneMessageQrdl calls, replies dropped or not.
    created: u64,
    /// The most calls the QPS limit saw arrive within one window (per account; in the totals,
    /// the busiest account's).
    busiest_window: u64,
    /// Arrival times within the last window, for `busiest_window`.
    #[serde(skip)]
    arrivals: VecDeque<i64>,
}

impl Counts {
    fn add(&mut self, call: &CallRecord<'_>) {
        self.requests += 1;
        if let Some(a) = call.action {
            *self.by_action.entry(a.to_owned()).or_default() += 1;
        }
        *self.by_code.entry(call.code.to_owned()).or_default() += 1;
        match call.admitted {
            Some(true) => self.accepted += 1,
            Some(false) => self.throttled += 1,
            None => {}
        }
        match call.fault {
            Some(FaultKind::Throttle) => self.faults.throttle += 1,
            Some(FaultKind::ServerError) => self.faults.server_error += 1,
            Some(FaultKind::Drop) => self.faults.drop += 1,
            Some(FaultKind::Html) => self.faults.html += 1,
            None => {}
        }
        if call.delayed {
            self.faults.latency += 1;
        }
        if call.created {
            self.created += 1;
        }
        if let Some(at) = call.arrived_at {
            self.arrive(at);
        }
    }

    /// Counts an arrival at `at` ms into the window that ends there.
    fn arrive(&mut self, at: i64) {
        // Arrivals "after" `at` come from a clock shifted back: no window of it holds them.
        self.arrivals
            .retain(|&t| t > at.saturating_sub(WINDOW_MS) && t <= at);
        if self.arrivals.len() < MAX_REMEMBERED_ARRIVALS {
            self.arrivals.push_back(at);
        }
        self.busiest_window = self.busiest_window.max(self.arrivals.len() as u64);
    }

    fn to_json(&self) -> Value {
        serde_json::to_value(self).unwrap_or(Value::Null)
    }
}

/// What one API request came to.
#[derive(Clone, Debug, Default)]
pub struct CallRecord<'a> {
    pub action: Option<&'a str>,
    /// The reply's `Code` (`OK` on success; `HTML 502` etc. for HTML pages).
    pub code: &'a str,
    /// The account, once the call is authenticated.
    pub account: Option<&'a str>,
    /// The QPS limit's verdict, for the calls it applies to.
    pub admitted: Option<bool>,
    /// When the QPS limit counted the call's arrival (the emulator's clock, ms).
    pub arrived_at: Option<i64>,
    pub fault: Option<FaultKind>,
    pub delayed: bool,
    pub created: bool,
}

#[derive(Debug, Default)]
struct All {
    total: Counts,
    per_account: BTreeMap<String, Counts>,
}

/// Request counters.
#[derive(Debug, Default)]
pub struct Stats {
    all: Mutex<All>,
}

impl Stats {
    /// Counts one API request: its Action (if any) and the Code it got.
    pub fn record(&self, action: Option<&str>, code: &str) {
        self.record_call(&CallRecord {
            action,
            code,
            ..CallRecord::default()
        });
    }

    /// Counts one API request with everything known about it.
    pub fn record_call(&self, call: &CallRecord<'_>) {
        let mut all = lock(&self.all);
        // The limit is per account: the totals take the busiest account's window.
        all.total.add(&CallRecord {
            arrived_at: None,
            ..call.clone()
        });
        if let Some(account) = call.account {
            let counts = all.per_account.entry(account.to_owned()).or_default();
            counts.add(call);
            let busiest = counts.busiest_window;
            all.total.busiest_window = all.total.busiest_window.max(busiest);
        }
    }

    /// The totals, with `perAccount` holding the same counters for each account.
    pub fn snapshot(&self) -> Value {
        let all = lock(&self.all);
        let mut v = all.total.to_json();
        if let Value::Object(map) = &mut v {
            let per: serde_json::Map<String, Value> = all
                .per_account
                .iter()
                .map(|(k, c)| (k.clone(), c.to_json()))
                .collect();
            map.insert("perAccount".into(), Value::Object(per));
        }
        v
    }

    /// One account's counters (zeros when it made no call), with `accessKeyId` naming it.
    pub fn account_snapshot(&self, account: &str) -> Value {
        let all = lock(&self.all);
        let mut v = all
            .per_account
            .get(account)
            .cloned()
            .unwrap_or_default()
            .to_json();
        if let Value::Object(map) = &mut v {
            map.insert("accessKeyId".into(), json!(account));
        }
        v
    }

    /// Forgets everything counted so far.
    pub fn reset(&self) {
        *lock(&self.all) = All::default();
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

    #[test]
    fn counts_per_account() {
        let s = Stats::default();
        let call = CallRecord {
            action: Some("CreatePhoneMessageQrdl"),
            code: "OK",
            account: Some("a"),
            admitted: Some(true),
            arrived_at: None,
            fault: Some(FaultKind::Drop),
            delayed: true,
            created: true,
        };
        s.record_call(&call);
        s.record_call(&CallRecord {
            code: "System.LimitControl",
            admitted: Some(false),
            fault: None,
            created: false,
            delayed: false,
            account: Some("b"),
            ..call.clone()
        });
        let v = s.snapshot();
        assert_eq!(
            (v["accepted"].clone(), v["throttled"].clone()),
            (json!(1), json!(1))
        );
        assert_eq!(v["perAccount"]["a"]["faults"]["drop"], 1);
        assert_eq!(v["perAccount"]["a"]["faults"]["latency"], 1);
        assert_eq!(v["perAccount"]["b"]["throttled"], 1);
        let a = s.account_snapshot("a");
        assert_eq!(
            (a["created"].clone(), a["accessKeyId"].clone()),
            (json!(1), json!("a"))
        );
        assert_eq!(s.account_snapshot("nobody")["requests"], 0);
    }

    fn arrive(s: &Stats, account: &str, at: i64) {
        s.record_call(&CallRecord {
            action: Some("CreatePhoneMessageQrdl"),
            code: "OK",
            account: Some(account),
            admitted: Some(true),
            arrived_at: Some(at),
            ..CallRecord::default()
        });
    }

    #[test]
    fn busiest_window_counts_arrivals_within_one_second_per_account() {
        let s = Stats::default();
        // Five at 0..400, then one at 1000 (the one at 0 has left the window (0, 1000]),
        // and one more at 1001: (1, 1001] holds 100..400, 1000 and 1001, six of them.
        for t in [0, 100, 200, 300, 400, 1000] {
            arrive(&s, "a", t);
        }
        assert_eq!(s.account_snapshot("a")["busiestWindow"], 5);
        arrive(&s, "a", 1001);
        assert_eq!(s.account_snapshot("a")["busiestWindow"], 6);
        // Another account's calls count in their own windows; the totals show the busiest.
        arrive(&s, "b", 1001);
        let v = s.snapshot();
        assert_eq!(v["perAccount"]["b"]["busiestWindow"], 1);
        assert_eq!(v["busiestWindow"], 6);
        // Calls the limit does not see (no arrival time) leave it alone.
        s.record(Some("AssumeRole"), "OK");
        assert_eq!(s.snapshot()["busiestWindow"], 6);
        s.reset();
        arrive(&s, "a", 1002);
        assert_eq!(s.account_snapshot("a")["busiestWindow"], 1);
    }

    #[test]
    fn busiest_window_survives_a_clock_shifted_back() {
        let s = Stats::default();
        for t in [10_000, 10_001, 5_000, 5_001] {
            arrive(&s, "a", t);
        }
        assert_eq!(s.account_snapshot("a")["busiestWindow"], 2);
    }
}
