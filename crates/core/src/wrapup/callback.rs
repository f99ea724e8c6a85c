//! When to call back: the presets and a custom moment, turned into a deadline in the
//! portal's zone ([`deadline`]).

use super::MORNING_HOUR;
use super::NIGHT_ENDS_HOUR;
use super::clock::Local;

use super::clock::local_of;
use super::clock::parse_local_input;
use super::clock::unix_of;
use crate::model::time::{civil_from_days, days_from_civil};

/// When to call back.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum Callback {
    #[default]
    None,
    InHour,
    TomorrowMorning,
    InThreeDays,
    /// A date and time the operator chose, portal time, as `YYYY-MM-DDTHH:MM` (may be
    /// unfinished or invalid while typed: [`deadline`] says so).
    At(String),
}

impl Callback {
    /// The short code kept in drafts and used as `data-callback`.
    pub fn code(&self) -> &str {
        match self {
            Callback::None => "none",
            Callback::InHour => "1h",
            Callback::TomorrowMorning => "tomorrow",
            Callback::InThreeDays => "3d",
            Callback::At(_) => "at",
        }
    }

    pub fn from_code(code: &str, at: &str) -> Callback {
        match code {
            "1h" => Callback::InHour,
            "tomorrow" => Callback::TomorrowMorning,
            "3d" => Callback::InThreeDays,
            "at" => Callback::At(at.chars().take(19).collect()),
            _ => Callback::None,
        }
    }

    pub fn is_none(&self) -> bool {
        *self == Callback::None
    }
}

/// Why a callback has no deadline.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DeadlineError {
    /// The custom date and time is missing or not a date.
    Invalid,
    /// The custom moment has passed.
    Past,
}

/// The callback's moment (Unix seconds), from `now` in the portal's zone; `Ok(None)` when none
/// is planned. Presets: in an hour (to the minute); tomorrow 09:00 (before 05:00 the coming
/// morning, the same calendar day); in three days, the same time. A custom moment must be at
/// least a minute ahead.
pub fn deadline(
    cb: &Callback,
    now_secs: i64,
    offset_min: i32,
) -> Result<Option<i64>, DeadlineError> {
    let minute = |t: i64| t - t.rem_euclid(60);
    let at = match cb {
        Callback::None => return Ok(None),
        Callback::InHour => minute(now_secs + 3_600),
        Callback::InThreeDays => minute(now_secs + 3 * 86_400),
        Callback::TomorrowMorning => {
            let l = local_of(now_secs, offset_min);
            let base =
                days_from_civil(l.year, l.month, l.day) + i64::from(l.hour >= NIGHT_ENDS_HOUR);
            let (year, month, day) = civil_from_days(base);
            unix_of(
                Local {
                    year,
                    month,
                    day,
                    hour: MORNING_HOUR,
                    minute: 0,
                    second: 0,
                },
                offset_min,
            )
        }
        Callback::At(text) => {
            let l = parse_local_input(text).ok_or(DeadlineError::Invalid)?;
            let t = unix_of(l, offset_min);
            if t < now_secs + 60 {
                return Err(DeadlineError::Past);
            }
            t
        }
    };
    Ok(Some(at))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::wrapup::fixtures::*;
    use crate::wrapup::*;

    #[test]
    fn presets_in_the_portals_zone() {
        let d = |cb: &Callback, now: i64, off: i32| deadline(cb, now, off).unwrap().unwrap();
        assert_eq!(deadline(&Callback::None, NOW, MSK), Ok(None));
        assert_eq!(
            iso_in_zone(d(&Callback::InHour, NOW, MSK), MSK),
            "2026-12-01T15:48:00+03:00"
        );
        assert_eq!(
            iso_in_zone(d(&Callback::TomorrowMorning, NOW, MSK), MSK),
            "2026-12-02T09:00:00+03:00"
        );
        assert_eq!(
            iso_in_zone(d(&Callback::InThreeDays, NOW, MSK), MSK),
            "2026-12-04T14:48:00+03:00"
        );
        // Tomorrow morning is 09:00 of the PORTAL's next day: in New York it is still 1 Dec.
        assert_eq!(
            iso_in_zone(d(&Callback::TomorrowMorning, NOW, -300), -300),
            "2026-12-02T09:00:00-05:00"
        );
        // In Kamchatka (+12) it is already 23:48 — tomorrow is 2 Dec; at +13 it is 00:48 on
        // 2 Dec: before 05:00 "tomorrow morning" is the coming morning, the same date.
        assert_eq!(
            iso_in_zone(d(&Callback::TomorrowMorning, NOW, 720), 720),
            "2026-12-02T09:00:00+12:00"
        );
        assert_eq!(
            iso_in_zone(d(&Callback::TomorrowMorning, NOW, 780), 780),
            "2026-12-02T09:00:00+13:00"
        );
        // In an hour across midnight and across the year's end.
        let late = unix_of(
            Local {
                year: 2026,
                month: 12,
                day: 31,
                hour: 23,
                minute: 30,
                second: 15,
            },
            MSK,
        );
        assert_eq!(
            iso_in_zone(d(&Callback::InHour, late, MSK), MSK),
            "2027-01-01T00:30:00+03:00"
        );
        assert_eq!(
            iso_in_zone(d(&Callback::TomorrowMorning, late, MSK), MSK),
            "2027-01-01T09:00:00+03:00"
        );
        assert_eq!(
            iso_in_zone(d(&Callback::InThreeDays, late, MSK), MSK),
            "2027-01-03T23:30:00+03:00"
        );
        // Leap day.
        let feb = unix_of(
            Local {
                year: 2028,
                month: 2,
                day: 28,
                hour: 18,
                minute: 0,
                second: 0,
            },
            0,
        );
        assert_eq!(
            iso_in_zone(d(&Callback::TomorrowMorning, feb, 0), 0),
            "2028-02-29T09:00:00+00:00"
        );
    }

    #[test]
    fn custom_moments_are_portal_time_and_must_be_ahead() {
        let at = |s: &str| deadline(&Callback::At(s.into()), NOW, MSK);
        let t = at("2026-12-03T10:30").unwrap().unwrap();
        assert_eq!(iso_in_zone(t, MSK), "2026-12-03T10:30:00+03:00");
        assert_eq!(iso_in_zone(t, 0), "2026-12-03T07:30:00+00:00");
        assert_eq!(at("2026-12-01T14:00"), Err(DeadlineError::Past));
        assert_eq!(
            at("2026-12-01T14:49"),
            Err(DeadlineError::Past),
            "less than a minute ahead"
        );
        for bad in [
            "",
            "2026-12-0",
            "2026-02-30T10:00",
            "2026-13-01T10:00",
            "2026-12-03T24:00",
            "tomorrow",
        ] {
            assert_eq!(at(bad), Err(DeadlineError::Invalid), "{bad}");
        }
        assert_eq!(local_input_of(t, MSK), "2026-12-03T10:30");
        assert_eq!(
            parse_local_input("2026-12-03 10:30:05").map(|l| l.second),
            Some(5)
        );
    }
}
