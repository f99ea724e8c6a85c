//! The portal's wall clock: its UTC offset (from a REST answer's date), local date and time
//! of a Unix moment and back, ISO 8601 in the zone, and the `datetime-local` input's text.

use crate::i18n::Lang;
use crate::model::time::{civil_from_days, days_from_civil};

/// A wall-clock moment in the portal's zone.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Local {
    pub year: i64,
    pub month: i64,
    pub day: i64,
    pub hour: i64,
    pub minute: i64,
    pub second: i64,
}

/// Unix seconds → the portal's wall clock.
pub fn local_of(unix_secs: i64, offset_min: i32) -> Local {
    let t = unix_secs + i64::from(offset_min) * 60;
    let (year, month, day) = civil_from_days(t.div_euclid(86_400));
    let s = t.rem_euclid(86_400);
    Local {
        year,
        month,
        day,
        hour: s / 3600,
        minute: s % 3600 / 60,
        second: s % 60,
    }
}

/// The portal's wall clock → Unix seconds.
pub fn unix_of(l: Local, offset_min: i32) -> i64 {
    days_from_civil(l.year, l.month, l.day) * 86_400 + l.hour * 3600 + l.minute * 60 + l.second
        - i64::from(offset_min) * 60
}

pub(super) fn offset_text(offset_min: i32) -> String {
    let sign = if offset_min < 0 { '-' } else { '+' };
    let a = offset_min.unsigned_abs();
    format!("{sign}{:02}:{:02}", a / 60, a % 60)
}

/// `YYYY-MM-DDTHH:MM:SS±HH:MM` in the portal's zone, the form REST takes dates in.
pub fn iso_in_zone(unix_secs: i64, offset_min: i32) -> String {
    let l = local_of(unix_secs, offset_min);
    format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}{}",
        l.year,
        l.month,
        l.day,
        l.hour,
        l.minute,
        l.second,
        offset_text(offset_min)
    )
}

/// `01.12.2026 11:48` (ru) / `2026-12-01 11:48` (en), portal time.
pub fn date_time_text(lang: Lang, unix_secs: i64, offset_min: i32) -> String {
    let l = local_of(unix_secs, offset_min);
    match lang {
        Lang::Ru => format!(
            "{:02}.{:02}.{:04} {:02}:{:02}",
            l.day, l.month, l.year, l.hour, l.minute
        ),
        Lang::En => format!(
            "{:04}-{:02}-{:02} {:02}:{:02}",
            l.year, l.month, l.day, l.hour, l.minute
        ),
    }
}

/// `YYYY-MM-DDTHH:MM` (what `<input type=datetime-local>` gives) → the portal's wall clock.
pub fn parse_local_input(s: &str) -> Option<Local> {
    let s = s.trim();
    let b = s.as_bytes();
    if !(b.len() == 16 || b.len() == 19) || !s.is_ascii() {
        return None;
    }
    if b[4] != b'-' || b[7] != b'-' || !(b[10] == b'T' || b[10] == b' ') || b[13] != b':' {
        return None;
    }
    let num = |a: usize, z: usize| -> Option<i64> {
        let p = &s[a..z];
        p.bytes()
            .all(|c| c.is_ascii_digit())
            .then(|| p.parse().ok())?
    };
    let second = if b.len() == 19 {
        if b[16] != b':' {
            return None;
        }
        num(17, 19)?
    } else {
        0
    };
    let l = Local {
        year: num(0, 4)?,
        month: num(5, 7)?,
        day: num(8, 10)?,
        hour: num(11, 13)?,
        minute: num(14, 16)?,
        second,
    };
    let (y, m, d) = civil_from_days(days_from_civil(l.year, l.month, l.day));
    let valid = (1..=12).contains(&l.month)
        && (y, m, d) == (l.year, l.month, l.day)
        && l.hour < 24
        && l.minute < 60
        && l.second < 60;
    valid.then_some(l)
}

/// The `datetime-local` value of a moment, portal time (`YYYY-MM-DDTHH:MM`).
pub fn local_input_of(unix_secs: i64, offset_min: i32) -> String {
    let l = local_of(unix_secs, offset_min);
    format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}",
        l.year, l.month, l.day, l.hour, l.minute
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::wrapup::fixtures::*;

    use crate::i18n::Lang;

    #[test]
    fn wall_clock_round_trips_and_iso_in_zone() {
        assert_eq!(iso_in_zone(NOW, MSK), "2026-12-01T14:48:42+03:00");
        assert_eq!(iso_in_zone(NOW, -300), "2026-12-01T06:48:42-05:00");
        assert_eq!(iso_in_zone(NOW, 0), "2026-12-01T11:48:42+00:00");
        for off in [-720, -300, 0, 180, 330, 840] {
            assert_eq!(unix_of(local_of(NOW, off), off), NOW);
        }
        assert_eq!(date_time_text(Lang::Ru, NOW, MSK), "01.12.2026 14:48");
        assert_eq!(date_time_text(Lang::En, NOW, MSK), "2026-12-01 14:48");
        // The same moment is the next day further east.
        assert_eq!(date_time_text(Lang::En, NOW, 720), "2026-12-01 23:48");
        assert_eq!(date_time_text(Lang::En, NOW, 780), "2026-12-02 00:48");
    }
}
