//! The campaign block: where the operator stands in the call list (campaign mode), or which of
//! their call lists hold the client, with add, remove and "new list" (outside it).
//!
//! The content is rebuilt whole with [`crate::ui::dom`] in one effect; clicks and the picker are
//! handled by one delegated listener (a typed [`Action`] marked on each control as `data-action`,
//! and `data-list`). Keyboard focus survives the
//! rebuild: the control that had it is found again in the new content (the same `data-testid`
//! and `data-list`, or the same list's other action), else focus goes to the action's result
//! (the picker, the progress, the lists, Retry); while loading it waits on the block itself.
//!
//! Built by hand on purpose (measured): the same block as Leptos views with stable nodes (a memo
//! of the view's kind, `<For>` keyed by id, signals for text, typed closures; commit 91eeef3 on
//! branch r-campaign) made the operator's transfer 26.8 KiB brotli larger (244.4 KiB against
//! 217.6 KiB, `scripts/measure_size.py dist`), far over the 2 KiB a hand-built list must save.
//! The state is changed only through the campaign's functions ([`CampaignState`]).

use crate::frame::dom;
use leptos::html;
use leptos::prelude::*;

use crate::campaign::state::{CampaignState, View, use_campaign};
use crate::ui::dom::{add, attr, el, replace, text_el};
use crate::ui::kind_name;
use callcard_core::campaign::CallList;
use callcard_core::i18n::{Lang, Text, tr};
use callcard_core::model::EntityKind;

/// What a control of the block does. The hand-built controls carry it as `data-action` (and the
/// list as `data-list`), written and read only through this type; the one delegated listener
/// turns it back into a call of the campaign's functions.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Action {
    /// The picker's choice (a `change` of the select).
    Pick,
    Retry,
    /// "Change list": back to the picker.
    Repick,
    Add,
    Remove,
}

impl Action {
    const ALL: [Action; 5] = [
        Action::Pick,
        Action::Retry,
        Action::Repick,
        Action::Add,
        Action::Remove,
    ];

    fn attr(self) -> &'static str {
        match self {
            Action::Pick => "pick",
            Action::Retry => "retry",
            Action::Repick => "repick",
            Action::Add => "add",
            Action::Remove => "remove",
        }
    }

    fn from_attr(a: &str) -> Option<Action> {
        Action::ALL.into_iter().find(|x| x.attr() == a)
    }

    /// Marks `el` as this action's control (for list `list`, when it acts on one).
    fn mark(self, el: &web_sys::Element, list: Option<u64>) {
        attr(el, "data-action", self.attr());
        if let Some(id) = list {
            attr(el, "data-list", &id.to_string());
        }
    }
}

fn list_label(lang: Lang, l: Option<&CallList>, id: u64) -> String {
    let kind = l
        .and_then(|l| l.kind())
        .map(|k| kind_name(lang, k))
        .unwrap_or("");
    let date = l
        .map(|l| l.created.get(..10).unwrap_or(&l.created))
        .unwrap_or("");
    format!("{} #{id} · {kind} · {date}", tr(lang, Text::ListName))
}

/// A `<select>` of `ids` (best first), with a placeholder when nothing is chosen.
fn picker(lang: Lang, lists: &[CallList], ids: &[u64]) -> web_sys::Element {
    let sel = el("select", "cc-select");
    attr(&sel, "data-testid", "campaign-picker");
    Action::Pick.mark(&sel, None);
    attr(&sel, "aria-label", tr(lang, Text::ChooseList));
    let ph = text_el("option", "", tr(lang, Text::ChooseList));
    attr(&ph, "value", "");
    add(&sel, &ph);
    for id in ids {
        let o = text_el(
            "option",
            "",
            &list_label(lang, lists.iter().find(|l| l.id == *id), *id),
        );
        attr(&o, "value", &id.to_string());
        add(&sel, &o);
    }
    sel
}

type Reading = Option<(u32, Option<u32>, usize)>;

fn content(
    lang: Lang,
    view: &View,
    lists: &[CallList],
    busy: bool,
    reading: Reading,
) -> web_sys::Element {
    let root = el("div", "cc-campaign__body");
    if let Some((read, expected, n)) = reading {
        let text = callcard_core::i18n::reading_text(lang, read.into(), expected.map(u64::from), n);
        let p = text_el("p", "cc-muted", &text);
        attr(&p, "data-testid", "campaign-reading");
        attr(&p, "role", "status");
        attr(&p, "data-read", &read.to_string());
        if let Some(t) = expected {
            attr(&p, "data-total", &t.to_string());
        }
        add(&root, &p);
    }
    match view {
        View::Idle => {}
        View::Loading if reading.is_some() => {}
        View::Loading => {
            let p = el("span", "cc-skeleton cc-skeleton--line");
            attr(&p, "aria-label", tr(lang, Text::Loading));
            add(&root, &p);
        }
        View::Failed(text) => {
            let p = text_el("p", "cc-muted", text);
            attr(&p, "data-testid", "campaign-error");
            add(&root, &p);
            let b = text_el(
                "button",
                "cc-button cc-button--small",
                tr(lang, Text::Retry),
            );
            attr(&b, "type", "button");
            Action::Retry.mark(&b, None);
            attr(&b, "data-testid", "campaign-retry");
            add(&root, &b);
        }
        View::NoList => {
            add(
                &root,
                &text_el("p", "cc-muted", tr(lang, Text::CampaignNone)),
            );
            let ids: Vec<u64> = lists.iter().map(|l| l.id).collect();
            add(&root, &picker(lang, lists, &ids));
        }
        View::Pick(ids) => {
            add(&root, &text_el("p", "", tr(lang, Text::CampaignPick)));
            add(&root, &picker(lang, lists, ids));
        }
        View::Progress {
            list,
            progress,
            compute_ms,
        } => {
            let wrap = el("div", "cc-campaign__progress");
            attr(
                &wrap,
                "data-compute-us",
                &((compute_ms * 1000.0) as u64).to_string(),
            );
            attr(&wrap, "data-testid", "campaign-progress");
            attr(&wrap, "tabindex", "-1");
            attr(&wrap, "data-list", &list.to_string());
            attr(&wrap, "data-total", &progress.total.to_string());
            attr(&wrap, "data-done", &progress.done.to_string());
            let head = el("div", "cc-campaign__head");
            add(
                &head,
                &text_el(
                    "b",
                    "",
                    &list_label(lang, lists.iter().find(|l| l.id == *list), *list),
                ),
            );
            let change = text_el("button", "cc-link", tr(lang, Text::ChangeList));
            attr(&change, "type", "button");
            Action::Repick.mark(&change, None);
            attr(&change, "data-testid", "campaign-change");
            add(&head, &change);
            add(&wrap, &head);
            let sum = text_el(
                "p",
                "cc-campaign__sum",
                &format!(
                    "{} {} {} · {} {}",
                    progress.done,
                    tr(lang, Text::Of),
                    progress.total,
                    progress.remaining,
                    tr(lang, Text::Left)
                ),
            );
            attr(&sum, "data-testid", "campaign-summary");
            add(&wrap, &sum);
            // One stacked bar, then a row per status with its count.
            let stack = el("div", "cc-campaign__stack");
            attr(&stack, "aria-hidden", "true");
            let rows = el("ul", "cc-campaign__bars");
            for (i, b) in progress.bars.iter().enumerate() {
                let share = if progress.total > 0 {
                    b.count as u64 * 1000 / progress.total as u64
                } else {
                    0
                };
                let tone = if b.status_id == callcard_core::campaign::IN_WORK {
                    "work".to_string()
                } else {
                    (i % 5).to_string()
                };
                if b.count > 0 {
                    let seg = el("span", &format!("cc-campaign__seg cc-tone-{tone}"));
                    // Through the CSSOM: the strict CSP (no 'unsafe-inline') drops style attributes.
                    dom::set_style(&seg, "width", &format!("{}.{}%", share / 10, share % 10));
                    add(&stack, &seg);
                }
                let li = el("li", "cc-campaign__bar");
                attr(&li, "data-testid", "campaign-status");
                attr(&li, "data-status", &b.status_id);
                attr(&li, "data-count", &b.count.to_string());
                add(
                    &li,
                    &el("span", &format!("cc-campaign__dot cc-tone-{tone}")),
                );
                add(
                    &li,
                    &text_el("span", "", b.name.as_deref().unwrap_or(&b.status_id)),
                );
                add(&li, &text_el("b", "", &b.count.to_string()));
                add(&rows, &li);
            }
            add(&wrap, &stack);
            add(&wrap, &rows);
            let pos = match &progress.position {
                Some(p) => {
                    let name = progress
                        .bars
                        .iter()
                        .find(|b| b.status_id == p.status)
                        .and_then(|b| b.name.clone())
                        .unwrap_or_else(|| p.status.clone());
                    let e = text_el(
                        "p",
                        "cc-campaign__pos",
                        &format!(
                            "{}: {} {} {} · {name}",
                            tr(lang, Text::ThisClient),
                            p.place,
                            tr(lang, Text::Of),
                            p.of
                        ),
                    );
                    attr(&e, "data-place", &p.place.to_string());
                    attr(&e, "data-status", &p.status);
                    e
                }
                None => text_el(
                    "p",
                    "cc-campaign__pos cc-muted",
                    &format!(
                        "{}: {}",
                        tr(lang, Text::ThisClient),
                        tr(lang, Text::NotInList)
                    ),
                ),
            };
            attr(&pos, "data-testid", "campaign-position");
            add(&wrap, &pos);
            add(&root, &wrap);
        }
        View::Lists(rows) => {
            let ul = el("ul", "cc-campaign__lists");
            attr(&ul, "data-testid", "campaign-lists");
            attr(&ul, "tabindex", "-1");
            for (id, has, size) in rows {
                let l = lists.iter().find(|l| l.id == *id);
                let li = el("li", "cc-campaign__list");
                attr(&li, "data-testid", "campaign-list");
                attr(&li, "data-list", &id.to_string());
                attr(&li, "data-has", if *has { "true" } else { "false" });
                attr(&li, "data-size", &size.to_string());
                let text = el("span", "");
                add(&text, &text_el("span", "", &list_label(lang, l, *id)));
                add(
                    &text,
                    &text_el(
                        "span",
                        "cc-muted",
                        &format!(" · {size} {}", tr(lang, Text::Clients)),
                    ),
                );
                if *has {
                    add(
                        &text,
                        &text_el("span", "cc-chip", tr(lang, Text::InThisList)),
                    );
                }
                add(&li, &text);
                // REST writes contact and company lists only; whether the client fits the list
                // (its kind, a complete read) is decided on click, with a note when it does not.
                let writable = l
                    .and_then(|l| l.kind())
                    .is_some_and(|k| matches!(k, EntityKind::Contact | EntityKind::Company));
                if writable {
                    let (t, action) = if *has {
                        (Text::RemoveFromList, Action::Remove)
                    } else {
                        (Text::AddToList, Action::Add)
                    };
                    let b = text_el("button", "cc-button cc-button--small", tr(lang, t));
                    attr(&b, "type", "button");
                    action.mark(&b, Some(*id));
                    attr(&b, "data-testid", &format!("campaign-{}", action.attr()));
                    if busy {
                        // One write at a time.
                        attr(&b, "disabled", "");
                    }
                    add(&li, &b);
                }
                add(&ul, &li);
            }
            add(&root, &ul);
        }
    }
    root
}

/// Reads `data-action` / `data-list` / the select's value from an event's target.
fn action_of(ev: &web_sys::Event) -> Option<(Action, u64)> {
    let t = dom::event_element(ev)?.closest("[data-action]").ok()??;
    let action = Action::from_attr(&t.get_attribute("data-action")?)?;
    let list = match t.get_attribute("data-list") {
        Some(l) => l.parse().ok()?,
        None => dom::control_value(&t)
            .and_then(|v| v.parse().ok())
            .unwrap_or(0),
    };
    Some((action, list))
}

/// What finds the control that had focus again in new content: the same list's action (add
/// and remove swap places) or the same `data-testid`.
fn focus_selector(e: &web_sys::Element) -> String {
    let testid = e.get_attribute("data-testid").unwrap_or_default();
    match e.get_attribute("data-list") {
        Some(l) => format!(
            "[data-list=\"{l}\"][data-action],[data-list=\"{l}\"][data-testid=\"{testid}\"]"
        ),
        None => format!("[data-testid=\"{testid}\"]"),
    }
}

/// Each view's result, where focus goes after an action whose control is gone (one per view).
const RESULTS: &str = "[data-testid=campaign-picker],[data-testid=campaign-retry],[data-testid=campaign-progress],[data-testid=campaign-lists]";

/// After a rebuild that took the focus away: the same control in `node` if there is one (and it
/// can take focus), else — once the block has settled — the result, else the block itself.
/// Returns whether the wanted control was placed (or given up for the result).
fn refocus(block: &web_sys::Element, node: &web_sys::Element, want: &str, settled: bool) -> bool {
    let find = |sel: &str| node.query_selector(sel).ok().flatten();
    if !want.is_empty() && find(want).is_some_and(|e| dom::focus(&e)) {
        return true;
    }
    if settled && find(RESULTS).is_some_and(|e| dom::focus(&e)) {
        return true;
    }
    dom::focus(block);
    settled
}

/// The campaign block.
#[component]
pub fn Campaign() -> impl IntoView {
    let c: CampaignState = use_campaign();
    let lang = c.lang();
    let status = c.status();
    let body = NodeRef::<html::Div>::new();
    let want = StoredValue::new(String::new());
    Effect::new(move |_| {
        let ui = c.ui();
        if let Some(div) = body.get() {
            let block: &web_sys::Element = &div;
            let active = web_sys::window()
                .and_then(|w| w.document())
                .and_then(|d| d.active_element());
            let inside = active.as_ref().is_some_and(|a| block.contains(Some(a)));
            if let Some(a) = active.filter(|a| inside && a != block) {
                want.set_value(focus_selector(&a));
            }
            let t0 = crate::frame::browser::perf_now();
            let node = content(lang, &ui.view, &ui.lists, ui.busy, ui.reading);
            replace(&div, Some(&node));
            if inside {
                let settled = !ui.busy && !matches!(ui.view, View::Loading);
                if refocus(block, &node, &want.get_value(), settled) {
                    want.set_value(String::new());
                }
            }
            // How long building the block took (µs), for the benchmark script.
            let us = ((crate::frame::browser::perf_now() - t0) * 1000.0) as u64;
            attr(&node, "data-render-us", &us.to_string());
        }
    });
    let handle = move |ev: web_sys::Event, on_change: bool| {
        let Some((action, list)) = action_of(&ev) else {
            return;
        };
        match (action, on_change) {
            (Action::Pick, true) if list > 0 => c.choose(list),
            (Action::Retry, false) => c.retry(),
            (Action::Repick, false) => c.change_list(),
            (Action::Add, false) => c.change(list, true),
            (Action::Remove, false) => c.change(list, false),
            _ => {}
        }
    };
    // A control outside the body that hides or disables itself hands focus to the block first.
    let to_block = move || {
        if let Some(d) = body.get_untracked() {
            let _ = d.focus();
        }
    };
    let idle = move || c.with_ui(|u| matches!(u.view, View::Idle));
    view! {
        <section class="cc-campaign" data-testid="campaign" aria-labelledby="cc-campaign-title">
            <h2 class="cc-section-title" id="cc-campaign-title">
                {move || tr(lang, if status.with(|s| s.call_list_mode) { Text::CampaignTitle } else { Text::CallLists })}
            </h2>
            <div node_ref=body tabindex="-1" on:click=move |ev: web_sys::MouseEvent| handle(ev.into(), false) on:change=move |ev| handle(ev, true)
                aria-busy=move || c.with_ui(|u| u.busy).to_string()></div>
            <p class="cc-muted" data-testid="campaign-note" hidden=move || c.with_ui(|u| u.note.is_none())
                data-reason=move || c.with_ui(|u| u.reason.unwrap_or_default())>
                {move || c.with_ui(|u| u.note.unwrap_or_default())}
            </p>
            <div class="cc-campaign__actions" hidden=move || status.with(|s| s.call_list_mode) || status.with(|s| s.entity.is_none())>
                <button type="button" class="cc-button cc-button--small" data-testid="campaign-lists-load" hidden=move || !idle()
                    on:click=move |_| { to_block(); c.load_lists() }>{tr(lang, Text::ShowLists)}</button>
                <button type="button" class="cc-button cc-button--small" data-testid="campaign-create"
                    disabled=move || c.with_ui(|u| u.busy) on:click=move |_| { to_block(); c.create() }>{tr(lang, Text::CreateList)}</button>
            </div>
        </section>
    }
}
