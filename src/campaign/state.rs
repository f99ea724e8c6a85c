//! Campaign mode in the browser: finding the call list, its progress after every "Next", and
//! adding or removing the current client. The decisions are the core's (`callcard_core::campaign`
//! for the domain, `callcard_core::campaign::flow` for what to ask when); this file only asks the
//! portal (through the frame's one REST client) and keeps the result.
//!
//! The campaign is a context of its own ([`CampaignState`], provided by `App`) holding a narrow
//! handle of what it needs from the card ([`CampaignNeeds`]); it joins the card's refresh as a
//! [`RefreshPart`] (its pages ride in the refresh batch; its progress follows the refresh).

use std::rc::Rc;

use leptos::prelude::*;
use leptos::task::spawn_local;

mod write;

use crate::frame::browser::{self, Area};
use crate::store::{Kept, RefreshPart};
use callcard_core::call::CallStatus;
use callcard_core::campaign::flow::{self as flow, AfterRefresh, DETECT_LISTS, Start, sought};
use callcard_core::campaign::{
    self, CachePlan, CallList, Detection, ItemPages, ListItem, ListRead, ListStatus, PageAnswer,
    Progress, decode_choice, encode_choice,
};
use callcard_core::generation::{Generation, Ticket};
use callcard_core::i18n::{Lang, Text, tr};
use callcard_core::model::EntityRef;
use callcard_core::portal::Portal;
use callcard_core::rest::batch::Batch;
use callcard_core::rest::client::RestClient;
use callcard_core::rest::limiter::Priority;
use callcard_core::rest::{BatchAnswer, RestError};

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
pub struct BlockState {
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
struct Memory {
    me: Option<u64>,
    statuses: Vec<ListStatus>,
    open_lists: Vec<u64>,
    /// Bumped by every refresh: a slower answer for an older client is dropped.
    generation: Generation,
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
    /// The pages riding in the card's refresh batch now: the list and the page starts.
    riding: Option<(u64, Vec<u64>)>,
}

struct Shown {
    client: EntityRef,
    reads: Vec<(u64, ListRead)>,
}

/// What the campaign needs from the card: the narrowest handle (no store).
#[derive(Clone)]
pub struct CampaignNeeds {
    pub lang: Lang,
    /// The call the card shows (read only).
    pub status: ReadSignal<CallStatus>,
    /// The frame's one REST client.
    pub client: Rc<RestClient>,
    /// The portal: its user options (the remembered list) and whether the user administers it.
    pub portal: Rc<dyn Portal>,
    /// The kept values of this portal and user (the remembered list, known list sizes).
    pub kept: Kept,
}

/// The campaign's state: a small `Copy` handle, provided as a context of its own by `App`.
#[derive(Clone, Copy)]
pub struct CampaignState {
    /// What the block shows: views read it ([`CampaignState::ui`]); only the campaign's
    /// functions change it. (One `RwSignal`, not a read/write pair: each signal type costs
    /// download size.)
    ui: RwSignal<BlockState>,
    inner: StoredValue<Memory>,
    needs: StoredValue<CampaignNeeds, LocalStorage>,
}

/// The campaign provided by `App`.
pub fn use_campaign() -> CampaignState {
    expect_context::<CampaignState>()
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

fn choice_name(call_id: &str) -> String {
    format!("calllist.{call_id}")
}

/// A readable text for a failed call-list request.
fn error_text(e: &RestError, lang: Lang) -> &'static str {
    match e.code() {
        Some(code) => tr(lang, campaign::error_text_key(code)),
        None => tr(lang, Text::ErrUnavailable),
    }
}

impl CampaignState {
    pub fn new(needs: CampaignNeeds) -> CampaignState {
        let ui = RwSignal::new(BlockState {
            view: View::Idle,
            busy: false,
            note: None,
            reason: None,
            lists: Vec::new(),
            reading: None,
        });
        CampaignState {
            ui,
            inner: StoredValue::new(Memory::default()),
            needs: StoredValue::new_local(needs),
        }
    }

    /// What the block shows (tracked).
    pub fn ui(&self) -> BlockState {
        self.ui.get()
    }

    /// Reads what the block shows (tracked).
    pub fn with_ui<R>(&self, f: impl FnOnce(&BlockState) -> R) -> R {
        self.ui.with(f)
    }

    pub fn lang(&self) -> Lang {
        self.needs.with_value(|n| n.lang)
    }

    /// The call the card shows.
    pub fn status(&self) -> ReadSignal<CallStatus> {
        self.needs.with_value(|n| n.status)
    }

    fn client(&self) -> Rc<RestClient> {
        self.needs.with_value(|n| n.client.clone())
    }

    fn portal(&self) -> Rc<dyn Portal> {
        self.needs.with_value(|n| n.portal.clone())
    }

    fn kept(&self) -> Kept {
        self.needs.with_value(|n| n.kept)
    }

    /// Every change of the block's state goes through here.
    fn update(&self, f: impl FnOnce(&mut BlockState)) {
        self.ui.try_update(f);
    }

    fn next_generation(&self) -> Ticket {
        self.inner
            .try_update_value(|i| i.generation.advance())
            .unwrap_or_else(|| Generation::new().current())
    }

    fn current(&self, g: Ticket) -> bool {
        self.inner.try_with_value(|i| i.generation.is_current(g)) == Some(true)
    }

    fn set_view(&self, v: View) {
        self.update(|u| u.view = v);
    }

    fn set_reading(&self, r: Option<(u32, Option<u32>, usize)>) {
        if self.ui.try_with_untracked(|u| u.reading != r) == Some(true) {
            self.update(|u| u.reading = r);
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
    fn keep_cache(&self, id: u64, pages: &ItemPages) {
        if pages.cacheable() {
            self.kept().set(
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
    fn known_size(&self, id: u64) -> Option<u32> {
        self.inner
            .with_value(|i| {
                i.caches
                    .iter()
                    .find(|(l, _)| *l == id)
                    .map(|(_, c)| c.items().len() as u32)
            })
            .or_else(|| {
                self.kept()
                    .get(Area::Session, &format!("calllist.size.{id}"))
                    .and_then(|v| v.parse::<u64>().ok())
                    .map(|n| n as u32)
            })
    }

    /// The item index of the client shown last and of the client now in list `id`'s cache.
    fn places(&self, id: u64, sought: &[EntityRef]) -> (Option<usize>, Option<usize>) {
        let list_type = self.list_type(id);
        self.inner.with_value(|i| {
            let current = i
                .caches
                .iter()
                .find(|(l, _)| *l == id)
                .and_then(|(_, c)| campaign::find_in(c.items(), list_type, sought));
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
        self.update(|u| {
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
    async fn ensure_base(&self) -> Result<(), RestError> {
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
        let a = self.client().batch(&b, Priority::Interactive).await?;
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
        self.update(|u| u.lists = lists);
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
        mut pages: Vec<(u64, ItemPages)>,
        report: bool,
    ) -> Result<Vec<(u64, ItemPages)>, RestError> {
        let expected = flow::expected_size(pages.iter().map(|(id, _)| self.known_size(*id)));
        let mut rounds = 0;
        loop {
            let round = flow::next_round(&pages);
            if report {
                let loading = matches!(self.view(), View::Loading);
                self.set_reading(flow::reading_line(
                    &round, &pages, expected, rounds, loading,
                ));
            }
            if round.is_empty() {
                break;
            }
            rounds += 1;
            let fed = match self
                .client()
                .batch(&round.batch, Priority::Interactive)
                .await
            {
                Ok(a) => flow::feed_round(&mut pages, round, &a),
                Err(e) => Err(e),
            };
            if let Err(e) = fed {
                self.set_reading(None);
                return Err(e);
            }
        }
        for (id, p) in &pages {
            self.keep_cache(*id, p);
        }
        Ok(pages)
    }

    /// In campaign mode, the list whose item pages should ride in the card's refresh batch (the
    /// one chosen for this call, once the user's lists are known), with the page starts.
    fn pages_for_refresh(&self, room: usize) -> Option<(u64, Vec<u64>)> {
        let status = self.status().get_untracked();
        let call_id = status.call_id.clone().unwrap_or_default();
        let remembered = (status.call_list_mode && room > 0)
            .then(|| self.remembered(&call_id))
            .flatten();
        let id = self.ui.with_untracked(|u| {
            flow::riding_list(&status, self.me().is_some(), room, remembered, &u.lists)
        })?;
        // A kept read: only the pages that can have changed (and a rotation) ride along.
        let (previous, current) = self.places(id, &sought(&status));
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

    /// The re-read pages that came with the card's refresh (keys [`flow::page_key`]), applied
    /// to the list's cache for [`CampaignState::refresh`] (or the cache dropped when the list
    /// changed).
    fn take_refresh_pages(&self, id: u64, starts: &[u64], answer: &BatchAnswer) {
        if self
            .inner
            .try_update_value(|i| i.recheck_for.take())
            .flatten()
            == Some(id)
        {
            let ok = self.apply_recheck(id, &flow::page_answers(starts, answer));
            self.inner.update_value(|i| i.rechecked = ok.then_some(id));
        }
    }

    /// The list remembered for this call, or for the user.
    fn remembered(&self, call_id: &str) -> Option<u64> {
        self.kept()
            .get(Area::Session, &choice_name(call_id))
            .and_then(|v| v.parse::<u64>().ok())
            .or_else(|| {
                self.portal()
                    .user_option(campaign::CHOICE_OPTION)
                    .and_then(|v| decode_choice(&v))
                    .map(|c| c.list_id)
            })
    }

    fn remember(&self, list: u64, call_id: &str) {
        self.kept()
            .set(Area::Session, &choice_name(call_id), &list.to_string());
        self.portal()
            .set_user_option(campaign::CHOICE_OPTION, &encode_choice(list, call_id));
    }

    /// Campaign mode, after every refresh ("Next", a call's end): the chosen list's progress,
    /// finding the list first when none is chosen. The last progress stays while this runs.
    pub fn refresh(self) {
        let g = self.next_generation();
        let status = self.status().get_untracked();
        // What is on screen stays while the new figures load (the reading line shows over it).
        if matches!(self.view(), View::Idle | View::Failed(_)) {
            self.set_view(View::Loading);
        }
        spawn_local(async move {
            let view = self.compute(&status).await;
            if self.current(g) {
                self.set_view(view);
            }
        });
    }

    async fn compute(&self, status: &CallStatus) -> View {
        let lang = self.lang();
        if let Err(e) = self.ensure_base().await {
            return View::Failed(error_text(&e, lang));
        }
        let call_id = status.call_id.clone().unwrap_or_default();
        let sought = sought(status);
        let lists = self.lists_now();
        // A remembered list that still exists: its progress, from the pages that came with the
        // card's refresh (usually all of them: no request of its own) plus any still missing.
        let ids = match flow::start(self.remembered(&call_id), &lists) {
            Start::Progress(id) => {
                let rechecked = self.inner.try_update_value(|i| i.rechecked.take());
                return self
                    .progress_of(id, &sought, &call_id, rechecked.flatten() == Some(id))
                    .await;
            }
            Start::Detect(ids) => ids,
        };
        let items = match self.load_more(pagers(&ids), true).await.map(items_of) {
            Ok(i) => i,
            Err(e) => return View::Failed(error_text(&e, lang)),
        };
        let open = self.inner.with_value(|i| i.open_lists.clone());
        match campaign::detect(&lists, &items, &sought, &open, None) {
            Detection::One(id) => {
                self.remember(id, &call_id);
                self.show(id, &items, &sought)
            }
            Detection::Many(ids) => View::Pick(ids),
            Detection::None => View::NoList,
        }
    }

    fn show(&self, id: u64, items: &[(u64, Vec<ListItem>)], sought: &[EntityRef]) -> View {
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
        let progress = Progress::compute(list_items, &statuses, list_type, sought);
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
        id: u64,
        sought: &[EntityRef],
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
            None => match self.load_more(pagers(&[id]), true).await {
                Ok(mut read) => read.pop().map(|(_, p)| p.into_items()).unwrap_or_default(),
                Err(e) => return View::Failed(error_text(&e, self.lang())),
            },
        };
        self.remember(id, call_id);
        self.show(id, &[(id, items)], sought)
    }

    /// "Change list": the picker of all recent lists again.
    pub fn change_list(self) {
        self.set_view(View::NoList);
    }

    /// Retry after a failed read: the progress again in campaign mode, else the lists.
    pub fn retry(self) {
        if self.status().with_untracked(|s| s.call_list_mode) {
            self.refresh();
        } else {
            self.load_lists();
        }
    }

    /// The operator picked a list.
    pub fn choose(self, id: u64) {
        let g = self.next_generation();
        let status = self.status().get_untracked();
        self.set_view(View::Loading);
        spawn_local(async move {
            let call_id = status.call_id.clone().unwrap_or_default();
            let v = self
                .progress_of(id, &sought(&status), &call_id, false)
                .await;
            if self.current(g) {
                self.set_view(v);
            }
        });
    }

    /// Outside campaign mode: which of my recent lists hold the client (and their sizes).
    /// Lists already on screen stay there (with the reading line) while they are read again.
    pub fn load_lists(self) {
        let g = self.next_generation();
        let status = self.status().get_untracked();
        if !matches!(self.view(), View::Lists(_)) {
            self.set_view(View::Loading);
        }
        spawn_local(async move {
            let v = self.lists_view(&status).await;
            if self.current(g) {
                self.set_view(v);
            }
        });
    }

    /// Reads the lists and keeps what the view is built from ([`Shown`]).
    async fn lists_view(&self, status: &CallStatus) -> View {
        if let Err(e) = self.ensure_base().await {
            return View::Failed(error_text(&e, self.lang()));
        }
        let lists = self.lists_now();
        let ids: Vec<u64> = lists.iter().take(DETECT_LISTS).map(|l| l.id).collect();
        let sought = sought(status);
        match self.load_more(pagers(&ids), true).await.map(reads_of) {
            Ok(reads) => {
                let rows = flow::list_rows(&lists, &reads, &sought);
                let shown = status.entity.map(|client| Shown { client, reads });
                self.inner.update_value(|i| i.shown = shown);
                View::Lists(rows)
            }
            Err(e) => View::Failed(error_text(&e, self.lang())),
        }
    }
}

/// The campaign's part in the card's refresh: its list's pages ride in the batch, and its
/// progress (or the lists shown) follows the refresh.
impl RefreshPart for CampaignState {
    fn add_to(&self, batch: &mut Batch, room: usize) {
        // Up to the batch's 50 commands (see `ItemPages::recheck_starts`): "Next" costs no
        // request of its own.
        let riding = self.pages_for_refresh(room);
        if let Some((id, starts)) = &riding {
            flow::add_pages(batch, *id, starts);
        }
        self.inner.try_update_value(|i| i.riding = riding);
    }

    fn take(&self, answer: &BatchAnswer) {
        if let Some(Some((id, starts))) = self.inner.try_update_value(|i| i.riding.take()) {
            self.take_refresh_pages(id, &starts, answer);
        }
    }

    fn after_refresh(&self) {
        let Some(mode) = self.status().try_with_untracked(|s| s.call_list_mode) else {
            return; // the card is gone
        };
        let lists = self
            .ui
            .try_with_untracked(|u| matches!(u.view, View::Lists(_)))
            .unwrap_or(false);
        match flow::after_refresh(mode, lists) {
            AfterRefresh::Progress => self.refresh(),
            AfterRefresh::Lists => self.load_lists(),
            AfterRefresh::Nothing => {}
        }
    }
}
