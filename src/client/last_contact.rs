//! "At a glance" (issue 11, `last-contact`): the last finished call — how long ago, by whom,
//! outcome and duration — and the open to-dos with the nearest due time, at the top of the
//! client block. Built from the history the refresh already brought: no request of its own.

use leptos::prelude::*;

use crate::frame::browser::{
    format_clock, format_relative, format_time, now_ms, timezone_offset_min,
};
use crate::ui::use_store;
use callcard_core::call::Direction;
use callcard_core::client::Person;
use callcard_core::history::{CallOutcome, Glance, ago, calendar_days};
use callcard_core::i18n::{Lang, Text, open_tasks, tr};
use callcard_core::view_model::format_duration;

fn outcome(o: &CallOutcome) -> (Text, &'static str) {
    match o {
        CallOutcome::Answered => (Text::OutcomeAnswered, "success"),
        CallOutcome::Missed => (Text::OutcomeMissed, "failure"),
        CallOutcome::Declined => (Text::OutcomeDeclined, "failure"),
        CallOutcome::Cancelled => (Text::OutcomeCancelled, "process"),
        CallOutcome::Failed(_) => (Text::OutcomeFailed, "failure"),
    }
}

/// "tomorrow 10:00", "today 18:30", or the full date and time further away.
fn due_text(due_ms: i64, now: f64, locale: &str) -> String {
    let days = calendar_days(now, due_ms, timezone_offset_min(now as i64));
    let clock = format_clock(due_ms, locale).unwrap_or_default();
    match days {
        -1..=1 => match format_relative(days, "day", locale) {
            Some(day) => format!("{day} {clock}"),
            None => format_time(due_ms, locale).unwrap_or_default(),
        },
        _ => format_time(due_ms, locale).unwrap_or_default(),
    }
}

/// The call line's parts: when, who, how it ended, how long.
fn call_line(g: &Glance, lang: Lang, locale: &str, users: &[Person], now: f64) -> AnyView {
    let Some(c) = &g.last_call else {
        return view! { <span class="cc-muted" data-testid="last-call">{tr(lang, Text::LastCallNone)}</span> }.into_any();
    };
    let when = c
        .at_ms
        .and_then(|ms| {
            let (n, unit) = ago(now, ms);
            format_relative(n, unit.intl(), locale)
        })
        .unwrap_or_default();
    let when_full = c
        .at_ms
        .and_then(|ms| format_time(ms, locale))
        .unwrap_or_default();
    let who = c
        .responsible_id
        .and_then(|id| users.iter().find(|p| p.id == id))
        .map(|p| p.name.clone());
    let dir = match c.direction {
        Direction::Incoming | Direction::IncomingTransfer => tr(lang, Text::Incoming),
        Direction::Outgoing | Direction::Callback => tr(lang, Text::Outgoing),
        Direction::Unknown => "",
    };
    let chip = c.outcome.as_ref().map(|o| {
        let (t, tone) = outcome(o);
        view! { <span class=format!("cc-stage cc-stage--{tone}") data-testid="last-call-outcome">{tr(lang, t)}</span> }
    });
    let duration = c.duration_s.filter(|d| *d > 0).map(|d| {
        view! { <span class="cc-glance__duration" data-testid="last-call-duration">{format_duration(d)}</span> }
    });
    view! {
        <span class="cc-glance__call" data-testid="last-call">
            <span class="cc-glance__label">{tr(lang, Text::LastCallLabel)}</span>
            <time class="cc-glance__ago" data-testid="last-call-ago" title=when_full>{when}</time>
            {(!dir.is_empty()).then(|| view! { <span class="cc-muted">{dir}</span> })}
            {who.map(|w| view! { <span data-testid="last-call-by">{w}</span> })}
            {chip}
            {duration}
        </span>
    }
    .into_any()
}

/// The glance strip; hidden without a loaded history.
#[component]
pub fn LastContact() -> impl IntoView {
    let store = use_store();
    let lang = store.lang;
    let locale = store.locale;
    let glance = Memo::new(move |_| {
        let entity = store.status.with(|s| s.entity);
        store.data.with(|d| {
            let d = d.as_ref()?;
            let same = matches!(&d.client, callcard_core::refresh::ClientSlot::Loaded(c) if Some(c.entity) == entity);
            match (&d.history, same) {
                (Some(Ok(t)), true) => Some(t.glance()),
                _ => None,
            }
        })
    });
    let content = move || {
        let g = glance.get()?;
        let now = now_ms();
        let call = store.users.with(|u| call_line(&g, lang, locale, u, now));
        let tasks = if g.open_todos == 0 {
            tr(lang, Text::NoOpenTasks).to_string()
        } else {
            let mut s = open_tasks(lang, g.open_todos);
            if let Some(due) = g.next_due_ms {
                s.push_str(" · ");
                s.push_str(tr(lang, Text::NextTask));
                s.push(' ');
                s.push_str(&due_text(due, now, locale));
                if (due as f64) < now {
                    s.push_str(&format!(" ({})", tr(lang, Text::Overdue)));
                }
            }
            s
        };
        Some(view! {
            {call}
            <span class="cc-glance__tasks" data-testid="last-contact-tasks" data-open=g.open_todos.to_string()>{tasks}</span>
        })
    };
    view! {
        <section class="cc-glance" data-testid="last-contact" aria-label=tr(lang, Text::LastContact) hidden=move || glance.with(Option::is_none)>
            {content}
        </section>
    }
}
