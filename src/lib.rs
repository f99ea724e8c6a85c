//! callcard: a Bitrix24 call-card tab. The pure domain, REST logic and demo simulation build on
//! any target (host-tested); the browser side (bindings, state, components) only on wasm32.

pub mod campaign;
pub mod history;
pub mod i18n;
pub mod model;
pub mod portal;
pub mod refresh;
pub mod rest;
pub mod storage;
pub mod view_model;

#[cfg(target_arch = "wasm32")]
pub mod app;
#[cfg(target_arch = "wasm32")]
pub mod browser;
#[cfg(target_arch = "wasm32")]
pub mod campaign_state;
#[cfg(target_arch = "wasm32")]
pub mod components;
#[cfg(target_arch = "wasm32")]
pub mod state;

/// Starts the app: a readable panic message instead of a blank frame, logging, then the portal
/// choice and the mount.
#[cfg(target_arch = "wasm32")]
pub fn start() {
    std::panic::set_hook(Box::new(|info| {
        let text = info.to_string();
        web_sys::console::error_1(&wasm_bindgen::JsValue::from_str(&text));
        show_fatal(&text);
    }));
    log::set_logger(&browser::CONSOLE)
        .map(|()| log::set_max_level(log::LevelFilter::Info))
        .ok();
    // Leptos sets up its executor when mounting; until then use the plain wasm-bindgen one.
    wasm_bindgen_futures::spawn_local(async {
        let chosen = match portal::start::choose().await {
            Ok(Some(c)) => c,
            // Handed over to the demo build, which mounts itself.
            Ok(None) => return,
            Err(reason) => return show_fatal(&reason),
        };
        remove_boot_placeholder();
        leptos::mount::mount_to_body(move || leptos::view! { <app::App chosen=chosen/> });
    });
}

#[cfg(target_arch = "wasm32")]
fn remove_boot_placeholder() {
    if let Some(el) = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.get_element_by_id("cc-boot"))
    {
        el.remove();
    }
}

/// Replaces the page with a plain message (text, never HTML) when the app cannot go on.
#[cfg(target_arch = "wasm32")]
fn show_fatal(detail: &str) {
    let Some(doc) = web_sys::window().and_then(|w| w.document()) else {
        return;
    };
    let Some(body) = doc.body() else { return };
    let lang = doc
        .document_element()
        .and_then(|e| e.get_attribute("lang"))
        .unwrap_or_default();
    let l = i18n::Lang::from_bitrix(&lang);
    body.set_text_content(None);
    if let Ok(div) = doc.create_element("div") {
        div.set_class_name("cc-fatal");
        div.set_attribute("role", "alert").ok();
        div.set_attribute("data-testid", "fatal").ok();
        let detail: String = detail.chars().take(300).collect();
        div.set_text_content(Some(&format!(
            "{}\n\n{detail}",
            i18n::tr(l, i18n::T::StartFailed)
        )));
        body.append_child(&div).ok();
    }
}
