//! The call header: direction, number, line, state badge, live timer, failure reason.

use leptos::prelude::*;

use crate::ui::{announce, use_store};
use callcard_core::call::{CallState, Direction, PhoneNumber};
use callcard_core::i18n::{Text, sip_reason, tr};
use callcard_core::model::phone::format_phone;
use callcard_core::view_model::{badge, format_duration};

/// The top block of the card. Its content is rendered from one reactive closure over the status,
/// the progress and the clock: the block is small and has nothing focusable, and one closure
/// costs far less WebAssembly than a dozen fine-grained ones. The `<section>` itself stays (it
/// takes the focus when the error banner's Retry succeeds; "live" is styled by CSS from the
/// badge), and each change of the call's state is said once through the live region, never the
/// ticking timer.
#[component]
pub fn CallHeader() -> impl IntoView {
    let store = use_store();
    let lang = store.lang;

    // The clock ticks once a second while the card lives; the interval is cleared on cleanup.
    let now = RwSignal::new(crate::frame::browser::now_ms());
    let handle = set_interval_with_handle(
        move || now.set(crate::frame::browser::now_ms()),
        std::time::Duration::from_millis(1000),
    )
    .ok();
    on_cleanup(move || {
        if let Some(h) = handle {
            h.clear();
        }
    });

    // The state the card opens with is not a change: only the next ones are said.
    let said = std::cell::Cell::new({
        let s = store.status.get_untracked();
        badge(s.state, s.direction, &store.progress.get_untracked()).0
    });
    let content = move || {
        let s = store.status.get();
        let p = store.progress.get();
        let (state_word, state_text) = badge(s.state, s.direction, &p);
        if said.replace(state_word) != state_word {
            announce(tr(lang, state_text));
        }
        let direction = tr(
            lang,
            match s.direction {
                Direction::Incoming => Text::Incoming,
                Direction::Outgoing => Text::Outgoing,
                Direction::Callback => Text::Callback,
                Direction::IncomingTransfer => Text::Transferred,
                Direction::Unknown => Text::DirectionUnknown,
            },
        );
        let (phone, phone_kind) = match &s.phone {
            PhoneNumber::Known(n) => (format_phone(n), "known"),
            PhoneNumber::Hidden => (tr(lang, Text::HiddenNumber).to_string(), "hidden"),
            PhoneNumber::Unknown => (tr(lang, Text::UnknownNumber).to_string(), "unknown"),
        };
        let line = s
            .line()
            .map(|l| format!("{}: {}", tr(lang, Text::Line), format_phone(l)));
        // Only while connected; tracking `now` only then keeps an idle card from re-rendering.
        let timer = match (s.state, p.connected_at) {
            (CallState::Connected, Some(at)) => {
                Some(format_duration(((now.get() - at).max(0.0) / 1000.0) as u64))
            }
            _ => None,
        };
        let failure = p
            .failed_code
            .as_ref()
            .map(|code| match sip_reason(lang, code) {
                Some(reason) => format!("{}: {reason} ({code})", tr(lang, Text::CallFailed)),
                None => format!("{} ({code})", tr(lang, Text::CallFailed)),
            });
        view! {
                <div class="cc-call__row">
                    <span class="cc-call__direction" id="cc-call-direction" data-testid="call-direction" data-direction=s.direction.as_str()>
                        <span class="cc-call__arrow" aria-hidden="true">{if s.direction.is_incoming() { "↙" } else { "↗" }}</span>
                        {direction}
                    </span>
                    <span class=format!("cc-badge cc-badge--{state_word}") data-testid="call-state" data-state=state_word>
                        {tr(lang, state_text)}
                    </span>
                </div>
                <div class="cc-call__phone" data-testid="call-phone" data-phone=phone_kind>{phone}</div>
                <div class="cc-call__meta">
                    {line.map(|l| view! { <span class="cc-call__line">{l}</span> }.into_any())}
                    {s.call_list_mode.then(|| view! { <span class="cc-chip">{tr(lang, Text::CampaignMode)}</span> }.into_any())}
                    {timer.map(|t| view! {
                        <span class="cc-call__timer" data-testid="call-timer" title=tr(lang, Text::CallDuration)>{t}</span>
                    }.into_any())}
                </div>
                {failure.map(|f| view! { <div class="cc-call__failure" data-testid="call-failure">{f}</div> }.into_any())}
        }
    };
    view! {
        <section class="cc-call" aria-labelledby="cc-call-direction" tabindex="-1">{content}</section>
    }
}
