//! One component a file. Each reads the shared [`Store`](crate::state::Store) from context.

pub mod bindings;
pub mod call_header;
pub mod campaign;
pub mod client_card;
pub mod crm_match;
#[cfg(feature = "demo")]
pub mod demo_controls;
pub mod dom;
pub mod error_banner;
pub mod history;
#[cfg(any(feature = "demo", feature = "settings"))]
pub mod install_page;
pub mod last_contact;
pub mod wrapup;

use crate::state::Store;
use callcard_core::i18n::{T, tr};
use callcard_core::model::EntityKind;
use leptos::prelude::*;

/// The store provided by `App`.
pub fn use_store() -> Store {
    expect_context::<Store>()
}

/// Says `text` through the page's one polite live region (`#cc-live`, made by `App`): screen
/// readers read it once. The region is replaced as a whole (`aria-atomic`).
pub fn announce(text: &str) {
    if let Some(e) = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.get_element_by_id("cc-live"))
    {
        e.set_text_content(Some(text));
    }
}

/// The localized name of an entity type.
pub fn kind_label(store: &Store, kind: EntityKind) -> &'static str {
    let t = match kind {
        EntityKind::Contact => T::Contact,
        EntityKind::Company => T::Company,
        EntityKind::Lead => T::Lead,
        EntityKind::Deal => T::Deal,
        EntityKind::Quote => T::Quote,
        EntityKind::Invoice | EntityKind::SmartInvoice => T::Invoice,
        EntityKind::Dynamic(_) => T::Item,
    };
    tr(store.lang, t)
}
