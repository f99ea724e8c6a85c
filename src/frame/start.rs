//! Choosing the portal at start: the real one inside a Bitrix24 frame, the demo otherwise.
//!
//! Inside a Bitrix24 frame (`window.name` = `DOMAIN|PROTOCOL|APP_SID`) the demo is never shown,
//! whatever fails: the card waits for the library and its `init` as long as it takes (saying so
//! after a second), and a library that cannot start is a readable error with Retry.

use std::cell::{Cell, RefCell};
use std::rc::Rc;

use gloo_timers::future::TimeoutFuture;
use js_sys::Reflect;
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;

use super::bx24::{self, Bx24Portal, CallFail};
#[cfg(feature = "demo")]
use super::demo_portal::DemoPortal;
use callcard_core::i18n::{self, Lang, Text};
use callcard_core::portal::Portal;
use callcard_core::portal::wait::{self, Failure, Library, View, WaitTiming};

/// The portal the app runs on, and the demo handle when it is the demo.
#[derive(Clone)]
pub struct Chosen {
    pub portal: Rc<dyn Portal>,
    #[cfg(feature = "demo")]
    pub demo: Option<Rc<DemoPortal>>,
}

/// Where the Bitrix24 build marks that it handed over to the demo build (outside a frame only).
const HANDOFF_REASON: &str = "__ccDemoReason";

/// The classic library, as index.html loads it.
pub const LIBRARY_URL: &str = "https://api.bitrix24.com/api/v1/";

/// Set to `true` by the `error` handler of the library's `<script>` (index.html's loader, and
/// the one [`wait_for_bitrix`] adds on Retry).
const LOAD_FAILED_FLAG: &str = "__ccBx24LoadFailed";

/// How often the wait looks at the library and at `init`'s answer: the card shows at most this
/// long after the portal answers.
const POLL_MS: u32 = 50;

/// `BX24.init` gets all the time a browser timer holds (2³¹−1 ms, ~24.8 days): a slow portal is
/// waited for, never abandoned.
const INIT_FOREVER_MS: u32 = i32::MAX as u32;

/// Inside a Bitrix24 frame waits for `BX24` and its `init` (see [`wait_for_bitrix`]) and runs on
/// the real portal; outside one runs on the demo portal.
/// Err only when the demo cannot start (the caller shows the reason).
/// `Ok(None)`: the Bitrix24 build has handed over to the demo build, which mounts itself.
pub async fn choose() -> Result<Option<Chosen>, String> {
    let window = web_sys::window();
    let query = window
        .as_ref()
        .and_then(|w| w.location().search().ok())
        .unwrap_or_default();
    // The demo build, loaded by the Bitrix24 build outside a frame: straight to the demo.
    #[cfg(feature = "demo")]
    if let Some(w) = &window
        && !Reflect::get(w, &HANDOFF_REASON.into())
            .unwrap_or_default()
            .is_undefined()
    {
        return demo(&query).await;
    }
    let name = window
        .as_ref()
        .and_then(|w| w.name().ok())
        .unwrap_or_default();
    if !bx24::frame_name_looks_like_bitrix(&name) {
        return demo(&query).await;
    }
    let browser_lang = window
        .as_ref()
        .and_then(|w| w.navigator().language())
        .unwrap_or_default();
    let lang = wait::start_lang(&query, &browser_lang);
    wait_for_bitrix(WaitTiming::default(), lang, LIBRARY_URL).await;
    Ok(Some(Chosen {
        portal: Rc::new(Bx24Portal::new()),
        #[cfg(feature = "demo")]
        demo: None,
    }))
}

/// Waits until `BX24.init` has answered, however long that takes, and says what it waits for in
/// the boot placeholder (`#cc-boot`, made if missing): nothing for `timing.show_after_ms`, then
/// "Waiting for Bitrix24…" (`portal-waiting`); a library that failed, or none after
/// `timing.give_up_ms`, is an error (`portal-failed`) with Retry (`portal-retry`). The wait goes
/// on behind an error: a library that arrives late still opens the card.
///
/// Retry re-runs the wait in this page: it re-adds the library's `<script>` from `library_url`
/// (or calls `init` again when the library is there), rather than reloading the frame. A reload
/// of the frame would re-send the portal's form POST (a resubmit prompt, and auth that may have
/// expired), and would start the whole app again for what is only a script that did not load.
pub async fn wait_for_bitrix(timing: WaitTiming, lang: Lang, library_url: &str) {
    let retry = Rc::new(Cell::new(false));
    let on_retry = {
        let retry = retry.clone();
        Closure::<dyn Fn()>::new(move || retry.set(true))
    };
    let answer: Rc<RefCell<Option<Result<(), CallFail>>>> = Rc::new(RefCell::new(None));
    // Ends the wait's nap early: `init` answered.
    let wake: Waker = Rc::new(RefCell::new(None));
    let mut init_running = false;
    let mut init_error: Option<String> = None;
    let mut started = crate::frame::browser::perf_now();
    let mut shown: Option<View> = None;
    loop {
        if retry.replace(false) {
            init_error = None;
            if probe() != Library::Present {
                reload_library(library_url);
            }
            // Straight to "Waiting…": the click is answered at once.
            started = crate::frame::browser::perf_now() - f64::from(timing.show_after_ms);
        }
        let answered = answer.borrow_mut().take();
        if let Some(result) = answered {
            init_running = false;
            match result {
                Ok(()) => break,
                // After ~24.8 days: ask again.
                Err(CallFail::Timeout(_)) => {}
                Err(CallFail::Threw(e)) => init_error = Some(e),
                Err(CallFail::QueryError) => init_error = Some("Query error!".into()),
            }
        }
        let lib = probe();
        if lib == Library::Present && !init_running && init_error.is_none() {
            init_running = true;
            let answer = answer.clone();
            let wake = wake.clone();
            wasm_bindgen_futures::spawn_local(async move {
                let r = bx24::init(INIT_FOREVER_MS).await;
                *answer.borrow_mut() = Some(r);
                if let Some(f) = wake.borrow_mut().take() {
                    let _ = f.call0(&JsValue::NULL);
                }
            });
        }
        let elapsed = (crate::frame::browser::perf_now() - started).max(0.0) as u32;
        let v = wait::view(elapsed, lib, init_error.is_some(), &timing);
        if shown != Some(v) {
            render(v, lang, init_error.as_deref(), &on_retry);
            shown = Some(v);
        }
        nap(POLL_MS, &wake).await;
    }
    // No Retry button may outlive its handler.
    if matches!(shown, Some(View::Failed(_))) {
        render(View::Waiting, lang, None, &on_retry);
    }
}

/// Where the wait's nap is woken from.
type Waker = Rc<RefCell<Option<js_sys::Function>>>;

/// Sleeps `ms`, or less: until `init` answers (`wake`) or the page's early start has the library
/// (its `callcard:bx24` event). Polling alone cost the card up to one `POLL_MS` of its start-up
/// after every step (issue 12).
async fn nap(ms: u32, wake: &Waker) {
    let Some(w) = web_sys::window() else {
        return TimeoutFuture::new(ms).await;
    };
    let mut resolver = None;
    let promise = js_sys::Promise::new(&mut |resolve: js_sys::Function, _reject| {
        let _ = w.set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, ms as i32);
        let _ = w.add_event_listener_with_callback(EARLY_LIBRARY_EVENT, &resolve);
        *wake.borrow_mut() = Some(resolve.clone());
        resolver = Some(resolve);
    });
    let _ = wasm_bindgen_futures::JsFuture::from(promise).await;
    wake.borrow_mut().take();
    if let Some(f) = resolver {
        let _ = w.remove_event_listener_with_callback(EARLY_LIBRARY_EVENT, &f);
    }
}

/// Sent by index.html's early start when it has run `BX24.init`.
const EARLY_LIBRARY_EVENT: &str = "callcard:bx24";

/// The library's state, from `window.BX24` and the script's `error` flag.
fn probe() -> Library {
    let Some(w) = web_sys::window() else {
        return Library::Absent;
    };
    let bx = Reflect::get(&w, &"BX24".into()).unwrap_or_default();
    if bx.is_object() {
        Library::Present
    } else if bx.is_null() {
        Library::Null
    } else if Reflect::get(&w, &LOAD_FAILED_FLAG.into())
        .unwrap_or_default()
        .is_truthy()
    {
        Library::LoadFailed
    } else {
        Library::Absent
    }
}

/// Removes the library's old `<script>`s and the state they left, and adds a fresh one.
fn reload_library(url: &str) {
    let Some(w) = web_sys::window() else { return };
    let Some(doc) = w.document() else { return };
    let selector = format!("script[src=\"{url}\"]");
    for _ in 0..16 {
        match doc.query_selector(&selector) {
            Ok(Some(old)) => old.remove(),
            _ => break,
        }
    }
    // The library's `BX24 = null` after a failed start; a global `var` cannot be deleted.
    if Reflect::get(&w, &"BX24".into())
        .unwrap_or_default()
        .is_null()
        && !Reflect::delete_property(&w, &"BX24".into()).unwrap_or(false)
    {
        let _ = Reflect::set(&w, &"BX24".into(), &JsValue::UNDEFINED);
    }
    let _ = Reflect::set(&w, &LOAD_FAILED_FLAG.into(), &JsValue::FALSE);
    let Ok(script) = doc.create_element("script") else {
        return;
    };
    let _ = script.set_attribute("src", url);
    let on_error = Closure::once_into_js(|| {
        if let Some(w) = web_sys::window() {
            let _ = Reflect::set(&w, &LOAD_FAILED_FLAG.into(), &JsValue::TRUE);
        }
    });
    let _ = script.add_event_listener_with_callback("error", on_error.unchecked_ref());
    if let Some(parent) = doc.body().map(web_sys::Element::from) {
        let _ = parent.append_child(&script);
    }
}

/// The boot placeholder, made when the page has none (tests, or after a fatal message).
fn boot_element(doc: &web_sys::Document) -> Option<web_sys::Element> {
    if let Some(el) = doc.get_element_by_id("cc-boot") {
        return Some(el);
    }
    let el = doc.create_element("div").ok()?;
    el.set_id("cc-boot");
    let _ = el.set_attribute("role", "status");
    let _ = el.set_attribute("aria-live", "polite");
    doc.body()?.append_child(&el).ok()?;
    Some(el)
}

/// Shows `v` in the boot placeholder (text only).
fn render(v: View, lang: Lang, detail: Option<&str>, on_retry: &Closure<dyn Fn()>) {
    let Some(doc) = web_sys::window().and_then(|w| w.document()) else {
        return;
    };
    let Some(boot) = boot_element(&doc) else {
        return;
    };
    let make = |tag: &str, class: &str| {
        let el = doc.create_element(tag).ok()?;
        el.set_class_name(class);
        boot.append_child(&el).ok()?;
        Some(el)
    };
    match v {
        View::Quiet => {}
        View::Waiting | View::StillWaiting => {
            boot.set_text_content(None);
            boot.set_class_name("cc-boot");
            let _ = boot.remove_attribute("data-testid");
            if let Some(s) = make("span", "cc-boot__spinner") {
                let _ = s.set_attribute("aria-hidden", "true");
            }
            if let Some(line) = make("span", "cc-boot__text cc-portal-waiting") {
                line.set_id("cc-boot-text");
                let _ = line.set_attribute("data-testid", "portal-waiting");
                let still = v == View::StillWaiting;
                let _ = line.set_attribute("data-still", if still { "yes" } else { "no" });
                let mut text = i18n::tr(lang, Text::WaitingForBitrix).to_string();
                if still {
                    text.push(' ');
                    text.push_str(i18n::tr(lang, Text::StillWaitingForBitrix));
                }
                line.set_text_content(Some(&text));
            }
        }
        View::Failed(f) => {
            boot.set_text_content(None);
            boot.set_class_name("cc-boot cc-boot--failed");
            let _ = boot.remove_attribute("data-testid");
            let Some(block) = make("div", "cc-portal-failed") else {
                return;
            };
            let _ = block.set_attribute("role", "alert");
            let _ = block.set_attribute("data-testid", "portal-failed");
            let _ = block.set_attribute("data-reason", f.code());
            let message = match f {
                Failure::NotLoaded => Text::PortalNotLoaded,
                Failure::LoadError => Text::PortalLoadError,
                Failure::LibraryThrew => Text::PortalLibraryThrew,
                Failure::InitThrew => Text::PortalInitThrew,
            };
            let mut text = i18n::tr(lang, message).to_string();
            if let Some(d) = detail.filter(|_| f == Failure::InitThrew) {
                text.push_str(" (");
                text.extend(d.chars().take(200));
                text.push(')');
            }
            if let Ok(p) = doc.create_element("p") {
                p.set_class_name("cc-portal-failed__text");
                p.set_text_content(Some(&text));
                let _ = block.append_child(&p);
            }
            if let Ok(b) = doc.create_element("button") {
                let _ = b.set_attribute("type", "button");
                b.set_class_name("cc-button cc-button--primary cc-portal-failed__retry");
                let _ = b.set_attribute("data-testid", "portal-retry");
                b.set_text_content(Some(i18n::tr(lang, Text::Retry)));
                let _ =
                    b.add_event_listener_with_callback("click", on_retry.as_ref().unchecked_ref());
                let _ = block.append_child(&b);
            }
        }
    }
}

#[cfg(feature = "demo")]
async fn demo(query: &str) -> Result<Option<Chosen>, String> {
    let d = DemoPortal::start(query, None).await?;
    Ok(Some(Chosen {
        portal: d.clone(),
        demo: Some(d),
    }))
}

/// The Bitrix24 build does not carry the demo: outside a frame it loads the demo build
/// (`callcard_demo.js`, next to the page) and hands over, marking the handover where the demo
/// build finds it.
#[cfg(not(feature = "demo"))]
async fn demo(_query: &str) -> Result<Option<Chosen>, String> {
    let w = web_sys::window().ok_or("no window")?;
    let _ = Reflect::set(&w, &HANDOFF_REASON.into(), &"".into());
    crate::frame::browser::load_build(crate::frame::browser::Build::Demo);
    Ok(None)
}
