//! Dates and times, pure: the ISO 8601 parser for the portal's date-times, the UTC offset they
//! carry, and the civil-date arithmetic (days since 1970-01-01 and back) every feature and the simulation share.

/// Parses `YYYY-MM-DDTHH:MM:SS[.fff](Z|±HH:MM|±HHMM)` (a space instead of `T` is accepted)
/// into Unix ms. Without a zone the value is ambiguous (portal time) and is rejected.
pub fn parse_iso8601_ms(s: &str) -> Option<f64> {
    let s = s.trim();
    let b = s.as_bytes();
    if b.len() < 20 || !s.is_ascii() {
        return None;
    }
    let num = |from: usize, to: usize| -> Option<i64> {
        let part = &s[from..to];
        part.bytes()
            .all(|c| c.is_ascii_digit())
            .then(|| part.parse().ok())?
    };
    if b[4] != b'-'
        || b[7] != b'-'
        || !(b[10] == b'T' || b[10] == b' ')
        || b[13] != b':'
        || b[16] != b':'
    {
        return None;
    }
    let (year, month, day) = (num(0, 4)?, num(5, 7)?, num(8, 10)?);
    let (hour, minute, second) = (num(11, 13)?, num(14, 16)?, num(17, 19)?);
    if !(1..=12).contains(&month)
        || day < 1
        || day > days_in_month(year, month)
        || hour > 23
        || minute > 59
        || second > 60
    {
        return None;
    }
    let mut rest = &s[19..];
    let mut frac_ms = 0.0;
    if let Some(r) = rest.strip_prefix('.') {
        let digits = r.bytes().take_while(|c| c.is_ascii_digit()).count();
        if digits == 0 {
            return None;
        }
        // Milliseconds from the first three digits, in integers (no float parser in the build).
        let ms = r
            .bytes()
            .take(3.min(digits))
            .fold(0u32, |n, c| n * 10 + (c - b'0') as u32);
        frac_ms = (ms * 10u32.pow(3 - 3.min(digits) as u32)) as f64;
        rest = &r[digits..];
    }
    let offset_min = match rest {
        "Z" | "z" => 0,
        _ => {
            let sign = match rest.as_bytes().first()? {
                b'+' => 1,
                b'-' => -1,
                _ => return None,
            };
            let z = rest[1..].replace(':', "");
            if z.len() != 4 || !z.bytes().all(|c| c.is_ascii_digit()) {
                return None;
            }
            let (h, m): (i64, i64) = (z[..2].parse().ok()?, z[2..].parse().ok()?);
            if h > 23 || m > 59 {
                return None;
            }
            sign * (h * 60 + m)
        }
    };
    let days = days_from_civil(year, month, day);
    let secs = days * 86_400 + hour * 3600 + minute * 60 + second - offset_min * 60;
    Some(secs as f64 * 1000.0 + frac_ms)
}

fn days_in_month(year: i64, month: i64) -> i64 {
    match month {
        2 if (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Days since 1970-01-01 (Howard Hinnant's `days_from_civil`).
pub fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The UTC offset (minutes) of an ISO 8601 date with an offset (`…+03:00`, `…Z`).
pub fn utc_offset_min(iso: &str) -> Option<i32> {
    let s = iso.trim();
    if s.len() < 20 || !s.is_ascii() {
        return None;
    }
    let tail = &s[19..];
    let tail = tail
        .strip_prefix('.')
        .map(|r| r.trim_start_matches(|c: char| c.is_ascii_digit()))
        .unwrap_or(tail);
    if tail.eq_ignore_ascii_case("z") {
        return Some(0);
    }
    let sign = match tail.as_bytes().first()? {
        b'+' => 1,
        b'-' => -1,
        _ => return None,
    };
    let z = tail[1..].replace(':', "");
    if z.len() != 4 || !z.bytes().all(|c| c.is_ascii_digit()) {
        return None;
    }
    let (h, m): (i32, i32) = (z[..2].parse().ok()?, z[2..].parse().ok()?);
    (h <= 14 && m < 60).then_some(sign * (h * 60 + m))
}

/// The civil date `(year, month, day)` of a day count since 1970-01-01: the inverse of
/// [`days_from_civil`] (Howard Hinnant's `civil_from_days`).
pub fn civil_from_days(days: i64) -> (i64, i64, i64) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    (yoe + era * 400 + i64::from(m <= 2), m, d)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn iso_dates_with_offsets_and_fractions() {
        // The documented crm.activity.list sample form.
        assert_eq!(
            parse_iso8601_ms("2025-07-14T08:47:19+03:00"),
            Some(1_752_472_039_000.0)
        );
        assert_eq!(
            parse_iso8601_ms("2025-07-14T05:47:19Z"),
            Some(1_752_472_039_000.0)
        );
        assert_eq!(
            parse_iso8601_ms("2025-07-14 05:47:19+0000"),
            Some(1_752_472_039_000.0)
        );
        assert_eq!(
            parse_iso8601_ms("2025-07-14T05:47:19.250Z"),
            Some(1_752_472_039_250.0)
        );
        assert_eq!(
            parse_iso8601_ms("2025-07-13T22:47:19-07:00"),
            Some(1_752_472_039_000.0)
        );
        assert_eq!(parse_iso8601_ms("1970-01-01T00:00:00Z"), Some(0.0));
        assert_eq!(
            parse_iso8601_ms("2024-02-29T00:00:00Z"),
            Some(1_709_164_800_000.0)
        );
    }

    /// Regression: `operating_reset_at` far in the future made a wait past 2^31 ms, which the
    /// browser's timer wraps to 0 — the card spun sending the blocked method.
    #[test]
    fn iso_garbage_is_rejected_not_misread() {
        for s in [
            "",
            "2025-07-14",
            "2025-07-14T08:47:19",
            "2025-13-14T08:47:19Z",
            "2025-02-29T08:47:19Z",
            "2025-07-14T24:00:00Z",
            "2025-07-14T08:47:19+3",
            "2025-07-14T08:47:19.Z",
            "2025/07/14T08:47:19Z",
            "2025-07-14T08:47:19Zjunk",
            "２０２５-07-14T08:47:19Z",
        ] {
            assert_eq!(parse_iso8601_ms(s), None, "{s}");
        }
    }

    #[test]
    fn offsets_from_rest_dates() {
        assert_eq!(utc_offset_min("2026-12-01T14:48:42+03:00"), Some(180));
        assert_eq!(utc_offset_min("2026-12-01T06:48:42-05:00"), Some(-300));
        assert_eq!(utc_offset_min("2026-12-01T11:48:42+05:30"), Some(330));
        assert_eq!(utc_offset_min("2026-12-01T11:48:42.123+0100"), Some(60));
        assert_eq!(utc_offset_min("2026-12-01T11:48:42Z"), Some(0));
        assert_eq!(utc_offset_min("2026-12-01T11:48:42"), None);
        assert_eq!(utc_offset_min("2026-12-01T11:48:42+25:00"), None);
        assert_eq!(utc_offset_min("garbage"), None);
    }

    #[test]
    fn civil_days_round_trip() {
        for (y, m, d) in [
            (1970, 1, 1),
            (2000, 2, 29),
            (2024, 12, 31),
            (1969, 12, 31),
            (2100, 3, 1),
        ] {
            assert_eq!(civil_from_days(days_from_civil(y, m, d)), (y, m, d));
        }
        assert_eq!(days_from_civil(1970, 1, 1), 0);
        assert_eq!(civil_from_days(-1), (1969, 12, 31));
    }
}
