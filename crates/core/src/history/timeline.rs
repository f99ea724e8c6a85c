//! The client's history as loaded so far ([`Timeline`]): activities, statistics and comments
//! merged newest first without duplicates, and the paging state of "show more".

use super::MAX_PAGES;
use super::activities::ActivityPage;
use super::activities::CallFacts;
use super::activities::CallOutcome;
use super::activities::HistoryItem;
use super::comments::Comment;
use super::comments::CommentPage;
use super::glance::Glance;
use super::glance::LastCall;
use super::statistics::StatRow;
use super::statistics::StatsAccess;
use super::statistics::StatsState;
use crate::rest::paging::{LIST_PAGE_ROWS, Reason};

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

    /// The `before_id` for the next [`activity_query`](crate::history::activity_query)/[`statistic_query`](crate::history::statistic_query), while there is more.
    pub fn next_cursor(&self) -> Option<u64> {
        self.activities_more().then_some(self.oldest_id).flatten()
    }

    /// The `start` of the next [`comment_query`](crate::history::comment_query), while more comments may follow.
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
        self.comments_more = page.rows >= LIST_PAGE_ROWS && !page.items.is_empty();
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
        } else if page.rows < LIST_PAGE_ROWS {
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
    use crate::call::Direction;
    use crate::history::fixtures::*;
    use crate::history::*;

    use crate::rest::batch::decode_answer;
    use serde_json::Value;
    use serde_json::json;

    use crate::model::time::parse_iso8601_ms;

    fn stat(activity: u64, code: &str, duration: &str) -> Value {
        json!({"ID": (activity + 9000).to_string(), "CALL_TYPE": "2", "CALL_DURATION": duration,
               "CALL_FAILED_CODE": code, "CALL_RECORD_URL": "", "CRM_ACTIVITY_ID": activity.to_string(),
               "CRM_ENTITY_TYPE": "CONTACT", "CRM_ENTITY_ID": "797"})
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
}
