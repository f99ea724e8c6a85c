//! Browser tests of the components (wasm-bindgen-test in headless Chromium): the app mounted on
//! the demo portal — the card, bindings, history, campaign, at a glance and the wrap-up. The
//! BX24 boundary is in `tests/boundary.rs`.
#![cfg(target_arch = "wasm32")]

mod common;

use std::rc::Rc;

use callcard::frame::demo_portal::DemoPortal;
use callcard::frame::start::Chosen;
use callcard_core::portal::Portal;
use gloo_timers::future::TimeoutFuture;
use leptos::prelude::GetUntracked;
use serde_json::json;
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;

use common::{Mounted, until};

wasm_bindgen_test_configure!(run_in_browser);

fn mount_demo(query: &str) -> (Mounted, Rc<DemoPortal>) {
    let doc = web_sys::window().unwrap().document().unwrap();
    let root = doc.create_element("div").unwrap();
    doc.body().unwrap().append_child(&root).unwrap();
    let demo = DemoPortal::inline(query);
    let chosen = Chosen {
        portal: demo.clone(),
        demo: Some(demo.clone()),
    };
    let handle = leptos::mount::mount_to(root.clone().unchecked_into(), move || {
        leptos::view! { <callcard::app::App chosen=chosen/> }
    });
    std::mem::forget(handle);
    (Mounted { root }, demo)
}

#[wasm_bindgen_test]
async fn demo_card_shows_client_and_bindings_for_one_request() {
    let (m, demo) = mount_demo("?scenario=incoming&latency=0&lang=en");
    until("client name", || {
        m.find("client-name")
            .is_some_and(|e| e.tag_name() == "BUTTON")
    })
    .await;
    assert!(!m.text("client-name").is_empty());
    assert_eq!(
        m.find("client-type")
            .unwrap()
            .get_attribute("data-type")
            .as_deref(),
        Some("CONTACT")
    );
    until("bindings", || m.count("binding") >= 2).await;
    assert_eq!(
        m.find("call-direction")
            .unwrap()
            .get_attribute("data-direction")
            .as_deref(),
        Some("incoming")
    );
    assert_eq!(
        m.find("call-state")
            .unwrap()
            .get_attribute("data-state")
            .as_deref(),
        Some("ringing")
    );
    assert_eq!(
        demo.requests.get_untracked(),
        1,
        "one refresh = one REST request"
    );
    assert_eq!(m.text("demo-request-count"), "1");
}

#[wasm_bindgen_test]
async fn answering_updates_in_place_without_a_request() {
    let (m, demo) = mount_demo("?scenario=incoming&latency=0");
    // Bindings show as placeholders first; wait for the loaded ones (amounts come from the batch).
    until("loaded bindings", || m.find("binding-amount").is_some()).await;
    let before = demo.requests.get_untracked();
    assert_eq!(before, 1);
    m.click("demo-answer");
    until("connected", || {
        m.find("call-state")
            .and_then(|e| e.get_attribute("data-state"))
            .as_deref()
            == Some("connected")
    })
    .await;
    until("timer", || m.find("call-timer").is_some()).await;
    assert_eq!(m.text("call-timer"), "00:00");
    m.click("demo-hangup");
    until("ended", || {
        m.find("call-state")
            .and_then(|e| e.get_attribute("data-state"))
            .as_deref()
            == Some("ended")
    })
    .await;
    assert!(m.find("call-timer").is_none());
    assert_eq!(
        demo.requests.get_untracked(),
        before,
        "state changes cost no request"
    );
}

#[wasm_bindgen_test]
async fn switching_client_refreshes_with_one_more_request() {
    let (m, demo) = mount_demo("?scenario=incoming&latency=0");
    until("client", || {
        m.find("client-name")
            .is_some_and(|e| e.tag_name() == "BUTTON")
    })
    .await;
    let first = m.text("client-name");
    let before = demo.requests.get_untracked();
    m.click("demo-switch-client");
    until("new client", || {
        m.text("client-name") != first
            && m.find("client-name")
                .is_some_and(|e| e.tag_name() == "BUTTON")
    })
    .await;
    TimeoutFuture::new(30).await;
    assert_eq!(demo.requests.get_untracked(), before + 1);
}

#[wasm_bindgen_test]
async fn hidden_and_unknown_numbers_say_so() {
    let (m, demo) = mount_demo("?scenario=hidden&latency=0&lang=ru");
    until("header", || m.find("call-phone").is_some()).await;
    until("status", || {
        m.find("call-phone")
            .and_then(|e| e.get_attribute("data-phone"))
            .as_deref()
            == Some("hidden")
    })
    .await;
    assert_eq!(m.text("call-phone"), "Скрытый номер");
    assert_eq!(
        m.find("client-type")
            .unwrap()
            .get_attribute("data-type")
            .as_deref(),
        Some("NONE")
    );
    assert_eq!(m.text("client-type"), "Нет в CRM");
    TimeoutFuture::new(30).await;
    assert_eq!(
        demo.requests.get_untracked(),
        0,
        "nothing to ask: no request"
    );

    let (m, _) = mount_demo("?scenario=unknown&latency=0&lang=en");
    until("unknown", || {
        m.find("client-type")
            .and_then(|e| e.get_attribute("data-type"))
            .as_deref()
            == Some("NONE")
    })
    .await;
    assert!(
        m.text("client-name").starts_with('+'),
        "the number is shown: {}",
        m.text("client-name")
    );
}

#[wasm_bindgen_test]
async fn failed_call_shows_the_reason() {
    let (m, _) = mount_demo("?scenario=failed&latency=0&lang=en");
    until("dialling", || {
        m.find("call-state")
            .and_then(|e| e.get_attribute("data-state"))
            .as_deref()
            == Some("dialling")
    })
    .await;
    m.click("demo-answer");
    until("failed", || {
        m.find("call-state")
            .and_then(|e| e.get_attribute("data-state"))
            .as_deref()
            == Some("failed")
    })
    .await;
    assert!(
        m.text("call-failure").contains("busy (486)"),
        "{}",
        m.text("call-failure")
    );
}

#[wasm_bindgen_test]
async fn install_page_binds_the_tab() {
    let (m, demo) = mount_demo("?placement=DEFAULT&latency=0");
    until("install page", || {
        m.find("install-status")
            .and_then(|e| e.get_attribute("data-registered"))
            .as_deref()
            == Some("no")
    })
    .await;
    m.click("install-toggle");
    until("bound", || {
        m.find("install-status")
            .and_then(|e| e.get_attribute("data-registered"))
            .as_deref()
            == Some("yes")
    })
    .await;
    let a = demo.call("placement.get", &json!({})).await.unwrap();
    assert!(callcard_core::install::has_call_card(&a.result));
}

#[wasm_bindgen_test]
async fn history_comes_with_the_refresh_and_show_more_appends() {
    let (m, demo) = mount_demo("?scenario=incoming&latency=0&lang=ru");
    // Issue 11: the 5 most recent first; "Show all" shows every loaded one.
    until("history", || m.count("history-item") == 5).await;
    m.click("history-all");
    let activities = || {
        m.root
            .query_selector_all("[data-testid=history-item][data-kind=activity]")
            .unwrap()
            .length()
    };
    until("all loaded", || activities() == 50).await;
    // The history rode in the card's one refresh request.
    assert_eq!(demo.requests.get_untracked(), 1);
    assert!(
        m.text("history-subject")
            .chars()
            .any(|c| ('а'..='я').contains(&c))
    );
    m.click("history-more");
    until("second page", || activities() == 62).await;
    assert_eq!(demo.requests.get_untracked(), 2);
    let more = m.find("history-more").unwrap();
    assert!(more.has_attribute("hidden"), "no third page");
}

#[wasm_bindgen_test]
async fn campaign_mode_offers_the_lists_and_shows_progress_for_the_choice() {
    let (m, _demo) = mount_demo("?scenario=campaign&latency=0&lang=en&seed=1");
    until("picker", || m.find("campaign-picker").is_some()).await;
    let picker: web_sys::HtmlSelectElement = m.find("campaign-picker").unwrap().unchecked_into();
    // The placeholder and at least the two lists that hold the client, best guess first.
    assert!(picker.length() >= 3, "{} options", picker.length());
    let best = picker.item(1).unwrap().get_attribute("value").unwrap();
    // The campaign's list (it has the open call-list activity) is the best guess; the client's
    // company being in a company list does not make that list a candidate.
    assert_eq!(best, "6");
    let values: Vec<String> = (1..picker.length())
        .filter_map(|i| picker.item(i).and_then(|o| o.get_attribute("value")))
        .collect();
    assert!(!values.contains(&"3".to_string()), "{values:?}");
    picker.set_value(&best);
    picker
        .dispatch_event(
            &web_sys::Event::new_with_event_init_dict("change", &{
                let init = web_sys::EventInit::new();
                init.set_bubbles(true);
                init
            })
            .unwrap(),
        )
        .unwrap();
    until("progress", || m.find("campaign-progress").is_some()).await;
    let p = m.find("campaign-progress").unwrap();
    assert_eq!(p.get_attribute("data-list").as_deref(), Some(best.as_str()));
    let total: u32 = p.get_attribute("data-total").unwrap().parse().unwrap();
    let sum: u32 = (0..m.count("campaign-status"))
        .map(|i| {
            m.root
                .query_selector_all("[data-testid=campaign-status]")
                .unwrap()
                .item(i)
                .unwrap()
                .unchecked_into::<web_sys::Element>()
                .get_attribute("data-count")
                .unwrap()
                .parse::<u32>()
                .unwrap()
        })
        .sum();
    assert_eq!(sum, total, "every item counted under one status");
    assert!(
        m.find("campaign-position")
            .unwrap()
            .get_attribute("data-place")
            .is_some()
    );
}

// ---------- issue 11: at a glance, notes in the history, whose number it is ----------

#[wasm_bindgen_test]
async fn glance_notes_and_an_unbound_number_in_one_request_each() {
    let (m, demo) = mount_demo("?scenario=incoming&latency=0&lang=en");
    until("last contact", || {
        m.find("last-contact")
            .is_some_and(|e| !e.has_attribute("hidden"))
    })
    .await;
    assert!(!m.text("last-call-ago").is_empty());
    assert!(m.text("last-contact-tasks").contains("open task"));
    // The history list is drawn from the same answer, in a render of its own.
    until("history", || m.count("history-item") > 0).await;
    assert_eq!(m.count("history-item"), 5);
    m.click("history-all");
    until("notes", || {
        m.root
            .query_selector_all("[data-testid=history-item][data-kind=comment]")
            .unwrap()
            .length()
            >= 3
    })
    .await;
    let note = m
        .root
        .query_selector("[data-testid=history-item][data-kind=comment]")
        .unwrap()
        .unwrap();
    let author = note
        .query_selector("[data-testid=history-author]")
        .unwrap()
        .expect("a note names its author");
    assert!(!author.text_content().unwrap_or_default().is_empty());
    assert_eq!(demo.requests.get_untracked(), 1);
    // The same element stays while the list grows (the glance keeps its node).
    let glance = m.find("last-contact").unwrap();
    m.click("history-more");
    until("more", || demo.requests.get_untracked() == 2).await;
    assert!(glance.is_same_node(m.find("last-contact").as_ref().map(|e| e.as_ref())));
    m.root.remove();

    let (m, demo) = mount_demo("?scenario=unbound&latency=0&lang=ru");
    until("match", || m.count("crm-match") >= 1).await;
    let first = m.find("crm-match").unwrap();
    assert!(
        first
            .get_attribute("data-entity")
            .is_some_and(|e| e.starts_with("CONTACT:"))
    );
    assert!(first.text_content().unwrap_or_default().contains("Контакт"));
    assert_eq!(first.tag_name(), "BUTTON", "keyboard reachable");
    assert_eq!(
        demo.requests.get_untracked(),
        1,
        "search and names in the refresh batch"
    );
    assert!(
        m.find("last-contact")
            .is_none_or(|e| e.has_attribute("hidden"))
    );
    m.root.remove();
}

// ---------- the wrap-up (issue 11) ----------

mod wrapup_panel {
    use super::*;

    fn attr(m: &Mounted, id: &str, name: &str) -> Option<String> {
        m.find(id).and_then(|e| e.get_attribute(name))
    }

    #[wasm_bindgen_test]
    async fn a_call_ends_the_panel_opens_typing_holds_save_releases_and_the_nodes_stay() {
        let (m, demo) = mount_demo("?scenario=incoming&latency=0&lang=en&autoclose=600");
        until("loaded", || m.find("binding-amount").is_some()).await;
        assert!(
            m.find("wrapup").unwrap().has_attribute("hidden"),
            "hidden during the call"
        );
        m.click("demo-answer");
        until("connected", || {
            attr(&m, "call-state", "data-state").as_deref() == Some("connected")
        })
        .await;
        m.click("demo-hangup");
        until("panel", || {
            m.find("wrapup").is_some_and(|e| !e.has_attribute("hidden"))
        })
        .await;
        assert_eq!(m.count("wrapup-result"), 5);
        assert!(!demo.autoclose_held.get_untracked());
        let note: web_sys::HtmlTextAreaElement = m.find("wrapup-note").unwrap().unchecked_into();
        note.set_value("Wants <b>prices</b>");
        let init = web_sys::EventInit::new();
        init.set_bubbles(true);
        note.dispatch_event(&web_sys::Event::new_with_event_init_dict("input", &init).unwrap())
            .unwrap();
        until("held", || demo.autoclose_held.get_untracked()).await;
        assert_eq!(
            attr(&m, "demo-autoclose", "data-state").as_deref(),
            Some("held")
        );
        // Let the history read after the call land, then one save.
        TimeoutFuture::new(1_500).await;
        let before = demo.requests.get_untracked();
        m.click("wrapup-save");
        until("saved", || {
            attr(&m, "wrapup-status", "data-state").as_deref() == Some("saved")
        })
        .await;
        assert!(
            m.text("wrapup-status").contains("Note saved"),
            "{}",
            m.text("wrapup-status")
        );
        until("released", || !demo.autoclose_held.get_untracked()).await;
        until("history read", || {
            demo.requests.get_untracked() == before + 2
        })
        .await;
        // The same textarea node, emptied; text stays text.
        let after: web_sys::HtmlTextAreaElement = m.find("wrapup-note").unwrap().unchecked_into();
        assert!(after.is_same_node(Some(&note)), "the node survives a save");
        assert_eq!(after.value(), "");
        assert!(
            m.find("wrapup")
                .unwrap()
                .query_selector("b")
                .unwrap()
                .is_none()
        );
        // Released after the call: the demo portal closes the card.
        until("closed", || demo.card_closed.get_untracked()).await;
        assert!(
            m.find("demo-card-closed")
                .is_some_and(|e| !e.has_attribute("hidden"))
        );
    }

    #[wasm_bindgen_test]
    async fn nothing_typed_nothing_sent_and_keep_open_holds() {
        let (m, demo) = mount_demo("?scenario=incoming&latency=0&lang=ru");
        until("loaded", || m.find("binding-amount").is_some()).await;
        m.click("wrapup-open");
        until("panel", || {
            m.find("wrapup").is_some_and(|e| !e.has_attribute("hidden"))
        })
        .await;
        let before = demo.requests.get_untracked();
        m.click("wrapup-save");
        until("said", || {
            attr(&m, "wrapup-status", "data-state").as_deref() == Some("invalid")
        })
        .await;
        assert!(m.text("wrapup-status").contains("Пока нечего сохранять"));
        assert_eq!(
            demo.requests.get_untracked(),
            before,
            "nothing to save: no request"
        );
        m.click("keep-open");
        until("pressed", || {
            attr(&m, "keep-open", "aria-pressed").as_deref() == Some("true")
        })
        .await;
        until("held", || demo.autoclose_held.get_untracked()).await;
        m.click("keep-open");
        until("free", || !demo.autoclose_held.get_untracked()).await;
    }
}
