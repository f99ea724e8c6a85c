//! "This number belongs to …" (issue 11, `crm-match`): for a call bound to nothing, the CRM
//! items that have its number (`crm.duplicate.findbycomm` in the refresh batch), each opening
//! in the portal's slider. Nothing is created or rebound.

use leptos::prelude::*;

use crate::ui::{kind_label, use_store};
use callcard_core::i18n::{Text, tr};
use callcard_core::model::EntityRef;
use callcard_core::refresh::CrmMatch;

/// The matches of the current refresh, when it searched.
#[component]
pub fn CrmMatches() -> impl IntoView {
    let store = use_store();
    let lang = store.lang;
    let open = move |e: EntityRef| store.portal().open_path(&e.kind.details_path(e.id));
    let found = Memo::new(move |_| {
        store
            .data
            .with(|d| d.as_ref().and_then(|d| d.matches.clone()))
    });
    let item = move |m: CrmMatch| {
        let e = m.entity;
        let name = m.name.unwrap_or_else(|| format!("#{}", e.id));
        view! {
            <li>
                <button type="button" class="cc-link cc-match" data-testid="crm-match" data-entity=e.key()
                    title=tr(lang, Text::OpenInCrm) on:click=move |_| open(e)>
                    <span class="cc-match__type">{kind_label(&store, e.kind)}</span>
                    <span class="cc-match__name">{name}</span>
                </button>
            </li>
        }
    };
    move || {
        match found.get() {
        None => None,
        Some(Err(_)) => Some(
            view! { <p class="cc-muted" data-testid="crm-match-failed">{tr(lang, Text::MatchSearchFailed)}</p> }
                .into_any(),
        ),
        Some(Ok(list)) if list.is_empty() => None,
        Some(Ok(list)) => Some(
            view! {
                <div class="cc-matches" data-testid="crm-matches">
                    <p class="cc-matches__title">{tr(lang, Text::NumberBelongsTo)}</p>
                    <ul class="cc-matches__list">{list.into_iter().map(item).collect_view()}</ul>
                </div>
            }
            .into_any(),
        ),
    }
    }
}
