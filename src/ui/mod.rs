//! What every feature's view shares: the store handle, the live region, the entity labels, the
//! error banner and the small DOM builder.

pub mod dom;
pub mod error_banner;

use crate::store::Store;
use callcard_core::i18n::{Lang, Text, tr};
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
    kind_name(store.lang, kind)
}

/// The localized name of an entity type in `lang`.
pub fn kind_name(lang: Lang, kind: EntityKind) -> &'static str {
    let t = match kind {
        EntityKind::Contact => Text::Contact,
        EntityKind::Company => Text::Company,
        EntityKind::Lead => Text::Lead,
        EntityKind::Deal => Text::Deal,
        EntityKind::Quote => Text::Quote,
        EntityKind::Invoice | EntityKind::SmartInvoice => Text::Invoice,
        EntityKind::Dynamic(_) => Text::Item,
    };
    tr(lang, t)
}
