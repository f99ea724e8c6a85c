//! A calm banner for what went wrong, with a retry. The data below it stays on screen.

use leptos::prelude::*;

use super::use_store;
use crate::i18n::{T, tr};
use crate::rest::error::ErrorClass;
use crate::state::CardError;

/// The text for an error, in the operator's words (never a code, never a token).
pub fn error_text(err: &CardError) -> T {
    match err {
        CardError::Status(_) => T::ErrStatus,
        CardError::Rest(class) => match class {
            ErrorClass::RateLimited | ErrorClass::OperationLimit => T::ErrRateLimited,
            ErrorClass::Auth => T::ErrAuth,
            ErrorClass::AccessDenied => T::ErrAccess,
            ErrorClass::NotFound | ErrorClass::Argument => T::ErrArgument,
            ErrorClass::Unavailable => T::ErrUnavailable,
        },
    }
}

/// Shown only when there is an error.
#[component]
pub fn ErrorBanner() -> impl IntoView {
    let store = use_store();
    let lang = store.lang;
    move || {
        store.error.get().map(|err| {
            view! {
                <div class="cc-banner cc-banner--error" data-testid="error-banner" role="alert">
                    <span class="cc-banner__text">{tr(lang, error_text(&err))}</span>
                    <button type="button" class="cc-button cc-button--small" on:click=move |_| store.reload_status()>
                        {tr(lang, T::Retry)}
                    </button>
                </div>
            }
        })
    }
}
