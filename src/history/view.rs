//! The client's history: recent calls and activities, newest first, with call facts from the
//! call statistics where the user may read them, and "show more" for older pages.
//!
//! The history is a memo over the card's data: it changes, and the list is rebuilt, only when
//! the history's items do (or the users' names, or "show all"), not on every card change. The
//! rows are built with [`crate::ui::dom`] inside one effect and replaced as a whole when the
//! history changes.
//!
//! Built by hand on purpose (measured): the same rows as Leptos views with stable nodes (a memo
//! of what the list shows, `<For>` keyed by the entry's id, each entry a memo of its own so its
//! node stays while what it shows follows; commit babe742 on branch views-history-leptos) made
//! the operator's transfer 11.5 KiB brotli larger (239,188 B against 227,379 B,
//! `scripts/measure_size.py dist`), far over the 2 KiB a hand-built list must save.

use leptos::html;
use leptos::prelude::*;

use crate::frame::browser::format_time;
use crate::history::state::use_history;
use crate::ui::dom::{add, attr, el, replace, text_el};
use crate::ui::use_store;
use callcard_core::call::Direction;
use callcard_core::client::Person;
use callcard_core::history::{
    ActivityKind, CallOutcome, Comment, Entry, HistoryItem, StatsState, Timeline,
};
use callcard_core::i18n::{Lang, Text, tr};
use callcard_core::view_model::format_duration;

fn kind_text(item: &HistoryItem) -> Text {
    match (item.kind, item.direction) {
        (ActivityKind::Call, Direction::Incoming) => Text::Incoming,
        (ActivityKind::Call, _) => Text::Outgoing,
        (ActivityKind::Meeting, _) => Text::KindMeeting,
        (ActivityKind::Task, _) => Text::KindTask,
        (ActivityKind::Email, _) => Text::KindEmail,
        (ActivityKind::Todo, _) => Text::KindTodo,
        (ActivityKind::Other, _) => Text::KindActivity,
    }
}

fn outcome_text(o: &CallOutcome) -> (Text, &'static str) {
    match o {
        CallOutcome::Answered => (Text::OutcomeAnswered, "cc-stage cc-stage--success"),
        CallOutcome::Missed => (Text::OutcomeMissed, "cc-stage cc-stage--failure"),
        CallOutcome::Declined => (Text::OutcomeDeclined, "cc-stage cc-stage--failure"),
        CallOutcome::Cancelled => (Text::OutcomeCancelled, "cc-stage cc-stage--process"),
        CallOutcome::Failed(_) => (Text::OutcomeFailed, "cc-stage cc-stage--failure"),
    }
}

/// One `<li>` of the timeline.
fn row(
    item: &HistoryItem,
    lang: Lang,
    locale: &str,
    users: &[Person],
    portal_host: &str,
) -> web_sys::Element {
    let dir = match item.direction {
        Direction::Incoming | Direction::IncomingTransfer => "incoming",
        Direction::Outgoing | Direction::Callback => "outgoing",
        Direction::Unknown => "none",
    };
    let li = el("li", "cc-history__item");
    attr(&li, "data-testid", "history-item");
    attr(&li, "data-kind", "activity");
    attr(&li, "data-id", &item.id.to_string());
    attr(&li, "data-direction", dir);
    attr(
        &li,
        "data-call",
        if item.is_call() { "true" } else { "false" },
    );
    let icon = el("span", &format!("cc-history__icon cc-history__icon--{dir}"));
    attr(&icon, "aria-hidden", "true");
    add(&li, &icon);

    let body = el("div", "cc-history__body");
    let head = el("div", "cc-history__head");
    add(
        &head,
        &text_el("span", "cc-history__kind", tr(lang, kind_text(item))),
    );
    let when = item
        .start_ms
        .and_then(|ms| format_time(ms, locale))
        .unwrap_or_else(|| item.start.clone());
    let time = text_el("time", "cc-muted", &when);
    attr(&time, "data-testid", "history-time");
    attr(&time, "datetime", &item.start);
    add(&head, &time);
    add(&body, &head);
    let subject = text_el("div", "cc-history__subject", &item.subject);
    attr(&subject, "data-testid", "history-subject");
    add(&body, &subject);

    let meta = el("div", "cc-history__meta");
    if let Some(p) = item
        .responsible_id
        .and_then(|id| users.iter().find(|p| p.id == id))
    {
        let who = text_el("span", "cc-muted", &p.name);
        attr(&who, "data-testid", "history-responsible");
        add(&meta, &who);
    }
    if let Some(c) = &item.call {
        if let Some(o) = &c.outcome {
            let (t, class) = outcome_text(o);
            let chip = text_el("span", class, tr(lang, t));
            attr(&chip, "data-testid", "history-outcome");
            add(&meta, &chip);
        }
        if let Some(d) = c.duration_s.filter(|d| *d > 0) {
            let span = text_el("span", "cc-history__duration", &format_duration(d));
            attr(&span, "data-testid", "history-duration");
            add(&meta, &span);
        }
        // Only a recording on the portal's own host gets a link.
        if let Some(href) = c
            .record_url
            .as_ref()
            .filter(|u| callcard_core::history::recording_on_portal(u, portal_host))
        {
            let a = text_el("a", "cc-link", tr(lang, Text::Recording));
            attr(&a, "href", href);
            attr(&a, "target", "_blank");
            attr(&a, "rel", "noopener noreferrer");
            attr(&a, "data-testid", "history-record");
            add(&meta, &a);
        }
    }
    if !item.completed {
        let open = text_el("span", "cc-muted", tr(lang, Text::NotCompleted));
        attr(&open, "data-testid", "history-open");
        add(&meta, &open);
    }
    add(&body, &meta);
    add(&li, &body);
    li
}

/// One `<li>` of a timeline comment: when, who, the text (as text).
fn comment_row(c: &Comment, lang: Lang, locale: &str, users: &[Person]) -> web_sys::Element {
    let li = el("li", "cc-history__item cc-history__item--comment");
    attr(&li, "data-testid", "history-item");
    attr(&li, "data-kind", "comment");
    attr(&li, "data-id", &c.id.to_string());
    attr(&li, "data-call", "false");
    let icon = el("span", "cc-history__icon cc-history__icon--comment");
    attr(&icon, "aria-hidden", "true");
    add(&li, &icon);
    let body = el("div", "cc-history__body");
    let head = el("div", "cc-history__head");
    add(
        &head,
        &text_el("span", "cc-history__kind", tr(lang, Text::CommentKind)),
    );
    let when = c
        .created_ms
        .and_then(|ms| format_time(ms, locale))
        .unwrap_or_else(|| c.created.clone());
    let time = text_el("time", "cc-muted", &when);
    attr(&time, "data-testid", "history-time");
    attr(&time, "datetime", &c.created);
    add(&head, &time);
    add(&body, &head);
    let text = text_el("div", "cc-history__subject cc-history__text", &c.text);
    attr(&text, "data-testid", "history-subject");
    add(&body, &text);
    if let Some(p) = c.author_id.and_then(|id| users.iter().find(|p| p.id == id)) {
        let meta = el("div", "cc-history__meta");
        let who = text_el("span", "cc-muted", &p.name);
        attr(&who, "data-testid", "history-author");
        add(&meta, &who);
        add(&body, &meta);
    }
    add(&li, &body);
    li
}

/// How many entries the history shows before "Show all".
pub const RECENT: usize = 5;

/// What the list area shows for `history`: the [`RECENT`] newest entries, or all loaded ones.
fn content(
    history: &Option<Result<Timeline, callcard_core::rest::ErrorClass>>,
    all: bool,
    lang: Lang,
    locale: &str,
    users: &[Person],
    portal_host: &str,
) -> Option<web_sys::Element> {
    let (testid, text) = match history.as_ref()? {
        Err(_) => ("history-unavailable", Text::HistoryUnavailable),
        Ok(t) if t.items().is_empty() && t.comments().is_empty() => {
            ("history-empty", Text::HistoryEmpty)
        }
        Ok(t) => {
            let ol = el("ol", "cc-history__list");
            attr(&ol, "data-testid", "history");
            let entries = t.entries();
            let shown = if all { entries.len() } else { RECENT };
            for e in entries.iter().take(shown) {
                add(
                    &ol,
                    &match e {
                        Entry::Activity(a) => row(a, lang, locale, users, portal_host),
                        Entry::Comment(c) => comment_row(c, lang, locale, users),
                    },
                );
            }
            return Some(ol);
        }
    };
    let p = text_el("p", "cc-muted", tr(lang, text));
    attr(&p, "data-testid", testid);
    Some(p)
}

/// The history block.
#[component]
pub fn History() -> impl IntoView {
    let store = use_store();
    let history_state = use_history();
    let lang = store.lang;
    let locale = store.locale;
    let list = NodeRef::<html::Div>::new();
    let host = store.portal_host();
    // The history only: the rest of the card's data (the client, deals, bindings) changing
    // does not rebuild the list.
    let history = Memo::new(move |_| {
        store
            .data
            .with(|d| d.as_ref().and_then(|d| d.history.clone()))
    });
    // "Show all" (issue 11): collapsed again for every new client.
    let all = RwSignal::new(false);
    let entity = Memo::new(move |_| store.status.with(|s| s.entity));
    Effect::new(move |_| {
        entity.track();
        all.set(false);
    });
    // "Show more" keeps the focus while it loads (aria-disabled, not `disabled`, which would
    // drop it); after the last page, when it hides, the focus goes to the first new entry.
    // (`usize::MAX`: nothing pending.)
    let focus_from = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(usize::MAX));
    let from = focus_from.clone();
    Effect::new(move |_| {
        let all = all.get();
        history.with(|h| {
            store.users.with(|users| {
                if let Some(div) = list.get() {
                    replace(&div, content(h, all, lang, locale, users, &host).as_ref());
                    let last = !matches!(&h, Some(Ok(t)) if t.has_more());
                    if history_state.busy_now() {
                        return;
                    }
                    let n = from.swap(usize::MAX, std::sync::atomic::Ordering::Relaxed);
                    if let Some(li) = Some(n)
                        .filter(|n| last && *n != usize::MAX)
                        .and_then(|n| div.query_selector_all("li").ok()?.item(n as u32))
                        && let Some(li) = crate::frame::dom::as_element(li)
                    {
                        attr(&li, "tabindex", "-1");
                        crate::frame::dom::focus(&li);
                    }
                }
            })
        });
    });
    let count = move || {
        history.with(|h| match h {
            Some(Ok(t)) => t.items().len() + t.comments().len(),
            _ => 0,
        })
    };
    let has_more = move || history.with(|h| matches!(h, Some(Ok(t)) if t.has_more()));
    // "Show all" while more are loaded than shown; "show more" once all loaded ones are shown.
    let toggle = move || count() > RECENT;
    let more = move || has_more() && (all.get() || count() <= RECENT);
    let denied =
        move || history.with(|h| matches!(h, Some(Ok(t)) if t.stats_state() == StatsState::Denied));
    view! {
        <section class="cc-history" aria-labelledby="cc-history-title">
            <h2 class="cc-section-title" id="cc-history-title">{tr(lang, Text::History)}</h2>
            <p class="cc-muted cc-history__note" data-testid="history-stats-denied" hidden=move || !denied()>{tr(lang, Text::StatsDenied)}</p>
            <div node_ref=list></div>
            <button type="button" class="cc-button cc-button--small" data-testid="history-all" hidden=move || !toggle()
                aria-expanded=move || all.get().to_string() on:click=move |_| all.update(|a| *a = !*a)>
                {move || if all.get() { tr(lang, Text::ShowFewer).to_string() } else { format!("{} ({})", tr(lang, Text::ShowAll), count()) }}
            </button>
            <button type="button" class="cc-button cc-button--small" data-testid="history-more" hidden=move || !more()
                aria-disabled=move || if history_state.busy() { "true" } else { "false" } on:click=move |_| {
                    if !history_state.busy_now() {
                        focus_from.store(count(), std::sync::atomic::Ordering::Relaxed);
                        history_state.more();
                    }
                }>
                {tr(lang, Text::ShowMore)}
            </button>
        </section>
    }
}
