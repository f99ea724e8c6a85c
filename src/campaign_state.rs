//! Campaign mode in the browser: finding the call list, its progress after every "Next", and
//! adding or removing the current client. The decisions are the pure `campaign` module's; this
//! file only asks the portal (through the frame's one REST client) and keeps the result.

use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::browser::{self, Area};
use crate::campaign::{
    self, CallList, Detection, Intent, ListItem, ListRead, ListStatus, Progress, Refusal,
    decode_choice, encode_choice,
};
use crate::i18n::{Lang, T, tr};
use crate::model::{CallStatus, EntityRef};
use crate::rest::batch::Batch;
use crate::rest::limiter::Priority;
use crate::rest::{BatchAnswer, RestError};
use crate::state::Store;

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
}

#[derive(Default)]
struct Inner {
    me: Option<u64>,
    statuses: Vec<ListStatus>,
    open_lists: Vec<u64>,
    /// Item pages of the chosen list that came with the card's refresh batch.
    prefetched: Option<(u64, campaign::ItemPages)>,
    /// Bumped by every refresh: a slower answer for an older client is dropped.
    generation: u64,
    /// What the lists view (outside campaign mode) was built from: the client it was built for
    /// and each list's read. A write is bound to these, not to the card at click time.
    shown: Option<Shown>,
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
    use crate::model::EntityKind::{Company, Contact, Lead};
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
        Some(code) => campaign::campaign_error_text(code, lang),
        None => tr(lang, T::ErrUnavailable),
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
            .and_then(|v| crate::model::value::value_u64(v).ok().flatten());
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

    /// Every participant of each list in `ids`: `items.get` pages 50 at a time (no count), so
    /// pages are asked up to 50 in a batch until each list reaches the portal's end.
    async fn load_items(
        store: &Store,
        ids: &[u64],
    ) -> Result<Vec<(u64, Vec<ListItem>)>, RestError> {
        Ok(Self::read_lists(store, ids)
            .await?
            .into_iter()
            .map(|(id, r)| (id, r.items))
            .collect())
    }

    /// Each list in `ids` read to the portal's end, with what the pager found out (hidden
    /// members, unreadable rows, a cut read).
    async fn read_lists(store: &Store, ids: &[u64]) -> Result<Vec<(u64, ListRead)>, RestError> {
        let pages: Vec<(u64, campaign::ItemPages)> = ids
            .iter()
            .map(|id| (*id, campaign::ItemPages::new()))
            .collect();
        Self::load_more(store, pages).await
    }

    /// One list read to the portal's end.
    async fn read_list(store: &Store, id: u64) -> Result<ListRead, RestError> {
        let mut lists = Self::read_lists(store, &[id]).await?;
        Ok(lists.pop().map(|(_, r)| r).unwrap_or_default())
    }

    /// Asks for the rest of each list's pages (nothing when they are complete already).
    async fn load_more(
        store: &Store,
        mut pages: Vec<(u64, campaign::ItemPages)>,
    ) -> Result<Vec<(u64, ListRead)>, RestError> {
        let several = pages.len() > 1;
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
            if asked.is_empty() {
                break;
            }
            let a: BatchAnswer = store.client().batch(&b, Priority::Interactive).await?;
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
                        return Err(e);
                    }
                }
            }
        }
        Ok(pages
            .into_iter()
            .map(|(id, p)| (id, p.into_read()))
            .collect())
    }

    /// In campaign mode, the list whose first item pages should ride in the card's refresh batch
    /// (the one chosen for this call, once the user's lists are known), with the page starts.
    pub fn pages_for_refresh(&self, store: &Store, room: usize) -> Option<(u64, Vec<u64>)> {
        let status = store.status.get_untracked();
        if !status.call_list_mode || self.me().is_none() || room == 0 {
            return None;
        }
        let call_id = status.call_id.unwrap_or_default();
        let id = Self::remembered(store, &call_id).filter(|id| {
            self.ui
                .with_untracked(|u| u.lists.iter().any(|l| l.id == *id))
        })?;
        // As many pages as the list had last time, plus the empty ones that end it; a few at first.
        let known = self.ui.with_untracked(|u| match &u.view {
            View::Progress { list, progress, .. } if *list == id => Some(progress.total as usize),
            _ => None,
        });
        let n = known.map_or(4, |total| {
            total.div_ceil(campaign::PAGE_SIZE) + campaign::END_PROBE
        });
        Some((id, campaign::ItemPages::new().next_starts(n.min(room))))
    }

    /// The pages that came with the card's refresh (key [`page_key`]), kept for [`refresh`].
    pub fn take_refresh_pages(&self, id: u64, starts: &[u64], answer: &BatchAnswer) {
        let mut pages = campaign::ItemPages::new();
        for start in starts {
            match answer.get(&page_key(*start)) {
                Ok(r) => {
                    pages.feed(*start, &r.result);
                }
                Err(e) => {
                    if !pages.feed_error(*start, e.code().unwrap_or("")) {
                        return;
                    }
                }
            }
        }
        self.inner
            .update_value(|i| i.prefetched = Some((id, pages)));
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
        if !matches!(self.view(), View::Progress { .. }) {
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
            let pages = self
                .inner
                .try_update_value(|i| i.prefetched.take())
                .flatten()
                .filter(|(l, _)| *l == id)
                .map(|(_, p)| p)
                .unwrap_or_default();
            return self.progress_of(store, id, pages, &who, &call_id).await;
        }
        let ids: Vec<u64> = lists.iter().take(DETECT_LISTS).map(|l| l.id).collect();
        let items = match Self::load_items(store, &ids).await {
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
        View::Progress {
            list: id,
            progress,
            compute_ms: browser::perf_now() - t0,
        }
    }

    /// The progress of list `id`, reading whatever `pages` does not have yet.
    async fn progress_of(
        &self,
        store: &Store,
        id: u64,
        pages: campaign::ItemPages,
        who: &[EntityRef],
        call_id: &str,
    ) -> View {
        match Self::load_more(store, vec![(id, pages)]).await {
            Ok(reads) => {
                Self::remember(store, id, call_id);
                let items: Vec<(u64, Vec<ListItem>)> =
                    reads.into_iter().map(|(id, r)| (id, r.items)).collect();
                self.show(id, &items, who)
            }
            Err(e) => View::Failed(error_text(&e, store.lang)),
        }
    }

    /// The operator picked a list.
    pub fn choose(self, store: Store, id: u64) {
        let g = self.next_generation();
        let status = store.status.get_untracked();
        self.set_view(View::Loading);
        spawn_local(async move {
            let call_id = status.call_id.clone().unwrap_or_default();
            let v = self
                .progress_of(
                    &store,
                    id,
                    campaign::ItemPages::new(),
                    &who(&status),
                    &call_id,
                )
                .await;
            if self.current(g) {
                self.set_view(v);
            }
        });
    }

    /// Outside campaign mode: which of my recent lists hold the client (and their sizes).
    pub fn load_lists(self, store: Store) {
        let g = self.next_generation();
        let status = store.status.get_untracked();
        self.set_view(View::Loading);
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
        match Self::read_lists(store, &ids).await {
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
                self.reload_with_note(&store, Some((r.code(), r.text(lang))))
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
                            Some(("others", tr(lang, T::ListChangedByOthers)))
                        }
                        _ => None,
                    }
                }
                Err(Failure::Refused(Refusal::ChangedSinceShown)) => {
                    let r = Refusal::ChangedSinceShown;
                    self.reload_with_note(&store, Some((r.code(), r.text(lang))))
                        .await;
                    return;
                }
                Err(Failure::Refused(r)) => Some((r.code(), r.text(lang))),
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
        let fresh = Self::read_list(store, list.id)
            .await
            .map_err(|e| Failure::Error(error_text(&e, lang)))?;
        if campaign::changed_between(shown, &fresh) {
            return Err(Failure::Refused(Refusal::ChangedSinceShown));
        }
        let complete = fresh.complete(admin).map_err(Failure::Refused)?;
        let wanted = campaign::plan_update(list, &complete, intent).map_err(Failure::Refused)?;
        let (m, p) = campaign::update_params(list, &wanted, list.webform_id)
            .map_err(|r| Failure::Error(campaign::campaign_error_text(r.code(), lang)))?;
        match store.client().call(m, &p, Priority::Interactive).await {
            Ok(_) => Ok(wanted),
            Err(e @ (RestError::Timeout { .. } | RestError::Library(_))) => {
                // The outcome is unknown: read the list back and compare.
                let now = Self::read_list(store, list.id)
                    .await
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
        let status = store.status.get_untracked();
        let Some(client) = status.entity else { return };
        let lang = store.lang;
        let plan = match campaign::add_params(client, &status.other_bindings()) {
            Ok(p) => p,
            Err(r) => {
                self.set_busy(
                    false,
                    Some(("error", campaign::campaign_error_text(r.code(), lang))),
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
                            match (Self::load_items(&store, &ids).await, self.me()) {
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
