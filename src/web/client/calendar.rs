//! The browser's own `Date` as the protocol's [`Calendar`]: the module reads and writes dates
//! with the calendar the page already has rather than carrying one of its own.

use cams_protocol::time::{Calendar, LAST_TIMESTAMP};
use js_sys::Date;
use wasm_bindgen::JsValue;

pub(crate) struct BrowserCalendar;

/// Milliseconds since the epoch as whole seconds; `None` for `NaN` (what `Date.parse` gives for
/// text it cannot read).
fn seconds(ms: f64) -> Option<i64> {
    ms.is_finite().then(|| (ms / 1000.0).floor() as i64)
}

impl Calendar for BrowserCalendar {
    fn format_timestamp(&self, unix_secs: i64) -> String {
        let ms = unix_secs.clamp(0, LAST_TIMESTAMP) as f64 * 1000.0;
        // `YYYY-MM-DDThh:mm:ss.sssZ`: the protocol's form without the milliseconds.
        let iso = String::from(Date::new(&JsValue::from_f64(ms)).to_iso_string());
        format!("{}Z", iso.get(..19).unwrap_or_default())
    }

    fn parse_timestamp(&self, text: &str) -> Option<i64> {
        // `Date.parse` reads many forms, some as local time: only the protocol's is accepted.
        let b = text.as_bytes();
        let shaped = b.len() >= 20
            && b.get(10) == Some(&b'T')
            && b.last() == Some(&b'Z')
            && !text.contains(['+', ' ']);
        if !shaped {
            return None;
        }
        seconds(Date::parse(text)).filter(|s| *s >= 0)
    }

    fn parse_http_date(&self, text: &str) -> Option<i64> {
        let text = text.trim();
        // HTTP dates are GMT; asctime's form does not say so, and `Date.parse` would read it
        // as local time.
        if text.ends_with("GMT") {
            seconds(Date::parse(text))
        } else {
            seconds(Date::parse(&format!("{text} GMT")))
        }
    }
}
