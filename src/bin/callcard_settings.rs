//! The settings build (feature `settings`): the app's install/settings page, loaded by the
//! Bitrix24 build when the portal opens the app in a placement other than the call card (see
//! `callcard::start`), so an operator's card never carries it.

#[cfg(target_arch = "wasm32")]
fn main() {
    callcard::start();
}

#[cfg(not(target_arch = "wasm32"))]
fn main() {
    eprintln!("callcard_settings is a WebAssembly app, built by trunk.");
}
