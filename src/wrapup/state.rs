//! The wrap-up in the browser: the current call's draft (kept as it is typed, debounced, in
//! session storage or — where the frame may not use storage — in a user option), the hold on
//! the portal's auto-close while something is unsaved or "Keep open" is on (renewed well inside
//! the portal's 65 s), `BeforeClose`, and the ONE-batch save with its read-back. The decisions
//! are the pure `wrapup` module's.

use std::rc::Rc;

use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::frame::browser::{self, Area};
use crate::history::state::HistoryState;
use crate::store::{CallFollower, CallProgress, Kept};
use callcard_core::call::CallStatus;
use callcard_core::i18n::Lang;
use callcard_core::model::EntityRef;
use callcard_core::portal::Portal;
use callcard_core::refresh::{CardData, ClientSlot};
use callcard_core::rest::client::RestClient;
use callcard_core::rest::error::ErrorClass;
use callcard_core::rest::limiter::Priority;
use callcard_core::wrapup::{
    self, CallFacts, Callback, DRAFT_OPTION, Draft, Part, RESULTS_OPTION, ResultChoice,
    SaveOutcome, SavePlan, TodoSpec,
};

/// The hold is renewed this often (the portal's lasts 65 s; the issue asks ≤ 50 s).
pub const RENEW_MS: u32 = 45_000;
/// Typing is kept this long after the last keystroke.
pub const KEEP_AFTER_MS: u32 = 400;

/// What the status line says.
#[derive(Debug, Clone, PartialEq)]
pub enum Said {
    Saving,
    Checking,
    /// Saved; the to-do's moment when one was planned.
    Saved {
        note: bool,
        todo_at: Option<i64>,
    },
    /// `BeforeClose` with a draft: it is kept, not saved.
    DraftKept,
    /// The portal refused (a known outcome); what was saved already is said too.
    Failed {
        class: ErrorClass,
        note_saved: bool,
        todo_saved: bool,
    },
    /// Read back and not there: safe to send again.
    Lost,
    /// Still not known whether it was saved: Retry reads back first.
    Unsure,
    Nothing,
    BadDate,
    PastDate,
    Discarded,
    Restored,
}

impl Said {
    /// Whether the save button offers Retry.
    pub fn offers_retry(&self) -> bool {
        matches!(self, Said::Failed { .. } | Said::Lost | Said::Unsure)
    }

    /// `data-state` of the status line.
    pub fn state(&self) -> &'static str {
        match self {
            Said::Saving | Said::Checking => "busy",
            Said::Saved { .. } => "saved",
            Said::DraftKept | Said::Restored => "kept",
            Said::Failed { .. } | Said::Lost => "failed",
            Said::Unsure => "unsure",
            Said::Nothing | Said::BadDate | Said::PastDate => "invalid",
            Said::Discarded => "discarded",
        }
    }
}

/// What the wrap-up needs from the card: the narrowest handle (no store).
#[derive(Clone)]
pub struct WrapupNeeds {
    pub lang: Lang,
    /// The call the card shows (read only): where a note goes, the call's facts.
    pub status: ReadSignal<CallStatus>,
    /// When the call connected (read only): the moment a note names.
    pub progress: ReadSignal<CallProgress>,
    /// The card's data (read only): the client's name for a to-do's title.
    pub data: ReadSignal<Option<CardData>>,
    /// The frame's one REST client (the save; the portal's time zone from its answers).
    pub client: Rc<RestClient>,
    /// The portal: the result list (an app option), the draft where storage is refused (a user
    /// option), the hold on its auto-close.
    pub portal: Rc<dyn Portal>,
    /// The kept values of this portal and user (the draft), and who the user is.
    pub kept: Kept,
    /// Saved notes and to-dos show in the history at once.
    pub history: HistoryState,
}

/// The wrap-up's state: a small `Copy` handle, provided as a context of its own by `App`.
#[derive(Clone, Copy)]
pub struct Wrapup {
    pub open: RwSignal<bool>,
    pub draft: RwSignal<Draft>,
    pub results: RwSignal<Vec<ResultChoice>>,
    pub said: RwSignal<Option<Said>>,
    pub busy: RwSignal<bool>,
    pub keep_open: RwSignal<bool>,
    /// Whether the card holds the portal's auto-close now.
    pub held: RwSignal<bool>,
    hold_gen: StoredValue<u64>,
    write_gen: StoredValue<u64>,
    needs: StoredValue<WrapupNeeds, LocalStorage>,
}

fn now_secs() -> i64 {
    (browser::now_ms() / 1000.0).floor() as i64
}

/// The browser's own UTC offset: only until the portal's is known from a REST answer.
fn browser_offset_min() -> i32 {
    -(browser::timezone_offset_min(browser::now_ms() as i64) as i32)
}

impl Wrapup {
    pub fn new(needs: WrapupNeeds) -> Wrapup {
        Wrapup {
            open: RwSignal::new(false),
            draft: RwSignal::new(Draft::default()),
            results: RwSignal::new(Vec::new()),
            said: RwSignal::new(None),
            busy: RwSignal::new(false),
            keep_open: RwSignal::new(false),
            held: RwSignal::new(false),
            hold_gen: StoredValue::new(0),
            write_gen: StoredValue::new(0),
            needs: StoredValue::new_local(needs),
        }
    }

    fn needs(&self) -> WrapupNeeds {
        self.needs.get_value()
    }

    /// The language the card speaks.
    pub fn lang(&self) -> Lang {
        self.needs.with_value(|n| n.lang)
    }

    /// At start: the administrator's result list.
    pub fn start(self) {
        let n = self.needs();
        let raw = n.portal.app_option(RESULTS_OPTION);
        self.results
            .set(wrapup::results_from_option(raw.as_deref(), n.lang));
    }

    /// The portal's time zone (UTC offset, minutes): from REST answers, else the browser's.
    pub fn offset_min(self) -> i32 {
        self.needs
            .with_value(|n| n.client.portal_offset_min())
            .unwrap_or_else(browser_offset_min)
    }

    /// Where a note goes: the call's primary client, when its timeline takes comments.
    pub fn target(status: &CallStatus) -> Option<EntityRef> {
        status
            .entity
            .filter(|e| wrapup::comment_entity_type(e.kind).is_some())
    }

    /// A status for a call: its kept draft comes back (per `CALL_ID`).
    pub fn on_status(self, s: &CallStatus) {
        let Some(call_id) = s.call_id.as_deref().filter(|c| !c.is_empty()) else {
            return;
        };
        if self.draft.with_untracked(|d| d.call_id == call_id) {
            return;
        }
        let n = self.needs();
        let kept = n
            .kept
            .get(Area::Session, &wrapup::draft_name(call_id))
            .and_then(|t| wrapup::decode_draft(&t, call_id))
            .or_else(|| {
                n.portal
                    .user_option(DRAFT_OPTION)
                    .and_then(|t| wrapup::decode_draft(&t, call_id))
            });
        match kept {
            Some(d) if d.has_content() || d.unsure => {
                self.draft.set(d);
                self.open.set(true);
                self.said.set(Some(Said::Restored));
                self.update_hold();
            }
            _ => {
                self.draft.set(Draft::new(call_id, now_secs()));
                self.said.set(None);
            }
        }
    }

    /// Connected → idle: the panel opens; the call's moment is the one the timer counted from.
    pub fn call_ended(self) {
        let connected_at = self
            .needs
            .with_value(|n| n.progress.get_untracked().connected_at);
        if let Some(at) = connected_at {
            self.draft.update(|d| {
                if d.saved_note.is_none() && !d.unsure {
                    d.call_at_secs = (at / 1000.0).floor() as i64;
                }
            });
        }
        self.open.set(true);
    }

    /// Idle → ringing: "Keep open" is for the call that ended; it is released.
    pub fn call_started(self) {
        if self.keep_open.get_untracked() {
            self.keep_open.set(false);
            self.update_hold();
        }
    }

    /// `CallCard::BeforeClose`: a draft is kept at once (not saved to the CRM) and the
    /// operator is told.
    pub fn before_close(self) {
        if self.draft.with_untracked(|d| d.has_content()) {
            self.write_now();
            self.said.set(Some(Said::DraftKept));
            self.open.set(true);
        }
    }

    /// The operator changed the draft.
    pub fn edit(self, f: impl FnOnce(&mut Draft)) {
        self.draft.update(f);
        if matches!(
            self.said.get_untracked(),
            Some(
                Said::Nothing
                    | Said::BadDate
                    | Said::PastDate
                    | Said::Discarded
                    | Said::Saved { .. }
            )
        ) {
            self.said.set(None);
        }
        self.update_hold();
        self.persist();
    }

    pub fn set_keep_open(self, on: bool) {
        self.keep_open.set(on);
        self.update_hold();
    }

    /// Drops the draft (what is saved stays saved) and releases the card.
    pub fn discard(self) {
        self.draft.update(|d| {
            d.note.clear();
            d.result = None;
            d.callback = Callback::None;
            d.unsure = false;
        });
        self.write_now();
        self.said.set(Some(Said::Discarded));
        self.update_hold();
    }

    /// Holds the portal's auto-close while a draft is unsaved or "Keep open" is on; renews the
    /// hold every [`RENEW_MS`]; releases it when neither holds any more.
    fn update_hold(self) {
        let want = self.keep_open.get_untracked()
            || self.draft.with_untracked(|d| d.has_content() || d.unsure);
        if want == self.held.get_untracked() {
            return;
        }
        self.held.set(want);
        self.hold_gen.update_value(|g| *g += 1);
        let generation = self.hold_gen.get_value();
        let portal = self.needs.with_value(|n| n.portal.clone());
        spawn_local(async move {
            if let Err(e) = portal.set_auto_close(!want).await {
                log::warn!("auto-close: {}", e.describe_for_log());
            }
            if !want {
                return;
            }
            loop {
                gloo_timers::future::TimeoutFuture::new(RENEW_MS).await;
                if self.hold_gen.try_get_value() != Some(generation) {
                    return;
                }
                if let Err(e) = portal.set_auto_close(false).await {
                    log::warn!("auto-close renewal: {}", e.describe_for_log());
                }
            }
        });
    }

    /// Keeps the draft [`KEEP_AFTER_MS`] after the last change.
    fn persist(self) {
        self.write_gen.update_value(|g| *g += 1);
        let generation = self.write_gen.get_value();
        spawn_local(async move {
            gloo_timers::future::TimeoutFuture::new(KEEP_AFTER_MS).await;
            if self.write_gen.try_get_value() == Some(generation) {
                self.write_now();
            }
        });
    }

    /// Keeps the draft now: session storage, and the user option where storage is refused (or
    /// the user, whose keys scope storage, is not known yet).
    fn write_now(self) {
        self.write_gen.update_value(|g| *g += 1);
        let d = self.draft.get_untracked();
        if d.call_id.is_empty() {
            return;
        }
        let text = if d.has_content() || d.unsure {
            wrapup::encode_draft(&d)
        } else {
            String::new()
        };
        let n = self.needs();
        n.kept
            .set(Area::Session, &wrapup::draft_name(&d.call_id), &text);
        if !browser::storage_works(Area::Session) || n.kept.user().is_none() {
            n.portal.set_user_option(DRAFT_OPTION, &text);
        }
    }

    /// What a save sends now: the parts not saved yet. `Err` says why nothing can go.
    fn plan(self) -> Result<SavePlan, Said> {
        let n = self.needs();
        let status = n.status.get_untracked();
        let target = Self::target(&status).ok_or(Said::Nothing)?;
        let d = self.draft.get_untracked();
        let offset = self.offset_min();
        let results = self.results.get_untracked();
        let label = d
            .result
            .as_ref()
            .and_then(|id| results.iter().find(|r| &r.id == id))
            .map(|r| r.label.clone());
        let todo_at = if d.saved_todo.is_some() {
            None
        } else {
            wrapup::deadline(&d.callback, now_secs(), offset).map_err(|e| match e {
                wrapup::DeadlineError::Invalid => Said::BadDate,
                wrapup::DeadlineError::Past => Said::PastDate,
            })?
        };
        let wants_note = !d.note.trim().is_empty() || label.is_some();
        let facts = CallFacts {
            at_secs: d.call_at_secs,
            direction: status.direction,
            phone: status.phone.clone(),
        };
        let comment = (d.saved_note.is_none() && wants_note).then(|| {
            wrapup::compose_comment(n.lang, &facts, offset, label.as_deref(), &d.note, todo_at)
        });
        let client_name = n
            .data
            .with_untracked(|data| match data.as_ref().map(|x| &x.client) {
                Some(ClientSlot::Loaded(c)) if c.entity == target => Some(c.name.clone()),
                _ => None,
            });
        let todo = todo_at.map(|at| TodoSpec {
            deadline_secs: at,
            title: wrapup::todo_title(n.lang, client_name.as_deref()),
            description: d.note.trim().to_string(),
            responsible: n.kept.user().unwrap_or(0),
        });
        if comment.is_none() && todo.is_none() {
            return Err(Said::Nothing);
        }
        Ok(SavePlan {
            target,
            comment,
            todo,
            offset_min: offset,
        })
    }

    /// Save (or Retry): one batch with the comment and the to-do. A save whose outcome is
    /// unknown is read back before anything is sent again.
    pub fn save(self) {
        if self.busy.get_untracked() {
            return;
        }
        let plan = match self.plan() {
            Ok(p) => p,
            Err(said) => {
                self.said.set(Some(said));
                return;
            }
        };
        // A preset moment is frozen, so that a retry (or a read-back after a reload) sends and
        // looks for the same deadline.
        if let Some(t) = &plan.todo {
            let at = wrapup::local_input_of(t.deadline_secs, plan.offset_min);
            self.draft.update(|d| d.callback = Callback::At(at));
        }
        self.busy.set(true);
        spawn_local(async move {
            let outcome = self.run_save(plan.clone()).await;
            self.busy.set(false);
            self.finish(&plan, outcome);
        });
    }

    async fn run_save(self, mut plan: SavePlan) -> Option<SaveOutcome> {
        let client = self.needs().client;
        // An earlier save of unknown outcome: look first.
        if self.draft.with_untracked(|d| d.unsure) {
            self.said.set(Some(Said::Checking));
            let unknown = SaveOutcome {
                note: if plan.comment.is_some() {
                    Part::Unknown
                } else {
                    Part::NotAsked
                },
                todo: if plan.todo.is_some() {
                    Part::Unknown
                } else {
                    Part::NotAsked
                },
            };
            let read = wrapup::read_back_batch(&plan, &unknown);
            let got = client.batch(&read, Priority::Interactive).await;
            let seen = wrapup::apply_read_back(&plan, &unknown, &got);
            if seen.any_unknown() {
                return Some(seen);
            }
            self.record(&seen);
            if let Part::Saved(_) = seen.note {
                plan.comment = None;
            }
            if let Part::Saved(_) = seen.todo {
                plan.todo = None;
            }
            if plan.comment.is_none() && plan.todo.is_none() {
                return Some(seen);
            }
        }
        let batch = wrapup::save_batch(&plan)?;
        self.said.set(Some(Said::Saving));
        // Until the answer is in, the save may have happened: a reload now reads back first.
        self.draft.update(|d| d.unsure = true);
        self.write_now();
        let got = client.batch(&batch, Priority::Interactive).await;
        let mut outcome = wrapup::decode_save(&plan, &got);
        if outcome.any_unknown() {
            self.said.set(Some(Said::Checking));
            let read = wrapup::read_back_batch(&plan, &outcome);
            let back = client.batch(&read, Priority::Interactive).await;
            outcome = wrapup::apply_read_back(&plan, &outcome, &back);
        }
        Some(outcome)
    }

    /// Notes saved parts in the draft.
    fn record(self, o: &SaveOutcome) {
        self.draft.update(|d| {
            if let Part::Saved(id) = o.note {
                d.saved_note = Some(id.max(1));
            }
            if let Part::Saved(id) = o.todo {
                d.saved_todo = Some(id.max(1));
            }
            d.unsure = o.any_unknown();
        });
    }

    fn finish(self, plan: &SavePlan, outcome: Option<SaveOutcome>) {
        let Some(o) = outcome else {
            self.said.set(Some(Said::Nothing));
            return;
        };
        self.record(&o);
        let saved_something = matches!(o.note, Part::Saved(_)) || matches!(o.todo, Part::Saved(_));
        let d = self.draft.get_untracked();
        let said = if o.all_done() {
            let todo_at = plan.todo.as_ref().map(|t| t.deadline_secs);
            // Saved: the draft starts afresh (the saved ids stay, so nothing is sent twice).
            self.draft.update(|d| {
                d.note.clear();
                d.result = None;
                d.callback = Callback::None;
                d.unsure = false;
            });
            Said::Saved {
                note: plan.comment.is_some(),
                todo_at,
            }
        } else if o.any_unknown() {
            Said::Unsure
        } else {
            let class = [&o.note, &o.todo].into_iter().find_map(|p| match p {
                Part::Failed(e) => Some(e.class()),
                _ => None,
            });
            match class {
                Some(class) => Said::Failed {
                    class,
                    note_saved: d.saved_note.is_some() && plan.comment.is_some(),
                    todo_saved: d.saved_todo.is_some() && plan.todo.is_some(),
                },
                None => Said::Lost,
            }
        };
        self.said.set(Some(said));
        self.write_now();
        self.update_hold();
        if saved_something {
            self.needs().history.reload_now();
        }
    }
}

/// The wrap-up follows the call's life: the store tells it of each status and step.
impl CallFollower for Wrapup {
    fn start(&self) {
        Wrapup::start(*self);
    }
    fn on_status(&self, status: &CallStatus) {
        Wrapup::on_status(*self, status);
    }
    fn call_started(&self) {
        Wrapup::call_started(*self);
    }
    fn call_ended(&self) {
        Wrapup::call_ended(*self);
    }
    fn before_close(&self) {
        Wrapup::before_close(*self);
    }
}
