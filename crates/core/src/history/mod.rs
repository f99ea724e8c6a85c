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
    "DEADLINE",
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
    /// A to-do (`TYPE_ID` 6, `CRM_TODO`): what `crm.activity.todo.add` files, e.g. a callback.
    Todo,
    /// Provider-managed, imported or undefined activities.
    Other,
}

impl ActivityKind {
    fn of(type_id: Option<u64>, provider: Option<&str>) -> ActivityKind {
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
    fn sort_key(&self) -> (i64, u64) {
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

/// The comment fields [`decode_comments`] reads (`FILES` is not shown, so not asked for).
const COMMENT_SELECT: &[&str] = &["ID", "CREATED", "AUTHOR_ID", "COMMENT"];

/// `crm.timeline.comment.list` for `entity`'s timeline comments (issue 11), newest first, 50 a
/// page from offset `start` (0 for the first). `ENTITY_TYPE` is the lowercase type name.
pub fn comment_query(entity: EntityRef, start: usize) -> (&'static str, Value) {
    (
        "crm.timeline.comment.list",
        json!({
            "filter": {"ENTITY_ID": entity.id, "ENTITY_TYPE": entity.kind.name().to_ascii_lowercase()},
            "order": {"CREATED": "DESC"},
            "select": COMMENT_SELECT,
            "start": start,
        }),
    )
}

/// One timeline comment, shown as text with its author.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Comment {
    pub id: u64,
    /// `CREATED` as sent; empty when there was none.
    pub created: String,
    pub created_ms: Option<i64>,
    /// The comment as plain text: BB-code tags removed, never markup.
    pub text: String,
    pub author_id: Option<u64>,
}

impl Comment {
    fn sort_key(&self) -> (i64, u64) {
        (self.created_ms.unwrap_or(i64::MIN), self.id)
    }
}

/// One decoded `crm.timeline.comment.list` page.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct CommentPage {
    pub items: Vec<Comment>,
    /// How many rows the page had, unreadable ones included.
    pub rows: usize,
}

/// Removes BB-code tags (`[b]`, `[/url]`, `[url=…]`, `[*]`, …) from a comment: the card shows
/// text only. Brackets that are not a tag of letters (`[2]`, `[ ]`, a lone `[`) stay.
pub fn plain_text(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(open) = rest.find('[') {
        out.push_str(&rest[..open]);
        let after = &rest[open + 1..];
        let tag = after.find(']').map(|close| &after[..close]).filter(|t| {
            let name = t.strip_prefix('/').unwrap_or(t);
            let name = name.split('=').next().unwrap_or("");
            name == "*"
                || (!name.is_empty()
                    && name.len() <= 8
                    && name.chars().all(|c| c.is_ascii_alphabetic()))
        });
        match tag {
            Some(t) => rest = &after[t.len() + 1..],
            None => {
                out.push('[');
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out.trim().to_string()
}

/// Reads `crm.timeline.comment.list`'s `result` as leniently as [`decode_activities`]: ids as
/// numbers or strings, a row without a usable id (or not an object) skipped, PHP's empty map
/// as no rows. Only a `result` that is not a list is an error.
pub fn decode_comments(result: &Value) -> Result<CommentPage, DecodeError> {
    let rows = as_list(result, "comment list")?;
    let items = rows
        .iter()
        .filter_map(Value::as_object)
        .filter_map(|obj| {
            let id = number(obj, "ID").filter(|id| *id > 0)?;
            let created = text(obj, "CREATED").unwrap_or_default();
            Some(Comment {
                id,
                created_ms: parse_iso8601_ms(&created).map(|ms| ms as i64),
                created,
                text: plain_text(&text(obj, "COMMENT").unwrap_or_default()),
                author_id: number(obj, "AUTHOR_ID").filter(|id| *id > 0),
            })
        })
        .collect();
    Ok(CommentPage {
        items,
        rows: rows.len(),
    })
}

/// One line of the history: an activity or a comment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Entry<'a> {
    Activity(&'a HistoryItem),
    Comment(&'a Comment),
}

impl Entry<'_> {
    /// The entry's moment (Unix ms), when known.
    pub fn at_ms(&self) -> Option<i64> {
        match self {
            Entry::Activity(a) => a.start_ms,
            Entry::Comment(c) => c.created_ms,
        }
    }

    fn sort_key(&self) -> (i64, u64) {
        match self {
            Entry::Activity(a) => a.sort_key(),
            Entry::Comment(c) => c.sort_key(),
        }
    }
}

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
    /// Timeline comments, newest first (issue 11).
    comments: Vec<Comment>,
    /// Comment rows read so far: the next comment page's `start`.
    comment_rows: usize,
    /// Whether more comments may follow (the last comment page was full).
    comments_more: bool,
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
            comments: Vec::new(),
            comment_rows: 0,
            comments_more: false,
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
        if !self.activities_more() {
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

    /// Whether "show more" can load another page (of activities or of comments).
    pub fn has_more(&self) -> bool {
        self.activities_more() || self.comments_more
    }

    fn activities_more(&self) -> bool {
        self.end.is_none() && self.oldest_id.is_some()
    }

    /// The `before_id` for the next [`activity_query`]/[`statistic_query`], while there is more.
    pub fn next_cursor(&self) -> Option<u64> {
        self.activities_more().then_some(self.oldest_id).flatten()
    }

    /// The `start` of the next [`comment_query`], while more comments may follow.
    pub fn next_comment_start(&self) -> Option<usize> {
        self.comments_more.then_some(self.comment_rows)
    }

    /// Takes a page of comments: the first (with the first activity page) or the next one
    /// ("show more"). `None`: the comments could not be read; the history goes on without them
    /// and asks for no more. Comments already shown are updated, not repeated.
    pub fn take_comments(&mut self, page: Option<CommentPage>) {
        let Some(page) = page else {
            self.comments_more = false;
            return;
        };
        self.comment_rows += page.rows;
        self.comments_more = page.rows >= PAGE_SIZE && !page.items.is_empty();
        for c in page.items {
            self.insert_comment(c);
        }
    }

    /// Adds or replaces one comment (e.g. a note just saved), in date order.
    pub fn insert_comment(&mut self, c: Comment) {
        self.comments.retain(|k| k.id != c.id);
        let key = c.sort_key();
        let at = self.comments.partition_point(|k| k.sort_key() > key);
        self.comments.insert(at, c);
    }

    /// The comments, newest first.
    pub fn comments(&self) -> &[Comment] {
        &self.comments
    }

    /// Activities and comments merged by date and time, newest first (undated ones last).
    pub fn entries(&self) -> Vec<Entry<'_>> {
        let mut out = Vec::with_capacity(self.items.len() + self.comments.len());
        let (mut a, mut c) = (
            self.items.iter().peekable(),
            self.comments.iter().peekable(),
        );
        loop {
            let take_comment = match (a.peek(), c.peek()) {
                (None, None) => break,
                (Some(_), None) => false,
                (None, Some(_)) => true,
                (Some(x), Some(y)) => y.sort_key().0 > x.sort_key().0,
            };
            if take_comment {
                out.extend(c.next().map(Entry::Comment));
            } else {
                out.extend(a.next().map(Entry::Activity));
            }
        }
        debug_assert!(
            out.windows(2)
                .all(|w| w[0].sort_key().0 >= w[1].sort_key().0)
        );
        out
    }

    /// The users the history names (responsible users and comment authors), each once.
    pub fn people(&self) -> Vec<u64> {
        let mut ids: Vec<u64> = Vec::new();
        let all = self
            .items
            .iter()
            .filter_map(|i| i.responsible_id)
            .chain(self.comments.iter().filter_map(|c| c.author_id));
        for id in all {
            if !ids.contains(&id) {
                ids.push(id);
            }
        }
        ids
    }

    /// "At a glance": the newest finished call (completed, or with statistics — the call in
    /// progress has neither) and the open to-dos with the nearest due time.
    pub fn glance(&self) -> Glance {
        let last_call = self
            .items
            .iter()
            .find(|i| i.is_call() && (i.completed || i.call.is_some()))
            .map(|i| LastCall {
                at_ms: i.start_ms,
                direction: i.direction,
                responsible_id: i.responsible_id,
                outcome: i.call.as_ref().and_then(|c| c.outcome.clone()),
                duration_s: i.call.as_ref().and_then(|c| c.duration_s),
            });
        let open: Vec<&HistoryItem> = self.items.iter().filter(|i| i.is_open_todo()).collect();
        Glance {
            last_call,
            open_todos: open.len(),
            next_due_ms: open
                .iter()
                .filter_map(|i| i.deadline_ms.or(i.start_ms))
                .min(),
        }
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

    /// Issue 11: by date and time, not by id; the same instant by id; undated ones last.
    #[test]
    fn order_is_by_date_and_time_then_id() {
        let rows = json!([
            row(5, "2024-04-12T09:00:00+03:00"),
            row(4, "2024-04-20T09:00:00+03:00"), // a later start despite a lower id
            row(3, "not a date"),
            row(7, "2024-04-12T09:00:00+03:00"),
            row(6, "2024-04-12T07:00:00+01:00"), // the same instant as 5 and 7
            row(2, "2024-04-12T05:59:59Z"),      // one second earlier
        ]);
        let mut t = Timeline::new();
        t.apply_first_page(decode_activities(&rows).unwrap(), StatsAccess::Unknown);
        let ids: Vec<u64> = t.items().iter().map(|i| i.id).collect();
        assert_eq!(ids, vec![4, 7, 6, 5, 2, 3]);
        // Paging still follows ids: the cursor is the lowest id seen.
        assert_eq!(t.end(), Some(Reason::ShortPage));
        let mut t = Timeline::new();
        t.apply_first_page(page(200, 50), StatsAccess::Unknown);
        assert_eq!(t.next_cursor(), Some(151));
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

    fn comment(id: u64, created: &str, text: &str, author: &str) -> Value {
        json!({"ID": id.to_string(), "ENTITY_ID": "797", "ENTITY_TYPE": "contact", "CREATED": created,
               "COMMENT": text, "AUTHOR_ID": author, "FILES": {}})
    }

    #[test]
    fn comment_query_is_by_entity_newest_first() {
        let (m, p) = comment_query(contact(), 0);
        assert_eq!(m, "crm.timeline.comment.list");
        assert_eq!(
            p["filter"],
            json!({"ENTITY_ID": 797, "ENTITY_TYPE": "contact"})
        );
        assert_eq!(p["order"], json!({"CREATED": "DESC"}));
        assert_eq!(p["start"], 0);
        assert!(!p["select"].to_string().contains("FILES"));
        let (_, p) = comment_query(EntityRef::new(EntityKind::Company, 5), 50);
        assert_eq!(p["filter"]["ENTITY_TYPE"], "company");
        assert_eq!(p["start"], 50);
    }

    #[test]
    fn comments_decode_leniently_as_text() {
        let page = decode_comments(&json!([
            comment(3, "2024-04-12T10:00:00+03:00", "[b]Called back[/b], agreed [url=https://x.example]terms[/url]", "5"),
            {"ID": 4, "CREATED": "yesterday", "COMMENT": 42, "AUTHOR_ID": ""},
            {"ID": "", "COMMENT": "no id"},
            {"ID": "x1"},
            "junk",
            null,
            {"ID": "9", "COMMENT": "<img src=x onerror=alert(1)> [2] items [ ok"}
        ]))
        .unwrap();
        assert_eq!(page.rows, 7);
        let ids: Vec<u64> = page.items.iter().map(|c| c.id).collect();
        assert_eq!(ids, vec![3, 4, 9]);
        assert_eq!(page.items[0].text, "Called back, agreed terms");
        assert_eq!(page.items[0].author_id, Some(5));
        assert_eq!(page.items[0].created_ms, Some(1_712_905_200_000));
        assert_eq!(
            (page.items[1].text.as_str(), page.items[1].created_ms),
            ("42", None)
        );
        assert_eq!(page.items[1].author_id, None);
        // Markup stays text (the view writes it as text); non-tag brackets stay.
        assert_eq!(
            page.items[2].text,
            "<img src=x onerror=alert(1)> [2] items [ ok"
        );
        assert_eq!(decode_comments(&json!({})).unwrap().rows, 0);
        assert!(decode_comments(&json!("oops")).is_err());
        assert!(decode_comments(&json!({"a": 1})).is_err());
    }

    #[test]
    fn comments_merge_into_the_history_by_time() {
        let mut t = Timeline::new();
        t.apply_first_page(
            decode_activities(&json!([
                row(12, "2024-04-12T12:00:00+03:00"),
                row(10, "2024-04-12T10:00:00+03:00"),
                row(11, "bad date"),
            ]))
            .unwrap(),
            StatsAccess::Unknown,
        );
        t.take_comments(Some(
            decode_comments(&json!([
                comment(2, "2024-04-12T11:00:00+03:00", "after the 10:00 call", "7"),
                comment(
                    1,
                    "2024-04-12T09:00:00Z",
                    "latest of all (12:00 Moscow is 09:00Z)",
                    "8"
                ),
                comment(3, "2024-04-12T13:00:00+03:00", "newest", "8"),
            ]))
            .unwrap(),
        ));
        let order: Vec<String> = t
            .entries()
            .iter()
            .map(|e| match e {
                Entry::Activity(a) => format!("a{}", a.id),
                Entry::Comment(c) => format!("c{}", c.id),
            })
            .collect();
        // c1 and a12 are the same instant: the activity (higher id) first.
        assert_eq!(order, vec!["c3", "a12", "c1", "c2", "a10", "a11"]);
        assert_eq!(t.people(), vec![1, 8, 7]);
        assert!(!t.has_more(), "short pages of both");
        // A comment saved just now joins at once, once.
        let mut saved = decode_comments(&json!([comment(
            4,
            "2024-04-12T14:00:00+03:00",
            "note",
            "1"
        )]))
        .unwrap()
        .items
        .remove(0);
        t.insert_comment(saved.clone());
        saved.text = "note (read back)".into();
        t.insert_comment(saved);
        assert_eq!(t.comments().len(), 4);
        assert!(matches!(t.entries()[0], Entry::Comment(c) if c.text == "note (read back)"));
    }

    #[test]
    fn comment_paging_follows_full_pages_and_a_failure_stops_it() {
        let full: Vec<Value> = (0..50u64)
            .map(|k| comment(500 - k, "2024-04-12T10:00:00+03:00", "x", "1"))
            .collect();
        let mut t = Timeline::new();
        t.apply_first_page(page(200, 7), StatsAccess::Unknown);
        assert!(!t.has_more());
        t.take_comments(Some(decode_comments(&Value::Array(full.clone())).unwrap()));
        assert!(t.has_more(), "a full comment page: maybe more");
        assert_eq!(t.next_cursor(), None, "activities are done");
        assert_eq!(t.next_comment_start(), Some(50));
        // The portal sent the same page again: no duplicates.
        t.take_comments(Some(decode_comments(&Value::Array(full)).unwrap()));
        assert_eq!(t.comments().len(), 50);
        assert_eq!(t.next_comment_start(), Some(100));
        t.take_comments(Some(
            decode_comments(&json!([comment(1, "", "old", "1")])).unwrap(),
        ));
        assert_eq!(t.next_comment_start(), None);
        assert!(!t.has_more());
        // Unreadable comments: the history goes on without them.
        let mut t = Timeline::new();
        t.apply_first_page(page(200, 50), StatsAccess::Unknown);
        t.take_comments(None);
        assert!(t.comments().is_empty());
        assert_eq!(t.next_comment_start(), None);
        assert!(t.has_more(), "activities still page");
    }

    #[test]
    fn glance_tells_the_last_finished_call_and_the_open_todos() {
        let rows = json!([
            // The call in progress: open, no statistics yet.
            {"ID": "30", "TYPE_ID": "2", "DIRECTION": "1", "START_TIME": "2024-04-13T09:00:00+03:00", "COMPLETED": "N", "RESPONSIBLE_ID": "1"},
            {"ID": "29", "TYPE_ID": "2", "DIRECTION": "2", "START_TIME": "2024-04-12T15:00:00+03:00", "COMPLETED": "Y", "RESPONSIBLE_ID": "7"},
            {"ID": "20", "TYPE_ID": "2", "DIRECTION": "1", "START_TIME": "2024-04-10T15:00:00+03:00", "COMPLETED": "Y", "RESPONSIBLE_ID": "1"},
            {"ID": "31", "TYPE_ID": "6", "PROVIDER_ID": "CRM_TODO", "START_TIME": "2024-04-13T09:05:00+03:00",
             "DEADLINE": "2024-04-15T10:00:00+03:00", "COMPLETED": "N", "SUBJECT": "Call back"},
            {"ID": "25", "TYPE_ID": "3", "START_TIME": "2024-04-14T18:00:00+03:00", "DEADLINE": "", "COMPLETED": "N"},
            {"ID": "26", "TYPE_ID": "1", "START_TIME": "2024-04-11T18:00:00+03:00", "COMPLETED": "Y"}
        ]);
        let stats = decode_statistics(&json!([stat(29, "200", "125")])).unwrap();
        let mut t = Timeline::new();
        t.apply_first_page(
            decode_activities(&rows).unwrap(),
            StatsAccess::Allowed(stats),
        );
        assert_eq!(
            t.items().iter().find(|i| i.id == 31).unwrap().kind,
            ActivityKind::Todo
        );
        let g = t.glance();
        let last = g.last_call.unwrap();
        assert_eq!(last.responsible_id, Some(7));
        assert_eq!(last.direction, Direction::Outgoing);
        assert_eq!(last.outcome, Some(CallOutcome::Answered));
        assert_eq!(last.duration_s, Some(125));
        assert_eq!(g.open_todos, 2);
        // The task without a deadline counts by its start (the 14th), before the to-do's 15th.
        assert_eq!(
            g.next_due_ms,
            parse_iso8601_ms("2024-04-14T18:00:00+03:00").map(|m| m as i64)
        );
        // Nothing loaded: nothing claimed.
        assert_eq!(Timeline::new().glance(), Glance::default());
    }

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

    #[test]
    fn plain_text_drops_bb_tags_only() {
        assert_eq!(plain_text("[B]bold[/B] [i]it[/i]"), "bold it");
        assert_eq!(plain_text("[list][*]one[*]two[/list]"), "onetwo");
        assert_eq!(plain_text("[COLOR=#ff0000]red[/COLOR]"), "red");
        assert_eq!(
            plain_text("price [50%] [ ] [a b] ["),
            "price [50%] [ ] [a b] ["
        );
        assert_eq!(plain_text("  "), "");
        assert_eq!(plain_text("Привет [b]мир[/b]"), "Привет мир");
    }
}
