//! The app's own page (`PLACEMENT = DEFAULT`): registers the CALL_CARD tab and finishes installation.
//! Its rules (the command, what a read-back means) are `callcard_core::install`.

use leptos::prelude::*;
use leptos::task::spawn_local;
use serde_json::json;

use crate::store::CardError;
use crate::ui::error_banner::error_text;
use crate::ui::{announce, use_store};
use callcard_core::i18n::{Text, tr};
use callcard_core::install::{self, ReadBack, has_call_card};
use callcard_core::rest::RestError;
use callcard_core::rest::limiter::Priority;
use callcard_core::rest::retry::outcome_unknown;

/// The handler address to register: this page, without query or fragment.
fn handler_url() -> String {
    web_sys::window()
        .and_then(|w| {
            let l = w.location();
            Some(format!("{}{}", l.origin().ok()?, l.pathname().ok()?))
        })
        .unwrap_or_default()
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
        if busy.get_untracked() || registered.get_untracked().is_none() {
            return;
        }
        let bind = registered.get_untracked() != Some(true);
        busy.set(true);
        error.set(None);
        spawn_local(async move {
            let handler = handler_url();
            let (method, params) = install::toggle_command(bind, &handler);
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
                match install::read_back(bind, read_back().await.map_err(|_| ())) {
                    ReadBack::Done => result = Ok(()),
                    ReadBack::NotDone { registered: now } => registered.set(Some(now)),
                    ReadBack::Unknown => {}
                }
            }
            busy.set(false);
            match result {
                Ok(_) => {
                    registered.set(Some(bind));
                    changed.set(true);
                    announce(tr(
                        lang,
                        if bind {
                            Text::InstallRegistered
                        } else {
                            Text::InstallNotRegistered
                        },
                    ));
                    if bind {
                        store.portal().install_finish();
                    }
                }
                Err(e) => error.set(Some(CardError::Rest(e.class()))),
            }
        });
    };

    // The wrap-up's results (an app option: the same for every operator). Not a REST call of
    // this frame: `BX24.appOption.get` reads what the portal handed over at init, and `.set` asks
    // the portal's page (a message to the parent window), so neither goes through the client.
    let results_text = RwSignal::new(callcard_core::wrapup::results_text(
        &callcard_core::wrapup::results_from_option(
            store
                .portal()
                .app_option(callcard_core::wrapup::RESULTS_OPTION)
                .as_deref(),
            lang,
        ),
    ));
    let results_said = RwSignal::new(None::<bool>);
    let save_results = move |_| {
        let text = results_text.get_untracked();
        let value = callcard_core::wrapup::results_option_from_text(&text).unwrap_or_default();
        spawn_local(async move {
            let ok = store
                .portal()
                .set_app_option(callcard_core::wrapup::RESULTS_OPTION, &value)
                .await
                .is_ok();
            if ok {
                results_text.set(callcard_core::wrapup::results_text(
                    &callcard_core::wrapup::results_from_option(Some(&value), lang),
                ));
            }
            results_said.set(Some(ok));
            announce(tr(
                lang,
                if ok {
                    Text::InstallResultsSaved
                } else {
                    Text::InstallResultsFailed
                },
            ));
        });
    };
    let results_editor = admin.then(|| {
        view! {
            <div class="cc-install__results">
                <label class="cc-wrapup__label" for="cc-install-results">{tr(lang, Text::InstallResults)}</label>
                <textarea id="cc-install-results" class="cc-wrapup__note" data-testid="install-results" rows="6"
                    prop:value=move || results_text.get()
                    on:input=move |ev| {
                        let v = match crate::frame::dom::event_field(&ev) {
                            Some(crate::frame::dom::FieldValue::TextArea(v)) => v,
                            _ => String::new(),
                        };
                        results_text.set(v);
                        results_said.set(None);
                    }></textarea>
                <div class="cc-wrapup__actions">
                    <button type="button" class="cc-button" data-testid="install-results-save" on:click=save_results>{tr(lang, Text::InstallResultsSave)}</button>
                    <span class="cc-muted" data-testid="install-results-status">{move || match results_said.get() {
                        Some(true) => tr(lang, Text::InstallResultsSaved),
                        Some(false) => tr(lang, Text::InstallResultsFailed),
                        None => "",
                    }}</span>
                </div>
            </div>
        }
    });

    view! {
        <section class="cc-install" data-testid="install-page">
            <h1 class="cc-install__title">{tr(lang, Text::InstallTitle)}</h1>
            <p class="cc-muted">{tr(lang, Text::InstallIntro)}</p>
            <p class="cc-install__status" data-testid="install-status" data-registered=move || match registered.get() {
                None => "unknown",
                Some(true) => "yes",
                Some(false) => "no",
            }>
                {move || tr(lang, match registered.get() {
                    None => Text::InstallChecking,
                    Some(true) => Text::InstallRegistered,
                    Some(false) => Text::InstallNotRegistered,
                })}
            </p>
            {move || error.get().map(|e| view! { <div class="cc-banner cc-banner--error" data-testid="error-banner" role="alert">{tr(lang, error_text(&e))}</div> }.into_any())}
            {if admin {
                view! {
                    // aria-disabled, not `disabled`: the button keeps the focus while it works.
                    <button type="button" class="cc-button cc-button--primary" data-testid="install-toggle"
                        aria-disabled=move || if busy.get() || registered.get().is_none() { "true" } else { "false" } on:click=toggle>
                        {move || tr(lang, if registered.get() == Some(true) { Text::InstallUnbind } else { Text::InstallBind })}
                    </button>
                }.into_any()
            } else {
                view! { <p class="cc-muted">{tr(lang, Text::InstallNotAdmin)}</p> }.into_any()
            }}
            {move || changed.get().then(|| view! { <p class="cc-install__hint">{tr(lang, Text::InstallReload)}</p> }.into_any())}
            {results_editor}
        </section>
    }
}
