//! The client: type, name, post, company, phones, responsible; opens in the portal's slider.

use leptos::prelude::*;

use super::last_contact::LastContact;
use crate::call::crm_match::CrmMatches;
use crate::ui::{kind_label, use_store};
use callcard_core::call::PhoneNumber;
use callcard_core::i18n::{Text, tr};
use callcard_core::model::EntityRef;
use callcard_core::model::phone::{format_phone, tel_href};
use callcard_core::refresh::{ClientSlot, ClientView};
use callcard_core::rest::error::ErrorClass;
use callcard_core::view_model::initials;

/// The client block.
#[component]
pub fn ClientCard() -> impl IntoView {
    let store = use_store();
    let lang = store.lang;
    let open = move |e: EntityRef| store.portal().open_path(&e.kind.details_path(e.id));

    // What to show: the loaded client if it is the current one; otherwise the previous one
    // (dimmed) while the new one loads; a placeholder before anything arrived.
    let slot = Memo::new(move |_| {
        let entity = store.status.with(|s| s.entity);
        let data = store.data.with(|d| d.as_ref().map(|d| d.client.clone()));
        (entity, data)
    });

    let no_client = move || {
        let number = store.status.with(|s| match &s.phone {
            PhoneNumber::Known(n) => format_phone(n),
            PhoneNumber::Hidden => tr(lang, Text::HiddenNumber).into(),
            PhoneNumber::Unknown => tr(lang, Text::UnknownNumber).into(),
        });
        view! {
            <div class="cc-client cc-client--none" data-testid="client">
                <div class="cc-avatar cc-avatar--none" aria-hidden="true">"?"</div>
                <div class="cc-client__body">
                    <span class="cc-client__type" data-testid="client-type" data-type="NONE">{tr(lang, Text::NotInCrm)}</span>
                    <span class="cc-client__name" data-testid="client-name">{number}</span>
                    <p class="cc-muted">{tr(lang, Text::NotInCrmHint)}</p>
                    <CrmMatches/>
                </div>
            </div>
        }
        .into_any()
    };

    let loaded = move |c: ClientView, stale: bool| {
        let entity = c.entity;
        let name = if c.name.is_empty() {
            format!("{} #{}", kind_label(&store, entity.kind), entity.id)
        } else {
            c.name.clone()
        };
        let company = c.company.clone().map(|(e, title)| {
            if e.id > 0 {
                view! { <button type="button" class="cc-link" on:click=move |_| open(e)>{title}</button> }.into_any()
            } else {
                view! { <span>{title}</span> }.into_any()
            }
        });
        let phones = c.phones.iter().map(|p| {
            let kind = p.kind.as_deref().map(|k| callcard_core::i18n::phone_kind(lang, k)).unwrap_or_default();
            view! {
                <li class="cc-phone">
                    <a href=tel_href(&p.value) class="cc-phone__value">{format_phone(&p.value)}</a>
                    {(!kind.is_empty()).then(|| view! { <span class="cc-phone__kind">{kind}</span> })}
                </li>
            }
        }).collect_view();
        view! {
            <div class="cc-client" class:cc-stale=stale data-testid="client" data-entity=entity.key() aria-busy=move || store.loading.get().to_string()>
                <div class="cc-avatar" aria-hidden="true">{initials(&name)}</div>
                <div class="cc-client__body">
                    <span class="cc-client__type" data-testid="client-type" data-type=entity.kind.name()>{kind_label(&store, entity.kind)}</span>
                    <button type="button" class="cc-link cc-client__name" data-testid="client-name" title=tr(lang, Text::OpenInCrm) on:click=move |_| open(entity)>
                        {name}
                    </button>
                    {(c.post.is_some() || company.is_some()).then(|| view! {
                        <div class="cc-client__post">
                            {c.post.clone()}
                            {(c.post.is_some() && company.is_some()).then_some(" · ")}
                            {company}
                        </div>
                    })}
                    {c.stage.clone().map(|s| view! { <span class=format!("cc-stage cc-stage--{}", s.semantic.as_str())>{s.name}</span> })}
                    {(!c.phones.is_empty()).then(|| view! { <ul class="cc-phones" aria-label=tr(lang, Text::Phones)>{phones}</ul> })}
                    {c.responsible.clone().map(|r| view! {
                        <div class="cc-client__responsible" data-testid="client-responsible">
                            <span class="cc-muted">{tr(lang, Text::Responsible)}": "</span>
                            <span>{r.name}</span>
                            {r.position.map(|p| view! { <span class="cc-muted">" · "{p}</span> })}
                        </div>
                    })}
                </div>
            </div>
        }
        .into_any()
    };

    let unavailable = move |entity: EntityRef, class: ErrorClass| {
        let why = if class == ErrorClass::AccessDenied {
            Text::NoAccess
        } else {
            Text::Deleted
        };
        view! {
            <div class="cc-client cc-client--unavailable" data-testid="client" data-entity=entity.key()>
                <div class="cc-avatar cc-avatar--none" aria-hidden="true">"!"</div>
                <div class="cc-client__body">
                    <span class="cc-client__type" data-testid="client-type" data-type=entity.kind.name()>{kind_label(&store, entity.kind)}</span>
                    <span class="cc-client__name" data-testid="client-name">{format!("#{}", entity.id)}</span>
                    <p class="cc-muted">{tr(lang, why)}</p>
                </div>
            </div>
        }
        .into_any()
    };

    let placeholder = move || {
        view! {
            <div class="cc-client cc-client--loading" data-testid="client" aria-busy="true">
                <div class="cc-avatar cc-skeleton" aria-hidden="true"></div>
                <div class="cc-client__body">
                    <span class="cc-skeleton cc-skeleton--line"></span>
                    <span class="cc-skeleton cc-skeleton--title"></span>
                    <span class="cc-muted">{tr(lang, Text::Loading)}</span>
                </div>
            </div>
        }
        .into_any()
    };

    let client = move || match slot.get() {
        (None, _) => no_client(),
        (Some(e), Some(ClientSlot::Loaded(c))) => {
            let stale = c.entity != e;
            loaded(*c, stale)
        }
        (Some(e), Some(ClientSlot::Unavailable { entity, class })) if entity == e => {
            unavailable(entity, class)
        }
        (Some(_), _) => placeholder(),
    };
    // "At a glance" heads the client block (issue 11); it keeps its node across refreshes.
    view! {
        <LastContact/>
        {client}
    }
}
