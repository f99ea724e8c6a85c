//! The client's CRM activities: the `crm.activity.list` query with its `<ID` cursor, and the
//! decoded [`HistoryItem`]s (kind, direction, call facts) of one [`ActivityPage`].

use serde_json::{Map, Value, json};

use crate::call::Direction;
use crate::model::entity::EntityRef;
use crate::model::time::parse_iso8601_ms;
use crate::model::value::{DecodeError, as_list, opt_text, opt_u64};

/// The activity fields [`decode_activities`] reads; nothing else is asked for.
const ACTIVITY_SELECT: &[&str] = &[
    "ID",
    "TYPE_ID",
    "PROVIDER_ID",
    "DIRECTION",
    "START_TIME",
    "SUBJECT",
    "RESPONSIBLE_ID",
    "COMPLETED",
    "DEADLINE",
];

/// `crm.activity.list` for `entity`'s activities, newest id first, 50 a page. `before_id: None`
/// is the first page (`start=-1`: no `total`, much cheaper); `Some(id)` the page of activities
/// older than `id` ([`Timeline::next_cursor`](crate::history::Timeline::next_cursor)).
pub fn activity_query(entity: EntityRef, before_id: Option<u64>) -> (&'static str, Value) {
    let mut filter = Map::new();
    filter.insert(
        "BINDINGS".into(),
        json!([{"OWNER_TYPE_ID": entity.kind.type_id(), "OWNER_ID": entity.id}]),
    );
    if let Some(id) = before_id {
        filter.insert("<ID".into(), json!(id));
    }
    (
        "crm.activity.list",
        json!({"order": {"ID": "DESC"}, "filter": filter, "select": ACTIVITY_SELECT, "start": -1}),
    )
}

/// What kind of activity a timeline entry is (`TYPE_ID`: 1 meeting, 2 call, 3 task, 4 email, 6 a provider's
/// activity such as a to-do).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ActivityKind {
    Call,
    Meeting,
    Task,
    Email,
    /// A to-do (`TYPE_ID` 6, `CRM_TODO`): what `crm.activity.todo.add` files, e.g. a callback.
    Todo,
    /// Provider-managed, imported or undefined activities.
    Other,
}

impl ActivityKind {
    pub(super) fn of(type_id: Option<u64>, provider: Option<&str>) -> ActivityKind {
        if provider.is_some_and(|p| p.eq_ignore_ascii_case("VOXIMPLANT_CALL")) {
            return ActivityKind::Call;
        }
        if provider.is_some_and(|p| p.eq_ignore_ascii_case("CRM_TODO")) {
            return ActivityKind::Todo;
        }
        match type_id {
            Some(1) => ActivityKind::Meeting,
            Some(2) => ActivityKind::Call,
            Some(3) => ActivityKind::Task,
            Some(4) => ActivityKind::Email,
            Some(6) => ActivityKind::Todo,
            _ => ActivityKind::Other,
        }
    }
}

/// How a call ended (`CALL_FAILED_CODE`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CallOutcome {
    /// `200`.
    Answered,
    /// `304`: nobody took an incoming call.
    Missed,
    /// `603`.
    Declined,
    /// `603-S`: the caller hung up before an answer.
    Cancelled,
    /// Any other code (`486` busy, `480` unavailable, `OTHER`, …), as sent.
    Failed(String),
}

impl CallOutcome {
    /// Reads a `CALL_FAILED_CODE`.
    pub fn from_code(code: &str) -> CallOutcome {
        let code = code.trim();
        match code {
            "200" => CallOutcome::Answered,
            "304" => CallOutcome::Missed,
            "603" => CallOutcome::Declined,
            c if c.eq_ignore_ascii_case("603-S") => CallOutcome::Cancelled,
            c => CallOutcome::Failed(c.to_string()),
        }
    }
}

/// What the call statistics say about one call.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CallFacts {
    pub duration_s: Option<u64>,
    /// `None` when the row had no result code.
    pub outcome: Option<CallOutcome>,
    /// An `http(s)` link to the recording; other schemes are dropped.
    pub record_url: Option<String>,
}

/// One timeline entry: a CRM activity.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HistoryItem {
    pub id: u64,
    pub kind: ActivityKind,
    pub direction: Direction,
    /// `START_TIME` as sent (`2024-04-12T10:00:00+03:00`); empty when there was none.
    pub start: String,
    /// `start` as Unix ms, when it is a full ISO 8601 date-time with a zone.
    pub start_ms: Option<i64>,
    pub subject: String,
    pub responsible_id: Option<u64>,
    pub completed: bool,
    /// `DEADLINE` as Unix ms, when sent as a full date-time (the due time of a to-do).
    pub deadline_ms: Option<i64>,
    /// Statistics of a call, when they were allowed and found; `None` otherwise.
    pub call: Option<CallFacts>,
}

impl HistoryItem {
    pub fn is_call(&self) -> bool {
        self.kind == ActivityKind::Call
    }

    /// The timeline order (issue 11): by date and time, newest first; equal or missing times by
    /// id (the newest filed first), and items without a readable time after every dated one.
    /// Paging still follows ids (`order ID DESC`, `<ID` cursor); only the display is by time.
    pub(super) fn sort_key(&self) -> (i64, u64) {
        (self.start_ms.unwrap_or(i64::MIN), self.id)
    }

    /// Whether this is a to-do still to be done: an open activity that is not a call (an open
    /// call is one in progress, or a missed one the portal files as its own to-do).
    pub fn is_open_todo(&self) -> bool {
        !self.completed && !self.is_call()
    }
}

/// One decoded `crm.activity.list` page.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ActivityPage {
    /// The readable rows, in the order sent, duplicates included.
    pub items: Vec<HistoryItem>,
    /// How many rows the page had, unreadable ones included (a page of 50 means "maybe more").
    pub rows: usize,
}

pub(super) fn text(obj: &Map<String, Value>, key: &str) -> Option<String> {
    opt_text(obj, key).ok().flatten()
}

pub(super) fn number(obj: &Map<String, Value>, key: &str) -> Option<u64> {
    opt_u64(obj, key).ok().flatten()
}

/// Reads `crm.activity.list`'s `result`. Leniently: ids as numbers or strings, missing keys,
/// `""`/`"undefined"` as none, and a row without a usable id (or not an object) is skipped
/// rather than failing the page. Only a `result` that is not a list is an error.
pub fn decode_activities(result: &Value) -> Result<ActivityPage, DecodeError> {
    let rows = as_list(result, "activity list")?;
    let items = rows
        .iter()
        .filter_map(Value::as_object)
        .filter_map(|obj| {
            let id = number(obj, "ID").filter(|id| *id > 0)?;
            let start = text(obj, "START_TIME").unwrap_or_default();
            let start_ms = parse_iso8601_ms(&start).map(|ms| ms as i64);
            Some(HistoryItem {
                id,
                kind: ActivityKind::of(number(obj, "TYPE_ID"), text(obj, "PROVIDER_ID").as_deref()),
                direction: Direction::from_activity(number(obj, "DIRECTION")),
                start,
                start_ms,
                subject: text(obj, "SUBJECT").unwrap_or_default(),
                responsible_id: number(obj, "RESPONSIBLE_ID").filter(|id| *id > 0),
                completed: text(obj, "COMPLETED").is_some_and(|c| c.eq_ignore_ascii_case("Y")),
                deadline_ms: text(obj, "DEADLINE")
                    .and_then(|d| parse_iso8601_ms(&d))
                    .map(|ms| ms as i64),
                call: None,
            })
        })
        .collect();
    Ok(ActivityPage {
        items,
        rows: rows.len(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::history::fixtures::*;
    use crate::history::*;

    use crate::rest::error::RestAnswer;
    use serde_json::Value;
    use serde_json::json;

    /// The documented `crm.activity.list` sample row (seed 003), with its string ids.
    fn documented_row() -> Value {
        json!({
            "ID": "20", "OWNER_ID": "15", "OWNER_TYPE_ID": "3", "TYPE_ID": "2",
            "PROVIDER_ID": "VOXIMPLANT_CALL", "PROVIDER_TYPE_ID": "CALL", "PROVIDER_GROUP_ID": null,
            "ASSOCIATED_ENTITY_ID": "0", "SUBJECT": "Outgoing call Nicholas Mitchell",
            "CREATED": "2020-09-27T13:26:55+03:00", "LAST_UPDATED": "2021-03-21T20:28:24+03:00",
            "START_TIME": "2020-09-27T13:25:00+03:00", "END_TIME": "2020-09-27T19:25:00+03:00",
            "DEADLINE": "2020-09-27T13:25:00+03:00", "COMPLETED": "Y", "STATUS": "2",
            "RESPONSIBLE_ID": "505", "PRIORITY": "2", "NOTIFY_TYPE": "1", "NOTIFY_VALUE": "15",
            "DESCRIPTION": "", "DESCRIPTION_TYPE": "1", "DIRECTION": "2", "LOCATION": "",
            "SETTINGS": [], "ORIGINATOR_ID": null, "ORIGIN_ID": null, "AUTHOR_ID": "505",
            "EDITOR_ID": "505", "PROVIDER_PARAMS": [], "PROVIDER_DATA": null, "RESULT_MARK": "0",
            "RESULT_VALUE": null, "RESULT_SUM": null, "RESULT_CURRENCY_ID": null,
            "RESULT_STATUS": "0", "RESULT_STREAM": "0", "RESULT_SOURCE_ID": null,
            "AUTOCOMPLETE_RULE": "0"
        })
    }

    #[test]
    fn queries_are_minimal_and_cursor_shaped() {
        let (m, p) = activity_query(contact(), None);
        assert_eq!(m, "crm.activity.list");
        assert_eq!(p["start"], -1);
        assert_eq!(p["order"], json!({"ID": "DESC"}));
        assert_eq!(
            p["filter"],
            json!({"BINDINGS": [{"OWNER_TYPE_ID": 3, "OWNER_ID": 797}]})
        );
        assert_eq!(p["select"].as_array().unwrap().len(), ACTIVITY_SELECT.len());
        let (_, p) = activity_query(contact(), Some(7000));
        assert_eq!(p["filter"]["<ID"], 7000);

        let (m, p) = statistic_query(contact(), None);
        assert_eq!(m, "voximplant.statistic.get");
        assert_eq!(
            p["FILTER"],
            json!({"CRM_ENTITY_TYPE": "CONTACT", "CRM_ENTITY_ID": 797})
        );
        assert_eq!(
            (p["SORT"].as_str(), p["ORDER"].as_str()),
            (Some("CRM_ACTIVITY_ID"), Some("DESC"))
        );
        let (_, p) = statistic_query(contact(), Some(7000));
        assert_eq!(p["FILTER"]["<CRM_ACTIVITY_ID"], 7000);

        // Both fit one batch without references.
        let mut b = crate::rest::Batch::new();
        let (m, p) = activity_query(contact(), Some(5));
        b.add("h_acts", m, p);
        let (m, p) = statistic_query(contact(), Some(5));
        b.add("h_stats", m, p);
        assert_eq!(b.check_references(), Ok(()));
        let cmd = &b.to_params()[0]["cmd"];
        assert!(cmd["h_acts"].as_str().unwrap().contains("filter[%3CID]=5"));
        assert!(cmd["h_acts"].as_str().unwrap().contains("start=-1"));
    }

    #[test]
    fn decodes_the_documented_sample() {
        // The sample's envelope, with `operating_reset_at` once as an ISO string (as documented)
        // and once as an integer: the activities do not care.
        for reset in [json!("2024-08-26T16:11:37+03:00"), json!(1724678497)] {
            let body = json!({
                "result": [documented_row()],
                "next": 50, "total": 123456,
                "time": {"start": 1724677896.295857, "finish": 1724677897.197243,
                         "duration": 0.901386022567749, "processing": 0.8762130737304688,
                         "date_start": "2024-08-26T16:11:36+03:00", "date_finish": "2024-08-26T16:11:37+03:00",
                         "operating_reset_at": reset, "operating": 0.0162130737304688}
            });
            let answer = RestAnswer::from_body(&body);
            let page = decode_activities(&answer.result).unwrap();
            assert_eq!(page.rows, 1);
            let item = &page.items[0];
            assert_eq!(item.id, 20);
            assert!(item.is_call());
            assert_eq!(item.direction, Direction::Outgoing);
            assert_eq!(item.start, "2020-09-27T13:25:00+03:00");
            // 2020-09-27T10:25:00Z
            assert_eq!(item.start_ms, Some(1_601_202_300_000));
            assert_eq!(item.subject, "Outgoing call Nicholas Mitchell");
            assert_eq!(item.responsible_id, Some(505));
            assert!(item.completed);
            assert_eq!(item.call, None);
        }
        // The COMMUNICATIONS sample: only an id and communications — still an item.
        let page = decode_activities(
            &json!([{"ID": "20", "COMMUNICATIONS": [{"ID": "23", "TYPE": "PHONE"}]}]),
        )
        .unwrap();
        let item = &page.items[0];
        assert_eq!((item.id, item.kind), (20, ActivityKind::Other));
        assert_eq!(
            (item.start_ms, item.direction, item.completed),
            (None, Direction::Unknown, false)
        );
    }

    #[test]
    fn malformed_rows_are_skipped_not_fatal() {
        let page = decode_activities(&json!([
            {"ID": "", "SUBJECT": "no id"},
            {"ID": "undefined"},
            {"ID": "12abc"},
            {"ID": 0},
            "not an object",
            null,
            {"ID": 31, "TYPE_ID": "x", "DIRECTION": [], "START_TIME": "yesterday", "RESPONSIBLE_ID": "",
             "SUBJECT": 42, "COMPLETED": "maybe"},
            {"ID": "32", "TYPE_ID": 4, "DIRECTION": 1, "START_TIME": "2024-04-12T10:00:00+03:00"}
        ]))
        .unwrap();
        assert_eq!(page.rows, 8);
        let ids: Vec<u64> = page.items.iter().map(|i| i.id).collect();
        assert_eq!(ids, vec![31, 32]);
        let odd = &page.items[0];
        assert_eq!(odd.kind, ActivityKind::Other);
        assert_eq!(odd.direction, Direction::Unknown);
        assert_eq!((odd.start.as_str(), odd.start_ms), ("yesterday", None));
        assert_eq!(odd.subject, "42");
        assert_eq!(odd.responsible_id, None);
        assert!(!odd.completed);
        assert_eq!(page.items[1].kind, ActivityKind::Email);
        assert_eq!(page.items[1].direction, Direction::Incoming);
        // PHP's empty map is an empty list; anything else is an error.
        assert_eq!(decode_activities(&json!({})).unwrap().rows, 0);
        assert!(decode_activities(&json!("oops")).is_err());
        assert!(decode_statistics(&json!(7)).is_err());
    }

    #[test]
    fn both_direction_numberings() {
        assert_eq!(Direction::from_activity(Some(1)), Direction::Incoming);
        assert_eq!(Direction::from_activity(Some(2)), Direction::Outgoing);
        assert_eq!(Direction::from_activity(Some(0)), Direction::Unknown);
        assert_eq!(Direction::from_activity(None), Direction::Unknown);
        assert_eq!(Direction::from_call_type(Some(1)), Direction::Outgoing);
        assert_eq!(Direction::from_call_type(Some(2)), Direction::Incoming);
        assert_eq!(Direction::from_call_type(Some(3)), Direction::Incoming);
        assert_eq!(Direction::from_call_type(Some(4)), Direction::Outgoing);
        assert_eq!(Direction::from_call_type(Some(5)), Direction::Unknown);
        let rows = decode_statistics(&json!([
            {"CALL_TYPE": "1", "CRM_ACTIVITY_ID": "7"},
            {"CALL_TYPE": 2, "CRM_ACTIVITY_ID": 8}
        ]))
        .unwrap();
        assert_eq!(rows[0].direction, Direction::Outgoing);
        assert_eq!(rows[1].direction, Direction::Incoming);
    }
}
