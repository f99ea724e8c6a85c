//! Dates as the demo portal writes them: REST's ISO form, midnights, and the day the generated
//! CRM is dated around.

use callcard_core::model::time::civil_from_days;

/// "Now" until the caller sets its clock, and the day the generated CRM is dated around:
/// 2026-11-23T10:00:00Z.
pub(crate) const DEFAULT_NOW_MS: f64 = 1_795_428_000_000.0;

/// `YYYY-MM-DDTHH:MM:SS+00:00`, the form REST dates take.
pub(crate) fn iso(unix_secs: i64) -> String {
    let days = unix_secs.div_euclid(86_400);
    let secs = unix_secs.rem_euclid(86_400);
    let (y, m, d) = civil_from_days(days);
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}+00:00",
        secs / 3600,
        secs % 3600 / 60,
        secs % 60
    )
}

pub(crate) fn midnight(unix_secs: i64) -> i64 {
    unix_secs - unix_secs.rem_euclid(86_400)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_format_as_iso() {
        assert_eq!(iso(0), "1970-01-01T00:00:00+00:00");
        assert_eq!(iso(951_782_400), "2000-02-29T00:00:00+00:00");
        assert_eq!(iso(1_735_689_599), "2024-12-31T23:59:59+00:00");
        assert_eq!(iso(-1), "1969-12-31T23:59:59+00:00");
        assert_eq!(
            iso((DEFAULT_NOW_MS / 1000.0) as i64),
            "2026-11-23T10:00:00+00:00"
        );
    }
}
