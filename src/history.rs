//! Client history (issue 5): the client's recent CRM activities, calls first, newest first.
//!
//! Two list methods feed it, both small enough to ride in the card's one refresh batch without a
//! `$result` reference:
//!
//! * `crm.activity.list` filtered by `BINDINGS` of the current entity, `order {ID: DESC}`. The first
//!   page uses `start=-1` (no `COUNT(*)`, no `total`); "show more" asks for the next page with a
//!   `<ID` cursor (the oldest id seen) and stops on a short page, a cursor that did not move, or
//!   after [`MAX_PAGES`] pages. `BINDINGS` can return one activity more than once, so rows are
//!   de-duplicated by id.
//! * `voximplant.statistic.get` filtered by `CRM_ENTITY_TYPE`/`CRM_ENTITY_ID`: duration, result
//!   and recording of each call, joined to the activities by `CRM_ACTIVITY_ID`. It needs the
//!   "Call statistics — View" permission and the `telephony` scope; where the user lacks them
//!   (a per-key error in the batch) the timeline still works and claims nothing about calls.
//!
//! Note the two methods number call directions the other way round: activity `DIRECTION` 1 is
//! incoming, statistics `CALL_TYPE` 1 is outgoing (reference §4.2, §4.3).
//!
//! Everything here is pure (host-tested); the card sends the queries and renders [`Timeline`].

use serde_json::{Map, Value, json};

use crate::model::entity::EntityRef;
use crate::model::value::{DecodeError, as_list, opt_text, opt_u64};
use crate::rest::error::{ErrorClass, RestAnswer, RestError};
use crate::rest::operating::parse_iso8601_ms;
use crate::rest::paging::{PAGE_SIZE, Reason};

/// The most activity pages "show more" loads (the first page included): 500 activities.
pub const MAX_PAGES: u32 = 10;

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
];

/// `crm.activity.list` for `entity`'s activities, newest id first, 50 a page. `before_id: None`
/// is the first page (`start=-1`: no `total`, much cheaper); `Some(id)` the page of activities
/// older than `id` ([`Timeline::next_cursor`]).
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

/// `voximplant.statistic.get` for the calls with `entity` (the statistics know only the one CRM
/// item a call was made with, so a company's history does not see calls made to its contacts),
/// latest activity first, 50 rows. With `before_activity_id` (the same cursor as
/// [`activity_query`]) it covers the calls of the next activity page.
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

/// Which way a call (or an email) went.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Direction {
    Incoming,
    Outgoing,
    Unknown,
}

impl Direction {
    /// Activity `DIRECTION`: 1 incoming, 2 outgoing.
    pub fn from_activity(code: Option<u64>) -> Direction {
        match code {
            Some(1) => Direction::Incoming,
            Some(2) => Direction::Outgoing,
            _ => Direction::Unknown,
        }
    }

    /// Statistics `CALL_TYPE`: 1 outgoing, 2 incoming, 3 incoming redirected, 4 callback (an
    /// outgoing call the portal places).
    pub fn from_call_type(code: Option<u64>) -> Direction {
        match code {
            Some(1 | 4) => Direction::Outgoing,
            Some(2 | 3) => Direction::Incoming,
            _ => Direction::Unknown,
        }
    }
}

/// What kind of activity a timeline entry is (`TYPE_ID`, reference §4.2).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ActivityKind {
    Call,
    Meeting,
    Task,
    Email,
    /// Provider-managed, imported or undefined activities.
    Other,
}

impl ActivityKind {
    fn of(type_id: Option<u64>, provider: Option<&str>) -> ActivityKind {
        if provider.is_some_and(|p| p.eq_ignore_ascii_case("VOXIMPLANT_CALL")) {
            return ActivityKind::Call;
        }
        match type_id {
            Some(1) => ActivityKind::Meeting,
            Some(2) => ActivityKind::Call,
            Some(3) => ActivityKind::Task,
            Some(4) => ActivityKind::Email,
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
    /// Statistics of a call, when they were allowed and found; `None` otherwise.
    pub call: Option<CallFacts>,
}

impl HistoryItem {
    pub fn is_call(&self) -> bool {
        self.kind == ActivityKind::Call
    }

    /// The timeline order: the newest filed activity first (highest id). This is the order the
    /// portal pages in (`order ID DESC`, `<ID` cursor), so "show more" only ever appends, and a
    /// call that has just ended comes first even when planned activities start later.
    fn sort_key(&self) -> u64 {
        self.id
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

fn text(obj: &Map<String, Value>, key: &str) -> Option<String> {
    opt_text(obj, key).ok().flatten()
}

fn number(obj: &Map<String, Value>, key: &str) -> Option<u64> {
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
                call: None,
            })
        })
        .collect();
    Ok(ActivityPage {
        items,
        rows: rows.len(),
    })
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
fn web_url(s: String) -> Option<String> {
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

/// Reads `voximplant.statistic.get`'s `result`, as leniently as [`decode_activities`]: rows
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

/// The client's history as loaded so far: items newest first, without duplicates, plus the
/// paging state of "show more".
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Timeline {
    items: Vec<HistoryItem>,
    stats: Vec<StatRow>,
    stats_state: StatsState,
    /// The oldest activity id any page brought: the next page's `<ID`.
    oldest_id: Option<u64>,
    pages: u32,
    end: Option<Reason>,
}

impl Default for Timeline {
    fn default() -> Timeline {
        Timeline::new()
    }
}

impl Timeline {
    /// Nothing loaded yet: no items, no more pages to ask for.
    pub fn new() -> Timeline {
        Timeline {
            items: Vec::new(),
            stats: Vec::new(),
            stats_state: StatsState::Unknown,
            oldest_id: None,
            pages: 0,
            end: None,
        }
    }

    /// Replaces everything with a first page (a new client, or a fresh load) and its statistics.
    pub fn apply_first_page(&mut self, page: ActivityPage, stats: StatsAccess) {
        *self = Timeline::new();
        self.take_stats(stats);
        self.take_page(page, None);
    }

    /// Adds the next page ("show more", asked with [`Timeline::next_cursor`]) and the statistics
    /// asked with the same cursor (`StatsAccess::Unknown` when they were not asked). Activities
    /// already shown are updated, not repeated. A page after the end is ignored.
    pub fn append_page(&mut self, page: ActivityPage, stats: StatsAccess) {
        if !self.has_more() {
            return;
        }
        self.take_stats(stats);
        let cursor = self.oldest_id;
        self.take_page(page, cursor);
    }

    /// Adds or refreshes one activity (e.g. the call that has just ended). Call facts it does not
    /// bring are kept from the earlier version or taken from the statistics already loaded.
    /// Paging is not affected.
    pub fn insert_or_update(&mut self, item: HistoryItem) {
        self.put(item);
    }

    /// Whether "show more" can load another page.
    pub fn has_more(&self) -> bool {
        self.end.is_none() && self.oldest_id.is_some()
    }

    /// The `before_id` for the next [`activity_query`]/[`statistic_query`], while there is more.
    pub fn next_cursor(&self) -> Option<u64> {
        self.has_more().then_some(self.oldest_id).flatten()
    }

    /// Why paging ended (`ShortPage`, `Empty`, `CursorStuck`, `Cap`), or `None` while there is more
    /// or before the first page.
    pub fn end(&self) -> Option<Reason> {
        self.end
    }

    /// The items, newest first.
    pub fn items(&self) -> &[HistoryItem] {
        &self.items
    }

    /// Whether call durations and results can be shown. `Denied` means the card should say so
    /// rather than show calls without a result as if nothing was known.
    pub fn stats_state(&self) -> StatsState {
        self.stats_state
    }

    fn take_stats(&mut self, stats: StatsAccess) {
        match stats {
            StatsAccess::Allowed(rows) => {
                self.stats_state = StatsState::Allowed;
                for row in rows {
                    let known = row.id.is_some() && self.stats.iter().any(|s| s.id == row.id);
                    if !known {
                        self.stats.push(row);
                    }
                }
                // Facts for items already shown (statistics can arrive a page later).
                for i in 0..self.items.len() {
                    if self.items[i].call.is_none() {
                        self.items[i].call = self.facts_for(&self.items[i]);
                    }
                }
            }
            StatsAccess::Denied => self.stats_state = StatsState::Denied,
            // An unknown answer does not undo what an earlier one told.
            StatsAccess::Unknown => {}
        }
    }

    fn take_page(&mut self, page: ActivityPage, cursor: Option<u64>) {
        self.pages += 1;
        let page_oldest = page.items.iter().map(|i| i.id).min();
        for item in page.items {
            self.put(item);
        }
        let advanced = match (page_oldest, cursor) {
            (Some(new), Some(old)) => new < old,
            (Some(_), None) => true,
            (None, _) => false,
        };
        if advanced {
            self.oldest_id = page_oldest;
        }
        self.end = if page.rows == 0 {
            Some(Reason::Empty)
        } else if page.rows < PAGE_SIZE {
            Some(Reason::ShortPage)
        } else if !advanced {
            Some(Reason::CursorStuck)
        } else if self.pages >= MAX_PAGES {
            Some(Reason::Cap)
        } else {
            None
        };
    }

    /// The statistics row of a call: an answered one if there are several (a transferred call).
    fn facts_for(&self, item: &HistoryItem) -> Option<CallFacts> {
        if !item.is_call() {
            return None;
        }
        let mut rows = self.stats.iter().filter(|s| s.activity_id == Some(item.id));
        let first = rows.next()?;
        let answered = std::iter::once(first)
            .chain(rows)
            .find(|s| s.facts.outcome == Some(CallOutcome::Answered));
        Some(answered.unwrap_or(first).facts.clone())
    }

    /// Inserts in timeline order, replacing an item with the same id.
    fn put(&mut self, mut item: HistoryItem) {
        if let Some(at) = self.items.iter().position(|i| i.id == item.id) {
            let old = self.items.remove(at);
            if item.call.is_none() {
                item.call = old.call;
            }
        }
        if item.call.is_none() {
            item.call = self.facts_for(&item);
        }
        let key = item.sort_key();
        let at = self.items.partition_point(|i| i.sort_key() > key);
        self.items.insert(at, item);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::entity::EntityKind;
    use crate::rest::batch::decode_answer;

    fn contact() -> EntityRef {
        EntityRef::new(EntityKind::Contact, 797)
    }

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

    fn row(id: u64, start: &str) -> Value {
        json!({"ID": id.to_string(), "TYPE_ID": "2", "DIRECTION": "1", "START_TIME": start,
               "SUBJECT": format!("Incoming call {id}"), "RESPONSIBLE_ID": "1", "COMPLETED": "Y"})
    }

    /// A page of `n` call rows with ids `top, top-1, …`, one minute apart.
    fn page(top: u64, n: usize) -> ActivityPage {
        let rows: Vec<Value> = (0..n as u64)
            .map(|k| {
                let id = top - k;
                let (h, m) = (id / 60 % 24, id % 60);
                row(id, &format!("2024-04-12T{h:02}:{m:02}:00+03:00"))
            })
            .collect();
        decode_activities(&Value::Array(rows)).unwrap()
    }

    fn stat(activity: u64, code: &str, duration: &str) -> Value {
        json!({"ID": (activity + 9000).to_string(), "CALL_TYPE": "2", "CALL_DURATION": duration,
               "CALL_FAILED_CODE": code, "CALL_RECORD_URL": "", "CRM_ACTIVITY_ID": activity.to_string(),
               "CRM_ENTITY_TYPE": "CONTACT", "CRM_ENTITY_ID": "797"})
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

    #[test]
    fn duplicates_from_bindings_appear_once() {
        let a = row(10, "2024-04-12T10:00:00+03:00");
        let b = row(11, "2024-04-12T11:00:00+03:00");
        let page = decode_activities(&json!([b, b, a, a, b])).unwrap();
        assert_eq!(page.rows, 5);
        let mut t = Timeline::new();
        t.apply_first_page(page, StatsAccess::Unknown);
        let ids: Vec<u64> = t.items().iter().map(|i| i.id).collect();
        assert_eq!(ids, vec![11, 10]);
        assert_eq!(t.end(), Some(Reason::ShortPage));
        assert!(!t.has_more());
        assert_eq!(t.next_cursor(), None);
    }

    #[test]
    fn order_is_newest_filed_first_whatever_the_start_time() {
        let rows = json!([
            row(5, "2024-04-12T09:00:00+03:00"),
            row(4, "2024-04-20T09:00:00+03:00"), // a later start despite a lower id
            row(3, "not a date"),
            row(7, "2024-04-12T09:00:00+03:00"),
            row(6, "2024-04-12T07:00:00+01:00"), // the same instant as 5 and 7
        ]);
        let mut t = Timeline::new();
        t.apply_first_page(decode_activities(&rows).unwrap(), StatsAccess::Unknown);
        let ids: Vec<u64> = t.items().iter().map(|i| i.id).collect();
        // By id: a planned activity (a later start) does not push the newest call down.
        assert_eq!(ids, vec![7, 6, 5, 4, 3]);
    }

    #[test]
    fn paging_goes_on_while_pages_are_full_and_stops_on_a_short_one() {
        let mut t = Timeline::new();
        assert!(!t.has_more(), "nothing loaded, nothing to continue");
        t.apply_first_page(page(200, 50), StatsAccess::Unknown);
        assert!(t.has_more());
        assert_eq!(t.next_cursor(), Some(151));
        t.append_page(page(150, 50), StatsAccess::Unknown);
        assert_eq!(t.next_cursor(), Some(101));
        t.append_page(page(100, 7), StatsAccess::Unknown);
        assert_eq!(t.end(), Some(Reason::ShortPage));
        assert_eq!(t.next_cursor(), None);
        assert_eq!(t.items().len(), 107);
        // A late page after the end changes nothing.
        t.append_page(page(93, 50), StatsAccess::Unknown);
        assert_eq!(t.items().len(), 107);
    }

    #[test]
    fn paging_stops_when_the_cursor_does_not_move() {
        let mut t = Timeline::new();
        t.apply_first_page(page(200, 50), StatsAccess::Unknown);
        // The portal ignored `<ID` and sent the first page again.
        t.append_page(page(200, 50), StatsAccess::Unknown);
        assert_eq!(t.end(), Some(Reason::CursorStuck));
        assert!(!t.has_more());
        assert_eq!(t.items().len(), 50);
        // A full page of unreadable rows cannot move the cursor either.
        let mut t = Timeline::new();
        t.apply_first_page(page(200, 50), StatsAccess::Unknown);
        let junk = Value::Array(vec![json!({"ID": ""}); 50]);
        t.append_page(decode_activities(&junk).unwrap(), StatsAccess::Unknown);
        assert_eq!(t.end(), Some(Reason::CursorStuck));
        // An empty first page.
        let mut t = Timeline::new();
        t.apply_first_page(decode_activities(&json!([])).unwrap(), StatsAccess::Unknown);
        assert_eq!(t.end(), Some(Reason::Empty));
        assert!(t.items().is_empty() && !t.has_more());
    }

    #[test]
    fn paging_stops_at_the_cap() {
        let mut t = Timeline::new();
        let mut top = 10_000;
        t.apply_first_page(page(top, 50), StatsAccess::Unknown);
        let mut pages = 1;
        while let Some(cursor) = t.next_cursor() {
            top = cursor - 1;
            t.append_page(page(top, 50), StatsAccess::Unknown);
            pages += 1;
            assert!(pages <= MAX_PAGES, "runaway paging");
        }
        assert_eq!(pages, MAX_PAGES);
        assert_eq!(t.end(), Some(Reason::Cap));
        assert_eq!(t.items().len(), 50 * MAX_PAGES as usize);
    }

    #[test]
    fn statistics_join_by_activity_id() {
        let rows = json!([row(12, "2024-04-12T12:00:00+03:00"), row(11, "2024-04-12T11:00:00+03:00"),
            {"ID": "10", "TYPE_ID": "1", "SUBJECT": "Meeting", "START_TIME": "2024-04-12T10:00:00+03:00"}]);
        let stats = decode_statistics(&json!([
            stat(12, "200", "95"),
            stat(10, "200", "5"), // a row pointing at a meeting is ignored
            stat(9, "304", "0")   // an activity not loaded yet
        ]))
        .unwrap();
        let mut t = Timeline::new();
        t.apply_first_page(
            decode_activities(&rows).unwrap(),
            StatsAccess::Allowed(stats),
        );
        assert_eq!(t.stats_state(), StatsState::Allowed);
        let i = t.items();
        assert_eq!(i[0].call.as_ref().unwrap().duration_s, Some(95));
        assert_eq!(
            i[0].call.as_ref().unwrap().outcome,
            Some(CallOutcome::Answered)
        );
        assert_eq!(i[1].call, None, "no statistics row: nothing claimed");
        assert_eq!(i[2].call, None);
        // Activity 9 arrives later and finds its row.
        let mut t2 = t.clone();
        t2.insert_or_update(
            decode_activities(&json!([row(9, "2024-04-12T09:00:00+03:00")]))
                .unwrap()
                .items
                .remove(0),
        );
        assert_eq!(
            t2.items()[3].call.as_ref().unwrap().outcome,
            Some(CallOutcome::Missed)
        );
        // A transferred call with two rows: the answered leg wins.
        let mut second = stat(11, "200", "40");
        second["ID"] = json!("77");
        let stats = decode_statistics(&json!([stat(11, "304", "0"), second])).unwrap();
        let mut t = Timeline::new();
        t.apply_first_page(
            decode_activities(&rows).unwrap(),
            StatsAccess::Allowed(stats),
        );
        assert_eq!(t.items()[1].call.as_ref().unwrap().duration_s, Some(40));
    }

    #[test]
    fn denied_statistics_leave_the_timeline_working() {
        let rows = json!([row(12, "2024-04-12T12:00:00+03:00")]);
        for code in ["ACCESS_DENIED", "insufficient_scope"] {
            let answer = decode_answer(&json!({
                "result": {"h_acts": rows.clone()},
                "result_error": {"h_stats": {"error": code, "error_description": "Access denied!"}}
            }))
            .unwrap();
            let acts = decode_activities(&answer.get("h_acts").unwrap().result).unwrap();
            let stats = StatsAccess::from_answer(answer.get("h_stats"));
            assert_eq!(stats, StatsAccess::Denied, "{code}");
            let mut t = Timeline::new();
            t.apply_first_page(acts, stats);
            assert_eq!(t.stats_state(), StatsState::Denied);
            assert_eq!(t.items().len(), 1);
            assert_eq!(t.items()[0].call, None);
        }
        // Other failures: unknown, not denied.
        let answer = decode_answer(&json!({"result": {"h_stats": "garbage"},
            "result_error": {"x": {"error": "INTERNAL_SERVER_ERROR"}}}))
        .unwrap();
        assert_eq!(
            StatsAccess::from_answer(answer.get("h_stats")),
            StatsAccess::Unknown
        );
        assert_eq!(
            StatsAccess::from_answer(answer.get("x")),
            StatsAccess::Unknown
        );
        assert_eq!(
            StatsAccess::from_answer(answer.get("missing")),
            StatsAccess::Unknown
        );
    }

    #[test]
    fn statistics_of_a_later_page_fill_calls_already_shown() {
        let mut t = Timeline::new();
        t.apply_first_page(page(200, 50), StatsAccess::Denied);
        assert_eq!(t.stats_state(), StatsState::Denied);
        // Unknown does not undo Denied.
        t.append_page(page(150, 50), StatsAccess::Unknown);
        assert_eq!(t.stats_state(), StatsState::Denied);
        let stats =
            decode_statistics(&json!([stat(160, "200", "12"), stat(120, "603", "0")])).unwrap();
        t.append_page(page(100, 50), StatsAccess::Allowed(stats));
        assert_eq!(t.stats_state(), StatsState::Allowed);
        let find = |id: u64| t.items().iter().find(|i| i.id == id).unwrap().call.clone();
        assert_eq!(find(160).unwrap().duration_s, Some(12));
        assert_eq!(find(120).unwrap().outcome, Some(CallOutcome::Declined));
    }

    #[test]
    fn a_finished_call_is_inserted_then_updated() {
        let mut t = Timeline::new();
        t.apply_first_page(page(200, 50), StatsAccess::Allowed(Vec::new()));
        let cursor = t.next_cursor();
        let mut call = decode_activities(&json!([{"ID": 12001, "TYPE_ID": 2, "DIRECTION": 2,
            "START_TIME": "2024-04-13T09:00:00+03:00", "COMPLETED": "N", "SUBJECT": "Outgoing call"}]))
        .unwrap()
        .items
        .remove(0);
        t.insert_or_update(call.clone());
        assert_eq!(t.items()[0].id, 12001);
        assert_eq!(t.items().len(), 51);
        assert_eq!(t.next_cursor(), cursor, "paging is not affected");
        call.completed = true;
        call.call = Some(CallFacts {
            duration_s: Some(42),
            outcome: Some(CallOutcome::Answered),
            record_url: None,
        });
        t.insert_or_update(call.clone());
        assert_eq!(t.items().len(), 51);
        assert!(t.items()[0].completed);
        // A refresh of the row without facts keeps the facts it had.
        call.call = None;
        t.insert_or_update(call);
        assert_eq!(t.items()[0].call.as_ref().unwrap().duration_s, Some(42));
    }
}
