//! A calm banner for what went wrong, with a retry. The data below it stays on screen.

use leptos::prelude::*;

use crate::store::CardError;
use crate::ui::use_store;
use callcard_core::i18n::{Text, tr};
use callcard_core::rest::client::Notice;
use callcard_core::rest::error::ErrorClass;

/// The text for an error, in the operator's words (never a code, never a token).
pub fn error_text(err: &CardError) -> Text {
    match err {
        CardError::Status(_) => Text::ErrStatus,
        CardError::Rest(class) => match class {
            ErrorClass::RateLimited | ErrorClass::OperationLimit => Text::ErrRateLimited,
            ErrorClass::Auth => Text::ErrAuth,
            ErrorClass::AccessDenied => Text::ErrAccess,
            ErrorClass::NotFound | ErrorClass::Argument => Text::ErrArgument,
            ErrorClass::Unavailable => Text::ErrUnavailable,
        },
    }
}

/// Shown only when there is an error. A retry that fails again leaves the error as it was (the
/// store does not set an equal one), so the banner keeps its nodes and Retry keeps the keyboard
/// focus; when a retry clears the error, the focus goes to the call header, where the banner
/// was, instead of falling to the page.
#[component]
pub fn ErrorBanner() -> impl IntoView {
    let store = use_store();
    let lang = store.lang;
    let retried = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    move || {
        let err = store.error.get();
        if err.is_none()
            && retried.swap(false, std::sync::atomic::Ordering::Relaxed)
            && let Some(h) = web_sys::window()
                .and_then(|w| w.document())
                .and_then(|d| d.query_selector(".cc-call").ok().flatten())
        {
            crate::frame::dom::focus(&h);
        }
        let retried = retried.clone();
        err.map(|err| {
            view! {
                <div class="cc-banner cc-banner--error" data-testid="error-banner" role="alert">
                    <span class="cc-banner__text">{tr(lang, error_text(&err))}</span>
                    <button type="button" class="cc-button cc-button--small" on:click=move |_| {
                        retried.store(true, std::sync::atomic::Ordering::Relaxed);
                        store.reload_status();
                    }>
                        {tr(lang, Text::Retry)}
                    </button>
                </div>
            }
        })
    }
}

/// The calm line about the REST client: "Updating…" while fresh data loads over the old (shown
/// after a short CSS delay, so quick refreshes do not flicker), or, while the client waits on
/// a busy portal, when the next attempt goes out. Never a code, never technical. Not a live
/// region: it comes and goes with every refresh and counts seconds down.
#[component]
pub fn RestStatus() -> impl IntoView {
    let store = use_store();
    let lang = store.lang;
    move || {
        if let Some(Notice::Retrying { class, until_ms }) = store.notice.get() {
            let secs = ((until_ms - crate::frame::browser::now_ms()) / 1000.0)
                .ceil()
                .max(1.0) as u64;
            let lead = match class {
                ErrorClass::Unavailable => Text::NoAnswerRetryIn,
                _ => Text::BusyRetryIn,
            };
            let text = format!("{} {secs} {}", tr(lang, lead), tr(lang, Text::Seconds));
            Some(view! { <div class="cc-status cc-status--busy" data-testid="rest-status" data-state="retrying">{text}</div> }.into_any())
        } else if store.loading.get() && store.data.with(|d| d.is_some()) {
            Some(view! { <div class="cc-status cc-status--updating" data-testid="rest-status" data-state="updating">{tr(lang, Text::Updating)}</div> }.into_any())
        } else {
            None
        }
    }
}
