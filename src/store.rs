//! The reactive store and the refresh pipeline's browser half:
//! portal event → what to fetch (`refresh::plan`) → one batch → store.
//!
//! Every refresh carries a generation; an answer for an older generation is dropped, so the
//! newest event always wins. The last good data stays on screen while a refresh runs.
//!
//! Features join the refresh as [`RefreshPart`]s (commands riding in its one batch, what follows
//! it), so the store names no feature's state of its own beyond the card's data.

use std::rc::Rc;

use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::frame::browser::{self, Area};
use callcard_core::call::decode_call_status;
use callcard_core::call::{CallEvent, CallState, CallStatus};
use callcard_core::client::{Person, StageBook, decode_users};
use callcard_core::generation::{Generation, Ticket};
use callcard_core::i18n::{Lang, locale_for};
use callcard_core::portal::{Portal, PortalError};
use callcard_core::refresh::{self, CardData};
use callcard_core::rest::batch::Batch;
use callcard_core::rest::client::{Notice, RestClient};
use callcard_core::rest::coalesce::{Coalescer, WhenToSend};
use callcard_core::rest::error::ErrorClass;
use callcard_core::rest::limiter::{LimiterConfig, Priority};
use callcard_core::rest::{BatchAnswer, RestError};
use callcard_core::storage::{self, Scope};
pub use callcard_core::view_model::CallProgress;

/// What went wrong, as far as the operator needs to know.
#[derive(Debug, Clone, PartialEq)]
pub enum CardError {
    /// A REST refresh failed; the class says what to tell the operator.
    Rest(ErrorClass),
    /// The call card's status could not be read.
    Status(PortalError),
}

/// A feature's part in the card's refresh: commands that ride in its one batch (so the feature
/// costs no request of its own), their answers, and what the feature does after the refresh.
pub trait RefreshPart {
    /// Adds the feature's commands to `batch` (at most `room`); asked only when the card's own
    /// batch asks anything.
    fn add_to(&self, batch: &mut Batch, room: usize);
    /// The answer of the batch those commands rode in (not called when it failed or was stale).
    fn take(&self, answer: &BatchAnswer);
    /// After every refresh, and after the history's reload when a call ended.
    fn after_refresh(&self);
}

/// A feature that follows the call's life (the wrap-up, the history): told, in the store's order,
/// of the start, each status read and each step of the call. It holds what it needs of the card
/// itself (a narrow handle given by `App`), so the store names no feature and hands none out.
pub trait CallFollower {
    /// At start, before the first status is shown.
    fn start(&self) {}
    /// A status read (first paint, `getStatus`), before it is shown.
    fn on_status(&self, _status: &CallStatus) {}
    /// A call began (connecting after idle).
    fn call_started(&self) {}
    /// A connected call ended.
    fn call_ended(&self) {}
    /// A call is over, answered or not (any step back to idle), after [`CallFollower::call_ended`].
    fn call_over(&self) {}
    /// The portal is about to close the card (`BeforeClose`).
    fn before_close(&self) {}
}

/// Whether the card still shows what a read was asked for: a `Copy` handle on the card's one
/// generation (bumped by every refresh), for features whose reads must not land on another
/// client.
#[derive(Clone, Copy)]
pub struct Freshness {
    generation: StoredValue<Generation>,
}

impl Freshness {
    /// The generation now (none once the card is gone).
    pub fn current(&self) -> Option<Ticket> {
        self.generation.try_with_value(|g| g.current())
    }

    /// Whether an answer for `ticket` may still be applied: false after a newer refresh, and
    /// after the card was unmounted (its signals are gone; a late answer must not touch them).
    pub fn is_current(&self, ticket: Ticket) -> bool {
        self.generation.try_with_value(|g| g.is_current(ticket)) == Some(true)
    }
}

/// The kept values of this portal and user (see `callcard_core::storage`): a `Copy` handle for
/// features. None are read or written while the user is unknown.
#[derive(Clone, Copy)]
pub struct Kept {
    scope: StoredValue<Scope>,
}

impl Kept {
    /// A kept value (none while its user is unknown).
    pub fn get(&self, area: Area, name: &str) -> Option<String> {
        let key = self.scope.with_value(|s| s.key(name))?;
        browser::kept_get(area, &key)
    }

    /// Keeps a value (in memory when the browser refuses storage).
    pub fn set(&self, area: Area, name: &str, value: &str) {
        if let Some(key) = self.scope.with_value(|s| s.key(name)) {
            browser::kept_set(area, &key, value);
        }
    }

    /// The operator's user id, once known (the kept values are scoped to it).
    pub fn user(&self) -> Option<u64> {
        self.scope.with_value(|s| s.user())
    }
}

/// The app's shared state: one small `Copy` struct provided once in `App`.
#[derive(Clone, Copy)]
pub struct Store {
    pub lang: Lang,
    pub locale: &'static str,
    pub status: RwSignal<CallStatus>,
    pub progress: RwSignal<CallProgress>,
    pub data: RwSignal<Option<CardData>>,
    pub loading: RwSignal<bool>,
    pub error: RwSignal<Option<CardError>>,
    /// Users known by id (the history's responsible users), cached across frame reloads.
    pub users: RwSignal<Vec<Person>>,
    /// What the REST client is waiting for on the operator's behalf ("busy, retrying in 3 s").
    pub notice: RwSignal<Option<Notice>>,
    portal: StoredValue<Rc<dyn Portal>, LocalStorage>,
    client: StoredValue<Rc<RestClient>, LocalStorage>,
    /// Turns a burst of events into at most two refreshes.
    coalescer: StoredValue<Coalescer>,
    generation: StoredValue<Generation>,
    /// The features' parts in the refresh ([`RefreshPart`]), in the order they joined.
    parts: StoredValue<Vec<Rc<dyn RefreshPart>>, LocalStorage>,
    /// The features following the call's life ([`CallFollower`]), in the order they joined.
    followers: StoredValue<Vec<Rc<dyn CallFollower>>, LocalStorage>,
    /// Bumped by every `CallStateChanged`, so a slower `getStatus` cannot undo a newer state.
    state_events: StoredValue<u64>,
    stages: StoredValue<StageBook>,
    /// Whose data the kept values are (portal and user), see `callcard_core::storage`.
    scope: StoredValue<Scope>,
}

/// Names of the kept values (their keys add namespace, portal and user: `callcard_core::storage`).
const STAGE_CACHE: &str = "stages.v2";
const USER_CACHE: &str = "users.v2";

/// The name a cache of portal data is kept under. The demo portal makes its data (stage names,
/// users) in the card's language, so the demo keeps one cache per language: a Russian visit
/// after an English one must not show the English names. A real portal's names are its own data,
/// the same in every language.
fn cache_name(scope: &Scope, lang: Lang, base: &str) -> String {
    if scope.is_demo() {
        format!("{base}.{}", lang.code())
    } else {
        base.to_string()
    }
}

/// A kept JSON value of `scope` (none while its user is unknown, or when it does not read).
fn read_json(scope: &Scope, area: Area, name: &str) -> Option<serde_json::Value> {
    let key = scope.key(name)?;
    serde_json::from_str(&browser::kept_get(area, &key)?).ok()
}

/// Refreshes start at most this often; events in between are merged into one follow-up.
pub const REFRESH_GAP_MS: f64 = 1_000.0;

fn connected_name(call_id: &str) -> String {
    format!("connected.{call_id}")
}

impl Store {
    pub fn new(portal: Rc<dyn Portal>) -> Store {
        let code = portal.lang();
        let scope = if portal.is_demo() {
            Scope::demo()
        } else {
            Scope::portal(&browser::frame_portal().unwrap_or_default())
        };
        // Who the user is comes with the portal's init data (a user option we set on an earlier
        // start); without it the caches wait for the first refresh's `user.current`.
        let scope = match portal
            .user_option(storage::USER_OPTION)
            .and_then(|v| storage::decode_user_option(&v))
        {
            Some(id) => scope.with_user(id),
            None => scope,
        };
        let lang = Lang::from_bitrix(&code);
        let now = browser::now_ms();
        let stages = read_json(&scope, Area::Local, &cache_name(&scope, lang, STAGE_CACHE))
            .map(|v| refresh::stage_cache_read(&v, now))
            .unwrap_or_default();
        let users = read_json(&scope, Area::Local, &cache_name(&scope, lang, USER_CACHE))
            .map(|v| storage::users_from_entry(&v, now))
            .unwrap_or_default();
        let client = Rc::new(RestClient::new(
            portal.clone(),
            Rc::new(browser::BrowserClock),
            LimiterConfig::standard(),
        ));
        let notice = RwSignal::new(None);
        client.on_notice(Rc::new(move |n| {
            notice.try_set(n);
        }));
        Store {
            lang,
            locale: locale_for(&code),
            status: RwSignal::new(CallStatus::default()),
            progress: RwSignal::new(CallProgress::default()),
            data: RwSignal::new(None),
            loading: RwSignal::new(false),
            error: RwSignal::new(None),
            users: RwSignal::new(users),
            notice,
            portal: StoredValue::new_local(portal),
            client: StoredValue::new_local(client),
            coalescer: StoredValue::new(Coalescer::new(REFRESH_GAP_MS)),
            generation: StoredValue::new(Generation::new()),
            parts: StoredValue::new_local(Vec::new()),
            followers: StoredValue::new_local(Vec::new()),
            state_events: StoredValue::new(0),
            stages: StoredValue::new(stages),
            scope: StoredValue::new(scope),
        }
    }

    /// The kept values of this portal and user, as a handle for features.
    pub fn kept_values(&self) -> Kept {
        Kept { scope: self.scope }
    }

    /// A kept value of this portal and user (see `callcard_core::storage`); none while the user is
    /// unknown.
    fn kept(&self, area: Area, name: &str) -> Option<String> {
        self.kept_values().get(area, name)
    }

    /// Keeps a value for this portal and user (in memory when the browser refuses storage).
    fn keep(&self, area: Area, name: &str, value: &str) {
        self.kept_values().set(area, name, value);
    }

    /// The name of a cache of portal data (see [`cache_name`]).
    fn cache(&self, base: &str) -> String {
        self.scope.with_value(|s| cache_name(s, self.lang, base))
    }

    /// A feature joins the card's refresh (see [`RefreshPart`]).
    pub fn join_refresh(&self, part: Rc<dyn RefreshPart>) {
        self.parts.update_value(|p| p.push(part));
    }

    /// A feature follows the call's life (see [`CallFollower`]); before [`Store::start`].
    pub fn follow_calls(&self, follower: Rc<dyn CallFollower>) {
        self.followers.update_value(|f| f.push(follower));
    }

    fn followers(&self) -> Vec<Rc<dyn CallFollower>> {
        self.followers.with_value(|f| f.clone())
    }

    fn parts(&self) -> Vec<Rc<dyn RefreshPart>> {
        self.parts.try_get_value().unwrap_or_default()
    }

    /// The portal's host, for links that must stay on it (call recordings).
    pub fn portal_host(&self) -> String {
        self.scope.with_value(|s| {
            if s.is_demo() {
                callcard_sim::DEMO_HOST.to_string()
            } else {
                s.portal_host().to_string()
            }
        })
    }

    /// Whether the user is still to be learned from the next refresh.
    fn user_unknown(&self) -> bool {
        self.kept_values().user().is_none()
    }

    /// The user is known now: remembered in a user option (read before any request on the next
    /// start), and what was learned so far is kept under the user's keys.
    fn learn_me(&self, id: u64) {
        if id == 0 || !self.user_unknown() {
            return;
        }
        self.scope.update_value(|s| *s = s.clone().with_user(id));
        self.portal()
            .set_user_option(storage::USER_OPTION, &id.to_string());
        let book = self.stages.get_value();
        if !book.is_empty() {
            let v = refresh::stage_cache_value(&book, browser::now_ms());
            self.keep(Area::Local, &self.cache(STAGE_CACHE), &v.to_string());
        }
        self.write_user_cache(&self.users.get_untracked());
    }

    /// Rewrites the users cache; its time to live still counts from the first fetch.
    fn write_user_cache(&self, users: &[Person]) {
        if users.is_empty() {
            return;
        }
        let now = browser::now_ms();
        let previous = self
            .kept(Area::Local, &self.cache(USER_CACHE))
            .and_then(|s| serde_json::from_str::<serde_json::Value>(&s).ok());
        let at = storage::stamp_for_rewrite(previous.as_ref(), now, storage::USER_CACHE_TTL_MS);
        let v = storage::users_entry(users, at);
        self.keep(Area::Local, &self.cache(USER_CACHE), &v.to_string());
    }

    /// The moment the current call connected, kept across frame reloads: in session storage,
    /// and in a user option where the browser refuses storage to the cross-site frame.
    fn connected_moment(&self, call_id: &str) -> Option<f64> {
        self.kept(Area::Session, &connected_name(call_id))
            .and_then(|v| v.parse::<u64>().ok())
            .or_else(|| {
                self.portal()
                    .user_option(storage::CONNECTED_OPTION)
                    .and_then(|v| storage::decode_connected(&v, call_id))
            })
            .map(|ms| ms as f64)
    }

    fn keep_connected_moment(&self, call_id: &str, at_ms: f64) {
        // Whole ms as an integer: no float parsing in the build.
        let at = at_ms as u64;
        self.keep(Area::Session, &connected_name(call_id), &at.to_string());
        if !browser::storage_works(Area::Session) {
            self.portal().set_user_option(
                storage::CONNECTED_OPTION,
                &storage::encode_connected(call_id, at),
            );
        }
    }

    pub fn portal(&self) -> Rc<dyn Portal> {
        self.portal.get_value()
    }

    /// The frame's REST client: every REST call goes through it.
    pub fn client(&self) -> Rc<RestClient> {
        self.client.get_value()
    }

    /// Start: first paint from the placement snapshot, then events, then `getStatus` + one batch.
    pub fn start(self) {
        let placement = self.portal().placement();
        match decode_call_status(&placement.options) {
            Ok(s) => self.set_status(s),
            Err(e) => log::warn!("placement options could not be read: {e}"),
        }
        for f in self.followers() {
            f.start();
        }
        self.portal()
            .subscribe(Rc::new(move |ev| self.on_event(ev)));
        self.reload_status();
    }

    fn set_status(&self, s: CallStatus) {
        if !s.unreadable_fields.is_empty() {
            // Field names only: the values may be private.
            log::warn!(
                "call status fields that could not be read: {}",
                s.unreadable_fields.join(", ")
            );
        }
        let mut p = self.progress.get_untracked();
        if s.state == CallState::Connected && p.connected_at.is_none() {
            // A frame reload mid-call keeps the timer: the moment is kept per call.
            let stored = s
                .call_id
                .as_deref()
                .and_then(|id| self.connected_moment(id));
            let at = stored.unwrap_or_else(browser::now_ms);
            if let (Some(id), None) = (s.call_id.as_deref(), stored) {
                self.keep_connected_moment(id, at);
            }
            p.connected_at = Some(at);
        }
        self.progress.set(p);
        for f in self.followers() {
            f.on_status(&s);
        }
        self.status.set(s);
    }

    /// A `CallCard::*` event.
    pub fn on_event(&self, ev: CallEvent) {
        match ev {
            CallEvent::StateChanged { state, failed_code } => {
                self.state_events.update_value(|n| *n += 1);
                let before = self.status.get_untracked().state;
                let mut p = self.progress.get_untracked();
                match state {
                    CallState::Connected => {
                        let at = browser::now_ms();
                        if let Some(id) = self.status.get_untracked().call_id {
                            self.keep_connected_moment(&id, at);
                        }
                        p = CallProgress {
                            connected_at: Some(at),
                            ended: false,
                            failed_code: None,
                        };
                    }
                    CallState::Connecting => {
                        p = CallProgress::default();
                        if before == CallState::Idle {
                            for f in self.followers() {
                                f.call_started();
                            }
                        }
                    }
                    // A state word the card does not know: shown neutrally, progress kept.
                    CallState::Unknown => {}
                    CallState::Idle => {
                        p.ended = before != CallState::Idle || p.ended;
                        p.failed_code = failed_code;
                        if before == CallState::Connected {
                            for f in self.followers() {
                                f.call_ended();
                            }
                        }
                        if before != CallState::Idle {
                            for f in self.followers() {
                                f.call_over();
                            }
                        }
                    }
                }
                self.progress.set(p);
                // In place, no request: the client did not change.
                self.status.update(|s| s.state = state);
            }
            CallEvent::EntityChanged(change) => {
                // Show the new number at once; bindings come with `getStatus`.
                self.status.update(|s| *s = s.with_entity_change(&change));
                self.reload_status();
            }
            CallEvent::BeforeClose => {
                for f in self.followers() {
                    f.before_close();
                }
            }
        }
    }

    /// `getStatus`, then one batch — coalesced: a burst of events costs at most two refreshes,
    /// and the last one reads the newest state. Anything already in flight becomes stale.
    pub fn reload_status(&self) {
        self.next_generation();
        self.loading.set(true);
        let go = self
            .coalescer
            .try_update_value(|c| c.ask(browser::now_ms()))
            .unwrap_or(WhenToSend::Merged);
        self.follow(go);
    }

    fn follow(self, go: WhenToSend) {
        match go {
            WhenToSend::Now => spawn_local(self.run()),
            WhenToSend::Later(ms) => spawn_local(async move {
                gloo_timers::future::TimeoutFuture::new(ms as u32).await;
                if self
                    .coalescer
                    .try_update_value(|c| c.fire(browser::now_ms()))
                    == Some(true)
                {
                    self.run().await;
                }
            }),
            WhenToSend::Merged => {}
        }
    }

    /// One refresh for the newest generation; then whatever was asked for meanwhile.
    async fn run(self) {
        self.load().await;
        self.after_refresh();
        if let Some(go) = self
            .coalescer
            .try_update_value(|c| c.finish(browser::now_ms()))
        {
            self.follow(go);
        }
    }

    async fn load(self) {
        let Some(generation) = self.generation.try_with_value(|g| g.current()) else {
            return;
        };
        let this = self;
        let events_before = self.state_events.get_value();
        {
            let fetched = this.portal().get_status().await;
            if !this.is_current(generation) {
                return;
            }
            match fetched {
                Ok(mut s) => {
                    if matches!(this.error.get_untracked(), Some(CardError::Status(_))) {
                        this.error.set(None);
                    }
                    if this.state_events.get_value() != events_before {
                        s.state = this.status.get_untracked().state;
                    }
                    if this.status.get_untracked().call_id != s.call_id {
                        this.progress.set(CallProgress::default());
                    }
                    this.set_status(s);
                    this.refresh_with(generation).await;
                }
                Err(e) => {
                    log::warn!("getStatus failed: {}", e.describe_for_log());
                    this.error.set(Some(CardError::Status(e)));
                    // The snapshot (or the event) is still worth showing.
                    this.refresh_with(generation).await;
                }
            }
        }
    }

    /// Whether an answer for `generation` may still be applied. False after a newer event, and
    /// after the card was unmounted (its signals are gone; a late answer must not touch them).
    fn is_current(&self, generation: Ticket) -> bool {
        self.freshness().is_current(generation)
    }

    /// The card's generation as a handle for features (see [`Freshness`]).
    pub fn freshness(&self) -> Freshness {
        Freshness {
            generation: self.generation,
        }
    }

    fn next_generation(&self) {
        self.generation.update_value(|g| {
            g.advance();
        });
    }

    async fn refresh_with(self, generation: Ticket) {
        let status = self.status.get_untracked();
        let cached = self.stages.get_value();
        let mut plan = refresh::plan(&status, &cached);
        let need_staff = status.entity.is_some() && self.users.with_untracked(|u| u.is_empty());
        if need_staff {
            refresh::add_staff(&mut plan.batch);
        }
        let need_me = !plan.batch.is_empty() && self.user_unknown();
        if need_me {
            refresh::add_me(&mut plan.batch);
        }
        // What the features add rides along in the batch's room left, so a feature's own
        // reads after an event cost no request of their own.
        let parts = if plan.batch.is_empty() {
            Vec::new()
        } else {
            self.parts()
        };
        for part in &parts {
            let room = callcard_core::rest::batch::MAX_COMMANDS.saturating_sub(plan.batch.len());
            part.add_to(&mut plan.batch, room);
        }
        let answer = if plan.batch.is_empty() {
            Ok(BatchAnswer::default())
        } else {
            self.client()
                .batch_while(&plan.batch, Priority::Interactive, &|| {
                    self.is_current(generation)
                })
                .await
        };
        if !self.is_current(generation) {
            return; // a newer event asked for newer data (or the card is gone)
        }
        self.loading.set(false);
        match answer {
            Ok(answer) => {
                let data = refresh::decode(&plan, &answer, &cached);
                if let Some(book) = &data.new_stages {
                    self.stages.set_value(book.clone());
                    let v = refresh::stage_cache_value(book, browser::now_ms());
                    self.keep(Area::Local, &self.cache(STAGE_CACHE), &v.to_string());
                } else if data.stages_stale {
                    // An unknown stage: ask for the directory again next time.
                    self.stages.set_value(StageBook::default());
                }
                if !matches!(self.error.get_untracked(), Some(CardError::Status(_))) {
                    self.error.set(None);
                }
                for part in &parts {
                    part.take(&answer);
                }
                let staff = refresh::decode_staff(&answer);
                if !staff.is_empty() {
                    self.write_user_cache(&staff);
                    self.users.set(staff);
                }
                if need_me && let Some(id) = refresh::decode_me(&answer) {
                    self.learn_me(id);
                }
                self.data.set(Some(data));
                self.learn_users();
            }
            Err(RestError::Superseded) => {}
            Err(e) => self.fail(e),
        }
    }

    /// A failed REST read, for the operator (the error banner).
    pub fn fail(&self, e: RestError) {
        log::warn!(
            "refresh failed: {}",
            callcard_core::rest::retry::describe_for_log(&e)
        );
        // The same error again (a retry that failed) changes nothing on screen: the banner keeps
        // its nodes and the keyboard focus stays on its Retry.
        let err = Some(CardError::Rest(e.class()));
        if self.error.with_untracked(|now| *now != err) {
            self.error.set(err);
        }
    }

    /// Names for the history's responsible users not known yet: one background `user.get`
    /// for all of them, cached for an hour across frame reloads. Nothing when all are known.
    pub fn learn_users(self) {
        let known = self.users.get_untracked();
        let mut missing: Vec<u64> = Vec::new();
        self.data.with_untracked(|d| {
            let Some(d) = d else { return };
            if let callcard_core::refresh::ClientSlot::Loaded(c) = &d.client
                && let Some(p) = &c.responsible
                && !known.iter().any(|k| k.id == p.id)
            {
                self.users.update(|u| u.push(p.clone()));
            }
            if let Some(Ok(t)) = &d.history {
                for id in t.people() {
                    if !known.iter().any(|k| k.id == id) && !missing.contains(&id) {
                        missing.push(id);
                    }
                }
            }
        });
        let known_now = self.users.get_untracked();
        missing.retain(|id| !known_now.iter().any(|k| k.id == *id));
        if missing.is_empty() {
            return;
        }
        spawn_local(async move {
            let params = serde_json::json!({"FILTER": {"ID": missing}});
            let got = self
                .client()
                .call("user.get", &params, Priority::Background)
                .await;
            if let Ok(answer) = got
                && let Ok(people) = decode_users(&answer.result)
            {
                self.users.try_update(|u| {
                    for p in people {
                        if !u.iter().any(|k| k.id == p.id) {
                            u.push(p);
                        }
                    }
                    self.write_user_cache(u);
                });
            }
        });
    }

    /// After a refresh or a call's end: each feature follows (see [`RefreshPart::after_refresh`]).
    pub fn after_refresh(self) {
        for part in self.parts() {
            part.after_refresh();
        }
    }
}
