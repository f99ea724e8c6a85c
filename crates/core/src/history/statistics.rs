//! The calls' statistics: the `voximplant.statistic.get` query, its rows ([`StatRow`]: duration,
//! result, recording link), and whether the user may read them ([`StatsAccess`]).

use serde_json::{Map, Value, json};

use super::activities::CallFacts;
use super::activities::CallOutcome;
use super::activities::{number, text};
use crate::call::Direction;
use crate::model::entity::EntityRef;
use crate::model::value::{DecodeError, as_list};
use crate::rest::error::{ErrorClass, RestAnswer, RestError};

/// `voximplant.statistic.get` for the calls with `entity` (the statistics know only the one CRM
/// item a call was made with, so a company's history does not see calls made to its contacts),
/// latest activity first, 50 rows. With `before_activity_id` (the same cursor as
/// [`activity_query`](crate::history::activity_query)) it covers the calls of the next activity page.
pub fn statistic_query(
    entity: EntityRef,
    before_activity_id: Option<u64>,
) -> (&'static str, Value) {
    let mut filter = Map::new();
    filter.insert("CRM_ENTITY_TYPE".into(), json!(entity.kind.name()));
    filter.insert("CRM_ENTITY_ID".into(), json!(entity.id));
    if let Some(id) = before_activity_id {
        filter.insert("<CRM_ACTIVITY_ID".into(), json!(id));
    }
    (
        "voximplant.statistic.get",
        json!({"FILTER": filter, "SORT": "CRM_ACTIVITY_ID", "ORDER": "DESC"}),
    )
}

/// One `voximplant.statistic.get` row, as far as the timeline needs it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatRow {
    /// The statistics record's own `ID`.
    pub id: Option<u64>,
    /// `CRM_ACTIVITY_ID`: the activity the call belongs to.
    pub activity_id: Option<u64>,
    /// From `CALL_TYPE` (numbered the other way round from activities).
    pub direction: Direction,
    pub facts: CallFacts,
}

/// An `https` link with a plain host and no credentials, else nothing: a recording link is
/// opened by the operator's click, so `http:`, `javascript:`, `user@host` tricks and odd
/// characters are dropped when reading.
pub(super) fn web_url(s: String) -> Option<String> {
    url_host(&s)?;
    Some(s)
}

/// The host (lowercase, with a port if any) of an `https://` URL, if the URL is plain enough to
/// trust: no user info, no backslash, whitespace or control characters.
pub fn url_host(url: &str) -> Option<String> {
    let rest = url
        .get(..8)
        .filter(|p| p.eq_ignore_ascii_case("https://"))
        .map(|_| &url[8..])?;
    if url
        .chars()
        .any(|c| c.is_whitespace() || c.is_control() || c == '\\')
    {
        return None;
    }
    let end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let host = &rest[..end];
    let ok = !host.is_empty()
        && host
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | ':'));
    ok.then(|| host.to_ascii_lowercase())
}

/// Whether a recording link points at the portal's own host (`portal` as in its `DOMAIN`).
pub fn recording_on_portal(url: &str, portal: &str) -> bool {
    let portal = portal.trim().to_ascii_lowercase();
    let portal = portal.strip_suffix(":443").unwrap_or(&portal);
    url_host(url).is_some_and(|h| h.strip_suffix(":443").unwrap_or(&h) == portal)
}

/// Reads `voximplant.statistic.get`'s `result`, as leniently as [`decode_activities`](crate::history::decode_activities): rows
/// that are not objects are skipped; a row without `CRM_ACTIVITY_ID` is kept but joins nothing.
pub fn decode_statistics(result: &Value) -> Result<Vec<StatRow>, DecodeError> {
    let rows = as_list(result, "call statistics")?;
    Ok(rows
        .iter()
        .filter_map(Value::as_object)
        .map(|obj| StatRow {
            id: number(obj, "ID"),
            activity_id: number(obj, "CRM_ACTIVITY_ID").filter(|id| *id > 0),
            direction: Direction::from_call_type(number(obj, "CALL_TYPE")),
            facts: CallFacts {
                duration_s: number(obj, "CALL_DURATION"),
                outcome: text(obj, "CALL_FAILED_CODE").map(|c| CallOutcome::from_code(&c)),
                record_url: text(obj, "CALL_RECORD_URL").and_then(web_url),
            },
        })
        .collect())
}

/// What the statistics command of a batch gave.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StatsAccess {
    /// Read: these rows (possibly none).
    Allowed(Vec<StatRow>),
    /// The user or app may not read call statistics (`ACCESS_DENIED`, `insufficient_scope`, …).
    Denied,
    /// Not asked, failed for another reason, or unreadable: nothing is known.
    Unknown,
}

impl StatsAccess {
    /// Classifies a batch key's answer (`BatchAnswer::get`) for the statistics command.
    pub fn from_answer(answer: Result<&RestAnswer, RestError>) -> StatsAccess {
        match answer {
            Ok(a) => {
                decode_statistics(&a.result).map_or(StatsAccess::Unknown, StatsAccess::Allowed)
            }
            Err(e) if e.class() == ErrorClass::AccessDenied => StatsAccess::Denied,
            Err(_) => StatsAccess::Unknown,
        }
    }
}

/// Whether call statistics can be shown, as far as the timeline knows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StatsState {
    Allowed,
    Denied,
    Unknown,
}

#[cfg(test)]
mod tests {
    use super::*;

    use crate::history::*;

    use serde_json::json;

    #[test]
    fn decodes_documented_statistics() {
        // The two rows of the voximplant.statistic.get sample (shortened to what is read).
        let rows = decode_statistics(&json!([
            {"ID": "1", "CALL_DURATION": "0", "CALL_RECORD_URL": "", "CALL_FAILED_CODE": "603-S",
             "CALL_FAILED_REASON": "Decline self", "CRM_ENTITY_TYPE": "CONTACT", "CRM_ENTITY_ID": "275",
             "CRM_ACTIVITY_ID": "7739", "RECORD_DURATION": null, "CALL_TYPE": "1"},
            {"ID": "7", "CALL_DURATION": "95", "CALL_RECORD_URL": null, "CALL_FAILED_CODE": "200",
             "CRM_ENTITY_TYPE": "CONTACT", "CRM_ENTITY_ID": "797", "CRM_ACTIVITY_ID": "7943",
             "RECORD_FILE_ID": 9079, "CALL_TYPE": "2"},
            {"ID": "8", "CALL_DURATION": 31, "CALL_FAILED_CODE": 486,
             "CALL_RECORD_URL": "https://portal.example/rec/8.mp3", "CRM_ACTIVITY_ID": ""},
            {"ID": "9", "CALL_FAILED_CODE": "304", "CALL_RECORD_URL": "javascript:alert(1)"},
            {"ID": "10", "CALL_FAILED_CODE": "603"},
            {"ID": "11"},
            []
        ]))
        .unwrap();
        assert_eq!(rows.len(), 6);
        assert_eq!(rows[0].activity_id, Some(7739));
        assert_eq!(rows[0].facts.outcome, Some(CallOutcome::Cancelled));
        assert_eq!(rows[0].facts.duration_s, Some(0));
        assert_eq!(rows[0].facts.record_url, None);
        assert_eq!(rows[1].facts.outcome, Some(CallOutcome::Answered));
        assert_eq!(rows[1].facts.duration_s, Some(95));
        assert_eq!(
            rows[2].facts.outcome,
            Some(CallOutcome::Failed("486".into()))
        );
        assert_eq!(rows[2].activity_id, None);
        assert_eq!(
            rows[2].facts.record_url.as_deref(),
            Some("https://portal.example/rec/8.mp3")
        );
        assert_eq!(rows[3].facts.outcome, Some(CallOutcome::Missed));
        assert_eq!(rows[3].facts.record_url, None, "only web links are kept");
        assert_eq!(rows[4].facts.outcome, Some(CallOutcome::Declined));
        assert_eq!(rows[5].facts.outcome, None);
    }

    /// Regression: `http:` and any host were accepted as recording links.
    #[test]
    fn recording_links_are_https_on_the_portal_only() {
        for bad in [
            "http://portal.bitrix24.ru/rec/1.mp3",
            "javascript:alert(1)",
            "https://user:pw@portal.bitrix24.ru/rec/1.mp3",
            "https://evil.example@portal.bitrix24.ru/",
            "https://portal.bitrix24.ru\\@evil.example/",
            "https:///rec/1.mp3",
            "https://portal.bitrix24.ru/rec 1.mp3",
            "",
        ] {
            assert_eq!(url_host(bad), None, "{bad}");
            assert!(!recording_on_portal(bad, "portal.bitrix24.ru"), "{bad}");
        }
        let good = "HTTPS://Portal.Bitrix24.ru/disk/downloadFile/12/?ncc=1";
        assert_eq!(url_host(good).as_deref(), Some("portal.bitrix24.ru"));
        assert!(recording_on_portal(good, "portal.bitrix24.ru"));
        assert!(recording_on_portal(
            "https://portal.bitrix24.ru:443/x",
            "portal.bitrix24.ru"
        ));
        assert!(!recording_on_portal(good, "other.bitrix24.ru"));
        assert!(!recording_on_portal(
            "https://portal.bitrix24.ru.evil.example/x",
            "portal.bitrix24.ru"
        ));
    }
}
