//! Inside a Bitrix24 frame: the start-up waits for the portal and never falls back to the demo
//! (`src/frame/start.rs`), and the first fatal message stays.

use std::cell::Cell;
use std::rc::Rc;

use callcard::frame::start::wait_for_bitrix;
use callcard_core::i18n::Lang;
use callcard_core::portal::wait::WaitTiming;
use gloo_timers::future::TimeoutFuture;
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;

use super::{install_fake, js, until};

fn doc() -> web_sys::Document {
    web_sys::window().unwrap().document().unwrap()
}

/// A hook inside the boot placeholder.
fn hook(id: &str) -> Option<web_sys::Element> {
    doc()
        .query_selector(&format!("#cc-boot [data-testid={id}]"))
        .unwrap()
}

fn reason() -> Option<String> {
    hook("portal-failed").and_then(|e| e.get_attribute("data-reason"))
}

fn quick() -> WaitTiming {
    WaitTiming {
        show_after_ms: 150,
        still_after_ms: 500,
        give_up_ms: 400,
    }
}

/// No library, no flag, no placeholder.
fn clean() {
    js(
        "delete globalThis.BX24; globalThis.__ccBx24LoadFailed = false; \
        var b = document.getElementById('cc-boot'); if (b) b.remove();",
    );
}

/// A script URL that defines a minimal library whose `init` answers at once.
fn working_library_url() -> String {
    js("URL.createObjectURL(new Blob(['globalThis.BX24 = {init: function (cb) { setTimeout(cb, 10); }};'], {type: 'text/javascript'}))")
        .as_string()
        .unwrap()
}

/// Runs the wait in the background; the flag turns true when it returns.
fn spawn_wait(timing: WaitTiming, lang: Lang, url: String) -> Rc<Cell<bool>> {
    let done = Rc::new(Cell::new(false));
    let d = done.clone();
    wasm_bindgen_futures::spawn_local(async move {
        wait_for_bitrix(timing, lang, &url).await;
        d.set(true);
    });
    done
}

fn click(id: &str) {
    hook(id)
        .expect(id)
        .unchecked_into::<web_sys::HtmlElement>()
        .click();
}

#[wasm_bindgen_test]
async fn a_slow_init_says_waiting_after_the_delay_and_is_never_an_error() {
    clean();
    install_fake("{initDelayMs: 900}");
    let t0 = callcard::frame::browser::perf_now();
    let done = spawn_wait(quick(), Lang::En, working_library_url());
    TimeoutFuture::new(60).await;
    assert!(
        hook("portal-waiting").is_none(),
        "no flicker on a fast start"
    );
    until("waiting", || hook("portal-waiting").is_some()).await;
    assert!(callcard::frame::browser::perf_now() - t0 >= 140.0);
    let line = hook("portal-waiting").unwrap();
    assert_eq!(
        line.text_content().as_deref(),
        Some("Waiting for Bitrix24…")
    );
    assert_eq!(line.get_attribute("data-still").as_deref(), Some("no"));
    until("still waiting", || {
        hook("portal-waiting").and_then(|e| e.get_attribute("data-still")) == Some("yes".into())
    })
    .await;
    // Past the give-up time: the library is there, so a slow init is no failure.
    assert!(hook("portal-failed").is_none());
    until("init answered", || done.get()).await;
    assert!(callcard::frame::browser::perf_now() - t0 >= 850.0);
    assert!(hook("portal-failed").is_none());
    clean();
}

#[wasm_bindgen_test]
async fn a_library_that_threw_is_an_error_and_retry_loads_it_again() {
    clean();
    // What the classic library leaves when it cannot start.
    js("globalThis.BX24 = null");
    let done = spawn_wait(quick(), Lang::Ru, working_library_url());
    until("failed", || reason().as_deref() == Some("library-threw")).await;
    let text = hook("portal-failed").unwrap().text_content().unwrap();
    assert!(text.contains("Библиотека Битрикс24"), "{text}");
    assert_eq!(
        hook("portal-retry").unwrap().text_content().as_deref(),
        Some("Повторить")
    );
    TimeoutFuture::new(200).await;
    assert!(!done.get(), "an error is not a start");
    click("portal-retry");
    until("started after retry", || done.get()).await;
    assert!(js("typeof BX24 === 'object' && BX24 !== null").is_truthy());
    assert!(
        hook("portal-retry").is_none(),
        "no Retry left without its handler"
    );
    clean();
}

#[wasm_bindgen_test]
async fn no_library_fails_after_the_give_up_time_and_a_late_library_still_opens_the_card() {
    clean();
    let t0 = callcard::frame::browser::perf_now();
    let done = spawn_wait(quick(), Lang::En, working_library_url());
    until("failed", || reason().as_deref() == Some("not-loaded")).await;
    assert!(callcard::frame::browser::perf_now() - t0 >= 390.0);
    assert!(hook("portal-retry").is_some());
    // The wait goes on behind the error: the library arrives, init answers, no click needed.
    install_fake("{initDelayMs: 50}");
    until("started", || done.get()).await;
    clean();
}

#[wasm_bindgen_test]
async fn a_script_that_failed_to_load_is_an_error_and_retry_adds_a_fresh_script() {
    clean();
    js("globalThis.__ccBx24LoadFailed = true");
    // A URL that cannot load: the fresh script fails as well.
    let dead = js("var u = URL.createObjectURL(new Blob(['1'])); URL.revokeObjectURL(u); u")
        .as_string()
        .unwrap();
    let done = spawn_wait(quick(), Lang::En, dead.clone());
    until("failed", || reason().as_deref() == Some("load-error")).await;
    click("portal-retry");
    until("waiting again", || hook("portal-waiting").is_some()).await;
    until("failed again", || reason().as_deref() == Some("load-error")).await;
    let scripts = doc()
        .query_selector_all(&format!("script[src=\"{dead}\"]"))
        .unwrap()
        .length();
    assert_eq!(scripts, 1, "the old script is replaced, not added to");
    install_fake("{}");
    until("started", || done.get()).await;
    clean();
}

#[wasm_bindgen_test]
async fn an_init_that_throws_is_an_error_with_its_reason_and_retry_calls_it_again() {
    clean();
    js("globalThis.BX24 = {init: function () { throw new Error('portal said no'); }}");
    let done = spawn_wait(quick(), Lang::En, working_library_url());
    until("failed", || reason().as_deref() == Some("init-threw")).await;
    let text = hook("portal-failed").unwrap().text_content().unwrap();
    assert!(text.contains("portal said no"), "{text}");
    install_fake("{}");
    TimeoutFuture::new(150).await;
    assert!(!done.get(), "init is called again only on Retry");
    click("portal-retry");
    until("started", || done.get()).await;
    clean();
}

#[wasm_bindgen_test]
fn the_first_fatal_message_stays_and_has_reload() {
    let target = doc().create_element("div").unwrap();
    doc().body().unwrap().append_child(&target).unwrap();
    assert!(callcard::show_fatal_in(&target, "first panic <b>x</b>"));
    assert!(!callcard::show_fatal_in(&target, "second panic"));
    let fatal = target
        .query_selector("[data-testid=fatal]")
        .unwrap()
        .unwrap();
    let text = fatal.text_content().unwrap();
    assert!(
        text.contains("first panic <b>x</b>"),
        "text, not HTML: {text}"
    );
    assert!(!text.contains("second panic"));
    assert!(target.query_selector("b").unwrap().is_none());
    assert_eq!(fatal.get_attribute("data-running").as_deref(), Some("no"));
    let reload = target
        .query_selector("[data-testid=fatal-reload]")
        .unwrap()
        .unwrap();
    assert_eq!(reload.tag_name(), "BUTTON");
    target.remove();
}
