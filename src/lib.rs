//! callcard: a Bitrix24 call-card tab, the WebAssembly app. The pure core (domain, REST policy,
//! features' rules, texts) is the `callcard-core` crate and the demo simulation `callcard-sim`;
//! this crate is the browser side: the boundary to the page (`frame`), state and views.

use callcard_core::i18n;

/// The heap: talc instead of Rust's default dlmalloc, a smaller allocator that frees and merges
/// blocks as dlmalloc does (the card runs for hours).
#[cfg(target_arch = "wasm32")]
#[global_allocator]
static TALC: talc::wasm::WasmDynamicTalc = talc::wasm::new_wasm_dynamic_allocator();

#[cfg(target_arch = "wasm32")]
pub mod app;
#[cfg(target_arch = "wasm32")]
pub mod call;
#[cfg(target_arch = "wasm32")]
pub mod campaign;
#[cfg(target_arch = "wasm32")]
pub mod client;
#[cfg(all(target_arch = "wasm32", feature = "demo"))]
pub mod demo;
#[cfg(target_arch = "wasm32")]
pub mod frame;
#[cfg(target_arch = "wasm32")]
pub mod history;
#[cfg(all(target_arch = "wasm32", any(feature = "demo", feature = "settings")))]
pub mod install;
#[cfg(target_arch = "wasm32")]
pub mod store;
#[cfg(target_arch = "wasm32")]
pub mod ui;
#[cfg(target_arch = "wasm32")]
pub mod wrapup;

/// The fatal message into an element of the browser tests' choosing.
#[cfg(target_arch = "wasm32")]
#[doc(hidden)]
pub use frame::boot::show_fatal_in;
/// Starts the app (the bins' entry point): the page glue is `frame::boot`, which mounts [`app::App`]
/// on the portal it chose.
#[cfg(target_arch = "wasm32")]
pub fn start() {
    frame::boot::start(|chosen| {
        leptos::mount::mount_to_body(move || leptos::view! { <app::App chosen=chosen/> });
    });
}

/// The fatal message's title: "stopped working" once the card has been running (a panic
/// mid-call), "could not start" before.
pub fn fatal_title(running: bool) -> i18n::Text {
    if running {
        i18n::Text::CardStopped
    } else {
        i18n::Text::StartFailed
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_panic_mid_call_says_stopped_working_not_could_not_start() {
        assert_eq!(fatal_title(true), i18n::Text::CardStopped);
        assert_eq!(fatal_title(false), i18n::Text::StartFailed);
        assert_eq!(
            i18n::tr(i18n::Lang::Ru, fatal_title(true)),
            "Карточка звонка перестала работать."
        );
        assert_eq!(
            i18n::tr(i18n::Lang::En, fatal_title(true)),
            "The call card stopped working."
        );
    }
}
