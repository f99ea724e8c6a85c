//! List paging that always ends. Bitrix24 lists return 50 rows a page; there are two ways on:
//!
//! * [`CursorPager`] — "everything": `start: -1` (no `COUNT(*)`, much cheaper on big tables),
//!   `order: {ID: "ASC"}` and `filter: {">ID": last}`. The order is **replaced**, not merged: the
//!   cursor is only correct when rows come in ascending id order, and any other sort key in
//!   front of it would skip rows. Sort on the client if another order is needed.
//! * [`OffsetPager`] — "first page now, more on demand": `start`, then the answer's `next`.
//!
//! Both stop on every way a page can fail to make progress (the official SDK's loop can run
//! forever when a method ignores the `>ID` filter, and stops silently when the row id key
//! differs from the filter key, e.g. `id` in the rows of `crm.item.list`
//! against an `ID` filter). Pages run one after another by
//! construction: the next parameters depend on the previous answer.

use serde_json::{Map, Value, json};

use crate::model::value::value_u64;

/// Rows per page of a Bitrix24 list method (`*.list` with `start`/`next`: `crm.activity.list`,
/// `crm.timeline.comment.list`, …); fewer means the last page. The call-list methods have their
/// own: `campaign::CALL_LIST_PAGE_ROWS`.
pub const LIST_PAGE_ROWS: usize = 50;
/// Default hard caps (a card never needs more; a runaway loop costs operating time).
pub const DEFAULT_MAX_PAGES: u32 = 200;
pub const DEFAULT_MAX_ROWS: usize = 10_000;

/// Why paging stopped.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reason {
    /// Fewer rows than a full page: that was the last one.
    ShortPage,
    /// The page brought no rows.
    Empty,
    /// The cursor (last id, or `next`) did not move forward: the method ignores it.
    CursorStuck,
    /// The answer has no `next`: no more pages.
    NoNext,
    /// The page or row cap was reached; there may be more.
    Cap,
    /// The rows (or their ids) could not be read.
    Unreadable,
}

/// What to do after a page.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Step {
    More,
    Done(Reason),
}

/// The rows of a list answer's `result`: a plain array, or the array under `rows_key` (e.g.
/// `items` for `crm.item.list`, `tasks` for `tasks.task.list`). PHP sends an empty map as
/// `[]`, so an empty array under an object-shaped method is fine too.
pub fn rows_of<'a>(result: &'a Value, rows_key: Option<&str>) -> Option<&'a [Value]> {
    match (result, rows_key) {
        (Value::Array(a), _) => Some(a),
        (Value::Object(m), Some(k)) => m.get(k).and_then(|v| v.as_array()).map(|a| a.as_slice()),
        _ => None,
    }
}

/// Finds a key case-insensitively (`filter` / `FILTER`: both spellings are accepted by the portal).
fn key_ci(m: &Map<String, Value>, name: &str) -> Option<String> {
    m.keys().find(|k| k.eq_ignore_ascii_case(name)).cloned()
}

/// What both pagers count: pages and rows against their caps, and why paging ended.
#[derive(Debug, Clone, Copy, PartialEq)]
struct Tally {
    pages: u32,
    rows: usize,
    max_pages: u32,
    max_rows: usize,
    done: Option<Reason>,
}

impl Tally {
    fn new() -> Tally {
        Tally {
            pages: 0,
            rows: 0,
            max_pages: DEFAULT_MAX_PAGES,
            max_rows: DEFAULT_MAX_ROWS,
            done: None,
        }
    }

    /// Counts a page; `Err` with the earlier step when paging has already ended.
    fn count(&mut self, rows: usize) -> Result<(), Step> {
        if let Some(r) = self.done {
            return Err(Step::Done(r));
        }
        self.pages += 1;
        self.rows += rows;
        Ok(())
    }

    /// After a good page: `More`, unless a cap is reached.
    fn more_or_cap(&mut self) -> Step {
        if self.pages >= self.max_pages || self.rows >= self.max_rows {
            return self.finish(Reason::Cap);
        }
        Step::More
    }

    fn finish(&mut self, reason: Reason) -> Step {
        self.done = Some(reason);
        Step::Done(reason)
    }
}

/// Pages through everything with an id cursor.
#[derive(Debug, Clone, PartialEq)]
pub struct CursorPager {
    params: Map<String, Value>,
    filter_key: String,
    id_key: String,
    cursor_key: String,
    order_key: String,
    rows_key: Option<String>,
    last_id: Option<u64>,
    tally: Tally,
}

impl CursorPager {
    /// A pager for `params` (the caller's `filter`, `select`, … — any `order`/`start` is
    /// replaced) with the classic `ID` / `>ID` keys and rows as a plain array. A `>ID` already in
    /// the caller's filter is the starting point.
    pub fn new(params: Value) -> CursorPager {
        let mut params = match params {
            Value::Object(m) => m,
            _ => Map::new(),
        };
        for k in ["order", "start"] {
            while let Some(found) = key_ci(&params, k) {
                params.remove(&found);
            }
        }
        let filter_key = key_ci(&params, "filter").unwrap_or_else(|| "filter".into());
        if !params.get(&filter_key).is_some_and(Value::is_object) {
            params.insert(filter_key.clone(), json!({}));
        }
        let mut p = CursorPager {
            params,
            filter_key,
            id_key: String::new(),
            cursor_key: String::new(),
            order_key: String::new(),
            rows_key: None,
            last_id: None,
            tally: Tally::new(),
        };
        p.set_keys("ID", ">ID");
        p
    }

    /// Rows carry their id under `id_key`; the filter takes `cursor_key` (e.g. `id` / `>id` for
    /// `crm.item.list`, `id` / `>ID` for `tasks.task.list`). The sort key is the cursor key
    /// without `>`.
    pub fn with_keys(mut self, id_key: &str, cursor_key: &str) -> CursorPager {
        self.set_keys(id_key, cursor_key);
        self
    }

    fn set_keys(&mut self, id_key: &str, cursor_key: &str) {
        self.id_key = id_key.into();
        self.cursor_key = cursor_key.into();
        self.order_key = cursor_key.trim_start_matches('>').into();
        // The caller's own `>ID` is where the cursor starts.
        self.last_id = self
            .params
            .get(&self.filter_key)
            .and_then(|f| f.get(cursor_key))
            .and_then(|v| value_u64(v).ok().flatten());
    }

    /// Rows are under this key of `result` (e.g. `items`), for [`accept_result`](Self::accept_result).
    pub fn with_rows_key(mut self, rows_key: &str) -> CursorPager {
        self.rows_key = Some(rows_key.into());
        self
    }

    pub fn with_caps(mut self, max_pages: u32, max_rows: usize) -> CursorPager {
        self.tally.max_pages = max_pages;
        self.tally.max_rows = max_rows;
        self
    }

    pub fn done(&self) -> Option<Reason> {
        self.tally.done
    }

    pub fn rows_seen(&self) -> usize {
        self.tally.rows
    }

    /// The parameters of the next page, or `None` once done.
    pub fn next_params(&self) -> Option<Value> {
        if self.tally.done.is_some() {
            return None;
        }
        let mut p = self.params.clone();
        p.insert("start".into(), json!(-1));
        p.insert("order".into(), json!({ self.order_key.clone(): "ASC" }));
        if let (Some(id), Some(Value::Object(f))) = (self.last_id, p.get_mut(&self.filter_key)) {
            f.insert(self.cursor_key.clone(), json!(id));
        }
        Some(Value::Object(p))
    }

    /// Takes a page's `result` and extracts its rows (see [`rows_of`]).
    pub fn accept_result(&mut self, result: &Value) -> Step {
        match rows_of(result, self.rows_key.as_deref()) {
            Some(rows) => self.accept(rows),
            None => self.finish(Reason::Unreadable),
        }
    }

    /// Takes a page of rows and says whether to fetch another.
    pub fn accept(&mut self, rows: &[Value]) -> Step {
        if let Err(step) = self.tally.count(rows.len()) {
            return step;
        }
        if rows.is_empty() {
            return self.finish(Reason::Empty);
        }
        // The largest id, not the last: a method that ignores `order` must not send us back.
        let mut max: Option<u64> = None;
        for row in rows {
            match row.get(&self.id_key).map(value_u64) {
                Some(Ok(Some(id))) => max = Some(max.map_or(id, |m| m.max(id))),
                _ => return self.finish(Reason::Unreadable),
            }
        }
        let max = max.unwrap_or(0);
        if self.last_id.is_some_and(|last| max <= last) {
            return self.finish(Reason::CursorStuck);
        }
        self.last_id = Some(max);
        if rows.len() < LIST_PAGE_ROWS {
            return self.finish(Reason::ShortPage);
        }
        self.tally.more_or_cap()
    }

    fn finish(&mut self, reason: Reason) -> Step {
        self.tally.finish(reason)
    }
}

/// Pages by `start`/`next`: the first page at once, further ones when the operator asks.
#[derive(Debug, Clone, PartialEq)]
pub struct OffsetPager {
    params: Map<String, Value>,
    start: u64,
    tally: Tally,
}

impl OffsetPager {
    pub fn new(params: Value) -> OffsetPager {
        let mut params = match params {
            Value::Object(m) => m,
            _ => Map::new(),
        };
        while let Some(found) = key_ci(&params, "start") {
            params.remove(&found);
        }
        OffsetPager {
            params,
            start: 0,
            tally: Tally::new(),
        }
    }

    pub fn with_caps(mut self, max_pages: u32, max_rows: usize) -> OffsetPager {
        self.tally.max_pages = max_pages;
        self.tally.max_rows = max_rows;
        self
    }

    pub fn done(&self) -> Option<Reason> {
        self.tally.done
    }

    /// The parameters of the next page, or `None` once done.
    pub fn next_params(&self) -> Option<Value> {
        if self.tally.done.is_some() {
            return None;
        }
        let mut p = self.params.clone();
        p.insert("start".into(), json!(self.start));
        Some(Value::Object(p))
    }

    /// Takes a page: its `next` (as the answer sent it: number, numeric string or absent) and
    /// how many rows it had.
    pub fn accept(&mut self, next: Option<&Value>, rows: usize) -> Step {
        let next = match next.map(value_u64) {
            None | Some(Ok(None)) => None,
            Some(Ok(Some(n))) => Some(n),
            Some(Err(_)) => return self.finish(Reason::Unreadable),
        };
        self.accept_next(next, rows)
    }

    /// [`accept`](Self::accept) with `next` already read (e.g. [`RestAnswer::next`](super::RestAnswer)).
    pub fn accept_next(&mut self, next: Option<u64>, rows: usize) -> Step {
        if let Err(step) = self.tally.count(rows) {
            return step;
        }
        let Some(next) = next else {
            return self.finish(Reason::NoNext);
        };
        if rows == 0 {
            return self.finish(Reason::Empty);
        }
        if next <= self.start {
            return self.finish(Reason::CursorStuck);
        }
        self.start = next;
        self.tally.more_or_cap()
    }

    fn finish(&mut self, reason: Reason) -> Step {
        self.tally.finish(reason)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rest::RestAnswer;

    fn page(from: u64, n: u64) -> Vec<Value> {
        (from..from + n)
            .map(|id| json!({"ID": id.to_string()}))
            .collect()
    }

    #[test]
    fn first_page_uses_start_minus_one_and_id_order() {
        let p = CursorPager::new(json!({
            "filter": {"TYPE_ID": 2},
            "order": {"DATE_CREATE": "DESC"},
            "select": ["ID"],
            "start": 100
        }));
        assert_eq!(
            p.next_params().unwrap(),
            json!({"filter": {"TYPE_ID": 2}, "order": {"ID": "ASC"}, "select": ["ID"], "start": -1})
        );
    }

    #[test]
    fn string_ids_advance_the_cursor_and_short_page_ends() {
        let mut p = CursorPager::new(json!({"filter": {"TYPE_ID": 2}}));
        assert_eq!(p.accept(&page(1, 50)), Step::More);
        assert_eq!(
            p.next_params().unwrap()["filter"],
            json!({"TYPE_ID": 2, ">ID": 50})
        );
        assert_eq!(p.accept(&page(51, 49)), Step::Done(Reason::ShortPage));
        assert_eq!(p.next_params(), None);
        assert_eq!(p.rows_seen(), 99);
        assert_eq!(
            p.accept(&page(1, 50)),
            Step::Done(Reason::ShortPage),
            "stays done"
        );
    }

    #[test]
    fn method_ignoring_the_cursor_stops_instead_of_looping() {
        let mut p = CursorPager::new(json!({}));
        assert_eq!(p.accept(&page(1, 50)), Step::More);
        assert_eq!(p.accept(&page(1, 50)), Step::Done(Reason::CursorStuck));
    }

    #[test]
    fn unordered_page_uses_the_largest_id() {
        let mut p = CursorPager::new(json!({}));
        let mut rows = page(1, 50);
        rows.reverse();
        assert_eq!(p.accept(&rows), Step::More);
        assert_eq!(p.next_params().unwrap()["filter"][">ID"], 50);
    }

    #[test]
    fn empty_page_and_unreadable_ids_end() {
        let mut p = CursorPager::new(json!({}));
        assert_eq!(p.accept(&[]), Step::Done(Reason::Empty));
        let mut p = CursorPager::new(json!({}));
        // Row id under `id` while the pager reads `ID`: stop loudly, not after 50 rows.
        let rows: Vec<_> = (1..=50).map(|i| json!({"id": i})).collect();
        assert_eq!(p.accept(&rows), Step::Done(Reason::Unreadable));
        assert_eq!(p.done(), Some(Reason::Unreadable));
    }

    #[test]
    fn caps_stop_a_huge_table() {
        let mut p = CursorPager::new(json!({})).with_caps(3, usize::MAX);
        assert_eq!(p.accept(&page(1, 50)), Step::More);
        assert_eq!(p.accept(&page(51, 50)), Step::More);
        assert_eq!(p.accept(&page(101, 50)), Step::Done(Reason::Cap));
        let mut p = CursorPager::new(json!({})).with_caps(100, 120);
        assert_eq!(p.accept(&page(1, 50)), Step::More);
        assert_eq!(p.accept(&page(51, 50)), Step::More);
        assert_eq!(p.accept(&page(101, 50)), Step::Done(Reason::Cap));
    }

    #[test]
    fn crm_item_list_rows_under_items_with_lowercase_keys() {
        let mut p = CursorPager::new(json!({"entityTypeId": 2, "filter": {"stageId": "NEW"}}))
            .with_keys("id", ">id")
            .with_rows_key("items");
        let first = p.next_params().unwrap();
        assert_eq!(first["order"], json!({"id": "ASC"}));
        let items: Vec<_> = (1..=50).map(|i| json!({"id": i})).collect();
        assert_eq!(p.accept_result(&json!({"items": items})), Step::More);
        assert_eq!(
            p.next_params().unwrap()["filter"],
            json!({"stageId": "NEW", ">id": 50})
        );
        assert_eq!(
            p.accept_result(&json!({"items": [{"id": 51}]})),
            Step::Done(Reason::ShortPage)
        );
        // Plain arrays are read without a rows key; an object without one is unreadable.
        assert_eq!(rows_of(&json!([1, 2]), None).map(<[_]>::len), Some(2));
        assert_eq!(rows_of(&json!({"items": []}), None), None);
        let mut q = CursorPager::new(json!({})).with_rows_key("items");
        assert_eq!(q.accept_result(&json!("x")), Step::Done(Reason::Unreadable));
    }

    #[test]
    fn caller_cursor_is_the_starting_point_and_uppercase_filter_is_kept() {
        let mut p = CursorPager::new(
            json!({"FILTER": {">ID": "1000", "TYPE_ID": 2}, "ORDER": {"ID": "DESC"}}),
        );
        let first = p.next_params().unwrap();
        assert_eq!(first["FILTER"], json!({">ID": 1000, "TYPE_ID": 2}));
        assert!(first.get("ORDER").is_none() && first.get("filter").is_none());
        // A page at or below the caller's cursor means the filter was ignored.
        assert_eq!(p.accept(&page(1, 50)), Step::Done(Reason::CursorStuck));
        let mut p = CursorPager::new(json!({"filter": {">ID": 1000}}));
        assert_eq!(p.accept(&page(1001, 50)), Step::More);
        assert_eq!(p.next_params().unwrap()["filter"][">ID"], 1050);
    }

    #[test]
    fn offset_pager_follows_next_until_absent() {
        let mut p = OffsetPager::new(json!({"filter": {"OWNER_ID": 5}, "start": 7}));
        assert_eq!(
            p.next_params().unwrap(),
            json!({"filter": {"OWNER_ID": 5}, "start": 0})
        );
        let a = RestAnswer::from_body(&json!({"result": page(1, 50), "next": "50", "total": 120}));
        assert_eq!(p.accept_next(a.next, 50), Step::More);
        assert_eq!(p.next_params().unwrap()["start"], 50);
        assert_eq!(p.accept(Some(&json!("100")), 50), Step::More);
        assert_eq!(p.accept(None, 20), Step::Done(Reason::NoNext));
        assert_eq!(p.next_params(), None);
    }

    #[test]
    fn offset_pager_stops_when_next_does_not_advance_or_is_garbage() {
        let mut p = OffsetPager::new(json!({}));
        assert_eq!(p.accept(Some(&json!(50)), 50), Step::More);
        assert_eq!(
            p.accept(Some(&json!(50)), 50),
            Step::Done(Reason::CursorStuck)
        );
        let mut p = OffsetPager::new(json!({}));
        assert_eq!(
            p.accept(Some(&json!(0)), 50),
            Step::Done(Reason::CursorStuck)
        );
        let mut p = OffsetPager::new(json!({}));
        assert_eq!(
            p.accept(Some(&json!("soon")), 50),
            Step::Done(Reason::Unreadable)
        );
        let mut p = OffsetPager::new(json!({}));
        assert_eq!(p.accept(Some(&json!(50)), 0), Step::Done(Reason::Empty));
    }

    #[test]
    fn offset_pager_caps() {
        let mut p = OffsetPager::new(json!({})).with_caps(2, usize::MAX);
        assert_eq!(p.accept(Some(&json!(50)), 50), Step::More);
        assert_eq!(p.accept(Some(&json!(100)), 50), Step::Done(Reason::Cap));
        let mut p = OffsetPager::new(json!({})).with_caps(100, 50);
        assert_eq!(p.accept(Some(&json!(50)), 50), Step::Done(Reason::Cap));
    }
}
