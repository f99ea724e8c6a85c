//! The call header: direction, number, line, state badge, live timer, failure reason.

use leptos::prelude::*;

use super::use_store;
use crate::i18n::{T, sip_reason, tr};
use crate::model::phone::format_phone;
use crate::model::{CallState, Direction, PhoneNumber};

/// `mm:ss`, or `h:mm:ss` past an hour.
pub fn format_duration(secs: u64) -> String {
    let (h, m, s) = (secs / 3600, (secs % 3600) / 60, secs % 60);
    if h > 0 {
        format!("{h}:{m:02}:{s:02}")
    } else {
        format!("{m:02}:{s:02}")
    }
}

/// The top block of the card.
#[component]
pub fn CallHeader() -> impl IntoView {
    let store = use_store();
    let lang = store.lang;
    let status = store.status;
    let progress = store.progress;

    let direction = Memo::new(move |_| status.with(|s| s.direction));
    let state = Memo::new(move |_| status.with(|s| s.state));
    let direction_label = move || {
        tr(
            lang,
            match direction.get() {
                Direction::Incoming => T::Incoming,
                Direction::Outgoing => T::Outgoing,
                Direction::Callback => T::Callback,
                Direction::IncomingTransfer => T::Transferred,
            },
        )
    };
    // What the badge says: ringing vs dialling depends on the direction; idle after a call is "ended".
    let badge = Memo::new(move |_| {
        let p = progress.get();
        match state.get() {
            CallState::Connecting if direction.get().is_incoming() => ("ringing", T::Ringing),
            CallState::Connecting => ("dialling", T::Dialling),
            CallState::Connected => ("connected", T::Connected),
            CallState::Idle if p.failed_code.is_some() => ("failed", T::CallFailed),
            CallState::Idle if p.ended => ("ended", T::Ended),
            CallState::Idle => ("idle", T::NoCall),
        }
    });
    let phone = move || {
        status.with(|s| match &s.phone {
            PhoneNumber::Known(n) => format_phone(n),
            PhoneNumber::Hidden => tr(lang, T::HiddenNumber).to_string(),
            PhoneNumber::Unknown => tr(lang, T::UnknownNumber).to_string(),
        })
    };
    let phone_kind = move || {
        status.with(|s| match s.phone {
            PhoneNumber::Known(_) => "known",
            PhoneNumber::Hidden => "hidden",
            PhoneNumber::Unknown => "unknown",
        })
    };
    let line = move || status.with(|s| s.line().map(format_phone));
    let failure = move || {
        progress.with(|p| {
            p.failed_code
                .as_ref()
                .map(|code| match sip_reason(lang, code) {
                    Some(reason) => format!("{}: {reason} ({code})", tr(lang, T::CallFailed)),
                    None => format!("{} ({code})", tr(lang, T::CallFailed)),
                })
        })
    };

    // The timer ticks once a second while connected; the interval is cleared on cleanup.
    let now = RwSignal::new(crate::browser::now_ms());
    let handle = set_interval_with_handle(
        move || now.set(crate::browser::now_ms()),
        std::time::Duration::from_millis(1000),
    )
    .ok();
    on_cleanup(move || {
        if let Some(h) = handle {
            h.clear();
        }
    });
    let timer = move || {
        let at = progress.with(|p| p.connected_at)?;
        (state.get() == CallState::Connected)
            .then(|| format_duration(((now.get() - at).max(0.0) / 1000.0) as u64))
    };

    view! {
        <section class="cc-call" class:cc-call--live=move || state.get() != CallState::Idle aria-label=direction_label>
            <div class="cc-call__row">
                <span class="cc-call__direction" data-testid="call-direction" data-direction=move || direction.get().as_str()>
                    <span class="cc-call__arrow" aria-hidden="true">{move || if direction.get().is_incoming() { "↙" } else { "↗" }}</span>
                    {direction_label}
                </span>
                <span
                    class=move || format!("cc-badge cc-badge--{}", badge.get().0)
                    data-testid="call-state"
                    data-state=move || badge.get().0
                    role="status"
                >
                    {move || tr(lang, badge.get().1)}
                </span>
            </div>
            <div class="cc-call__phone" data-testid="call-phone" data-phone=phone_kind>{phone}</div>
            <div class="cc-call__meta">
                {move || line().map(|l| view! { <span class="cc-call__line">{tr(lang, T::Line)}": "{l}</span> })}
                {move || status.with(|s| s.call_list_mode).then(|| view! { <span class="cc-chip">{tr(lang, T::CampaignMode)}</span> })}
                {move || timer().map(|t| view! {
                    <span class="cc-call__timer" data-testid="call-timer" title=tr(lang, T::CallDuration)>{t}</span>
                })}
            </div>
            {move || failure().map(|f| view! { <div class="cc-call__failure" data-testid="call-failure">{f}</div> })}
        </section>
    }
}
