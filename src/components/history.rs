//! The client's history: recent calls and activities, newest first, with call facts from the
//! call statistics where the user may read them, and "show more" for older pages.
//!
//! The rows are built with [`super::dom`] inside one effect: they are replaced as a whole when
//! the page changes, and generic view code per row shape would cost kilobytes of download.

use leptos::html;
use leptos::prelude::*;

use super::dom::{add, attr, el, replace, text_el};
use super::use_store;
use crate::browser::format_time;
use crate::history::{ActivityKind, CallOutcome, Direction, HistoryItem, StatsState, Timeline};
use crate::i18n::{Lang, T, tr};
use crate::model::crm::Person;
use crate::view_model::format_duration;

fn kind_text(item: &HistoryItem) -> T {
    match (item.kind, item.direction) {
        (ActivityKind::Call, Direction::Incoming) => T::Incoming,
        (ActivityKind::Call, _) => T::Outgoing,
        (ActivityKind::Meeting, _) => T::KindMeeting,
        (ActivityKind::Task, _) => T::KindTask,
        (ActivityKind::Email, _) => T::KindEmail,
        (ActivityKind::Todo, _) => T::KindTodo,
        (ActivityKind::Other, _) => T::KindActivity,
    }
}

fn outcome_text(o: &CallOutcome) -> (T, &'static str) {
    match o {
        CallOutcome::Answered => (T::OutcomeAnswered, "cc-stage cc-stage--success"),
        CallOutcome::Missed => (T::OutcomeMissed, "cc-stage cc-stage--failure"),
        CallOutcome::Declined => (T::OutcomeDeclined, "cc-stage cc-stage--failure"),
        CallOutcome::Cancelled => (T::OutcomeCancelled, "cc-stage cc-stage--process"),
        CallOutcome::Failed(_) => (T::OutcomeFailed, "cc-stage cc-stage--failure"),
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
        Direction::Incoming => "incoming",
        Direction::Outgoing => "outgoing",
        Direction::Unknown => "none",
    };
    let li = el("li", "cc-history__item");
    attr(&li, "data-testid", "history-item");
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
            .filter(|u| crate::history::recording_on_portal(u, portal_host))
        {
            let a = text_el("a", "cc-link", tr(lang, T::Recording));
            attr(&a, "href", href);
            attr(&a, "target", "_blank");
            attr(&a, "rel", "noopener noreferrer");
            attr(&a, "data-testid", "history-record");
            add(&meta, &a);
        }
    }
    if !item.completed {
        let open = text_el("span", "cc-muted", tr(lang, T::NotCompleted));
        attr(&open, "data-testid", "history-open");
        add(&meta, &open);
    }
    add(&body, &meta);
    add(&li, &body);
    li
}

/// What the list area shows for `history`.
fn content(
    history: &Option<Result<Timeline, crate::rest::ErrorClass>>,
    lang: Lang,
    locale: &str,
    users: &[Person],
    portal_host: &str,
) -> Option<web_sys::Element> {
    let (testid, text) = match history.as_ref()? {
        Err(_) => ("history-unavailable", T::HistoryUnavailable),
        Ok(t) if t.items().is_empty() => ("history-empty", T::HistoryEmpty),
        Ok(t) => {
            let ol = el("ol", "cc-history__list");
            attr(&ol, "data-testid", "history");
            for item in t.items() {
                add(&ol, &row(item, lang, locale, users, portal_host));
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
    let lang = store.lang;
    let locale = store.locale;
    let list = NodeRef::<html::Div>::new();
    let host = store.portal_host();
    let history = move || {
        store
            .data
            .with(|d| d.as_ref().and_then(|d| d.history.clone()))
    };
    Effect::new(move |_| {
        let h = history();
        store.users.with(|users| {
            if let Some(div) = list.get() {
                replace(&div, content(&h, lang, locale, users, &host).as_ref());
            }
        });
    });
    let more = move || {
        store.data.with(
            |d| matches!(d.as_ref().and_then(|d| d.history.as_ref()), Some(Ok(t)) if t.has_more()),
        )
    };
    let denied = move || {
        store.data.with(|d| {
            matches!(d.as_ref().and_then(|d| d.history.as_ref()), Some(Ok(t)) if t.stats_state() == StatsState::Denied)
        })
    };
    view! {
        <section class="cc-history" aria-labelledby="cc-history-title">
            <h2 class="cc-section-title" id="cc-history-title">{tr(lang, T::History)}</h2>
            <p class="cc-muted cc-history__note" data-testid="history-stats-denied" hidden=move || !denied()>{tr(lang, T::StatsDenied)}</p>
            <div node_ref=list></div>
            <button type="button" class="cc-button cc-button--small" data-testid="history-more" hidden=move || !more()
                disabled=move || store.history_busy.get() on:click=move |_| store.more_history()>
                {tr(lang, T::ShowMore)}
            </button>
        </section>
    }
}
