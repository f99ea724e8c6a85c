//! Campaign mode in the browser: finding the call list, its progress after every "Next", and
//! adding or removing the current client. The decisions are the pure `campaign` module's; this
//! file only asks the portal (through the frame's one REST client) and keeps the result.

use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::frame::browser::{self, Area};
use crate::store::Store;
use callcard_core::call::CallStatus;
use callcard_core::campaign::{
    self, CachePlan, CallList, Detection, Intent, ItemPages, ListItem, ListRead, ListStatus,
    PageAnswer, Progress, Refusal, decode_choice, encode_choice,
};
use callcard_core::i18n::{Lang, Text, tr};
use callcard_core::model::EntityRef;
use callcard_core::rest::batch::Batch;
use callcard_core::rest::limiter::Priority;
use callcard_core::rest::{BatchAnswer, RestError};

/// How many of the user's newest lists detection looks into.
const DETECT_LISTS: usize = 10;
/// Item pages asked in one batch (the batch limit).
const PAGES_PER_BATCH: usize = 50;

/// What the campaign block shows.
#[derive(Debug, Clone, PartialEq)]
pub enum View {
    /// Not asked yet (outside campaign mode until the operator opens the lists).
    Idle,
    Loading,
    /// No list of the user's holds the client: say so, offer all recent lists.
    NoList,
    /// Several lists hold the client: a picker, best guess first.
    Pick(Vec<u64>),
    /// The chosen list's progress; `compute_ms`: how long counting took (for the benchmark).
    Progress {
        list: u64,
        progress: Progress,
        compute_ms: f64,
    },
    /// Outside campaign mode: the user's lists, with whether each holds the client and its size.
    Lists(Vec<(u64, bool, u32)>),
    /// A readable error.
    Failed(&'static str),
}

/// What the campaign block shows: one signal (each signal type costs download size).
#[derive(Debug, Clone, PartialEq)]
pub struct Ui {
    pub view: View,
    /// A write is running (add/remove/create): buttons are disabled.
    pub busy: bool,
    /// The outcome of the last write, for the operator (`None`: nothing to say).
    pub note: Option<&'static str>,
    /// A short code for the note ([`Refusal::code`], `"others"` when another change was seen
    /// after a write, `"error"` for a failed request), as the note's `data-reason`.
    pub reason: Option<&'static str>,
    /// The user's recent lists as loaded.
    pub lists: Vec<CallList>,
    /// Pages are being read: members read so far, the size expected (the lists' last known
    /// sizes; `None` when one is unknown), and how many lists. Shown over whatever is on screen.
    pub reading: Option<(u32, Option<u32>, usize)>,
}

#[derive(Default)]
struct Inner {
    me: Option<u64>,
    statuses: Vec<ListStatus>,
    open_lists: Vec<u64>,
    /// Bumped by every refresh: a slower answer for an older client is dropped.
    generation: u64,
    /// What the lists view (outside campaign mode) was built from: the client it was built for
    /// and each list's read. A write is bound to these, not to the card at click time.
    shown: Option<Shown>,
    /// Each list's last complete read, for display only ([`campaign::PageCache`]); newest last.
    caches: Vec<(u64, ItemPages)>,
    /// The list whose cache the card's refresh batch re-reads pages of (set when planned).
    recheck_for: Option<u64>,
    /// The list whose cache that refresh re-checked successfully (taken by the next compute).
    rechecked: Option<u64>,
    /// The list and item index of the client the progress was last shown for.
    shown_at: Option<(u64, usize)>,
    /// Re-checks so far: where the rotation stands ([`ItemPages::recheck_starts`]).
    tick: usize,
}

struct Shown {
    client: EntityRef,
    reads: Vec<(u64, ListRead)>,
}

/// The campaign part of the store.
#[derive(Clone, Copy)]
pub struct Campaign {
    pub ui: RwSignal<Ui>,
    inner: StoredValue<Inner>,
}

impl Default for Campaign {
    fn default() -> Self {
        Campaign::new()
    }
}

/// The batch key of a call-list item page carried by the card's refresh.
pub fn page_key(start: u64) -> String {
    format!("cl_{start}")
}

/// Adds `starts` pages of list `id` to the card's refresh batch.
pub fn add_pages(batch: &mut Batch, id: u64, starts: &[u64]) {
    for start in starts {
        let (m, p) = campaign::items_query(id, None, *start);
        batch.add(page_key(*start), m, p);
    }
}

/// The client first, then the call's deal/quote/invoice bindings: lists of those types hold the
/// deal while the card reports its contact or company. (Not the client's company: a company list
/// holding it says nothing about a campaign calling the contact.)
fn who(status: &CallStatus) -> Vec<EntityRef> {
    use callcard_core::model::EntityKind::{Company, Contact, Lead};
    status
        .entity
        .into_iter()
        .chain(
            status
                .other_bindings()
                .into_iter()
                .filter(|b| !matches!(b.kind, Contact | Company | Lead)),
        )
        .collect()
}

/// Pagers for reading `ids` from their start.
fn pagers(ids: &[u64]) -> Vec<(u64, ItemPages)> {
    ids.iter().map(|id| (*id, ItemPages::new())).collect()
}

/// Each list's items.
fn items_of(pages: Vec<(u64, ItemPages)>) -> Vec<(u64, Vec<ListItem>)> {
    pages
        .into_iter()
        .map(|(id, p)| (id, p.into_items()))
        .collect()
}

/// Each list's read, with what the pager found out (hidden members, unreadable rows, a cut).
fn reads_of(pages: Vec<(u64, ItemPages)>) -> Vec<(u64, ListRead)> {
    pages
        .into_iter()
        .map(|(id, p)| (id, p.into_read()))
        .collect()
}

/// The re-read pages' answers in a batch (keys [`page_key`]).
fn page_answers<'a>(starts: &[u64], answer: &'a BatchAnswer) -> Vec<(u64, PageAnswer<'a>)> {
    starts
        .iter()
        .map(|s| {
            let a = match answer.get(&page_key(*s)) {
                Ok(r) => PageAnswer::Rows(&r.result),
                Err(e) if e.code() == Some("ACCESS_ERROR") => PageAnswer::Empty,
                Err(_) => PageAnswer::Failed,
            };
            (*s, a)
        })
        .collect()
}

fn choice_name(call_id: &str) -> String {
    format!("calllist.{call_id}")
}

/// Why a write was not made.
enum Failure {
    Refused(Refusal),
    /// A request failed: its readable text.
    Error(&'static str),
}

/// A readable text for a failed call-list request.
fn error_text(e: &RestError, lang: Lang) -> &'static str {
    match e.code() {
        Some(code) => tr(lang, campaign::error_text_key(code)),
        None => tr(lang, Text::ErrUnavailable),
    }
}

impl Campaign {
    pub fn new() -> Campaign {
        Campaign {
            ui: RwSignal::new(Ui {
                view: View::Idle,
                busy: false,
                note: None,
                reason: None,
                lists: Vec::new(),
                reading: None,
            }),
            inner: StoredValue::new(Inner::default()),
        }
    }

    fn next_generation(&self) -> u64 {
        self.inner.update_value(|i| i.generation += 1);
        self.inner.with_value(|i| i.generation)
    }

    fn current(&self, g: u64) -> bool {
        self.inner.try_with_value(|i| i.generation) == Some(g)
    }

    fn set_view(&self, v: View) {
        self.ui.try_update(|u| u.view = v);
    }

    fn set_reading(&self, r: Option<(u32, Option<u32>, usize)>) {
        if self.ui.try_with_untracked(|u| u.reading != r) == Some(true) {
            self.ui.try_update(|u| u.reading = r);
        }
    }

    fn list_type(&self, id: u64) -> u64 {
        self.ui
            .with_untracked(|u| {
                u.lists
                    .iter()
                    .find(|l| l.id == id)
                    .map(|l| l.entity_type_id)
            })
            .unwrap_or(0)
    }

    /// Keeps a complete read of list `id` as its cache (an incomplete one drops the cache).
    fn keep_cache(&self, store: &Store, id: u64, pages: &ItemPages) {
        if pages.cacheable() {
            store.keep(
                Area::Session,
                &format!("calllist.size.{id}"),
                &pages.items().len().to_string(),
            );
        }
        self.inner.update_value(|i| {
            i.caches.retain(|(l, _)| *l != id);
            if pages.cacheable() {
                let mut kept = pages.clone();
                kept.read_at = browser::now_ms();
                i.caches.push((id, kept));
                if i.caches.len() > DETECT_LISTS {
                    i.caches.remove(0);
                }
            }
        });
    }

    /// The size list `id` had when last read whole (this frame's cache, or the session's).
    fn known_size(&self, store: &Store, id: u64) -> Option<u32> {
        self.inner
            .with_value(|i| {
                i.caches
                    .iter()
                    .find(|(l, _)| *l == id)
                    .map(|(_, c)| c.items().len() as u32)
            })
            .or_else(|| {
                store
                    .kept(Area::Session, &format!("calllist.size.{id}"))
                    .and_then(|v| v.parse::<u64>().ok())
                    .map(|n| n as u32)
            })
    }

    /// The item index of the client shown last and of the client now in list `id`'s cache.
    fn places(&self, id: u64, who: &[EntityRef]) -> (Option<usize>, Option<usize>) {
        let list_type = self.list_type(id);
        self.inner.with_value(|i| {
            let current = i
                .caches
                .iter()
                .find(|(l, _)| *l == id)
                .and_then(|(_, c)| campaign::find_in(c.items(), list_type, who));
            let previous = i.shown_at.filter(|(l, _)| *l == id).map(|(_, at)| at);
            (previous, current)
        })
    }

    /// Applies re-read pages to list `id`'s cache; `false` (and the cache dropped) when the
    /// list may have changed otherwise.
    fn apply_recheck(&self, id: u64, answers: &[(u64, PageAnswer)]) -> bool {
        self.inner
            .try_update_value(|i| {
                let at = i.caches.iter().position(|(l, _)| *l == id)?;
                let (_, cache) = i.caches.remove(at);
                let cache = cache.recheck(answers)?;
                i.caches.push((id, cache));
                i.tick = i.tick.wrapping_add(1);
                Some(())
            })
            .flatten()
            .is_some()
    }

    /// The current view (not tracked).
    pub fn view(&self) -> View {
        self.ui.with_untracked(|u| u.view.clone())
    }

    fn lists_now(&self) -> Vec<CallList> {
        self.ui.with_untracked(|u| u.lists.clone())
    }

    fn set_busy(&self, busy: bool, note: Option<(&'static str, &'static str)>) {
        self.ui.try_update(|u| {
            u.busy = busy;
            u.reason = note.map(|n| n.0);
            u.note = note.map(|n| n.1);
        });
    }

    fn me(&self) -> Option<u64> {
        self.inner.with_value(|i| i.me)
    }

    fn forget_me(&self) {
        self.inner.update_value(|i| i.me = None);
    }

    /// Who I am, my recent lists, my open call-list activities and the statuses: one batch,
    /// once per frame (the user reference saves a round trip).
    async fn ensure_base(&self, store: &Store) -> Result<(), RestError> {
        if self.me().is_some() {
            return Ok(());
        }
        // My user id reaches the other commands as a reference: one round trip, not two.
        let me = Batch::reference("a_me", &["ID"]);
        let mut b = Batch::new();
        b.add("a_me", "user.current", serde_json::json!({}));
        let (m, p) = campaign::recent_lists_query(me.clone(), 0);
        b.add("b_lists", m, p);
        let (m, p) = campaign::open_activity_query(me);
        b.add("c_open", m, p);
        let (m, p) = campaign::statuslist_query();
        b.add("d_status", m, p);
        let a = store.client().batch(&b, Priority::Interactive).await?;
        let me = a
            .get("a_me")?
            .result
            .get("ID")
            .and_then(|v| callcard_core::model::value::value_u64(v).ok().flatten());
        let lists = campaign::decode_lists(&a.get("b_lists")?.result);
        let open_lists = a
            .get("c_open")
            .map(|r| campaign::decode_open_activity_lists(&r.result))
            .unwrap_or_default();
        let statuses = a
            .get("d_status")
            .map(|r| campaign::decode_statuses(&r.result))
            .unwrap_or_default();
        self.ui.try_update(|u| u.lists = lists);
        self.inner.update_value(|i| {
            i.me = me;
            i.open_lists = open_lists;
            i.statuses = statuses;
        });
        Ok(())
    }

    /// Reads each list in `pages` to the portal's end from where its pager stands (nothing when
    /// complete already): `items.get` pages 50 at a time (no count), up to 50 pages a batch
    /// shared by the lists not finished yet. Keeps every complete read as the list's cache.
    /// `report`: the reading line follows ("4,000 of ~10,000"), from the start when nothing
    /// else is on screen, else from the second batch on (a one-batch read shows no line that
    /// blinks). Fresh reads for a write pass `false`.
    async fn load_more(
        &self,
        store: &Store,
        mut pages: Vec<(u64, ItemPages)>,
        report: bool,
    ) -> Result<Vec<(u64, ItemPages)>, RestError> {
        let several = pages.len() > 1;
        let mut expected = Some(0);
        for (id, _) in &pages {
            expected = match (expected, self.known_size(store, *id)) {
                (Some(a), Some(b)) => Some(a + b),
                _ => None,
            };
        }
        let mut batches = 0;
        loop {
            let mut b = Batch::new();
            let mut asked: Vec<(usize, u64, String)> = Vec::new();
            // The batch's 50 slots are shared by the lists not finished yet.
            let active = pages.iter().filter(|(_, p)| !p.is_done()).count();
            let per_list = (PAGES_PER_BATCH / active.max(1)).max(1);
            for (i, (id, p)) in pages.iter().enumerate() {
                for start in p.next_starts(per_list) {
                    if asked.len() == PAGES_PER_BATCH {
                        break;
                    }
                    let key = format!("i{i}_{start}");
                    let (m, params) = campaign::items_query(*id, None, start);
                    b.add(key.clone(), m, params);
                    asked.push((i, start, key));
                }
            }
            let read = pages.iter().map(|(_, p)| p.items().len() as u32).sum();
            let line = (report && !asked.is_empty())
                .then_some((read, expected, pages.len()))
                .filter(|_| batches > 0 || matches!(self.view(), View::Loading));
            if report {
                self.set_reading(line);
            }
            if asked.is_empty() {
                break;
            }
            batches += 1;
            let got = store.client().batch(&b, Priority::Interactive).await;
            let a: BatchAnswer = match got {
                Ok(a) => a,
                Err(e) => {
                    self.set_reading(None);
                    return Err(e);
                }
            };
            for (i, start, key) in asked {
                let p = &mut pages[i].1;
                match a.get(&key) {
                    Ok(r) => {
                        p.feed(start, &r.result);
                    }
                    Err(e) => {
                        let code = e.code().unwrap_or("");
                        if p.feed_error(start, code) {
                            continue;
                        }
                        // Of several lists, one without a readable member does not fail the
                        // others: it is shown empty and cannot be written.
                        if several && start == 0 && code == "ACCESS_ERROR" {
                            p.no_access();
                            continue;
                        }
                        self.set_reading(None);
                        return Err(e);
                    }
                }
            }
        }
        for (id, p) in &pages {
            self.keep_cache(store, *id, p);
        }
        Ok(pages)
    }

    /// In campaign mode, the list whose first item pages should ride in the card's refresh batch
    /// (the one chosen for this call, once the user's lists are known), with the page starts.
    pub fn pages_for_refresh(&self, store: &Store, room: usize) -> Option<(u64, Vec<u64>)> {
        let status = store.status.get_untracked();
        if !status.call_list_mode || self.me().is_none() || room == 0 {
            return None;
        }
        let call_id = status.call_id.clone().unwrap_or_default();
        let id = Self::remembered(store, &call_id).filter(|id| {
            self.ui
                .with_untracked(|u| u.lists.iter().any(|l| l.id == *id))
        })?;
        // A kept read: only the pages that can have changed (and a rotation) ride along.
        let (previous, current) = self.places(id, &who(&status));
        let recheck = self.inner.with_value(|i| {
            i.caches
                .iter()
                .find(|(l, _)| *l == id)
                .and_then(|(_, c)| c.recheck_starts(previous, current, i.tick, room))
        });
        // Without one the list is read whole by its own batches after the refresh.
        self.inner
            .update_value(|i| i.recheck_for = recheck.as_ref().map(|_| id));
        recheck.map(|starts| (id, starts))
    }

    /// The re-read pages that came with the card's refresh (key [`page_key`]), applied to the
    /// list's cache for [`Campaign::refresh`] (or the cache dropped when the list changed).
    pub fn take_refresh_pages(&self, id: u64, starts: &[u64], answer: &BatchAnswer) {
        if self
            .inner
            .try_update_value(|i| i.recheck_for.take())
            .flatten()
            == Some(id)
        {
            let ok = self.apply_recheck(id, &page_answers(starts, answer));
            self.inner.update_value(|i| i.rechecked = ok.then_some(id));
        }
    }

    /// The list remembered for this call, or for the user.
    fn remembered(store: &Store, call_id: &str) -> Option<u64> {
        store
            .kept(Area::Session, &choice_name(call_id))
            .and_then(|v| v.parse::<u64>().ok())
            .or_else(|| {
                store
                    .portal()
                    .user_option(campaign::CHOICE_OPTION)
                    .and_then(|v| decode_choice(&v))
                    .map(|c| c.list_id)
            })
    }

    fn remember(store: &Store, list: u64, call_id: &str) {
        store.keep(Area::Session, &choice_name(call_id), &list.to_string());
        store
            .portal()
            .set_user_option(campaign::CHOICE_OPTION, &encode_choice(list, call_id));
    }

    /// Campaign mode, after every refresh ("Next", a call's end): the chosen list's progress,
    /// finding the list first when none is chosen. The last progress stays while this runs.
    pub fn refresh(self, store: Store) {
        let g = self.next_generation();
        let status = store.status.get_untracked();
        // What is on screen stays while the new figures load (the reading line shows over it).
        if matches!(self.view(), View::Idle | View::Failed(_)) {
            self.set_view(View::Loading);
        }
        spawn_local(async move {
            let view = self.compute(&store, &status).await;
            if self.current(g) {
                self.set_view(view);
            }
        });
    }

    async fn compute(&self, store: &Store, status: &CallStatus) -> View {
        let lang = store.lang;
        if let Err(e) = self.ensure_base(store).await {
            return View::Failed(error_text(&e, lang));
        }
        let call_id = status.call_id.clone().unwrap_or_default();
        let who = who(status);
        let lists = self.lists_now();
        let remembered = Self::remembered(store, &call_id);
        // A remembered list that still exists: its progress, from the pages that came with the
        // card's refresh (usually all of them: no request of its own) plus any still missing.
        if let Some(id) = remembered.filter(|id| lists.iter().any(|l| l.id == *id)) {
            let rechecked = self.inner.try_update_value(|i| i.rechecked.take());
            return self
                .progress_of(store, id, &who, &call_id, rechecked.flatten() == Some(id))
                .await;
        }
        let ids: Vec<u64> = lists.iter().take(DETECT_LISTS).map(|l| l.id).collect();
        let items = match self
            .load_more(store, pagers(&ids), true)
            .await
            .map(items_of)
        {
            Ok(i) => i,
            Err(e) => return View::Failed(error_text(&e, lang)),
        };
        let open = self.inner.with_value(|i| i.open_lists.clone());
        match campaign::detect(&lists, &items, &who, &open, None) {
            Detection::One(id) => {
                Self::remember(store, id, &call_id);
                self.show(id, &items, &who)
            }
            Detection::Many(ids) => View::Pick(ids),
            Detection::None => View::NoList,
        }
    }

    fn show(&self, id: u64, items: &[(u64, Vec<ListItem>)], who: &[EntityRef]) -> View {
        let list_type = self
            .ui
            .with_untracked(|u| {
                u.lists
                    .iter()
                    .find(|l| l.id == id)
                    .map(|l| l.entity_type_id)
            })
            .unwrap_or(0);
        let empty = Vec::new();
        let list_items = items
            .iter()
            .find(|(i, _)| *i == id)
            .map(|(_, v)| v)
            .unwrap_or(&empty);
        let statuses = self.inner.with_value(|i| i.statuses.clone());
        let t0 = browser::perf_now();
        let progress = Progress::compute(list_items, &statuses, list_type, who);
        let at = progress
            .position
            .as_ref()
            .map(|p| (id, p.place as usize - 1));
        self.inner.update_value(|i| i.shown_at = at);
        View::Progress {
            list: id,
            progress,
            compute_ms: browser::perf_now() - t0,
        }
    }

    /// The progress of list `id`: from its kept read when [`campaign::cache_plan`] allows
    /// (re-checked by the card's refresh, or read whole moments ago), else read whole.
    async fn progress_of(
        &self,
        store: &Store,
        id: u64,
        who: &[EntityRef],
        call_id: &str,
        rechecked: bool,
    ) -> View {
        let now = browser::now_ms();
        let items = self.inner.with_value(|i| {
            let cache = i.caches.iter().find(|(l, _)| *l == id).map(|(_, c)| c);
            (campaign::cache_plan(cache, rechecked, now) == CachePlan::Reuse)
                .then(|| cache.map(|c| c.items().to_vec()))
                .flatten()
        });
        let items = match items {
            Some(items) => items,
            None => match self.load_more(store, pagers(&[id]), true).await {
                Ok(mut read) => read.pop().map(|(_, p)| p.into_items()).unwrap_or_default(),
                Err(e) => return View::Failed(error_text(&e, store.lang)),
            },
        };
        Self::remember(store, id, call_id);
        self.show(id, &[(id, items)], who)
    }

    /// The operator picked a list.
    pub fn choose(self, store: Store, id: u64) {
        let g = self.next_generation();
        let status = store.status.get_untracked();
        self.set_view(View::Loading);
        spawn_local(async move {
            let call_id = status.call_id.clone().unwrap_or_default();
            let v = self
                .progress_of(&store, id, &who(&status), &call_id, false)
                .await;
            if self.current(g) {
                self.set_view(v);
            }
        });
    }

    /// Outside campaign mode: which of my recent lists hold the client (and their sizes).
    /// Lists already on screen stay there (with the reading line) while they are read again.
    pub fn load_lists(self, store: Store) {
        let g = self.next_generation();
        let status = store.status.get_untracked();
        if !matches!(self.view(), View::Lists(_)) {
            self.set_view(View::Loading);
        }
        spawn_local(async move {
            let v = self.lists_view(&store, &status).await;
            if self.current(g) {
                self.set_view(v);
            }
        });
    }

    /// Reads the lists and keeps what the view is built from ([`Shown`]).
    async fn lists_view(&self, store: &Store, status: &CallStatus) -> View {
        if let Err(e) = self.ensure_base(store).await {
            return View::Failed(error_text(&e, store.lang));
        }
        let lists = self.lists_now();
        let ids: Vec<u64> = lists.iter().take(DETECT_LISTS).map(|l| l.id).collect();
        let who = who(status);
        match self
            .load_more(store, pagers(&ids), true)
            .await
            .map(reads_of)
        {
            Ok(reads) => {
                let rows = lists
                    .iter()
                    .take(DETECT_LISTS)
                    .map(|l| {
                        let its = reads
                            .iter()
                            .find(|(i, _)| *i == l.id)
                            .map(|(_, r)| &r.items);
                        let has = its.is_some_and(|v| {
                            campaign::find_in(v, l.entity_type_id, &who).is_some()
                        });
                        (l.id, has, its.map_or(0, |v| v.len() as u32))
                    })
                    .collect();
                let shown = status.entity.map(|client| Shown { client, reads });
                self.inner.update_value(|i| i.shown = shown);
                View::Lists(rows)
            }
            Err(e) => View::Failed(error_text(&e, store.lang)),
        }
    }

    /// Adds (`add`) or removes the client the lists view was built for in list `id`. Nothing is
    /// sent unless the read is provably the whole list (see [`ListRead::complete`]), the list
    /// has not changed since it was shown, and the list and client are of one kind; one write
    /// at a time. After the write the lists are read again and anything but the intended change
    /// is reported (never restored). A timed-out write is checked by a read, never re-sent.
    pub fn change(self, store: Store, id: u64, add: bool) {
        if self.ui.with_untracked(|u| u.busy) {
            return;
        }
        let Some(list) = self
            .ui
            .with_untracked(|u| u.lists.iter().find(|l| l.id == id).cloned())
        else {
            return;
        };
        let Some((client, shown)) = self.inner.with_value(|i| {
            i.shown.as_ref().map(|s| {
                let read = s
                    .reads
                    .iter()
                    .find(|(l, _)| *l == id)
                    .map(|(_, r)| r.clone());
                (s.client, read)
            })
        }) else {
            return;
        };
        let Some(shown) = shown else { return };
        self.set_busy(true, None);
        spawn_local(async move {
            let lang = store.lang;
            let now = store.status.get_untracked();
            if now.entity != Some(client) {
                // Bound to the client the rows were shown for: a switched card is not it.
                let r = Refusal::ClientChanged;
                self.reload_with_note(&store, Some((r.code(), tr(lang, r.text_key()))))
                    .await;
                return;
            }
            let note = match self.write(&store, &list, client, &shown, add).await {
                Ok(sent) => {
                    // Read again (the view's own read) and compare with what was sent.
                    let g = self.next_generation();
                    let view = self.lists_view(&store, &now).await;
                    let after = self.inner.with_value(|i| {
                        i.shown.as_ref().and_then(|s| {
                            s.reads
                                .iter()
                                .find(|(l, _)| *l == id)
                                .map(|(_, r)| r.clone())
                        })
                    });
                    if self.current(g) {
                        self.set_view(view);
                    }
                    match after {
                        Some(r) if !campaign::compare_after_write(&sent, &r).is_clean() => {
                            Some(("others", tr(lang, Text::ListChangedByOthers)))
                        }
                        _ => None,
                    }
                }
                Err(Failure::Refused(Refusal::ChangedSinceShown)) => {
                    let r = Refusal::ChangedSinceShown;
                    self.reload_with_note(&store, Some((r.code(), tr(lang, r.text_key()))))
                        .await;
                    return;
                }
                Err(Failure::Refused(r)) => Some((r.code(), tr(lang, r.text_key()))),
                Err(Failure::Error(text)) => Some(("error", text)),
            };
            self.set_busy(false, note);
        });
    }

    /// Rebuilds the lists view for the card's client now, then shows `note`.
    async fn reload_with_note(&self, store: &Store, note: Option<(&'static str, &'static str)>) {
        let g = self.next_generation();
        let status = store.status.get_untracked();
        let view = self.lists_view(store, &status).await;
        if self.current(g) {
            self.set_view(view);
        }
        self.set_busy(false, note);
    }

    /// The write itself: checks, the update, and the read-back after a timeout. Returns the set
    /// sent. `shown` is the read the view was built from.
    async fn write(
        &self,
        store: &Store,
        list: &CallList,
        client: EntityRef,
        shown: &ListRead,
        add: bool,
    ) -> Result<Vec<u64>, Failure> {
        let lang = store.lang;
        let admin = store.portal().is_admin();
        let intent = Intent { client, add };
        // What the view was built from must already be provably whole: else no request at all.
        let before = shown.complete(admin).map_err(Failure::Refused)?;
        campaign::plan_update(list, &before, intent).map_err(Failure::Refused)?;
        // A fresh read: the set is built from the list as it is now, and it must be the list
        // that was shown (another operator may have changed it meanwhile).
        let fresh = self
            .load_more(store, pagers(&[list.id]), false)
            .await
            .map(|v| reads_of(v).pop().map(|(_, r)| r).unwrap_or_default())
            .map_err(|e| Failure::Error(error_text(&e, lang)))?;
        if campaign::changed_between(shown, &fresh) {
            return Err(Failure::Refused(Refusal::ChangedSinceShown));
        }
        let complete = fresh.complete(admin).map_err(Failure::Refused)?;
        let wanted = campaign::plan_update(list, &complete, intent).map_err(Failure::Refused)?;
        let (m, p) = campaign::update_params(list, &wanted, list.webform_id)
            .map_err(|r| Failure::Error(tr(lang, campaign::error_text_key(r.code()))))?;
        match store.client().call(m, &p, Priority::Interactive).await {
            Ok(_) => Ok(wanted),
            Err(e @ (RestError::Timeout { .. } | RestError::Library(_))) => {
                // The outcome is unknown: read the list back and compare.
                let now = self
                    .load_more(store, pagers(&[list.id]), false)
                    .await
                    .map(|v| reads_of(v).pop().map(|(_, r)| r).unwrap_or_default())
                    .map_err(|_| Failure::Error(error_text(&e, lang)))?;
                if campaign::took_effect_update(&wanted, &now.items) {
                    Ok(wanted)
                } else {
                    Err(Failure::Error(error_text(&e, lang)))
                }
            }
            Err(e) => Err(Failure::Error(error_text(&e, lang))),
        }
    }

    /// A new list from the client and the contacts/companies among its bindings.
    pub fn create(self, store: Store) {
        if self.ui.with_untracked(|u| u.busy) {
            return;
        }
        let status = store.status.get_untracked();
        let Some(client) = status.entity else { return };
        let lang = store.lang;
        let plan = match campaign::add_params(client, &status.other_bindings()) {
            Ok(p) => p,
            Err(r) => {
                self.set_busy(
                    false,
                    Some(("error", tr(lang, campaign::error_text_key(r.code())))),
                );
                return;
            }
        };
        self.set_busy(true, None);
        spawn_local(async move {
            let newest_before = self
                .ui
                .with_untracked(|u| u.lists.iter().map(|l| l.id).max());
            let (m, p) = plan.command.clone();
            let got = store.client().call(m, &p, Priority::Interactive).await;
            let note = match got {
                Ok(a) => campaign::decode_added(&a.result)
                    .map(|_| None)
                    .unwrap_or(None),
                Err(e @ (RestError::Timeout { .. } | RestError::Library(_))) => {
                    // Unknown outcome: look for the list before saying anything.
                    self.forget_me();
                    let found = match self.ensure_base(&store).await {
                        Ok(()) => {
                            let lists = self.lists_now();
                            let ids: Vec<u64> = lists
                                .iter()
                                .filter(|l| newest_before.is_none_or(|n| l.id > n))
                                .map(|l| l.id)
                                .collect();
                            let items = self.load_more(&store, pagers(&ids), true).await;
                            match (items.map(items_of), self.me()) {
                                (Ok(items), Some(me)) => campaign::took_effect_add(
                                    &lists,
                                    &items,
                                    plan.kind,
                                    me,
                                    &plan.entities,
                                    newest_before,
                                ),
                                _ => None,
                            }
                        }
                        Err(_) => None,
                    };
                    found.map_or(Some(("error", error_text(&e, lang))), |_| None)
                }
                Err(e) => Some(("error", error_text(&e, lang))),
            };
            self.set_busy(false, note);
            // The new list joins the user's lists.
            self.forget_me();
            self.load_lists(store);
        });
    }
}
