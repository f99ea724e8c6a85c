//! Campaign mode ("обзвон"): which call list the operator is working through, how far the
//! campaign has come, and changes to a list's composition — all pure, built on any target.
//!
//! The `CALL_CARD` tab is told only `CALL_LIST_MODE`, never the list id (reference §0.3, §3.2),
//! so the list is found: the user's recent lists (`crm.calllist.list`) whose items
//! (`crm.calllist.items.get`) contain the current client, and the user's open call-list activity
//! (`crm.activity.list`, `PROVIDER_ID = CALL_LIST`, whose `ASSOCIATED_ENTITY_ID` is the list id).
//! [`detect`] ranks what was found; [`Progress::compute`] counts one list.
//!
//! Paging, as the portal implements it (the seed's example shows neither `next` nor `total`, and
//! the method's source confirms there are none): `crm.calllist.items.get` and
//! `crm.calllist.list` return at most 50 rows from `start`, with **no `next` and no `total`**;
//! an `items.get` page with nothing on it fails with 403 `ACCESS_ERROR`. [`ItemPages`] follows
//! those rules. Items the user may not read are left out of a page *after* it was cut, so a
//! page can be short, or empty, without being the last: the pager reads on past both until the
//! portal's end ([`END_PROBE`] empty pages), counts what it proves hidden, and stops at a page
//! cap or a repeated page. The portal sends no size of a list (neither `crm.calllist.get` nor
//! `items.get` has a count), so members hidden *after* the last row shown cannot be seen by any
//! read: only an administrator's read (nobody is left out for them) is provably complete.
//!
//! Writes: `crm.calllist.update` **overwrites** the whole set (members left out of `ENTITIES`
//! are deleted, those the user cannot read too) and clears `WEBFORM_ID` when it is omitted, so
//! [`plan_update`] builds the set only from a [`CompleteRead`] and [`update_params`] keeps the
//! list's web form; [`compare_after_write`] reports whatever else changed, nothing is restored.
//! A write that timed out is never re-sent blindly: [`took_effect_update`] / [`took_effect_add`]
//! tell from a fresh read whether it already happened.

use serde_json::{Map, Value, json};

use crate::i18n::Lang;
use crate::model::entity::{EntityKind, EntityRef};
use crate::model::value::{as_list, opt_text, opt_u64, value_u64};

/// Rows per page of `crm.calllist.list` and `crm.calllist.items.get`.
pub const PAGE_SIZE: usize = 50;
/// The status of an item still to be called. Every other status counts as done.
pub const IN_WORK: &str = "IN_WORK";
/// `PROVIDER_ID` (and `PROVIDER_TYPE_ID`) of a call list's activity.
pub const CALL_LIST_PROVIDER: &str = "CALL_LIST";
/// `CCrmOwnerType::CallList`: the `OWNER_TYPE_ID` of a call list's activity.
pub const CALL_LIST_OWNER_TYPE: u64 = 12;
/// The `BX24.userOption` key the chosen list is kept under.
pub const CHOICE_OPTION: &str = "campaign_list";

// ---------------------------------------------------------------------------------------------
// Data
// ---------------------------------------------------------------------------------------------

/// One call list, as `crm.calllist.list` / `crm.calllist.get` describe it (no participants).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CallList {
    pub id: u64,
    /// `ENTITY_TYPE_ID`: 3 contacts, 4 companies; lists made in the UI can also hold deals (2),
    /// quotes (7), invoices (5) or leads (1). Kept as sent, never rejected.
    pub entity_type_id: u64,
    /// `ENTITY_TYPE` (`"CONTACT"`): only `crm.calllist.get` sends it.
    pub entity_type: Option<String>,
    /// `DATE_CREATE` as sent (`"2025-07-14 08:47:19"`), `""` when absent.
    pub created: String,
    pub created_by: Option<u64>,
    pub webform_id: Option<u64>,
}

impl CallList {
    /// The entity type of the list's items, when it is one the app knows.
    pub fn kind(&self) -> Option<EntityKind> {
        EntityKind::from_type_id(self.entity_type_id)
            .or_else(|| self.entity_type.as_deref().and_then(EntityKind::from_name))
    }
}

/// One participant of a list (`crm.calllist.items.get`): `ID` is the CRM entity's id.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListItem {
    pub entity_id: u64,
    /// The status code (`IN_WORK`, `SUCCESS`, a custom one, or one since removed).
    pub status: String,
    /// `ENTITY_TYPE`, numeric; 0 when not sent (then the list's type applies).
    pub entity_type_id: u64,
}

/// One call status of `crm.calllist.statuslist` (a CRM directory: custom ones exist).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListStatus {
    pub status_id: String,
    pub name: String,
    pub sort: u64,
}

// ---------------------------------------------------------------------------------------------
// Commands
// ---------------------------------------------------------------------------------------------

/// A REST call: the method and its parameters, for `callMethod` or a [`crate::rest::batch::Batch`].
pub type Command = (&'static str, Value);

/// The user's call lists, newest first, one page of 50 from `start`. `me` is the user id, or a
/// batch reference to it (`$result[me][ID]`).
pub fn recent_lists_query(me: impl Into<Value>, start: u64) -> Command {
    let me: Value = me.into();
    (
        "crm.calllist.list",
        json!({
            "SELECT": ["ID", "DATE_CREATE", "CREATED_BY_ID", "WEBFORM_ID", "ENTITY_TYPE_ID"],
            "FILTER": {"CREATED_BY_ID": me},
            "ORDER": {"ID": "DESC"},
            "start": start,
        }),
    )
}

/// One list's description (with `ENTITY_TYPE` and `WEBFORM_ID`).
pub fn list_get_query(list_id: u64) -> Command {
    ("crm.calllist.get", json!({"ID": list_id}))
}

/// One page of a list's participants from `start` (see [`ItemPages`]), optionally of one status.
pub fn items_query(list_id: u64, status: Option<&str>, start: u64) -> Command {
    let mut p = json!({"LIST_ID": list_id, "start": start});
    if let Some(s) = status {
        p["FILTER"] = json!({"STATUS": s});
    }
    ("crm.calllist.items.get", p)
}

/// The call statuses, custom ones included.
pub fn statuslist_query() -> Command {
    ("crm.calllist.statuslist", json!({}))
}

/// The user's open call-list activities, newest first (first page only, no count). `me` as in
/// [`recent_lists_query`].
pub fn open_activity_query(me: impl Into<Value>) -> Command {
    let me: Value = me.into();
    (
        "crm.activity.list",
        json!({
            "filter": {"PROVIDER_ID": CALL_LIST_PROVIDER, "COMPLETED": "N", "RESPONSIBLE_ID": me},
            "order": {"ID": "DESC"},
            "select": ["ID", "ASSOCIATED_ENTITY_ID", "OWNER_ID", "OWNER_TYPE_ID", "PROVIDER_ID", "COMPLETED"],
            "start": -1,
        }),
    )
}

// ---------------------------------------------------------------------------------------------
// Decoders: lenient, a bad row is skipped
// ---------------------------------------------------------------------------------------------

fn rows(result: &Value) -> impl Iterator<Item = &Map<String, Value>> {
    as_list(result, "list")
        .unwrap_or(&[])
        .iter()
        .filter_map(Value::as_object)
}

fn id_of(row: &Map<String, Value>, key: &str) -> Option<u64> {
    opt_u64(row, key).ok().flatten().filter(|id| *id > 0)
}

/// One call list row (`crm.calllist.list` element or `crm.calllist.get` result).
pub fn decode_list(v: &Value) -> Option<CallList> {
    let row = v.as_object()?;
    Some(CallList {
        id: id_of(row, "ID")?,
        entity_type_id: opt_u64(row, "ENTITY_TYPE_ID").ok()??,
        entity_type: opt_text(row, "ENTITY_TYPE").ok().flatten(),
        created: opt_text(row, "DATE_CREATE")
            .ok()
            .flatten()
            .unwrap_or_default(),
        created_by: id_of(row, "CREATED_BY_ID"),
        webform_id: id_of(row, "WEBFORM_ID"),
    })
}

/// `crm.calllist.list`'s result.
pub fn decode_lists(result: &Value) -> Vec<CallList> {
    as_list(result, "list")
        .unwrap_or(&[])
        .iter()
        .filter_map(decode_list)
        .collect()
}

/// `crm.calllist.items.get`'s result (one page). Not inlined: the pager and the cache's
/// re-check share one copy.
#[inline(never)]
pub fn decode_items(result: &Value) -> Vec<ListItem> {
    rows(result)
        .filter_map(|row| {
            Some(ListItem {
                entity_id: id_of(row, "ID")?,
                status: opt_text(row, "STATUS").ok()??,
                entity_type_id: opt_u64(row, "ENTITY_TYPE").ok().flatten().unwrap_or(0),
            })
        })
        .collect()
}

/// `crm.calllist.statuslist`'s result, in `SORT` order (ties keep the portal's order).
pub fn decode_statuses(result: &Value) -> Vec<ListStatus> {
    let mut out: Vec<ListStatus> = Vec::new();
    for row in rows(result) {
        let Some(status_id) = opt_text(row, "STATUS_ID").ok().flatten() else {
            continue;
        };
        let name = opt_text(row, "NAME").ok().flatten().unwrap_or_default();
        let sort = opt_u64(row, "SORT").ok().flatten().unwrap_or(u64::MAX);
        // A handful of rows: an insertion keeps the order without a sort routine.
        let at = out.iter().position(|s| s.sort > sort).unwrap_or(out.len());
        out.insert(
            at,
            ListStatus {
                status_id,
                name,
                sort,
            },
        );
    }
    out
}

/// The list ids of open call-list activities (`crm.activity.list`'s result), in the order sent.
/// Rows of other providers or completed ones are skipped, in case the filter was widened.
pub fn decode_open_activity_lists(result: &Value) -> Vec<u64> {
    let mut out = Vec::new();
    for row in rows(result) {
        let provider = opt_text(row, "PROVIDER_ID").ok().flatten();
        if provider.is_some_and(|p| p != CALL_LIST_PROVIDER) {
            continue;
        }
        let completed = opt_text(row, "COMPLETED").ok().flatten();
        if completed.is_some_and(|c| c == "Y") {
            continue;
        }
        let owner_is_list =
            opt_u64(row, "OWNER_TYPE_ID").ok().flatten() == Some(CALL_LIST_OWNER_TYPE);
        let id = id_of(row, "ASSOCIATED_ENTITY_ID")
            .or_else(|| owner_is_list.then(|| id_of(row, "OWNER_ID")).flatten());
        if let Some(id) = id.filter(|id| !out.contains(id)) {
            out.push(id);
        }
    }
    out
}

/// `crm.calllist.add`'s result: the new list's id.
pub fn decode_added(result: &Value) -> Option<u64> {
    value_u64(result).ok().flatten().filter(|id| *id > 0)
}

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
            .map(|i| self.next + i * PAGE_SIZE as u64)
            .collect()
    }

    fn page_done(&mut self, raw: usize) {
        self.ends.push(self.items.len());
        self.raws.push(raw);
        self.pages += 1;
        self.next += PAGE_SIZE as u64;
        if self.empty_run >= END_PROBE {
            self.done = true;
        } else if self.pages >= MAX_PAGES {
            self.done = true;
            self.cut = Some(Cut::PageCap);
        }
    }

    fn empty_page(&mut self) {
        self.empty_run += 1;
        self.missing_since_rows += PAGE_SIZE;
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
        self.missing_since_rows = PAGE_SIZE.saturating_sub(raw.len());
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
        Some(want.iter().map(|k| (*k * PAGE_SIZE) as u64).collect())
    }

    /// The cache with the re-read pages applied (new statuses), or `None` when the list's
    /// composition may have changed: a page holds other members or another number of rows, a
    /// page past the end has rows, or a page failed. Then the list is read whole again.
    pub fn recheck(mut self, answers: &[(u64, PageAnswer)]) -> Option<PageCache> {
        if !self.cacheable() {
            return None;
        }
        for (start, answer) in answers {
            if !start.is_multiple_of(PAGE_SIZE as u64) {
                return None;
            }
            let k = usize::try_from(*start / PAGE_SIZE as u64).ok()?;
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

/// `n` with thousands grouped: `10,000` in English, `10 000` (no-break space) in Russian.
pub fn group_digits(n: u64, lang: Lang) -> String {
    let digits = n.to_string();
    let sep = match lang {
        Lang::En => ',',
        Lang::Ru => '\u{a0}',
    };
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(sep);
        }
        out.push(c);
    }
    out
}

/// The reading line: "Reading the call list… 4,000 of ~10,000" (`expected`: the size the list
/// had when last read, `None` when unknown: "… 4,000 read"); `lists` > 1 says "lists".
pub fn reading_text(lang: Lang, read: u64, expected: Option<u64>, lists: usize) -> String {
    use crate::i18n::{T, tr};
    let mut out = String::from(tr(
        lang,
        if lists > 1 {
            T::ReadingLists
        } else {
            T::ReadingList
        },
    ));
    out.push(' ');
    let n = group_digits(read, lang);
    let so_far = tr(lang, T::ReadSoFar);
    match (expected, lang) {
        (Some(t), _) => {
            out.push_str(&n);
            out.push(' ');
            out.push_str(tr(lang, T::Of));
            out.push_str(" ~");
            out.push_str(&group_digits(t.max(read), lang));
        }
        (None, Lang::En) => {
            out.push_str(&n);
            out.push(' ');
            out.push_str(so_far);
        }
        (None, Lang::Ru) => {
            out.push_str(so_far);
            out.push(' ');
            out.push_str(&n);
        }
    }
    out
}

/// Why a change to a list's composition is not sent. Each has a text ([`Refusal::text`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    /// The read proved members the user may not read: the update would delete them.
    Hidden,
    /// Nothing proves the read complete: the user is no administrator, so members the user may
    /// not read can sit after the last row the portal showed, where no read can see them.
    Uncertain,
    /// The read was cut (page cap, repeated page), an answer was malformed, or rows were unreadable.
    Incomplete,
    /// The list holds another kind of client than the one to add or remove.
    KindMismatch,
    /// REST writes only contact and company lists.
    NotWritable,
    /// The list would be left empty (the portal refuses that).
    Empty,
    /// The client is already in the list (add) or not in it (remove): nothing to send.
    NothingToDo,
    /// The list changed since it was shown (another operator): look again first.
    ChangedSinceShown,
    /// The card's client is no longer the one the lists were shown for.
    ClientChanged,
}

impl Refusal {
    /// A short code for tests and the note's `data-reason`.
    pub fn code(self) -> &'static str {
        match self {
            Refusal::Hidden => "hidden",
            Refusal::Uncertain => "uncertain",
            Refusal::Incomplete => "incomplete",
            Refusal::KindMismatch => "kind",
            Refusal::NotWritable => "not-writable",
            Refusal::Empty => "empty",
            Refusal::NothingToDo => "nothing",
            Refusal::ChangedSinceShown => "concurrent",
            Refusal::ClientChanged => "client-changed",
        }
    }

    pub fn text(self, lang: Lang) -> &'static str {
        use crate::i18n::{T, tr};
        match self {
            Refusal::Hidden => tr(lang, T::ListHiddenMembers),
            Refusal::Uncertain => tr(lang, T::ListReadUncertain),
            Refusal::Incomplete => tr(lang, T::ListReadIncomplete),
            Refusal::KindMismatch => campaign_error_text(
                "Discrepancy between the type of call participants and incoming type",
                lang,
            ),
            Refusal::NotWritable => campaign_error_text("ENTITY_TYPE_ERROR", lang),
            Refusal::Empty => campaign_error_text("ENTITIES_ERROR", lang),
            Refusal::NothingToDo => tr(lang, T::ListAlreadyThat),
            Refusal::ChangedSinceShown => tr(lang, T::ListChangedSinceShown),
            Refusal::ClientChanged => tr(lang, T::ListClientChanged),
        }
    }
}

/// A read a full-set update may be built from: only [`ListRead::complete`] makes one.
#[derive(Debug, Clone, PartialEq)]
pub struct CompleteRead {
    items: Vec<ListItem>,
}

impl CompleteRead {
    pub fn items(&self) -> &[ListItem] {
        &self.items
    }
}

impl ListRead {
    /// Whether this read is provably the whole list. `admin`: the user administers the portal,
    /// so the portal leaves nobody out (its permission check passes for every member). For
    /// anyone else nothing in the portal's answers can prove that no member sits, unreadable,
    /// after the last row shown (there is no count), so such a read is [`Refusal::Uncertain`].
    pub fn complete(&self, admin: bool) -> Result<CompleteRead, Refusal> {
        if self.cut.is_some() || !self.ended || self.undecoded > 0 {
            return Err(Refusal::Incomplete);
        }
        if self.hidden_at_least > 0 {
            return Err(Refusal::Hidden);
        }
        if !admin {
            return Err(Refusal::Uncertain);
        }
        Ok(CompleteRead {
            items: self.items.clone(),
        })
    }

    /// The members' ids as a sorted set.
    pub fn id_set(&self) -> Vec<u64> {
        sorted_set(self.items.iter().map(|i| i.entity_id))
    }
}

/// What the operator asked: the client to add to or remove from a list.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Intent {
    pub client: EntityRef,
    pub add: bool,
}

/// The full set to send for `intent` on `list`, from a complete read. Refuses a list REST cannot
/// write, a client of another kind than the list's, a change that changes nothing and a list
/// that would be left empty.
pub fn plan_update(
    list: &CallList,
    read: &CompleteRead,
    intent: Intent,
) -> Result<Vec<u64>, Refusal> {
    let kind = list
        .kind()
        .filter(|k| writable(*k).is_some())
        .ok_or(Refusal::NotWritable)?;
    if intent.client.kind != kind {
        return Err(Refusal::KindMismatch);
    }
    // An item of another type than the list's would be sent under the list's type.
    let list_type = u64::from(kind.type_id());
    if read
        .items
        .iter()
        .any(|i| i.entity_type_id != 0 && i.entity_type_id != list_type)
    {
        return Err(Refusal::Incomplete);
    }
    let has = read.items.iter().any(|i| i.entity_id == intent.client.id);
    if has == intent.add {
        return Err(Refusal::NothingToDo);
    }
    let wanted = if intent.add {
        with_client_added(&read.items, intent.client.id)
    } else {
        with_client_removed(&read.items, intent.client.id)
    };
    if wanted.is_empty() {
        return Err(Refusal::Empty);
    }
    Ok(wanted)
}

/// How a fresh read after a write compares with what was sent.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct AfterWrite {
    /// Members present now that were not sent (someone else added them).
    pub added: Vec<u64>,
    /// Members sent that are not there now (someone else removed them, or the portal refused
    /// to add one the user may not read).
    pub missing: Vec<u64>,
}

impl AfterWrite {
    /// Nothing but the intended change.
    pub fn is_clean(&self) -> bool {
        self.added.is_empty() && self.missing.is_empty()
    }
}

/// Compares the set sent with a fresh read. Nothing is restored: the caller says what differs.
pub fn compare_after_write(sent: &[u64], now: &ListRead) -> AfterWrite {
    let sent = sorted_set(sent.iter().copied());
    let now = now.id_set();
    AfterWrite {
        added: now
            .iter()
            .copied()
            .filter(|id| sent.binary_search(id).is_err())
            .collect(),
        missing: sent
            .iter()
            .copied()
            .filter(|id| now.binary_search(id).is_err())
            .collect(),
    }
}

/// Whether a list changed between two reads (the one the view was built from and a fresh one).
pub fn changed_between(before: &ListRead, now: &ListRead) -> bool {
    before.id_set() != now.id_set()
}

// ---------------------------------------------------------------------------------------------
// Detection
// ---------------------------------------------------------------------------------------------

/// Which list the operator is working through.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Detection {
    /// No list of the user's contains the client, and nothing valid was remembered:
    /// say so and offer to pick one.
    None,
    /// This list, without asking.
    One(u64),
    /// Several lists contain the client: a picker, best guess first.
    Many(Vec<u64>),
}

/// Where `who` stands in a list: the index of the first item that is one of them.
///
/// `who` is the current client first, then the call's bindings: lists of deals, quotes or
/// invoices hold the deal, while the card reports its contact or company as the client.
/// An item without a type takes the list's.
pub fn find_in(items: &[ListItem], list_type_id: u64, who: &[EntityRef]) -> Option<usize> {
    items.iter().position(|item| {
        let type_id = if item.entity_type_id == 0 {
            list_type_id
        } else {
            item.entity_type_id
        };
        who.iter()
            .any(|w| w.id == item.entity_id && u64::from(w.kind.type_id()) == type_id)
    })
}

/// Picks the list the operator is most likely working through.
///
/// * `candidates`: the user's recent lists (any entity type).
/// * `items_by_list`: the items read for those lists (a list without an entry is not a match).
/// * `who`: the client, then the call's bindings (see [`find_in`]).
/// * `open_activity_lists`: lists with an open call-list activity of the user, newest first.
/// * `remembered`: the user's last choice ([`decode_choice`]).
///
/// Rules: a remembered list wins when it is still among the candidates and contains the client.
/// When **no** list contains the client, a remembered list that still exists is kept as
/// [`Detection::One`] (the operator picked it by hand; the progress then shows the client as
/// not in it) rather than asking again for every client. Otherwise the lists containing the
/// client are ranked: those with an open activity first (in the activities' order), then the
/// rest by id, newest first. One match is [`Detection::One`], several [`Detection::Many`].
pub fn detect(
    candidates: &[CallList],
    items_by_list: &[(u64, Vec<ListItem>)],
    who: &[EntityRef],
    open_activity_lists: &[u64],
    remembered: Option<u64>,
) -> Detection {
    let mut matching: Vec<u64> = Vec::new();
    for list in candidates {
        let contains = items_by_list
            .iter()
            .find(|(id, _)| *id == list.id)
            .is_some_and(|(_, items)| find_in(items, list.entity_type_id, who).is_some());
        if contains && !matching.contains(&list.id) {
            matching.push(list.id);
        }
    }
    if let Some(r) = remembered {
        if matching.contains(&r) {
            return Detection::One(r);
        }
        if matching.is_empty() && candidates.iter().any(|l| l.id == r) {
            return Detection::One(r);
        }
    }
    // Rank: open activity (in activity order) first, then newest id. Few lists: a selection.
    let rank = |id: u64| -> (usize, u64) {
        let act = open_activity_lists
            .iter()
            .position(|a| *a == id)
            .unwrap_or(usize::MAX);
        (act, u64::MAX - id)
    };
    let mut ranked = Vec::with_capacity(matching.len());
    while !matching.is_empty() {
        let mut best = 0;
        for i in 1..matching.len() {
            if rank(matching[i]) < rank(matching[best]) {
                best = i;
            }
        }
        ranked.push(matching.swap_remove(best));
    }
    match ranked.len() {
        0 => Detection::None,
        1 => Detection::One(ranked[0]),
        _ => Detection::Many(ranked),
    }
}

/// What is remembered of the operator's choice: the list, and the call it was made on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Choice {
    pub list_id: u64,
    /// The `CALL_ID` the choice was made during (`""` if unknown).
    pub call_id: String,
}

/// The `BX24.userOption` value for a choice: `cl1:<list id>:<call id>`.
pub fn encode_choice(list_id: u64, call_id: &str) -> String {
    format!("cl1:{list_id}:{call_id}")
}

/// Reads [`encode_choice`]'s value; a bare list id (`"42"`) is accepted too. Anything else
/// (empty, `"undefined"`, garbage) is `None`.
pub fn decode_choice(s: &str) -> Option<Choice> {
    let s = s.trim();
    let (id, call) = match s.strip_prefix("cl1:") {
        Some(rest) => rest.split_once(':').unwrap_or((rest, "")),
        None => (s, ""),
    };
    let list_id = id.trim().parse::<u64>().ok().filter(|id| *id > 0)?;
    Some(Choice {
        list_id,
        call_id: call.to_string(),
    })
}

// ---------------------------------------------------------------------------------------------
// Progress
// ---------------------------------------------------------------------------------------------

/// One status's share of a list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Bar {
    pub status_id: String,
    /// The status's name from `crm.calllist.statuslist`; `None` for a code the directory no
    /// longer has (show the code).
    pub name: Option<String>,
    pub count: u32,
}

/// The client's place in a list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Position {
    /// 1-based index of the client's item in the list's item order (the order
    /// `crm.calllist.items.get` returns: the portal's `RANK`, ascending).
    pub place: u32,
    /// The number of items (the same as [`Progress::total`]).
    pub of: u32,
    /// The client's item status.
    pub status: String,
}

/// Where a campaign stands.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Progress {
    pub total: u32,
    /// Items with any status but [`IN_WORK`].
    pub done: u32,
    /// Items still [`IN_WORK`].
    pub remaining: u32,
    /// Every status of the directory in `SORT` order (zero counts included, so the bars keep
    /// their places), then codes the directory does not know, in order of first appearance.
    pub bars: Vec<Bar>,
    /// `None` when the client is not in the list.
    pub position: Option<Position>,
}

impl Progress {
    /// Counts `items` in one pass. `list_type_id` and `who` locate the client (see [`find_in`]).
    /// Allocation is per distinct status, not per item, so 10,000 items cost a few comparisons
    /// each.
    pub fn compute(
        items: &[ListItem],
        statuses: &[ListStatus],
        list_type_id: u64,
        who: &[EntityRef],
    ) -> Progress {
        let mut bars: Vec<Bar> = Vec::with_capacity(statuses.len() + 2);
        for s in statuses {
            let at = bars.iter().position(|b: &Bar| b.status_id == s.status_id);
            if at.is_none() {
                // Callers may pass the statuses unsorted: insert by SORT.
                let sort_of = |b: &Bar| {
                    statuses
                        .iter()
                        .find(|x| x.status_id == b.status_id)
                        .map_or(u64::MAX, |x| x.sort)
                };
                let at = bars
                    .iter()
                    .position(|b| sort_of(b) > s.sort)
                    .unwrap_or(bars.len());
                bars.insert(
                    at,
                    Bar {
                        status_id: s.status_id.clone(),
                        name: Some(s.name.clone()),
                        count: 0,
                    },
                );
            }
        }
        let mut remaining = 0u32;
        let mut position = None;
        let mut last = usize::MAX;
        for (i, item) in items.iter().enumerate() {
            // Consecutive items often share a status: try the last bar first.
            let hit = if last < bars.len() && bars[last].status_id == item.status {
                last
            } else {
                match bars.iter().position(|b| b.status_id == item.status) {
                    Some(at) => at,
                    None => {
                        bars.push(Bar {
                            status_id: item.status.clone(),
                            name: None,
                            count: 0,
                        });
                        bars.len() - 1
                    }
                }
            };
            last = hit;
            bars[hit].count += 1;
            if item.status == IN_WORK {
                remaining += 1;
            }
            if position.is_none()
                && find_in(std::slice::from_ref(item), list_type_id, who).is_some()
            {
                position = Some((i, item.status.clone()));
            }
        }
        let total = items.len() as u32;
        Progress {
            total,
            done: total - remaining,
            remaining,
            bars,
            position: position.map(|(i, status)| Position {
                place: i as u32 + 1,
                of: total,
                status,
            }),
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Composition: full-set updates and new lists
// ---------------------------------------------------------------------------------------------

/// Why a write cannot be sent at all (the portal would refuse it anyway).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WriteRefusal {
    /// REST writes only contact and company lists.
    EntityType,
    /// A list cannot be left (or created) empty: `ENTITIES` must not be empty.
    Empty,
}

impl WriteRefusal {
    /// The portal's code for the same refusal, for [`campaign_error_text`].
    pub fn code(self) -> &'static str {
        match self {
            WriteRefusal::EntityType => "ENTITY_TYPE_ERROR",
            WriteRefusal::Empty => "ENTITIES_ERROR",
        }
    }
}

fn writable(kind: EntityKind) -> Option<&'static str> {
    match kind {
        EntityKind::Contact => Some("CONTACT"),
        EntityKind::Company => Some("COMPANY"),
        _ => None,
    }
}

/// The list's entity ids in order, without duplicates. O(n log n): a list can hold 10,000.
fn current_ids(items: &[ListItem]) -> Vec<u64> {
    let ids: Vec<u64> = items.iter().map(|i| i.entity_id).collect();
    let mut sorted = ids.clone();
    sorted.sort_unstable();
    let mut dups: Vec<u64> = sorted
        .windows(2)
        .filter(|w| w[0] == w[1])
        .map(|w| w[0])
        .collect();
    if dups.is_empty() {
        return ids;
    }
    dups.dedup();
    let mut emitted: Vec<u64> = Vec::new();
    ids.into_iter()
        .filter(|id| {
            if dups.binary_search(id).is_err() {
                return true;
            }
            if emitted.contains(id) {
                return false;
            }
            emitted.push(*id);
            true
        })
        .collect()
}

/// `ids` as a sorted set.
fn sorted_set(ids: impl Iterator<Item = u64>) -> Vec<u64> {
    let mut v: Vec<u64> = ids.collect();
    v.sort_unstable();
    v.dedup();
    v
}

/// The full set to send to add `client_id` to a list: every current participant (in order,
/// duplicates dropped) and the client at the end, unless already there.
pub fn with_client_added(items: &[ListItem], client_id: u64) -> Vec<u64> {
    let mut ids = current_ids(items);
    if !ids.contains(&client_id) {
        ids.push(client_id);
    }
    ids
}

/// The full set to send to take `client_id` out of a list: every other participant.
pub fn with_client_removed(items: &[ListItem], client_id: u64) -> Vec<u64> {
    let mut ids = current_ids(items);
    ids.retain(|id| *id != client_id);
    ids
}

/// `crm.calllist.update` with the full wanted set and the list's web form (omitting it would
/// clear it). `list` must be a contact or company list and `entities` non-empty.
pub fn update_params(
    list: &CallList,
    entities: &[u64],
    webform_id: Option<u64>,
) -> Result<Command, WriteRefusal> {
    let entity_type = list
        .kind()
        .and_then(writable)
        .ok_or(WriteRefusal::EntityType)?;
    if entities.is_empty() {
        return Err(WriteRefusal::Empty);
    }
    let mut p = json!({"LIST_ID": list.id, "ENTITY_TYPE": entity_type, "ENTITIES": entities});
    if let Some(w) = webform_id {
        p["WEBFORM_ID"] = json!(w);
    }
    Ok(("crm.calllist.update", p))
}

/// A new list from the client and its bindings, ready to send.
#[derive(Debug, Clone, PartialEq)]
pub struct AddPlan {
    /// `Contact` or `Company`.
    pub kind: EntityKind,
    /// The participants, client first.
    pub entities: Vec<u64>,
    /// Bindings left out: another type than the list's (tell the operator).
    pub dropped: Vec<EntityRef>,
    /// The `crm.calllist.add` call.
    pub command: Command,
}

/// Plans `crm.calllist.add` for the current client and the contacts/companies among its
/// bindings. A list holds one type: the client's when it is a contact or company, else the
/// first contact/company binding's. Everything of another type is in [`AddPlan::dropped`].
pub fn add_params(client: EntityRef, bindings: &[EntityRef]) -> Result<AddPlan, WriteRefusal> {
    let kind = std::iter::once(&client)
        .chain(bindings)
        .map(|e| e.kind)
        .find(|k| writable(*k).is_some())
        .ok_or(WriteRefusal::EntityType)?;
    let mut entities = Vec::new();
    let mut dropped = Vec::new();
    for e in std::iter::once(&client).chain(bindings) {
        if e.kind == kind {
            if !entities.contains(&e.id) {
                entities.push(e.id);
            }
        } else if !dropped.contains(e) {
            dropped.push(*e);
        }
    }
    let entity_type = writable(kind).unwrap_or("CONTACT");
    let command = (
        "crm.calllist.add",
        json!({"ENTITY_TYPE": entity_type, "ENTITIES": entities}),
    );
    Ok(AddPlan {
        kind,
        entities,
        dropped,
        command,
    })
}

/// After a timed-out `crm.calllist.update`: did it happen? `items_now` is a fresh read of the
/// list; it happened when the participants are exactly the wanted set (order aside).
pub fn took_effect_update(wanted: &[u64], items_now: &[ListItem]) -> bool {
    sorted_set(wanted.iter().copied()) == sorted_set(items_now.iter().map(|i| i.entity_id))
}

/// After a timed-out `crm.calllist.add`: the id of the list it created, if it did. Looks for a
/// list of `kind` created by `me`, newer than `newest_before` (the highest list id seen before
/// the add, if known), whose participants are exactly `wanted`; the newest such list wins.
pub fn took_effect_add(
    lists_now: &[CallList],
    items_by_list: &[(u64, Vec<ListItem>)],
    kind: EntityKind,
    me: u64,
    wanted: &[u64],
    newest_before: Option<u64>,
) -> Option<u64> {
    lists_now
        .iter()
        .filter(|l| l.created_by == Some(me) && l.kind() == Some(kind))
        .filter(|l| newest_before.is_none_or(|n| l.id > n))
        .filter(|l| {
            items_by_list
                .iter()
                .find(|(id, _)| *id == l.id)
                .is_some_and(|(_, items)| took_effect_update(wanted, items))
        })
        .map(|l| l.id)
        .max()
}

// ---------------------------------------------------------------------------------------------
// Errors
// ---------------------------------------------------------------------------------------------

/// What the operator is told about a call-list error code (`error` of the answer). The portal
/// sometimes sends the description in `error` (`"Incorrect list id"`), so the documented
/// descriptions are read too; anything else gets a general text.
pub fn campaign_error_text(code: &str, lang: Lang) -> &'static str {
    let c = code.trim();
    let is = |s: &str| c.eq_ignore_ascii_case(s);
    let key = if is("ENTITY_TYPE_ERROR")
        || is("Incorrect entity type")
        || is("EntityType is incorrect")
    {
        1
    } else if is("Discrepancy between the type of call participants and incoming type") {
        2
    } else if is("ACCESS_ERROR") || is("Access denied") || is("ACCESS_DENIED") {
        3
    } else if is("LIST_ID_ERROR")
        || is("Incorrect list id")
        || is("Incorrect list id or access denied")
        || is("Call list is not found")
        || is("List id should be positive")
    {
        4
    } else if is("ENTITIES_ERROR") || is("Entities is not array") {
        5
    } else if is("ENTITY_ERROR") || is("Incorrect entities id") {
        6
    } else if is("WEBFORM_ERROR") || is("Incorrect webform id") {
        7
    } else if is("STATUS_ERROR") || is("Incorrect status") {
        8
    } else if is("ERROR_ARGUMENT") || is("Invalid parameters") || is("Invalid parameters.") {
        9
    } else {
        0
    };
    let (en, ru) = match key {
        1 => (
            "Call lists made through the app can hold only contacts or companies.",
            "Через приложение в обзвон можно добавлять только контакты или компании.",
        ),
        2 => (
            "This call list holds another type of client.",
            "В этом обзвоне клиенты другого типа.",
        ),
        3 => (
            "You do not have access to these clients or to this call list.",
            "Нет доступа к этим клиентам или к этому обзвону.",
        ),
        4 => (
            "The call list was not found: it may have been deleted, or you have no access to it.",
            "Обзвон не найден: возможно, он удалён или к нему нет доступа.",
        ),
        5 => (
            "The call list needs at least one client.",
            "В обзвоне должен быть хотя бы один клиент.",
        ),
        6 => (
            "Some of the clients no longer exist in the CRM.",
            "Некоторых клиентов больше нет в CRM.",
        ),
        7 => (
            "The CRM form attached to the call list no longer exists.",
            "CRM-форма, привязанная к обзвону, больше не существует.",
        ),
        8 => (
            "This call status does not exist.",
            "Такого статуса обзвона нет.",
        ),
        9 => (
            "The request to the call list was incomplete.",
            "Запрос к обзвону был неполным.",
        ),
        _ => (
            "The portal could not change the call list.",
            "Портал не смог выполнить действие с обзвоном.",
        ),
    };
    match lang {
        Lang::En => en,
        Lang::Ru => ru,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn contact(id: u64) -> EntityRef {
        EntityRef::new(EntityKind::Contact, id)
    }

    fn list(id: u64, type_id: u64) -> CallList {
        CallList {
            id,
            entity_type_id: type_id,
            entity_type: None,
            created: String::new(),
            created_by: Some(1),
            webform_id: None,
        }
    }

    fn item(id: u64, status: &str) -> ListItem {
        ListItem {
            entity_id: id,
            status: status.into(),
            entity_type_id: 3,
        }
    }

    fn statuses() -> Vec<ListStatus> {
        decode_statuses(&json!([
            {"ID": 61, "NAME": "In Progress", "SORT": 10, "STATUS_ID": "IN_WORK"},
            {"ID": "65", "NAME": "Call back later", "SORT": "50", "STATUS_ID": "CALLBACK"},
            {"ID": 62, "NAME": "Successful", "SORT": 20, "STATUS_ID": "SUCCESS"},
            {"ID": 63, "NAME": "Wrong Number", "SORT": 30, "STATUS_ID": "WRONG_NUMBER"},
            {"ID": 64, "NAME": "Do Not Call Again", "SORT": 40, "STATUS_ID": "STOP_CALLING"},
            {"ID": 66, "NAME": "no code"},
            "garbage"
        ]))
    }

    #[test]
    fn commands_have_the_documented_shapes() {
        let (m, p) = recent_lists_query(7, 50);
        assert_eq!(m, "crm.calllist.list");
        assert_eq!(p["FILTER"]["CREATED_BY_ID"], 7);
        assert_eq!(p["ORDER"]["ID"], "DESC");
        assert_eq!(p["start"], 50);
        let (m, p) = items_query(13, Some("IN_WORK"), 0);
        assert_eq!(m, "crm.calllist.items.get");
        assert_eq!(
            p,
            json!({"LIST_ID": 13, "start": 0, "FILTER": {"STATUS": "IN_WORK"}})
        );
        assert!(items_query(13, None, 100).1.get("FILTER").is_none());
        assert_eq!(statuslist_query().0, "crm.calllist.statuslist");
        assert_eq!(list_get_query(5), ("crm.calllist.get", json!({"ID": 5})));
        let (m, p) = open_activity_query(3);
        assert_eq!(m, "crm.activity.list");
        assert_eq!(p["filter"]["PROVIDER_ID"], "CALL_LIST");
        assert_eq!(p["filter"]["COMPLETED"], "N");
        assert_eq!(p["filter"]["RESPONSIBLE_ID"], 3);
        // The commands fit a batch.
        let mut b = crate::rest::batch::Batch::new();
        let (m, p) = items_query(13, None, 0);
        b.add("items_13_0", m, p);
        assert_eq!(
            b.to_params()[0]["cmd"]["items_13_0"],
            "crm.calllist.items.get?LIST_ID=13&start=0"
        );
    }

    #[test]
    fn decoders_are_lenient_and_skip_bad_rows() {
        let lists = decode_lists(&json!([
            {"ID": "6", "DATE_CREATE": "2026-11-20 09:12:00", "CREATED_BY_ID": "1", "WEBFORM_ID": null, "ENTITY_TYPE_ID": "3"},
            {"ID": 7, "CREATED_BY_ID": 1, "WEBFORM_ID": "2", "ENTITY_TYPE_ID": 2, "ENTITY_TYPE": "DEAL"},
            {"ID": "x", "ENTITY_TYPE_ID": "3"},
            {"ID": "8"},
            7
        ]));
        assert_eq!(lists.len(), 2);
        assert_eq!(lists[0].id, 6);
        assert_eq!(lists[0].created, "2026-11-20 09:12:00");
        assert_eq!(lists[0].webform_id, None);
        assert_eq!(lists[0].kind(), Some(EntityKind::Contact));
        assert_eq!(lists[1].webform_id, Some(2));
        assert_eq!(lists[1].kind(), Some(EntityKind::Deal));
        assert!(decode_lists(&json!({})).is_empty());
        assert!(decode_lists(&json!("nope")).is_empty());

        let items = decode_items(&json!([
            {"ID": 9, "STATUS": "IN_WORK", "ENTITY_TYPE": 3},
            {"ID": "17", "STATUS": "SUCCESS", "ENTITY_TYPE": "3"},
            {"ID": 19, "STATUS": "NO_ANSWER"},
            {"ID": "", "STATUS": "IN_WORK"},
            {"ID": 20},
            null
        ]));
        assert_eq!(
            items,
            vec![
                item(9, "IN_WORK"),
                item(17, "SUCCESS"),
                ListItem {
                    entity_id: 19,
                    status: "NO_ANSWER".into(),
                    entity_type_id: 0
                }
            ]
        );

        let st = statuses();
        let order: Vec<&str> = st.iter().map(|s| s.status_id.as_str()).collect();
        assert_eq!(
            order,
            [
                "IN_WORK",
                "SUCCESS",
                "WRONG_NUMBER",
                "STOP_CALLING",
                "CALLBACK"
            ]
        );

        let acts = decode_open_activity_lists(&json!([
            {"ID": "9", "ASSOCIATED_ENTITY_ID": "6", "PROVIDER_ID": "CALL_LIST", "COMPLETED": "N"},
            {"ID": "8", "ASSOCIATED_ENTITY_ID": "0", "OWNER_ID": "4", "OWNER_TYPE_ID": "12"},
            {"ID": "7", "ASSOCIATED_ENTITY_ID": "6"},
            {"ID": "5", "ASSOCIATED_ENTITY_ID": "3", "COMPLETED": "Y"},
            {"ID": "4", "ASSOCIATED_ENTITY_ID": "2", "PROVIDER_ID": "VOXIMPLANT_CALL"}
        ]));
        assert_eq!(acts, vec![6, 4]);
        assert_eq!(decode_added(&json!(11)), Some(11));
        assert_eq!(decode_added(&json!("11")), Some(11));
        assert_eq!(decode_added(&json!(true)), None);
    }

    /// The rows a portal page of `list` from `start` holds: 50 raw rows cut first, then the
    /// `hidden` ones left out, as the portal does; `None` for an empty page (`ACCESS_ERROR`).
    fn portal_page(list: &[u64], hidden: &[u64], start: u64) -> Option<Value> {
        let rows: Vec<Value> = list
            .iter()
            .skip(start as usize)
            .take(PAGE_SIZE)
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
        assert_eq!(read.items.len(), MAX_PAGES * PAGE_SIZE);
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

    fn read_of(items: Vec<ListItem>) -> ListRead {
        ListRead {
            items,
            ended: true,
            ..ListRead::default()
        }
    }

    #[test]
    fn plan_update_checks_kind_completeness_and_intent() {
        let contacts = list(6, 3);
        let companies = list(3, 4);
        let deals = list(4, 2);
        let read = read_of(vec![item(12, "SUCCESS"), item(13, "IN_WORK")]);
        let full = read.complete(true).unwrap();
        let add = |c| Intent {
            client: c,
            add: true,
        };
        let remove = |c| Intent {
            client: c,
            add: false,
        };
        assert_eq!(
            plan_update(&contacts, &full, add(contact(20))),
            Ok(vec![12, 13, 20])
        );
        assert_eq!(
            plan_update(&contacts, &full, remove(contact(12))),
            Ok(vec![13])
        );
        // A company is never sent to a contact list, nor a contact to a company list.
        let company = EntityRef::new(EntityKind::Company, 20);
        assert_eq!(
            plan_update(&contacts, &full, add(company)),
            Err(Refusal::KindMismatch)
        );
        assert_eq!(
            plan_update(&companies, &full, add(contact(20))),
            Err(Refusal::KindMismatch)
        );
        assert_eq!(
            plan_update(&deals, &full, add(EntityRef::new(EntityKind::Deal, 41))),
            Err(Refusal::NotWritable)
        );
        // Already in / not in: nothing is sent.
        assert_eq!(
            plan_update(&contacts, &full, add(contact(12))),
            Err(Refusal::NothingToDo)
        );
        assert_eq!(
            plan_update(&contacts, &full, remove(contact(99))),
            Err(Refusal::NothingToDo)
        );
        // The last member cannot be removed (the portal refuses an empty set).
        let one = read_of(vec![item(12, "IN_WORK")]).complete(true).unwrap();
        assert_eq!(
            plan_update(&contacts, &one, remove(contact(12))),
            Err(Refusal::Empty)
        );
        // An item of another type in a contact list: the read is not trusted.
        let odd = read_of(vec![
            item(12, "IN_WORK"),
            ListItem {
                entity_id: 5,
                status: "IN_WORK".into(),
                entity_type_id: 4,
            },
        ]);
        assert_eq!(
            plan_update(&contacts, &odd.complete(true).unwrap(), add(contact(1))),
            Err(Refusal::Incomplete)
        );
        // Every refusal has its own readable text in both languages.
        let all = [
            Refusal::Hidden,
            Refusal::Uncertain,
            Refusal::Incomplete,
            Refusal::KindMismatch,
            Refusal::NotWritable,
            Refusal::Empty,
            Refusal::NothingToDo,
            Refusal::ChangedSinceShown,
            Refusal::ClientChanged,
        ];
        let mut seen = Vec::new();
        for r in all {
            let (en, ru) = (r.text(Lang::En), r.text(Lang::Ru));
            assert!(en.is_ascii() && en.ends_with('.'), "{r:?}: {en}");
            assert!(ru.chars().any(|c| ('а'..='я').contains(&c)), "{r:?}");
            assert!(!seen.contains(&en), "{r:?} shares a text");
            seen.push(en);
            assert!(!r.code().is_empty());
        }
    }

    #[test]
    fn after_a_write_other_changes_are_reported_not_restored() {
        let sent = vec![12, 13, 20];
        let clean = read_of(vec![
            item(20, "IN_WORK"),
            item(12, "SUCCESS"),
            item(13, "IN_WORK"),
        ]);
        assert!(compare_after_write(&sent, &clean).is_clean());
        // Another operator added 30 and removed 13 meanwhile.
        let other = read_of(vec![
            item(12, "SUCCESS"),
            item(20, "IN_WORK"),
            item(30, "IN_WORK"),
        ]);
        assert_eq!(
            compare_after_write(&sent, &other),
            AfterWrite {
                added: vec![30],
                missing: vec![13]
            }
        );
        assert!(changed_between(&clean, &other));
        assert!(
            !changed_between(
                &clean,
                &read_of(vec![
                    item(13, "SUCCESS"),
                    item(12, "SUCCESS"),
                    item(20, "CALLBACK")
                ])
            ),
            "a status change or another order is no change of the members"
        );
    }

    #[test]
    fn detection_none_one_many_and_remembered() {
        let lists = vec![list(9, 3), list(7, 3), list(6, 3), list(4, 2)];
        let by_list = vec![
            (9, vec![item(1, "SUCCESS"), item(2, "IN_WORK")]),
            (7, vec![item(15, "IN_WORK"), item(3, "IN_WORK")]),
            (6, vec![item(3, "SUCCESS"), item(15, "IN_WORK")]),
            (
                4,
                vec![ListItem {
                    entity_id: 41,
                    status: "IN_WORK".into(),
                    entity_type_id: 2,
                }],
            ),
        ];
        let who = [contact(15)];
        // Two lists hold the client; no activity: newest first.
        assert_eq!(
            detect(&lists, &by_list, &who, &[], None),
            Detection::Many(vec![7, 6])
        );
        // The open activity's list comes first.
        assert_eq!(
            detect(&lists, &by_list, &who, &[4, 6], None),
            Detection::Many(vec![6, 7])
        );
        // Remembered and containing the client: no question.
        assert_eq!(
            detect(&lists, &by_list, &who, &[6], Some(7)),
            Detection::One(7)
        );
        // Remembered but not containing the client, while others do: ranked as usual.
        assert_eq!(
            detect(&lists, &by_list, &who, &[], Some(9)),
            Detection::Many(vec![7, 6])
        );
        // One match.
        assert_eq!(
            detect(&lists, &by_list, &[contact(2)], &[], None),
            Detection::One(9)
        );
        // A company with the same id is another client.
        assert_eq!(
            detect(
                &lists,
                &by_list,
                &[EntityRef::new(EntityKind::Company, 2)],
                &[],
                None
            ),
            Detection::None
        );
        // No match; a remembered list that still exists is kept, a vanished one is not.
        assert_eq!(
            detect(&lists, &by_list, &[contact(99)], &[], None),
            Detection::None
        );
        assert_eq!(
            detect(&lists, &by_list, &[contact(99)], &[], Some(9)),
            Detection::One(9)
        );
        assert_eq!(
            detect(&lists, &by_list, &[contact(99)], &[], Some(1234)),
            Detection::None
        );
        // A deal list matches through the call's bindings (a contact with deal 41).
        let who = [contact(99), EntityRef::new(EntityKind::Deal, 41)];
        assert_eq!(detect(&lists, &by_list, &who, &[], None), Detection::One(4));
        // Lists without items read are not matches.
        assert_eq!(
            detect(&lists, &[], &[contact(15)], &[6], None),
            Detection::None
        );
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
                .take(PAGE_SIZE)
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
            start += PAGE_SIZE;
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

    fn members(n: u64) -> Vec<(u64, &'static str)> {
        (0..n).map(|i| (100 + i, IN_WORK)).collect()
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

    #[test]
    fn the_reading_line_in_both_languages() {
        assert_eq!(group_digits(0, Lang::En), "0");
        assert_eq!(group_digits(999, Lang::En), "999");
        assert_eq!(group_digits(10_000, Lang::En), "10,000");
        assert_eq!(group_digits(1_234_567, Lang::Ru), "1\u{a0}234\u{a0}567");
        assert_eq!(
            reading_text(Lang::En, 4_000, Some(10_000), 1),
            "Reading the call list… 4,000 of ~10,000"
        );
        assert_eq!(
            reading_text(Lang::Ru, 4_000, Some(10_000), 1),
            "Читаю список обзвона… 4\u{a0}000 из ~10\u{a0}000"
        );
        assert_eq!(
            reading_text(Lang::En, 2_500, None, 5),
            "Reading the call lists… 2,500 read"
        );
        assert_eq!(
            reading_text(Lang::Ru, 2_500, None, 5),
            "Читаю списки обзвона… прочитано 2\u{a0}500"
        );
        // More read than expected (the list grew): never "12,000 of ~10,000".
        assert_eq!(
            reading_text(Lang::En, 12_000, Some(10_000), 1),
            "Reading the call list… 12,000 of ~12,000"
        );
    }

    #[test]
    fn choices_round_trip() {
        let v = encode_choice(42, "externalCall.abc.1795428000");
        assert_eq!(
            decode_choice(&v),
            Some(Choice {
                list_id: 42,
                call_id: "externalCall.abc.1795428000".into()
            })
        );
        assert_eq!(decode_choice(" 17 ").map(|c| c.list_id), Some(17));
        assert_eq!(
            decode_choice(&encode_choice(5, "")).map(|c| c.list_id),
            Some(5)
        );
        for bad in ["", "undefined", "null", "cl1:", "cl1:x:y", "0", "-3", "{}"] {
            assert_eq!(decode_choice(bad), None, "{bad}");
        }
    }

    #[test]
    fn progress_with_custom_and_unknown_statuses() {
        let items = vec![
            item(1, "SUCCESS"),
            item(2, "CALLBACK"),
            item(3, "NO_ANSWER"),
            item(4, "WRONG_NUMBER"),
            item(5, "SUCCESS"),
            item(15, "IN_WORK"),
            item(6, "IN_WORK"),
            item(7, "LEGACY"),
            item(8, "NO_ANSWER"),
        ];
        let p = Progress::compute(&items, &statuses(), 3, &[contact(15)]);
        assert_eq!((p.total, p.done, p.remaining), (9, 7, 2));
        let bars: Vec<(&str, Option<&str>, u32)> = p
            .bars
            .iter()
            .map(|b| (b.status_id.as_str(), b.name.as_deref(), b.count))
            .collect();
        assert_eq!(
            bars,
            vec![
                ("IN_WORK", Some("In Progress"), 2),
                ("SUCCESS", Some("Successful"), 2),
                ("WRONG_NUMBER", Some("Wrong Number"), 1),
                ("STOP_CALLING", Some("Do Not Call Again"), 0),
                ("CALLBACK", Some("Call back later"), 1),
                ("NO_ANSWER", None, 2),
                ("LEGACY", None, 1),
            ]
        );
        assert_eq!(p.bars.iter().map(|b| b.count).sum::<u32>(), p.total);
        assert_eq!(
            p.position,
            Some(Position {
                place: 6,
                of: 9,
                status: "IN_WORK".into()
            })
        );
        // Not in the list; no statuses known at all.
        let p = Progress::compute(&items, &[], 3, &[contact(99)]);
        assert_eq!(p.position, None);
        assert_eq!(p.bars.len(), 6);
        assert_eq!(p.bars[0].status_id, "SUCCESS");
        // Empty list.
        let p = Progress::compute(&[], &statuses(), 3, &[contact(1)]);
        assert_eq!((p.total, p.done, p.remaining, p.bars.len()), (0, 0, 0, 5));
    }

    #[test]
    fn progress_of_ten_thousand_items() {
        let codes = ["SUCCESS", "IN_WORK", "WRONG_NUMBER", "CALLBACK", "GONE"];
        let items: Vec<ListItem> = (0..10_000u64)
            .map(|i| item(100 + i, codes[(i * 7 % 13 % 5) as usize]))
            .collect();
        let st = statuses();
        let t = std::time::Instant::now();
        let mut p = Progress::default();
        for _ in 0..10 {
            p = Progress::compute(&items, &st, 3, &[contact(100 + 9_998)]);
        }
        let per_run = t.elapsed() / 10;
        assert_eq!(p.total, 10_000);
        assert_eq!(p.bars.iter().map(|b| b.count).sum::<u32>(), 10_000);
        let in_work = items.iter().filter(|i| i.status == IN_WORK).count() as u32;
        assert_eq!((p.remaining, p.done), (in_work, 10_000 - in_work));
        assert_eq!(p.position.as_ref().map(|x| x.place), Some(9_999));
        assert_eq!(p.bars.last().map(|b| b.status_id.as_str()), Some("GONE"));
        // Generous even for an unoptimised debug build on a busy machine.
        assert!(per_run.as_millis() < 200, "{per_run:?}");
        // The full-set helpers scale too.
        let t = std::time::Instant::now();
        let added = with_client_added(&items, 5);
        assert_eq!(added.len(), 10_001);
        assert!(took_effect_update(&added, &{
            let mut v = items.clone();
            v.push(item(5, "IN_WORK"));
            v
        }));
        assert!(t.elapsed().as_millis() < 500);
    }

    #[test]
    fn full_set_updates_keep_everyone_and_the_web_form() {
        let items = vec![
            item(12, "SUCCESS"),
            item(13, "IN_WORK"),
            item(12, "SUCCESS"),
            item(14, "CALLBACK"),
        ];
        assert_eq!(with_client_added(&items, 20), vec![12, 13, 14, 20]);
        assert_eq!(
            with_client_added(&items, 13),
            vec![12, 13, 14],
            "no duplicates"
        );
        assert_eq!(with_client_removed(&items, 13), vec![12, 14]);
        assert_eq!(with_client_removed(&items, 12), vec![13, 14]);
        assert_eq!(with_client_removed(&items, 99), vec![12, 13, 14]);

        let mut l = list(6, 3);
        l.webform_id = Some(2);
        let (m, p) = update_params(&l, &[12, 13, 14, 20], l.webform_id).unwrap();
        assert_eq!(m, "crm.calllist.update");
        assert_eq!(
            p,
            json!({"LIST_ID": 6, "ENTITY_TYPE": "CONTACT", "ENTITIES": [12, 13, 14, 20], "WEBFORM_ID": 2})
        );
        let (_, p) = update_params(&list(3, 4), &[5], None).unwrap();
        assert_eq!(p["ENTITY_TYPE"], "COMPANY");
        assert!(p.get("WEBFORM_ID").is_none());
        assert_eq!(
            update_params(&list(4, 2), &[41], None),
            Err(WriteRefusal::EntityType)
        );
        assert_eq!(update_params(&l, &[], Some(2)), Err(WriteRefusal::Empty));
        assert_eq!(WriteRefusal::Empty.code(), "ENTITIES_ERROR");
    }

    #[test]
    fn new_lists_take_the_clients_type_and_say_what_is_dropped() {
        let company = EntityRef::new(EntityKind::Company, 5);
        let deal = EntityRef::new(EntityKind::Deal, 41);
        let plan = add_params(contact(12), &[deal, company, contact(13), contact(12)]).unwrap();
        assert_eq!(plan.kind, EntityKind::Contact);
        assert_eq!(plan.entities, vec![12, 13]);
        assert_eq!(plan.dropped, vec![deal, company]);
        assert_eq!(
            plan.command,
            (
                "crm.calllist.add",
                json!({"ENTITY_TYPE": "CONTACT", "ENTITIES": [12, 13]})
            )
        );
        let plan = add_params(company, &[deal, contact(12)]).unwrap();
        assert_eq!(
            (plan.kind, plan.entities.clone()),
            (EntityKind::Company, vec![5])
        );
        // A lead client: the first contact/company binding decides; the lead is dropped.
        let lead = EntityRef::new(EntityKind::Lead, 31);
        let plan = add_params(lead, &[company]).unwrap();
        assert_eq!(
            (plan.kind, plan.dropped.clone()),
            (EntityKind::Company, vec![lead])
        );
        assert_eq!(add_params(lead, &[deal]), Err(WriteRefusal::EntityType));
    }

    #[test]
    fn took_effect_checks() {
        let now = vec![
            item(12, "SUCCESS"),
            item(13, "IN_WORK"),
            item(20, "IN_WORK"),
        ];
        assert!(
            took_effect_update(&[20, 13, 12], &now),
            "order does not matter"
        );
        assert!(took_effect_update(&[12, 13, 20, 20], &now));
        assert!(!took_effect_update(&[12, 13], &now), "not yet removed");
        assert!(
            !took_effect_update(&[12, 13, 20, 21], &now),
            "not yet added"
        );

        let mut mine = list(11, 3);
        mine.created_by = Some(1);
        let mut theirs = list(12, 3);
        theirs.created_by = Some(2);
        let companies = list(13, 4);
        let older = list(5, 3);
        let lists = vec![theirs, companies, mine, older];
        let by_list = vec![
            (11, vec![item(12, "IN_WORK"), item(13, "IN_WORK")]),
            (12, vec![item(12, "IN_WORK"), item(13, "IN_WORK")]),
            (13, vec![item(12, "IN_WORK"), item(13, "IN_WORK")]),
            (5, vec![item(12, "IN_WORK"), item(13, "IN_WORK")]),
        ];
        let k = EntityKind::Contact;
        assert_eq!(
            took_effect_add(&lists, &by_list, k, 1, &[13, 12], Some(10)),
            Some(11)
        );
        assert_eq!(
            took_effect_add(&lists, &by_list, k, 1, &[13, 12], None),
            Some(11),
            "the newest"
        );
        assert_eq!(
            took_effect_add(&lists, &by_list, k, 1, &[13, 12], Some(11)),
            None
        );
        assert_eq!(
            took_effect_add(&lists, &by_list, k, 1, &[12], Some(10)),
            None
        );
        assert_eq!(
            took_effect_add(&lists, &by_list, k, 2, &[12, 13], Some(11)),
            Some(12)
        );
    }

    #[test]
    fn every_documented_code_has_a_readable_text() {
        let codes = [
            "ENTITY_TYPE_ERROR",
            "ACCESS_ERROR",
            "LIST_ID_ERROR",
            "ENTITIES_ERROR",
            "ENTITY_ERROR",
            "WEBFORM_ERROR",
            "STATUS_ERROR",
            "ERROR_ARGUMENT",
        ];
        let fallback_en = campaign_error_text("SOMETHING_NEW", Lang::En);
        let fallback_ru = campaign_error_text("SOMETHING_NEW", Lang::Ru);
        let mut seen = Vec::new();
        for code in codes {
            let en = campaign_error_text(code, Lang::En);
            let ru = campaign_error_text(code, Lang::Ru);
            assert_ne!(en, fallback_en, "{code}");
            assert_ne!(ru, fallback_ru, "{code}");
            assert!(ru.chars().any(|c| ('а'..='я').contains(&c)), "{code}: {ru}");
            assert!(en.is_ascii() && en.ends_with('.'), "{code}: {en}");
            assert!(!seen.contains(&en), "{code} shares a text");
            seen.push(en);
        }
        // The portal's descriptions in `error`, as the docs' examples show them.
        assert_eq!(
            campaign_error_text("Incorrect list id", Lang::En),
            campaign_error_text("LIST_ID_ERROR", Lang::En)
        );
        assert_eq!(
            campaign_error_text("incorrect status", Lang::Ru),
            campaign_error_text("STATUS_ERROR", Lang::Ru)
        );
        assert_ne!(
            campaign_error_text(
                "Discrepancy between the type of call participants and incoming type",
                Lang::En
            ),
            fallback_en
        );
        // The codes are classified for retry decisions as well.
        use crate::rest::error::{ErrorClass, classify};
        for code in codes {
            assert_ne!(classify(400, code), ErrorClass::Unavailable, "{code}");
        }
    }
}
