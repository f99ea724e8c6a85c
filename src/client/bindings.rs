//! What the call is bound to: every `CRM_BINDINGS` item with title, stage name and amount.

use leptos::prelude::*;

use crate::frame::browser::format_money;
use crate::ui::{kind_label, use_store};
use callcard_core::call::OtherItem;
use callcard_core::i18n::{Text, tr};
use callcard_core::model::EntityRef;
use callcard_core::refresh::BindingView;
use callcard_core::view_model::other_item_label;

/// The bindings block.
#[component]
pub fn Bindings() -> impl IntoView {
    let store = use_store();
    let lang = store.lang;
    let locale = store.locale;
    let open = move |e: EntityRef| store.portal().open_path(&e.kind.details_path(e.id));

    // The loaded views for the bindings the status names now; a binding whose data has not
    // arrived yet is shown by type and id until it does.
    let items = Memo::new(move |_| {
        let wanted = store.status.with(|s| s.other_bindings());
        store.data.with(|d| {
            wanted
                .iter()
                .map(|e| {
                    d.as_ref()
                        .and_then(|d| d.bindings.iter().find(|b| b.entity == *e).cloned())
                        .map(|b| (b, true))
                        .unwrap_or((
                            BindingView {
                                entity: *e,
                                title: None,
                                stage: None,
                                amount: None,
                                denied: false,
                                readable: e.kind.item_api(),
                            },
                            false,
                        ))
                })
                .collect::<Vec<_>>()
        })
    });

    // Items of types the card does not know (orders, …) and entries it could not read at all.
    let others = Memo::new(move |_| store.status.with(|s| s.other_items.clone()));
    let unreadable = Memo::new(move |_| store.status.with(|s| s.unreadable_bindings));

    // One closure renders the whole list: a call has a handful of bindings, and the keyed-list
    // machinery (`<For>`) would cost the operator's download several kilobytes for nothing.
    let row = move |(b, loaded): (BindingView, bool)| {
        // A type the card cannot read (old invoices) is shown by type and id, nothing to wait for.
        let loaded = loaded || !b.readable;
        let entity = b.entity;
        let title = b.title.clone();
        let missing = loaded && b.readable && title.is_none();
        let label =
            title.unwrap_or_else(|| format!("{} #{}", kind_label(&store, entity.kind), entity.id));
        view! {
            <li class="cc-binding" class:cc-binding--missing=missing data-testid="binding" data-entity=entity.key()>
                <span class="cc-binding__type">{kind_label(&store, entity.kind)}</span>
                <button type="button" class="cc-link cc-binding__title" on:click=move |_| open(entity) title=tr(lang, Text::OpenInCrm)>
                    {label}
                </button>
                <span class="cc-binding__meta">
                    {b.stage.clone().map(|s| view! {
                        <span class=format!("cc-stage cc-stage--{}", s.semantic.as_str()) data-testid="binding-stage">{s.name}</span>
                    }.into_any())}
                    {b.amount.clone().map(|m| view! {
                        <span class="cc-binding__amount" data-testid="binding-amount">{format_money(m.amount, &m.currency, locale)}</span>
                    }.into_any())}
                    {missing.then(|| view! {
                        <span class="cc-muted" data-testid="binding-missing">{tr(lang, if b.denied { Text::NoAccess } else { Text::Deleted })}</span>
                    }.into_any())}
                    {(!loaded).then(|| view! { <span class="cc-skeleton cc-skeleton--chip" title=tr(lang, Text::Loading)></span> }.into_any())}
                </span>
            </li>
        }
    };

    // Shown by the type name the portal sent and the id: no request, no link (the card knows no
    // path for them). The type name is portal text, rendered as text.
    let other_row = move |item: OtherItem| {
        let kind = other_item_label(lang, &item);
        view! {
            <li class="cc-binding cc-binding--other" data-testid="binding" data-entity=item.key() data-other="true">
                <span class="cc-binding__type">{kind}</span>
                <span class="cc-binding__title">{format!("#{}", item.id)}</span>
            </li>
        }
    };

    view! {
        <section class="cc-bindings" aria-labelledby="cc-bindings-title">
            <h2 class="cc-section-title" id="cc-bindings-title">{tr(lang, Text::Bindings)}</h2>
            {move || {
                let list = items.get();
                let other = others.get();
                if list.is_empty() && other.is_empty() {
                    view! { <p class="cc-muted" data-testid="bindings-empty">{tr(lang, Text::NoBindings)}</p> }.into_any()
                } else {
                    view! { <ul class="cc-bindings__list">
                        {list.into_iter().map(row).collect_view()}
                        {other.into_iter().map(other_row).collect_view()}
                    </ul> }.into_any()
                }
            }}
            {move || {
                let n = unreadable.get();
                (n > 0).then(|| view! {
                    <p class="cc-muted" data-testid="bindings-unreadable" data-count=n.to_string()>{tr(lang, Text::BindingsUnreadable)}</p>
                }.into_any())
            }}
        </section>
    }
}
