//! "At a glance": the last finished call and the open to-dos ([`Glance`]), and how long ago a
//! moment was ([`ago`], [`calendar_days`]).

use super::activities::CallOutcome;
use crate::call::Direction;

/// The last call, as "at a glance" tells it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LastCall {
    pub at_ms: Option<i64>,
    pub direction: Direction,
    pub responsible_id: Option<u64>,
    pub outcome: Option<CallOutcome>,
    pub duration_s: Option<u64>,
}

/// "At a glance": the last finished call and the open to-dos among the loaded history.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Glance {
    pub last_call: Option<LastCall>,
    pub open_todos: usize,
    /// The nearest due time of an open to-do (its `DEADLINE`, else its start).
    pub next_due_ms: Option<i64>,
}

/// A unit of [`ago`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TimeUnit {
    Second,
    Minute,
    Hour,
    Day,
    Month,
    Year,
}

impl TimeUnit {
    /// The unit's name for `Intl.RelativeTimeFormat`.
    pub fn intl(self) -> &'static str {
        match self {
            TimeUnit::Second => "second",
            TimeUnit::Minute => "minute",
            TimeUnit::Hour => "hour",
            TimeUnit::Day => "day",
            TimeUnit::Month => "month",
            TimeUnit::Year => "year",
        }
    }
}

/// How long before `now_ms` the moment `then_ms` was, as a negative count of the largest
/// fitting unit (`(-3, Hour)`: "3 hours ago"); `(0, Second)` ("now") under a minute and for a
/// moment in the future (clocks differ a little).
pub fn ago(now_ms: f64, then_ms: i64) -> (i64, TimeUnit) {
    let s = ((now_ms - then_ms as f64) / 1000.0).floor();
    if s.is_nan() || s < 60.0 {
        return (0, TimeUnit::Second);
    }
    let s = s as i64;
    let (n, unit) = match s {
        s if s < 3_600 => (s / 60, TimeUnit::Minute),
        s if s < 86_400 => (s / 3_600, TimeUnit::Hour),
        s if s < 30 * 86_400 => (s / 86_400, TimeUnit::Day),
        s if s < 365 * 86_400 => (s / (30 * 86_400), TimeUnit::Month),
        s => (s / (365 * 86_400), TimeUnit::Year),
    };
    (-n, unit)
}

/// How many calendar days `at_ms` is after `now_ms` in a time zone `offset_min` minutes behind
/// UTC (JavaScript's `getTimezoneOffset`: -180 for Moscow): 0 today, 1 tomorrow, -1 yesterday.
pub fn calendar_days(now_ms: f64, at_ms: i64, offset_min: f64) -> i64 {
    let day = |ms: f64| ((ms - offset_min * 60_000.0) / 86_400_000.0).floor() as i64;
    day(at_ms as f64) - day(now_ms)
}

#[cfg(test)]
mod tests {
    use super::*;

    use crate::model::time::parse_iso8601_ms;

    #[test]
    fn ago_picks_the_largest_unit() {
        let now = 1_712_905_200_000.0;
        let at = |s: i64| now as i64 - s * 1000;
        assert_eq!(ago(now, at(0)), (0, TimeUnit::Second));
        assert_eq!(ago(now, at(59)), (0, TimeUnit::Second));
        assert_eq!(ago(now, at(-600)), (0, TimeUnit::Second), "future: now");
        assert_eq!(ago(now, at(60)), (-1, TimeUnit::Minute));
        assert_eq!(ago(now, at(3_599)), (-59, TimeUnit::Minute));
        assert_eq!(ago(now, at(3_600 * 5)), (-5, TimeUnit::Hour));
        assert_eq!(ago(now, at(86_400 * 2)), (-2, TimeUnit::Day));
        assert_eq!(ago(now, at(86_400 * 65)), (-2, TimeUnit::Month));
        assert_eq!(ago(now, at(86_400 * 800)), (-2, TimeUnit::Year));
        assert_eq!(ago(f64::NAN, 0), (0, TimeUnit::Second));
        assert_eq!(TimeUnit::Hour.intl(), "hour");
    }

    #[test]
    fn calendar_days_count_in_the_operators_zone() {
        // 2024-04-12 23:30 in Moscow (UTC+3, offset -180) is 20:30Z.
        let now = parse_iso8601_ms("2024-04-12T20:30:00Z").unwrap();
        let ms = |s: &str| parse_iso8601_ms(s).unwrap() as i64;
        assert_eq!(
            calendar_days(now, ms("2024-04-12T21:30:00Z"), -180.0),
            1,
            "00:30 next day"
        );
        assert_eq!(
            calendar_days(now, ms("2024-04-12T21:30:00Z"), 0.0),
            0,
            "21:30 the same day in UTC"
        );
        assert_eq!(calendar_days(now, ms("2024-04-12T10:00:00Z"), -180.0), 0);
        assert_eq!(calendar_days(now, ms("2024-04-11T10:00:00Z"), -180.0), -1);
        assert_eq!(calendar_days(now, ms("2024-04-16T07:00:00Z"), -180.0), 4);
        // New York (UTC-4 in April, offset 240): 16:30 on the 12th.
        assert_eq!(calendar_days(now, ms("2024-04-13T03:59:00Z"), 240.0), 0);
        assert_eq!(calendar_days(now, ms("2024-04-13T04:00:00Z"), 240.0), 1);
    }
}
