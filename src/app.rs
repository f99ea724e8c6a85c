//! The root component and start-up: choose the portal, provide the store, show card or settings.

use std::rc::Rc;

use leptos::prelude::*;

use crate::call::header::CallHeader;
use crate::campaign::state::{CampaignNeeds, CampaignState};
use crate::campaign::view::Campaign;
use crate::client::bindings::Bindings;
use crate::client::card::ClientCard;
#[cfg(feature = "demo")]
use crate::demo::controls::DemoControls;
use crate::frame::browser;
use crate::frame::start::Chosen;
use crate::history::state::{HistoryNeeds, HistoryState};
use crate::history::view::History;
#[cfg(any(feature = "demo", feature = "settings"))]
use crate::install::page::InstallPage;
use crate::store::Store;
use crate::ui::error_banner::{ErrorBanner, RestStatus};
use crate::wrapup::state::{Wrapup, WrapupNeeds};
use crate::wrapup::view::WrapupPanel;
use callcard_core::i18n::{Text, tr};

/// The card for a chosen portal.
#[component]
pub fn App(
    /// The portal the app runs on (real or demo).
    chosen: Chosen,
) -> impl IntoView {
    let store = Store::new(chosen.portal.clone());
    provide_context(store);
    // The campaign: a context of its own with the narrow handle it needs, and a part of the
    // card's refresh.
    let campaign = CampaignState::new(CampaignNeeds {
        lang: store.lang,
        status: store.status.read_only(),
        client: store.client(),
        portal: chosen.portal.clone(),
        kept: store.kept_values(),
    });
    provide_context(campaign);
    store.join_refresh(Rc::new(campaign));
    // The history: a context of its own (its "show more", its reads after a call or a save).
    let history = HistoryState::new(HistoryNeeds {
        status: store.status.read_only(),
        data: store.data,
        client: store.client(),
        fresh: store.freshness(),
        learned: Rc::new(move || store.learn_users()),
        failed: Rc::new(move |e| store.fail(e)),
        after_reload: Rc::new(move || store.after_refresh()),
    });
    provide_context(history);
    // The wrap-up after a call: its own context, following the call's life.
    let wrapup = Wrapup::new(WrapupNeeds {
        lang: store.lang,
        status: store.status.read_only(),
        progress: store.progress.read_only(),
        data: store.data.read_only(),
        client: store.client(),
        portal: chosen.portal.clone(),
        kept: store.kept_values(),
        history,
    });
    provide_context(wrapup);
    // In this order, as before the history had a context of its own: the wrap-up hears of a
    // call's end first.
    store.follow_calls(Rc::new(wrapup));
    store.follow_calls(Rc::new(history));
    browser::set_document_lang(store.lang.code());
    let placement = chosen.portal.placement();
    #[cfg(feature = "demo")]
    let forced_theme = chosen.demo.as_ref().and_then(|d| d.config.theme.clone());
    #[cfg(not(feature = "demo"))]
    let forced_theme: Option<String> = None;
    let dark = match forced_theme.as_deref() {
        Some("dark") => true,
        Some("light") => false,
        _ => browser::prefers_dark(),
    };
    browser::body_class("cc-theme-dark", dark);
    browser::body_class("cc-theme-light", !dark);

    // The frame follows the content: after every change that can alter the height.
    let portal = chosen.portal.clone();
    Effect::new(move |_| {
        store.data.track();
        store.status.track();
        store.error.track();
        let p = portal.clone();
        request_animation_frame(move || p.fit_window());
    });

    // The demo panel, built where it is shown.
    #[cfg(feature = "demo")]
    let demo_handle = StoredValue::new_local(chosen.demo.clone());
    let demo = move || {
        #[cfg(feature = "demo")]
        return demo_handle
            .get_value()
            .map(|d| view! { <DemoControls demo=d/> });
        #[cfg(not(feature = "demo"))]
        None::<()>
    };
    if placement.is_call_card() {
        store.start();
        // The card's blocks are built in the next task, once the first refresh's requests are
        // out: `store.start` has handed them to the microtasks, which run first, so the batch
        // travels while the views are built (issue 12: building them first cost ~50 ms of the
        // start-up). The boot placeholder stays until then, so no empty frame is painted. A
        // timer of 0 ms, not an animation frame: it also runs in a frame the browser does not
        // render.
        let built = RwSignal::new(false);
        set_timeout(
            move || {
                built.set(true);
                browser::remove_boot_placeholder();
            },
            std::time::Duration::ZERO,
        );
        view! {
            <main class="cc" data-testid="card">
                // The page's one heading of level 1 (the design has none on screen) and its one
                // polite live region: call-state changes and the outcomes of actions.
                <h1 class="cc-visually-hidden">{tr(store.lang, Text::CardHeading)}</h1>
                <div id="cc-live" class="cc-visually-hidden" data-testid="live" aria-live="polite" aria-atomic="true"></div>
                {move || built.get().then(|| view! {
                    <ErrorBanner/>
                    <RestStatus/>
                    <CallHeader/>
                    <WrapupPanel/>
                    <ClientCard/>
                    <Bindings/>
                    <Campaign/>
                    <History/>
                    // The demo panel after the card: the first screen is the card as an operator
                    // sees it in Bitrix24 (issue 12), and Tab reaches the panel after the card.
                    {demo()}
                })}
            </main>
        }
        .into_any()
    } else {
        // The Bitrix24 build hands the settings page over to its own build (see `start`).
        #[cfg(any(feature = "demo", feature = "settings"))]
        let settings = view! { <InstallPage/> };
        #[cfg(not(any(feature = "demo", feature = "settings")))]
        let settings = ();
        browser::remove_boot_placeholder();
        view! {
            <main class="cc" data-testid="settings">
                <div id="cc-live" class="cc-visually-hidden" data-testid="live" aria-live="polite" aria-atomic="true"></div>
                {settings}
                {demo()}
            </main>
        }
        .into_any()
    }
}
