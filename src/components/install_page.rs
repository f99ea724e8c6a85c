//! The app's own page (`PLACEMENT = DEFAULT`): registers the CALL_CARD tab and finishes installation.

use leptos::prelude::*;
use leptos::task::spawn_local;
use serde_json::json;

use super::error_banner::error_text;
use super::use_store;
use crate::i18n::{T, tr};
use crate::rest::RestError;
use crate::rest::limiter::Priority;
use crate::rest::retry::outcome_unknown;
use crate::state::CardError;

/// The handler address to register: this page, without query or fragment.
fn handler_url() -> String {
    web_sys::window()
        .and_then(|w| {
            let l = w.location();
            Some(format!("{}{}", l.origin().ok()?, l.pathname().ok()?))
        })
        .unwrap_or_default()
}

/// Whether `placement.get`'s answer lists a CALL_CARD binding.
pub fn has_call_card(result: &serde_json::Value) -> bool {
    result.as_array().is_some_and(|a| {
        a.iter().any(|p| {
            p.get("placement")
                .or_else(|| p.get("PLACEMENT"))
                .and_then(|v| v.as_str())
                == Some("CALL_CARD")
        })
    })
}

/// Install / settings page.
#[component]
pub fn InstallPage() -> impl IntoView {
    let store = use_store();
    let lang = store.lang;
    let admin = store.portal().is_admin();
    let registered = RwSignal::new(None::<bool>);
    let busy = RwSignal::new(false);
    let error = RwSignal::new(None::<CardError>);
    let changed = RwSignal::new(false);

    // Every request goes through the card's REST client (bucket, retries, token refresh).
    let read_back = move || async move {
        store
            .client()
            .call("placement.get", &json!({}), Priority::Interactive)
            .await
            .map(|a| has_call_card(&a.result))
    };
    let check = move || {
        spawn_local(async move {
            match read_back().await {
                Ok(bound) => {
                    registered.set(Some(bound));
                    // Installation ends once the tab exists (a no-op outside installation).
                    if bound {
                        store.portal().install_finish();
                    }
                }
                Err(e) => error.set(Some(CardError::Rest(e.class()))),
            }
        })
    };
    check();

    let toggle = move |_| {
        let bind = registered.get_untracked() != Some(true);
        busy.set(true);
        error.set(None);
        spawn_local(async move {
            let handler = handler_url();
            let (method, params) = if bind {
                (
                    "placement.bind",
                    json!({"PLACEMENT": "CALL_CARD", "HANDLER": handler, "TITLE": "Client",
                        "LANG_ALL": {"en": {"TITLE": "Client"}, "ru": {"TITLE": "Клиент"}}}),
                )
            } else {
                (
                    "placement.unbind",
                    json!({"PLACEMENT": "CALL_CARD", "HANDLER": handler}),
                )
            };
            let mut result: Result<(), RestError> = store
                .client()
                .call(method, &params, Priority::Interactive)
                .await
                .map(|_| ());
            // No answer says nothing about whether the write happened: read the truth back
            // instead of offering to send it again.
            if let Err(e) = &result
                && outcome_unknown(e)
            {
                result = match read_back().await {
                    Ok(bound) if bound == bind => Ok(()),
                    Ok(bound) => {
                        registered.set(Some(bound));
                        result
                    }
                    Err(_) => result,
                };
            }
            busy.set(false);
            match result {
                Ok(_) => {
                    registered.set(Some(bind));
                    changed.set(true);
                    if bind {
                        store.portal().install_finish();
                    }
                }
                Err(e) => error.set(Some(CardError::Rest(e.class()))),
            }
        });
    };

    view! {
        <section class="cc-install" data-testid="install-page">
            <h1 class="cc-install__title">{tr(lang, T::InstallTitle)}</h1>
            <p class="cc-muted">{tr(lang, T::InstallIntro)}</p>
            <p class="cc-install__status" data-testid="install-status" data-registered=move || match registered.get() {
                None => "unknown",
                Some(true) => "yes",
                Some(false) => "no",
            }>
                {move || tr(lang, match registered.get() {
                    None => T::InstallChecking,
                    Some(true) => T::InstallRegistered,
                    Some(false) => T::InstallNotRegistered,
                })}
            </p>
            {move || error.get().map(|e| view! { <div class="cc-banner cc-banner--error" data-testid="error-banner" role="alert">{tr(lang, error_text(&e))}</div> }.into_any())}
            {if admin {
                view! {
                    <button type="button" class="cc-button cc-button--primary" data-testid="install-toggle"
                        disabled=move || busy.get() || registered.get().is_none() on:click=toggle>
                        {move || tr(lang, if registered.get() == Some(true) { T::InstallUnbind } else { T::InstallBind })}
                    </button>
                }.into_any()
            } else {
                view! { <p class="cc-muted">{tr(lang, T::InstallNotAdmin)}</p> }.into_any()
            }}
            {move || changed.get().then(|| view! { <p class="cc-install__hint">{tr(lang, T::InstallReload)}</p> }.into_any())}
        </section>
    }
}
