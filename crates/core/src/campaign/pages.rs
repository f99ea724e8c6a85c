//! Reading a list's items page by page by the portal's rules ([`ItemPages`]), and keeping a
//! read list as a cache that a refresh re-checks a few pages of ([`PageCache`], [`cache_plan`]).

use serde_json::Value;

use super::CALL_LIST_PAGE_ROWS;
use super::ListItem;
use super::commands::decode_items;
use crate::model::value::as_list;

/// The most pages [`ItemPages`] reads of one list (20,000 rows): past it the read is cut and
/// counts as incomplete (a portal that ignores `start` would otherwise be paged forever).
pub const MAX_PAGES: usize = 400;
/// Consecutive empty pages (`ACCESS_ERROR`) that end a list. One empty page is also what a page
/// holding only members the user may not read looks like, so the pager looks one page further.
pub const END_PROBE: usize = 2;

/// Why a read stopped before the portal's end: it is incomplete, whatever it holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Cut {
    /// [`MAX_PAGES`] pages were read and the list went on.
    PageCap,
    /// A page repeated the one before it: the portal ignored `start`.
    Repeated,
    /// A page that was not an array.
    Malformed,
    /// The first page was `ACCESS_ERROR`: no member of the list is readable (or no access).
    NoAccess,
}

/// Collects a list's items page by page, by the portal's rules (no `next`, no `total`).
///
/// The portal cuts a page to 50 rows **before** it leaves out the members the user may not read,
/// and answers an empty page with `ACCESS_ERROR`. So a short page is not the end, and neither is
/// one empty page: the pager reads on until [`END_PROBE`] empty pages in a row (the portal's own
/// end). Rows after a short or empty page prove that members were left out
/// ([`ListRead::hidden_at_least`]); rows without `ID`/`STATUS` are counted, not silently dropped;
/// a repeated page or [`MAX_PAGES`] pages stop the read as [`Cut`].
///
/// Pages must be fed in order of `start`; anything fed after the end is ignored, so a batch
/// may ask several pages ahead ([`ItemPages::next_starts`]).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ItemPages {
    items: Vec<ListItem>,
    next: u64,
    done: bool,
    pages: usize,
    /// Rows missing from the pages read since the last one with rows (short or empty pages).
    missing_since_rows: usize,
    /// Empty pages in a row.
    empty_run: usize,
    hidden_at_least: usize,
    undecoded: usize,
    /// The ids of the last page with rows, for the repeated-page check.
    last_ids: Vec<u64>,
    cut: Option<Cut>,
    /// Per page read (empty ones included): where its items end in `items`, and the rows the
    /// portal sent for it. A complete read is a [`PageCache`]: these say which rows a page held.
    ends: Vec<usize>,
    raws: Vec<usize>,
    /// When the read ended (ms on the caller's clock; 0: not kept), for [`cache_plan`].
    pub read_at: f64,
}

/// What one complete pass of [`ItemPages`] found: the readable members and what is known about
/// the rest. [`ListRead::complete`] says whether a write may be built from it.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ListRead {
    pub items: Vec<ListItem>,
    /// Members proven to be left out (rows came after a short or empty page): at least this many.
    pub hidden_at_least: usize,
    /// Rows the card could not read (no `ID` or `STATUS`).
    pub undecoded: usize,
    /// The read stopped before the portal's end.
    pub cut: Option<Cut>,
    /// The read reached the portal's end (false when a page failed and the pager was dropped).
    pub ended: bool,
}

impl ItemPages {
    pub fn new() -> ItemPages {
        ItemPages::default()
    }

    /// The `start` of the next `n` pages to ask for (empty once the list is complete).
    pub fn next_starts(&self, n: usize) -> Vec<u64> {
        if self.done {
            return Vec::new();
        }
        (0..n as u64)
            .map(|i| self.next + i * CALL_LIST_PAGE_ROWS as u64)
            .collect()
    }

    fn page_done(&mut self, raw: usize) {
        self.ends.push(self.items.len());
        self.raws.push(raw);
        self.pages += 1;
        self.next += CALL_LIST_PAGE_ROWS as u64;
        if self.empty_run >= END_PROBE {
            self.done = true;
        } else if self.pages >= MAX_PAGES {
            self.done = true;
            self.cut = Some(Cut::PageCap);
        }
    }

    fn empty_page(&mut self) {
        self.empty_run += 1;
        self.missing_since_rows += CALL_LIST_PAGE_ROWS;
        self.page_done(0);
    }

    /// Takes the page asked with `start`. Returns `false` when it was not the page expected
    /// (out of order or after the end) and was ignored.
    pub fn feed(&mut self, start: u64, result: &Value) -> bool {
        if self.done || start != self.next {
            return false;
        }
        let Ok(raw) = as_list(result, "list") else {
            self.done = true;
            self.cut = Some(Cut::Malformed);
            return true;
        };
        if raw.is_empty() {
            self.empty_page();
            return true;
        }
        let page = decode_items(result);
        let ids: Vec<u64> = page.iter().map(|i| i.entity_id).collect();
        if !ids.is_empty() && ids == self.last_ids {
            self.done = true;
            self.cut = Some(Cut::Repeated);
            return true;
        }
        // Rows after short or empty pages: what those pages lacked was left out, not the end.
        self.hidden_at_least += self.missing_since_rows;
        self.missing_since_rows = CALL_LIST_PAGE_ROWS.saturating_sub(raw.len());
        self.empty_run = 0;
        self.undecoded += raw.len() - page.len();
        self.last_ids = ids;
        self.items.extend(page);
        self.page_done(raw.len());
        true
    }

    /// Takes an error answer for the page asked with `start`. `ACCESS_ERROR` on any page but the
    /// first is the portal's empty page (`true`); anything else is a real failure (`false`): the
    /// caller reports it and may ask that page again.
    pub fn feed_error(&mut self, start: u64, code: &str) -> bool {
        if self.done {
            return true;
        }
        if start == self.next && start > 0 && code == "ACCESS_ERROR" {
            self.empty_page();
            return true;
        }
        false
    }

    /// Gives the list up after `ACCESS_ERROR` on its first page, when the caller reads several
    /// lists and one of them should not fail the others. The read is incomplete.
    pub fn no_access(&mut self) {
        self.done = true;
        self.cut = Some(Cut::NoAccess);
    }

    pub fn is_done(&self) -> bool {
        self.done
    }

    pub fn items(&self) -> &[ListItem] {
        &self.items
    }

    pub fn into_items(self) -> Vec<ListItem> {
        self.items
    }

    /// What the pages read so far say.
    pub fn into_read(self) -> ListRead {
        ListRead {
            ended: self.done && self.cut.is_none(),
            items: self.items,
            hidden_at_least: self.hidden_at_least,
            undecoded: self.undecoded,
            cut: self.cut,
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Page cache: what to read again after which event (display only, never a write's source)
// ---------------------------------------------------------------------------------------------

/// A list read to the portal's end, kept per list so that a refresh ("Next", a call's end, a
/// choice in the picker) re-reads a few pages instead of the whole list. It is for the
/// progress, the position and the reading line only: a write is built from a fresh read
/// ([`ListRead::complete`]), never from this.
pub type PageCache = ItemPages;

/// Pages the rotation re-reads on every refresh besides the ones that can have changed, so
/// other operators' status changes show within `pages / ROTATE` refreshes (25 on 10,000 items).
pub const ROTATE: usize = 8;

/// One re-read page's answer.
#[derive(Debug, Clone, Copy)]
pub enum PageAnswer<'a> {
    Rows(&'a Value),
    /// `ACCESS_ERROR`: the portal's empty page.
    Empty,
    /// Any other failure.
    Failed,
}

impl ItemPages {
    /// Whether this read reached the portal's end uncut: only such a read is kept as a cache.
    pub fn cacheable(&self) -> bool {
        self.done && self.cut.is_none()
    }

    /// The number of pages read, empty ones included.
    pub fn page_count(&self) -> usize {
        self.ends.len()
    }

    /// The page holding item `index`.
    fn page_of(&self, index: usize) -> usize {
        self.ends.partition_point(|end| *end <= index)
    }

    /// Which pages a refresh re-reads, in `start`s, most needed first; `None`: read the list whole.
    ///
    /// * the page of `previous` (the client shown last: the call just made set its status),
    /// * the page of `current` (the client now: its place and status),
    /// * the last page with rows and the empty one after it: members added at the end, and any
    ///   removed or inserted before it, shift or fill them,
    /// * [`ROTATE`] pages from `tick * ROTATE` on, round the list: other operators' changes.
    ///
    /// `room` is what the batch has left; when even the first three do not fit, `None`.
    pub fn recheck_starts(
        &self,
        previous: Option<usize>,
        current: Option<usize>,
        tick: usize,
        room: usize,
    ) -> Option<Vec<u64>> {
        let n = self.page_count();
        if !self.cacheable() || n == 0 {
            return None;
        }
        let last = self.raws.iter().rposition(|r| *r > 0).unwrap_or(0);
        let mut want: Vec<usize> = Vec::new();
        let must = [
            previous.map(|i| self.page_of(i)),
            current.map(|i| self.page_of(i)),
            Some(last),
            Some(last + 1),
        ];
        for k in must.into_iter().flatten() {
            if !want.contains(&k) {
                want.push(k);
            }
        }
        if want.len() > room {
            return None;
        }
        let from = tick.wrapping_mul(ROTATE) % n;
        for i in 0..ROTATE.min(n) {
            let k = (from + i) % n;
            if want.len() < room && !want.contains(&k) {
                want.push(k);
            }
        }
        Some(
            want.iter()
                .map(|k| (*k * CALL_LIST_PAGE_ROWS) as u64)
                .collect(),
        )
    }

    /// The cache with the re-read pages applied (new statuses), or `None` when the list's
    /// composition may have changed: a page holds other members or another number of rows, a
    /// page past the end has rows, or a page failed. Then the list is read whole again.
    pub fn recheck(mut self, answers: &[(u64, PageAnswer)]) -> Option<PageCache> {
        if !self.cacheable() {
            return None;
        }
        for (start, answer) in answers {
            if !start.is_multiple_of(CALL_LIST_PAGE_ROWS as u64) {
                return None;
            }
            let k = usize::try_from(*start / CALL_LIST_PAGE_ROWS as u64).ok()?;
            let (lo, hi, raw) = match self.ends.get(k) {
                Some(hi) => (
                    k.checked_sub(1).map_or(0, |j| self.ends[j]),
                    *hi,
                    self.raws[k],
                ),
                None => (self.items.len(), self.items.len(), 0),
            };
            match answer {
                PageAnswer::Failed => return None,
                PageAnswer::Empty if raw > 0 => return None,
                PageAnswer::Empty => {}
                PageAnswer::Rows(v) => {
                    if as_list(v, "list").ok()?.len() != raw {
                        return None;
                    }
                    let page = decode_items(v);
                    if page.len() != hi - lo {
                        return None;
                    }
                    for (item, fresh) in self.items[lo..hi].iter_mut().zip(page) {
                        if item.entity_id != fresh.entity_id {
                            return None;
                        }
                        item.status = fresh.status;
                    }
                }
            }
        }
        Some(self)
    }
}

/// How long a list read whole stays good enough to show without re-reading a page (a choice in
/// the picker right after the lists were read): 30 s.
pub const REUSE_MS: f64 = 30_000.0;

/// What showing a list's progress does with its cache.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CachePlan {
    /// No usable cache (none, cut, dropped after a change, or older than [`REUSE_MS`] and not
    /// re-checked): read the list whole.
    Full,
    /// Show the cache: this very refresh re-checked it (its pages rode in the card's batch,
    /// [`ItemPages::recheck_starts`]), or it was read whole less than [`REUSE_MS`] ago.
    Reuse,
}

/// The cache policy for showing a list's progress at `now_ms`: `cache` is the list's kept read
/// (if any), `rechecked` whether the card's refresh batch re-checked it just now.
pub fn cache_plan(cache: Option<&PageCache>, rechecked: bool, now_ms: f64) -> CachePlan {
    match cache {
        Some(c) if c.cacheable() && (rechecked || now_ms - c.read_at <= REUSE_MS) => {
            CachePlan::Reuse
        }
        _ => CachePlan::Full,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::campaign::*;

    use crate::campaign::fixtures::*;
    use serde_json::json;

    /// The rows a portal page of `list` from `start` holds: 50 raw rows cut first, then the
    /// `hidden` ones left out, as the portal does; `None` for an empty page (`ACCESS_ERROR`).
    fn portal_page(list: &[u64], hidden: &[u64], start: u64) -> Option<Value> {
        let rows: Vec<Value> = list
            .iter()
            .skip(start as usize)
            .take(CALL_LIST_PAGE_ROWS)
            .filter(|id| !hidden.contains(id))
            .map(|id| json!({"ID": id, "STATUS": "IN_WORK", "ENTITY_TYPE": 3}))
            .collect();
        (!rows.is_empty()).then_some(Value::Array(rows))
    }

    /// Reads `list` through [`ItemPages`] as a batch-ahead caller would, `ahead` pages a time.
    fn read_all(list: &[u64], hidden: &[u64], ahead: usize) -> (ListRead, usize) {
        let mut p = ItemPages::new();
        let mut asked = 0;
        while !p.is_done() {
            for start in p.next_starts(ahead) {
                asked += 1;
                match portal_page(list, hidden, start) {
                    Some(page) => {
                        p.feed(start, &page);
                    }
                    None => {
                        assert!(start == 0 || p.feed_error(start, "ACCESS_ERROR"));
                        if start == 0 {
                            return (p.into_read(), asked);
                        }
                    }
                }
            }
        }
        (p.into_read(), asked)
    }

    #[test]
    fn item_pages_follow_the_portals_rules() {
        let page = |from: u64, n: u64| {
            Value::Array(
                (from..from + n)
                    .map(|i| json!({"ID": i + 1, "STATUS": "IN_WORK", "ENTITY_TYPE": 3}))
                    .collect(),
            )
        };
        // 120 items: 50 + 50 + 20, then the portal's end: two empty pages (ACCESS_ERROR).
        let mut p = ItemPages::new();
        assert_eq!(p.next_starts(3), vec![0, 50, 100]);
        assert!(p.feed(0, &page(0, 50)));
        assert!(!p.feed(0, &page(0, 50)), "the same page twice is ignored");
        assert!(p.feed(50, &page(50, 50)));
        assert!(p.feed(100, &page(100, 20)));
        assert!(!p.is_done(), "a short page is not the end");
        assert!(p.feed_error(150, "ACCESS_ERROR"));
        assert!(!p.is_done(), "one empty page is not the end either");
        assert!(p.feed_error(200, "ACCESS_ERROR"));
        assert!(p.is_done());
        assert!(!p.feed(250, &json!([])), "after the end");
        assert_eq!(p.items().len(), 120);
        let read = p.into_read();
        assert!(read.ended && read.cut.is_none());
        assert_eq!((read.hidden_at_least, read.undecoded), (0, 0));
        // Exactly 100 items: the third and fourth pages are ACCESS_ERROR, which ends it.
        let mut p = ItemPages::new();
        p.feed(0, &page(0, 50));
        p.feed(50, &page(50, 50));
        assert!(!p.is_done());
        assert!(!p.feed_error(100, "QUERY_LIMIT_EXCEEDED"));
        assert!(!p.is_done(), "a real failure does not end the list");
        assert!(p.feed_error(100, "ACCESS_ERROR"));
        assert!(p.feed_error(150, "ACCESS_ERROR"));
        assert!(p.is_done() && p.next_starts(2).is_empty());
        assert_eq!(p.into_items().len(), 100);
        // ACCESS_ERROR on the first page is a real error: no access to the list at all.
        let mut p = ItemPages::new();
        assert!(!p.feed_error(0, "ACCESS_ERROR"));
        assert!(!p.is_done());
        p.no_access();
        assert!(p.is_done());
        assert_eq!(p.into_read().complete(true), Err(Refusal::Incomplete));
        // An empty array ends like an empty page; a page that is no array cuts the read.
        let mut p = ItemPages::new();
        p.feed(0, &page(0, 3));
        p.feed(50, &json!([]));
        p.feed(100, &json!({}));
        assert!(p.is_done() && p.into_read().ended);
        let mut p = ItemPages::new();
        p.feed(0, &page(0, 50));
        p.feed(50, &json!("oops"));
        let read = p.into_read();
        assert_eq!((read.cut, read.ended), (Some(Cut::Malformed), false));
    }

    #[test]
    fn the_pager_reads_past_short_and_empty_pages_and_counts_the_hidden() {
        let list: Vec<u64> = (1..=130).collect();
        // Nothing hidden: every member, whatever the look-ahead.
        for ahead in [1, 3, 50] {
            let (read, _) = read_all(&list, &[], ahead);
            assert_eq!(read.items.len(), 130, "ahead {ahead}");
            assert_eq!(read.hidden_at_least, 0);
            assert!(read.ended);
        }
        // Two hidden on the first page: the old pager stopped at that short page and saw 48.
        let (read, _) = read_all(&list, &[5, 20], 2);
        assert_eq!(
            read.items.len(),
            128,
            "every readable member after the short page"
        );
        assert_eq!(
            read.hidden_at_least, 2,
            "proved by the rows after the short page"
        );
        assert_eq!(read.complete(true), Err(Refusal::Hidden));
        // A whole page hidden (an ACCESS_ERROR in the middle): the look past it finds the rest.
        let hidden: Vec<u64> = (51..=100).collect();
        let (read, _) = read_all(&list, &hidden, 1);
        assert_eq!(read.items.len(), 80);
        assert_eq!(read.hidden_at_least, 50);
        // Hidden at the tail, after the last readable row: no read can see them. Not proven,
        // and therefore only an administrator's read counts as complete.
        let (read, asked) = read_all(&list, &[129, 130], 1);
        assert_eq!((read.items.len(), read.hidden_at_least), (128, 0));
        assert_eq!(asked, 5, "3 pages and the two empty ones that end the list");
        assert_eq!(read.complete(false), Err(Refusal::Uncertain));
        assert_eq!(read.complete(true).map(|r| r.items().len()), Ok(128));
    }

    #[test]
    fn the_pager_stops_at_a_repeated_page_and_at_the_cap() {
        let page = |from: u64| {
            Value::Array(
                (from..from + 50)
                    .map(|i| json!({"ID": i + 1, "STATUS": "IN_WORK"}))
                    .collect(),
            )
        };
        // A portal that ignores `start`: the same 50 rows for every page.
        let mut p = ItemPages::new();
        let mut fed = 0;
        while !p.is_done() && fed < 10 {
            for start in p.next_starts(3) {
                p.feed(start, &page(0));
                fed += 1;
            }
        }
        assert!(p.is_done(), "the repeat ends it");
        let read = p.into_read();
        assert_eq!((read.items.len(), read.cut), (50, Some(Cut::Repeated)));
        assert_eq!(read.complete(true), Err(Refusal::Incomplete));
        // A portal that never ends: the cap stops it, and the read is incomplete.
        let mut p = ItemPages::new();
        let mut pages = 0;
        while !p.is_done() {
            for start in p.next_starts(50) {
                p.feed(start, &page(start));
                pages += 1;
            }
            assert!(pages <= MAX_PAGES + 50);
        }
        let read = p.into_read();
        assert_eq!(read.items.len(), MAX_PAGES * CALL_LIST_PAGE_ROWS);
        assert_eq!((read.cut, read.ended), (Some(Cut::PageCap), false));
        assert_eq!(read.complete(true), Err(Refusal::Incomplete));
        // Rows without ID or STATUS are counted: such a read cannot be written from.
        let mut p = ItemPages::new();
        p.feed(
            0,
            &json!([{"ID": 1, "STATUS": "IN_WORK"}, {"ID": 2}, {"STATUS": "IN_WORK"}]),
        );
        p.feed_error(50, "ACCESS_ERROR");
        p.feed_error(100, "ACCESS_ERROR");
        let read = p.into_read();
        assert_eq!((read.items.len(), read.undecoded), (1, 2));
        assert_eq!(read.complete(true), Err(Refusal::Incomplete));
        // A read left unfinished (a page failed) is not complete either.
        let mut p = ItemPages::new();
        p.feed(0, &page(0));
        assert_eq!(p.into_read().complete(true), Err(Refusal::Incomplete));
    }

    /// A list of `n` members read in pages of 50, `hidden` ids left out of their page after it
    /// was cut (as the portal does): the answers, by `start`, until two empty pages.
    fn portal_pages(ids: &[(u64, &str)], hidden: &[u64]) -> Vec<(u64, Option<Value>)> {
        let mut out = Vec::new();
        let mut start = 0;
        let mut empties = 0;
        while empties < END_PROBE {
            let rows: Vec<Value> = ids
                .iter()
                .skip(start)
                .take(CALL_LIST_PAGE_ROWS)
                .filter(|(id, _)| !hidden.contains(id))
                .map(|(id, st)| json!({"ID": id.to_string(), "STATUS": st, "ENTITY_TYPE": 3}))
                .collect();
            if rows.is_empty() {
                empties += 1;
                out.push((start as u64, None));
            } else {
                empties = 0;
                out.push((start as u64, Some(Value::Array(rows))));
            }
            start += CALL_LIST_PAGE_ROWS;
        }
        out
    }

    fn read_pages(pages: &[(u64, Option<Value>)]) -> ItemPages {
        let mut p = ItemPages::new();
        for (start, v) in pages {
            match v {
                Some(v) => assert!(p.feed(*start, v)),
                None if *start == 0 => p.no_access(),
                None => assert!(p.feed_error(*start, "ACCESS_ERROR")),
            }
        }
        p
    }

    fn answers<'a>(
        pages: &'a [(u64, Option<Value>)],
        starts: &[u64],
    ) -> Vec<(u64, PageAnswer<'a>)> {
        starts
            .iter()
            .map(|s| {
                let a = match pages.iter().find(|(st, _)| st == s) {
                    Some((_, Some(v))) => PageAnswer::Rows(v),
                    _ => PageAnswer::Empty,
                };
                (*s, a)
            })
            .collect()
    }

    #[test]
    fn a_refresh_rereads_the_called_clients_page_the_current_one_the_end_and_a_rotation() {
        let ids = members(10_000);
        let pages = portal_pages(&ids, &[]);
        let cache = read_pages(&pages);
        assert!(cache.cacheable());
        assert_eq!(cache.page_count(), 202);
        // Client 3,333 was shown, the card moved to 3,334: one page holds both; the end is page
        // 199 and the empty 200; the rotation starts at page 8 on the second tick.
        let starts = cache
            .recheck_starts(Some(3_333), Some(3_334), 1, 40)
            .unwrap();
        assert_eq!(
            &starts[..3],
            &[66 * 50, 199 * 50, 200 * 50],
            "the called client's page, then the end"
        );
        assert_eq!(starts.len(), 3 + ROTATE);
        assert_eq!(starts[3], 8 * 50);
        // Little room: the pages that can have changed first; none of them fit: read whole.
        assert_eq!(
            cache.recheck_starts(Some(49), Some(50), 0, 4).unwrap(),
            vec![0, 50, 9_950, 10_000]
        );
        assert_eq!(cache.recheck_starts(Some(49), Some(50), 0, 3), None);
        assert_eq!(
            cache.recheck_starts(None, None, 0, 3).unwrap(),
            vec![9_950, 10_000, 0]
        );
        // Shown from the cache: re-checked by this refresh, or read whole less than 30 s ago.
        let mut kept = cache.clone();
        kept.read_at = 1_000_000.0;
        assert_eq!(cache_plan(Some(&kept), true, 9e9), CachePlan::Reuse);
        assert_eq!(
            cache_plan(Some(&kept), false, 1_029_000.0),
            CachePlan::Reuse
        );
        assert_eq!(cache_plan(Some(&kept), false, 1_031_000.0), CachePlan::Full);
        assert_eq!(cache_plan(None, true, 0.0), CachePlan::Full);
        // A cut read or one without access is never a cache.
        let mut cut = ItemPages::new();
        cut.no_access();
        assert!(!cut.cacheable());
        assert_eq!(cut.recheck_starts(None, None, 0, 50), None);
        assert_eq!(cache_plan(Some(&cut), true, 0.0), CachePlan::Full);
    }

    #[test]
    fn a_recheck_takes_new_statuses_and_drops_the_cache_when_members_moved() {
        let mut ids = members(120);
        let hidden = [130];
        let pages = portal_pages(&ids, &hidden);
        let cache = read_pages(&pages);
        assert_eq!(cache.items().len(), 119);
        let before = Progress::compute(cache.items(), &statuses(), 3, &[contact(170)]);
        // The call set client 170's status (page 1), nothing else changed.
        ids[70].1 = "SUCCESS";
        let now = portal_pages(&ids, &hidden);
        let starts = cache.recheck_starts(Some(69), Some(71), 0, 50).unwrap();
        let fresh = cache.clone().recheck(&answers(&now, &starts)).unwrap();
        let after = Progress::compute(fresh.items(), &statuses(), 3, &[contact(170)]);
        assert_eq!(after.done, before.done + 1);
        assert_eq!(after.position.unwrap().status, "SUCCESS");
        assert_eq!(
            fresh.clone().into_read().hidden_at_least,
            1,
            "what is known stays"
        );
        // The same pages again: nothing changes.
        assert_eq!(
            fresh.clone().recheck(&answers(&now, &starts)),
            Some(fresh.clone())
        );
        // A member added at the end fills the last page: read whole again.
        let mut grown = ids.clone();
        grown.push((999, IN_WORK));
        assert_eq!(
            fresh
                .clone()
                .recheck(&answers(&portal_pages(&grown, &hidden), &starts)),
            None
        );
        // 30 more: the empty page after the end has rows now.
        let mut grown = ids.clone();
        grown.extend((0..30).map(|i| (2_000 + i, IN_WORK)));
        assert_eq!(
            fresh
                .clone()
                .recheck(&answers(&portal_pages(&grown, &hidden), &starts)),
            None
        );
        // One removed before the end: the last page shifts.
        let mut shrunk = ids.clone();
        shrunk.remove(3);
        assert_eq!(
            fresh
                .clone()
                .recheck(&answers(&portal_pages(&shrunk, &hidden), &starts)),
            None
        );
        // Another member hidden from the user now: the page comes back shorter.
        assert_eq!(
            fresh
                .clone()
                .recheck(&answers(&portal_pages(&ids, &[130, 101]), &[0])),
            None
        );
        // A failed page, a start off the page grid.
        assert_eq!(fresh.clone().recheck(&[(0, PageAnswer::Failed)]), None);
        assert_eq!(fresh.clone().recheck(&[(7, PageAnswer::Empty)]), None);
        // A page that was empty and stays empty; garbage where rows were.
        assert!(
            fresh
                .clone()
                .recheck(&[(5_000, PageAnswer::Empty)])
                .is_some()
        );
        assert_eq!(
            fresh
                .clone()
                .recheck(&[(0, PageAnswer::Rows(&json!({"x": 1})))]),
            None
        );
        assert_eq!(fresh.clone().recheck(&[(0, PageAnswer::Empty)]), None);
    }
}
