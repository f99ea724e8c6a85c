//! Per-method "operating" time: the portal sums the server time each method
//! spent for this app over 10 one-minute buckets and blocks the method with 429
//! `OPERATION_TIME_LIMIT` once the sum passes the limit (480 s in the cloud example). The
//! server sends no `Retry-After`, so the only way to avoid the block is to read `time.operating`
//! and `time.operating_reset_at` from good answers and slow down before reaching it.
//!
//! Same thresholds as the official PHP SDK's: nothing below 80 % of the limit, a short adaptive
//! pause `(reset − now) × 0.01` (≤ 7 s) from 80 %, and a full wait until reset + 1 s from
//! limit − 5 s. State for a method is dropped once its reset time has passed.

use serde_json::Value;

use crate::model::time::parse_iso8601_ms;
use crate::model::value::parse_decimal;

/// The documented cloud limit (seconds of server time per method per 10 minutes), in ms.
pub const DEFAULT_LIMIT_MS: f64 = 480_000.0;
/// Where the adaptive pause starts, as a share of the limit.
pub const HEAVY_SHARE: f64 = 0.8;
/// The adaptive pause is this share of the time left to reset...
pub const ADAPTIVE_COEFF: f64 = 0.01;
/// ...capped here.
pub const ADAPTIVE_MAX_MS: f64 = 7_000.0;
/// From `limit − this` the next call would likely cross the limit: wait for the reset.
pub const BLOCK_MARGIN_MS: f64 = 5_000.0;
/// Slack after the reset, so the call lands after the bucket dropped out.
pub const RESET_SLACK_MS: f64 = 1_000.0;
/// The whole window: when an answer has `operating` but no readable reset, assume the worst.
pub const WINDOW_MS: f64 = 600_000.0;
/// The furthest ahead a window's reset is believed: the window plus ten minutes of clock skew.
pub const MAX_RESET_AHEAD_MS: f64 = 2.0 * WINDOW_MS;

#[derive(Debug, Clone, PartialEq)]
struct Entry {
    method: String,
    operating_ms: f64,
    reset_at_ms: f64,
}

/// What we know of each method's operating time. (A small vector, not a map: a card calls a
/// handful of methods, and every map instantiation costs the WebAssembly build kilobytes.)
#[derive(Debug, Clone, PartialEq)]
pub struct OperatingTracker {
    limit_ms: f64,
    entries: Vec<Entry>,
}

impl Default for OperatingTracker {
    fn default() -> OperatingTracker {
        OperatingTracker::new(DEFAULT_LIMIT_MS)
    }
}

impl OperatingTracker {
    /// A tracker for a portal whose limit is `limit_ms` (self-hosted uses 420 s when enabled).
    pub fn new(limit_ms: f64) -> OperatingTracker {
        OperatingTracker {
            limit_ms,
            entries: Vec::new(),
        }
    }

    pub fn limit_ms(&self) -> f64 {
        self.limit_ms
    }

    /// Reads a `time` object from an answer of `method`. Fields the portal did not send, or sent
    /// in a form we can not read, leave the state as it was: the counters are optional (older and
    /// self-hosted portals send no `operating` fields).
    pub fn record(&mut self, method: &str, time: &Value, now_ms: f64) {
        let Some(operating_s) = time.get("operating").and_then(seconds) else {
            return;
        };
        let reset_at_ms = match time.get("operating_reset_at") {
            None | Some(Value::Null) => now_ms + WINDOW_MS,
            Some(v) => match unix_ms(v) {
                // The window is ten minutes; with room for a portal clock that is ahead of ours,
                // a reset further away (garbage like 1e300) is not believed — a wait that long
                // would overflow the browser's timer and spin.
                Some(ms) => ms.min(now_ms + MAX_RESET_AHEAD_MS),
                None => return,
            },
        };
        let key = method.trim().to_ascii_lowercase();
        let entry = Entry {
            method: key,
            operating_ms: operating_s * 1000.0,
            reset_at_ms,
        };
        match self.entries.iter_mut().find(|e| e.method == entry.method) {
            Some(slot) => *slot = entry,
            None => self.entries.push(entry),
        }
    }

    /// Reads a batch's `result_time` (an object by key, or `[]` when empty) for the sub-calls
    /// `methods` = `(key, method)`. The outer `batch` is not counted by the portal; the nested
    /// calls are, per method. (Entries often have no `operating`: then nothing is learnt.)
    pub fn record_batch(&mut self, result_time: &Value, methods: &[(&str, &str)], now_ms: f64) {
        for (key, method) in methods {
            let t = match result_time {
                Value::Object(m) => m.get(*key),
                Value::Array(a) => key.parse::<usize>().ok().and_then(|i| a.get(i)),
                _ => None,
            };
            if let Some(t) = t {
                self.record(method, t, now_ms);
            }
        }
    }

    /// The known operating time of `method` (ms), while its window has not reset.
    pub fn operating_ms(&self, method: &str, now_ms: f64) -> Option<f64> {
        self.live(method, now_ms).map(|e| e.operating_ms)
    }

    /// When `method`'s window resets (Unix ms), while in the future: for
    /// [`RetryContext::operating_reset_at_ms`](super::retry::RetryContext).
    pub fn reset_at_ms(&self, method: &str, now_ms: f64) -> Option<f64> {
        self.live(method, now_ms).map(|e| e.reset_at_ms)
    }

    fn live(&self, method: &str, now_ms: f64) -> Option<&Entry> {
        let key = method.trim().to_ascii_lowercase();
        self.entries
            .iter()
            .find(|e| e.method == key)
            .filter(|e| now_ms < e.reset_at_ms)
    }

    /// How long to hold a call of `method` at `now_ms` (ms), or `None` to send now.
    pub fn delay_before(&self, method: &str, now_ms: f64) -> Option<f64> {
        let e = self.live(method, now_ms)?;
        let left = e.reset_at_ms - now_ms;
        if e.operating_ms >= self.limit_ms - BLOCK_MARGIN_MS {
            Some(left + RESET_SLACK_MS)
        } else if e.operating_ms >= self.limit_ms * HEAVY_SHARE {
            Some((left * ADAPTIVE_COEFF).min(ADAPTIVE_MAX_MS))
        } else {
            None
        }
    }

    /// For a `batch`: the longest delay over its sub-methods.
    pub fn delay_before_batch(&self, methods: &[&str], now_ms: f64) -> Option<f64> {
        methods
            .iter()
            .filter_map(|m| self.delay_before(m, now_ms))
            .reduce(f64::max)
    }

    /// Drops methods whose window has reset (keeps the vector small on long sessions).
    pub fn prune(&mut self, now_ms: f64) {
        self.entries.retain(|e| now_ms < e.reset_at_ms);
    }
}

/// Seconds as a number or a numeric string; negative or non-finite values are unreadable.
fn seconds(v: &Value) -> Option<f64> {
    let s = match v {
        Value::Number(n) => n.as_f64(),
        Value::String(s) => parse_decimal(s),
        _ => None,
    }?;
    (s.is_finite() && s >= 0.0).then_some(s)
}

/// `operating_reset_at` as Unix ms: Unix seconds (integer, float or numeric string) or an
/// ISO 8601 date-time string (one documented sample uses it).
pub fn unix_ms(v: &Value) -> Option<f64> {
    if let Some(s) = seconds(v) {
        return Some(s * 1000.0);
    }
    parse_iso8601_ms(v.as_str()?)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    const NOW: f64 = 1_752_472_000_000.0; // 2025-07-14T05:46:40Z

    #[test]
    fn a_reset_beyond_the_window_is_held_to_the_window() {
        let now = 1_752_472_000_000.0;
        for far in [
            json!(99_999_999_999u64),
            json!(1e300),
            json!("9999-12-31T23:59:59Z"),
        ] {
            let mut t = OperatingTracker::default();
            t.record(
                "crm.item.list",
                &json!({"operating": 479, "operating_reset_at": far}),
                now,
            );
            let reset = t.reset_at_ms("crm.item.list", now).expect("kept");
            assert!(reset <= now + MAX_RESET_AHEAD_MS, "{far}: {reset}");
            let wait = t.delay_before("crm.item.list", now).unwrap();
            assert!(wait <= MAX_RESET_AHEAD_MS + RESET_SLACK_MS, "{far}: {wait}");
        }
    }

    #[test]
    fn reset_at_in_every_documented_spelling() {
        for v in [
            json!(1_752_472_039),
            json!(1_752_472_039.0),
            json!("1752472039"),
            json!("2025-07-14T08:47:19+03:00"),
        ] {
            assert_eq!(unix_ms(&v), Some(1_752_472_039_000.0), "{v}");
        }
        assert_eq!(unix_ms(&json!(true)), None);
        assert_eq!(unix_ms(&json!("soon")), None);
    }

    #[test]
    fn below_eighty_percent_no_delay() {
        let mut t = OperatingTracker::default();
        t.record(
            "crm.activity.list",
            &json!({"operating": 383.9, "operating_reset_at": 1_752_472_300}),
            NOW,
        );
        assert_eq!(t.delay_before("crm.activity.list", NOW), None);
        assert_eq!(t.operating_ms("crm.activity.list", NOW), Some(383_900.0));
    }

    #[test]
    fn heavy_method_gets_adaptive_pause_capped_at_seven_seconds() {
        let mut t = OperatingTracker::default();
        // 400 s of 480 (83 %), reset in 300 s → 3 s pause.
        t.record(
            "crm.item.list",
            &json!({"operating": 400, "operating_reset_at": 1_752_472_300}),
            NOW,
        );
        assert_eq!(t.delay_before("crm.item.list", NOW), Some(3_000.0));
        assert_eq!(
            t.delay_before("CRM.ITEM.LIST", NOW + 100_000.0),
            Some(2_000.0)
        );
        // 80 % exactly, reset in 15 minutes: 9 s, capped at 7 s.
        t.record(
            "crm.item.list",
            &json!({"operating": "384", "operating_reset_at": 1_752_472_900}),
            NOW,
        );
        assert_eq!(t.delay_before("crm.item.list", NOW), Some(7_000.0));
        // Other methods are unaffected.
        assert_eq!(t.delay_before("user.get", NOW), None);
    }

    #[test]
    fn near_the_limit_waits_until_reset_plus_one_second() {
        let mut t = OperatingTracker::default();
        t.record(
            "crm.activity.list",
            &json!({"operating": 475.0, "operating_reset_at": "2025-07-14T08:47:19+03:00"}),
            NOW,
        );
        assert_eq!(t.delay_before("crm.activity.list", NOW), Some(40_000.0));
        assert_eq!(
            t.reset_at_ms("crm.activity.list", NOW),
            Some(1_752_472_039_000.0)
        );
        // Just under limit − 5 s is still the adaptive pause.
        t.record(
            "crm.activity.list",
            &json!({"operating": 474.9, "operating_reset_at": 1_752_472_039}),
            NOW,
        );
        assert_eq!(t.delay_before("crm.activity.list", NOW), Some(390.0));
    }

    #[test]
    fn state_expires_after_reset() {
        let mut t = OperatingTracker::default();
        t.record(
            "crm.activity.list",
            &json!({"operating": 500, "operating_reset_at": 1_752_472_039}),
            NOW,
        );
        assert!(
            t.delay_before("crm.activity.list", 1_752_472_038_999.0)
                .is_some()
        );
        assert_eq!(
            t.delay_before("crm.activity.list", 1_752_472_039_000.0),
            None
        );
        assert_eq!(
            t.reset_at_ms("crm.activity.list", 1_752_472_039_000.0),
            None
        );
        t.prune(1_752_472_039_000.0);
        assert_eq!(t, OperatingTracker::default());
    }

    #[test]
    fn missing_or_unreadable_fields_leave_state_alone() {
        let mut t = OperatingTracker::default();
        t.record(
            "m.list",
            &json!({"operating": 479, "operating_reset_at": 1_752_472_039}),
            NOW,
        );
        let before = t.clone();
        for time in [
            json!({"start": 1.0, "finish": 2.0}),
            json!({"operating": "lots", "operating_reset_at": 1_752_472_039}),
            json!({"operating": 1, "operating_reset_at": "tomorrow"}),
            json!({"operating": -1}),
            json!(null),
            json!([]),
        ] {
            t.record("m.list", &time, NOW);
            assert_eq!(t, before, "{time}");
        }
        // `operating` without a reset: assume the whole window.
        t.record("x.get", &json!({"operating": 479}), NOW);
        assert_eq!(t.delay_before("x.get", NOW), Some(WINDOW_MS + 1_000.0));
    }

    #[test]
    fn configurable_limit_for_self_hosted() {
        let mut t = OperatingTracker::new(420_000.0);
        t.record(
            "m.list",
            &json!({"operating": 340, "operating_reset_at": 1_752_472_100}),
            NOW,
        );
        assert_eq!(t.delay_before("m.list", NOW), Some(1_000.0));
        t.record(
            "m.list",
            &json!({"operating": 415, "operating_reset_at": 1_752_472_100}),
            NOW,
        );
        assert_eq!(t.delay_before("m.list", NOW), Some(101_000.0));
    }

    #[test]
    fn batch_sub_calls_are_recorded_per_method_and_max_is_taken() {
        let mut t = OperatingTracker::default();
        let result_time = json!({
            "a": {"start": 1.0, "operating": 476, "operating_reset_at": 1_752_472_010},
            "b": {"start": 1.0, "operating": 400, "operating_reset_at": 1_752_472_100},
            "c": {"start": 1.0}
        });
        t.record_batch(
            &result_time,
            &[
                ("a", "crm.item.get"),
                ("b", "user.get"),
                ("c", "crm.activity.list"),
                ("zz", "x.get"),
            ],
            NOW,
        );
        assert_eq!(t.delay_before("crm.item.get", NOW), Some(11_000.0));
        assert_eq!(t.delay_before("user.get", NOW), Some(1_000.0));
        assert_eq!(t.delay_before("crm.activity.list", NOW), None);
        assert_eq!(
            t.delay_before_batch(&["user.get", "crm.item.get", "crm.activity.list"], NOW),
            Some(11_000.0)
        );
        assert_eq!(t.delay_before_batch(&["crm.activity.list"], NOW), None);
        // Empty maps come back as [] (PHP); list-shaped maps are read by index.
        t.record_batch(&json!([]), &[("a", "z.get")], NOW);
        t.record_batch(
            &json!([{"operating": 479, "operating_reset_at": 1_752_472_010}]),
            &[("0", "z.get")],
            NOW,
        );
        assert_eq!(t.delay_before("z.get", NOW), Some(11_000.0));
    }
}
