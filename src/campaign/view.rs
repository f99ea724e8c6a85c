//! The campaign block: where the operator stands in the call list (campaign mode), or which of
//! their call lists hold the client, with add, remove and "new list" (outside it).
//!
//! Leptos views whose nodes stay while the state changes: the kind of view (a memo) picks the
//! content, and within one kind the texts and attributes follow signals; the status rows, the
//! picker's options and the lists are `<For>`s keyed by id. So the control that has keyboard focus
//! keeps it through a refresh, a "Next" or a write's answer. Actions are typed closures calling
//! the campaign's functions. An action whose own control goes away or is disabled (a chosen
//! picker, "Change list", Retry while it loads, a write's button, the header's buttons) hands the
//! focus to the block while it works and then to its result: the same list's button, else the
//! view's one result (the picker, Retry, the progress, the lists).
//!
//! The `data-action` attributes are hooks for the end-to-end tests only: nothing reads them.

use leptos::html;
use leptos::prelude::*;

use crate::campaign::state::{CampaignState, View, use_campaign};
use crate::frame::browser::perf_now;
use crate::ui::kind_name;
use callcard_core::campaign::{CallList, IN_WORK, Progress, reading_text};
use callcard_core::i18n::{Lang, T, tr};
use callcard_core::model::EntityKind;

fn list_label(lang: Lang, l: Option<&CallList>, id: u64) -> String {
    let kind = l
        .and_then(|l| l.kind())
        .map(|k| kind_name(lang, k))
        .unwrap_or("");
    let date = l
        .map(|l| l.created.get(..10).unwrap_or(&l.created))
        .unwrap_or("");
    format!("{} #{id} · {kind} · {date}", tr(lang, T::ListName))
}

/// Which content the block shows; the content is rebuilt only when this changes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Idle,
    Loading,
    Failed,
    NoList,
    Pick,
    Progress,
    Lists,
}

fn kind_of(v: &View) -> Kind {
    match v {
        View::Idle => Kind::Idle,
        View::Loading => Kind::Loading,
        View::Failed(_) => Kind::Failed,
        View::NoList => Kind::NoList,
        View::Pick(_) => Kind::Pick,
        View::Progress { .. } => Kind::Progress,
        View::Lists(_) => Kind::Lists,
    }
}

/// Where the focus goes once an action has settled.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Focus {
    /// Nothing pending.
    Stay,
    /// The view's one result.
    Result,
    /// The button of this list's row (add and remove swap), else the result.
    Row(u64),
}

/// The elements focus can be handed to.
#[derive(Clone, Copy)]
struct Targets {
    block: NodeRef<html::Div>,
    picker: NodeRef<html::Select>,
    retry: NodeRef<html::Button>,
    progress: NodeRef<html::Div>,
    lists: NodeRef<html::Ul>,
    rows: StoredValue<Vec<(u64, NodeRef<html::Button>)>>,
    pending: StoredValue<Focus>,
    kind: Memo<Kind>,
    busy: Memo<bool>,
}

fn focus_el(e: &web_sys::HtmlElement) -> bool {
    let _ = e.focus();
    active().is_some_and(|a| a == **e)
}

fn active() -> Option<web_sys::Element> {
    web_sys::window()?.document()?.active_element()
}

impl Targets {
    /// Runs `action`, whose control may go or be disabled: meanwhile the focus waits on the
    /// block, and `to` is where it goes once the block has settled.
    fn act(self, to: Focus, action: impl FnOnce()) {
        if let Some(b) = self.block.get_untracked() {
            let _ = b.focus();
        }
        self.pending.set_value(to);
        action();
        // An action that changed nothing (or settled at once) hands the focus on right away.
        self.settle_soon();
    }

    /// Once the content has followed the state (a microtask: after the framework's updates of
    /// this turn, before the page paints or takes input): the pending focus, if settled.
    fn settle_soon(self) {
        if self.pending.get_value() == Focus::Stay {
            return;
        }
        queue_microtask(move || {
            let (Some(kind), Some(false)) =
                (self.kind.try_get_untracked(), self.busy.try_get_untracked())
            else {
                return;
            };
            if !matches!(kind, Kind::Idle | Kind::Loading) {
                self.settle(kind);
            }
        });
    }

    /// Whether the focus still waits for the action (on the block, or lost to the page).
    fn waiting(&self) -> bool {
        let block = self.block.get_untracked();
        match active() {
            None => true,
            Some(a) => {
                block.is_some_and(|b| a == **b)
                    || web_sys::window()
                        .and_then(|w| w.document())
                        .and_then(|d| d.body())
                        .is_some_and(|body| a == *body)
            }
        }
    }

    fn result(&self, kind: Kind) -> Option<web_sys::HtmlElement> {
        match kind {
            Kind::Failed => self.retry.get_untracked().map(|e| (*e).clone()),
            Kind::NoList | Kind::Pick => self.picker.get_untracked().map(|e| (*e).clone()),
            Kind::Progress => self.progress.get_untracked().map(|e| (*e).clone()),
            Kind::Lists => self.lists.get_untracked().map(|e| (*e).clone()),
            Kind::Idle | Kind::Loading => None,
        }
    }

    fn row(&self, id: u64) -> Option<web_sys::HtmlElement> {
        let b = self
            .rows
            .with_value(|v| v.iter().find(|(l, _)| *l == id).map(|(_, b)| *b))?;
        b.get_untracked()
            .filter(|e| e.is_connected())
            .map(|e| (*e).clone())
    }

    /// Once the block has settled: the pending focus goes to its target.
    fn settle(&self, kind: Kind) {
        let to = self.pending.get_value();
        if to == Focus::Stay {
            return;
        }
        self.pending.set_value(Focus::Stay);
        if !self.waiting() {
            return; // the operator has moved on
        }
        let row = match to {
            Focus::Row(id) => self.row(id),
            _ => None,
        };
        if !row.is_some_and(|e| focus_el(&e))
            && let Some(e) = self.result(kind)
        {
            focus_el(&e);
        }
    }
}

/// The reading line over whatever is on screen ("Reading the call lists… 4,000 of ~10,000").
fn reading_line(c: CampaignState, lang: Lang) -> impl IntoView {
    let reading = Memo::new(move |_| c.ui.with(|u| u.reading));
    let shown = Memo::new(move |_| reading.with(|r| r.is_some()));
    move || {
        shown.get().then(|| {
            view! {
                <p class="cc-muted" data-testid="campaign-reading" role="status"
                    data-read=move || reading.get().map(|r| r.0.to_string())
                    data-total=move || reading.get().and_then(|r| r.1).map(|t| t.to_string())>
                    {move || reading.get().map(|(read, expected, n)| reading_text(lang, read.into(), expected.map(u64::from), n)).unwrap_or_default()}
                </p>
            }
        })
    }
}

/// A `<select>` of `ids` (best first), with a placeholder when nothing is chosen.
fn picker(c: CampaignState, lang: Lang, t: Targets, ids: Memo<Vec<u64>>) -> impl IntoView {
    let on_change = move |ev: web_sys::Event| {
        if let Ok(id) = event_target_value(&ev).parse::<u64>()
            && id > 0
        {
            t.act(Focus::Result, || c.choose(id));
        }
    };
    view! {
        <select class="cc-select" data-testid="campaign-picker" data-action="pick" aria-label=tr(lang, T::ChooseList)
            node_ref=t.picker on:change=on_change>
            <option value="">{tr(lang, T::ChooseList)}</option>
            <For each=move || ids.get() key=|id| *id let:id>
                <option value=id.to_string()>{move || c.ui.with(|u| list_label(lang, u.lists.iter().find(|l| l.id == id), id))}</option>
            </For>
        </select>
    }
}

/// One status's colour: "work" for the items still to call, else one of five by place.
fn tone(status: &str, i: usize) -> String {
    if status == IN_WORK {
        "work".to_string()
    } else {
        (i % 5).to_string()
    }
}

/// The chosen list's progress: head with "Change list", summary, the stacked bar, a row per
/// status, the client's place.
fn progress_view(c: CampaignState, lang: Lang, t: Targets) -> impl IntoView {
    let shown = Memo::new(move |_| {
        c.ui.with(|u| match &u.view {
            View::Progress {
                list,
                progress,
                compute_ms,
            } => (*list, progress.clone(), *compute_ms),
            _ => (0, Progress::default(), 0.0),
        })
    });
    let p = move || shown.with(|s| s.1.clone());
    let list = move || shown.with(|s| s.0);
    // The bars' identities (status, place): the rows and segments stay while counts change.
    let bars = Memo::new(move |_| {
        shown.with(|s| {
            s.1.bars
                .iter()
                .enumerate()
                .map(|(i, b)| (b.status_id.clone(), i))
                .collect::<Vec<_>>()
        })
    });
    let count = move |i: usize| shown.with(|s| s.1.bars.get(i).map_or(0, |b| b.count));
    let segments = Memo::new(move |_| {
        shown.with(|s| {
            s.1.bars
                .iter()
                .enumerate()
                .filter(|(_, b)| b.count > 0)
                .map(|(i, b)| (b.status_id.clone(), i))
                .collect::<Vec<_>>()
        })
    });
    let share = move |i: usize| {
        shown.with(|s| {
            let total = s.1.total;
            let n = s.1.bars.get(i).map_or(0, |b| b.count);
            let share = if total > 0 {
                n as u64 * 1000 / total as u64
            } else {
                0
            };
            format!("{}.{}%", share / 10, share % 10)
        })
    };
    let position = move || shown.with(|s| s.1.position.clone());
    let place_text = move || {
        shown.with(|s| match &s.1.position {
            Some(pos) => {
                let name =
                    s.1.bars
                        .iter()
                        .find(|b| b.status_id == pos.status)
                        .and_then(|b| b.name.clone())
                        .unwrap_or_else(|| pos.status.clone());
                format!(
                    "{}: {} {} {} · {name}",
                    tr(lang, T::ThisClient),
                    pos.place,
                    tr(lang, T::Of),
                    pos.of
                )
            }
            None => format!("{}: {}", tr(lang, T::ThisClient), tr(lang, T::NotInList)),
        })
    };
    let repick = move |_| {
        t.act(Focus::Result, || c.change_list());
    };
    view! {
        <div class="cc-campaign__progress" node_ref=t.progress
            data-compute-us=move || ((shown.with(|s| s.2) * 1000.0) as u64).to_string()
            data-testid="campaign-progress" tabindex="-1"
            data-list=move || list().to_string()
            data-total=move || p().total.to_string()
            data-done=move || p().done.to_string()>
            <div class="cc-campaign__head">
                <b>{move || c.ui.with(|u| list_label(lang, u.lists.iter().find(|l| l.id == list()), list()))}</b>
                <button class="cc-link" type="button" data-action="repick" data-testid="campaign-change" on:click=repick>
                    {tr(lang, T::ChangeList)}
                </button>
            </div>
            <p class="cc-campaign__sum" data-testid="campaign-summary">
                {move || shown.with(|s| format!("{} {} {} · {} {}", s.1.done, tr(lang, T::Of), s.1.total, s.1.remaining, tr(lang, T::Left)))}
            </p>
            // One stacked bar, then a row per status with its count. The widths go through the
            // CSSOM (`style:`): the strict CSP (no 'unsafe-inline') drops style attributes.
            <div class="cc-campaign__stack" aria-hidden="true">
                <For each=move || segments.get() key=|k| k.clone() let:((status, i))>
                    <span class=format!("cc-campaign__seg cc-tone-{}", tone(&status, i)) style:width=move || share(i)></span>
                </For>
            </div>
            <ul class="cc-campaign__bars">
                <For each=move || bars.get() key=|k| k.clone() let:((status, i))>
                    <li class="cc-campaign__bar" data-testid="campaign-status" data-status=status.clone()
                        data-count=move || count(i).to_string()>
                        <span class=format!("cc-campaign__dot cc-tone-{}", tone(&status, i))></span>
                        <span>{move || shown.with(|s| s.1.bars.get(i).map(|b| b.name.clone().unwrap_or_else(|| b.status_id.clone())).unwrap_or_default())}</span>
                        <b>{move || count(i).to_string()}</b>
                    </li>
                </For>
            </ul>
            <p class=move || if position().is_some() { "cc-campaign__pos" } else { "cc-campaign__pos cc-muted" }
                data-place=move || position().map(|p| p.place.to_string())
                data-status=move || position().map(|p| p.status)
                data-testid="campaign-position">
                {place_text}
            </p>
        </div>
    }
}

/// One row of the lists view: the list, its size, "in this list", and add or remove.
fn list_row(c: CampaignState, lang: Lang, t: Targets, id: u64) -> impl IntoView {
    let row = Memo::new(move |_| {
        c.ui.with(|u| match &u.view {
            View::Lists(rows) => rows
                .iter()
                .find(|r| r.0 == id)
                .map_or((false, 0), |r| (r.1, r.2)),
            _ => (false, 0),
        })
    });
    let has = move || row.get().0;
    let size = move || row.get().1;
    // REST writes contact and company lists only; whether the client fits the list (its kind,
    // a complete read) is decided on click, with a note when it does not.
    let writable = Memo::new(move |_| {
        c.ui.with(|u| {
            u.lists
                .iter()
                .find(|l| l.id == id)
                .and_then(|l| l.kind())
                .is_some_and(|k| matches!(k, EntityKind::Contact | EntityKind::Company))
        })
    });
    let busy = Memo::new(move |_| c.ui.with(|u| u.busy));
    let button = NodeRef::<html::Button>::new();
    t.rows.update_value(|v| v.push((id, button)));
    on_cleanup(move || {
        t.rows.try_update_value(|v| v.retain(|(l, _)| *l != id));
    });
    let action = move || if has() { "remove" } else { "add" };
    let click = move |_| {
        t.act(Focus::Row(id), || c.change(id, !has()));
    };
    view! {
        <li class="cc-campaign__list" data-testid="campaign-list" data-list=id.to_string()
            data-has=move || if has() { "true" } else { "false" } data-size=move || size().to_string()>
            <span>
                <span>{move || c.ui.with(|u| list_label(lang, u.lists.iter().find(|l| l.id == id), id))}</span>
                <span class="cc-muted">{move || format!(" · {} {}", size(), tr(lang, T::Clients))}</span>
                {move || has().then(|| view! { <span class="cc-chip">{tr(lang, T::InThisList)}</span> })}
            </span>
            {move || writable.get().then(|| view! {
                // One write at a time: disabled while one runs.
                <button class="cc-button cc-button--small" type="button" node_ref=button
                    data-action=action data-list=id.to_string() data-testid=move || format!("campaign-{}", action())
                    disabled=move || busy.get() on:click=click>
                    {move || tr(lang, if has() { T::RemoveFromList } else { T::AddToList })}
                </button>
            })}
        </li>
    }
}

fn lists_view(c: CampaignState, lang: Lang, t: Targets) -> impl IntoView {
    let ids = Memo::new(move |_| {
        c.ui.with(|u| match &u.view {
            View::Lists(rows) => rows.iter().map(|r| r.0).collect::<Vec<_>>(),
            _ => Vec::new(),
        })
    });
    view! {
        <ul class="cc-campaign__lists" data-testid="campaign-lists" tabindex="-1" node_ref=t.lists>
            <For each=move || ids.get() key=|id| *id let:id>
                {list_row(c, lang, t, id)}
            </For>
        </ul>
    }
}

/// The content for one kind of view.
fn content(c: CampaignState, lang: Lang, t: Targets, kind: Kind) -> AnyView {
    match kind {
        Kind::Idle => ().into_any(),
        Kind::Loading => {
            let reading = Memo::new(move |_| c.ui.with(|u| u.reading.is_some()));
            (move || {
                (!reading.get()).then(|| {
                    view! { <span class="cc-skeleton cc-skeleton--line" aria-label=tr(lang, T::Loading)></span> }
                })
            })
            .into_any()
        }
        Kind::Failed => {
            let text = move || {
                c.ui.with(|u| match u.view {
                    View::Failed(t) => t,
                    _ => "",
                })
            };
            let retry = move |_| {
                t.act(Focus::Result, || c.retry());
            };
            view! {
                <p class="cc-muted" data-testid="campaign-error">{text}</p>
                <button class="cc-button cc-button--small" type="button" data-action="retry" data-testid="campaign-retry"
                    node_ref=t.retry on:click=retry>{tr(lang, T::Retry)}</button>
            }
            .into_any()
        }
        Kind::NoList => {
            let ids = Memo::new(move |_| c.ui.with(|u| u.lists.iter().map(|l| l.id).collect()));
            view! {
                <p class="cc-muted">{tr(lang, T::CampaignNone)}</p>
                {picker(c, lang, t, ids)}
            }
            .into_any()
        }
        Kind::Pick => {
            let ids = Memo::new(move |_| {
                c.ui.with(|u| match &u.view {
                    View::Pick(ids) => ids.clone(),
                    _ => Vec::new(),
                })
            });
            view! {
                <p>{tr(lang, T::CampaignPick)}</p>
                {picker(c, lang, t, ids)}
            }
            .into_any()
        }
        Kind::Progress => progress_view(c, lang, t).into_any(),
        Kind::Lists => lists_view(c, lang, t).into_any(),
    }
}

/// The campaign block.
#[component]
pub fn Campaign() -> impl IntoView {
    let c = use_campaign();
    let lang = c.lang();
    let status = c.status();
    let kind = Memo::new(move |_| c.ui.with(|u| kind_of(&u.view)));
    let busy = Memo::new(move |_| c.ui.with(|u| u.busy));
    let t = Targets {
        block: NodeRef::new(),
        picker: NodeRef::new(),
        retry: NodeRef::new(),
        progress: NodeRef::new(),
        lists: NodeRef::new(),
        rows: StoredValue::new(Vec::new()),
        pending: StoredValue::new(Focus::Stay),
        kind,
        busy,
    };
    let root = NodeRef::<html::Div>::new();
    let idle = move || kind.get() == Kind::Idle;
    let block = view! {
        <section class="cc-campaign" data-testid="campaign" aria-labelledby="cc-campaign-title">
            <h2 class="cc-section-title" id="cc-campaign-title">
                {move || tr(lang, if status.with(|s| s.call_list_mode) { T::CampaignTitle } else { T::CallLists })}
            </h2>
            <div node_ref=t.block tabindex="-1" aria-busy=move || busy.get().to_string()>
                <div class="cc-campaign__body" node_ref=root>
                    {reading_line(c, lang)}
                    {move || content(c, lang, t, kind.get())}
                </div>
            </div>
            <p class="cc-muted" data-testid="campaign-note" hidden=move || c.ui.with(|u| u.note.is_none())
                data-reason=move || c.ui.with(|u| u.reason.unwrap_or_default())>
                {move || c.ui.with(|u| u.note.unwrap_or_default())}
            </p>
            <div class="cc-campaign__actions" hidden=move || status.with(|s| s.call_list_mode || s.entity.is_none())>
                <button type="button" class="cc-button cc-button--small" data-testid="campaign-lists-load" hidden=move || !idle()
                    on:click=move |_| t.act(Focus::Result, || c.load_lists())>{tr(lang, T::ShowLists)}</button>
                <button type="button" class="cc-button cc-button--small" data-testid="campaign-create"
                    disabled=move || busy.get() on:click=move |_| t.act(Focus::Result, || c.create())>{tr(lang, T::CreateList)}</button>
            </div>
        </section>
    };
    // After the content has followed a change: the pending focus, once settled, and how long the
    // change took to reach the page (µs since the state set it, for the benchmark script).
    Effect::new(move |_| {
        c.ui.track();
        if let Some(div) = root.get_untracked() {
            let us = ((perf_now() - c.changed_at()) * 1000.0).max(0.0) as u64;
            let _ = div.set_attribute("data-render-us", &us.to_string());
        }
        t.settle_soon();
    });
    block
}
