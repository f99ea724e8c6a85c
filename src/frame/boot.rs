//! The app's start in the page: the panic hook, logging, the portal choice and the mount, and the
//! fatal message (with its plain-JS Reload button) for when the app cannot go on.

use std::sync::atomic::{AtomicBool, Ordering};

use wasm_bindgen::JsValue;
use wasm_bindgen::prelude::wasm_bindgen;

use crate::frame;
use callcard_core::i18n;
use callcard_core::portal;

/// Whether the card has been mounted (a panic after that means it stopped working mid-use).
static RUNNING: AtomicBool = AtomicBool::new(false);
/// Whether a fatal message is on screen: the first one stays (a later panic is only logged).
static FATAL_SHOWN: AtomicBool = AtomicBool::new(false);

/// Starts the app: a readable panic message instead of a blank frame, logging, then the portal
/// choice and `mount` (the root component, given by the crate root so that the boundary does
/// not depend on the views).
pub fn start(mount: fn(frame::start::Chosen)) {
    // Tells index.html's boot fallback that the app runs: from now on the app says what it
    // waits for (a slow portal is no "could not start"), and its panics are shown by the hook.
    if let Some(w) = web_sys::window() {
        let _ = js_sys::Reflect::set(&w, &"__ccStarted".into(), &true.into());
    }
    std::panic::set_hook(Box::new(|info| {
        let text = info.to_string();
        web_sys::console::error_1(&JsValue::from_str(&text));
        show_fatal(&text);
    }));
    log::set_logger(&frame::browser::CONSOLE)
        .map(|()| log::set_max_level(log::LevelFilter::Info))
        .ok();
    // Leptos sets up its executor when mounting; until then use the plain wasm-bindgen one.
    wasm_bindgen_futures::spawn_local(async move {
        let chosen = match frame::start::choose().await {
            Ok(Some(c)) => c,
            // Handed over to the demo build, which mounts itself.
            Ok(None) => return,
            Err(reason) => return show_fatal(&reason),
        };
        // The settings page (placement `DEFAULT`, opened by an administrator) is a build of its
        // own, so an operator's card never carries it (7.7 KiB brotli): hand over, as to the demo.
        #[cfg(not(any(feature = "demo", feature = "settings")))]
        if !chosen.portal.placement().is_call_card() {
            frame::browser::load_build(frame::browser::Build::Settings);
            return;
        }
        // The root removes the boot placeholder once it has something to show.
        mount(chosen);
        RUNNING.store(true, Ordering::Relaxed);
    });
}

// The Reload button's handler is plain JS: after a panic the wasm instance may not run again.
#[wasm_bindgen(inline_js = r#"
export function cc_reload_on_click(el) {
  el.addEventListener('click', function () { location.replace(location.href.split('#')[0]); });
}
"#)]
extern "C" {
    fn cc_reload_on_click(el: &web_sys::Element);
}

/// Replaces the page with a plain message (text, never HTML) when the app cannot go on: "could
/// not start", or "stopped working" once the card was running; with a Reload button. The first
/// message stays: a later panic (often a consequence of the first) is only logged.
///
/// Reload opens the page again with a GET of the same address (`location.replace`), not
/// `location.reload()`: Bitrix24 opens the frame with a form POST, and reloading a POSTed page
/// re-sends it (a resubmit prompt, and auth that may have expired). The page needs nothing from
/// the POST body: the library gets the auth and the placement from the portal (`getInitData`),
/// and `window.name`, which it reads, survives the navigation.
fn show_fatal(detail: &str) {
    if let Some(body) = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.body())
    {
        show_fatal_in(&body, detail);
    }
}

/// [`show_fatal`] into `target` (its content replaced); public for the browser tests. Returns
/// false when a fatal message was already shown (and this one is only logged).
#[doc(hidden)]
pub fn show_fatal_in(target: &web_sys::Element, detail: &str) -> bool {
    if FATAL_SHOWN.swap(true, Ordering::Relaxed) {
        return false;
    }
    let Some(w) = web_sys::window() else {
        return false;
    };
    let Some(doc) = w.document() else {
        return false;
    };
    let running = RUNNING.load(Ordering::Relaxed);
    // Once running, the card has set the document's language from the portal; before, the
    // handler URL's `LANG` or the browser's language.
    let l = if running {
        i18n::Lang::from_bitrix(
            &doc.document_element()
                .and_then(|e| e.get_attribute("lang"))
                .unwrap_or_default(),
        )
    } else {
        portal::wait::start_lang(
            &w.location().search().unwrap_or_default(),
            &w.navigator().language().unwrap_or_default(),
        )
    };
    let title = i18n::tr(l, crate::fatal_title(running));
    target.set_text_content(None);
    let Ok(div) = doc.create_element("div") else {
        return true;
    };
    div.set_class_name("cc-fatal");
    div.set_attribute("role", "alert").ok();
    div.set_attribute("data-testid", "fatal").ok();
    div.set_attribute("data-running", if running { "yes" } else { "no" })
        .ok();
    if let Ok(text) = doc.create_element("div") {
        let detail: String = detail.chars().take(300).collect();
        text.set_text_content(Some(&format!("{title}\n\n{detail}")));
        div.append_child(&text).ok();
    }
    if let Ok(b) = doc.create_element("button") {
        b.set_attribute("type", "button").ok();
        b.set_class_name("cc-button cc-fatal__reload");
        b.set_attribute("data-testid", "fatal-reload").ok();
        b.set_text_content(Some(i18n::tr(l, i18n::Text::Reload)));
        cc_reload_on_click(&b);
        div.append_child(&b).ok();
    }
    target.append_child(&div).ok();
    true
}
